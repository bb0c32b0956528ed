//! The failed-login limiter, over real sockets against the conformance app: off as its
//! settings say (DRF has none), on when the environment asks; Basic, `obtain_auth_token` and
//! the session login all counted, per client and username and per client; a limited attempt
//! answered DRF's 429 without a password check; a success resetting the username's count; the
//! client found through `TRUSTED_PROXIES`, never through a bare `X-Forwarded-For`; and, with
//! Redis, one count shared by two instances.

#[path = "../examples/conformance/settings.rs"]
mod settings;
#[path = "../examples/conformance/views.rs"]
mod views;

mod common;

use std::net::SocketAddr;

use drf::App;

use common::{RawResponse, basic_auth, header, raw_request, start_server};

/// The conformance app, configured as its `main` configures it, with `vars` as the
/// environment.
async fn conformance_app(label: &str, vars: &[(&str, &str)]) -> (App, common::TempDir) {
    common::fixture_app_as::<settings::Settings>(label, vars).await
}

async fn basic_get(addr: SocketAddr, user: &str, password: &str, xff: Option<&str>) -> RawResponse {
    let mut headers = vec![basic_auth(user, password)];
    if let Some(x) = xff {
        headers.push(header("X-Forwarded-For", x));
    }
    raw_request(addr, "GET", "/basic/", &headers, None, None).await
}

async fn token_login(addr: SocketAddr, user: &str, password: &str) -> RawResponse {
    let body = format!("username={user}&password={password}");
    raw_request(
        addr,
        "POST",
        "/api-token-auth/",
        &[],
        Some("application/x-www-form-urlencoded"),
        Some(body.as_bytes()),
    )
    .await
}

async fn session_login(addr: SocketAddr, user: &str, password: &str) -> RawResponse {
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    raw_request(
        addr,
        "POST",
        "/session-login/",
        &[],
        Some("application/json"),
        Some(body.as_bytes()),
    )
    .await
}

/// DRF's throttle answer, with a wait within the window of `window` seconds.
fn assert_limited(r: &RawResponse, window: u64) {
    assert_eq!(r.status, 429, "{:?}", String::from_utf8_lossy(&r.body));
    let wait: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=window).contains(&wait), "wait {wait}");
    assert_eq!(
        r.json(),
        serde_json::json!({
            "detail": format!("Request was throttled. Expected available in {wait} seconds.")
        })
    );
    assert!(r.header("www-authenticate").is_none());
}

