//! An in-process test client, DRF's `APIClient` in spirit: requests go straight to the router,
//! no socket involved.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use drf_runtime::test_client::{APIClient, create_user, test_app};
//! use drf_runtime::views::obtain_auth_token;
//! use drf_runtime::{DefaultSettings, Router};
//!
//! let app = test_app().await;
//! create_user(&app, "alice", "s3cret").await;
//! let router = Router::<DefaultSettings>::new().route("/api-token-auth/", obtain_auth_token);
//! let client = APIClient::new(router, app);
//!
//! let resp = client
//!     .post("/api-token-auth/")
//!     .json(&serde_json::json!({"username": "alice", "password": "s3cret"}))
//!     .send()
//!     .await;
//! assert_eq!(resp.status, 200);
//! assert_eq!(resp.json()["token"].as_str().unwrap().len(), 40);
//!
//! // A builder is also a future: `.send()` may be left out.
//! let resp = client.get("/api-token-auth/").await;
//! assert_eq!(resp.status, 405);
//! assert_eq!(resp.json()["detail"], "Method \"GET\" not allowed.");
//! # });
//! ```
//!
//! [`test_app`] and [`test_config`] give each test a fresh database: in-memory SQLite, or with
//! `DRF_TEST_DATABASE=postgres` a new PostgreSQL database on the server of
//! `DRF_TEST_POSTGRES_URL`, dropped when the test's last handle on it goes ([`TestBackend`],
//! [`TestDatabase`]).
//!
//! What the client does as Django's test client does: the `Host` header is `testserver` and
//! the peer address 127.0.0.1 unless set; a body gets its `Content-Length`; paths with
//! characters a URI cannot hold (spaces, non-ASCII) are percent-encoded as UTF-8; the body of
//! an answer to HEAD is dropped. As the server does, a body larger than
//! [`Config::max_body_size`] is answered 413 and a panic in the router is a 500 answer.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::db::{Db, NewUser};
use crate::error::ApiError;
use crate::request::ForcedAuth;
use crate::router::Router;
use crate::server::handle_guarded;
use crate::settings::{Config, DefaultSettings, Settings};
use crate::user::{Auth, Token, User};

/// The boundary of [`RequestBuilder::multipart`] bodies (Django's test client's).
pub const MULTIPART_BOUNDARY: &str = "BoUnDaRyStRiNg";

/// Characters percent-encoded in paths given to the client (non-ASCII is always encoded).
const PATH_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// DRF's `APIClient`: sends requests to a router in process and keeps credentials between
/// requests.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use drf_runtime::test_client::{APIClient, create_user, test_app};
/// use drf_runtime::{Auth, Router};
///
/// let app = test_app().await;
/// let alice = create_user(&app, "alice", "pw").await;
/// let mut client = APIClient::new(Router::<drf_runtime::DefaultSettings>::new(), app);
/// client.credentials("Token 0123456789abcdef0123456789abcdef01234567"); // every request
/// client.force_authenticate(Some(alice), Auth::None); // skips the schemes
/// let resp = client.get("/nowhere/").send().await;
/// assert_eq!(resp.status, 404);
/// client.force_authenticate(None, Auth::None); // back to the schemes
/// client.credentials_clear();
/// # });
/// ```
pub struct APIClient<S: Settings = DefaultSettings> {
    router: Arc<Router<S>>,
    app: App,
    credentials: Option<HeaderValue>,
    forced: Option<ForcedAuth>,
}

impl<S: Settings> fmt::Debug for APIClient<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("APIClient")
            .field("router", &self.router)
            .field("credentials", &self.credentials.is_some())
            .field("forced", &self.forced)
            .finish_non_exhaustive()
    }
}

impl<S: Settings> Clone for APIClient<S> {
    fn clone(&self) -> Self {
        Self {
            router: Arc::clone(&self.router),
            app: self.app.clone(),
            credentials: self.credentials.clone(),
            forced: self.forced.clone(),
        }
    }
}

impl<S: Settings> APIClient<S> {
    /// A client of `router` over `app`, with no credentials.
    pub fn new(router: Router<S>, app: App) -> Self {
        Self::with_shared(Arc::new(router), app)
    }

