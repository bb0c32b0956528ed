//! Body parsing (DRF's JSONParser, FormParser, MultiPartParser) and content negotiation.

use bytes::Bytes;
use http::{HeaderMap, header};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::pycompat::codecs::{self, Charset, Codec};
use crate::pycompat::json_decode::{self, Exotic};

mod multipart;

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// Media types the parsers accept, in DRF's default order (also OPTIONS' `parses`).
pub const PARSES: [&str; 3] = [JSON, FORM, MULTIPART];

/// Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS` and `DATA_UPLOAD_MAX_NUMBER_FILES`: how many
/// fields a form or multipart body may hold, and files a multipart body (`None`: no limit).
/// Past either, the answer is Django's plain 400 page ([`ApiError::BadRequest`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// `DATA_UPLOAD_MAX_NUMBER_FIELDS` (Django's default 1000).
    pub fields: Option<usize>,
    /// `DATA_UPLOAD_MAX_NUMBER_FILES` (Django's default 100).
    pub files: Option<usize>,
}

impl UploadLimits {
    /// Django's defaults: 1000 fields, 100 files.
    pub const DJANGO: Self = Self {
        fields: Some(1000),
        files: Some(100),
    };
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self::DJANGO
    }
}

const TOO_MANY_FIELDS: &str =
    "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.";
const TOO_MANY_FILES: &str = "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.";

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
pub(crate) struct MediaType<'a> {
    main: String,
    sub: String,
    params: Vec<(String, &'a str)>,
}

impl<'a> MediaType<'a> {
    /// Django's `parse_header_parameters`, then DRF's `_MediaType`: the type is the first
    /// `;`-item stripped and lower-cased, split at its first `/` with nothing trimmed around
    /// it (`application /json` is no JSON); parameter names stripped and lower-cased, values
    /// stripped and unquoted.
    pub(crate) fn parse(s: &'a str) -> Self {
        let mut items = param_items(s);
        let full = items.next().unwrap_or("").to_lowercase();
        let (main, sub) = match full.split_once('/') {
            Some((m, s)) => (m.to_owned(), s.to_owned()),
            None => (full.clone(), String::new()),
        };
        let params = items
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let k = k.trim().to_lowercase();
                let k = k.strip_suffix('*').map(str::to_owned).unwrap_or(k);
                let v = v.trim();
                let v = if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                    &v[1..v.len() - 1]
                } else {
                    v
                };
                Some((k, v))
            })
            .collect();
        Self { main, sub, params }
    }

    /// The parameter `key`; the last one when it is repeated (a Python dict's).
    pub(crate) fn param(&self, key: &str) -> Option<&'a str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// DRF's `media_type_matches(self, other)`: `self` is the parser/renderer's type.
    pub(crate) fn matches(&self, other: &MediaType<'_>) -> bool {
        for (k, v) in &self.params {
            if k != "q" && other.param(k) != Some(v) {
                return false;
            }
        }
        let part = |mine: &str, theirs: &str| mine == "*" || theirs == "*" || mine == theirs;
        part(&self.sub, &other.sub) && part(&self.main, &other.main)
    }

    /// DRF's precedence: 3 = `type/sub; params`, 2 = `type/sub`, 1 = `type/*`, 0 = `*/*`.
    pub(crate) fn precedence(&self) -> u8 {
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

/// Django's `_parseparam`: the `;`-separated items of a header value, each stripped, a `;`
/// inside double quotes kept.
fn param_items(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let s = rest?;
        let mut end = None;
        let mut from = 0;
        // Django's count of `"` minus `\"` before each `;`, kept as a running total over the
        // stretches between semicolons (a `\"` cannot straddle a `;`): recounting from the
        // start made a quoted run of semicolons quadratic, and a 100 KB `Accept` took seconds.
        let mut quotes = 0;
        while let Some(at) = s[from..].find(';').map(|i| i + from) {
            let stretch = &s[from..at];
            quotes += stretch.matches('"').count() - stretch.matches("\\\"").count();
            if at == 0 || quotes % 2 == 0 {
                end = Some(at);
                break;
            }
            from = at + 1;
        }
        match end {
            Some(at) => {
                rest = Some(&s[at + 1..]);
                Some(s[..at].trim())
            }
            None => {
                rest = None;
                Some(s.trim())
            }
        }
    })
}

