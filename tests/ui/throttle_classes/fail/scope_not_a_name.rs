use drf::prelude::*;
use drf::{DefaultSettings, api_view, throttle_classes, throttle_scope};

#[api_view(GET)]
#[throttle_classes(ScopedRate)]
#[throttle_scope(2 / min)]
async fn search() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/search/", search);
}
