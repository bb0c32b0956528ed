//! [`Router`]: paths to views, with Django's path syntax, resolved by a radix tree (matchit).

use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use percent_encoding::percent_decode_str;

use crate::app::App;
use crate::config::Config;
use crate::extract::StateNeed;
use crate::manifest::RouteInfo;
use crate::openapi::document::{DocEntry, Info, operations};
use crate::renderers::RendererList;
use crate::renderers::browsable::{self, ApiAuthUrls, ParamCheck, ViewNames};
use crate::request::{BodyInput, BoxFuture, Request};
use crate::response::Response;
use crate::settings::{DefaultSettings, Settings};
use crate::throttling::ThrottleList;
use crate::view::{Renderers, Throttles, View, allow_header, dispatch};
use crate::views::{LOGIN_PATH, LOGOUT_PATH, login, logout};

type Call = fn(Request, HeaderValue) -> BoxFuture<'static, Response>;

/// A matched route's parameters: `(name, value)` in the pattern's order.
type Params = Vec<(String, String)>;

/// A Django path converter (`<int:pk>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Converter {
    Str,
    Int,
    Slug,
    Uuid,
    Path,
}

impl Converter {
    fn accepts(self, v: &str) -> bool {
        match self {
            Self::Str => !v.is_empty() && !v.contains('/'),
            Self::Int => !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
            Self::Slug => {
                !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            Self::Uuid => {
                let b = v.as_bytes();
                b.len() == 36
                    && b.iter().enumerate().all(|(i, c)| match i {
                        8 | 13 | 18 | 23 => *c == b'-',
                        _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
                    })
            }
            Self::Path => !v.is_empty(),
        }
    }

    /// [`Converter::accepts`] as a function of the value alone.
    fn check(self) -> fn(&str) -> bool {
        match self {
            Self::Str => |v| Self::Str.accepts(v),
            Self::Int => |v| Self::Int.accepts(v),
            Self::Slug => |v| Self::Slug.accepts(v),
            Self::Uuid => |v| Self::Uuid.accepts(v),
            Self::Path => |v| Self::Path.accepts(v),
        }
    }

    /// The path parameter's schema in the OpenAPI document: what the converter accepts.
    fn schema(self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Self::Str => json!({"type": "string", "pattern": "^[^/]+$"}),
            Self::Int => json!({"type": "integer", "minimum": 0}),
            Self::Slug => json!({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}),
            Self::Uuid => json!({
                "type": "string",
                "format": "uuid",
                "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            }),
            Self::Path => json!({"type": "string", "minLength": 1}),
        }
    }
}

/// What the schema view reads: every route's [`DocEntry`] and the document's `info`, shared
/// with the requests through the router's state.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaSource {
    pub(crate) entries: Vec<DocEntry>,
    pub(crate) info: Info,
}

impl SchemaSource {
    /// The document of `source` (none: a router without routes), served under `prefix`;
    /// borrowed, so a schema request copies no route.
    pub(crate) fn document(
        source: Option<&Self>,
        config: &Config,
        prefix: &str,
    ) -> serde_json::Value {
        let empty = Self::default();
        let source = source.unwrap_or(&empty);
        crate::openapi::document::Builder::document(config, &source.entries, &source.info, prefix)
    }
}

struct Route {
    pattern: Arc<str>,
    converters: Vec<(String, Converter)>,
    allow: HeaderValue,
    call: Call,
    describe: fn(&str) -> RouteInfo,
}

/// Routes paths to views under settings `S`.
///
/// Paths use Django's syntax: `/notes/`, `/notes/<int:pk>/`, `<str:name>`, `<slug:s>`,
/// `<uuid:u>`, `<path:rest>` (`<name>` is `<str:name>`). A parameter that does not fit its
/// converter is a 404, as in Django.
///
/// ```
/// # mod settings { drf::settings! {} }
/// # mod views {
/// #     use drf::prelude::*;
/// #     #[drf::api_view(GET, POST)]
/// #     pub async fn notes() -> StatusCode { StatusCode::OK }
/// #     #[drf::api_view(GET)]
/// #     pub async fn note_detail(Path(pk): Path<i64>) -> StatusCode { StatusCode::OK }
/// # }
/// # use drf::Router;
/// # use settings::Settings;
/// # fn main() {
/// let router = Router::<Settings>::new()
///     .route("/notes/", views::notes)
///     .route("/notes/<int:pk>/", views::note_detail);
/// # let _ = router;
/// # }
/// ```
pub struct Router<S: Settings = DefaultSettings> {
    tree: matchit::Router<usize>,
    routes: Vec<Route>,
    /// Application state for `State<T>`, by type.
    states: Arc<http::Extensions>,
    /// The `State<T>` each route's view takes: `(path, view name, need)`.
    needs: Vec<(String, &'static str, StateNeed)>,
    /// A routed view renders the browsable API, whose stylesheet and script the router serves.
    serves_assets: bool,
    _settings: PhantomData<fn() -> S>,
}

impl<S: Settings> fmt::Debug for Router<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.routes.iter().map(|r| &r.pattern))
            .finish()
    }
}

