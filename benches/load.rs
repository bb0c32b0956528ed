//! Load benchmark: requests per second under `wrk` (from Debian's `wrk` package), reported as
//! ratios against bare hyper measured in the same run on the same machine.
//!
//! ```text
//! cargo bench --bench load                 # 10 s per target, 32 connections
//! BENCH_SECS=30 cargo bench --bench load
//! BENCH_REDIS_URL=redis://127.0.0.1:63799/ cargo bench --bench load   # adds the Redis rows
//! ```
//!
//! Targets, each served from this process on loopback with 2 worker threads:
//! - `hyper`: bare hyper 1 answering a constant JSON body (the baseline);
//! - `no-auth`: a view with no schemes and AllowAny (the pipeline's own cost);
//! - `token`: Token authentication on SQLite through the token cache (on by default: a
//!   `PRAGMA data_version` check per request instead of the joined query);
//! - `token-nocache`: the same with `AUTH_CACHE=off` (one joined query per request);
//! - `basic-anon`: a Basic+Token view hit without credentials (401 path);
//! - `throttle-mem`: the `no-auth` view plus `AnonRate` (one caller, the loopback address, at a
//!   rate it never reaches), histories in process memory; its second ratio is to `no-auth`;
//! - `no-auth-r`, `throttle-redis`: the same two views on an application whose throttle store
//!   is Redis (`BENCH_REDIS_URL`, else `DRF_TEST_REDIS_URL`; skipped without either): one Lua
//!   script per request. The second ratio of `throttle-redis` is to `no-auth-r`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;
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

#[api_view(GET)]
#[authentication_classes()]
#[permission_classes(AllowAny)]
async fn open(user: User) -> Json<Value> {
    Json(json!({"username": user.username, "is_authenticated": false, "auth": null}))
}

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

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticated)]
async fn token(user: User, auth: Auth) -> Json<Value> {
    Json(json!({"username": user.username, "is_authenticated": true, "auth": auth.key()}))
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

/// Requests per second and the 99th percentile latency in milliseconds.
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

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(2);
    }
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let redis_url = std::env::var("BENCH_REDIS_URL")
        .or_else(|_| std::env::var("DRF_TEST_REDIS_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    let (base, app_addr, nocache_addr, redis_addr, key) = rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("drf-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = test_config();
        config.database_url = format!("sqlite://{}", dir.join("db.sqlite3").display());
        let app = test_app_with(config.clone()).await;
        let alice = create_user(&app, "alice", "alicepw").await;
        let key = create_token(&app, &alice).await.key;

        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = l.local_addr().unwrap();
        tokio::spawn(hyper_baseline(l));

        let router = || {
            Router::<settings::Settings>::new()
                .route("/open/", open)
                .route("/open-throttled/", open_throttled)
                .route("/token/", token)
                .route("/basic-anon/", token)
        };
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let app_addr = l.local_addr().unwrap();
        tokio::spawn(drf::server::serve(router(), app, l, std::future::pending()));

        // The same database with AUTH_CACHE=off.
        let mut off = config.clone();
        off.auth_cache.enabled = false;
        let nocache_app = test_app_with(off).await;
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let nocache_addr = l.local_addr().unwrap();
        tokio::spawn(drf::server::serve(
            router(),
            nocache_app,
            l,
            std::future::pending(),
        ));

        let mut redis_addr = None;
        if let Some(url) = &redis_url {
            let mut config = config.clone();
            config.redis_url = Some(url.clone());
            config.throttle.redis_prefix = format!("drf-bench-{}:", std::process::id());
            let redis_app = test_app_with(config).await;
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            redis_addr = Some(l.local_addr().unwrap());
            tokio::spawn(drf::server::serve(
                router(),
                redis_app,
                l,
                std::future::pending(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        (base, app_addr, nocache_addr, redis_addr, key)
    });
    let auth = format!("Authorization: Token {key}");
    let mut runs = vec![
        ("hyper", base, "/", None, None),
        ("no-auth", app_addr, "/open/", None, None),
        ("token", app_addr, "/token/", Some(auth.as_str()), None),
        (
            "token-nocache",
            nocache_addr,
            "/token/",
            Some(auth.as_str()),
            None,
        ),
        ("basic-anon", app_addr, "/basic-anon/", None, None),
        (
            "throttle-mem",
            app_addr,
            "/open-throttled/",
            None,
            Some("no-auth"),
        ),
    ];
    match redis_addr {
        Some(addr) => {
            runs.push(("no-auth-r", addr, "/open/", None, None));
            runs.push((
                "throttle-redis",
                addr,
                "/open-throttled/",
                None,
                Some("no-auth-r"),
            ));
        }
        None => eprintln!("no BENCH_REDIS_URL or DRF_TEST_REDIS_URL: the Redis rows are skipped"),
    }
    let mut baseline = None;
    let mut measured: Vec<(&str, f64)> = Vec::new();
    println!(
        "{:<15} {:>12} {:>10} {:>10} {:>22}",
        "target", "req/s", "× hyper", "p99 ms", "× same without throttle"
    );
    for (name, addr, path, header, versus) in runs {
        let Some((rps, p99)) = wrk(addr, path, header, secs) else {
            eprintln!("{name}: wrk failed");
            continue;
        };
        let base = *baseline.get_or_insert(rps);
        let against = versus
            .and_then(|v| measured.iter().find(|(n, _)| *n == v))
            .map(|(_, r)| format!("{:.2}", rps / r))
            .unwrap_or_default();
        println!(
            "{name:<15} {rps:>12.0} {:>10.2} {p99:>10.2} {against:>22}",
            rps / base
        );
        measured.push((name, rps));
    }
    drop(rt);
}