    /// A client of a router shared with other clients (or a server).
    pub fn with_shared(router: Arc<Router<S>>, app: App) -> Self {
        Self {
            router,
            app,
            credentials: None,
            forced: None,
        }
    }

    /// The application state.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The router.
    pub fn router(&self) -> &Arc<Router<S>> {
        &self.router
    }

    /// DRF's `credentials(HTTP_AUTHORIZATION=…)`: every following request carries this
    /// `Authorization` header (unless it sets its own). An empty value clears it.
    ///
    /// # Panics
    /// If `authorization` is not a valid header value (use [`APIClient::credentials_bytes`]
    /// for raw bytes).
    pub fn credentials(&mut self, authorization: &str) -> &mut Self {
        self.credentials_bytes(authorization.as_bytes())
    }

    /// [`APIClient::credentials`] with raw bytes (for latin-1 and other non-UTF-8 tests).
    ///
    /// # Panics
    /// If `authorization` contains bytes no header value may hold (CR, LF, NUL…).
    pub fn credentials_bytes(&mut self, authorization: &[u8]) -> &mut Self {
        self.credentials = (!authorization.is_empty()).then(|| {
            HeaderValue::from_bytes(authorization)
                .unwrap_or_else(|e| panic!("invalid Authorization value {authorization:?}: {e}"))
        });
        self
    }

    /// DRF's `credentials()` with no arguments: no `Authorization` header from now on.
    pub fn credentials_clear(&mut self) -> &mut Self {
        self.credentials = None;
        self
    }

    /// DRF's `force_authenticate(user, token)`: following requests are authenticated as
    /// `user` with `auth`, without running any scheme. `None` goes back to the schemes.
    pub fn force_authenticate(&mut self, user: Option<User>, auth: Auth) -> &mut Self {
        self.forced = user.map(|user| ForcedAuth { user, auth });
        self
    }

    /// A request with any method: `"GET"`, `"get"` (upper-cased by the pipeline, as Django
    /// does), `"FOO"`…
    ///
    /// # Panics
    /// If `method` is not an HTTP token (empty, or with spaces or separators).
    pub fn request(&self, method: &str, path: &str) -> RequestBuilder<S> {
        let method = Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("invalid HTTP method {method:?}: {e}"));
        RequestBuilder {
            router: Arc::clone(&self.router),
            app: self.app.clone(),
            method,
            path: path.to_owned(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            peer: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            credentials: self.credentials.clone(),
            forced: self.forced.clone(),
        }
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> RequestBuilder<S> {
        self.request("GET", path)
    }

    /// A POST request.
    pub fn post(&self, path: &str) -> RequestBuilder<S> {
        self.request("POST", path)
    }

    /// A PUT request.
    pub fn put(&self, path: &str) -> RequestBuilder<S> {
        self.request("PUT", path)
    }

    /// A PATCH request.
    pub fn patch(&self, path: &str) -> RequestBuilder<S> {
        self.request("PATCH", path)
    }

    /// A DELETE request.
    pub fn delete(&self, path: &str) -> RequestBuilder<S> {
        self.request("DELETE", path)
    }

    /// A HEAD request (the answer's body is dropped).
    pub fn head(&self, path: &str) -> RequestBuilder<S> {
        self.request("HEAD", path)
    }

    /// An OPTIONS request.
    pub fn options(&self, path: &str) -> RequestBuilder<S> {
        self.request("OPTIONS", path)
    }
}

/// One request being built; [`RequestBuilder::send`] (or `.await`) answers it.
///
/// Header setters panic on names or values HTTP does not allow: this is a test helper.
#[must_use = "a request does nothing until sent"]
pub struct RequestBuilder<S: Settings = DefaultSettings> {
    router: Arc<Router<S>>,
    app: App,
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
    peer: Option<SocketAddr>,
    credentials: Option<HeaderValue>,
    forced: Option<ForcedAuth>,
}

impl<S: Settings> fmt::Debug for RequestBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

fn header_name(name: &str) -> HeaderName {
    HeaderName::from_bytes(name.as_bytes())
        .unwrap_or_else(|e| panic!("invalid header name {name:?}: {e}"))
}

impl<S: Settings> RequestBuilder<S> {
    /// Adds a header (repeat to send several values).
    ///
    /// # Panics
    /// On an invalid name or value.
    pub fn header(self, name: &str, value: &str) -> Self {
        self.header_bytes(name, value.as_bytes())
    }

