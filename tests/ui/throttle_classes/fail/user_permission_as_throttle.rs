use drf::prelude::*;
use drf::{DefaultSettings, api_view, throttle_classes};

#[derive(Debug)]
pub struct IsOwner;

impl Permission for IsOwner {}

#[api_view(GET)]
#[throttle_classes(AnonRate, IsOwner)]
async fn search() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/search/", search);
}
