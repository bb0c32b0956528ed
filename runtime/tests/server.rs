//! The server over real sockets: limits, timeouts, malformed input, panics, graceful shutdown.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use drf_runtime::Config;
use drf_runtime::error::ApiError;
use drf_runtime::http::Method;
use drf_runtime::server::{self, PeerAddr};
use drf_runtime::testing::{test_app_with, test_config};
use drf_runtime::view::{Explicit, View};
use drf_runtime::{DefaultSettings, IntoResponse, Json, Request, Response, Router};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// ------------------------------------------------------------------------------------------
// Views written by hand (no macros in this crate's tests).
// ------------------------------------------------------------------------------------------

/// Echoes method, path, peer and body.
struct Echo;

impl View for Echo {
    const NAME: &'static str = "Echo";
    const METHODS: &'static [Method] = &[Method::GET, Method::POST];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = drf_runtime::view::FromSettings;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        Ok(drf_runtime::response::json_response(
            http::StatusCode::OK,
            &json!({
                "method": req.method().as_str(),
                "path": req.path(),
                "peer_ip": req.peer_addr().map(|p| p.ip().to_string()),
                "len": req.body().len(),
                "body": String::from_utf8_lossy(req.body()),
            }),
        ))
    }
}

/// Panics.
struct Panics;

impl View for Panics {
    const NAME: &'static str = "Panics";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = drf_runtime::view::FromSettings;

    async fn handle(_req: Request) -> Result<Response, ApiError> {
        panic!("boom");
    }
}

/// Sleeps `?ms=` milliseconds (default 2000), then answers.
struct Sleeps;

impl View for Sleeps {
    const NAME: &'static str = "Sleeps";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = drf_runtime::view::FromSettings;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        let ms = req
            .query_params()
            .iter()
            .find(|(k, _)| k == "ms")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(2000);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Json(json!({"slept_ms": ms})).try_into_response()
    }
}

fn router() -> Router<DefaultSettings> {
    Router::new()
        .route("/echo/", Echo)
        .route("/panic/", Panics)
        .route("/sleep/", Sleeps)
}

// ------------------------------------------------------------------------------------------
// A server on 127.0.0.1:0 and a raw HTTP/1.1 client.
// ------------------------------------------------------------------------------------------

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl Server {
    async fn start(configure: impl FnOnce(&mut Config)) -> Self {
        let mut config = test_config();
        configure(&mut config);
        let app = test_app_with(config).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(router(), app, listener, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    fn shutdown(&mut self) {
        let _ = self.stop.take().expect("shutdown twice").send(());
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }
}

#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// Reads one response (Content-Length bodies only, which is all the server sends).
async fn read_response(stream: &mut TcpStream) -> Raw {
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = Vec::new();
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(
                n > 0,
                "connection closed before a response: {:?}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once(':').unwrap();
                (k.trim().to_owned(), v.trim().to_owned())
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = buf[head_end..].to_vec();
        while body.len() < len {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read body");
            assert!(n > 0, "connection closed in the body");
            body.extend_from_slice(&chunk[..n]);
        }
        Raw {
            status,
            headers,
            body,
        }
    })
    .await
    .expect("no response within 5 s")
}

/// Sends `request` on a new connection and reads one response.
async fn exchange(server: &Server, request: &[u8]) -> (TcpStream, Raw) {
    let mut s = server.connect().await;
    s.write_all(request).await.unwrap();
    let r = read_response(&mut s).await;
    (s, r)
}

/// Waits until the peer closes the connection; returns how long that took. Bytes still sent
/// by the server (a response) are skipped.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    tokio::time::timeout(limit, async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("connection still open after {limit:?}"));
    start.elapsed()
}

const GET_ECHO: &[u8] = b"GET /echo/ HTTP/1.1\r\nHost: t\r\n\r\n";

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn answers_and_keeps_the_connection_alive() {
    let server = Server::start(|_| {}).await;
    let mut s = server.connect().await;
    s.write_all(GET_ECHO).await.unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("allow"), Some("GET, POST, OPTIONS"));
    let body = r.json();
    assert_eq!(body["method"], "GET");
    assert_eq!(body["path"], "/echo/");
    assert_eq!(body["peer_ip"], "127.0.0.1");

    // Same connection, a POST with a body.
    s.write_all(b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
        .await
        .unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body"], "hello");

    // Unknown path: Django's HTML 404.
    s.write_all(b"GET /nope/ HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn hyper_client_round_trip() {
    let server = Server::start(|_| {}).await;
    let io = hyper_util::rt::TokioIo::new(server.connect().await);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
    tokio::spawn(conn);
    for i in 0..3 {
        let body = format!("n={i}");
        let req = http::Request::post("/echo/")
            .header("host", "t")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["body"], body);
    }
}

