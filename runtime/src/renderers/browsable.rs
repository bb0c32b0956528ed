//! DRF's browsable API: the HTML page [`BrowsableAPIRenderer`] makes of any answer.
//!
//! The page shows the request (method and path), the answer (status, headers, the JSON body
//! indented by 4), the view's name and doc comment, breadcrumbs to the views above it, and,
//! where the caller's permissions admit the method, a form for each unsafe method the view
//! answers: an HTML form generated from the handler's typed body (its JSON Schema, the one the
//! OpenAPI document gives) and a raw editor for any body the view parses. Forms carry the CSRF
//! token, so a browser logged in by session can send them.
//!
//! Safe by construction: the templates are compiled into the binary and rendered by
//! minijinja with HTML escaping on for every value; the page has no inline script or style
//! and sends a strict `Content-Security-Policy` ([`CONTENT_SECURITY_POLICY`]); its stylesheet
//! and script are served from the binary too ([`asset`], at `/static/drf/`).

use std::sync::OnceLock;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use minijinja::{Environment, Value as Ctx, context};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Renderer, Rendering};
use crate::request::Request;
use crate::response::{APPLICATION_JSON, Response};

/// DRF's `BrowsableAPIRenderer`: `text/html`, format `api`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowsableAPIRenderer;

impl Renderer for BrowsableAPIRenderer {
    const MEDIA_TYPE: &'static str = "text/html";
    const FORMAT: &'static str = "api";

    async fn render(cx: &Rendering<'_>, answer: Response) -> Response {
        if !wraps(&answer) {
            return answer;
        }
        let page = api_page(cx, &answer).await;
        html_response(answer.status(), page, answer.headers())
    }
}

/// The policy every page of the browsable API is sent with: nothing but this origin's own
/// script, style and forms, no framing, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Where the page's stylesheet and script are served, under the router's prefix.
pub const STATIC_PREFIX: &str = "/static/drf/";

const ASSETS: [(&str, &str, &str); 2] = [
    (
        "browsable.css",
        "text/css; charset=utf-8",
        include_str!("static/browsable.css"),
    ),
    (
        "browsable.js",
        "text/javascript; charset=utf-8",
        include_str!("static/browsable.js"),
    ),
];

/// The static file at `path` (`/static/drf/browsable.css`), if it is one: what the router
/// answers for a GET or HEAD of a path no route takes, when a view renders the browsable API.
pub(crate) fn asset(method: &Method, path: &str) -> Option<Response> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let name = path.strip_prefix(STATIC_PREFIX)?;
    let (_, content_type, body) = ASSETS.iter().find(|(n, _, _)| *n == name)?;
    let mut r = http::Response::new(Bytes::from_static(body.as_bytes()));
    set_static(
        r.headers_mut(),
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
    );
    Some(r)
}

fn set_static<const N: usize>(h: &mut HeaderMap, headers: [(header::HeaderName, &'static str); N]) {
    for (name, value) in headers {
        h.insert(name, HeaderValue::from_static(value));
    }
}

/// The page wraps a JSON answer, or an empty one that is no redirect (`204`); an answer the
/// handler built with a body of its own type (an HTML page, a file) goes out as it is.
fn wraps(answer: &Response) -> bool {
    match answer.headers().get(header::CONTENT_TYPE) {
        Some(ct) => ct == APPLICATION_JSON,
        None => answer.body().is_empty() && !answer.status().is_redirection(),
    }
}

/// An HTML answer with the page's security headers; `keep` gives the headers of the answer it
/// replaces (all but its `Content-Type` and `Content-Length` are kept).
pub(crate) fn html_response(status: StatusCode, page: String, keep: &HeaderMap) -> Response {
    let mut r = http::Response::new(Bytes::from(page));
    *r.status_mut() = status;
    let h = r.headers_mut();
    for (name, value) in keep {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            h.append(name, value.clone());
        }
    }
    set_static(
        h,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "same-origin"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
    );
    r
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(django_escape);
        for (name, source) in [
            ("base.html", include_str!("templates/base.html")),
            ("api.html", include_str!("templates/api.html")),
            ("login.html", include_str!("templates/login.html")),
        ] {
            // The templates are this crate's own: a syntax error is caught by its tests.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "a browsable API template does not parse");
            }
        }
        env
    })
}

/// Writes a value into a page as Django's templates do: in HTML, `<`, `>`, `&`, `"` and `'`
/// escaped (Django's `escape`), whatever the value's type; a value marked safe as it is.
fn django_escape(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &Ctx,
) -> Result<(), minijinja::Error> {
    if state.auto_escape() != minijinja::AutoEscape::Html || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = match value.as_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None if value.is_none() || value.is_undefined() => std::borrow::Cow::Borrowed(""),
        None => std::borrow::Cow::Owned(value.to_string()),
    };
    out.write_str(&escape(&text))
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
}

