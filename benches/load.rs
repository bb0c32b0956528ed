//! Load benchmark: requests per second and p99 latency under `wrk` (Debian's `wrk` package),
//! each reported as a ratio to references measured in the same run on the same machine: bare
//! hyper (the ceiling of the harness), and a hand-written axum + sqlx Token check
//! (`examples/axum/examples/reference.rs`, built by this benchmark with `cargo build
//! --release`, run as a process of its own).
//!
//! ```text
//! cargo bench --bench load                 # 3 rounds of 5 s per row, wrk -t2 -c32
//! BENCH_SECS=10 BENCH_RUNS=5 cargo bench --bench load
//! cargo bench --bench load -- hyper token  # only the rows named
//! BENCH_REDIS_URL=redis://127.0.0.1:63799/ cargo bench --bench load   # adds the Redis rows
//! ```
//!
//! Rows (ours are served from this process on loopback, 2 tokio worker threads):
//! - `hyper`: bare hyper 1 answering a constant JSON body;
//! - `axum-open`, `axum-token`: the reference's route without credentials (no database) and its
//!   Token check (one joined query per request, sqlx's pool at its defaults);
//! - `no-auth`: a view with no schemes and AllowAny (the pipeline's own cost), against
//!   `axum-open`;
//! - `token`: Token authentication on SQLite through the token cache (on by default: a
//!   `PRAGMA data_version` check per request instead of the joined query);
//! - `token-nocache`: the same with `AUTH_CACHE=off`, against `axum-token`;
//! - `token-1m`, `token-nocache-1m`: the same two on a database of 1,000,000 users and tokens
//!   (the others have 10), against `token` and `token-nocache`;
//! - `no-auth-10k`: `no-auth` on a router of 10,000 routes (the others have 10), against `no-auth`;
//! - `token+logins`: `token` while another `wrk` keeps 100 Basic logins with a wrong password
//!   in flight (PBKDF2 at Django's iteration count), against `token`;
//! - `basic-anon`: a Basic+Token view hit without credentials (the 401 path);
//! - `throttle-mem`: the `no-auth` view plus `AnonRate` (one caller, the loopback address, at a
//!   rate it never reaches), histories in process memory, against `no-auth`;
//! - `no-auth-r`, `throttle-redis`: the same two views on an application whose throttle store
//!   is Redis (`BENCH_REDIS_URL`, else `DRF_TEST_REDIS_URL`; skipped without either): one Lua
//!   script per request, the second against the first.

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use drf::prelude::*;
use drf::testing::{create_token, create_user, test_app_with, test_config};
use drf::{api_view, authentication_classes, permission_classes, throttle_classes};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

mod common;
use common::{open, token};

/// `open` with a throttle: the cost of one check-and-record per request.
#[api_view(GET)]
#[authentication_classes()]
#[permission_classes(AllowAny)]
#[throttle_classes(AnonRate)]
async fn open_throttled(user: User) -> Json<Value> {
    Json(json!({"username": user.username, "is_authenticated": false, "auth": null}))
}

mod settings {
    // A rate the benchmark never reaches, over a one-second window that keeps sliding.
    drf::settings! {
        DEFAULT_THROTTLE_RATES = { anon: "1000000000/s", user: None };
    }
}

/// Basic only: what the `token+logins` row's wrong passwords hit.
#[api_view(GET)]
#[authentication_classes(Basic)]
#[permission_classes(IsAuthenticated)]
async fn basic(user: User) -> Json<Value> {
    Json(json!({"username": user.username}))
}

async fn hyper_baseline(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let svc = service_fn(|_req| async {
                let mut r = hyper::Response::new(Full::new(Bytes::from_static(
                    br#"{"username":"","is_authenticated":false,"auth":null}"#,
                )));
                r.headers_mut().insert(
                    "content-type",
                    hyper::header::HeaderValue::from_static("application/json"),
                );
                Ok::<_, Infallible>(r)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// One `wrk` run: requests per second and the 99th percentile latency in milliseconds.
fn wrk(addr: SocketAddr, path: &str, header: Option<&str>, secs: u64) -> Option<(f64, f64)> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c32", &format!("-d{secs}s"), "--latency"]);
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    cmd.arg(format!("http://{addr}{path}"));
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))?
        .trim()
        .parse()
        .ok()?;
    if text.contains("Non-2xx") && !path.contains("anon") {
        eprintln!("warning: non-2xx answers on {path}:\n{text}");
    }
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| latency_ms(v.trim()))
        .unwrap_or(f64::NAN);
    Some((rps, p99))
}

