//! The framework's router inside an axum application.
//!
//! [`app`] builds one axum `Router`:
//!
//! - axum's own routes (`GET /healthz`) beside the framework's, which are mounted with
//!   `nest_service("/api", …)` and keep their authentication, permissions and DRF answers;
//! - tower-http's layers around both: CORS (a preflight is answered by the layer, before any
//!   authentication runs), tracing, gzip compression and a request timeout.
//!
//! `src/main.rs` serves it; `tests/axum.rs` holds all of the above.

use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request as AxumRequest};
use axum::http::{self, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::routing::get;
use drf::prelude::*;
use drf::server::PeerAddr;
use drf::views::obtain_auth_token;
use drf::{App, api_view};
use futures_util::future::Either;
use serde_json::Value;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Cors, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_layer::Layer;
use tower_service::Service;

/// The framework's settings for the API under `/api`.
pub mod settings {
    drf::settings! {
        DEFAULT_AUTHENTICATION_CLASSES = [Token, Session];
        DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
    }
}

use settings::Settings;

/// Where the framework's router is mounted.
pub const API_PREFIX: &str = "/api";

#[api_view(GET)]
/// The authenticated caller.
pub async fn me(user: User) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "is_staff": user.is_staff,
    }))
}

/// The framework's routes, as the API sees them (without the `/api` prefix).
pub fn api() -> Router<Settings> {
    Router::new()
        .route("/api-token-auth/", obtain_auth_token)
        .route("/me/", me)
}

/// What the layers are told.
#[derive(Debug, Clone)]
pub struct Options {
    /// The origins a browser may call the API from (django-cors-headers'
    /// `CORS_ALLOWED_ORIGINS`), such as `https://app.example.com`.
    pub cors_allowed_origins: Vec<HeaderValue>,
    /// How long a request may take, body included, before the answer is `408`.
    pub timeout: Duration,
}

impl Options {
    /// From the environment: `CORS_ALLOWED_ORIGINS` (comma-separated; default
    /// `http://localhost:3000`) and `REQUEST_TIMEOUT_SECS` (default 30).
    ///
    /// # Errors
    ///
    /// A variable that does not parse, named in the message.
    pub fn from_env() -> Result<Self, String> {
        let origins = std::env::var("CORS_ALLOWED_ORIGINS")
            .unwrap_or_else(|_| "http://localhost:3000".to_owned());
        let cors_allowed_origins = origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                HeaderValue::from_str(o)
                    .ok()
                    .filter(|_| o.starts_with("http://") || o.starts_with("https://"))
                    .ok_or_else(|| format!("CORS_ALLOWED_ORIGINS: {o:?} is not an origin"))
            })
            .collect::<Result<_, _>>()?;
        let timeout = match std::env::var("REQUEST_TIMEOUT_SECS") {
            Ok(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| format!("REQUEST_TIMEOUT_SECS: {v:?} is not a positive integer"))?,
            Err(_) => Duration::from_secs(30),
        };
        Ok(Self {
            cors_allowed_origins,
            timeout,
        })
    }
}

/// The whole application: axum's routes, the framework's [`api`] under [`API_PREFIX`], the
/// layers.
pub fn app(drf: App, options: &Options) -> axum::Router {
    mount(api(), drf, options)
}

/// [`app`] with the framework's routes `api`.
pub fn mount(api: Router<Settings>, drf: App, options: &Options) -> axum::Router {
    let api = api.into_service(drf).with_script_name(API_PREFIX);
    let cors = CorsLayer::new()
        .allow_origin(options.cors_allowed_origins.clone())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-csrftoken"),
        ])
        // Session logins: the browser sends the cookie with its cross-origin calls.
        .allow_credentials(true)
        .max_age(Duration::from_secs(3600));
    axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest_service(API_PREFIX, api)
        // The last layer added is the outermost: tracing sees every request; CORS answers
        // preflights before anything below runs and adds its headers to every answer (the
        // 408 and the framework's 401 included, so that a browser can read them).
        .layer(axum::middleware::map_request(peer_addr))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            options.timeout,
        ))
        .layer(CompressionLayer::new())
        .layer(PreflightCors(cors))
        .layer(TraceLayer::new_for_http())
}

/// tower-http's CORS layer, minus one thing: an `OPTIONS` request that is not a preflight (it
/// has no `Access-Control-Request-Method`) goes on to the service, as django-cors-headers lets
/// it, so that DRF's `OPTIONS` answer (the view's metadata, after authentication) stays
/// reachable. `CorsLayer` alone answers every `OPTIONS` request itself.
#[derive(Debug, Clone)]
pub struct PreflightCors(pub CorsLayer);

impl<S: Clone> Layer<S> for PreflightCors {
    type Service = PreflightCorsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PreflightCorsService {
            cors: self.0.layer(inner.clone()),
            inner,
        }
    }
}

/// The service of [`PreflightCors`].
#[derive(Debug, Clone)]
pub struct PreflightCorsService<S> {
    cors: Cors<S>,
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for PreflightCorsService<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    R: Default,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = Either<<Cors<S> as Service<http::Request<B>>>::Future, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Both wrap clones of one service (axum's routes are always ready).
        match self.cors.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.inner.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let plain_options = req.method() == Method::OPTIONS
            && !req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if plain_options {
            Either::Right(self.inner.call(req))
        } else {
            Either::Left(self.cors.call(req))
        }
    }
}

/// The client's address, from axum's `ConnectInfo` (served with
/// `into_make_service_with_connect_info`) to the framework's [`PeerAddr`]: the throttles'
/// `REMOTE_ADDR`.
async fn peer_addr(mut req: AxumRequest) -> AxumRequest {
    if let Some(&ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        req.extensions_mut().insert(PeerAddr(addr));
    }
    req
}