    /// Adds a header with a raw byte value (latin-1 and other non-UTF-8 values).
    ///
    /// # Panics
    /// On an invalid name or a value with CR, LF or NUL.
    pub fn header_bytes(mut self, name: &str, value: &[u8]) -> Self {
        let value = HeaderValue::from_bytes(value)
            .unwrap_or_else(|e| panic!("invalid value for header {name:?}: {value:?}: {e}"));
        self.headers.append(header_name(name), value);
        self
    }

    /// Appends query parameters (`?k=v&…`, form-encoded) to the path.
    pub fn query(mut self, params: &[(&str, &str)]) -> Self {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        if !encoded.is_empty() {
            self.path
                .push(if self.path.contains('?') { '&' } else { '?' });
            self.path.push_str(&encoded);
        }
        self
    }

    /// A JSON body (`Content-Type: application/json`).
    ///
    /// # Panics
    /// If `value` cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Self {
        let body = serde_json::to_vec(value)
            .unwrap_or_else(|e| panic!("cannot serialize the JSON body: {e}"));
        self.body(body, "application/json")
    }

    /// A form body (`application/x-www-form-urlencoded`).
    pub fn form(self, fields: &[(&str, &str)]) -> Self {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.body(body, "application/x-www-form-urlencoded")
    }

    /// A `multipart/form-data` body of text fields, with boundary [`MULTIPART_BOUNDARY`].
    pub fn multipart(self, fields: &[(&str, &str)]) -> Self {
        let mut body = String::new();
        for (name, value) in fields {
            let name = name.replace('\\', "\\\\").replace('"', "\\\"");
            body.push_str(&format!(
                "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{MULTIPART_BOUNDARY}--\r\n"));
        self.body(
            body,
            &format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
        )
    }

    /// A raw body with a `Content-Type` (none when `content_type` is empty).
    ///
    /// # Panics
    /// If `content_type` is not a valid header value.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = body.into();
        self.headers.remove(header::CONTENT_TYPE);
        if !content_type.is_empty() {
            self = self.header("content-type", content_type);
        }
        self
    }

    /// The peer address the request comes from (default 127.0.0.1).
    pub fn peer(mut self, peer: SocketAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Sends the request through the router and returns the answer.
    ///
    /// # Panics
    /// If the path is not a valid request target even after percent-encoding.
    pub async fn send(self) -> TestResponse {
        let Self {
            router,
            app,
            method,
            path,
            mut headers,
            body,
            peer,
            credentials,
            forced,
        } = self;
        let target = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        let uri = http::Uri::try_from(target.as_str())
            .or_else(|_| http::Uri::try_from(utf8_percent_encode(&target, PATH_ENCODE).to_string()))
            .unwrap_or_else(|e| panic!("invalid request path {target:?}: {e}"));
        if let Some(value) = credentials {
            if !headers.contains_key(header::AUTHORIZATION) {
                headers.insert(header::AUTHORIZATION, value);
            }
        }
        if !headers.contains_key(header::HOST) {
            headers.insert(header::HOST, HeaderValue::from_static("testserver"));
        }
        if !body.is_empty() && !headers.contains_key(header::CONTENT_LENGTH) {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        let is_head = method.as_str().eq_ignore_ascii_case("HEAD");
        let too_large = body.len() > app.config().max_body_size;
        let mut req = http::Request::new(body);
        *req.method_mut() = method;
        *req.uri_mut() = uri;
        *req.headers_mut() = headers;
        if let Some(forced) = forced {
            req.extensions_mut().insert(forced);
        }
        let resp = if too_large {
            ApiError::PayloadTooLarge.into_response_with(None)
        } else {
            handle_guarded(&router, &app, req, peer).await
        };
        let (parts, body) = resp.into_parts();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: if is_head { Bytes::new() } else { body },
        }
    }
}

impl<S: Settings> IntoFuture for RequestBuilder<S> {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The answer to a test request.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (empty for HEAD).
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON.
    ///
    /// # Panics
    /// If the body is not JSON; the message shows the status and the body.
    pub fn json(&self) -> Value {
        self.json_as()
    }