/// wrk's latency (`812.00us`, `3.05ms`, `1.20s`) in milliseconds.
fn latency_ms(v: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// The median of `values` (the mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A child process killed when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the axum + sqlx reference with cargo (release) and starts it on `db`; its address.
/// None, with the reason on stderr, when it cannot be built or started.
fn start_reference(db: &Path) -> Option<(Reaped, SocketAddr)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building the axum + sqlx reference (cargo build --release -p drf-example-axum --example reference)"
    );
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "drf-example-axum",
            "--example",
            "reference",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| eprintln!("cannot run cargo: {e}"))
        .ok()?;
    if !out.status.success() {
        eprintln!("the reference did not build: the axum rows are skipped");
        return None;
    }
    let exe: PathBuf = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["target"]["name"] == "reference")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))?;
    let mut child = Command::new(exe)
        .arg(db)
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| eprintln!("cannot start the reference: {e}"))
        .ok()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take()?)
        .read_line(&mut line)
        .ok()?;
    let addr = line.strip_prefix("ready ")?.trim().parse().ok()?;
    Some((Reaped(child), addr))
}

/// Users `first..=last` (`user<n>`) and a token for each, in one statement each: the bulk a
/// million-token row needs, faster than one insert per row.
async fn add_users(path: &Path, first: u64, last: u64) {
    use drf::sqlx::{ConnectOptions, Connection, sqlite::SqliteConnectOptions};
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("the benchmark database opens");
    let mut tx = conn.begin().await.unwrap();
    let series = format!(
        "WITH RECURSIVE n(x) AS (SELECT {first} UNION ALL SELECT x + 1 FROM n WHERE x < {last})"
    );
    drf::sqlx::query(&format!(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, \
         is_staff, is_active, date_joined) {series} SELECT '!', 0, 'user' || x, '', '', '', 0, 1, \
         '2026-01-01 00:00:00' FROM n"
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    drf::sqlx::query(&format!(
        "INSERT INTO authtoken_token (key, created, user_id) {series} SELECT printf('%040x', x), \
         '2026-01-01 00:00:00', u.id FROM n JOIN auth_user u ON u.username = 'user' || x"
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// One row of the table: what `wrk` loads, and the row its second ratio is to.
struct Row {
    name: &'static str,
    addr: SocketAddr,
    path: &'static str,
    header: Option<String>,
    versus: Option<&'static str>,
}

impl Row {
    fn new(name: &'static str, addr: SocketAddr, path: &'static str) -> Self {
        Self {
            name,
            addr,
            path,
            header: None,
            versus: None,
        }
    }

    fn header(mut self, h: &str) -> Self {
        self.header = Some(h.to_owned());
        self
    }

    fn versus(mut self, row: &'static str) -> Self {
        self.versus = Some(row);
        self
    }
}

/// 100 wrong-password Basic logins kept in flight until killed.
fn wrong_logins(addr: SocketAddr, secs: u64) -> Option<Reaped> {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("alice:wrong password");
    Command::new("wrk")
        .args([
            "-t1",
            "-c100",
            &format!("-d{secs}s"),
            "--timeout",
            "30s",
            "-H",
        ])
        .arg(format!("Authorization: Basic {basic}"))
        .arg(format!("http://{addr}/basic/"))
        .stdout(Stdio::null())
        .spawn()
        .ok()
        .map(Reaped)
}

/// Serves `router` over `app` on a fresh loopback port.
async fn serve(router: Router<settings::Settings>, app: drf::App) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(drf::server::serve(router, app, l, std::future::pending()));
    addr
}

/// The benchmark's ten routes, or `n` of them (the ten and more views like `open`).
fn router(n: usize) -> Router<settings::Settings> {
    let mut r = Router::<settings::Settings>::new()
        .route("/open/", open)
        .route("/open-throttled/", open_throttled)
        .route("/token/", token)
        .route("/basic-anon/", token)
        .route("/basic/", basic);
    for i in 5..n {
        r = r.route(&format!("/more/{i}/"), open);
    }
    r
}

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(2);
    }
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    // `cargo bench --bench load -- token hyper`: only the rows named.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let redis_url = std::env::var("BENCH_REDIS_URL")
        .or_else(|_| std::env::var("DRF_TEST_REDIS_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    let dir = std::env::temp_dir().join(format!("drf-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("db.sqlite3");
    let big = dir.join("db-1m.sqlite3");

    let mut rows = Vec::new();
    let mut children: Vec<Reaped> = Vec::new();
    let app = rt.block_on(async {
        let mut config = test_config();
        // Django's iteration count: the wrong passwords of `token+logins` cost what they cost.
        config.hashers = drf::hashers::HasherConfig::default();
        // Every one of them hashed: the failed-login limiter would answer all but the first
        // five with a 429 and no hash.
        config.login_failures = drf::config::LoginFailureRates::OFF;
        config.database_url = format!("sqlite://{}", small.display());
        let app = test_app_with(config.clone()).await;
        let alice = create_user(&app, "alice", "alicepw").await;
        let key = create_token(&app, &alice).await.key;
        add_users(&small, 2, 10).await;
        let auth = format!("Authorization: Token {key}");

        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        rows.push(Row::new("hyper", l.local_addr().unwrap(), "/"));
        tokio::spawn(hyper_baseline(l));
        let reference = (wanted("axum-open") || wanted("axum-token"))
            .then(|| start_reference(&small))
            .flatten();
        if let Some((child, addr)) = reference {
            children.push(child);
            rows.push(Row::new("axum-open", addr, "/open/"));
            rows.push(Row::new("axum-token", addr, "/token/").header(&auth));
        }

        let main = serve(router(10), app.clone()).await;
        rows.push(Row::new("no-auth", main, "/open/").versus("axum-open"));
        rows.push(
            Row::new("token", main, "/token/")
                .header(&auth)
                .versus("axum-token"),
        );
        let mut off = config.clone();
        off.auth_cache.enabled = false;
        let nocache = serve(router(10), test_app_with(off.clone()).await).await;
        rows.push(
            Row::new("token-nocache", nocache, "/token/")
                .header(&auth)
                .versus("axum-token"),
        );
        if wanted("token-1m") || wanted("token-nocache-1m") {
            let mut on = config.clone();
            on.database_url = format!("sqlite://{}", big.display());
            off.database_url = on.database_url.clone();
            let big_on = test_app_with(on).await;
            eprintln!("adding 1,000,000 users and tokens");
            add_users(&big, 1, 1_000_000).await;
            let big_off = serve(router(10), test_app_with(off).await).await;
            let big_on = serve(router(10), big_on).await;
            // A user in the middle of the table.
            let auth = format!("Authorization: Token {:040x}", 500_000);
            rows.push(
                Row::new("token-1m", big_on, "/token/")
                    .header(&auth)
                    .versus("token"),
            );
            rows.push(
                Row::new("token-nocache-1m", big_off, "/token/")
                    .header(&auth)
                    .versus("token-nocache"),
            );
        }
        let many = serve(router(10_000), app.clone()).await;
        rows.push(Row::new("no-auth-10k", many, "/open/").versus("no-auth"));
        rows.push(
            Row::new("token+logins", main, "/token/")
                .header(&auth)
                .versus("token"),
        );
        rows.push(Row::new("basic-anon", main, "/basic-anon/"));
        rows.push(Row::new("throttle-mem", main, "/open-throttled/").versus("no-auth"));
        match &redis_url {
            Some(url) => {
                let mut config = config.clone();
                config.redis_url = Some(url.clone());
                config.throttle.redis_prefix = format!("drf-bench-{}:", std::process::id());
                let redis = serve(router(10), test_app_with(config).await).await;
                rows.push(Row::new("no-auth-r", redis, "/open/"));
                rows.push(
                    Row::new("throttle-redis", redis, "/open-throttled/").versus("no-auth-r"),
                );
            }
            None => {
                eprintln!("no BENCH_REDIS_URL or DRF_TEST_REDIS_URL: the Redis rows are skipped");
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        app
    });
    rows.retain(|r| wanted(r.name));

    // Rounds over every row, each row's figures the median of its rounds: the machine's
    // speed drifts within a run, and a row measured only after another would take the drift.
    let mut results: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); rows.len()];
    for round in 1..=runs {
        // Every other round backwards, so that no row always runs right after the same one;
        // a pause before each, so that none starts while the last one's connections close.
        let mut order: Vec<_> = rows.iter().zip(&mut results).collect();
        if round % 2 == 0 {
            order.reverse();
        }
        for (row, (rps_all, p99_all)) in order {
            std::thread::sleep(Duration::from_secs(1));
            let logins = (row.name == "token+logins").then(|| {
                let hashed = app.passwords().jobs();
                let load = wrong_logins(row.addr, secs + 3);
                // Until the first hashes run, so that the measurement starts with them in flight.
                std::thread::sleep(Duration::from_secs(2));
                (hashed, load)
            });
            let Some((rps, p99)) = wrk(row.addr, row.path, row.header.as_deref(), secs) else {
                eprintln!("{}: wrk failed", row.name);
                continue;
            };
            eprintln!(
                "round {round}/{runs}: {:<17} {rps:>9.0} req/s, p99 {p99:.2} ms",
                row.name
            );
            if let Some((hashed, load)) = logins {
                drop(load);
                eprintln!(
                    "  {} wrong passwords checked meanwhile",
                    app.passwords().jobs() - hashed
                );
            }
            rps_all.push(rps);
            p99_all.push(p99);
        }
    }
    let measured: Vec<(&Row, f64, f64)> = rows
        .iter()
        .zip(&results)
        .filter(|(_, (r, _))| !r.is_empty())
        .map(|(row, (r, p))| (row, median(r), median(p)))
        .collect();
    println!(
        "{:<17} {:>9} {:>8} {:>8}   {:<14} {:>6} {:>6}",
        "row", "req/s", "× hyper", "p99 ms", "versus", "× req/s", "× p99"
    );
    let hyper = measured.first().map_or(f64::NAN, |m| m.1);
    for (row, rps, p99) in &measured {
        let against = row
            .versus
            .and_then(|v| measured.iter().find(|(r, ..)| r.name == v))
            .map(|(r, rps_v, p99_v)| {
                format!("{:<14} {:>7.2} {:>6.2}", r.name, rps / rps_v, p99 / p99_v)
            })
            .unwrap_or_default();
        println!(
            "{:<17} {rps:>9.0} {:>8.2} {p99:>8.2}   {against}",
            row.name,
            rps / hyper
        );
    }
    drop(children);
    drop(rt);
    let _ = std::fs::remove_dir_all(&dir);
}
