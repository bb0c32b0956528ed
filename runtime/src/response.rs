//! Responses: the [`Response`] type, [`Json`], and [`IntoResponse`] for handler return values.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::error::ApiError;

/// A complete response: the body is in memory (JSON APIs answer small bodies).
pub type Response = http::Response<Bytes>;

/// The `Content-Type` of every JSON answer.
pub const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Render `value` as DRF's JSONRenderer does: compact, UTF-8, with U+2028 and U+2029 escaped.
pub fn render_json<T: Serialize + ?Sized>(value: &T) -> Result<Bytes, ApiError> {
    let mut out = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    // DRF escapes the two JavaScript line terminators that JSON allows raw.
    if out
        .windows(3)
        .any(|w| w == [0xE2, 0x80, 0xA8] || w == [0xE2, 0x80, 0xA9])
    {
        let s = String::from_utf8(out).map_err(|e| ApiError::Internal(e.to_string()))?;
        out = s
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .into_bytes();
    }
    Ok(Bytes::from(out))
}

/// Re-renders a JSON response indented by `indent` spaces (DRF's `indent` media type
/// parameter). Other responses are left alone.
pub(crate) fn reindent(resp: &mut Response, indent: usize) {
    if resp.headers().get(header::CONTENT_TYPE) != Some(&APPLICATION_JSON) {
        return;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(resp.body()) else {
        return;
    };
    let pad = vec![b' '; indent];
    let mut out = Vec::with_capacity(resp.body().len() * 2);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(&pad),
    );
    if value.serialize(&mut ser).is_ok() {
        *resp.body_mut() = Bytes::from(out);
    }
}

/// A JSON response with the given status. A value that cannot be serialized is a 500.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    let (status, body) = match render_json(value) {
        Ok(b) => (status, b),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Bytes::from_static(br#"{"detail":"A server error occurred."}"#),
        ),
    };
    let mut r = http::Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, APPLICATION_JSON);
    r
}

/// A JSON body answered with 200 (or with the status of a `(StatusCode, Json(..))` pair).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// What a handler may return. `Err` values are rendered by the pipeline, which knows the view's
/// authenticate header (so a handler's `NotAuthenticated` gets DRF's 401/403 rule too).
pub trait IntoResponse {
    /// Converts into a response, or an error answer.
    fn into_response(self) -> Result<Response, ApiError>;
}

impl IntoResponse for Response {
    fn into_response(self) -> Result<Response, ApiError> {
        Ok(self)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Result<Response, ApiError> {
        Ok(json_response(StatusCode::OK, &self.0))
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Result<Response, ApiError> {
        let mut r = http::Response::new(Bytes::new());
        *r.status_mut() = self;
        Ok(r)
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Result<Response, ApiError> {
        let mut r = self.1.into_response()?;
        *r.status_mut() = self.0;
        Ok(r)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Result<Response, ApiError> {
        Err(self)
    }
}

impl<T: IntoResponse, E: Into<ApiError>> IntoResponse for Result<T, E> {
    fn into_response(self) -> Result<Response, ApiError> {
        match self {
            Ok(t) => t.into_response(),
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