    /// The body deserialized as `T`.
    ///
    /// # Panics
    /// If the body does not deserialize; the message shows the status and the body.
    pub fn json_as<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "response body is not the expected JSON ({e}); status {}, body: {}",
                self.status,
                self.text()
            )
        })
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The configuration of [`test_app`]: the defaults of [`DefaultSettings`] with 1,000 PBKDF2
/// iterations (fast hashing; never use it in production) and a fresh database: in-memory
/// SQLite, or with `DRF_TEST_DATABASE=postgres` a new PostgreSQL database on the server of
/// `DRF_TEST_POSTGRES_URL` (see [`TestBackend`]), created by [`test_app_with`] and dropped when
/// the last handle on it is dropped.
///
/// # Panics
/// If `DRF_TEST_DATABASE` asks for PostgreSQL without `DRF_TEST_POSTGRES_URL`, or names an
/// unknown backend.
pub fn test_config() -> Config {
    let mut config = Config::defaults::<DefaultSettings>();
    config.database_url = match TestBackend::from_env() {
        TestBackend::Sqlite => "sqlite::memory:".to_owned(),
        TestBackend::Postgres { admin_url } => pg_test::reserve(&admin_url),
    };
    config.hashers.pbkdf2_iterations = 1000;
    config
}

/// An application on a fresh, migrated database ([`test_config`]). Each call gets its own
/// database.
///
/// # Panics
/// If the database cannot be opened or migrated.
pub async fn test_app() -> App {
    test_app_with(test_config()).await
}

/// An application with `config`, its database (`config.database_url`) opened and migrated.
/// A PostgreSQL database named by [`test_config`] is created first (once, however many apps
/// share the configuration) and dropped with the last of them.
///
/// # Panics
/// If the database cannot be opened or migrated.
pub async fn test_app_with(config: Config) -> App {
    let guard = pg_test::claim(&config.database_url).await;
    let mut db = Db::connect(&config.database_url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", config.database_url));
    if let Some(guard) = guard {
        db = db.with_guard(guard);
    }
    db.migrate()
        .await
        .unwrap_or_else(|e| panic!("cannot migrate {}: {e}", config.database_url));
    App::new(config, db)
}

/// Which database the test helpers use, from the environment:
/// `DRF_TEST_DATABASE=sqlite` (the default: in-memory SQLite) or `DRF_TEST_DATABASE=postgres`
/// (a fresh database per test on the server of `DRF_TEST_POSTGRES_URL`, whose role needs
/// `CREATEDB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestBackend {
    /// In-memory SQLite.
    Sqlite,
    /// PostgreSQL; `admin_url` is `DRF_TEST_POSTGRES_URL` (any existing database of the server).
    Postgres {
        /// Where to connect to create and drop the test databases.
        admin_url: String,
    },
}

impl TestBackend {
    /// Reads `DRF_TEST_DATABASE` and `DRF_TEST_POSTGRES_URL`.
    ///
    /// # Panics
    /// If PostgreSQL is asked for without a URL, or the backend is unknown: a run meant for
    /// PostgreSQL must not pass on SQLite by accident.
    pub fn from_env() -> Self {
        let wanted = std::env::var("DRF_TEST_DATABASE").unwrap_or_default();
        match wanted.trim().to_ascii_lowercase().as_str() {
            "" | "sqlite" => Self::Sqlite,
            "postgres" | "postgresql" | "pg" => match postgres_url() {
                Some(admin_url) => Self::Postgres { admin_url },
                None => panic!(
                    "DRF_TEST_DATABASE={wanted} needs DRF_TEST_POSTGRES_URL (source .ci/services.sh && start_postgres)"
                ),
            },
            other => panic!("DRF_TEST_DATABASE={other:?}: use sqlite or postgres"),
        }
    }

    /// True for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }
}