/// Django's `django.utils.html.escape`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders template `name` (HTML-escaped values); a failure is logged and answers a plain
/// page saying so.
pub(crate) fn render_template(name: &str, ctx: Ctx) -> String {
    match templates().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(template = name, error = %e, "the browsable API page did not render");
            "<!doctype html><title>Server Error</title><h1>Server Error (500)</h1>".to_owned()
        }
    }
}

/// What every page's navigation bar shows: who is logged in, the login and logout links
/// when the router includes them ([`Router::include_api_auth`](crate::Router::include_api_auth)),
/// the CSRF token for the forms, and where the static files are.
#[derive(Debug, Serialize)]
pub(crate) struct Chrome {
    pub(crate) user: Option<String>,
    pub(crate) login_url: Option<String>,
    pub(crate) logout_url: Option<String>,
    pub(crate) csrf_token: String,
    pub(crate) static_url: String,
}

impl Chrome {
    /// The navigation of a page for `req`, whose user is `user` (`None`: anonymous).
    pub(crate) fn new(req: &Request, user: Option<&str>) -> Self {
        let prefix = req.script_name();
        let next = query_escape(&full_path(req));
        let auth = req.state::<ApiAuthUrls>();
        Self {
            user: user.map(str::to_owned),
            login_url: auth.map(|a| format!("{prefix}{}?next={next}", a.login)),
            logout_url: auth.map(|a| format!("{prefix}{}?next={next}", a.logout)),
            csrf_token: crate::sessions::get_token(req),
            static_url: format!("{prefix}{STATIC_PREFIX}"),
        }
    }
}

/// The paths of the login and logout views, given to the router's state by
/// [`Router::include_api_auth`](crate::Router::include_api_auth).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApiAuthUrls {
    pub(crate) login: &'static str,
    pub(crate) logout: &'static str,
}

/// The views' names by path, given to the router's state as routes are added: what the
/// breadcrumbs name ([`breadcrumbs`]). Each view keeps its parameters' converter checks.
/// A path parameter's name and its converter's check.
pub(crate) type ParamCheck = (String, fn(&str) -> bool);