#[tokio::test]
async fn lowercase_method_is_upper_cased() {
    let server = Server::start(|_| {}).await;
    let (_s, r) = exchange(&server, b"get /echo/ HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["method"], "GET");
}

#[tokio::test]
async fn unknown_method_reaches_the_view() {
    let server = Server::start(|_| {}).await;
    let (_s, r) = exchange(&server, b"FOO /echo/ HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json(), json!({"detail": "Method \"FOO\" not allowed."}));
    assert_eq!(r.header("allow"), Some("GET, POST, OPTIONS"));
}

#[tokio::test]
async fn announced_body_too_large_is_413_without_reading_it() {
    let server = Server::start(|c| c.max_body_size = 1024).await;
    // Headers only: the answer must not wait for the body.
    let mut s = server.connect().await;
    s.write_all(b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
        .await
        .unwrap();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json(), json!({"detail": "Request body is too large."}));
    assert_eq!(r.header("connection"), Some("close"));
    closed_within(&mut s, Duration::from_secs(4)).await;

    // Headers and the whole body written before reading: the client still gets the 413 (the
    // server lingers instead of resetting the connection).
    // `Expect: 100-continue` (curl, for large bodies): 413 instead of `100 Continue`.
    let (_s, r) = exchange(
        &server,
        b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 413);

    // 8 MB: more than the socket buffers hold, so the client is still writing when the
    // answer is sent.
    let mut request =
        b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 8000000\r\n\r\n"
            .to_vec();
    request.extend(std::iter::repeat_n(b'x', 8_000_000));
    let (mut s, r) = exchange(&server, &request).await;
    assert_eq!(r.status, 413);
    closed_within(&mut s, Duration::from_secs(4)).await;

    // At the limit: fine.
    let mut request =
        b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n"
            .to_vec();
    request.extend(std::iter::repeat_n(b'x', 1024));
    let (_s, r) = exchange(&server, &request).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["len"], 1024);
}

#[tokio::test]
async fn chunked_body_too_large_is_413() {
    let server = Server::start(|c| c.max_body_size = 1024).await;
    let mut s = server.connect().await;
    s.write_all(b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = [b'y'; 512];
    for _ in 0..3 {
        // The third chunk crosses the limit; the server may stop reading by then.
        let _ = s.write_all(b"200\r\n").await;
        let _ = s.write_all(&chunk).await;
        let _ = s.write_all(b"\r\n").await;
    }
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json(), json!({"detail": "Request body is too large."}));
    closed_within(&mut s, Duration::from_secs(4)).await;

    // Within the limit, chunked is read whole.
    let (_s, r) = exchange(
        &server,
        b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["body"], "abcde");
}

#[tokio::test]
async fn slow_body_is_408() {
    let server = Server::start(|c| c.body_timeout = Duration::from_secs(1)).await;
    let mut s = server.connect().await;
    s.write_all(b"POST /echo/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly ten..")
        .await
        .unwrap();
    let start = Instant::now();
    let r = read_response(&mut s).await;
    assert_eq!(r.status, 408);
    assert_eq!(r.json(), json!({"detail": "Request timeout."}));
    assert_eq!(r.header("connection"), Some("close"));
    assert!(start.elapsed() < Duration::from_secs(3));
    closed_within(&mut s, Duration::from_secs(4)).await;
}

