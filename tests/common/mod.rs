//! Shared helpers of the integration tests: a Django-made database (SQLite, or PostgreSQL with
//! `DRF_TEST_DATABASE=postgres`), a real server on a free port, and a raw HTTP/1.1 client that
//! can send any bytes.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use drf::testing::{TestBackend, TestDatabase};
use drf::{App, Config, Router, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// PBKDF2 iterations of the fixture database's hashes (Django's format, fewer rounds so
/// the suite stays fast); the app is configured with the same count, so nothing is rehashed.
pub const FIXTURE_ITERATIONS: u32 = 10_000;

/// `target/<profile>/examples/conformance`, built by `cargo test` with the other targets.
pub fn example_binary() -> PathBuf {
    example("conformance")
}

/// The binary of the example `name`, built by `cargo test`.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let bin = profile_dir.join("examples").join(name);
    assert!(
        bin.exists(),
        "{} is missing: `cargo test` builds the examples",
        bin.display()
    );
    bin
}

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

/// Configuration for tests: the fixture's iteration count, a fixed secret key, and no
/// failed-login limiter: these tests hold the framework against DRF and Django, which have
/// none (tests/hardening.rs tests it).
pub fn test_config<S: Settings>(database_url: String) -> Config {
    let mut c = Config::defaults::<S>();
    c.login_failures = drf::config::LoginFailureRates::OFF;
    c.database_url = database_url;
    c.secret_key = "test-secret-key-for-vectors".to_owned();
    c.hashers.pbkdf2_iterations = FIXTURE_ITERATIONS;
    c
}

/// An app on a fresh copy of the database Django 5.2's `migrate` made, with users alice
/// (alicepw), admin (adminpw, staff), inactive (inactivepw), bob (bobpw), ünï (pässwörd),
/// carol (pa:ss:wd) and tokens for alice, admin and inactive.
///
/// With `DRF_TEST_DATABASE=postgres` the copy is a PostgreSQL database made from a template
/// laid out as Django lays it out ([`pg_fixture_template`]), dropped with the app. Either way
/// `app.config().database_url` says where it is (for Django-side scripts).
pub async fn fixture_app(label: &str) -> (App, TempDir) {
    let (url, dir, guard) = fixture_database(label).await;
    let config = test_config::<drf::DefaultSettings>(url.clone());
    let mut db = drf::db::Db::connect(&url)
        .await
        .expect("open fixture database");
    if let Some(guard) = guard {
        db = db.with_guard(Arc::new(guard));
    }
    (App::new(config, db), dir)
}

/// An app on a fresh copy of the fixture database, configured as a `main` with settings `S`
/// configures itself (`Config::from_lookup::<S>`), with `vars` as the environment plus the
/// fixture's database URL and iteration count.
pub async fn fixture_app_as<S: Settings>(label: &str, vars: &[(&str, &str)]) -> (App, TempDir) {
    let (url, dir, guard) = fixture_database(label).await;
    let iterations = FIXTURE_ITERATIONS.to_string();
    let fixture = [
        ("DATABASE_URL", url.as_str()),
        ("PASSWORD_ITERATIONS", &iterations),
    ];
    let config = Config::from_lookup::<S>(|k| {
        vars.iter()
            .chain(&fixture)
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("configuration");
    let mut db = drf::db::Db::connect(&url).await.expect("open fixture");
    if let Some(guard) = guard {
        db = db.with_guard(Arc::new(guard));
    }
    (App::new(config, db), dir)
}

/// A fresh copy of the fixture database: its URL, a temporary directory (holding the SQLite
/// file), and on PostgreSQL the database's guard (dropping it drops the database).
pub async fn fixture_database(label: &str) -> (String, TempDir, Option<TestDatabase>) {
    let dir = TempDir::new(label);
    match TestBackend::from_env() {
        TestBackend::Sqlite => {
            let db = dir.0.join("db.sqlite3");
            std::fs::copy(FIXTURE_SQLITE, &db).expect("copy fixture database");
            (format!("sqlite://{}", db.display()), dir, None)
        }
        TestBackend::Postgres { admin_url } => {
            let template = pg_fixture_template(&admin_url).await;
            let copy = TestDatabase::create_from_template(&admin_url, &template)
                .await
                .expect("copy the fixture template");
            (copy.url().to_owned(), dir, Some(copy))
        }
    }
}

/// The Django-made SQLite fixture.
pub const FIXTURE_SQLITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/django52.sqlite3"
);

const REFERENCE_APP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/drf_reference/app");

/// The name of a PostgreSQL template database holding the fixture, built once per server and
/// content (its name carries a hash of the inputs), under an advisory lock so concurrent test
/// processes build it once:
///
/// - with `DRF_DJANGO_PYTHON` (a Python with Django, DRF and psycopg), by Django itself: the
///   reference app's `migrate`, `seed.py` and `fast_hashes.py` pointed at it;
/// - otherwise by our `migrate` plus the fixture's `auth_user` and `authtoken_token` rows.
pub async fn pg_fixture_template(admin_url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    // Each #[tokio::test] has its own runtime: build on a thread of our own so the
    // OnceCell's future never outlives the runtime that started it.
    if let Some(name) = TEMPLATE.get() {
        return name.clone();
    }
    let admin = admin_url.to_owned();
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async { TEMPLATE.get_or_init(|| build_template(admin)).await.clone() })
    })
    .await
    .expect("template builder")
}

