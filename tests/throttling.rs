//! Throttling end to end: DRF's order and semantics (a 405 uses quota, a failed
//! authentication does not, users are counted by id across schemes, the longest wait wins,
//! `1 second` in the singular), client identity behind proxies, rates from the environment,
//! the start-up check of scopes, and the Redis store: exact across two applications, fail
//! open or closed when Redis is unreachable, and back by itself when Redis returns (through a
//! TCP proxy that this test cuts and restores).
//!
//! The Redis tests need a server: `DRF_TEST_REDIS_URL` (set by `.ci/run` through
//! `.ci/services.sh`'s `start_redis`); unset when they are built, they are reported as ignored (see `build.rs`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use drf::prelude::*;
use drf::testing::{APIClient, create_token, create_user, test_app_with, test_config};
use drf::throttling::{ClientIdentity, RedisFailure};
use drf::{App, Config, api_view, authentication_classes, permission_classes, throttle_classes};
use drf::{throttle_scope, throttling::Cidr};
use serde_json::Value;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

mod settings {
    drf::settings! {
        DEFAULT_AUTHENTICATION_CLASSES = [Session, Basic];
        DEFAULT_THROTTLE_RATES = {
            anon: "3/min",
            user: "5/min",
            burst: "2/min",
            second: "1/s",
            many: "20/hour",
        };
    }
}

use settings::Settings;

fn who(user: &User) -> Json<Value> {
    Json(json!({ "username": user.username }))
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(AllowAny)]
#[throttle_classes(AnonRate, UserRate)]
async fn throttled(user: User) -> Json<Value> {
    who(&user)
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(AllowAny)]
#[throttle_classes(ScopedRate)]
#[throttle_scope(second)]
async fn per_second(user: User) -> Json<Value> {
    who(&user)
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(AllowAny)]
#[throttle_classes(ScopedRate)]
#[throttle_scope("many")]
async fn many(user: User) -> Json<Value> {
    who(&user)
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(IsAuthenticated)]
#[throttle_classes(UserRate)]
async fn members(user: User) -> Json<Value> {
    who(&user)
}

fn router() -> Router<Settings> {
    Router::new()
        .route("/throttled/", throttled)
        .route("/second/", per_second)
        .route("/many/", many)
        .route("/members/", members)
}

async fn app_with(config: Config) -> App {
    test_app_with(config).await
}

fn peer(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), 40000)
}

fn basic(user: &str, password: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {b64}")
}

const THROTTLED_60: &str = "Request was throttled. Expected available in 60 seconds.";

#[tokio::test]
async fn a_405_uses_quota_and_a_failed_authentication_does_not() {
    let app = app_with(test_config()).await;
    let client = APIClient::new(router(), app);
    let get = || {
        client
            .get("/throttled/")
            .header("x-forwarded-for", "192.0.2.1")
    };
    assert_eq!(get().send().await.status, 200);
    let r = client
        .post("/throttled/")
        .header("x-forwarded-for", "192.0.2.1")
        .send()
        .await;
    assert_eq!(r.status, 405, "the method check comes after the throttles");
    assert_eq!(r.header("allow"), Some("GET, OPTIONS"));
    let r = client
        .options("/throttled/")
        .header("x-forwarded-for", "192.0.2.1")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = get().send().await;
    assert_eq!(r.status, 429, "GET, POST (405) and OPTIONS used the 3/min");
    assert_eq!(r.json()["detail"], THROTTLED_60);
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(r.header("allow"), Some("GET, OPTIONS"));
    for _ in 0..3 {
        let r = get()
            .header(
                "authorization",
                "Token 0000000000000000000000000000000000000000",
            )
            .send()
            .await;
        assert_eq!(r.status, 401, "authentication fails before any throttle");
        assert_eq!(r.json()["detail"], "Invalid token.");
    }
    assert_eq!(
        client
            .get("/throttled/")
            .header("x-forwarded-for", "192.0.2.2")
            .send()
            .await
            .status,
        200,
        "another address has its own quota"
    );
}

