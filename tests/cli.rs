//! The conformance example as a real program: its management commands and `runserver`,
//! against a database that Django's own `migrate` created.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{FIXTURE_ITERATIONS, TempDir, example_binary, raw_request};

const ALICE_KEY: &str = "0123456789abcdef0123456789abcdef01234567";

struct Env {
    url: String,
    _dir: TempDir,
    _pg: Option<drf::testing::TestDatabase>,
}

impl Env {
    fn new(label: &str) -> Self {
        // Called from sync and async tests alike: build the copy on a thread of its own.
        let label = label.to_owned();
        let (url, dir, pg) = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(common::fixture_database(&label))
        })
        .join()
        .expect("fixture database");
        Self {
            url,
            _dir: dir,
            _pg: pg,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(example_binary());
        c.args(args)
            .env("DATABASE_URL", &self.url)
            .env("SECRET_KEY", "test-secret-key-for-vectors")
            .env("PASSWORD_ITERATIONS", FIXTURE_ITERATIONS.to_string())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run the example")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn migrate_leaves_a_django_database_alone() {
    let env = Env::new("cli-migrate");
    let out = env.run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("No migrations to apply."),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn drf_create_token_prints_what_drf_prints() {
    let env = Env::new("cli-token");
    let out = env.run(&["drf_create_token", "alice"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        format!("Generated token {ALICE_KEY} for user alice\n")
    );

    let out = env.run(&["drf_create_token", "NOBODY"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "CommandError: Cannot create the Token: user NOBODY does not exist\n"
    );
    assert_eq!(text(&out.stdout), "");

    let first = env.run(&["drf_create_token", "bob"]);
    let again = env.run(&["drf_create_token", "bob"]);
    assert_eq!(
        text(&first.stdout),
        text(&again.stdout),
        "the same key every time"
    );
    let key = text(&first.stdout)
        .strip_prefix("Generated token ")
        .and_then(|r| r.strip_suffix(" for user bob\n"))
        .map(str::to_owned)
        .expect("the DRF line");
    assert_eq!(key.len(), 40);
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );

    let out = env.run(&["drf_create_token", "--bogus"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "argument errors exit 2 as argparse does"
    );
}

/// A setting out of its range stops every command at start-up, `runserver` included, with the
/// variable named and exit status 1, before anything listens or touches the database.
#[test]
fn settings_out_of_range_stop_every_command_at_start_up() {
    let env = Env::new("cli-ranges");
    for (var, value, message) in [
        (
            "MAX_CONNECTIONS",
            "5000000",
            "MAX_CONNECTIONS must be from 0 to 1000000; got 5000000",
        ),
        (
            "LOGIN_FAILURE_RATE",
            "0/min",
            "LOGIN_FAILURE_RATE must allow at least one failed login per period",
        ),
        (
            "HANDLER_TIMEOUT_SECS",
            "99999999999",
            "HANDLER_TIMEOUT_SECS must be at most 604800",
        ),
        (
            "LOG_FORMAT",
            "xml",
            "LOG_FORMAT=\"xml\": expected `text` or `json`",
        ),
    ] {
        for args in [&["runserver", "127.0.0.1:0"][..], &["migrate"]] {
            let child = env
                .command(args)
                .env(var, value)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run the example");
            let out = output_within(child, Duration::from_secs(60));
            assert_eq!(out.status.code(), Some(1), "{var}={value} {args:?}");
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains(&format!("CommandError: {message}")),
                "{var}={value} {args:?}: {stderr}"
            );
        }
    }
}

/// The child's output, once it exits within `limit`; killed and a failure otherwise.
fn output_within(mut child: std::process::Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the command still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// `runserver` on a free loopback port with `vars` added to the environment, stderr piped.
fn spawn_runserver(env: &Env, vars: &[(&str, &str)]) -> (std::process::Child, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = env
        .command(&["runserver", &format!("127.0.0.1:{port}")])
        .envs(vars.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn runserver");
    (child, SocketAddr::from(([127, 0, 0, 1], port)))
}

struct Running {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Running {
    fn start(env: &Env) -> Self {
        let (mut child, addr) = spawn_runserver(env, &[]);
        let stderr = child.stderr.take().unwrap();
        let mut line = String::new();
        BufReader::new(stderr).read_line(&mut line).unwrap();
        assert!(
            line.contains(&addr.to_string()),
            "first stderr line names the address: {line:?}"
        );
        Self { child, addr }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "runserver did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

async fn get_token(addr: SocketAddr, key: &str) -> (u16, serde_json::Value) {
    let r = raw_request(
        addr,
        "GET",
        "/token/",
        &[("Authorization".into(), format!("Token {key}").into_bytes())],
        None,
        None,
    )
    .await;
    (r.status, r.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_token_stops_working_at_once() {
    let env = Env::new("cli-server");
    let server = Running::start(&env);
    let (status, body) = get_token(server.addr, ALICE_KEY).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "alice");

    let out = env.run(&["drf_create_token", "-r", "alice"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let new_key = text(&out.stdout)[16..56].to_owned();
    assert_ne!(new_key, ALICE_KEY);

    let (status, body) = get_token(server.addr, ALICE_KEY).await;
    assert_eq!(status, 401);
    assert_eq!(body, serde_json::json!({"detail": "Invalid token."}));
    let (status, body) = get_token(server.addr, &new_key).await;
    assert_eq!(status, 200);
    assert_eq!(body["auth"], new_key.as_str());

    assert!(
        server.terminate().success(),
        "runserver exits 0 after SIGTERM"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_created_by_commands_log_in_over_http() {
    let env = Env::new("cli-users");
    let out = env
        .command(&[
            "createuser",
            "dave",
            "--email",
            "Dave@EXAMPLE.com",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"dave-secret-1\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env.run(&["createuser", "dave", "--password", "x"]);
    assert_eq!(out.status.code(), Some(1), "a taken username is an error");

    let out = env
        .command(&[
            "createsuperuser",
            "--username",
            "root",
            "--email",
            "root@example.com",
            "--noinput",
        ])
        .env("DJANGO_SUPERUSER_PASSWORD", "root-secret-1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Superuser created successfully."));

    let server = Running::start(&env);
    for (user, pw, path, status) in [
        ("dave", "dave-secret-1", "/basic/", 200),
        ("dave", "wrong", "/basic/", 401),
        ("dave", "dave-secret-1", "/admin-only/", 403),
        ("root", "root-secret-1", "/admin-only/", 200),
    ] {
        use base64::Engine;
        let cred = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
        let r = raw_request(
            server.addr,
            "GET",
            path,
            &[("Authorization".into(), format!("Basic {cred}").into_bytes())],
            None,
            None,
        )
        .await;
        assert_eq!(r.status, status, "{user} on {path}: {:?}", text(&r.body));
    }
    assert!(server.terminate().success());
}

/// `LOG_FORMAT=json`: every log line `runserver` writes through `tracing` (the access log, the
/// audit events) is one JSON object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_format_json_writes_json_lines() {
    let env = Env::new("cli-json-log");
    let (mut child, addr) = spawn_runserver(&env, &[("LOG_FORMAT", "json"), ("RUST_LOG", "info")]);
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "runserver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(get_token(addr, ALICE_KEY).await.0, 200);
    let mut audit = None;
    let mut access = None;
    while audit.is_none() || access.is_none() {
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the log lines in time");
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
            // Lines printed by the command itself (the address) are not tracing's.
            assert!(!line.contains("\"target\""), "not JSON: {line}");
            continue;
        };
        match value["target"].as_str() {
            Some("drf::audit") => audit = Some(value),
            Some("drf::access") => access = Some(value),
            _ => {}
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let audit = audit.unwrap();
    assert_eq!(audit["fields"]["event"], "authentication");
    assert_eq!(audit["fields"]["outcome"], "success");
    assert_eq!(audit["fields"]["route"], "/token/");
    assert!(!audit.to_string().contains(ALICE_KEY));
    let access = access.unwrap();
    assert_eq!(access["fields"]["status"], 200);
}

/// `show_urls`: the manifest of every route, with what comes from the settings marked;
/// `--strict` fails naming the views whose permissions are the defaults (here `/default/`
/// alone); neither needs the database.
#[test]
fn show_urls_lists_the_declarations_and_strict_names_implicit_permissions() {
    let env = Env::new("cli-show-urls");
    let out = env.run(&["show_urls", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let routes: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let route = |path: &str| {
        routes
            .iter()
            .find(|r| r["path"] == path)
            .unwrap_or_else(|| panic!("no {path} in {routes:#?}"))
            .clone()
    };
    let composed = route("/composed/");
    assert_eq!(composed["schemes"], serde_json::json!(["Token", "Basic"]));
    assert_eq!(
        composed["permissions"],
        serde_json::json!(["IsAuthenticated & !IsAdminUser"])
    );
    assert_eq!(composed["permissions_from_settings"], false);
    let default = route("/default/");
    assert_eq!(default["schemes"], serde_json::json!(["Session", "Basic"]));
    assert_eq!(default["schemes_from_settings"], true);
    assert_eq!(default["permissions"], serde_json::json!(["AllowAny"]));
    assert_eq!(default["permissions_from_settings"], true);
    assert_eq!(
        default["methods"],
        serde_json::json!(["GET", "POST", "OPTIONS"])
    );
    let throttled = route("/throttled/");
    assert_eq!(
        throttled["throttles"],
        serde_json::json!(["AnonRate", "UserRate"])
    );
    assert_eq!(route("/scoped/")["throttle_scope"], "burst");

    let out = env.run(&["show_urls"]);
    assert_eq!(out.status.code(), Some(0));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("/default/  Default  [GET, POST, OPTIONS]\n    authentication: Session, Basic (settings)\n    permissions:    AllowAny (settings)"),
        "{listing}"
    );

    let out = env.run(&["show_urls", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).ends_with(
            "CommandError: permissions come from DEFAULT_PERMISSION_CLASSES, not the view's own #[permission_classes], for: /default/ (Default)\n"
        ),
        "{}",
        text(&out.stderr)
    );
}

/// `spectacular`: the OpenAPI document on standard output or in `--file`; a file that cannot be
/// written is a CommandError, exit 1.
#[test]
fn spectacular_writes_the_document() {
    let env = Env::new("cli-spectacular");
    let out = env
        .command(&["spectacular"])
        .env("TOKEN_KEYWORD", "Bearer")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"],
        serde_json::json!({"type": "http", "scheme": "bearer"})
    );

    let dir = TempDir::new("cli-spectacular-out");
    let file = dir.0.join("openapi.json");
    let out = env.run(&["spectacular", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["paths"], doc["paths"]);

    let missing = dir.0.join("no-such-dir").join("openapi.json");
    let out = env.run(&["spectacular", "--file", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("CommandError: cannot write "),
        "{}",
        text(&out.stderr)
    );
}
