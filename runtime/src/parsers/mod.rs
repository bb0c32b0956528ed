//! Body parsing (DRF's JSONParser, FormParser, MultiPartParser) and content negotiation.

use bytes::Bytes;
use http::{HeaderMap, header};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::pycompat::json_decode::{self, Exotic};

mod multipart;

/// Media types the parsers accept, in DRF's order (also OPTIONS' `parses`).
pub const PARSES: [&str; 3] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// Media types the renderers produce (OPTIONS' `renders`).
pub const RENDERS: [&str; 1] = ["application/json"];

/// A file of a multipart body.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The form field name.
    pub field: String,
    /// The client's file name.
    pub file_name: Option<String>,
    /// The part's content type.
    pub content_type: Option<String>,
    /// The content.
    pub content: Bytes,
}

/// A parsed body: `data` and `files` of DRF's request.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParsedBody {
    pub(crate) data: Value,
    pub(crate) files: Vec<UploadedFile>,
    /// JSON values Python holds that `data` cannot (see [`json_decode::Exotic`]).
    pub(crate) exotic: Vec<Exotic>,
    /// For a form or multipart body (Django's `QueryDict`): every value of each field, as a
    /// list (`QueryDict.getlist`); `data` holds the last one (`QueryDict.get`).
    pub(crate) form: Option<Map<String, Value>>,
}

impl ParsedBody {
    fn json(data: Value) -> Self {
        Self {
            data,
            ..Self::default()
        }
    }

    fn form(fields: Vec<(String, String)>, files: Vec<UploadedFile>) -> Self {
        let mut map = Map::new();
        let mut lists = Map::new();
        for (k, v) in fields {
            map.insert(k.clone(), Value::String(v.clone()));
            if let Value::Array(all) = lists.entry(k).or_insert_with(|| Value::Array(Vec::new())) {
                all.push(Value::String(v));
            }
        }
        // DRF merges the files into `request.data`; a file is not a string to any field.
        for f in &files {
            map.insert(
                f.field.clone(),
                json!({"name": f.file_name, "size": f.content.len(), "content_type": f.content_type}),
            );
        }
        Self {
            data: Value::Object(map),
            files,
            exotic: Vec::new(),
            form: Some(lists),
        }
    }
}

/// A media type `main/sub; k=v`, lower-cased, as DRF's `_MediaType`.
#[derive(Debug, PartialEq)]
struct MediaType<'a> {
    main: String,
    sub: String,
    params: Vec<(String, &'a str)>,
}

impl<'a> MediaType<'a> {
    fn parse(s: &'a str) -> Self {
        let mut parts = s.split(';');
        let full = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let (main, sub) = match full.split_once('/') {
            Some((m, s)) => (m.trim().to_owned(), s.trim().to_owned()),
            None => (full.clone(), String::new()),
        };
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"')))
            })
            .collect();
        Self { main, sub, params }
    }

    fn param(&self, key: &str) -> Option<&'a str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// DRF's `media_type_matches(self, other)`: `self` is the parser/renderer's type.
    fn matches(&self, other: &MediaType<'_>) -> bool {
        for (k, v) in &self.params {
            if k != "q" && other.param(k) != Some(v) {
                return false;
            }
        }
        let part = |mine: &str, theirs: &str| mine == "*" || theirs == "*" || mine == theirs;
        part(&self.sub, &other.sub) && part(&self.main, &other.main)
    }

    /// DRF's precedence: 3 = `type/sub; params`, 2 = `type/sub`, 1 = `type/*`, 0 = `*/*`.
    fn precedence(&self) -> u8 {
        if self.main == "*" {
            0
        } else if self.sub == "*" {
            1
        } else if self.params.iter().all(|(k, _)| k == "q") {
            2
        } else {
            3
        }
    }
}

/// DRF's `DefaultContentNegotiation` with the JSON renderer alone: `Ok` when the `Accept`
/// header (absent means `*/*`) can be answered with JSON, else 406. A `format` query parameter
/// other than `json` is 404, as DRF's `filter_renderers`.
///
/// `Ok(Some(n))` asks for a body indented by `n` spaces (`Accept: application/json; indent=4`,
/// clamped to 0..=8 as DRF does, 0 meaning compact).
pub fn negotiate(headers: &HeaderMap, query: Option<&str>) -> Result<Option<usize>, ApiError> {
    if let Some(q) = query {
        if let Some((_, f)) = form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "format") {
            if f != "json" {
                return Err(ApiError::NotFound);
            }
        }
    }
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(None);
    };
    let accept = String::from_utf8_lossy(accept.as_bytes());
    let json = MediaType::parse(RENDERS[0]);
    // DRF tries the most specific media types first; the first match is "accepted".
    let accepted = accept
        .split(',')
        .map(|t| MediaType::parse(t.trim()))
        .filter(|m| json.matches(m))
        .max_by_key(MediaType::precedence);
    match accepted {
        Some(m) => Ok(m
            .param("indent")
            .and_then(|i| i.trim().parse::<i64>().ok())
            .map(|i| i.clamp(0, 8) as usize)
            .filter(|&i| i > 0)),
        None => Err(ApiError::NotAcceptable),
    }
}

