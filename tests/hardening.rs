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
        max_waiting: 64,
        max_wait: Duration::from_millis(500),
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