/// `DRF_TEST_POSTGRES_URL`, if set: the server PostgreSQL-only tests use. Such a test should
/// print `<name>: SKIPPED (DRF_TEST_POSTGRES_URL not set)` and return without it
/// ([`postgres_or_skip`]).
pub fn postgres_url() -> Option<String> {
    std::env::var("DRF_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// [`postgres_url`], printing a visible `SKIPPED` line for `test` when it is not set.
pub fn postgres_or_skip(test: &str) -> Option<String> {
    let url = postgres_url();
    if url.is_none() {
        skipped(test, "DRF_TEST_POSTGRES_URL not set");
    }
    url
}

/// Prints `<test>: SKIPPED (<reason>)` straight to the process's stderr, past the test
/// harness's output capture, so a skipped test shows in `cargo test`'s output although it
/// counts as passed.
pub fn skipped(test: &str, reason: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{test}: SKIPPED ({reason})");
}

pub use pg_test::TestDatabase;

/// Test databases on PostgreSQL: created per test, dropped with their last user.
mod pg_test {
    use std::collections::{HashMap, HashSet};
    use std::str::FromStr as _;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, Weak};
    use std::time::Duration;

    use sqlx::postgres::PgConnectOptions;
    use sqlx::{Connection as _, PgConnection};

    use crate::db::DbError;
    use crate::hashers::random_string;

    /// Prefix of every database made here: `drf_t_<pid>_<n>_<random>`.
    const PREFIX: &str = "drf_t_";

    /// Names handed out by `test_config`, not created yet, with their admin URL.
    static RESERVED: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);
    /// Created databases still in use, so apps sharing a configuration share the guard.
    static LIVE: Mutex<Option<HashMap<String, Weak<TestDatabase>>>> = Mutex::new(None);

    fn lock<T>(m: &Mutex<Option<T>>) -> std::sync::MutexGuard<'_, Option<T>> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn admin_options(admin_url: &str) -> Result<PgConnectOptions, DbError> {
        PgConnectOptions::from_str(admin_url)
            .map_err(|e| DbError::Other(format!("invalid DRF_TEST_POSTGRES_URL: {e}")))
    }

    fn new_name() -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        format!(
            "{PREFIX}{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789")
        )
    }

    /// The URL of `admin_url`'s server with another database.
    fn url_for(admin_url: &str, name: &str) -> String {
        let (base, query) = admin_url
            .split_once('?')
            .map_or((admin_url, None), |(b, q)| (b, Some(q)));
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let path_start = base[after_scheme..].find('/').map(|i| after_scheme + i);
        let mut url = match path_start {
            Some(i) => format!("{}/{name}", &base[..i]),
            None => format!("{base}/{name}"),
        };
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        url
    }

    /// The database name of a PostgreSQL URL.
    fn name_of(url: &str) -> Option<String> {
        let base = url.split('?').next()?;
        let after_scheme = base.find("://")? + 3;
        let path = &base[after_scheme..];
        path.split_once('/').map(|(_, name)| name.to_owned())
    }

    /// A name for `test_config`; the database is made by [`claim`].
    pub(super) fn reserve(admin_url: &str) -> String {
        let name = new_name();
        lock(&RESERVED)
            .get_or_insert_with(HashMap::new)
            .insert(name.clone(), admin_url.to_owned());
        url_for(admin_url, &name)
    }

    /// For a URL from [`reserve`]: creates the database (first call) and returns its guard.
    pub(super) async fn claim(url: &str) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        let name = name_of(url)?;
        if let Some(live) = lock(&LIVE)
            .as_ref()
            .and_then(|m| m.get(&name))
            .and_then(Weak::upgrade)
        {
            return Some(live);
        }
        let admin = lock(&RESERVED).as_mut().and_then(|m| m.remove(&name))?;
        let db = TestDatabase::create_named(&admin, &name, None)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let db = Arc::new(db);
        lock(&LIVE)
            .get_or_insert_with(HashMap::new)
            .insert(name, Arc::downgrade(&db));
        Some(db)
    }

    /// A PostgreSQL database made for one test (or a group of tests), dropped (`WITH (FORCE)`)
    /// when this value is dropped.
    #[derive(Debug)]
    pub struct TestDatabase {
        admin_url: String,
        name: String,
        url: String,
    }

    impl TestDatabase {
        /// Creates an empty database on the server of `admin_url` (`DRF_TEST_POSTGRES_URL`).
        pub async fn create(admin_url: &str) -> Result<Self, DbError> {
            Self::create_named(admin_url, &new_name(), None).await
        }

        /// Creates a copy of the database `template` (which nobody may be connected to).
        pub async fn create_from_template(
            admin_url: &str,
            template: &str,
        ) -> Result<Self, DbError> {
            Self::create_named(admin_url, &new_name(), Some(template)).await
        }

        async fn create_named(
            admin_url: &str,
            name: &str,
            template: Option<&str>,
        ) -> Result<Self, DbError> {
            let admin = admin_options(admin_url)?;
            let mut conn = PgConnection::connect_with(&admin).await?;
            static CLEANED: AtomicBool = AtomicBool::new(false);
            if !CLEANED.swap(true, Ordering::Relaxed) {
                drop_stale(&mut conn).await;
            }
            let sql = match template {
                Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
                None => format!("CREATE DATABASE \"{name}\""),
            };
            // Concurrent CREATE DATABASEs from one template can collide ("source database is
            // being accessed by other users"): retry a few times.
            let mut attempt = 0;
            loop {
                match sqlx::raw_sql(&sql).execute(&mut conn).await {
                    Ok(_) => break,
                    Err(sqlx::Error::Database(e))
                        if e.code().as_deref() == Some("55006") && attempt < 50 =>
                    {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let _ = conn.close().await;
            Ok(Self {
                admin_url: admin_url.to_owned(),
                name: name.to_owned(),
                url: url_for(admin_url, name),
            })
        }

        /// The database's URL (`postgres://…/drf_t_…`).
        pub fn url(&self) -> &str {
            &self.url
        }

        /// The database's name.
        pub fn name(&self) -> &str {
            &self.name
        }
    }

    impl Drop for TestDatabase {
        fn drop(&mut self) {
            let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
            lock(&LIVE).as_mut().map(|m| m.remove(&name));
            // Drop may run inside an async runtime: do the blocking work on a thread of its own.
            let worker = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    let Ok(admin) = admin_options(&admin_url) else {
                        return;
                    };
                    if let Ok(mut conn) = PgConnection::connect_with(&admin).await {
                        let _ = sqlx::raw_sql(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                        let _ = conn.close().await;
                    }
                });
            });
            let _ = worker.join();
        }
    }

    /// Drops test databases left by processes that are gone (a killed test run).
    async fn drop_stale(conn: &mut PgConnection) {
        if !std::path::Path::new("/proc/self").exists() {
            return; // no way to tell which processes are alive
        }
        let Ok(names) = sqlx::query_scalar::<_, String>(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'drf\\_t\\_%'",
        )
        .fetch_all(&mut *conn)
        .await
        else {
            return;
        };
        let alive: HashSet<String> = names
            .iter()
            .filter_map(|n| n.strip_prefix(PREFIX)?.split('_').next().map(str::to_owned))
            .filter(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists())
            .collect();
        for name in names {
            let pid = name.strip_prefix(PREFIX).and_then(|r| r.split('_').next());
            if pid.is_some_and(|p| !alive.contains(p)) {
                let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut *conn)
                    .await;
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn urls_name_other_databases() {
            assert_eq!(
                url_for("postgres://u@127.0.0.1:54329/drf_test", "x"),
                "postgres://u@127.0.0.1:54329/x"
            );
            assert_eq!(
                url_for("postgres://u:p@h/db?sslmode=disable", "x"),
                "postgres://u:p@h/x?sslmode=disable"
            );
            assert_eq!(url_for("postgres://h:1", "x"), "postgres://h:1/x");
            assert_eq!(name_of("postgres://u@h:1/abc?x=1").as_deref(), Some("abc"));
            assert_eq!(name_of("sqlite::memory:"), None);
            assert!(new_name().starts_with(&format!("{PREFIX}{}_", std::process::id())));
        }
    }
}