/// DRF's `request.data`: choose the parser by `Content-Type`, then parse.
pub(crate) fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<ParsedBody, ApiError> {
    if body.is_empty() {
        // No stream: DRF answers empty data whatever the content type.
        return Ok(ParsedBody::json(Value::Object(Map::new())));
    }
    let content_type = match headers.get(header::CONTENT_TYPE) {
        Some(v) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
        // Django's development server (wsgiref) supplies `text/plain` for a body without a
        // `Content-Type`, which no parser accepts.
        None => "text/plain".to_owned(),
    };
    let mt = MediaType::parse(&content_type);
    let charset = mt.param("charset").unwrap_or("utf-8").to_ascii_lowercase();
    if MediaType::parse(PARSES[0]).matches(&mt) {
        parse_json(body, &charset)
    } else if MediaType::parse(PARSES[1]).matches(&mt) {
        let fields = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(ParsedBody::form(fields, Vec::new()))
    } else if MediaType::parse(PARSES[2]).matches(&mt) {
        let parts = multipart::parse(&content_type, body)
            .map_err(|m| ApiError::ParseError(format!("Multipart form parse error - {m}")))?;
        Ok(ParsedBody::form(parts.fields, parts.files))
    } else {
        Err(ApiError::UnsupportedMediaType(content_type))
    }
}

/// Decodes a body as Python's `codecs.getreader("utf-8")` does: an incomplete sequence at the
/// very end is dropped, an invalid one is an error worded as Python words it.
fn decode_utf8_like_python(body: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.into()),
        Err(e) => {
            let pos = e.valid_up_to();
            let Some(len) = e.error_len() else {
                // Truncated at the end: the stream reader keeps it for a next read that
                // never comes.
                return Ok(String::from_utf8_lossy(&body[..pos]).into_owned().into());
            };
            let first = body[pos];
            let reason = if (0x80..0xC2).contains(&first) || first > 0xF4 {
                "invalid start byte"
            } else {
                "invalid continuation byte"
            };
            Err(if len == 1 {
                format!("'utf-8' codec can't decode byte 0x{first:02x} in position {pos}: {reason}")
            } else {
                format!(
                    "'utf-8' codec can't decode bytes in position {pos}-{}: {reason}",
                    pos + len - 1
                )
            })
        }
    }
}

fn parse_json(body: &Bytes, charset: &str) -> Result<ParsedBody, ApiError> {
    let text = match charset {
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" => {
            body.iter().map(|&b| b as char).collect::<String>().into()
        }
        // utf-8, and charsets Django would not decode differently in practice.
        _ => decode_utf8_like_python(body)
            .map_err(|m| ApiError::ParseError(format!("JSON parse error - {m}")))?,
    };
    match json_decode::parse(&text) {
        Ok(doc) => Ok(ParsedBody {
            data: doc.value,
            exotic: doc.exotic,
            ..ParsedBody::default()
        }),
        Err(msg) => Err(ApiError::ParseError(format!("JSON parse error - {msg}"))),
    }
}

