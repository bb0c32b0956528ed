//! One connection: the socket wrapper, the watchdog behind the header and idle timeouts, the
//! lingering close, and the hyper HTTP/1 connection that ties them to the router.
//!
//! hyper's own `header_read_timeout` also applies between requests on a kept-alive connection
//! and hyper has no idle timeout at all, so both are enforced here: the socket wrapper
//! ([`ConnIo`]) and the service note what the connection is doing in a [`ConnState`], and the
//! [`Watchdog`] closes the connection once the state's deadline passes.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::Watcher;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::respond::respond;
use crate::app::App;
use crate::body::nonzero;
use crate::config::Config;
use crate::router::Router;
use crate::settings::Settings;

/// How long a connection closed after an unread body keeps discarding what the client sends.
const LINGER: Duration = Duration::from_secs(2);

/// `head_started` when no byte of the next request has arrived.
const NO_HEAD: u64 = u64::MAX;

/// What the connection is doing, written by its IO wrapper and its service and read by its
/// watchdog. All three are polled by the connection's one task; the fields are atomics only
/// because that task may move between threads.
#[derive(Debug)]
struct ConnState {
    start: Instant,
    header_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    /// Requests handed to the service and not answered yet (0 or 1 for HTTP/1).
    in_flight: AtomicU32,
    /// When (milliseconds after `start`) the first byte of the head being read arrived, or
    /// [`NO_HEAD`]. Starts at 0: the first head is timed from the accept.
    head_started: AtomicU64,
    /// When (milliseconds after `start`) the last answer finished or the last byte was written.
    idle_since: AtomicU64,
    /// The last answer was sent without reading the whole body: linger before closing.
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

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NO_HEAD - 1)
    }

    fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0
    }

    /// Bytes arrived: between requests, they begin the next head.
    fn bytes_read(&self) {
        if self.idle() && self.head_started.load(Ordering::Relaxed) == NO_HEAD {
            self.head_started
                .store(self.elapsed_ms(), Ordering::Relaxed);
        }
    }

    /// Bytes left: between requests, that restarts the idle clock.
    fn bytes_written(&self) {
        if self.idle() {
            self.idle_since.store(self.elapsed_ms(), Ordering::Relaxed);
        }
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_started.store(NO_HEAD, Ordering::Relaxed);
    }

    fn request_finished(&self) {
        self.idle_since.store(self.elapsed_ms(), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    /// When the connection is to be closed if nothing happens before; `None` while a request
    /// is being served (or when the applicable timeout is disabled).
    fn deadline(&self) -> Option<Instant> {
        if !self.idle() {
            return None;
        }
        let after = |ms: u64, timeout: Duration| self.start + Duration::from_millis(ms) + timeout;
        match self.head_started.load(Ordering::Relaxed) {
            NO_HEAD => {
                let since = self.idle_since.load(Ordering::Relaxed);
                self.idle_timeout.map(|t| after(since, t))
            }
            began => self.header_timeout.map(|t| after(began, t)),
        }
    }
}

/// Marks the request finished when dropped: when its answer is ready, or when hyper drops the
/// unfinished request (the client went away).
struct InFlight(Arc<ConnState>);

impl InFlight {
    fn start(state: &Arc<ConnState>) -> Self {
        state.request_started();
        Self(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// Resolves once [`ConnState::deadline`] has passed. The deadline is read again on every
/// poll; being polled right after the connection, in the same task, the watchdog sees every
/// change the connection makes.
///
/// The timer is moved only when the deadline comes earlier than it is set for: a deadline
/// that moves later (every answer moves the idle one) is left to the timer, which fires at
/// the old one and is then set again. That spares a timer reset, a lock on tokio's timer
/// wheel, per request.
struct Watchdog {
    state: Arc<ConnState>,
    timer: Pin<Box<Sleep>>,
    /// The deadline `timer` is set to; `None` once it has fired.
    set_for: Option<Instant>,
}

impl Watchdog {
    fn new(state: Arc<ConnState>) -> Self {
        let first = state.deadline();
        // Without a deadline the timer is only a placeholder until one appears.
        let placeholder = || Instant::now() + Duration::from_secs(86_400);
        Self {
            timer: Box::pin(tokio::time::sleep_until(first.unwrap_or_else(placeholder))),
            set_for: Some(first.unwrap_or_else(placeholder)),
            state,
        }
    }
}

impl Future for Watchdog {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            // While a request is served the connection's own progress wakes the task.
            let Some(deadline) = this.state.deadline() else {
                return Poll::Pending;
            };
            if this.set_for.is_none_or(|set| deadline < set) {
                this.timer.as_mut().reset(deadline);
                this.set_for = Some(deadline);
            }
            ready!(this.timer.as_mut().poll(cx));
            this.set_for = None;
            // The timer fired; it counts only if the deadline has passed (it may have moved
            // later meanwhile: then the loop sets the timer for it).
            if this.state.deadline().is_some_and(|d| d <= Instant::now()) {
                return Poll::Ready(());
            }
        }
    }
}

/// The socket. Reports reads and writes to the [`ConnState`] and, when the last answer left a
/// body unread, lingers on shutdown.
struct ConnIo {
    stream: TcpStream,
    state: Arc<ConnState>,
    /// FIN has been sent.
    write_closed: bool,
    /// Running while the connection lingers.
    linger: Option<Pin<Box<Sleep>>>,
}

impl ConnIo {
    fn new(stream: TcpStream, state: Arc<ConnState>) -> Self {
        Self {
            stream,
            state,
            write_closed: false,
            linger: None,
        }
    }

    fn note_write(&self, written: &Poll<io::Result<usize>>) {
        if matches!(written, Poll::Ready(Ok(n)) if *n > 0) {
            self.state.bytes_written();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let had = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > had {
            this.state.bytes_read();
        }
        read
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.note_write(&written);
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.note_write(&written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    /// Sends FIN. Then, if the last answer left a body unread, reads and throws away what the
    /// client still sends until it closes or [`LINGER`] is over: closing a socket with unread
    /// data resets the connection, which can destroy the answer before the client reads it.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.write_closed {
            ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            this.write_closed = true;
            if !this.state.linger.load(Ordering::Relaxed) {
                return Poll::Ready(Ok(()));
            }
            this.linger = Some(Box::pin(tokio::time::sleep(LINGER)));
        }
        let Some(linger) = this.linger.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut discard = [0u8; 8192];
        loop {
            let mut buf = ReadBuf::new(&mut discard);
            match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => {
                    ready!(linger.as_mut().poll(cx));
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

/// What every request of one connection needs.
struct ConnShared<S: Settings> {
    router: Arc<Router<S>>,
    app: App,
    peer: SocketAddr,
    state: Arc<ConnState>,
}

/// Serves one accepted connection (HTTP/1.1, keep-alive) until the client closes it, a
/// timeout closes it, or — once `shutdown` fires — its request in progress is answered.
pub(super) async fn serve_connection<S: Settings>(
    stream: TcpStream,
    peer: SocketAddr,
    router: Arc<Router<S>>,
    app: App,
    shutdown: Watcher,
) {
    // Answers are written in one go; Nagle would only hold their last segment back.
    let _ = stream.set_nodelay(true);
    let state = Arc::new(ConnState::new(app.config()));
    let io = ConnIo::new(stream, Arc::clone(&state));
    let shared = Arc::new(ConnShared {
        router,
        app,
        peer,
        state: Arc::clone(&state),
    });
    let service = service_fn(move |req: http::Request<Incoming>| {
        let in_flight = InFlight::start(&shared.state);
        let shared = Arc::clone(&shared);
        async move {
            let (resp, unread) = respond(&shared.router, &shared.app, req, Some(shared.peer)).await;
            if unread {
                shared.state.linger.store(true, Ordering::Relaxed);
            }
            drop(in_flight);
            Ok::<_, Infallible>(resp)
        }
    });
    let conn = http1::Builder::new()
        // The watchdog does this (hyper's header timeout would also cut idle kept-alive
        // connections at the header timeout).
        .header_read_timeout(None)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    // On shutdown hyper closes the connection if it is idle, or else once the request in
    // progress is answered (with `Connection: close`).
    let conn = shutdown.watch(conn);
    let watchdog = Watchdog::new(state);
    tokio::select! {
        biased;
        ended = conn => {
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        }
        () = watchdog => {
            tracing::debug!(%peer, "closing connection: header or idle timeout");
        }
    }
}