/// DRF's `DefaultContentNegotiation.max_media_type_length`: a longer `Content-Type` is
/// refused (415) without being parsed.
const MAX_MEDIA_TYPE_LENGTH: usize = 256;

/// DRF's `request.data`: the first of `parses` (the view's parsers, in its order) whose media
/// type matches the `Content-Type` parses the body.
pub(crate) fn parse_body(
    headers: &HeaderMap,
    body: &Bytes,
    parses: &[&str],
    limits: UploadLimits,
) -> Result<ParsedBody, ApiError> {
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
    // DRF counts characters (the header decoded as latin-1, one per byte).
    if content_type.len() > MAX_MEDIA_TYPE_LENGTH {
        return Err(ApiError::UnsupportedMediaType(content_type));
    }
    let mt = MediaType::parse(&content_type);
    let parser = parses
        .iter()
        .find(|p| PARSES.contains(p) && MediaType::parse(p).matches(&mt));
    match parser.copied() {
        Some(JSON) => parse_json(body, body_codec(&mt, body)?),
        Some(FORM) => Ok(ParsedBody::form(
            parse_form(body, body_codec(&mt, body)?, limits)?,
            Vec::new(),
        )),
        Some(MULTIPART) => {
            let codec = body_codec(&mt, body)?;
            let parts =
                multipart::parse(&content_type, body, codec, limits).map_err(|r| match r {
                    multipart::Refusal::Malformed(m) => {
                        ApiError::ParseError(format!("Multipart form parse error - {m}"))
                    }
                    multipart::Refusal::TooManyFields => {
                        ApiError::BadRequest(TOO_MANY_FIELDS.into())
                    }
                    multipart::Refusal::TooManyFiles => ApiError::BadRequest(TOO_MANY_FILES.into()),
                })?;
            Ok(ParsedBody::form(parts.fields, parts.files))
        }
        _ => Err(ApiError::UnsupportedMediaType(content_type)),
    }
}

/// Django's `request.encoding` (the `charset` parameter, when Python has such a codec) as
/// DRF's `get_encoding` takes it: a codec that is no text encoding is refused, and so is one
/// not decoded here, unless `body` is ASCII and the codec reads ASCII as ASCII (see
/// [`codecs`]).
fn body_codec(mt: &MediaType<'_>, body: &[u8]) -> Result<Codec, ApiError> {
    let Some(name) = mt.param("charset") else {
        return Ok(Codec::Utf8);
    };
    match codecs::charset(name) {
        None => Ok(Codec::Utf8),
        Some(Charset::Known(codec)) => Ok(codec),
        Some(Charset::AsciiOnly) if body.is_ascii() => Ok(Codec::Ascii),
        Some(Charset::AsciiOnly | Charset::Unsupported) => Err(ApiError::ParseError(format!(
            "Unsupported charset \"{name}\" in request Content-Type header."
        ))),
    }
}

/// DRF's JSON parser: the body through `codecs.getreader(codec)`, then `json.load`.
fn parse_json(body: &Bytes, codec: Codec) -> Result<ParsedBody, ApiError> {
    let text = codecs::decode_stream(codec, body)
        .map_err(|m| ApiError::ParseError(format!("JSON parse error - {m}")))?;
    match json_decode::parse(&text) {
        Ok(doc) => Ok(ParsedBody {
            data: doc.value,
            exotic: doc.exotic,
            ..ParsedBody::default()
        }),
        Err(msg) => Err(ApiError::ParseError(format!("JSON parse error - {msg}"))),
    }
}