impl<S: Settings> Default for Router<S> {
    fn default() -> Self {
        Self::new()
    }
}

fn call_view<V: View, S: Settings>(
    req: Request,
    allow: HeaderValue,
) -> BoxFuture<'static, Response> {
    Box::pin(dispatch::<V, S>(req, allow))
}

/// Start-up check: every throttle scope the view is known to use has an entry in
/// `DEFAULT_THROTTLE_RATES` (DRF would raise `ImproperlyConfigured` on the first request).
fn check_throttle_scopes<V: View, S: Settings>(path: &str) {
    let mut scopes = Vec::new();
    <Throttles<V, S> as ThrottleList>::scopes(V::THROTTLE_SCOPE, &mut scopes);
    for scope in scopes {
        if !S::THROTTLE_RATES.iter().any(|(s, _)| *s == scope) {
            panic!(
                "route {path:?}: view `{}` uses the throttle scope `{scope}`, which has no rate in DEFAULT_THROTTLE_RATES; add `{scope}: \"N/PERIOD\"` (or `None`) to settings.rs",
                V::NAME
            );
        }
    }
}

/// What [`Router::route`] accepts: a view value, or a function returning one (what
/// `#[api_view]` generates). `M` only tells the two apart.
pub trait IntoView<M> {
    /// The view type.
    type View: View;
}

/// [`IntoView`] marker: a view value.
#[derive(Debug)]
pub enum ViewValue {}
/// [`IntoView`] marker: a function returning a view.
#[derive(Debug)]
pub enum ViewFn {}

impl<V: View> IntoView<ViewValue> for V {
    type View = V;
}

impl<V: View, F: FnOnce() -> V> IntoView<ViewFn> for F {
    type View = V;
}

/// Translates Django's `<conv:name>` syntax into matchit's `{name}` / `{*name}`.
fn translate(path: &str) -> Result<(String, Vec<(String, Converter)>), String> {
    let mut out = String::with_capacity(path.len());
    let mut convs = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('>')
            .ok_or_else(|| format!("unclosed `<` in route {path:?}"))?;
        let spec = &after[..end];
        let (conv, name) = match spec.split_once(':') {
            Some((c, n)) => (c, n),
            None => ("str", spec),
        };
        let conv = match conv {
            "str" => Converter::Str,
            "int" => Converter::Int,
            "slug" => Converter::Slug,
            "uuid" => Converter::Uuid,
            "path" => Converter::Path,
            other => {
                return Err(format!(
                    "unknown path converter `{other}` in route {path:?}"
                ));
            }
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("bad parameter name `{name}` in route {path:?}"));
        }
        if conv == Converter::Path {
            out.push_str(&format!("{{*{name}}}"));
        } else {
            out.push_str(&format!("{{{name}}}"));
        }
        convs.push((name.to_owned(), conv));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok((out, convs))
}

impl<S: Settings> Router<S> {
    /// An empty router.
    pub fn new() -> Self {
        Self {
            tree: matchit::Router::new(),
            routes: Vec::new(),
            states: Arc::new(http::Extensions::new()),
            needs: Vec::new(),
            serves_assets: false,
            _settings: PhantomData,
        }
    }

