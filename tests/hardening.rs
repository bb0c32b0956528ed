//! Password hashing under attack, over real sockets: a flood of wrong Basic logins is answered
//! quickly (401, or 503 with `Retry-After` once the hashers' queue is full), a correct login
//! is answered within seconds, and Token requests stay fast meanwhile.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine;
use drf::prelude::*;
use drf::testing::{create_token, create_user, test_app_with, test_config};
use drf::{api_view, authentication_classes};

use common::{RawResponse, raw_request, start_server};

mod settings {
    drf::settings! {
        DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
    }
}

#[api_view(GET)]
#[authentication_classes(Basic)]
async fn basic(user: User) -> Json<serde_json::Value> {
    Json(json!({"username": user.username}))
}

#[api_view(GET)]
#[authentication_classes(Token)]
async fn token(user: User) -> Json<serde_json::Value> {
    Json(json!({"username": user.username}))
}

/// `GET /basic/` with Basic credentials, over a new connection.
async fn basic_login(addr: SocketAddr, user: &str, password: &str) -> RawResponse {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let header = (
        "Authorization".to_owned(),
        format!("Basic {encoded}").into_bytes(),
    );
    raw_request(addr, "GET", "/basic/", &[header], None, None).await
}

/// 300 wrong Basic logins at once, each a hash of 600,000 PBKDF2 iterations (about a tenth of
/// a second here): without the queue's bound they would take some 15 s of hashing on two
/// cores, and a correct login sent among them would wait behind them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_wrong_passwords_cannot_stall_logins_or_tokens() {
    let mut config = test_config();
    // The hashers' queue alone: the failed-login limiter would answer most of these 429
    // before any hash (see the limiter's tests below).
    config.login_failures = drf::config::LoginFailureRates::OFF;
    config.hashers = drf::hashers::HasherConfig::with_iterations(600_000);
    // The defaults but a shorter wait, so that even a machine much faster than this one
    // cannot hash all 300 within the deadline.
    config.hash_queue = drf::hashers::HashQueue {
        max_wait: Duration::from_millis(500),
        ..drf::hashers::HashQueue::default()
    };
    let app = test_app_with(config).await;
    let alice = create_user(&app, "alice", "alice-pass").await;
    let key = create_token(&app, &alice).await.key;
    let router = Router::<settings::Settings>::new()
        .route("/basic/", basic)
        .route("/token/", token);
    let server = start_server(router, app).await;
    let addr = server.addr;

    let started = Instant::now();
    let wrong: Vec<_> = (0..300)
        .map(|i| {
            tokio::spawn(async move {
                let user = if i % 3 == 0 { "nobody" } else { "alice" };
                let r = basic_login(addr, user, "wrong").await;
                (r.status, r.header("retry-after").map(str::to_owned))
            })
        })
        .collect();
    let tokens = tokio::spawn(async move {
        let mut latencies = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            let t = Instant::now();
            let header = (
                "Authorization".to_owned(),
                format!("Token {key}").into_bytes(),
            );
            let r = raw_request(addr, "GET", "/token/", &[header], None, None).await;
            assert_eq!(r.status, 200);
            latencies.push(t.elapsed());
        }
        latencies
    });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let correct = Instant::now();
    let r = basic_login(addr, "alice", "alice-pass").await;
    let correct = correct.elapsed();
    assert!(matches!(r.status, 200 | 503), "{r:?}");
    assert!(
        correct < Duration::from_secs(3),
        "the correct login took {correct:?}"
    );

    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for w in wrong {
        let (status, retry_after) = w.await.unwrap();
        *statuses.entry(status).or_default() += 1;
        match status {
            401 => {}
            503 => assert_eq!(retry_after.as_deref(), Some("1")),
            other => panic!("a wrong login answered {other}"),
        }
    }
    let all = started.elapsed();
    assert!(
        all < Duration::from_secs(15),
        "the wrong logins took {all:?}: {statuses:?}"
    );
    assert!(
        statuses.contains_key(&503),
        "the queue never filled: {statuses:?}"
    );

    let mut latencies = tokens.await.unwrap();
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100];
    assert!(
        p99 < Duration::from_millis(100),
        "Token p99 {p99:?} over {} requests",
        latencies.len()
    );
    eprintln!(
        "wrong logins: {statuses:?} in {all:?}; correct login {} in {correct:?}; Token p99 {p99:?} over {} requests",
        r.status,
        latencies.len()
    );

    // Once the flood is over, the correct login succeeds.
    let r = basic_login(addr, "alice", "alice-pass").await;
    assert_eq!(r.status, 200);
}