/// DRF's form parser, `QueryDict(body, encoding=codec)`: the body decoded with the codec (as
/// latin-1 when that fails), then `urllib.parse.parse_qsl(keep_blank_values=True)`: `&`
/// separates fields, empty ones are skipped, a field without `=` has an empty value, `+` is a
/// space, and each run of ASCII characters is percent-decoded to bytes and decoded with the
/// codec, an undecodable sequence becoming U+FFFD (`errors="replace"`). More than
/// `limits.fields` fields (one more than the `&`s, empty ones included) is Django's
/// `TooManyFieldsSent`.
fn parse_form(
    body: &[u8],
    codec: Codec,
    limits: UploadLimits,
) -> Result<Vec<(String, String)>, ApiError> {
    let text = codecs::decode_strict(codec, body)
        .unwrap_or_else(|| codecs::decode_stream(Codec::Latin1, body).unwrap_or_default());
    if let Some(max) = limits.fields {
        let fields = if text.is_empty() {
            0
        } else {
            1 + text.matches('&').count()
        };
        if fields > max {
            return Err(ApiError::BadRequest(TOO_MANY_FIELDS.into()));
        }
    }
    Ok(text
        .split('&')
        .filter(|field| !field.is_empty())
        .map(|field| {
            let (name, value) = field.split_once('=').unwrap_or((field, ""));
            (unquote(name, codec), unquote(value, codec))
        })
        .collect())
}