    /// Adds a view at `path`. `view` is what `#[api_view]` generates under the function's name
    /// (a `const fn` returning the view type), any function returning a [`View`], or a value of
    /// a type implementing [`View`] by hand.
    ///
    /// # Panics
    /// On a malformed path or one that conflicts with an earlier route: both are programming
    /// errors found at start-up.
    #[must_use]
    pub fn route<M, V: IntoView<M>>(mut self, path: &str, view: V) -> Self {
        let _ = view;
        let (pattern, converters) = translate(path).unwrap_or_else(|e| panic!("{e}"));
        check_throttle_scopes::<V::View, S>(path);
        let mut needs = Vec::new();
        <V::View as View>::required_states(&mut needs);
        for need in needs {
            self.needs
                .push((path.to_owned(), <V::View as View>::NAME, need));
        }
        let id = self.routes.len();
        if let Err(e) = self.tree.insert(pattern.clone(), id) {
            panic!("route {path:?}: {e}");
        }
        let names = Arc::make_mut(&mut self.states).get_or_insert_default::<ViewNames>();
        // The same pattern went into the main tree, so it cannot conflict here.
        let _ = names.tree.insert(pattern, names.views.len());
        let fits: Vec<ParamCheck> = converters
            .iter()
            .map(|(name, conv)| (name.clone(), conv.check()))
            .collect();
        names.views.push((<V::View as View>::NAME, fits));
        let pattern: Arc<str> = Arc::from(path);
        let entry = DocEntry {
            pattern: Arc::clone(&pattern),
            params: converters
                .iter()
                .map(|(name, conv)| (name.clone(), conv.schema()))
                .collect(),
            operations: operations::<V::View, S>,
        };
        if <V::View as View>::IN_SCHEMA {
            self.schema_source().entries.push(entry);
        }
        self.serves_assets |= <Renderers<V::View, S> as RendererList>::INFO
            .iter()
            .any(|r| !r.keeps_json);
        self.routes.push(Route {
            pattern,
            converters,
            allow: allow_header(<V::View as View>::METHODS),
            call: call_view::<V::View, S>,
            describe: crate::manifest::describe::<V::View, S>,
        });
        self
    }

    /// Adds the browsable API's login and logout pages at DRF's paths, `/api-auth/login/`
    /// and `/api-auth/logout/` (DRF's `path("api-auth/", include("rest_framework.urls"))`):
    /// every page of the browsable API then links to them. The login page checks the CSRF
    /// token, then the credentials (through the failed-login limiter and the hashing queue),
    /// logs in by session and goes back to `?next=` (a local path only); logging out is a POST
    /// with the token, as Django's `LogoutView`.
    #[must_use]
    pub fn include_api_auth(self) -> Self {
        let mut router = self.route(LOGIN_PATH, login).route(LOGOUT_PATH, logout);
        Arc::make_mut(&mut router.states).insert(ApiAuthUrls {
            login: LOGIN_PATH,
            logout: LOGOUT_PATH,
        });
        router
    }

    /// Gives the views a value of type `T` they take as [`State<T>`](crate::State): a pool, a
    /// client, a configuration of your own. Several types live side by side; giving a type
    /// again replaces its value. Cloned for each request that asks for it, so share big
    /// values behind an `Arc`.
    ///
    /// ```
    /// # use drf_runtime::{Router, State};
    /// #[derive(Clone)]
    /// struct Greeting(&'static str);
    /// let router: Router = Router::new().with_state(Greeting("hello"));
    /// ```
    #[must_use]
    pub fn with_state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        Arc::make_mut(&mut self.states).insert(value);
        self
    }

    /// The start-up check: every `State<T>` a routed view takes was given with
    /// [`Router::with_state`]. The server and the test client call it; the error names the
    /// route, the view and the type.
    pub fn check_states(&self) -> Result<(), String> {
        let missing: Vec<String> = self
            .needs
            .iter()
            .filter(|(_, _, need)| !(need.given)(&self.states))
            .map(|(path, view, need)| {
                format!(
                    "route {path:?}: view `{view}` takes `State<{}>`, but the router was given no value of that type; add `.with_state(value)` to the router",
                    need.type_name
                )
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing.join("\n"))
        }
    }

    /// The OpenAPI document's `info`: its title, version and description (by default `API`,
    /// `1.0.0` and none; drf-spectacular's `TITLE`, `VERSION` and `DESCRIPTION`).
    #[must_use]
    pub fn openapi_info(mut self, title: &str, version: &str, description: &str) -> Self {
        self.schema_source().info = Info {
            title: title.to_owned(),
            version: version.to_owned(),
            description: description.to_owned(),
        };
        self
    }

    fn schema_source(&mut self) -> &mut SchemaSource {
        Arc::make_mut(&mut self.states).get_or_insert_default::<SchemaSource>()
    }

    /// The OpenAPI 3.1 document of every route, under `config` (the Token keyword, the session
    /// and CSRF cookie names): what [`schema_view`](crate::views::schema_view) serves and
    /// `manage spectacular` writes. See [`crate::openapi`].
    pub fn openapi(&self, config: &Config) -> serde_json::Value {
        SchemaSource::document(self.states.get::<SchemaSource>(), config, "")
    }

    /// What every route declares, in the order added: the route manifest `show_urls` prints.
    pub fn manifest(&self) -> Vec<RouteInfo> {
        self.routes
            .iter()
            .map(|r| (r.describe)(&r.pattern))
            .collect()
    }

    /// The registered path patterns, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|r| &*r.pattern)
    }

    /// Answers one request whose body has been read.
    pub async fn handle(
        &self,
        app: &App,
        req: http::Request<Bytes>,
        peer: Option<SocketAddr>,
    ) -> Response {
        let (parts, body) = req.into_parts();
        self.handle_body(app, parts, BodyInput::Read(body), peer)
            .await
    }

    /// Answers one request whose body may still be on the connection.
    pub(crate) async fn handle_body(
        &self,
        app: &App,
        parts: http::request::Parts,
        body: BodyInput,
        peer: Option<SocketAddr>,
    ) -> Response {
        let (route, params) = match self.resolve(&parts) {
            Ok(found) => found,
            Err(miss) => {
                if self.serves_assets {
                    if let Some(asset) = browsable::asset(&parts.method, parts.uri.path()) {
                        return asset;
                    }
                }
                return *miss;
            }
        };
        let route = &self.routes[route];
        let request = Request::with_body(parts, body, app.clone(), peer)
            .with_params(params)
            .with_route(&route.pattern)
            .with_states(&self.states);
        (route.call)(request, route.allow.clone()).await
    }

    /// The route for the request's path (percent-decoded, then matched) and its parameters,
    /// each accepted by its converter; or the answer for a path that matches none: the
    /// `APPEND_SLASH` redirect, else the 404 page.
    pub(crate) fn resolve(
        &self,
        parts: &http::request::Parts,
    ) -> Result<(usize, Params), Box<Response>> {
        let Some(path) = percent_decode_str(parts.uri.path()).decode_utf8().ok() else {
            return Err(Box::new(not_found()));
        };
        let Ok(found) = self.tree.at(&path) else {
            return Err(Box::new(self.append_slash(parts, &path)));
        };
        let route = &self.routes[*found.value];
        let mut params = Vec::with_capacity(route.converters.len());
        for (name, conv) in &route.converters {
            let v = found.params.get(name).unwrap_or("");
            if !conv.accepts(v) {
                return Err(Box::new(not_found()));
            }
            params.push((name.clone(), v.to_owned()));
        }
        Ok((*found.value, params))
    }

    /// The pattern route `id` was added with (as given to [`Router::route`]).
    pub(crate) fn pattern(&self, id: usize) -> &str {
        &self.routes[id].pattern
    }
}