#[tokio::test]
async fn users_are_counted_by_id_whatever_the_scheme() {
    let app = app_with(test_config()).await;
    let alice = create_user(&app, "alice", "alicepw").await;
    let key = create_token(&app, &alice).await.key;
    let client = APIClient::new(router(), app);
    let token = format!("Token {key}");
    let basic = basic("alice", "alicepw");
    for (i, auth) in [&token, &basic, &token, &basic, &token].iter().enumerate() {
        let r = client
            .get("/throttled/")
            .header("authorization", auth)
            .header("x-forwarded-for", &format!("198.51.100.{i}"))
            .send()
            .await;
        assert_eq!(r.status, 200, "request {i}: {}", r.text());
        assert_eq!(r.json()["username"], "alice");
    }
    let r = client
        .get("/throttled/")
        .header("authorization", &basic)
        .send()
        .await;
    assert_eq!(r.status, 429, "five for alice (5/min), by either scheme");
    // AnonRate does not count users: an anonymous caller at alice's address still has 3.
    let r = client.get("/throttled/").send().await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_one_second_wait_is_singular_and_the_window_slides() {
    let app = app_with(test_config()).await;
    let client = APIClient::new(router(), app);
    assert_eq!(client.get("/second/").send().await.status, 200);
    let r = client.get("/second/").send().await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json()["detail"],
        "Request was throttled. Expected available in 1 second."
    );
    assert_eq!(r.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(client.get("/second/").send().await.status, 200);
}

#[tokio::test]
async fn the_longest_wait_of_the_refusing_throttles_is_given() {
    // Anonymous on /throttled/ with `user` at 4/hour: AnonRate (3/min) refuses the 4th
    // request alone (a minute); UserRate, still counting, refuses the 5th too (an hour).
    let mut config = test_config();
    config.throttle.rates = vec![("user".to_owned(), Some(drf::throttling::Rate::new(4, 3600)))];
    let app = app_with(config).await;
    let client = APIClient::new(router(), app);
    for _ in 0..3 {
        assert_eq!(client.get("/throttled/").send().await.status, 200);
    }
    let r = client.get("/throttled/").send().await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.header("retry-after"),
        Some("60"),
        "AnonRate alone refused"
    );
    let r = client.get("/throttled/").send().await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.header("retry-after"),
        Some("3600"),
        "both refuse: the hour of UserRate, not the minute of AnonRate"
    );
}

#[tokio::test]
async fn rates_come_from_the_environment_at_start_up() {
    let mut config = Config::from_lookup::<Settings>(|k| match k {
        "THROTTLE_RATE_ANON" => Some("1/min".into()),
        "THROTTLE_RATE_USER" => Some("None".into()),
        "SECRET_KEY" => Some("k".into()),
        _ => None,
    })
    .unwrap();
    config.database_url = test_config().database_url;
    config.hashers = test_config().hashers;
    let app = app_with(config).await;
    let client = APIClient::new(router(), app);
    assert_eq!(client.get("/throttled/").send().await.status, 200);
    assert_eq!(client.get("/throttled/").send().await.status, 429);
}

