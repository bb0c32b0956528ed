//! The conformance app's settings, as examples/conformance/README.md fixes them.

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Session, Basic];
    DEFAULT_PERMISSION_CLASSES = [AllowAny];
    // The reference app renders JSON only: a browser's `Accept` gets JSON, `text/html`
    // alone gets 406, as DRF answers there.
    DEFAULT_RENDERER_CLASSES = [JSONRenderer];
    DEFAULT_THROTTLE_RATES = { anon: "3/min", user: "5/min", burst: "2/min" };
    // DRF has no failed-login limiter: off here, so that every answer stays DRF's. The
    // environment's LOGIN_FAILURE_RATE and LOGIN_FAILURE_RATE_PER_CLIENT turn it back on.
    LOGIN_FAILURE_RATE = None;
    LOGIN_FAILURE_RATE_PER_CLIENT = None;
}
