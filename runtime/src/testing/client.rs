//! [`APIClient`] and its [`RequestBuilder`].

use std::fmt;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use super::response::TestResponse;
use crate::app::App;
use crate::error::ApiError;
use crate::request::ForcedAuth;
use crate::router::Router;
use crate::server::handle_guarded;
use crate::settings::{DefaultSettings, Settings};
use crate::user::{Auth, User};

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
/// use drf_runtime::testing::{APIClient, create_user, test_app};
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
    ///
    /// # Panics
    /// When a routed view takes a `State<T>` the router was not given (as the server refuses
    /// to start).
    pub fn with_shared(router: Arc<Router<S>>, app: App) -> Self {
        if let Err(e) = router.check_states() {
            panic!("{e}");
        }
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
