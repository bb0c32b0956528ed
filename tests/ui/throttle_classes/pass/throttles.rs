// Throttles: built-ins, DRF's names, a scope (a name or a string), a throttle of one's own,
// and the settings' defaults with `#[throttle_scope]` alone opting a view in.

use drf::prelude::*;
use drf::{api_view, throttle_classes, throttle_scope};

mod settings {
    drf::settings! {
        DEFAULT_THROTTLE_CLASSES = [ScopedRateThrottle];
        DEFAULT_THROTTLE_RATES = {
            anon: "3/min",
            user: None,
            burst: "2/min",
            "uploads-per-hour": "5/hour",
            keys: "100/day",
        };
    }
}

/// 100 requests a day per API key.
#[derive(Debug)]
pub struct PerApiKey;

impl Throttle for PerApiKey {
    async fn allow_request(cx: &ThrottleContext<'_>) -> Result<Decision, ApiError> {
        match cx.request().headers().get("x-api-key").and_then(|k| k.to_str().ok()) {
            Some(key) => cx.check_rate("keys", key).await,
            None => Ok(Decision::Allow),
        }
    }

    fn scope(_: Option<&'static str>) -> Option<&'static str> {
        Some("keys")
    }
}

#[api_view(GET)]
#[throttle_classes(AnonRateThrottle, UserRate, ScopedRate)]
#[throttle_scope(burst)]
async fn search() -> StatusCode {
    StatusCode::OK
}

#[api_view(POST)]
#[throttle_classes(self::PerApiKey, ScopedRate)]
#[throttle_scope("uploads-per-hour")]
async fn upload() -> StatusCode {
    StatusCode::CREATED
}

#[api_view(GET)]
#[throttle_scope("burst")]
async fn by_default() -> StatusCode {
    StatusCode::OK
}

#[api_view(GET)]
#[throttle_classes()]
async fn unthrottled() -> StatusCode {
    StatusCode::OK
}

fn main() {
    use drf::View;
    assert_eq!(<search as View>::THROTTLE_SCOPE, Some("burst"));
    assert_eq!(<upload as View>::THROTTLE_SCOPE, Some("uploads-per-hour"));
    assert_eq!(<unthrottled as View>::THROTTLE_SCOPE, None);
    let _ = Router::<settings::Settings>::new()
        .route("/search/", search)
        .route("/upload/", upload)
        .route("/default/", by_default)
        .route("/none/", unthrottled);
}