#[tokio::test]
async fn malformed_requests_get_400_and_are_closed() {
    let server = Server::start(|_| {}).await;
    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost t\r\n\r\n",
        b"GET /echo/ HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
        b"GET /echo/ HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"GET /a b/ HTTP/1.1\r\nHost: t\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ] {
        let (mut s, r) = exchange(&server, bad).await;
        assert_eq!(r.status, 400, "{:?}", String::from_utf8_lossy(bad));
        closed_within(&mut s, Duration::from_secs(2)).await;
    }
    // A header value with bytes outside ASCII is not malformed: it reaches the view.
    let (_s, r) = exchange(
        &server,
        b"GET /echo/ HTTP/1.1\r\nHost: t\r\nX-Name: caf\xe9\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 200);
    // The server is still serving.
    let (_s, r) = exchange(&server, GET_ECHO).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn slowloris_is_disconnected_after_the_header_timeout() {
    let server = Server::start(|c| {
        c.header_timeout = Duration::from_secs(1);
        c.idle_timeout = Duration::from_secs(30);
    })
    .await;
    let mut s = server.connect().await;
    let (mut rd, mut wr) = s.split();
    let start = Instant::now();
    let trickle = async {
        for b in b"GET /echo/ HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if wr.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::future::pending::<()>().await;
    };
    let closed = async {
        let mut buf = [0u8; 64];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(4), async {
        tokio::select! {
            () = trickle => {},
            () = closed => {},
        }
    })
    .await
    .expect("slowloris connection still open after 4 s");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
    assert!(
        took < Duration::from_millis(2500),
        "closed too late: {took:?}"
    );

    // A connection that sends nothing at all gets the same time for its first request.
    let mut s = server.connect().await;
    let took = closed_within(&mut s, Duration::from_secs(4)).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let server = Server::start(|c| {
        c.header_timeout = Duration::from_secs(5);
        c.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let (mut s, r) = exchange(&server, GET_ECHO).await;
    assert_eq!(r.status, 200);
    // Active within the idle timeout: still open.
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.write_all(GET_ECHO).await.unwrap();
    assert_eq!(read_response(&mut s).await.status, 200);
    let took = closed_within(&mut s, Duration::from_secs(4)).await;
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
    assert!(
        took < Duration::from_millis(2500),
        "closed too late: {took:?}"
    );
}

#[tokio::test]
async fn idle_timeout_longer_than_header_timeout_is_honoured() {
    let server = Server::start(|c| {
        c.header_timeout = Duration::from_millis(500);
        c.idle_timeout = Duration::from_secs(3);
    })
    .await;
    let (mut s, r) = exchange(&server, GET_ECHO).await;
    assert_eq!(r.status, 200);
    // Idle for three header timeouts: a kept-alive connection waits for the idle timeout.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.write_all(GET_ECHO).await.unwrap();
    assert_eq!(read_response(&mut s).await.status, 200);
}

#[tokio::test]
async fn a_panic_is_a_500_and_the_server_carries_on() {
    let server = Server::start(|_| {}).await;
    let (mut s, r) = exchange(&server, b"GET /panic/ HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json(), json!({"detail": "A server error occurred."}));
    // The same connection still works…
    s.write_all(GET_ECHO).await.unwrap();
    assert_eq!(read_response(&mut s).await.status, 200);
    // … and so does a new one.
    let (_s, r) = exchange(&server, GET_ECHO).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn graceful_shutdown_finishes_requests_and_refuses_new_connections() {
    let mut server = Server::start(|c| c.shutdown_grace = Duration::from_secs(10)).await;
    // A slow request in progress, and an idle kept-alive connection.
    let mut slow = server.connect().await;
    slow.write_all(b"GET /sleep/?ms=2000 HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let (mut idle, r) = exchange(&server, GET_ECHO).await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let start = Instant::now();
    server.shutdown();

    // The idle connection is closed at once.
    closed_within(&mut idle, Duration::from_secs(1)).await;
    // New connections are refused.
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(server.addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "new connections still accepted after shutdown");

    // The slow request completes, with Connection: close.
    let r = read_response(&mut slow).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"slept_ms": 2000}));
    assert_eq!(r.header("connection"), Some("close"));
    closed_within(&mut slow, Duration::from_secs(1)).await;

    // And then serve returns.
    tokio::time::timeout(Duration::from_secs(2), &mut server.task)
        .await
        .expect("serve did not return")
        .unwrap()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn shutdown_grace_bounds_the_drain() {
    let mut server = Server::start(|c| c.shutdown_grace = Duration::from_millis(500)).await;
    let mut slow = server.connect().await;
    slow.write_all(b"GET /sleep/?ms=10000 HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    server.shutdown();
    tokio::time::timeout(Duration::from_secs(3), &mut server.task)
        .await
        .expect("serve did not return after the grace period")
        .unwrap()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    // The unfinished request's connection was dropped.
    closed_within(&mut slow, Duration::from_secs(1)).await;
}

#[tokio::test]
async fn router_as_a_tower_service() {
    use tower_service::Service;
    let mut config = test_config();
    config.max_body_size = 8;
    let app = test_app_with(config).await;
    let mut svc = router().into_service(app);

    let mut req = http::Request::post("/echo/")
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(b"tiny")))
        .unwrap();
    req.extensions_mut()
        .insert(PeerAddr(SocketAddr::from(([10, 0, 0, 7], 1234))));
    let resp = svc.call(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["body"], "tiny");
    assert_eq!(v["peer_ip"], "10.0.0.7");

    // Too large, announced (Full has an exact size) …
    let req = http::Request::post("/echo/")
        .body(Full::new(Bytes::from_static(b"much too large")))
        .unwrap();
    assert_eq!(svc.call(req).await.unwrap().status(), 413);
    // … and streamed with no size hint.
    let stream = http_body_util::StreamBody::new(futures_util::stream::iter((0..4).map(|_| {
        Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(Bytes::from_static(b"abc")))
    })));
    let req = http::Request::post("/echo/").body(stream).unwrap();
    assert_eq!(svc.call(req).await.unwrap().status(), 413);

    // A panic is a 500.
    let req = http::Request::get("/panic/")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(svc.call(req).await.unwrap().status(), 500);
}

#[cfg(unix)]
#[tokio::test]
async fn run_serves_until_sigterm() {
    // A free port (a tiny race with other processes is acceptable in a test).
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut config = test_config();
    config.shutdown_grace = Duration::from_secs(2);
    let app = test_app_with(config).await;
    let mut task = tokio::spawn(server::run(router(), app, addr));
    let mut s = loop {
        match TcpStream::connect(addr).await {
            Ok(s) => break s,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    s.write_all(GET_ECHO).await.unwrap();
    assert_eq!(read_response(&mut s).await.status, 200);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::timeout(Duration::from_secs(3), &mut task)
        .await
        .expect("run did not stop on SIGTERM")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_configuration_out_of_range_is_refused_before_listening() {
    let mut config = test_config();
    config.header_timeout = Duration::from_secs(u64::MAX);
    let app = test_app_with(config).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = server::serve(router(), app, listener, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "HEADER_TIMEOUT_SECS must be at most 604800 (7 days), or 0 for no timeout; got 18446744073709551615"
    );
}

#[tokio::test]
async fn a_weak_secret_key_does_not_listen_beyond_loopback() {
    let app = test_app_with(test_config()).await;
    assert!(app.config().has_weak_secret_key());
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let err = server::serve(router(), app.clone(), listener, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(
        err.to_string().starts_with(&format!(
            "refusing to listen on {addr} with the development SECRET_KEY"
        )),
        "{err}"
    );
    // Nothing was accepted: the listener is gone with the refusal.
    assert!(
        TcpStream::connect(("127.0.0.1", addr.port()))
            .await
            .is_err()
    );

    // DEBUG=1 lets it listen.
    let mut config = test_config();
    config.debug = true;
    let app = test_app_with(config).await;
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(router(), app, listener, async {
        let _ = stopped.await;
    }));
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream
        .write_all(b"GET /sleep/?ms=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let raw = read_response(&mut stream).await;
    assert_eq!(raw.status, 200);
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn past_max_connections_new_connections_wait_until_one_ends() {
    let server = Server::start(|c| c.max_connections = 2).await;
    let request = b"GET /sleep/?ms=0 HTTP/1.1\r\nHost: x\r\n\r\n";
    // Two open connections, answered and kept alive.
    let mut first = server.connect().await;
    let mut second = server.connect().await;
    for stream in [&mut first, &mut second] {
        stream.write_all(request).await.unwrap();
        assert_eq!(read_response(stream).await.status, 200);
    }
    // A third one is connected by the kernel's backlog but not served...
    let mut third = server.connect().await;
    third.write_all(request).await.unwrap();
    let mut byte = [0u8; 1];
    let waited = tokio::time::timeout(Duration::from_millis(500), third.read(&mut byte)).await;
    assert!(
        waited.is_err(),
        "the third connection was served past the cap"
    );
    // ...until one of the first two ends.
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut third))
        .await
        .expect("served once a connection ended");
    assert_eq!(answer.status, 200);
    second.write_all(request).await.unwrap();
    assert_eq!(read_response(&mut second).await.status, 200);
}