async fn build_template(admin_url: String) -> String {
    use drf::sqlx::{self, Connection as _};
    use std::hash::{Hash as _, Hasher as _};

    let python = std::env::var("DRF_DJANGO_PYTHON")
        .ok()
        .filter(|p| !p.is_empty());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(FIXTURE_SQLITE).expect("fixture").hash(&mut h);
    for f in ["seed.py", "fast_hashes.py", "conformance/settings.py"] {
        std::fs::read(format!("{REFERENCE_APP}/{f}"))
            .expect("reference app")
            .hash(&mut h);
    }
    python.is_some().hash(&mut h);
    let name = format!("drf_fixture_{:016x}", h.finish());

    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to DRF_TEST_POSTGRES_URL");
    sqlx::query("SELECT pg_advisory_lock(7243985)")
        .execute(&mut conn)
        .await
        .expect("lock");
    let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut conn)
        .await
        .expect("pg_database")
        .is_some();
    if !exists {
        let build = TestDatabase::create(&admin_url)
            .await
            .expect("create build db");
        match &python {
            Some(python) => build_with_django(python, build.url()),
            None => build_with_rows(build.url()).await,
        }
        sqlx::raw_sql(&format!(
            "ALTER DATABASE \"{}\" RENAME TO \"{name}\"",
            build.name()
        ))
        .execute(&mut conn)
        .await
        .expect("publish the template");
        // The build database is gone under its old name; its guard's DROP is a no-op.
        drop(build);
    }
    sqlx::query("SELECT pg_advisory_unlock(7243985)")
        .execute(&mut conn)
        .await
        .expect("unlock");
    let _ = conn.close().await;
    name
}

/// Django's own `migrate`, then the reference app's seed (same users and tokens as the SQLite
/// fixture, hashes re-encoded at 10,000 iterations).
fn build_with_django(python: &str, url: &str) {
    for args in [
        &["manage.py", "migrate", "-v0"][..],
        &["seed.py"][..],
        &["fast_hashes.py"][..],
    ] {
        let out = std::process::Command::new(python)
            .args(args)
            .current_dir(REFERENCE_APP)
            .env("DRFREF_PG_URL", url)
            .output()
            .expect("run DRF_DJANGO_PYTHON");
        assert!(
            out.status.success(),
            "{args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Our `migrate`, then the fixture's users and tokens copied row for row (same ids, hashes,
/// keys and datetimes).
async fn build_with_rows(url: &str) {
    use drf::sqlx::{self, Row as _};

    let db = drf::db::Db::connect(url).await.expect("connect build db");
    db.migrate().await.expect("migrate");
    let pg = db.as_postgres().expect("postgres").clone();
    let lite = sqlx::SqlitePool::connect(&format!("sqlite://{FIXTURE_SQLITE}?mode=ro"))
        .await
        .expect("open the SQLite fixture");
    let users = sqlx::query(
        r#"SELECT "id", "password", "last_login", "is_superuser", "username", "first_name",
           "last_name", "email", "is_staff", "is_active", "date_joined" FROM "auth_user" ORDER BY "id""#,
    )
    .fetch_all(&lite)
    .await
    .expect("fixture users");
    for u in users {
        sqlx::query(
            r#"INSERT INTO "auth_user" ("id", "password", "last_login", "is_superuser", "username",
               "first_name", "last_name", "email", "is_staff", "is_active", "date_joined")
               VALUES ($1, $2, $3::timestamp AT TIME ZONE 'UTC', $4, $5, $6, $7, $8, $9, $10,
               $11::timestamp AT TIME ZONE 'UTC')"#,
        )
        .bind(u.get::<i64, _>(0) as i32)
        .bind(u.get::<String, _>(1))
        .bind(u.get::<Option<String>, _>(2))
        .bind(u.get::<bool, _>(3))
        .bind(u.get::<String, _>(4))
        .bind(u.get::<String, _>(5))
        .bind(u.get::<String, _>(6))
        .bind(u.get::<String, _>(7))
        .bind(u.get::<bool, _>(8))
        .bind(u.get::<bool, _>(9))
        .bind(u.get::<String, _>(10))
        .execute(&pg)
        .await
        .expect("copy a user");
    }
    sqlx::query(r#"SELECT setval(pg_get_serial_sequence('"auth_user"', 'id'), (SELECT max("id") FROM "auth_user"))"#)
        .execute(&pg)
        .await
        .expect("identity");
    let tokens = sqlx::query(r#"SELECT "key", "created", "user_id" FROM "authtoken_token""#)
        .fetch_all(&lite)
        .await
        .expect("fixture tokens");
    for t in tokens {
        sqlx::query(
            r#"INSERT INTO "authtoken_token" ("key", "created", "user_id")
               VALUES ($1, $2::timestamp AT TIME ZONE 'UTC', $3)"#,
        )
        .bind(t.get::<String, _>(0))
        .bind(t.get::<String, _>(1))
        .bind(t.get::<i64, _>(2) as i32)
        .execute(&pg)
        .await
        .expect("copy a token");
    }
    lite.close().await;
    db.close().await;
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

    /// The value of the `Set-Cookie` named `name`, if the response sets it.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find_map(|(_, v)| {
                v.split(';')
                    .next()
                    .and_then(|nv| nv.split_once('='))
                    .filter(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_owned())
            })
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// A request header for [`raw_request`].
pub fn header(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_owned(), value.as_bytes().to_vec())
}

/// `Authorization: Basic …` for `user` and `password`.
pub fn basic_auth(user: &str, password: &str) -> (String, Vec<u8>) {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    header("Authorization", &format!("Basic {encoded}"))
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

/// Runs `script` (a path) with the Python of `DRF_DJANGO_PYTHON` and parses the JSON of its
/// last line of output; the Django side of the interop tests.
pub async fn django_script(
    python: &str,
    script: &'static str,
    args: Vec<String>,
) -> serde_json::Value {
    let python = python.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&python)
            .arg(script)
            .args(&args)
            .output()
    })
    .await
    .expect("join")
    .expect("run DRF_DJANGO_PYTHON");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"))
}
