//! The HTTP/1.1 server (hyper 1 on tokio) and the router as a tower [`Service`](tower_service::Service).
//!
//! [`run`] is what `runserver` calls: bind, serve until SIGINT/SIGTERM, drain. [`serve`] does
//! the work on a listener you bound yourself and stops when your `shutdown` future resolves.
//! [`RouterService`] (from [`Router::into_service`]) lets tower layers wrap the router and axum
//! or hyper mount it; under a mount that strips a prefix, [`ScriptName`] keeps it in what goes
//! back out. [`start_up`] is what a `main` serving by itself calls first, so that it logs as
//! `runserver` does.
//!
//! # What every request goes through
//!
//! 1. The body is read into memory, at most [`Config::max_body_size`] bytes. A larger body is
//!    answered `413 {"detail": "Request body is too large."}`: at once, without reading the
//!    body, when `Content-Length` announces too much; as soon as the limit is crossed for a
//!    chunked body.
//! 2. The whole body must arrive within [`Config::body_timeout`]; otherwise the answer is
//!    `408 {"detail": "Request timeout."}`. A body that cannot be decoded (bad chunked encoding)
//!    is `400 {"detail": "Malformed request body."}`. These three answers carry
//!    `Connection: close`, and the server reads and discards what the client still sends for up
//!    to two seconds before closing (a "lingering close"), so that the client sees the answer
//!    rather than a connection reset.
//! 3. [`Router::handle`] answers; a panic anywhere in it is a `500 {"detail": "A server error
//!    occurred."}` and the connection and the server carry on.
//! 4. One `tracing` event at INFO, target `drf::access`, records method, path (never the query
//!    string, which may hold credentials), status and duration. Silence it with
//!    `RUST_LOG=drf::access=off` (or any filter that excludes it).
//!
//! # Connection timeouts (the server; [`RouterService`] has none of these)
//!
//! As nginx's `client_header_timeout` and `keepalive_timeout`:
//!
//! - [`Config::header_timeout`]: a new connection must deliver its first request's complete head
//!   (request line and headers) within this time of being accepted; on a kept-alive connection,
//!   the head must be complete within this time of its first byte. A client that trickles its
//!   headers (slowloris) is disconnected when it runs out, without an answer.
//! - [`Config::idle_timeout`]: a kept-alive connection with no request in progress and no byte
//!   received is closed after this long. The clock restarts with every byte written, so it also
//!   bounds how long a client may leave a response unread.
//! - [`Config::body_timeout`]: see above. The handler itself has no time limit.
//!
//! A zero duration disables the corresponding timeout.
//!
//! At most [`Config::max_connections`] connections are open at once (25,000 by default; 0 for
//! no cap). At the cap the server stops accepting: new connections wait in the kernel's listen
//! backlog and are served as others end.
//!
//! # Malformed requests
//!
//! hyper parses the request line and headers. Whatever it cannot parse (a bad request line, a
//! header without a colon, a bad `Content-Length`, bytes that are no HTTP at all) it answers
//! with a bare `400 Bad Request` and closes the connection; heads larger than its buffer (about
//! 400 KiB) get `431`. The router never sees such requests, so these answers are not JSON.
//!
//! # Shutdown
//!
//! When `shutdown` resolves, the listener is closed at once (new connections are refused), idle
//! connections are closed, and each request in progress finishes and is answered with
//! `Connection: close`. After [`Config::shutdown_grace`], connections still open are dropped
//! and [`serve`] returns.
//!
//! [`Config::body_timeout`]: crate::config::Config::body_timeout
//! [`Config::header_timeout`]: crate::config::Config::header_timeout
//! [`Config::idle_timeout`]: crate::config::Config::idle_timeout
//! [`Config::max_connections`]: crate::config::Config::max_connections
//! [`Config::max_body_size`]: crate::config::Config::max_body_size
//! [`Config::shutdown_grace`]: crate::config::Config::shutdown_grace

// `accept`: the accept loop and the drain; `conn`: one connection (watchdog, lingering close);
// `respond`: one request (body, router behind a panic guard, access log); `body`: the body
// limits; `service`: `RouterService`; `signals`: what `run` stops on.
mod accept;
mod conn;
mod respond;
mod service;
mod signals;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;

use bytes::Bytes;
use http_body_util::Full;
use tokio::net::TcpListener;

#[cfg(any(test, feature = "testing"))]
#[cfg(any(test, feature = "testing"))]
pub(crate) use respond::handle_guarded;
pub use service::RouterService;

pub use crate::request::ScriptName;

use crate::app::App;
use crate::router::Router;
use crate::settings::Settings;

/// The `tracing` target of the per-request log line.
pub const ACCESS_LOG_TARGET: &str = "drf::access";