/// Creates an active, non-staff user with `password` (hashed with the app's hashers).
///
/// # Panics
/// If the database refuses (a duplicate username…).
pub async fn create_user(app: &App, username: &str, password: &str) -> User {
    create_user_with(app, username, password, |_| {}).await
}

/// Creates an active staff superuser.
///
/// # Panics
/// If the database refuses (a duplicate username…).
pub async fn create_superuser(app: &App, username: &str, password: &str) -> User {
    create_user_with(app, username, password, |u| {
        u.is_staff = true;
        u.is_superuser = true;
    })
    .await
}

/// Creates a user after `edit` has set its other fields (`is_active`, `is_staff`, `email`…).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use drf_runtime::test_client::{create_user_with, test_app};
///
/// let app = test_app().await;
/// let bob = create_user_with(&app, "bob", "pw", |u| u.is_active = false).await;
/// assert!(!bob.is_active);
/// # });
/// ```
///
/// # Panics
/// If the database refuses (a duplicate username…).
pub async fn create_user_with(
    app: &App,
    username: &str,
    password: &str,
    edit: impl FnOnce(&mut NewUser),
) -> User {
    let hash = app.passwords().make(password.to_owned()).await;
    let mut new = NewUser::new(username, hash);
    edit(&mut new);
    app.db()
        .create_user(new)
        .await
        .unwrap_or_else(|e| panic!("cannot create user {username:?}: {e}"))
}

