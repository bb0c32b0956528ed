//! Entry points for the fuzz targets in fuzz/. Not public API.
//!
//! Thin wrappers that reach the crate-private parsers which see untrusted bytes; each keeps
//! the code path of the real request pipeline (no parser is copied here).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::hashers::{Algorithm, HasherConfig};
use crate::pycompat::codecs::{self, Charset};

/// A parsed request body, as DRF's `request.data`, `request.FILES` and `QueryDict` hold it.
#[derive(Debug)]
pub struct Body {
    /// `request.data`.
    pub data: Value,
    /// For each file: field name, file name, content type, size.
    pub files: Vec<(String, Option<String>, Option<String>, usize)>,
    /// For a form or multipart body: every value of each field.
    pub form: Option<Map<String, Value>>,
    /// How many JSON values stood in for Python-only ones (NaN, huge integers…).
    pub exotic: usize,
}

/// `request.data` for a body with this `Content-Type` (none when absent or not a valid
/// header value), tried against `parses` in order, with Django's upload limits.
pub fn parse_body(
    content_type: Option<&[u8]>,
    body: &[u8],
    parses: &[&str],
) -> Result<Body, ApiError> {
    let mut headers = HeaderMap::new();
    if let Some(v) = content_type.and_then(|ct| HeaderValue::from_bytes(ct).ok()) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let parsed = crate::parsers::parse_body(
        &headers,
        &Bytes::copy_from_slice(body),
        parses,
        crate::parsers::UploadLimits::DJANGO,
    )?;
    Ok(Body {
        data: parsed.data,
        files: parsed
            .files
            .into_iter()
            .map(|f| (f.field, f.file_name, f.content_type, f.content.len()))
            .collect(),
        form: parsed.form,
        exotic: parsed.exotic.len(),
    })
}

/// Content negotiation between DRF's default renderers (`JSONRenderer`, then
/// `BrowsableAPIRenderer`): the index picked and the indent asked for.
pub fn negotiate(
    headers: &HeaderMap,
    query: Option<&str>,
) -> Result<(usize, Option<usize>), ApiError> {
    use crate::renderers::{BrowsableAPIRenderer, JSONRenderer, RendererList};
    type Defaults = (JSONRenderer, BrowsableAPIRenderer);
    crate::renderers::negotiation::select(headers, query, Defaults::INFO)
        .map(|c| (c.index, c.indent))
}

/// Python's `json.loads` as the JSON parser runs it: the value and how many Python-only values
/// it holds, or CPython's error message.
pub fn json_loads(text: &str) -> Result<(Value, usize), String> {
    crate::pycompat::json_decode::parse(text).map(|doc| (doc.value, doc.exotic.len()))
}

/// The three ways a body is decoded with the codec a `charset` parameter names: the stream
/// reader (JSON), strict (forms) and with replacement (form escapes, multipart fields). `None`
/// when the name is no codec decoded here.
pub fn decode_charset(
    name: &str,
    bytes: &[u8],
) -> Option<(Result<String, String>, Option<String>, String)> {
    let Some(Charset::Known(codec)) = codecs::charset(name) else {
        return None;
    };
    Some((
        codecs::decode_stream(codec, bytes).map(|s| s.into_owned()),
        codecs::decode_strict(codec, bytes).map(|s| s.into_owned()),
        codecs::decode_replace(codec, bytes),
    ))
}

/// Python's `urllib.parse.urlsplit` (CSRF's `Origin` and `Referer` checks): the scheme,
/// netloc, path, query, fragment and `geturl()`.
pub fn urlsplit(url: &str) -> Option<[String; 6]> {
    let u = crate::pycompat::urllib::urlsplit(url).ok()?;
    let again = u.geturl();
    Some([u.scheme, u.netloc, u.path, u.query, u.fragment, again])
}

/// The routes of the path fuzz target, one per Django converter and their mixes.
pub const ROUTES: [&str; 9] = [
    "/",
    "/notes/",
    "/notes/<int:pk>/",
    "/notes/<int:pk>/files/<path:rest>",
    "/users/<str:name>/",
    "/tags/<slug:tag>/",
    "/items/<uuid:id>/",
    "/a/<int:x>/<slug:y>/",
    "/u/<name>/edit",
];

/// What the router makes of a request path.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The route's pattern and its parameters.
    Route(&'static str, Vec<(String, String)>),
    /// Django's `APPEND_SLASH` redirect, with its `Location`.
    Redirect(String),
    /// Django's 404 page.
    NotFound,
}

/// A router of [`ROUTES`], built once.
fn router() -> &'static crate::Router {
    static ROUTER: std::sync::OnceLock<crate::Router> = std::sync::OnceLock::new();
    ROUTER.get_or_init(|| {
        ROUTES
            .iter()
            .fold(crate::Router::new(), |r, path| r.route(path, Probe))
    })
}

/// Resolves `uri` (a request target: a path with an optional query) against [`ROUTES`] as a
/// request's path is resolved. `None` when `uri` is no valid request target.
pub fn resolve(uri: &[u8]) -> Option<Resolved> {
    let uri = http::Uri::try_from(uri).ok()?;
    let (parts, ()) = http::Request::builder()
        .uri(uri)
        .body(())
        .ok()?
        .into_parts();
    let r = router();
    Some(match r.resolve(&parts) {
        Ok((id, params)) => {
            let pattern = ROUTES
                .iter()
                .find(|p| **p == r.pattern(id))
                .copied()
                .unwrap_or("");
            Resolved::Route(pattern, params)
        }
        Err(resp) if resp.status() == http::StatusCode::MOVED_PERMANENTLY => Resolved::Redirect(
            resp.headers()
                .get(header::LOCATION)
                .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
                .unwrap_or_default(),
        ),
        Err(_) => Resolved::NotFound,
    })
}

/// The path parameters deserialized as `Path<T>` deserializes them (`Err` is its 404).
pub fn path_params<T: DeserializeOwned>(params: &[(String, String)]) -> Result<T, ApiError> {
    crate::extract::path_params(params)
}

/// The hasher settings of the hash fuzz target: every algorithm enabled, PBKDF2 preferred at
/// one iteration, so that the extra work of a failed check is cheap.
pub fn cheap_hasher_config() -> HasherConfig {
    HasherConfig::with_iterations(1).with_hashers(Algorithm::ALL)
}

/// Each hasher's reading of `encoded` (Django's `must_update`, which decodes the stored
/// parameters without hashing): `Some(must_update)` where it parses.
pub fn inspect_hash(encoded: &str) -> Vec<(Algorithm, Option<bool>)> {
    let cfg = HasherConfig::default();
    Algorithm::ALL
        .into_iter()
        .map(|a| (a, a.hasher().must_update(encoded, &cfg).ok()))
        .collect()
}

/// The view every route of the path target leads to.
#[derive(Debug)]
struct Probe;

impl crate::View for Probe {
    const NAME: &'static str = "Probe";
    const METHODS: &'static [http::Method] = &[http::Method::GET];
    type Authentication = crate::view::FromSettings;
    type Permission = crate::view::FromSettings;
    type Throttle = crate::view::FromSettings;
    type Renderer = crate::view::FromSettings;

    async fn handle(_: crate::Request) -> Result<crate::Response, ApiError> {
        Ok(crate::Response::new(Bytes::new()))
    }
}
