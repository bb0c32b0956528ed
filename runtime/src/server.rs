//! The HTTP/1.1 server (hyper 1 on tokio) and the router as a tower [`Service`](tower_service::Service).
//!
//! [`run`] is what `runserver` calls: bind, serve until SIGINT/SIGTERM, drain. [`serve`] does
//! the work on a listener you bound yourself and stops when your `shutdown` future resolves.
//! [`RouterService`] (from [`Router::into_service`]) lets tower layers wrap the router and axum
//! or hyper mount it.
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

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};

use crate::app::App;
use crate::config::Config;
use crate::error::ApiError;
use crate::response::Response;
use crate::router::Router;
use crate::settings::Settings;

/// The `tracing` target of the per-request log line.
pub const ACCESS_LOG_TARGET: &str = "drf::access";

/// How long a connection closed after an unread body keeps discarding what the client sends.
const LINGER: Duration = Duration::from_secs(2);

/// Pause after an accept error that is not about one connection (EMFILE, ENFILE, ENOBUFS…).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The response type of the server and of [`RouterService`].
pub type HttpResponse = http::Response<Full<Bytes>>;

// ---------------------------------------------------------------------------------------------
// One request: body, router, panic guard, access log.
// ---------------------------------------------------------------------------------------------

fn nonzero(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

/// An answer sent instead of reading the rest of the body; the connection is closed after it.
fn reject(err: ApiError) -> Response {
    let mut r = err.into_response_with(None);
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn request_timeout() -> ApiError {
    ApiError::Custom {
        status: StatusCode::REQUEST_TIMEOUT,
        detail: Cow::Borrowed("Request timeout."),
    }
}

/// Reads `body` within the limits of `config`, or returns the answer to send instead.
async fn read_body<B>(body: B, config: &Config) -> Result<Bytes, Response>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let max = config.max_body_size;
    if body.size_hint().lower() > u64::try_from(max).unwrap_or(u64::MAX) {
        return Err(reject(ApiError::PayloadTooLarge));
    }
    let collect = Limited::new(body, max).collect();
    let collected = match nonzero(config.body_timeout) {
        Some(limit) => match tokio::time::timeout(limit, collect).await {
            Ok(r) => r,
            Err(_) => return Err(reject(request_timeout())),
        },
        None => collect.await,
    };
    match collected {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(reject(ApiError::PayloadTooLarge)),
        Err(e) => {
            tracing::debug!(error = %e, "could not read the request body");
            Err(reject(ApiError::ParseError(
                "Malformed request body.".to_owned(),
            )))
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

/// [`Router::handle`] with a panic turned into DRF's 500 answer.
pub(crate) async fn handle_guarded<S: Settings>(
    router: &Router<S>,
    app: &App,
    req: http::Request<Bytes>,
    peer: Option<SocketAddr>,
) -> Response {
    match AssertUnwindSafe(router.handle(app, req, peer))
        .catch_unwind()
        .await
    {
        Ok(resp) => resp,
        Err(panic) => ApiError::Internal(format!("panic in router: {}", panic_message(&*panic)))
            .into_response_with(None),
    }
}

/// Reads the body, answers, logs. The flag is true when the body was left (partly) unread.
async fn respond<S, B>(
    router: &Router<S>,
    app: &App,
    req: http::Request<B>,
    peer: Option<SocketAddr>,
) -> (HttpResponse, bool)
where
    S: Settings,
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let access = tracing::enabled!(target: ACCESS_LOG_TARGET, tracing::Level::INFO)
        .then(|| (req.method().clone(), req.uri().clone(), Instant::now()));
    let (parts, body) = req.into_parts();
    let (resp, unread) = match read_body(body, app.config()).await {
        Ok(bytes) => {
            let req = http::Request::from_parts(parts, bytes);
            (handle_guarded(router, app, req, peer).await, false)
        }
        Err(resp) => (resp, true),
    };
    if let Some((method, uri, start)) = access {
        tracing::info!(
            target: ACCESS_LOG_TARGET,
            method = %method,
            path = uri.path(),
            status = resp.status().as_u16(),
            elapsed = ?start.elapsed(),
            "{} {} {}",
            method,
            uri.path(),
            resp.status().as_u16(),
        );
    }
    (resp.map(Full::new), unread)
}

// ---------------------------------------------------------------------------------------------
// Per-connection state: timeouts and lingering close.
// ---------------------------------------------------------------------------------------------

const NONE: u64 = u64::MAX;

/// What the connection is doing, shared by its IO wrapper, its service and its watchdog (all
/// polled by the connection's task; atomics only because the task may move between threads).
#[derive(Debug)]
struct ConnState {
    start: Instant,
    header_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    /// Requests handed to the service and not answered yet (0 or 1 for HTTP/1).
    in_flight: AtomicU32,
    /// Milliseconds since `start` at which the head now being read began (`NONE`: no byte of
    /// the next request yet). 0 initially: the first head counts from the accept.
    head_started: AtomicU64,
    /// Milliseconds since `start` of the last answer or write.
    idle_since: AtomicU64,
    /// The last answer left the body unread: linger before closing.
    linger: AtomicBool,
}

impl ConnState {
    fn new(config: &Config) -> Self {
        Self {
            start: Instant::now(),
            header_timeout: nonzero(config.header_timeout),
            idle_timeout: nonzero(config.idle_timeout),
            in_flight: AtomicU32::new(0),
            head_started: AtomicU64::new(0),
            idle_since: AtomicU64::new(0),
            linger: AtomicBool::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn on_read(&self) {
        if self.in_flight.load(Ordering::Relaxed) == 0
            && self.head_started.load(Ordering::Relaxed) == NONE
        {
            self.head_started.store(self.now_ms(), Ordering::Relaxed);
        }
    }

    fn on_write(&self) {
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            self.idle_since.store(self.now_ms(), Ordering::Relaxed);
        }
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_started.store(NONE, Ordering::Relaxed);
    }

    fn request_finished(&self) {
        self.idle_since.store(self.now_ms(), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    /// When the connection must be closed if nothing changes; `None` while a request runs.
    fn deadline(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let at = |ms: u64, d: Duration| self.start + Duration::from_millis(ms) + d;
        match self.head_started.load(Ordering::Relaxed) {
            NONE => self
                .idle_timeout
                .map(|d| at(self.idle_since.load(Ordering::Relaxed), d)),
            ms => self.header_timeout.map(|d| at(ms, d)),
        }
    }
}

/// Decrements the in-flight count when the request's future ends (answered or dropped).
struct InFlight(Arc<ConnState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// Resolves when [`ConnState::deadline`] has passed. Re-reads the deadline on every poll; it
/// is polled right after the connection in the same task, so it sees every state change.
struct Watchdog {
    state: Arc<ConnState>,
    sleep: Pin<Box<Sleep>>,
    armed: Option<Instant>,
}

impl Watchdog {
    fn new(state: Arc<ConnState>) -> Self {
        let first = state.deadline();
        let sleep = Box::pin(tokio::time::sleep_until(
            first.unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400)),
        ));
        Self {
            state,
            sleep,
            armed: first,
        }
    }
}

impl Future for Watchdog {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            // No deadline while a request runs: the connection's own progress wakes the task.
            let Some(deadline) = this.state.deadline() else {
                return Poll::Pending;
            };
            if this.armed != Some(deadline) {
                this.sleep.as_mut().reset(deadline);
                this.armed = Some(deadline);
            }
            ready!(this.sleep.as_mut().poll(cx));
            if this.state.deadline() == Some(deadline) {
                return Poll::Ready(());
            }
        }
    }
}

/// The socket, recording reads and writes in the state, and lingering on shutdown when asked.
struct ConnIo {
    stream: TcpStream,
    state: Arc<ConnState>,
    write_shut: bool,
    linger: Option<Pin<Box<Sleep>>>,
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.state.on_read();
        }
        r
    }
}

impl ConnIo {
    fn wrote(&self, r: &Poll<io::Result<usize>>) {
        if matches!(r, Poll::Ready(Ok(n)) if *n > 0) {
            self.state.on_write();
        }
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.wrote(&r);
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.wrote(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    /// Sends FIN; then, if the last answer left a body unread, reads and discards until the
    /// client closes or [`LINGER`] passes, so that closing does not reset the connection
    /// (which could destroy the answer before the client reads it).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.write_shut {
            ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            this.write_shut = true;
            if !this.state.linger.load(Ordering::Relaxed) {
                return Poll::Ready(Ok(()));
            }
            this.linger = Some(Box::pin(tokio::time::sleep(LINGER)));
        }
        let Some(deadline) = this.linger.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut scratch = [0u8; 8192];
        loop {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => {
                    ready!(deadline.as_mut().poll(cx));
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

/// What the service of one connection shares.
struct ConnShared<S: Settings> {
    router: Arc<Router<S>>,
    app: App,
    peer: SocketAddr,
    state: Arc<ConnState>,
}

/// The hyper service of one connection.
struct ConnService<S: Settings>(Arc<ConnShared<S>>);

impl<S: Settings> hyper::service::Service<http::Request<Incoming>> for ConnService<S> {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture<Result<HttpResponse, Infallible>>;

    fn call(&self, req: http::Request<Incoming>) -> Self::Future {
        self.0.state.request_started();
        let guard = InFlight(Arc::clone(&self.0.state));
        let shared = Arc::clone(&self.0);
        Box::pin(async move {
            let (resp, unread) = respond(&shared.router, &shared.app, req, Some(shared.peer)).await;
            if unread {
                shared.state.linger.store(true, Ordering::Relaxed);
            }
            drop(guard);
            Ok(resp)
        })
    }
}

async fn serve_connection<S: Settings>(
    stream: TcpStream,
    peer: SocketAddr,
    router: Arc<Router<S>>,
    app: App,
    mut stop: watch::Receiver<()>,
) {
    // Answers are written in one go; do not let Nagle hold the last segment back.
    let _ = stream.set_nodelay(true);
    let state = Arc::new(ConnState::new(app.config()));
    let io = ConnIo {
        stream,
        state: Arc::clone(&state),
        write_shut: false,
        linger: None,
    };
    let service = ConnService(Arc::new(ConnShared {
        router,
        app,
        peer,
        state: Arc::clone(&state),
    }));
    let conn = http1::Builder::new()
        // The watchdog enforces the header and idle timeouts (hyper's own header timeout would
        // also cut idle keep-alive connections at the header timeout).
        .header_read_timeout(None)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut watchdog = Watchdog::new(state);
    let mut draining = false;
    loop {
        tokio::select! {
            biased;
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stop.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
            () = &mut watchdog => {
                tracing::debug!(%peer, "closing connection: header or idle timeout");
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The accept loop.
// ---------------------------------------------------------------------------------------------

/// Errors of `accept` that concern one connection only: carry on at once.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

/// Serves `router` on `listener` (HTTP/1.1 with keep-alive) until `shutdown` resolves, then
/// drains: see the [module documentation](self) for limits, timeouts and shutdown.
///
/// Accept errors never end the loop: a per-connection error is skipped, any other (too many
/// open files…) is logged and retried after a short pause. The result is `Ok` once drained.
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
    let router = Arc::new(router);
    let grace = app.config().shutdown_grace;
    let (stop_tx, stop_rx) = watch::channel(());
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(done) = connections.join_next(), if !connections.is_empty() => {
                if let Err(e) = done {
                    tracing::error!(error = %e, "connection task failed");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(
                        stream,
                        peer,
                        Arc::clone(&router),
                        app.clone(),
                        stop_rx.clone(),
                    ));
                }
                Err(e) if is_connection_error(&e) => {
                    tracing::debug!(error = %e, "accept: connection failed");
                }
                Err(e) => {
                    tracing::error!(error = %e, "accept failed; retrying shortly");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                }
            },
        }
    }

    // Refuse new connections from now on.
    drop(listener);
    let _ = stop_tx.send(());
    if !connections.is_empty() {
        tracing::info!(
            connections = connections.len(),
            grace = ?grace,
            "shutting down: waiting for requests in progress"
        );
    }
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await
    .is_ok();
    if !drained {
        tracing::warn!(
            connections = connections.len(),
            "shutdown grace period over: closing the remaining connections"
        );
        connections.shutdown().await;
    }
    tracing::info!("server stopped");
    Ok(())
}

/// Resolves on the first SIGINT or SIGTERM (Ctrl-C elsewhere than Unix).
#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> io::Result<Self> {
        Ok(Self)
    }

    async fn recv(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Binds `addr`, prints `Starting server at http://ADDR/` (the real port when `addr` has port
/// 0) as the only line on stderr, and serves `router` until SIGINT or SIGTERM; then drains
/// for up to [`Config::shutdown_grace`] (a second signal stops at once).
///
/// ```no_run
/// # async fn doc(app: drf_runtime::App) -> std::io::Result<()> {
/// let router: drf_runtime::Router = drf_runtime::Router::new();
/// let addr = app.config().bind;
/// drf_runtime::server::run(router, app, addr).await
/// # }
/// ```
pub async fn run<S: Settings>(router: Router<S>, app: App, addr: SocketAddr) -> io::Result<()> {
    let mut signals = Signals::new()?;
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
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
        res = serve(router, app, listener, shutdown) => res,
        () = signals => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The router as a tower (and hyper) service.
// ---------------------------------------------------------------------------------------------

/// The client's address, for [`RouterService`]: a layer in front of it (or the code accepting
/// connections) puts it into the request's extensions; [`Request::peer_addr`] then returns it.
///
/// [`Request::peer_addr`]: crate::request::Request::peer_addr
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The router as a tower [`Service`](tower_service::Service) (and a hyper
/// [`Service`](hyper::service::Service)): tower-http layers wrap it, axum mounts it
/// (`nest_service`, `fallback_service`), hyper serves it.
///
/// It reads any body whose data is [`Bytes`] up to [`Config::max_body_size`] within
/// [`Config::body_timeout`] (413 and 408 as the [server](self) answers), turns a panic into a
/// 500 and never fails (`Error = Infallible`). Connection timeouts are the business of whatever
/// serves it. The peer address comes from a [`PeerAddr`] extension, if any.
///
/// ```
/// # async fn doc(app: drf_runtime::App) {
/// use tower_service::Service;
///
/// let mut svc = drf_runtime::Router::<drf_runtime::DefaultSettings>::new().into_service(app);
/// let req = http::Request::get("/nowhere/")
///     .body(http_body_util::Full::new(bytes::Bytes::new()))
///     .unwrap();
/// let resp = svc.call(req).await.unwrap();
/// assert_eq!(resp.status(), 404);
/// # }
/// ```
pub struct RouterService<S: Settings> {
    router: Arc<Router<S>>,
    app: App,
}

impl<S: Settings> Clone for RouterService<S> {
    fn clone(&self) -> Self {
        Self {
            router: Arc::clone(&self.router),
            app: self.app.clone(),
        }
    }
}

impl<S: Settings> fmt::Debug for RouterService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterService")
            .field("router", &self.router)
            .finish_non_exhaustive()
    }
}

impl<S: Settings> RouterService<S> {
    /// A service answering with `router` and `app`.
    pub fn new(router: Arc<Router<S>>, app: App) -> Self {
        Self { router, app }
    }

    /// The router.
    pub fn router(&self) -> &Arc<Router<S>> {
        &self.router
    }

    /// The application state.
    pub fn app(&self) -> &App {
        &self.app
    }

    fn answer<B>(&self, req: http::Request<B>) -> BoxFuture<Result<HttpResponse, Infallible>>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let this = self.clone();
        Box::pin(async move {
            let peer = req.extensions().get::<PeerAddr>().map(|p| p.0);
            Ok(respond(&this.router, &this.app, req, peer).await.0)
        })
    }
}

impl<S: Settings> Router<S> {
    /// This router as a tower service over `app`: see [`RouterService`].
    pub fn into_service(self, app: App) -> RouterService<S> {
        RouterService::new(Arc::new(self), app)
    }
}

impl<S, B> tower_service::Service<http::Request<B>> for RouterService<S>
where
    S: Settings,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture<Result<HttpResponse, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        self.answer(req)
    }
}

impl<S, B> hyper::service::Service<http::Request<B>> for RouterService<S>
where
    S: Settings,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture<Result<HttpResponse, Infallible>>;

    fn call(&self, req: http::Request<B>) -> Self::Future {
        self.answer(req)
    }
}