/// The user's token, created on first use (as DRF's `Token.objects.get_or_create`).
///
/// # Panics
/// If the user has no id (anonymous) or the database refuses.
pub async fn create_token(app: &App, user: &User) -> Token {
    let id = user.id.expect("create_token needs a saved user");
    app.db()
        .get_or_create_token(id)
        .await
        .unwrap_or_else(|e| panic!("cannot create a token for user {id}: {e}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::authentication::Token as TokenScheme;
    use crate::permissions::IsAuthenticated;
    use crate::request::Request;
    use crate::response::{Response, json_response};
    use crate::view::{Explicit, View};

    /// Echoes what the pipeline saw.
    struct Echo;

    impl View for Echo {
        const NAME: &'static str = "Echo";
        const METHODS: &'static [Method] = &[Method::GET, Method::POST, Method::HEAD];
        type Authentication = Explicit<()>;
        type Permission = Explicit<()>;
        type Throttle = Explicit<()>;

        async fn handle(req: Request) -> Result<Response, ApiError> {
            let latin1 = |name: &str| {
                req.headers().get(name).map(|v| {
                    v.as_bytes()
                        .iter()
                        .map(|&b| char::from(b))
                        .collect::<String>()
                })
            };
            Ok(json_response(
                StatusCode::OK,
                &json!({
                    "method": req.method().as_str(),
                    "path": req.path(),
                    "query": req.query_params(),
                    "data": req.data()?.clone(),
                    "authorization": latin1("authorization"),
                    "x_name": latin1("x-name"),
                    "host": latin1("host"),
                    "peer": req.peer_addr().map(|p| p.ip().to_string()),
                }),
            ))
        }
    }

    /// Token only, authenticated users only.
    struct Private;

    impl View for Private {
        const NAME: &'static str = "Private";
        const METHODS: &'static [Method] = &[Method::GET];
        type Authentication = Explicit<(TokenScheme,)>;
        type Permission = Explicit<(IsAuthenticated,)>;
        type Throttle = Explicit<()>;

        async fn handle(req: Request) -> Result<Response, ApiError> {
            Ok(json_response(
                StatusCode::OK,
                &json!({"username": req.user().username, "auth": req.auth().key()}),
            ))
        }
    }

    struct Panics;

    impl View for Panics {
        const NAME: &'static str = "Panics";
        const METHODS: &'static [Method] = &[Method::GET];
        type Authentication = Explicit<()>;
        type Permission = Explicit<()>;
        type Throttle = Explicit<()>;

        async fn handle(_req: Request) -> Result<Response, ApiError> {
            panic!("boom")
        }
    }

    async fn client() -> APIClient {
        let router = Router::new()
            .route("/echo/", Echo)
            .route("/private/", Private)
            .route("/panic/", Panics);
        APIClient::new(router, test_app().await)
    }

    #[tokio::test]
    async fn bodies_reach_request_data() {
        let c = client().await;
        let r = c.post("/echo/").json(&json!({"a": [1, 2]})).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["data"], json!({"a": [1, 2]}));

        let r = c.post("/echo/").form(&[("a", "1 2"), ("b", "é")]).await;
        assert_eq!(r.json()["data"], json!({"a": "1 2", "b": "é"}));

        let r = c.post("/echo/").multipart(&[("a", "x"), ("b", "y")]).await;
        assert_eq!(r.json()["data"], json!({"a": "x", "b": "y"}));

        let r = c.post("/echo/").body("<x/>", "application/xml").await;
        assert_eq!(r.status, 415);
        assert_eq!(
            r.json(),
            json!({"detail": "Unsupported media type \"application/xml\" in request."})
        );
    }

    #[tokio::test]
    async fn defaults_and_request_options() {
        let c = client().await;
        let r = c.get("/echo/?q=a b").query(&[("r", "é&")]).await;
        let v = r.json();
        assert_eq!(v["host"], "testserver");
        assert_eq!(v["peer"], "127.0.0.1");
        assert_eq!(v["query"], json!([["q", "a b"], ["r", "é&"]]));

        let peer = SocketAddr::from(([192, 0, 2, 1], 4000));
        let r = c
            .get("/echo/")
            .peer(peer)
            .header_bytes("X-Name", b"caf\xe9")
            .await;
        assert_eq!(r.json()["peer"], "192.0.2.1");
        assert_eq!(r.json()["x_name"], "café");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
    }

    #[tokio::test]
    async fn any_method_string() {
        let c = client().await;
        let r = c.request("get", "/echo/").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["method"], "GET");
        let r = c.request("FOO", "/echo/").await;
        assert_eq!(r.status, 405);
        assert_eq!(r.json(), json!({"detail": "Method \"FOO\" not allowed."}));
        let r = c.head("/echo/").await;
        assert_eq!(r.status, 200);
        assert!(r.body.is_empty());
        let r = c.options("/echo/").await;
        assert_eq!(r.json()["name"], "Echo");
        let r = c.delete("/echo/").await;
        assert_eq!(r.status, 405);
    }

    #[tokio::test]
    async fn credentials_persist_until_cleared() {
        let mut c = client().await;
        let alice = create_user(&c.app().clone(), "alice", "pw").await;
        let token = create_token(c.app(), &alice).await;

        let r = c.get("/private/").await;
        assert_eq!(r.status, 401);
        assert_eq!(r.header("www-authenticate"), Some("Token"));

        c.credentials(&format!("Token {}", token.key));
        for _ in 0..2 {
            let r = c.get("/private/").await;
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(r.json(), json!({"username": "alice", "auth": token.key}));
        }
        // A header set on the request wins.
        let r = c
            .get("/private/")
            .header("Authorization", "Token nope")
            .await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json(), json!({"detail": "Invalid token."}));

        c.credentials("");
        assert_eq!(c.get("/private/").await.status, 401);
        c.credentials_bytes(b"Token \xe9").credentials_clear();
        assert_eq!(c.get("/echo/").await.json()["authorization"], Value::Null);
    }

    #[tokio::test]
    async fn force_authenticate_skips_the_schemes() {
        let mut c = client().await;
        let bob = create_user_with(c.app(), "bob", "pw", |u| u.is_staff = true).await;
        assert!(bob.is_staff);
        c.force_authenticate(Some(bob), Auth::None);
        let r = c.get("/private/").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json(), json!({"username": "bob", "auth": null}));
        c.force_authenticate(None, Auth::None);
        assert_eq!(c.get("/private/").await.status, 401);
    }

    #[tokio::test]
    async fn limits_and_panics_as_the_server() {
        let mut config = test_config();
        config.max_body_size = 4;
        let router = Router::<DefaultSettings>::new()
            .route("/echo/", Echo)
            .route("/panic/", Panics);
        let c = APIClient::new(router, test_app_with(config).await);
        let r = c.post("/echo/").body("12345", "text/plain").await;
        assert_eq!(r.status, 413);
        assert_eq!(r.json(), json!({"detail": "Request body is too large."}));
        let r = c.get("/panic/").await;
        assert_eq!(r.status, 500);
        assert_eq!(r.json(), json!({"detail": "A server error occurred."}));
        assert_eq!(c.get("/nope/").await.status, 404);
        let superuser = create_superuser(c.app(), "root", "pw").await;
        assert!(superuser.is_superuser && superuser.is_staff);
    }
}