impl<S: Settings> Router<S> {
    /// Django's `APPEND_SLASH`: a path that matches only with a trailing slash is a 301 there
    /// (unless the settings turn it off: then, as any unknown path, a 404).
    /// Under a [`ScriptName`](crate::request::ScriptName) the `Location` starts with it.
    fn append_slash(&self, parts: &http::request::Parts, decoded: &str) -> Response {
        if !S::APPEND_SLASH
            || decoded.ends_with('/')
            || self.tree.at(&format!("{decoded}/")).is_err()
        {
            return not_found();
        }
        let uri = &parts.uri;
        let prefix = parts.extensions.get::<crate::request::ScriptName>();
        let prefix = prefix.map_or("", |p| p.as_str());
        let mut location = format!("{prefix}{}/", uri.path());
        if let Some(q) = uri.query() {
            location.push('?');
            location.push_str(q);
        }
        let Ok(location) = HeaderValue::from_str(&location) else {
            return not_found();
        };
        let mut r = http::Response::new(Bytes::new());
        *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(header::LOCATION, location);
        r
    }
}

/// Django's 404 page (DEBUG off): an unknown path is a plain HTML 404, not a DRF answer.
pub fn not_found() -> Response {
    crate::render::django_error_page(
        StatusCode::NOT_FOUND,
        "Not Found",
        "The requested resource was not found on this server.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_syntax_translates() {
        let (p, c) = translate("/notes/<int:pk>/files/<path:rest>").unwrap();
        assert_eq!(p, "/notes/{pk}/files/{*rest}");
        assert_eq!(
            c,
            vec![
                ("pk".into(), Converter::Int),
                ("rest".into(), Converter::Path)
            ]
        );
        assert_eq!(translate("/u/<name>/").unwrap().0, "/u/{name}/");
        assert!(translate("/u/<float:x>/").is_err());
        assert!(translate("/u/<x/").is_err());
    }

    #[test]
    fn converters() {
        assert!(Converter::Int.accepts("123"));
        assert!(!Converter::Int.accepts("-1"));
        assert!(Converter::Slug.accepts("a-b_c"));
        assert!(!Converter::Slug.accepts("a b"));
        assert!(Converter::Uuid.accepts("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!Converter::Uuid.accepts("123E4567-e89b-12d3-a456-426614174000"));
    }
}
