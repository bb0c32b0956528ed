//! The bytes of an answer: the [`Response`] type and DRF's JSON rendering. A leaf below
//! errors and handlers' return values, which both render through it.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

/// What negotiation knows of a renderer: DRF's `media_type` and `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RendererInfo {
    /// The media type it answers (`application/json`), matched against `Accept`.
    pub media_type: &'static str,
    /// The name `?format=` selects it by (`json`, `api`).
    pub format: &'static str,
    /// True when it leaves the view's JSON answer as it is (no rendering step at all).
    pub keeps_json: bool,
}

/// A complete response: the body is in memory (JSON APIs answer small bodies).
pub type Response = http::Response<Bytes>;

/// The `Content-Type` of every JSON answer.
pub const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

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

/// One of Django's own error pages (DEBUG off), as its `defaults` views write them: the
/// 404 ("Not Found", "The requested resource was not found on this server.") and the 400
/// ("Bad Request (400)", no text).
pub fn django_error_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>{title}</title>\n</head>\n<body>\n  <h1>{title}</h1><p>{text}</p>\n</body>\n</html>\n"
    );
    let mut r = http::Response::new(Bytes::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// A JSON response with the given status. A value that cannot be serialized is a 500.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    let (status, body) = match to_json(value) {
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

/// `value` as DRF's JSONRenderer writes it: compact, UTF-8, with U+2028 and U+2029 escaped.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Bytes, serde_json::Error> {
    let out = serde_json::to_vec(value)?;
    // DRF escapes the two JavaScript line terminators that JSON allows raw.
    if out
        .windows(3)
        .any(|w| w == [0xE2, 0x80, 0xA8] || w == [0xE2, 0x80, 0xA9])
    {
        let s = String::from_utf8_lossy(&out)
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029");
        return Ok(Bytes::from(s.into_bytes()));
    }
    Ok(Bytes::from(out))
}