/// The 503 the queue answers is DRF-shaped, with `Retry-After`.
#[tokio::test]
async fn a_refused_login_says_when_to_retry() {
    let e = ApiError::from(drf::hashers::Busy {
        retry_after_secs: 2,
    });
    let r = e.into_response_with(None);
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    let body: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(
        body,
        json!({"detail": "Too many logins are in progress. Try again in 2 seconds."})
    );
}

#[api_view(POST)]
#[authentication_classes(Token)]
async fn upload(request: Request) -> Json<serde_json::Value> {
    Json(json!({"bytes": request.body().len()}))
}

#[api_view(GET)]
#[authentication_classes()]
#[drf::permission_classes(AllowAny)]
async fn slow() -> Json<serde_json::Value> {
    tokio::time::sleep(Duration::from_secs(30)).await;
    Json(json!({"slept": true}))
}

/// Sends a request head announcing `length` bytes of body, and no body; returns the answer's
/// status line and headers, or `None` when none came within `wait`.
async fn head_only(
    addr: SocketAddr,
    path: &str,
    headers: &str,
    length: usize,
    wait: Duration,
) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}Content-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(wait, stream.read(&mut buf))
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// A request refused before its view runs (404, 401) is answered at once, without waiting for
/// or holding its body: 500 clients announcing 2 MB each that they never send get their
/// answers while nothing of their bodies is read. An accepted request still has its body read
/// (and refused past `MAX_BODY_SIZE`, closing the connection).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_read_only_for_requests_a_view_accepts() {
    let app = test_app_with(test_config()).await;
    let alice = create_user(&app, "alice", "alice-pass").await;
    let key = create_token(&app, &alice).await.key;
    let router = Router::<settings::Settings>::new().route("/upload/", upload);
    let server = start_server(router, app).await;
    let addr = server.addr;
    let wait = Duration::from_secs(5);

    let answers: Vec<_> = (0..500)
        .map(|i| {
            tokio::spawn(async move {
                let path = if i % 2 == 0 { "/upload/" } else { "/nowhere/" };
                head_only(addr, path, "", 2_000_000, wait).await
            })
        })
        .collect();
    for (i, answer) in answers.into_iter().enumerate() {
        let answer = answer.await.unwrap().expect("answered without the body");
        let expected = if i % 2 == 0 { " 401 " } else { " 404 " };
        assert!(answer.contains(expected), "{answer}");
    }

    // Authenticated: the view reads the body, so one announced past the limit is a 413 that
    // closes the connection, and one within it is read whole.
    let auth = format!("Authorization: Token {key}\r\n");
    let answer = head_only(addr, "/upload/", &auth, 3_000_000, wait)
        .await
        .expect("answered");
    assert!(answer.contains(" 413 "), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    let header = (
        "Authorization".to_owned(),
        format!("Token {key}").into_bytes(),
    );
    let body = vec![b' '; 100_000];
    let r = raw_request(
        addr,
        "POST",
        "/upload/",
        &[header],
        Some("application/json"),
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"bytes": 100_000}));
}

/// A handler running past `HANDLER_TIMEOUT_SECS` is cancelled and answered 503.
#[tokio::test]
async fn a_handler_past_its_deadline_is_answered_503() {
    let mut config = test_config();
    config.handler_timeout = Duration::from_secs(1);
    let app = test_app_with(config).await;
    let router = Router::<settings::Settings>::new().route("/slow/", slow);
    let server = start_server(router, app).await;
    let started = Instant::now();
    let r = raw_request(server.addr, "GET", "/slow/", &[], None, None).await;
    let took = started.elapsed();
    assert_eq!(r.status, 503);
    assert_eq!(
        r.json(),
        json!({"detail": "The request took too long to handle."})
    );
    assert!(took < Duration::from_secs(5), "{took:?}");

    let e = drf::Config::from_lookup::<drf::DefaultSettings>(|k| {
        (k == "HANDLER_TIMEOUT_SECS").then(|| "604801".to_owned())
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("HANDLER_TIMEOUT_SECS must be at most 604800"),
        "{e}"
    );
}
