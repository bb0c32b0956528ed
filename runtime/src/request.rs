//! [`Request`]: the incoming request as a view sees it, with the authenticated identity.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};
use serde_json::Value;

use crate::app::App;
use crate::body::Pending;
use crate::error::ApiError;
use crate::parsers::{self, ParsedBody};
use crate::render::RendererInfo;
use crate::user::{Auth, User};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Checks a view's object permissions (set by the pipeline, monomorphized per view).
pub(crate) type ObjectCheck =
    for<'a> fn(&'a Request, &'a (dyn Any + Send + Sync)) -> BoxFuture<'a, Result<(), ApiError>>;

/// The request. Cheap to clone: everything is behind one `Arc`.
///
/// The method is upper-cased as Django does (`get` is `GET`). The body is read when the view is
/// about to run its handler (after authentication, permissions, throttles and the method
/// check; see [`Request::read_body`]), within the configured size limit, and parsed on first
/// use of [`Request::data`].
#[derive(Clone)]
pub struct Request {
    inner: Arc<Inner>,
}

struct Inner {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    extensions: http::Extensions,
    body: RequestBody,
    params: Vec<(String, String)>,
    /// The pattern of the route that matched (as given to `Router::route`).
    route: Option<Arc<str>>,
    peer: Option<SocketAddr>,
    app: App,
    identity: OnceLock<Identity>,
    forced: Option<Identity>,
    data: OnceLock<Result<ParsedBody, ApiError>>,
    /// The view's parsers, in its order (DRF's `parser_classes`): set by the pipeline.
    parses: OnceLock<&'static [&'static str]>,
    /// The view's renderers, in its order (DRF's `renderer_classes`): set by the pipeline.
    renders: OnceLock<&'static [RendererInfo]>,
    object_check: OnceLock<ObjectCheck>,
    locals: Locals,
    /// The router's application state (`State<T>`).
    states: Option<Arc<http::Extensions>>,
}

/// The body: read, or still on the connection until [`Request::read_body`] reads it.
struct RequestBody {
    read: tokio::sync::OnceCell<Result<Bytes, ApiError>>,
    pending: std::sync::Mutex<Option<Pending>>,
}

/// A request body as the router receives it.
pub(crate) enum BodyInput {
    /// Already in memory (the test client, [`Router::handle`](crate::Router::handle)).
    Read(Bytes),
    /// Still to be read (the server).
    Pending(Pending),
}

impl From<BodyInput> for RequestBody {
    fn from(body: BodyInput) -> Self {
        match body {
            BodyInput::Read(bytes) => Self {
                read: tokio::sync::OnceCell::new_with(Some(Ok(bytes))),
                pending: std::sync::Mutex::new(None),
            },
            BodyInput::Pending(pending) => Self {
                read: tokio::sync::OnceCell::new(),
                pending: std::sync::Mutex::new(Some(pending)),
            },
        }
    }
}

/// The body of a request whose body has not been read.
static NOT_READ: Bytes = Bytes::new();

/// How many kinds of per-request state the layers may keep (the session middleware keeps one).
const LOCAL_SLOTS: usize = 4;

/// Per-request state of the layers that keep some (the session middleware keeps the session
/// and the CSRF secret here): one value per type, created on first use, dropped with the
/// request. Append-only, so references handed out stay valid.
#[derive(Default)]
struct Locals {
    slots: [OnceLock<Box<dyn Any + Send + Sync>>; LOCAL_SLOTS],
}

impl Locals {
    fn get<T: Any>(&self) -> Option<&T> {
        self.slots.iter().find_map(|s| s.get()?.downcast_ref())
    }

    fn get_or_default<T: Any + Send + Sync + Default>(&self) -> &T {
        for slot in &self.slots {
            if let Some(v) = slot.get_or_init(|| Box::new(T::default())).downcast_ref() {
                return v;
            }
        }
        // Only this crate stores state here, with fewer kinds than slots.
        unreachable!("more than {LOCAL_SLOTS} kinds of per-request state")
    }
}

#[derive(Clone)]
pub(crate) struct Identity {
    pub(crate) user: User,
    pub(crate) auth: Auth,
    /// True when a scheme (or force_authenticate) authenticated the request.
    pub(crate) authenticated_by_scheme: bool,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.inner.method)
            .field("uri", &self.inner.uri)
            .field("user", &self.inner.identity.get().map(|i| &i.user))
            .finish_non_exhaustive()
    }
}