#[tokio::test]
async fn the_conformance_app_has_none_unless_the_environment_asks() {
    let (app, _dir) = conformance_app("limiter-off", &[]).await;
    assert!(app.config().login_failures.is_off(), "off in its settings");
    let server = start_server(views::router(), app).await;
    for _ in 0..12 {
        let r = basic_get(server.addr, "alice", "wrong", None).await;
        assert_eq!(r.status, 401, "DRF's answer every time");
    }
    assert_eq!(
        basic_get(server.addr, "alice", "alicepw", None)
            .await
            .status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn every_login_path_is_counted_and_a_limited_attempt_costs_no_hash() {
    let (app, _dir) = conformance_app(
        "limiter-paths",
        &[
            ("LOGIN_FAILURE_RATE", "3/min"),
            ("LOGIN_FAILURE_RATE_PER_CLIENT", "8/hour"),
        ],
    )
    .await;
    let passwords = app.passwords().clone();
    let server = start_server(views::router(), app).await;
    let addr = server.addr;

    // Per client and username: three failures through three paths, then 429.
    assert_eq!(basic_get(addr, "alice", "wrong", None).await.status, 401);
    assert_eq!(token_login(addr, "alice", "wrong").await.status, 400);
    assert_eq!(session_login(addr, "alice", "wrong").await.status, 400);
    let hashes = passwords.jobs();
    assert_limited(&basic_get(addr, "alice", "wrong", None).await, 60);
    // Locked: the right password too, on every path, and none of them runs the hasher.
    assert_limited(&basic_get(addr, "alice", "alicepw", None).await, 60);
    assert_limited(&token_login(addr, "alice", "alicepw").await, 60);
    assert_limited(&session_login(addr, "alice", "alicepw").await, 60);
    assert_eq!(passwords.jobs(), hashes, "a limited attempt costs no hash");

    // Other usernames have their own count; unknown ones and inactive users count as failures.
    assert_eq!(basic_get(addr, "bob", "bobpw", None).await.status, 200);
    assert_eq!(basic_get(addr, "nobody", "x", None).await.status, 401);
    assert_eq!(
        basic_get(addr, "inactive", "inactivepw", None).await.status,
        401
    );
    assert_eq!(token_login(addr, "bob", "wrong").await.status, 400);
    assert_eq!(token_login(addr, "carol", "wrong").await.status, 400);
    // Per client: alice 3, nobody, inactive, bob, carol (bob's success does not count).
    assert_eq!(token_login(addr, "admin", "wrong").await.status, 400);
    let r = token_login(addr, "admin", "adminpw").await;
    assert_limited(&r, 3600);
    server.stop().await;
}

#[tokio::test]
async fn a_success_clears_the_usernames_count() {
    let (app, _dir) = conformance_app("limiter-reset", &[("LOGIN_FAILURE_RATE", "3/min")]).await;
    let server = start_server(views::router(), app).await;
    let addr = server.addr;
    for _ in 0..2 {
        assert_eq!(basic_get(addr, "alice", "wrong", None).await.status, 401);
    }
    assert_eq!(basic_get(addr, "alice", "alicepw", None).await.status, 200);
    for _ in 0..3 {
        assert_eq!(basic_get(addr, "alice", "wrong", None).await.status, 401);
    }
    assert_limited(&basic_get(addr, "alice", "wrong", None).await, 60);
    server.stop().await;
}

#[tokio::test]
async fn the_client_comes_from_trusted_proxies_never_from_a_bare_forwarded_for() {
    // No proxy configured: X-Forwarded-For is ignored, so a new value each time does not
    // escape the limit.
    let (app, _dir) = conformance_app("limiter-xff", &[("LOGIN_FAILURE_RATE", "2/min")]).await;
    let server = start_server(views::router(), app).await;
    for i in 0..2 {
        let xff = format!("198.51.100.{i}");
        let r = basic_get(server.addr, "alice", "wrong", Some(&xff)).await;
        assert_eq!(r.status, 401);
    }
    let r = basic_get(server.addr, "alice", "wrong", Some("198.51.100.99")).await;
    assert_limited(&r, 60);
    server.stop().await;

    // Behind a trusted proxy (the loopback peer), each client address has its own count.
    let (app, _dir) = conformance_app(
        "limiter-proxy",
        &[
            ("LOGIN_FAILURE_RATE", "2/min"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    let server = start_server(views::router(), app).await;
    let addr = server.addr;
    for _ in 0..2 {
        let r = basic_get(addr, "alice", "wrong", Some("203.0.113.1")).await;
        assert_eq!(r.status, 401);
    }
    assert_limited(
        &basic_get(addr, "alice", "wrong", Some("203.0.113.1")).await,
        60,
    );
    let other = basic_get(addr, "alice", "alicepw", Some("203.0.113.2")).await;
    assert_eq!(other.status, 200, "another client is not locked out");
    server.stop().await;
}

#[cfg_attr(
    not(drf_test_redis),
    ignore = "needs DRF_TEST_REDIS_URL: source .ci/services.sh && start_redis"
)]
#[tokio::test]
async fn two_instances_sharing_redis_count_together() {
    let url = std::env::var("DRF_TEST_REDIS_URL").expect("DRF_TEST_REDIS_URL is set");
    let prefix = format!(
        "drf-test:{}:{:?}:limiter:",
        std::process::id(),
        std::time::SystemTime::now()
    );
    let vars = [
        ("LOGIN_FAILURE_RATE", "3/min"),
        ("REDIS_URL", url.as_str()),
        ("THROTTLE_REDIS_PREFIX", prefix.as_str()),
    ];
    let (a, _da) = conformance_app("limiter-redis-a", &vars).await;
    let (b, _db) = conformance_app("limiter-redis-b", &vars).await;
    let a = start_server(views::router(), a).await;
    let b = start_server(views::router(), b).await;
    assert_eq!(basic_get(a.addr, "alice", "wrong", None).await.status, 401);
    assert_eq!(basic_get(b.addr, "alice", "wrong", None).await.status, 401);
    assert_eq!(basic_get(a.addr, "alice", "wrong", None).await.status, 401);
    assert_limited(&basic_get(b.addr, "alice", "wrong", None).await, 60);
    // A success on one instance clears the count on both.
    assert_eq!(basic_get(b.addr, "bob", "wrong", None).await.status, 401);
    assert_eq!(basic_get(a.addr, "bob", "bobpw", None).await.status, 200);
    for server in [&a, &b] {
        assert_eq!(
            basic_get(server.addr, "bob", "wrong", None).await.status,
            401
        );
    }
    assert_eq!(basic_get(a.addr, "bob", "wrong", None).await.status, 401);
    assert_limited(&basic_get(b.addr, "bob", "wrong", None).await, 60);
    a.stop().await;
    b.stop().await;
}

/// A client's correct logins made at once never limit each other (only failures count), as a
/// Basic API client sending many requests in parallel needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_correct_logins_are_never_limited() {
    let (app, _dir) = conformance_app(
        "limiter-concurrent",
        &[
            ("LOGIN_FAILURE_RATE", "2/min"),
            ("LOGIN_FAILURE_RATE_PER_CLIENT", "2/min"),
        ],
    )
    .await;
    let server = start_server(views::router(), app).await;
    let addr = server.addr;
    let logins: Vec<_> = (0..20)
        .map(|_| {
            tokio::spawn(async move { basic_get(addr, "alice", "alicepw", None).await.status })
        })
        .collect();
    for login in logins {
        assert_eq!(login.await.unwrap(), 200);
    }
    server.stop().await;
}