#[derive(Debug, Clone, Default)]
pub(crate) struct ViewNames {
    pub(crate) tree: matchit::Router<usize>,
    pub(crate) views: Vec<(&'static str, Vec<ParamCheck>)>,
}

impl ViewNames {
    /// The route id and view name of the view routed at `path`, if any.
    fn at(&self, path: &str) -> Option<(usize, &'static str)> {
        let found = self.tree.at(path).ok()?;
        let (name, checks) = &self.views[*found.value];
        let fits = checks
            .iter()
            .all(|(n, fits)| fits(found.params.get(n).unwrap_or("")));
        fits.then_some((*found.value, *name))
    }
}

/// DRF's `get_breadcrumbs`: the views at the path and at each shorter prefix (cut at a `/`),
/// outermost first, each `(name, link)`; a view is not listed twice in a row. Links keep the
/// request's `format`, as DRF's `preserve_builtin_query_params`.
pub(crate) fn breadcrumbs(req: &Request) -> Vec<(&'static str, String)> {
    let Some(names) = req.state::<ViewNames>() else {
        return Vec::new();
    };
    let format = req.query_param("format");
    let suffix = format.map_or_else(String::new, |f| format!("?format={}", query_escape(&f)));
    let decoded = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    let mut url: &str = &decoded;
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut last = None;
    loop {
        if let Some((id, name)) = names.at(url) {
            if last != Some(id) {
                out.push((name, format!("{}{url}{suffix}", req.script_name())));
                last = Some(id);
            }
        }
        if url.is_empty() {
            break;
        }
        url = match url.strip_suffix('/') {
            Some(shorter) => shorter,
            None => &url[..url.rfind('/').map_or(0, |i| i + 1)],
        };
    }
    out.reverse();
    out
}

/// The path the client asked for, with its query: the prefix, the path, `?query`.
pub(crate) fn full_path(req: &Request) -> String {
    let mut out = format!("{}{}", req.script_name(), req.path());
    if let Some(q) = req.uri().query() {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// `s` percent-encoded for a query value.
pub(crate) fn query_escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A header name as Django writes it: `Content-Type`, `WWW-Authenticate`.
fn header_name(name: &str) -> String {
    if name == "www-authenticate" {
        return "WWW-Authenticate".to_owned();
    }
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The answer's JSON body as the page shows it: indented by 4, non-ASCII kept (DRF's
/// `ensure_ascii=False`); another body as text.
fn content(answer: &Response) -> String {
    let body = answer.body();
    if body.is_empty() {
        return String::new();
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => pretty(&v),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

#[derive(Debug, Serialize)]
struct Field {
    name: String,
    label: String,
    /// `text`, `textarea`, `number`, `checkbox`, `select`, `json`.
    kind: &'static str,
    required: bool,
    value: String,
    checked: bool,
    max_length: Option<u64>,
    step: &'static str,
    choices: Vec<String>,
    help: String,
    errors: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Form {
    method: &'static str,
    /// An HTML form the browser sends itself (POST); the others go through the script.
    native: bool,
    fields: Vec<Field>,
    /// The raw editor: the media types the view parses, and the content it starts with.
    media_types: Vec<&'static str>,
    raw: String,
    non_field_errors: Vec<String>,
}

/// The unsafe methods a form is offered for, in DRF's order.
const FORM_METHODS: [Method; 3] = [Method::POST, Method::PUT, Method::PATCH];

async fn api_page(cx: &Rendering<'_>, answer: &Response) -> String {
    let req = cx.request;
    let user = req.user();
    let chrome = Chrome::new(req, user.is_authenticated().then_some(&*user.username));
    let (doc, schemas) = cx.handler_doc();
    let components = schemas.into_components();
    let body_schema = doc
        .body
        .as_ref()
        .and_then(|b| b.schema.as_ref())
        .map(|s| resolve(s.as_value(), &components));

    let answer_json: Option<Value> = serde_json::from_slice(answer.body()).ok();
    let mut forms = Vec::new();
    for method in FORM_METHODS {
        if !cx.may_send(method.clone()).await {
            continue;
        }
        // After a request of this method was refused, the form shows what was sent and the
        // errors, as DRF's does; after any other answer it starts empty.
        let refused = *req.method() == method && answer.status().is_client_error();
        let sent = refused.then(|| req.data().ok().cloned()).flatten();
        let errors = (refused && answer.status() == StatusCode::BAD_REQUEST)
            .then_some(answer_json.as_ref())
            .flatten();
        forms.push(form(
            method,
            body_schema.as_ref(),
            sent.as_ref(),
            errors,
            req.parses(),
        ));
    }
    let delete = cx.may_send(Method::DELETE).await;

    let mut headers: Vec<(String, String)> = answer
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                header_name(k.as_str()),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort_by(|a, b| a.0.cmp(&b.0));

    let path = full_path(req);
    let formats: Vec<(String, String)> = cx
        .renderers
        .iter()
        .map(|r| {
            (
                r.format.to_owned(),
                format!(
                    "{}{}?format={}",
                    req.script_name(),
                    req.path(),
                    query_escape(r.format)
                ),
            )
        })
        .collect();
    let description: Vec<&str> = cx
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let status = answer.status();
    render_template(
        "api.html",
        context! {
            chrome => chrome,
            name => cx.name,
            description => description,
            breadcrumbs => breadcrumbs(req),
            method => req.method().as_str(),
            path => path,
            status => status.as_u16(),
            reason => status.canonical_reason().unwrap_or(""),
            headers => headers,
            content => content(answer),
            formats => formats,
            allowed => crate::view::allowed_methods(cx.methods),
            forms => forms,
            delete => delete,
        },
    )
}

/// `schema` with its `$ref`s to `components` replaced (one level of properties deep is all
/// the form reads).
fn resolve(schema: &Value, components: &Map<String, Value>) -> Value {
    let lookup = |v: &Value| -> Value {
        v.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .and_then(|name| components.get(name))
            .cloned()
            .unwrap_or_else(|| v.clone())
    };
    let mut top = lookup(schema);
    if let Some(props) = top.get_mut("properties").and_then(Value::as_object_mut) {
        for p in props.values_mut() {
            *p = lookup(p);
        }
    }
    top
}

/// The JSON types a property allows (`"string"`, `["string", "null"]`), `null` aside.
fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|t| *t != "null")
    .collect()
}

/// A field's value as an input holds it.
fn input_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn messages(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().map(input_value).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    }
}

fn form(
    method: Method,
    schema: Option<&Value>,
    sent: Option<&Value>,
    errors: Option<&Value>,
    parses: &'static [&'static str],
) -> Form {
    let method_str = match method {
        Method::POST => "POST",
        Method::PUT => "PUT",
        _ => "PATCH",
    };
    let required: Vec<&str> = schema
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields = Vec::new();
    let mut initial = Map::new();
    if let Some(props) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    {
        for (name, prop) in props {
            let kinds = types(prop);
            let choices: Vec<String> = prop
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().map(input_value).collect())
                .unwrap_or_default();
            let max_length = prop.get("maxLength").and_then(Value::as_u64);
            let kind = if !choices.is_empty() {
                "select"
            } else {
                match kinds.first().copied() {
                    Some("string") if max_length.is_some() => "text",
                    Some("string") => "textarea",
                    Some("integer") | Some("number") => "number",
                    Some("boolean") => "checkbox",
                    _ => "json",
                }
            };
            let sent_value = sent.and_then(|s| s.get(name));
            let default = prop.get("default");
            let value = sent_value.or(default).map(input_value).unwrap_or_default();
            initial.insert(
                name.clone(),
                match kind {
                    "number" => Value::Null,
                    "checkbox" => Value::Bool(false),
                    "json" => Value::Null,
                    _ => Value::String(String::new()),
                },
            );
            fields.push(Field {
                label: prop
                    .get("title")
                    .and_then(Value::as_str)
                    .map_or_else(|| label(name), str::to_owned),
                kind,
                required: required.contains(&name.as_str()),
                checked: value == "true" || value == "True" || value == "on",
                value,
                max_length,
                step: if kinds.first() == Some(&"integer") {
                    "1"
                } else {
                    "any"
                },
                choices,
                help: prop
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                errors: messages(errors.and_then(|e| e.get(name))),
                name: name.clone(),
            });
        }
    }
    let raw = match sent {
        Some(v @ Value::Object(m)) if !m.is_empty() => pretty(v),
        _ if initial.is_empty() => String::new(),
        _ => pretty(&Value::Object(initial)),
    };
    let mut non_field_errors = messages(errors.and_then(|e| e.get("non_field_errors")));
    non_field_errors.extend(messages(errors.and_then(|e| e.get("detail"))));
    Form {
        method: method_str,
        native: method == Method::POST,
        // Fields a form cannot send (nested values) leave the HTML form to the raw editor.
        fields: fields.into_iter().filter(|f| f.kind != "json").collect(),
        media_types: parses.to_vec(),
        raw,
        non_field_errors,
    }
}

fn pretty(v: &Value) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    match v.serialize(&mut ser) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => String::new(),
    }
}