/// `urllib.parse.unquote(s.replace("+", " "), encoding=codec, errors="replace")`.
fn unquote(s: &str, codec: Codec) -> String {
    let s = s.replace('+', " ");
    if !s.contains('%') {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let ascii = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(ascii);
        if !run.is_empty() {
            let bytes: Vec<u8> = percent_encoding::percent_decode_str(run).collect();
            out.push_str(&codecs::decode_replace(codec, &bytes));
        }
        let other = tail.find(|c: char| c.is_ascii()).unwrap_or(tail.len());
        out.push_str(&tail[..other]);
        rest = &tail[other..];
    }
    out
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

    fn parse_body_default(h: &HeaderMap, body: &Bytes) -> Result<ParsedBody, ApiError> {
        parse_body(h, body, &PARSES, UploadLimits::DJANGO)
    }

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn empty_body_is_empty_object_and_untyped_body_is_text_plain() {
        let p = parse_body_default(&headers("text/plain"), &Bytes::new()).unwrap();
        assert_eq!(p.data, serde_json::json!({}));
        let p = parse_body_default(&HeaderMap::new(), &Bytes::new()).unwrap();
        assert_eq!(p.data, serde_json::json!({}));
        for body in [&b"{}"[..], b"[]", b"\"str\"", b"{\"a\": 1} x", b"\xff\xfe"] {
            let e =
                parse_body_default(&HeaderMap::new(), &Bytes::copy_from_slice(body)).unwrap_err();
            assert_eq!(
                e.detail(),
                "Unsupported media type \"text/plain\" in request."
            );
        }
    }

    #[test]
    fn unsupported_media_type_names_the_header() {
        let e = parse_body_default(
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
        let p = parse_body_default(
            &headers("application/x-www-form-urlencoded"),
            &Bytes::from_static(b"username=a+b&password=%C3%A9&username=c"),
        )
        .unwrap();
        assert_eq!(
            p.data,
            serde_json::json!({"username": "c", "password": "é"})
        );
        let p = parse_body_default(
            &headers("application/json; charset=utf-8"),
            &Bytes::from_static(br#"{"a": [1, 2.5, null]}"#),
        )
        .unwrap();
        assert_eq!(p.data, serde_json::json!({"a": [1, 2.5, null]}));
    }

    #[test]
    fn bad_utf8_json_is_a_parse_error() {
        let e = parse_body_default(&headers("application/json"), &Bytes::from_static(b"\xff"))
            .unwrap_err();
        assert_eq!(
            e.detail(),
            "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
        );
    }

    #[test]
    fn utf8_errors_are_pythons() {
        assert_eq!(
            codecs::decode_stream(Codec::Utf8, b"{\"a\": 1}\xe2\x82").unwrap(),
            "{\"a\": 1}"
        );
        assert_eq!(
            codecs::decode_stream(Codec::Utf8, b"\xf0\x90(").unwrap_err(),
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        assert_eq!(
            codecs::decode_stream(Codec::Utf8, b"ab\xe9\"").unwrap_err(),
            "'utf-8' codec can't decode byte 0xe9 in position 2: invalid continuation byte"
        );
    }

    #[test]
    fn multipart_fields_and_files() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n";
        let p = parse_body_default(
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
        let e =
            parse_body_default(&headers("multipart/form-data"), &Bytes::from(body)).unwrap_err();
        assert_eq!(
            e.detail(),
            "Multipart form parse error - Invalid boundary in multipart: None"
        );
        // Not multipart at all, or truncated in the headers: nothing read, as Django.
        for body in [&b"--XX\r\nContent-Disp"[..], b"not multipart"] {
            let p = parse_body_default(
                &headers("multipart/form-data; boundary=XX"),
                &Bytes::from_static(body),
            )
            .unwrap();
            assert_eq!(p.data, serde_json::json!({}));
        }
    }

    #[test]
    fn form_keeps_every_field_and_data_the_last() {
        let p = parse_body_default(
            &headers("application/x-www-form-urlencoded"),
            &Bytes::from_static(b"t=a&t=b&u=1"),
        )
        .unwrap();
        assert_eq!(p.data, serde_json::json!({"t": "b", "u": "1"}));
        assert_eq!(p.form.unwrap()["t"], serde_json::json!(["a", "b"]));
    }

    /// DRF 3.18 answers, through `obtain_auth_token` (Form, MultiPart, JSON) and an
    /// `@api_view` (JSON, Form, MultiPart).
    #[test]
    fn the_first_matching_parser_of_the_view_parses() {
        const TOKEN_VIEW: [&str; 3] = [FORM, MULTIPART, JSON];
        let json_body = Bytes::from_static(br#"{"username": "alice"}"#);
        for wildcard in ["*/*", "application/*"] {
            let p = parse_body(
                &headers(wildcard),
                &json_body,
                &TOKEN_VIEW,
                UploadLimits::DJANGO,
            )
            .unwrap();
            assert_eq!(
                p.data,
                json!({r#"{"username": "alice"}"#: ""}),
                "{wildcard}"
            );
            let p = parse_body(
                &headers(wildcard),
                &json_body,
                &PARSES,
                UploadLimits::DJANGO,
            )
            .unwrap();
            assert_eq!(p.data, json!({"username": "alice"}), "{wildcard}");
        }
        let e = parse_body(
            &headers("multipart/*"),
            &json_body,
            &PARSES,
            UploadLimits::DJANGO,
        )
        .unwrap_err();
        assert_eq!(
            e.detail(),
            "Multipart form parse error - Invalid boundary in multipart: None"
        );
    }

    #[test]
    fn media_types_are_read_as_django_and_drf_read_them() {
        let body = Bytes::from_static(br#"{"a": 1}"#);
        let parsed = |ct: &str| parse_body_default(&headers(ct), &body);
        for ct in [
            "Application/JSON",
            " application/json ",
            "application/json ; charset=utf-8",
            "application/json;charset=\"utf-8\"",
            "application/json; q=0.5",
            "application/json;",
        ] {
            assert_eq!(parsed(ct).unwrap().data, json!({"a": 1}), "{ct:?}");
        }
        for ct in [
            "application /json",
            "application/ json",
            "application/json, text/plain",
            "text/json",
            "application/vnd.api+json",
        ] {
            assert_eq!(
                parsed(ct).unwrap_err().detail(),
                format!("Unsupported media type \"{ct}\" in request."),
                "{ct:?}"
            );
        }
        let long = format!("application/json; x={}", "y".repeat(237));
        assert_eq!(long.len(), 257);
        assert!(matches!(
            parsed(&long),
            Err(ApiError::UnsupportedMediaType(_))
        ));
        assert!(parsed(&long[..256]).is_ok());
        let quoted = MediaType::parse("multipart/form-data; boundary=\"a;b\"; charset=utf-8");
        assert_eq!(quoted.param("boundary"), Some("a;b"));
        assert_eq!(quoted.param("charset"), Some("utf-8"));
        let escaped = MediaType::parse(r#"a/b; x="1\";2"; y="3;\"4"; z=5"#);
        assert_eq!(escaped.param("x"), Some(r#"1\";2"#));
        assert_eq!(escaped.param("y"), Some(r#"3;\"4"#));
        assert_eq!(escaped.param("z"), Some("5"));
    }

    /// DRF 3.18's answers (`request.data`), recorded through its `obtain_auth_token`.
    #[test]
    fn forms_are_read_as_querydict_reads_them() {
        let form = |ct: &str, body: &'static [u8]| {
            parse_body_default(&headers(ct), &Bytes::from_static(body)).map(|p| p.data)
        };
        const FORM_CT: &str = "application/x-www-form-urlencoded";
        assert_eq!(
            form(FORM_CT, b"a=%C3%A9&b=%E9&c=%zz&d=%&e=a+b&f&&=g").unwrap(),
            json!({"a": "\u{e9}", "b": "\u{fffd}", "c": "%zz", "d": "%", "e": "a b", "f": "", "": "g"})
        );
        // Not UTF-8 as a whole: read as latin-1, the escapes still as UTF-8.
        assert_eq!(
            form(FORM_CT, b"a=\xc3\xa9&b=\xff&c=%C3%A9").unwrap(),
            json!({"a": "\u{c3}\u{a9}", "b": "\u{ff}", "c": "\u{e9}"})
        );
        assert_eq!(
            form(
                "application/x-www-form-urlencoded; charset=latin-1",
                b"a=%FCn%EF&b=\xfc"
            )
            .unwrap(),
            json!({"a": "\u{fc}n\u{ef}", "b": "\u{fc}"})
        );
        // Python knows koi8-r: ASCII reads as ASCII; anything else is refused.
        assert_eq!(
            form("application/x-www-form-urlencoded; charset=koi8-r", b"a=b").unwrap(),
            json!({"a": "b"})
        );
        assert_eq!(
            form(
                "application/x-www-form-urlencoded; charset=koi8-r",
                b"a=\xc1"
            )
            .unwrap_err()
            .detail(),
            "Unsupported charset \"koi8-r\" in request Content-Type header."
        );
        // A name Python does not know is UTF-8, as Django keeps it.
        assert_eq!(
            form(
                "application/x-www-form-urlencoded; charset=bogus",
                b"a=%C3%A9"
            )
            .unwrap(),
            json!({"a": "\u{e9}"})
        );
    }

    #[test]
    fn json_is_decoded_with_the_request_charset() {
        let json_in = |charset: &str, body: &[u8]| {
            parse_body_default(
                &headers(&format!("application/json; charset={charset}")),
                &Bytes::copy_from_slice(body),
            )
        };
        assert_eq!(
            json_in("utf-16", b"{}").unwrap_err().detail(),
            "JSON parse error - UTF-16 stream does not start with BOM"
        );
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(
                "{\"a\": \"\u{e9}\"}"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(
            json_in("UTF-16", &utf16).unwrap().data,
            json!({"a": "\u{e9}"})
        );
        assert_eq!(
            json_in("latin-1", b"{\"a\": \"\xe9\"}").unwrap().data,
            json!({"a": "\u{e9}"})
        );
        assert_eq!(
            json_in("bz2", b"{}").unwrap_err().detail(),
            "Unsupported charset \"bz2\" in request Content-Type header."
        );
        assert_eq!(
            json_in("\"ascii\"", b"{\"a\": \"\xe9\"}")
                .unwrap_err()
                .detail(),
            "JSON parse error - 'ascii' codec can't decode byte 0xe9 in position 7: ordinal not in range(128)"
        );
        assert_eq!(json_in("bogus", b"{}").unwrap().data, json!({}));
    }

    /// DRF 3.18 on Django 5.2: 1000 fields pass, 1001 (or 1000 `&`s) are Django's 400 page.
    #[test]
    fn forms_stop_at_data_upload_max_number_fields() {
        let form = |body: Vec<u8>| parse_body_default(&headers(FORM), &Bytes::from(body));
        let fields = |n: usize| {
            (0..n)
                .map(|i| format!("f{i}=1"))
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        };
        assert_eq!(
            form(fields(1000)).unwrap().data.as_object().unwrap().len(),
            1000
        );
        assert_eq!(
            form(fields(1001)).unwrap_err(),
            ApiError::BadRequest(TOO_MANY_FIELDS.into())
        );
        assert!(form(vec![b'&'; 999]).is_ok());
        assert!(matches!(
            form(vec![b'&'; 1000]),
            Err(ApiError::BadRequest(_))
        ));
        let unlimited = UploadLimits {
            fields: None,
            files: None,
        };
        assert!(
            parse_body(
                &headers(FORM),
                &Bytes::from(fields(5000)),
                &PARSES,
                unlimited
            )
            .is_ok()
        );
    }
}
