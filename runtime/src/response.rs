//! Responses: the [`Response`] type, [`Json`], and [`IntoResponse`] for handler return values.

use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;

use crate::error::ApiError;
pub(crate) use crate::render::reindent;
pub use crate::render::{APPLICATION_JSON, Response, json_response};

/// Render `value` as DRF's JSONRenderer does: compact, UTF-8, with U+2028 and U+2029 escaped.
pub fn render_json<T: Serialize + ?Sized>(value: &T) -> Result<Bytes, ApiError> {
    crate::render::to_json(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// A JSON body answered with 200 (or with the status of a `(StatusCode, Json(..))` pair).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// What a handler may return. `Err` values are rendered by the pipeline, which knows the view's
/// authenticate header (so a handler's `NotAuthenticated` gets DRF's 401/403 rule too).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a response a handler can return",
    label = "not a response",
    note = "a handler returns `Json<T>` (T: Serialize), `StatusCode`, `(StatusCode, Json<T>)`, `Response`, or `Result<_, ApiError>` of one of them"
)]
pub trait IntoResponse {
    /// Converts into a response, or into the [`ApiError`] whose answer the pipeline renders.
    /// Fallible, unlike axum's `into_response`: an error is not a response yet, since its
    /// status and `WWW-Authenticate` header depend on the view's schemes.
    fn try_into_response(self) -> Result<Response, ApiError>;
}

impl IntoResponse for Response {
    fn try_into_response(self) -> Result<Response, ApiError> {
        Ok(self)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn try_into_response(self) -> Result<Response, ApiError> {
        Ok(json_response(StatusCode::OK, &self.0))
    }
}

impl IntoResponse for StatusCode {
    fn try_into_response(self) -> Result<Response, ApiError> {
        let mut r = http::Response::new(Bytes::new());
        *r.status_mut() = self;
        Ok(r)
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn try_into_response(self) -> Result<Response, ApiError> {
        let mut r = self.1.try_into_response()?;
        *r.status_mut() = self.0;
        Ok(r)
    }
}

impl IntoResponse for ApiError {
    fn try_into_response(self) -> Result<Response, ApiError> {
        Err(self)
    }
}

impl<T: IntoResponse, E: Into<ApiError>> IntoResponse for Result<T, E> {
    fn try_into_response(self) -> Result<Response, ApiError> {
        match self {
            Ok(t) => t.try_into_response(),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_compact_and_escapes_line_separators() {
        let b = render_json(&serde_json::json!({"a": "x\u{2028}y", "b": "é"})).unwrap();
        assert_eq!(&b[..], "{\"a\":\"x\\u2028y\",\"b\":\"é\"}".as_bytes());
    }

    #[test]
    fn reindent_matches_python_indent() {
        let mut r = json_response(
            StatusCode::OK,
            &serde_json::json!({"a": [1], "b": {}, "c": []}),
        );
        reindent(&mut r, 4);
        assert_eq!(
            std::str::from_utf8(r.body()).unwrap(),
            "{\n    \"a\": [\n        1\n    ],\n    \"b\": {},\n    \"c\": []\n}"
        );
    }

    #[test]
    fn keys_keep_insertion_order() {
        let b = render_json(
            &serde_json::json!({"username": "", "is_authenticated": false, "auth": null}),
        )
        .unwrap();
        assert_eq!(
            &b[..],
            br#"{"username":"","is_authenticated":false,"auth":null}"#
        );
    }
}