/// Builders for other modules' tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A form body with these fields.
    pub(crate) fn form(fields: Vec<(String, String)>) -> ParsedBody {
        ParsedBody::form(fields, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn accept_matching_follows_drf() {
        let ok = |a: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_str(a).unwrap());
            negotiate(&h, None).is_ok()
        };
        assert!(negotiate(&HeaderMap::new(), None).is_ok());
        let indent = |a: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_str(a).unwrap());
            negotiate(&h, None).unwrap()
        };
        assert_eq!(indent("application/json; indent=4"), Some(4));
        assert_eq!(indent("application/json; indent=40"), Some(8));
        assert_eq!(indent("application/json; indent=0"), None);
        assert_eq!(indent("application/json; indent=x"), None);
        assert_eq!(indent("*/*, application/json; indent=2"), Some(2));
        assert!(ok("application/json"));
        assert!(ok("*/*"));
        assert!(ok("application/*"));
        assert!(ok("text/html, application/json;q=0.5"));
        assert!(ok("APPLICATION/JSON"));
        assert!(!ok("application/xml"));
        assert!(!ok("text/html"));
        assert!(!ok(""));
        assert!(!ok("garbage"));
        assert_eq!(
            negotiate(&HeaderMap::new(), Some("format=xml")),
            Err(ApiError::NotFound)
        );
        assert!(negotiate(&HeaderMap::new(), Some("format=json")).is_ok());
    }

    #[test]
    fn empty_body_is_empty_object_and_untyped_body_is_text_plain() {
        let p = parse_body(&headers("text/plain"), &Bytes::new()).unwrap();
        assert_eq!(p.data, serde_json::json!({}));
        let p = parse_body(&HeaderMap::new(), &Bytes::new()).unwrap();
        assert_eq!(p.data, serde_json::json!({}));
        for body in [&b"{}"[..], b"[]", b"\"str\"", b"{\"a\": 1} x", b"\xff\xfe"] {
            let e = parse_body(&HeaderMap::new(), &Bytes::copy_from_slice(body)).unwrap_err();
            assert_eq!(
                e.detail(),
                "Unsupported media type \"text/plain\" in request."
            );
        }
    }

    #[test]
    fn unsupported_media_type_names_the_header() {
        let e = parse_body(
            &headers("text/plain; charset=utf-8"),
            &Bytes::from_static(b"x"),
        )
        .unwrap_err();
        assert_eq!(
            e.detail(),
            "Unsupported media type \"text/plain; charset=utf-8\" in request."
        );
    }

    #[test]
    fn form_and_json() {
        let p = parse_body(
            &headers("application/x-www-form-urlencoded"),
            &Bytes::from_static(b"username=a+b&password=%C3%A9&username=c"),
        )
        .unwrap();
        assert_eq!(
            p.data,
            serde_json::json!({"username": "c", "password": "é"})
        );
        let p = parse_body(
            &headers("application/json; charset=utf-8"),
            &Bytes::from_static(br#"{"a": [1, 2.5, null]}"#),
        )
        .unwrap();
        assert_eq!(p.data, serde_json::json!({"a": [1, 2.5, null]}));
    }

    #[test]
    fn bad_utf8_json_is_a_parse_error() {
        let e = parse_body(&headers("application/json"), &Bytes::from_static(b"\xff")).unwrap_err();
        assert_eq!(
            e.detail(),
            "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
        );
    }

    #[test]
    fn utf8_errors_are_pythons() {
        assert_eq!(
            decode_utf8_like_python(b"{\"a\": 1}\xe2\x82").unwrap(),
            "{\"a\": 1}"
        );
        assert_eq!(
            decode_utf8_like_python(b"\xf0\x90(").unwrap_err(),
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        assert_eq!(
            decode_utf8_like_python(b"ab\xe9\"").unwrap_err(),
            "'utf-8' codec can't decode byte 0xe9 in position 2: invalid continuation byte"
        );
    }

    #[test]
    fn multipart_fields_and_files() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n";
        let p = parse_body(
            &headers("multipart/form-data; boundary=XX"),
            &Bytes::from(body),
        )
        .unwrap();
        assert_eq!(
            p.data,
            serde_json::json!({"username": "alice", "f": {"name": "a.txt", "size": 5, "content_type": "text/plain"}})
        );
        assert_eq!(p.files.len(), 1);
        assert_eq!(&p.files[0].content[..], b"hello");
        let e = parse_body(&headers("multipart/form-data"), &Bytes::from(body)).unwrap_err();
        assert_eq!(
            e.detail(),
            "Multipart form parse error - Invalid boundary in multipart: None"
        );
        // Not multipart at all, or truncated in the headers: nothing read, as Django.
        for body in [&b"--XX\r\nContent-Disp"[..], b"not multipart"] {
            let p = parse_body(
                &headers("multipart/form-data; boundary=XX"),
                &Bytes::from_static(body),
            )
            .unwrap();
            assert_eq!(p.data, serde_json::json!({}));
        }
    }

    #[test]
    fn form_keeps_every_field_and_data_the_last() {
        let p = parse_body(
            &headers("application/x-www-form-urlencoded"),
            &Bytes::from_static(b"t=a&t=b&u=1"),
        )
        .unwrap();
        assert_eq!(p.data, serde_json::json!({"t": "b", "u": "1"}));
        assert_eq!(p.form.unwrap()["t"], serde_json::json!(["a", "b"]));
    }
}
