//! Global defaults of the quickstart: tokens first (so failures are 401), sessions for a
//! browser, and every view closed to anonymous callers unless it says otherwise.

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Token, Session];
    DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
}
