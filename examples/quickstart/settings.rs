//! Global defaults of the quickstart: tokens first (so failures are 401), sessions for a
//! browser, every view closed to anonymous callers unless it says otherwise, and JSON or
//! the browsable API, whichever the client asks for.

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Token, Session];
    DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
    DEFAULT_RENDERER_CLASSES = [JSONRenderer, BrowsableAPIRenderer];
}
