//! The conformance app's settings, as examples/conformance/README.md fixes them.

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Session, Basic];
    DEFAULT_PERMISSION_CLASSES = [AllowAny];
    DEFAULT_THROTTLE_RATES = { anon: "3/min", user: "5/min", burst: "2/min" };
}
