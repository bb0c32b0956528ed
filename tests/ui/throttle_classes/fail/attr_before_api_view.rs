use drf::prelude::*;
use drf::{DefaultSettings, api_view, throttle_classes};

#[throttle_classes(AnonRate)]
#[api_view(GET)]
async fn search() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/search/", search);
}