/// DRF's label of a field without one: `owner_id` is `Owner id`.
fn label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut c = spaced.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().chain(c).collect::<String>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_written_as_django_writes_them() {
        assert_eq!(header_name("content-type"), "Content-Type");
        assert_eq!(header_name("www-authenticate"), "WWW-Authenticate");
        assert_eq!(header_name("allow"), "Allow");
        assert_eq!(header_name("retry-after"), "Retry-After");
    }

    #[test]
    fn escaping_is_djangos() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
        let out = render_template(
            "base.html",
            context! {
                chrome => Chrome {
                    user: Some("<i>'u'</i>".to_owned()),
                    login_url: None,
                    logout_url: None,
                    csrf_token: "t\"k".to_owned(),
                    static_url: "/static/drf/".to_owned(),
                },
            },
        );
        assert!(out.contains("&lt;i&gt;&#x27;u&#x27;&lt;/i&gt;"), "{out}");
        assert!(out.contains("href=\"/static/drf/browsable.css\""), "{out}");
    }

    #[test]
    fn every_template_parses() {
        for name in ["base.html", "api.html", "login.html"] {
            templates().get_template(name).expect(name);
        }
    }

    #[test]
    fn assets_are_served_for_get_and_head_only() {
        let css = asset(&Method::GET, "/static/drf/browsable.css").unwrap();
        assert_eq!(
            css.headers()[header::CONTENT_TYPE],
            "text/css; charset=utf-8"
        );
        assert!(asset(&Method::HEAD, "/static/drf/browsable.js").is_some());
        assert!(asset(&Method::POST, "/static/drf/browsable.js").is_none());
        assert!(asset(&Method::GET, "/static/drf/other.js").is_none());
        assert!(asset(&Method::GET, "/static/drf/../browsable.js").is_none());
    }

    #[test]
    fn forms_follow_the_typed_body() {
        let schema = serde_json::json!({
            "type": "object",
            "required": ["title"],
            "properties": {
                "title": {"type": "string", "maxLength": 200},
                "body": {"type": "string", "default": ""},
                "count": {"type": ["integer", "null"]},
                "done": {"type": "boolean"},
                "tags": {"type": "array"},
            }
        });
        let f = form(
            Method::POST,
            Some(&schema),
            None,
            None,
            &["application/json"],
        );
        let kinds: Vec<_> = f.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("title", "text"),
                ("body", "textarea"),
                ("count", "number"),
                ("done", "checkbox")
            ]
        );
        assert!(f.fields[0].required && !f.fields[1].required);
        assert!(f.native);
        assert!(f.raw.contains("\"title\": \"\""), "{}", f.raw);
        let errors = serde_json::json!({"title": ["This field may not be blank."]});
        let sent = serde_json::json!({"title": "", "body": "x"});
        let f = form(Method::PUT, Some(&schema), Some(&sent), Some(&errors), &[]);
        assert_eq!(f.fields[0].errors, ["This field may not be blank."]);
        assert_eq!(f.fields[1].value, "x");
        assert!(!f.native);
        assert_eq!(label("owner_id"), "Owner id");
    }
}