use crate::body::BoxError;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The response type of the server and of [`RouterService`].
pub type HttpResponse = http::Response<Full<Bytes>>;

/// The client's address, for [`RouterService`]: a layer in front of it (or the code accepting
/// connections) puts it into the request's extensions; [`Request::peer_addr`] then returns it.
///
/// [`Request::peer_addr`]: crate::request::Request::peer_addr
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// Installs a `tracing` subscriber writing to standard error (filter from `RUST_LOG`, `info` by
/// default; colours on a terminal; with `LOG_FORMAT=json`, one JSON object per line, the
/// event's fields under `fields`) unless the program installed one already. The audit events
/// ([`crate::audit`]) go through it too. [`start_up`] and
/// [`management::execute`](crate::management::execute) call it.
pub fn init_tracing() {
    use std::io::IsTerminal as _;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}

/// What every way of starting a server does before it serves, so that a `main` serving by
/// itself (the quickstart, an axum application) logs as `runserver` does: installs the tracing
/// subscriber ([`init_tracing`]) and prints [`Config::warnings`] on standard error, one line
/// each.
///
/// ```no_run
/// # async fn doc() -> Result<(), Box<dyn std::error::Error>> {
/// let config = drf_runtime::Config::from_env::<drf_runtime::DefaultSettings>()?;
/// drf_runtime::server::start_up(&config);
/// let app = drf_runtime::App::connect(config).await?;
/// # Ok(()) }
/// ```
///
/// [`Config::warnings`]: crate::config::Config::warnings
pub fn start_up(config: &crate::config::Config) {
    init_tracing();
    for warning in config.warnings() {
        eprintln!("{warning}");
    }
}

/// Serves `router` on `listener` (HTTP/1.1 with keep-alive) until `shutdown` resolves, then
/// drains: see the [module documentation](self) for limits, timeouts and shutdown.
///
/// Accept errors never end the loop: a per-connection error is skipped, any other (too many
/// open files…) is logged and retried after a short pause. The result is `Ok` once drained.
///
/// Before it accepts anything it refuses (`ErrorKind::InvalidInput`, the message naming the
/// setting) a configuration out of range ([`Config::validate`]) or a weak `SECRET_KEY` on a
/// listener beyond loopback ([`Config::check_listen`]).
///
/// [`Config::validate`]: crate::config::Config::validate
/// [`Config::check_listen`]: crate::config::Config::check_listen
///
/// ```no_run
/// # async fn doc(app: drf_runtime::App) -> std::io::Result<()> {
/// use drf_runtime::{Router, server};
///
/// let router: Router = Router::new(); // .route("/notes/", notes) …
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let server = tokio::spawn(server::serve(router, app, listener, async {
///     let _ = stopped.await;
/// }));
/// // … later:
/// let _ = stop.send(());
/// server.await.expect("server task")?;
/// # Ok(()) }
/// ```
pub async fn serve<S: Settings>(
    router: Router<S>,
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    preflight(&app, &listener)?;
    accept::accept_then_drain(router, app, listener, shutdown).await
}

/// What is checked before a server listens: [`Config::check_listen`] where it is bound.
///
/// [`Config::check_listen`]: crate::config::Config::check_listen
fn preflight(app: &App, listener: &TcpListener) -> io::Result<()> {
    app.config()
        .check_listen(listener.local_addr()?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// Binds `addr`, prints `Starting server at http://ADDR/` (the real port when `addr` has port
/// 0) as the only line on stderr, and serves `router` until SIGINT or SIGTERM; then drains
/// for up to [`Config::shutdown_grace`] (a second signal stops at once).
///
/// [`Config::shutdown_grace`]: crate::config::Config::shutdown_grace
///
/// ```no_run
/// # async fn doc(app: drf_runtime::App) -> std::io::Result<()> {
/// let router: drf_runtime::Router = drf_runtime::Router::new();
/// let addr = app.config().bind;
/// drf_runtime::server::run(router, app, addr).await
/// # }
/// ```
pub async fn run<S: Settings>(router: Router<S>, app: App, addr: SocketAddr) -> io::Result<()> {
    let mut signals = signals::Signals::new()?;
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    preflight(&app, &listener)?;
    eprintln!("Starting server at http://{local}/");
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<()>();
    let signals = async move {
        let name = signals.recv().await;
        tracing::info!(signal = name, "shutting down gracefully");
        let _ = first_tx.send(());
        let name = signals.recv().await;
        tracing::warn!(signal = name, "second signal: stopping without waiting");
    };
    let shutdown = async move {
        let _ = first_rx.await;
    };
    tokio::select! {
        res = accept::accept_then_drain(router, app, listener, shutdown) => res,
        () = signals => Ok(()),
    }
}
