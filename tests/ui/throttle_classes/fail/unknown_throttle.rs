use drf::prelude::*;
use drf::{DefaultSettings, api_view, throttle_classes};

#[api_view(GET)]
#[throttle_classes(AnonRate, UserRateThrotle)]
async fn search() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/search/", search);
}