#[tokio::test]
async fn trusted_proxies_find_the_client_and_ignore_spoofed_entries() {
    let mut config = test_config();
    config.throttle.identity =
        ClientIdentity::TrustedProxies(vec!["10.0.0.0/8".parse::<Cidr>().unwrap()]);
    let app = app_with(config).await;
    let client = APIClient::new(router(), app);
    // The client 203.0.113.9 behind two trusted proxies forges a different first entry each
    // time: it is still one client.
    for i in 0..3 {
        let r = client
            .get("/throttled/")
            .peer(peer("10.0.0.2"))
            .header(
                "x-forwarded-for",
                &format!("6.6.6.{i}, 203.0.113.9, 10.0.0.7"),
            )
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    let r = client
        .get("/throttled/")
        .peer(peer("10.0.0.2"))
        .header("x-forwarded-for", "1.1.1.1, 203.0.113.9")
        .send()
        .await;
    assert_eq!(r.status, 429);
    // A peer that is not a trusted proxy is the client, whatever it claims.
    for _ in 0..3 {
        let r = client
            .get("/throttled/")
            .peer(peer("198.51.100.20"))
            .header("x-forwarded-for", "203.0.113.77")
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    let r = client
        .get("/throttled/")
        .peer(peer("198.51.100.20"))
        .header("x-forwarded-for", "203.0.113.78")
        .send()
        .await;
    assert_eq!(r.status, 429);
}

#[tokio::test]
async fn num_proxies_takes_the_nth_address_from_the_right() {
    let mut config = test_config();
    config.throttle.identity = ClientIdentity::NumProxies(1);
    let app = app_with(config).await;
    let client = APIClient::new(router(), app);
    for i in 0..3 {
        let r = client
            .get("/throttled/")
            .header("x-forwarded-for", &format!("6.6.6.{i}, 203.0.113.9"))
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    let r = client
        .get("/throttled/")
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await;
    assert_eq!(r.status, 429);
}

mod without_anon {
    drf::settings! {
        DEFAULT_THROTTLE_RATES = { burst: "1/min" };
    }
}

#[test]
#[should_panic(expected = "uses the throttle scope `anon`, which has no rate")]
fn a_scope_without_a_rate_stops_the_router_at_start_up() {
    let _ = Router::<without_anon::Settings>::new().route("/throttled/", throttled);
}

// --- Redis ----------------------------------------------------------------------------------

fn redis_url() -> String {
    std::env::var("DRF_TEST_REDIS_URL").expect("DRF_TEST_REDIS_URL is set")
}

/// A key prefix of its own for each test run, so runs and tests never share histories.
fn unique_prefix(test: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "drf-test:{}:{}:{}:{test}:",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn redis_app(url: &str, prefix: &str, failure: RedisFailure) -> App {
    let mut config = test_config();
    config.redis_url = Some(url.to_owned());
    config.throttle.redis_prefix = prefix.to_owned();
    config.throttle.redis_failure = failure;
    config.throttle.redis_timeout = Duration::from_millis(500);
    app_with(config).await
}

#[cfg_attr(
    not(drf_test_redis),
    ignore = "needs DRF_TEST_REDIS_URL: source .ci/services.sh && start_redis"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_admits_exactly_n_across_two_applications() {
    let url = redis_url();
    let prefix = unique_prefix("exact");
    let a = APIClient::new(
        router(),
        redis_app(&url, &prefix, RedisFailure::Closed).await,
    );
    let b = APIClient::new(
        router(),
        redis_app(&url, &prefix, RedisFailure::Closed).await,
    );
    let mut tasks = JoinSet::new();
    for i in 0..60 {
        let client = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.spawn(async move { client.get("/many/").send().await.status.as_u16() });
    }
    let mut admitted = 0;
    let mut refused = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            200 => admitted += 1,
            429 => refused += 1,
            other => panic!("status {other}"),
        }
    }
    assert_eq!((admitted, refused), (20, 40), "20/hour across both");
    let r = a.get("/many/").send().await;
    assert_eq!(r.status, 429);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((3595..=3600).contains(&wait), "{wait}");
    // The history is one key that expires by itself, one window after its last request.
    // (the client identity `ident:127.0.0.1` as the first 16 bytes of its SHA-256, hex)
    let key = format!("{prefix}throttle:many:1b5ca9cc2b1a094b61c91e243a28799c");
    let pttl: i64 = redis_command(&url, &["PTTL", &key]).await.parse().unwrap();
    assert!(
        (3_590_000..=3_600_001).contains(&pttl),
        "PTTL {pttl} of {key}"
    );
    assert_eq!(redis_command(&url, &["ZCARD", &key]).await, "20");
}

/// One command over RESP; the reply's first line without its type byte.
async fn redis_command(url: &str, args: &[&str]) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut stream = TcpStream::connect(redis_target(url)).await.unwrap();
    let mut cmd = format!("*{}\r\n", args.len());
    for a in args {
        cmd.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    stream.write_all(cmd.as_bytes()).await.unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).await.unwrap();
    line.trim_end()[1..].to_owned()
}

/// A TCP proxy to Redis that the test can cut (closing every connection and refusing new
/// ones) and restore on the same port.
struct Proxy {
    addr: SocketAddr,
    target: SocketAddr,
    tasks: Option<JoinSet<()>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut proxy = Self {
            addr,
            target,
            tasks: None,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let mut tasks = JoinSet::new();
        let target = self.target;
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                conns.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Closes the listener and every proxied connection.
    async fn cut(&mut self) {
        if let Some(mut tasks) = self.tasks.take() {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
    }

    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }
}

fn redis_target(url: &str) -> SocketAddr {
    let hostport = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap()
        .rsplit('@')
        .next()
        .unwrap();
    std::net::ToSocketAddrs::to_socket_addrs(hostport)
        .unwrap()
        .next()
        .unwrap()
}

async fn statuses(client: &APIClient<Settings>, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(client.get("/many/").send().await.status.as_u16());
    }
    out
}

/// Polls until a request succeeds (the connection is re-made in the background).
async fn until_ok(client: &APIClient<Settings>) -> Duration {
    let start = std::time::Instant::now();
    loop {
        let status = client.get("/many/").send().await.status;
        if status == 200 {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "still {status} 15 s after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg_attr(
    not(drf_test_redis),
    ignore = "needs DRF_TEST_REDIS_URL: source .ci/services.sh && start_redis"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_fails_closed_then_recovers_without_restart() {
    let url = redis_url();
    let mut proxy = Proxy::start(redis_target(&url)).await;
    let via_proxy = format!("redis://{}/", proxy.addr);
    let prefix = unique_prefix("closed");
    let app = redis_app(&via_proxy, &prefix, RedisFailure::Closed).await;
    let client = APIClient::new(router(), app);
    assert_eq!(statuses(&client, 2).await, [200, 200]);

    proxy.cut().await;
    for status in statuses(&client, 3).await {
        assert_eq!(status, 503, "fail closed while Redis is unreachable");
    }
    let r = client.get("/many/").send().await;
    assert_eq!(r.json()["detail"], "The throttle store is unavailable.");
    // Views without throttles never touch Redis.
    let r = client
        .get("/members/")
        .header(
            "authorization",
            "Token 0000000000000000000000000000000000000000",
        )
        .send()
        .await;
    assert_eq!(r.status, 401);

    proxy.restore().await;
    let took = until_ok(&client).await;
    eprintln!("recovered {took:?} after Redis came back");
    // The history written before the outage is still counted: 20/hour, 3 used now.
    let rest = statuses(&client, 18).await;
    assert_eq!(rest.iter().filter(|s| **s == 200).count(), 17, "{rest:?}");
    assert_eq!(rest.last(), Some(&429));
}

#[cfg_attr(
    not(drf_test_redis),
    ignore = "needs DRF_TEST_REDIS_URL: source .ci/services.sh && start_redis"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_fails_open_when_configured() {
    let url = redis_url();
    let mut proxy = Proxy::start(redis_target(&url)).await;
    let via_proxy = format!("redis://{}/", proxy.addr);
    let app = redis_app(&via_proxy, &unique_prefix("open"), RedisFailure::Open).await;
    let client = APIClient::new(router(), app);
    assert_eq!(statuses(&client, 1).await, [200]);
    proxy.cut().await;
    assert_eq!(
        statuses(&client, 25).await,
        vec![200; 25],
        "uncounted, past the 20/hour"
    );
    proxy.restore().await;
    until_ok(&client).await;
    // Counting resumes where Redis left it: 2 recorded before and after.
    let rest = statuses(&client, 19).await;
    assert_eq!(rest.iter().filter(|s| **s == 200).count(), 18, "{rest:?}");
}

#[tokio::test]
async fn redis_that_never_answers_fails_closed_quickly() {
    // Nothing listens on this port: every check fails at once, and the answer is 503.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let app = redis_app(
        &format!("redis://127.0.0.1:{port}/"),
        "x:",
        RedisFailure::Closed,
    )
    .await;
    let client = APIClient::new(router(), app);
    let start = std::time::Instant::now();
    for _ in 0..3 {
        assert_eq!(client.get("/many/").send().await.status, 503);
    }
    assert!(start.elapsed() < Duration::from_secs(5));
}
