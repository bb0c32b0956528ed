use drf::prelude::*;
use drf::{api_view, throttle_classes, throttle_scope};

mod settings {
    drf::settings! {
        DEFAULT_THROTTLE_RATES = { anon: "3/min", burst: "2/min" };
    }
}

#[api_view(GET)]
#[throttle_classes(ScopedRate)]
#[throttle_scope("bursty")]
async fn search() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<settings::Settings>::new().route("/search/", search);
}
