//! Scale-out: two server processes of the conformance example on one PostgreSQL database and
//! one Redis behave as one. Under concurrent load from both sides a rate of N per minute admits
//! exactly N between them, and a token replaced with `drf_create_token -r` (run as a third
//! process), a user deactivated or a token deleted by plain SQL (as psql would) is refused
//! by both servers, token caches on, on the next request.
//!
//! Needs `DRF_TEST_POSTGRES_URL` and `DRF_TEST_REDIS_URL` (`.ci/run` starts both through
//! `.ci/services.sh`); unset when it is built, the test is reported as ignored (see `build.rs`).

mod common;

use std::net::{SocketAddr, TcpListener as StdListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::example_binary;
use drf::sqlx::{self, Connection, Executor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// A PostgreSQL database of its own, dropped at the end.
struct Database {
    admin_url: String,
    name: String,
    url: String,
}

impl Database {
    async fn create(admin_url: &str) -> Self {
        let name = format!(
            "drf_scale_out_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
        );
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to DRF_TEST_POSTGRES_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("DRF_TEST_POSTGRES_URL ends with /DATABASE");
        Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    async fn drop_it(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await {
            let _ = conn
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await;
        }
    }
}

/// The environment both servers and the commands share.
struct Deployment {
    database_url: String,
    redis_url: String,
    redis_prefix: String,
}

impl Deployment {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(example_binary());
        c.args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("REDIS_URL", &self.redis_url)
            .env("THROTTLE_REDIS_PREFIX", &self.redis_prefix)
            .env("SECRET_KEY", "scale-out-test-key")
            .env("PASSWORD_ITERATIONS", "1000")
            .env("THROTTLE_RATE_BURST", "40/min")
            .env("THROTTLE_RATE_USER", "30/min")
            .env("THROTTLE_RATE_ANON", "None")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("run the example");
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn token(&self, args: &[&str]) -> String {
        let out = self.run(args);
        out.strip_prefix("Generated token ")
            .and_then(|r| r.split_whitespace().next())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("not DRF's line: {out:?}"))
    }
}

/// A `runserver` process, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn start(deployment: &Deployment) -> Self {
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let child = deployment
            .command(&["runserver", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start runserver");
        let start = Instant::now();
        while TcpStream::connect(addr).await.is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "runserver did not listen on {addr}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One GET over a fresh connection: (status, body).
async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// `per_side` requests from each side, 4 at a time per side, all concurrent: how many got
/// each status.
async fn load(
    servers: [SocketAddr; 2],
    path: &str,
    headers: &[(&str, &str)],
    per_side: usize,
) -> (usize, usize) {
    let mut tasks = JoinSet::new();
    for addr in servers {
        for worker in 0..4 {
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let path = path.to_owned();
            let n = per_side / 4 + usize::from(worker < per_side % 4);
            tasks.spawn(async move {
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let mut statuses = Vec::new();
                for _ in 0..n {
                    statuses.push(get(addr, &path, &headers).await.0);
                }
                statuses
            });
        }
    }
    let (mut ok, mut throttled) = (0, 0);
    while let Some(statuses) = tasks.join_next().await {
        for s in statuses.unwrap() {
            match s {
                200 => ok += 1,
                429 => throttled += 1,
                other => panic!("{path}: status {other}"),
            }
        }
    }
    (ok, throttled)
}

#[cfg_attr(
    not(all(drf_test_postgres, drf_test_redis)),
    ignore = "needs DRF_TEST_POSTGRES_URL and DRF_TEST_REDIS_URL: source .ci/services.sh && start_postgres && start_redis"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_and_one_redis_behave_as_one() {
    let pg = drf::testing::postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
    let redis = std::env::var("DRF_TEST_REDIS_URL").expect("DRF_TEST_REDIS_URL is set");
    let db = Database::create(&pg).await;
    let deployment = Deployment {
        database_url: db.url.clone(),
        redis_url: redis,
        redis_prefix: format!("{}:", db.name),
    };
    deployment.run(&["migrate"]);
    deployment.run(&["createuser", "alice", "--password", "alicepw"]);
    let old_key = deployment.token(&["drf_create_token", "alice"]);

    let a = Server::start(&deployment).await;
    let b = Server::start(&deployment).await;
    let servers = [a.addr, b.addr];

    // Anonymous, one address, ScopedRate `burst` at 40/min: 200 requests, 100 per side.
    let (ok, throttled) = load(
        servers,
        "/scoped/",
        &[("X-Forwarded-For", "203.0.113.50")],
        100,
    )
    .await;
    assert_eq!(
        (ok, throttled),
        (40, 160),
        "exactly 40 across both processes"
    );

    // One user by Token on both sides, UserRate at 30/min.
    let auth = format!("Token {old_key}");
    let (ok, throttled) = load(servers, "/throttled/", &[("Authorization", &auth)], 50).await;
    assert_eq!(
        (ok, throttled),
        (30, 70),
        "exactly 30 for alice across both processes"
    );
    // The history is shared: both sides now refuse, with DRF's wait.
    for addr in servers {
        let (status, body) = get(addr, "/throttled/", &[("Authorization", &auth)]).await;
        assert_eq!(status, 429, "{body}");
        assert!(
            body.contains("Request was throttled. Expected available in"),
            "{body}"
        );
    }

    // Revocation: both servers accept the key, then it is replaced by a third process.
    for addr in servers {
        let (status, body) = get(addr, "/token/", &[("Authorization", &auth)]).await;
        assert_eq!(status, 200, "{body}");
    }
    let new_key = deployment.token(&["drf_create_token", "-r", "alice"]);
    assert_ne!(new_key, old_key);
    for addr in servers {
        let (status, body) = get(addr, "/token/", &[("Authorization", &auth)]).await;
        assert_eq!(
            (status, body.as_str()),
            (401, r#"{"detail":"Invalid token."}"#),
            "the replaced key is refused at once by {addr}"
        );
        let (status, body) = get(
            addr,
            "/token/",
            &[("Authorization", &format!("Token {new_key}"))],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(&new_key));
    }

    // Revocation by plain SQL (as psql would), with the new key in both servers' token
    // caches: a deactivation, then a deletion, each refused by both on the next request.
    let mut sql = sqlx::PgConnection::connect(&db.url).await.expect("connect");
    let new_auth = format!("Token {new_key}");
    sql.execute(r#"UPDATE "auth_user" SET "is_active" = false WHERE "username" = 'alice'"#)
        .await
        .expect("deactivate");
    for addr in servers {
        let (status, body) = get(addr, "/token/", &[("Authorization", &new_auth)]).await;
        assert_eq!(
            (status, body.as_str()),
            (401, r#"{"detail":"User inactive or deleted."}"#),
            "the deactivation is seen at once by {addr}"
        );
    }
    sql.execute(r#"UPDATE "auth_user" SET "is_active" = true WHERE "username" = 'alice'"#)
        .await
        .expect("reactivate");
    for addr in servers {
        let (status, body) = get(addr, "/token/", &[("Authorization", &new_auth)]).await;
        assert_eq!(status, 200, "{body}");
    }
    sql.execute(r#"DELETE FROM "authtoken_token""#)
        .await
        .expect("delete tokens");
    for addr in servers {
        let (status, body) = get(addr, "/token/", &[("Authorization", &new_auth)]).await;
        assert_eq!(
            (status, body.as_str()),
            (401, r#"{"detail":"Invalid token."}"#),
            "the deletion is seen at once by {addr}"
        );
    }
    let _ = sql.close().await;

    drop((a, b));
    db.drop_it().await;
}