/// The last value of `key` in the query string `query`, decoded (`QueryDict.get`).
pub(crate) fn query_get<'a>(query: &'a str, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == key)
        .last()
        .map(|(_, v)| v)
}

/// Upper-cases a method as Django does (`get` → `GET`); invalid bytes leave it unchanged.
pub(crate) fn normalize_method(m: Method) -> Method {
    let s = m.as_str();
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        Method::from_bytes(s.to_ascii_uppercase().as_bytes()).unwrap_or(m)
    } else {
        m
    }
}

impl Request {
    /// Builds a request from its parts and fully read body.
    pub fn new(
        parts: http::request::Parts,
        body: Bytes,
        app: App,
        peer: Option<SocketAddr>,
    ) -> Self {
        Self::with_body(parts, BodyInput::Read(body), app, peer)
    }

    /// Builds a request whose body may still be to read.
    pub(crate) fn with_body(
        parts: http::request::Parts,
        body: BodyInput,
        app: App,
        peer: Option<SocketAddr>,
    ) -> Self {
        let mut extensions = parts.extensions;
        let forced = extensions.remove::<ForcedAuth>().map(|f| Identity {
            user: f.user,
            auth: f.auth,
            authenticated_by_scheme: true,
        });
        Self {
            inner: Arc::new(Inner {
                method: normalize_method(parts.method),
                uri: parts.uri,
                headers: parts.headers,
                extensions,
                body: body.into(),
                params: Vec::new(),
                route: None,
                peer,
                app,
                identity: OnceLock::new(),
                forced,
                data: OnceLock::new(),
                parses: OnceLock::new(),
                renders: OnceLock::new(),
                object_check: OnceLock::new(),
                locals: Locals::default(),
                states: None,
            }),
        }
    }

