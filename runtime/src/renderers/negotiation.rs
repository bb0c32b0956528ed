//! DRF's `DefaultContentNegotiation.select_renderer`: which of a view's renderers answers.
//!
//! `?format=` (the query's last `format`, as `QueryDict.get`) keeps the renderers of that
//! format, none being a 404 (DRF's `filter_renderers`). Then the `Accept` header (absent:
//! `*/*`) is split at commas and grouped by precedence, most specific first (`q` is ignored,
//! as DRF ignores it); within a group the view's order decides: the first renderer matching
//! any media type of the group answers. None matching is 406.

use http::{HeaderMap, header};

use super::RendererInfo;
use crate::error::ApiError;
use crate::parsers::MediaType;
use crate::request::query_get;

/// The renderer negotiation picked: its index in the view's list, and the `indent` the
/// accepted media type asks for (`application/json; indent=4`, clamped to 0..=8 as DRF
/// does; `None` for 0 or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Chosen {
    pub(crate) index: usize,
    pub(crate) indent: Option<usize>,
}

/// Picks the renderer of `renderers` that answers a request with these headers and query.
/// On error the answer is rendered by the first renderer (DRF's `force=True`).
pub(crate) fn select(
    headers: &HeaderMap,
    query: Option<&str>,
    renderers: &[RendererInfo],
) -> Result<Chosen, ApiError> {
    let accept = headers.get(header::ACCEPT);
    // The common case, answered without parsing: no `Accept` (`*/*`) and no query take the
    // first renderer, unless its media type has parameters `*/*` cannot match.
    if accept.is_none()
        && query.is_none()
        && renderers
            .first()
            .is_some_and(|r| !r.media_type.contains(';'))
    {
        return Ok(Chosen::default());
    }
    let format = query
        .and_then(|q| query_get(q, "format"))
        .filter(|f| !f.is_empty());
    let kept = |r: &RendererInfo| format.as_deref().is_none_or(|f| r.format == f);
    if !renderers.iter().any(kept) {
        return Err(ApiError::NotFound);
    }
    let accept = accept.map(|v| String::from_utf8_lossy(v.as_bytes()));
    let accept = accept.as_deref().unwrap_or("*/*");
    let accepted: Vec<MediaType<'_>> = accept
        .split(',')
        .map(|t| MediaType::parse(t.trim()))
        .collect();
    for precedence in (0..=3).rev() {
        let group = || accepted.iter().filter(|m| m.precedence() == precedence);
        for (index, renderer) in renderers.iter().enumerate().filter(|(_, r)| kept(r)) {
            let mine = MediaType::parse(renderer.media_type);
            let Some(m) = group().find(|m| mine.matches(m)) else {
                continue;
            };
            // DRF keeps the more specific of the two: the accepted type's parameters count
            // only when it is more specific than the renderer's own.
            let indent = (m.precedence() > mine.precedence())
                .then(|| m.param("indent"))
                .flatten()
                .and_then(|i| i.trim().parse::<i64>().ok())
                .map(|i| i.clamp(0, 8) as usize)
                .filter(|&i| i > 0);
            return Ok(Chosen { index, indent });
        }
    }
    Err(ApiError::NotAcceptable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const JSON: RendererInfo = RendererInfo {
        media_type: "application/json",
        format: "json",
        keeps_json: true,
    };
    const API: RendererInfo = RendererInfo {
        media_type: "text/html",
        format: "api",
        keeps_json: false,
    };

    fn pick(
        accept: Option<&str>,
        query: Option<&str>,
        list: &[RendererInfo],
    ) -> Result<Chosen, ApiError> {
        let mut h = HeaderMap::new();
        if let Some(a) = accept {
            h.insert(header::ACCEPT, HeaderValue::from_str(a).unwrap());
        }
        select(&h, query, list)
    }

    const BROWSER: &str =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    #[test]
    fn a_browser_gets_html_when_it_is_listed() {
        assert_eq!(pick(Some(BROWSER), None, &[JSON, API]).unwrap().index, 1);
        assert_eq!(pick(Some(BROWSER), None, &[API, JSON]).unwrap().index, 0);
        // JSON alone: the browser's `*/*` still takes it.
        assert_eq!(pick(Some(BROWSER), None, &[JSON]).unwrap().index, 0);
        assert_eq!(pick(None, None, &[JSON, API]).unwrap().index, 0);
        assert_eq!(pick(Some("*/*"), None, &[API, JSON]).unwrap().index, 0);
        assert_eq!(pick(Some("text/*"), None, &[JSON, API]).unwrap().index, 1);
    }

    #[test]
    fn format_overrides_accept() {
        assert_eq!(
            pick(Some(BROWSER), Some("format=json"), &[JSON, API])
                .unwrap()
                .index,
            0
        );
        assert_eq!(
            pick(None, Some("format=api"), &[JSON, API]).unwrap().index,
            1
        );
        assert_eq!(
            pick(None, Some("format=json&format=api"), &[JSON, API])
                .unwrap()
                .index,
            1
        );
        assert_eq!(pick(None, Some("format="), &[JSON, API]).unwrap().index, 0);
        assert!(matches!(
            pick(None, Some("format=xml"), &[JSON, API]),
            Err(ApiError::NotFound)
        ));
        assert!(matches!(
            pick(None, Some("format=api"), &[JSON]),
            Err(ApiError::NotFound)
        ));
        // A format whose media type the client refuses.
        assert!(matches!(
            pick(Some("application/json"), Some("format=api"), &[JSON, API]),
            Err(ApiError::NotAcceptable)
        ));
    }

    #[test]
    fn nothing_acceptable_is_406_and_indent_is_read() {
        assert!(matches!(
            pick(Some("application/xml"), None, &[JSON, API]),
            Err(ApiError::NotAcceptable)
        ));
        assert!(matches!(
            pick(Some(""), None, &[JSON]),
            Err(ApiError::NotAcceptable)
        ));
        let c = pick(Some("application/json; indent=4"), None, &[JSON, API]).unwrap();
        assert_eq!(
            c,
            Chosen {
                index: 0,
                indent: Some(4)
            }
        );
        let c = pick(Some("application/json; indent=40"), None, &[JSON]).unwrap();
        assert_eq!(c.indent, Some(8));
        let c = pick(Some("application/json; indent=0"), None, &[JSON]).unwrap();
        assert_eq!(c.indent, None);
    }
    #[test]
    fn accept_matching_follows_drf() {
        let ok = |a: &str| pick(Some(a), None, &[JSON]).is_ok();
        let indent = |a: &str| pick(Some(a), None, &[JSON]).unwrap().indent;
        assert_eq!(indent("application/json; indent=x"), None);
        assert_eq!(indent("*/*, application/json; indent=2"), Some(2));
        assert!(ok("application/json"));
        assert!(ok("*/*"));
        assert!(ok("application/*"));
        assert!(ok("text/html, application/json;q=0.5"));
        assert!(ok("APPLICATION/JSON"));
        assert!(!ok("application/xml"));
        assert!(!ok("text/html"));
        assert!(!ok("garbage"));
        assert!(pick(None, Some("format=json"), &[JSON]).is_ok());
    }

    /// An `Accept` value (not bounded as a `Content-Type` is) with an open quote and then
    /// many semicolons: each `;` recounted the quotes from the start, so 100 KB took seconds
    /// and a header at hyper's limit minutes. Found while reviewing the `accept` fuzz target,
    /// whose inputs are at most 4 KB.
    #[test]
    fn a_quoted_run_of_semicolons_is_read_in_linear_time() {
        let accept = format!("application/json; indent=\"{}", ";".repeat(400_000));
        let started = std::time::Instant::now();
        assert_eq!(
            pick(Some(&accept), None, &[JSON, API]),
            Ok(Chosen::default())
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
