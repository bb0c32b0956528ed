//! Login timing: does a failed Basic login take the same time whether the username is unknown,
//! the user inactive, or the password wrong? Each would otherwise tell an attacker which
//! usernames exist.
//!
//! ```text
//! cargo bench --bench login_timing                      # 40 logins per case, Django 5.2's 1,000,000 iterations
//! BENCH_LOGINS=100 BENCH_ITERATIONS=600000 cargo bench --bench login_timing
//! ```
//!
//! The server runs in this process on loopback (release build, 2 worker threads) with the
//! failed-login limiter off; each login is one request on a new connection to a Basic view,
//! the cases taking turns so that drift in the machine's speed falls on all of them alike.
//! Reported per case: the median and the mean of the middle 80%, and the median's ratio to
//! the wrong password's. The target: every ratio within 5% (0.95 to 1.05) for users whose
//! stored hash has the preferred algorithm. A stored PBKDF2 hash with fewer iterations (an
//! older Django's) is checked and then topped up to the current count, as Django's
//! `harden_runtime` does, so it takes the same time too. The last row, a user whose stored
//! hash is of another algorithm (Argon2 at its Django parameters), shows what remains: such a
//! user's failed login takes that algorithm's time until a successful login rehashes it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine;
use drf::prelude::*;
use drf::testing::{create_user_with, test_app_with, test_config};
use drf::{api_view, authentication_classes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod settings {
    drf::settings! {
        DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
        LOGIN_FAILURE_RATE = None;
        LOGIN_FAILURE_RATE_PER_CLIENT = None;
    }
}

#[api_view(GET)]
#[authentication_classes(Basic)]
async fn basic(user: User) -> Json<serde_json::Value> {
    Json(json!({"username": user.username}))
}

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One Basic login on a new connection: its status and how long the answer took.
async fn login(addr: SocketAddr, user: &str, password: &str) -> (u16, Duration) {
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let request = format!(
        "GET /basic/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {credentials}\r\nConnection: close\r\n\r\n"
    );
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let took = started.elapsed();
    let status = String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, took)
}

fn median(sorted: &[Duration]) -> Duration {
    sorted[sorted.len() / 2]
}

fn trimmed_mean(sorted: &[Duration]) -> Duration {
    let cut = sorted.len() / 10;
    let middle = &sorted[cut..sorted.len() - cut];
    middle.iter().sum::<Duration>() / middle.len() as u32
}

fn main() {
    let logins = env_number("BENCH_LOGINS", 40) as usize;
    let iterations = env_number("BENCH_ITERATIONS", 1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let mut config = test_config();
        config.hashers = drf::hashers::HasherConfig::with_iterations(iterations);
        config.login_failures = drf::config::LoginFailureRates::OFF;
        let app = test_app_with(config).await;
        create_user_with(&app, "alice", "alice-pass", |_| {}).await;
        create_user_with(&app, "gone", "gone-pass", |u| u.is_active = false).await;
        let older = drf::hashers::HasherConfig::with_iterations(iterations * 3 / 5);
        let old_hash = drf::hashers::make_password("old-pass", &older);
        create_user_with(&app, "old", "unused", |u| u.password_hash = old_hash).await;
        let argon2 = drf::hashers::make_password_with(
            "argon-pass",
            drf::hashers::Algorithm::Argon2,
            None,
            &older,
        );
        create_user_with(&app, "argon", "unused", |u| u.password_hash = argon2).await;

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let router = Router::<settings::Settings>::new().route("/basic/", basic);
        tokio::spawn(drf::server::serve(router, app, listener, std::future::pending()));

        // (label, username, password)
        let cases: [(&str, &str, &str); 6] = [
            ("wrong password", "alice", "wrong"),
            ("unknown username", "nobody", "wrong"),
            ("inactive, right password", "gone", "gone-pass"),
            ("inactive, wrong password", "gone", "wrong"),
            ("fewer iterations, wrong pw", "old", "wrong"),
            ("argon2 hash, wrong password", "argon", "wrong"),
        ];
        // Warm up: the database, the connection pool, the hashers' threads.
        for (_, user, password) in cases {
            login(addr, user, password).await;
        }
        let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(logins); cases.len()];
        for _ in 0..logins {
            for (i, (label, user, password)) in cases.iter().enumerate() {
                let (status, took) = login(addr, user, password).await;
                assert_eq!(status, 401, "{label}: a failed login");
                times[i].push(took);
            }
        }
        for t in &mut times {
            t.sort();
        }
        let reference = median(&times[0]);
        println!(
            "login timing: {logins} Basic logins per case, PBKDF2-SHA256 at {iterations} iterations (older hash: {}), {} CPUs",
            iterations * 3 / 5,
            std::thread::available_parallelism().map_or(0, |n| n.get()),
        );
        println!(
            "{:<28} {:>12} {:>14} {:>12}",
            "case", "median", "mean (80%)", "vs wrong"
        );
        for ((label, _, _), t) in cases.iter().zip(&times) {
            let m = median(t);
            println!(
                "{label:<28} {:>10.1} ms {:>12.1} ms {:>11.3}x",
                m.as_secs_f64() * 1e3,
                trimmed_mean(t).as_secs_f64() * 1e3,
                m.as_secs_f64() / reference.as_secs_f64(),
            );
        }
    });
}
