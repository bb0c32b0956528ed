//! [`ApiError`]: every failure a view can answer with, in DRF's JSON shape.
//!
//! One function, [`ApiError::into_response_with`], turns an error plus the view's authenticate
//! header into the status, headers and body DRF sends. Generated code and schemes never decide
//! between 401 and 403 themselves.

use std::borrow::Cow;
use std::fmt;

use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use crate::render::{Response, json_response};

/// An error answer of the API, with DRF's status codes and messages.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No credentials: `Authentication credentials were not provided.` (401 or 403).
    NotAuthenticated,
    /// Bad credentials (401 or 403, see [`ApiError::into_response_with`]).
    AuthenticationFailed(Cow<'static, str>),
    /// 403 with the given message.
    PermissionDenied(Cow<'static, str>),
    /// 404 `Not found.`
    NotFound,
    /// 405 `Method "X" not allowed.`
    MethodNotAllowed(String),
    /// 406 `Could not satisfy the request Accept header.`
    NotAcceptable,
    /// 415 `Unsupported media type "X" in request.`
    UnsupportedMediaType(String),
    /// 400 `{"detail": "..."}`: a body that could not be parsed.
    ParseError(String),
    /// 400 with a field map (or list) as body, as serializers report.
    ValidationError(Value),
    /// 413: the body is larger than the configured limit.
    PayloadTooLarge,
    /// 429 with `Retry-After` when a wait is known.
    Throttled {
        /// Seconds until a request may succeed.
        wait: Option<u64>,
    },
    /// 503 with `Retry-After`: every password hashing slot stayed busy (see
    /// [`HashQueue`](crate::hashers::HashQueue)); the login may be tried again in that many
    /// seconds.
    Overloaded {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// 503: a backing service (database, Redis) is unreachable.
    ServiceUnavailable(Cow<'static, str>),
    /// 500 `A server error occurred.`; the text is logged, never sent.
    Internal(String),
    /// Django's own 400 (its `BadRequest` and `SuspiciousOperation`, such as more fields than
    /// `DATA_UPLOAD_MAX_NUMBER_FIELDS`): the plain HTML page Django answers, outside DRF's
    /// answer (no `Allow`). The text is logged, never sent.
    BadRequest(Cow<'static, str>),
    /// Any other status with a `{"detail": ...}` body.
    Custom {
        /// The status code.
        status: StatusCode,
        /// The detail message.
        detail: Cow<'static, str>,
    },
}

/// DRF's default texts.
pub mod messages {
    /// `NotAuthenticated`
    pub const NOT_AUTHENTICATED: &str = "Authentication credentials were not provided.";
    /// `PermissionDenied`
    pub const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";
    /// `NotAcceptable`
    pub const NOT_ACCEPTABLE: &str = "Could not satisfy the request Accept header.";
    /// `NotFound`
    pub const NOT_FOUND: &str = "Not found.";
    /// 500
    pub const SERVER_ERROR: &str = "A server error occurred.";
    /// 413
    pub const TOO_LARGE: &str = "Request body is too large.";
    /// Django's 400 page title.
    pub const BAD_REQUEST: &str = "Bad Request (400)";
}

impl ApiError {
    /// `AuthenticationFailed` with a message.
    pub fn authentication_failed(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::AuthenticationFailed(msg.into())
    }

    /// `PermissionDenied` with DRF's default message.
    pub fn permission_denied() -> Self {
        Self::PermissionDenied(Cow::Borrowed(messages::PERMISSION_DENIED))
    }

    /// A 400 validation error with a body such as `{"field": ["message"]}`.
    pub fn validation(body: Value) -> Self {
        Self::ValidationError(body)
    }

    /// The HTTP status, with the 401-vs-403 choice made as if the view's first scheme had an
    /// authenticate header when `has_authenticate_header` is true.
    pub fn status(&self, has_authenticate_header: bool) -> StatusCode {
        match self {
            Self::NotAuthenticated | Self::AuthenticationFailed(_) => {
                if has_authenticate_header {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                }
            }
            Self::PermissionDenied(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ParseError(_) | Self::ValidationError(_) | Self::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable(_) | Self::Overloaded { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Custom { status, .. } => *status,
        }
    }

    /// The JSON body DRF sends for this error.
    pub fn body(&self) -> Value {
        match self {
            Self::ValidationError(v) => v.clone(),
            other => json!({ "detail": other.detail() }),
        }
    }

    /// The `detail` text (for a validation error, its JSON).
    pub fn detail(&self) -> Cow<'_, str> {
        match self {
            Self::NotAuthenticated => Cow::Borrowed(messages::NOT_AUTHENTICATED),
            Self::AuthenticationFailed(m)
            | Self::PermissionDenied(m)
            | Self::ServiceUnavailable(m)
            | Self::Custom { detail: m, .. } => Cow::Borrowed(m),
            Self::NotFound => Cow::Borrowed(messages::NOT_FOUND),
            Self::MethodNotAllowed(m) => Cow::Owned(format!("Method \"{m}\" not allowed.")),
            Self::NotAcceptable => Cow::Borrowed(messages::NOT_ACCEPTABLE),
            Self::UnsupportedMediaType(t) => {
                Cow::Owned(format!("Unsupported media type \"{t}\" in request."))
            }
            Self::ParseError(m) => Cow::Borrowed(m),
            Self::ValidationError(v) => Cow::Owned(v.to_string()),
            Self::PayloadTooLarge => Cow::Borrowed(messages::TOO_LARGE),
            Self::Throttled { wait } => Cow::Owned(match wait {
                Some(1) => "Request was throttled. Expected available in 1 second.".to_owned(),
                Some(n) => format!("Request was throttled. Expected available in {n} seconds."),
                None => "Request was throttled.".to_owned(),
            }),
            Self::Internal(_) => Cow::Borrowed(messages::SERVER_ERROR),
            Self::Overloaded { retry_after } => Cow::Owned(match retry_after {
                1 => "Too many logins are in progress. Try again in 1 second.".to_owned(),
                n => format!("Too many logins are in progress. Try again in {n} seconds."),
            }),
            Self::BadRequest(_) => Cow::Borrowed(messages::BAD_REQUEST),
        }
    }

    /// DRF's `handle_exception`: the response for this error, given the authenticate header of
    /// the view's first authentication scheme (`None` when it has none, or the view has none).
    ///
    /// `NotAuthenticated` and `AuthenticationFailed` become 401 with `WWW-Authenticate` when a
    /// header is given, 403 otherwise.
    pub fn into_response_with(self, authenticate_header: Option<HeaderValue>) -> Response {
        if let Self::Internal(msg) = &self {
            tracing::error!(error = %msg, "internal server error");
        }
        if let Self::BadRequest(msg) = &self {
            tracing::warn!(target: "django.security", error = %msg, "bad request");
            return crate::render::django_error_page(
                StatusCode::BAD_REQUEST,
                messages::BAD_REQUEST,
                "",
            );
        }
        let status = self.status(authenticate_header.is_some());
        let mut resp = json_response(status, &self.body());
        let headers = resp.headers_mut();
        match &self {
            Self::NotAuthenticated | Self::AuthenticationFailed(_) => {
                if let Some(h) = authenticate_header {
                    headers.insert(header::WWW_AUTHENTICATE, h);
                }
            }
            Self::Throttled { wait: Some(w) } | Self::Overloaded { retry_after: w } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*w));
            }
            _ => {}
        }
        resp
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status(true).as_u16(), self.detail())
    }
}

impl std::error::Error for ApiError {}

/// Counts events and says when one should be logged: the first, then at most one every
/// [`Summary::EVERY_SECS`] seconds carrying how many happened since, so that a flood writes a
/// line every few seconds rather than one per request.
struct Summary {
    /// Seconds since `epoch` at which the last line was written, plus one (0: never).
    last: std::sync::atomic::AtomicU64,
    since: std::sync::atomic::AtomicU64,
    epoch: std::sync::OnceLock<std::time::Instant>,
}

impl Summary {
    const EVERY_SECS: u64 = 10;

    const fn new() -> Self {
        Self {
            last: std::sync::atomic::AtomicU64::new(0),
            since: std::sync::atomic::AtomicU64::new(0),
            epoch: std::sync::OnceLock::new(),
        }
    }

    /// Counts one event; `Some(n)` when a line is due, `n` the events it stands for.
    fn record(&self) -> Option<u64> {
        let epoch = self.epoch.get_or_init(std::time::Instant::now);
        self.record_at(epoch.elapsed().as_secs() + 1)
    }

    /// [`record`](Self::record) at `now` seconds (from 1).
    fn record_at(&self, now: u64) -> Option<u64> {
        use std::sync::atomic::Ordering::Relaxed;
        let count = self.since.fetch_add(1, Relaxed) + 1;
        let last = self.last.load(Relaxed);
        let due = last == 0 || now.saturating_sub(last) >= Self::EVERY_SECS;
        if due
            && self
                .last
                .compare_exchange(last, now, Relaxed, Relaxed)
                .is_ok()
        {
            self.since.fetch_sub(count, Relaxed);
            return Some(count);
        }
        None
    }
}

static HASH_QUEUE_FULL: Summary = Summary::new();

impl From<crate::hashers::Busy> for ApiError {
    fn from(busy: crate::hashers::Busy) -> Self {
        if let Some(refused) = HASH_QUEUE_FULL.record() {
            tracing::warn!(
                refused,
                "password hashing queue full: {refused} login(s) answered 503 since the last report"
            );
        }
        Self::Overloaded {
            retry_after: busy.retry_after_secs,
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            Self::ServiceUnavailable(Cow::Borrowed("The database is unavailable."))
        } else {
            Self::Internal(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_authenticated_is_401_with_header_and_403_without() {
        let r =
            ApiError::NotAuthenticated.into_response_with(Some(HeaderValue::from_static("Token")));
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Token");
        let r = ApiError::NotAuthenticated.into_response_with(None);
        assert_eq!(r.status(), 403);
        assert!(r.headers().get("www-authenticate").is_none());
        assert_eq!(
            r.body().as_ref(),
            br#"{"detail":"Authentication credentials were not provided."}"#
        );
    }

    #[test]
    fn throttled_message_and_retry_after() {
        let r = ApiError::Throttled { wait: Some(1) }.into_response_with(None);
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(
            r.body().as_ref(),
            br#"{"detail":"Request was throttled. Expected available in 1 second."}"#
        );
        let e = ApiError::Throttled { wait: Some(60) };
        assert_eq!(
            e.detail(),
            "Request was throttled. Expected available in 60 seconds."
        );
    }

    #[test]
    fn method_not_allowed_text() {
        assert_eq!(
            ApiError::MethodNotAllowed("FOO".into()).body(),
            json!({"detail": "Method \"FOO\" not allowed."})
        );
    }

    #[test]
    fn a_flood_of_events_is_summarised() {
        let summary = Summary::new();
        assert_eq!(summary.record_at(1), Some(1), "the first is logged");
        for _ in 0..1000 {
            assert_eq!(summary.record_at(5), None, "then nothing for a while");
        }
        assert_eq!(summary.record_at(10), None);
        assert_eq!(
            summary.record_at(11),
            Some(1002),
            "ten seconds on, all of them at once"
        );
        assert_eq!(summary.record_at(12), None);
        assert_eq!(
            Summary::new().record(),
            Some(1),
            "a first event is logged at once"
        );
    }
}
