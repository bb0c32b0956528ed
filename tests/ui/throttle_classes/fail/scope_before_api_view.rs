use drf::prelude::*;
use drf::{DefaultSettings, api_view, throttle_classes, throttle_scope};

#[throttle_scope("burst")]
#[api_view(GET)]
#[throttle_classes(ScopedRate)]
async fn search() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/search/", search);
}