    /// Sets the path parameters (the router does this before dispatch).
    pub(crate) fn with_params(mut self, params: Vec<(String, String)>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.params = params;
        }
        self
    }

    /// Sets the pattern of the route that matched (the router does this before dispatch).
    pub(crate) fn with_route(mut self, pattern: &Arc<str>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.route = Some(Arc::clone(pattern));
        }
        self
    }

    /// The pattern of the route that matched, as given to `Router::route` (`/notes/<int:pk>/`);
    /// empty for a request the router did not build.
    pub fn route(&self) -> &str {
        self.inner.route.as_deref().unwrap_or("")
    }

    /// Sets the application state the router was given.
    pub(crate) fn with_states(mut self, states: &Arc<http::Extensions>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.states = Some(Arc::clone(states));
        }
        self
    }

    /// The application state of type `T` given to the router with
    /// [`Router::with_state`](crate::Router::with_state) (what [`State<T>`](crate::State)
    /// extracts).
    pub fn state<T: Clone + Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.states.as_ref()?.get::<T>()
    }

    /// The method, upper-cased.
    pub fn method(&self) -> &Method {
        &self.inner.method
    }

    /// The request target.
    pub fn uri(&self) -> &Uri {
        &self.inner.uri
    }

    /// The path of the request target.
    pub fn path(&self) -> &str {
        self.inner.uri.path()
    }

    /// The prefix the router is mounted under, stripped from [`path`](Self::path) by whatever
    /// is in front of it (Django's `SCRIPT_NAME`: see [`ScriptName`]); `""` when there is
    /// none. The path the client asked for is `script_name()` followed by `path()`.
    pub fn script_name(&self) -> &str {
        self.extensions()
            .get::<ScriptName>()
            .map_or("", |p| p.as_str())
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// Extensions set by layers in front of the router.
    pub fn extensions(&self) -> &http::Extensions {
        &self.inner.extensions
    }

    /// The raw body, once read: in a handler it always is. Before the handler runs (in an
    /// authentication scheme, a permission, a throttle) it is empty until
    /// [`Request::read_body`] has read it.
    pub fn body(&self) -> &Bytes {
        match self.inner.body.read.get() {
            Some(Ok(bytes)) => bytes,
            _ => &NOT_READ,
        }
    }

    /// Reads the body, once: the pipeline does it before the handler runs, so that a request
    /// answered earlier (404, 401, 403, 405, 429) never has its body read or held. Call it
    /// yourself where something before the handler needs the body.
    ///
    /// # Errors
    ///
    /// `413` past `MAX_BODY_SIZE`, `408` when the client takes longer than
    /// `BODY_TIMEOUT_SECS` to send it, `400` when it breaks off; the answer then closes the
    /// connection. The same error again on every call.
    pub async fn read_body(&self) -> Result<&Bytes, ApiError> {
        let body = &self.inner.body;
        body.read
            .get_or_init(|| async {
                let pending = body
                    .pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                match pending {
                    Some(pending) => pending.read(self.inner.app.config()).await,
                    None => Ok(Bytes::new()),
                }
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The client as the failed-login limiter and the audit log name it: the address
    /// `TRUSTED_PROXIES` or `NUM_PROXIES` find, else the peer's own
    /// ([`ClientIdentity::client`](crate::throttling::ClientIdentity::client)).
    pub(crate) fn client(&self) -> std::borrow::Cow<'_, str> {
        self.inner
            .app
            .config()
            .throttle
            .identity
            .client(&self.inner.headers, self.inner.peer)
    }

    /// The peer's socket address, when served over a socket.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.inner.peer
    }

    /// The application state.
    pub fn app(&self) -> &App {
        &self.inner.app
    }

    /// A path parameter by name (`/notes/{id}/` → `param("id")`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.inner
            .params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All path parameters, in path order.
    pub fn params(&self) -> &[(String, String)] {
        &self.inner.params
    }

    /// The query string parameters, decoded (DRF's `request.query_params`).
    pub fn query_params(&self) -> Vec<(String, String)> {
        self.inner
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One query string parameter, decoded: its last value, as DRF's
    /// `request.query_params.get(key)` (`QueryDict.get`).
    pub fn query_param(&self, key: &str) -> Option<String> {
        query_get(self.inner.uri.query()?, key).map(std::borrow::Cow::into_owned)
    }

    /// The authenticated user, or the unauthenticated user of the settings.
    pub fn user(&self) -> &User {
        static ANON: OnceLock<User> = OnceLock::new();
        match self.inner.identity.get() {
            Some(i) => &i.user,
            None => ANON.get_or_init(User::anonymous),
        }
    }

    /// The credential that authenticated the request (DRF's `request.auth`).
    pub fn auth(&self) -> &Auth {
        static NONE: Auth = Auth::None;
        self.inner.identity.get().map_or(&NONE, |i| &i.auth)
    }

    /// True when a scheme authenticated the request (DRF's `successful_authenticator`).
    pub fn is_authenticated_by_scheme(&self) -> bool {
        self.inner
            .identity
            .get()
            .is_some_and(|i| i.authenticated_by_scheme)
    }

    /// The state a layer keeps for this request, created on first use.
    pub(crate) fn local<T: Any + Send + Sync + Default>(&self) -> &T {
        self.inner.locals.get_or_default()
    }

    /// The state a layer keeps for this request, if it made any.
    pub(crate) fn local_if_set<T: Any>(&self) -> Option<&T> {
        self.inner.locals.get()
    }

    pub(crate) fn forced_identity(&self) -> Option<&Identity> {
        self.inner.forced.as_ref()
    }

    pub(crate) fn set_identity(&self, identity: Identity) {
        let _ = self.inner.identity.set(identity);
    }

    /// The view's parsers (`View::PARSES`), in the order DRF tries them: the first whose
    /// media type matches the request's `Content-Type` parses the body.
    pub(crate) fn set_parses(&self, parses: &'static [&'static str]) {
        let _ = self.inner.parses.set(parses);
    }

    /// The media types the view parses, in its order (DRF's `parser_classes`).
    pub(crate) fn parses(&self) -> &'static [&'static str] {
        self.inner.parses.get().copied().unwrap_or(&parsers::PARSES)
    }

    pub(crate) fn set_renders(&self, renders: &'static [RendererInfo]) {
        let _ = self.inner.renders.set(renders);
    }

    /// The media types of the view's renderers, in its order (OPTIONS' `renders`): DRF's
    /// defaults, `application/json` and `text/html`, unless the view or the settings say
    /// otherwise.
    pub fn renders(&self) -> Vec<&'static str> {
        self.inner.renders.get().map_or_else(
            || vec!["application/json"],
            |r| r.iter().map(|r| r.media_type).collect(),
        )
    }

    /// The same request with another method, its body not carried over: what permissions
    /// are asked about a method the request does not use (DRF's `clone_request`, for the
    /// browsable API's forms). The identity is the request's.
    pub(crate) fn with_method(&self, method: Method) -> Self {
        let inner = &self.inner;
        let identity = OnceLock::new();
        if let Some(i) = inner.identity.get() {
            let _ = identity.set(i.clone());
        }
        Self {
            inner: Arc::new(Inner {
                method,
                uri: inner.uri.clone(),
                headers: inner.headers.clone(),
                extensions: inner.extensions.clone(),
                body: BodyInput::Read(Bytes::new()).into(),
                params: inner.params.clone(),
                route: inner.route.clone(),
                peer: inner.peer,
                app: inner.app.clone(),
                identity,
                forced: inner.forced.clone(),
                data: OnceLock::new(),
                parses: OnceLock::new(),
                renders: OnceLock::new(),
                object_check: OnceLock::new(),
                locals: Locals::default(),
                states: inner.states.clone(),
            }),
        }
    }

    pub(crate) fn set_object_check(&self, check: ObjectCheck) {
        let _ = self.inner.object_check.set(check);
    }

    /// The parsed body, DRF's `request.data`: JSON as sent; form and multipart fields as an
    /// object of strings (the last value of a repeated key wins, as `QueryDict.get`).
    ///
    /// An empty body is `{}`. Errors are DRF's: 415 for a content type no parser accepts, 400
    /// `JSON parse error - …` for malformed JSON.
    pub fn data(&self) -> Result<&Value, ApiError> {
        self.parsed().map(|p| &p.data)
    }

    /// Uploaded files of a multipart body, by field name.
    pub fn files(&self) -> Result<&[parsers::UploadedFile], ApiError> {
        self.parsed().map(|p| p.files.as_slice())
    }

    pub(crate) fn parsed(&self) -> Result<&ParsedBody, ApiError> {
        let body = match self.inner.body.read.get() {
            Some(read) => read.as_ref().map_err(Clone::clone)?,
            // Parsing now would see an empty body and keep `{}` for the handler.
            None => {
                return Err(ApiError::Internal(
                    "Request::data used before the body was read: call Request::read_body first"
                        .to_owned(),
                ));
            }
        };
        self.inner
            .data
            .get_or_init(|| {
                let parses = self.inner.parses.get().copied().unwrap_or(&parsers::PARSES);
                let limits = self.inner.app.config().upload_limits;
                parsers::parse_body(&self.inner.headers, body, parses, limits)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// DRF's `check_object_permissions`: runs the view's permissions' object checks on `obj`.
    ///
    /// Denied: `PermissionDenied` (or `NotAuthenticated` for an anonymous caller of a view with
    /// schemes), which the pipeline renders as DRF does.
    pub async fn check_object_permissions<T: Any + Send + Sync>(
        &self,
        obj: &T,
    ) -> Result<(), ApiError> {
        match self.inner.object_check.get() {
            Some(check) => check(self, obj).await,
            None => Ok(()),
        }
    }
}

/// Marks a request as authenticated without running any scheme (DRF's `force_authenticate`).
/// Put it in the request's extensions; the test client does this.
#[derive(Clone, Debug)]
pub struct ForcedAuth {
    /// The user to authenticate as.
    pub user: User,
    /// The auth to attach.
    pub auth: Auth,
}

/// The path prefix the router is mounted under, when something in front of it strips that
/// prefix from the request's path (CGI's and Django's `SCRIPT_NAME`): axum's `nest_service`
/// does. [`RouterService::with_script_name`] puts it into every request's extensions; the
/// router then puts it in front of the paths it sends back (the `APPEND_SLASH` redirect's
/// `Location`), the access log shows the path the client asked for, and views read it with
/// [`Request::script_name`].
///
/// [`RouterService::with_script_name`]: crate::server::RouterService::with_script_name
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptName(Arc<str>);

impl ScriptName {
    /// The prefix `prefix`, without its trailing slashes: `"/api"` and `"/api/"` are the same,
    /// and `"/"` or `""` is no prefix at all.
    ///
    /// # Panics
    ///
    /// When `prefix` does not start with `/` or holds a byte other than visible ASCII (a path
    /// as it is written in a request line: percent-encode the rest). The prefix is part of the
    /// program, so this is a mistake to see at start-up, as axum's own `nest_service` does.
    pub fn new(prefix: &str) -> Self {
        assert!(
            prefix.is_empty() || prefix.starts_with('/'),
            "the script name {prefix:?} must start with `/`"
        );
        assert!(
            prefix.bytes().all(|b| b.is_ascii_graphic()) && !prefix.contains(['?', '#']),
            "the script name {prefix:?} must be a path of visible ASCII characters \
             (percent-encode the others) without `?` or `#`"
        );
        Self(Arc::from(prefix.trim_end_matches('/')))
    }

    /// The prefix, without a trailing slash (`""` when there is none).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
