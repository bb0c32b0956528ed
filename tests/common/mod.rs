//! Shared helpers of the integration tests: a Django-made database, a real server on a free
//! port, and a raw HTTP/1.1 client that can send any bytes.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use drf::{App, Config, Router, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// PBKDF2 iterations of the fixture database's hashes (Django's format, fewer rounds so
/// the suite stays fast); the app is configured with the same count, so nothing is rehashed.
pub const FIXTURE_ITERATIONS: u32 = 10_000;

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "drf-test-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Configuration for tests: the fixture's iteration count, a fixed secret key.
pub fn test_config<S: Settings>(database_url: String) -> Config {
    let mut c = Config::defaults::<S>();
    c.database_url = database_url;
    c.secret_key = "test-secret-key-for-vectors".to_owned();
    c.hashers.pbkdf2_iterations = FIXTURE_ITERATIONS;
    c
}

/// An app on a fresh copy of the database Django 5.2's `migrate` made, with users alice
/// (alicepw), admin (adminpw, staff), inactive (inactivepw), bob (bobpw), ünï (pässwörd),
/// carol (pa:ss:wd) and tokens for alice, admin and inactive.
pub async fn fixture_app(label: &str) -> (App, TempDir) {
    let dir = TempDir::new(label);
    let db = dir.0.join("db.sqlite3");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/django52.sqlite3"
        ),
        &db,
    )
    .expect("copy fixture database");
    let config = test_config::<drf::DefaultSettings>(format!("sqlite://{}", db.display()));
    let app = App::connect(config).await.expect("open fixture database");
    (app, dir)
}

/// A server running on 127.0.0.1 with a free port.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Triggers graceful shutdown and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), &mut self.task)
            .await
            .expect("server stops in time")
            .expect("server task")
            .expect("server result");
    }
}

pub async fn start_server<S: Settings>(router: Router<S>, app: App) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(drf::server::serve(router, app, listener, async move {
        let _ = rx.await;
    }));
    Server {
        addr,
        stop: Some(tx),
        task,
    }
}

/// A parsed HTTP/1.1 response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends one request with `Connection: close` and reads the whole answer.
pub async fn raw_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
    content_type: Option<&str>,
    body: Option<&[u8]>,
) -> RawResponse {
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").into_bytes();
    for (k, v) in headers {
        req.extend_from_slice(k.as_bytes());
        req.extend_from_slice(b": ");
        req.extend_from_slice(v);
        req.extend_from_slice(b"\r\n");
    }
    if let Some(ct) = content_type {
        req.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
    }
    if let Some(b) = body {
        req.extend_from_slice(format!("Content-Length: {}\r\n", b.len()).as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    if let Some(b) = body {
        req.extend_from_slice(b);
    }
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(&req).await.expect("write request");
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut buf))
        .await
        .expect("response in time")
        .expect("read response");
    parse_response(&buf, method.eq_ignore_ascii_case("HEAD"))
}

fn parse_response(buf: &[u8], head: bool) -> RawResponse {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(buf)));
    let head_text = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    if head {
        body.clear();
    } else if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&data[..nl]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[nl + 2..nl + 2 + size]);
        data = &data[nl + 2 + size + 2..];
    }
}
