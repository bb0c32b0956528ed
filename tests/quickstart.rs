//! The quickstart API end to end: token login, notes, the owner-only object permission.

mod common;

#[path = "../examples/quickstart/notes.rs"]
#[allow(dead_code)]
mod notes;
#[path = "../examples/quickstart/settings.rs"]
mod settings;
#[path = "../examples/quickstart/views.rs"]
mod views;

use drf::testing::{APIClient, create_user, test_app};
use serde_json::json;

#[tokio::test]
async fn notes_are_private_to_their_owner() {
    let app = test_app().await;
    notes::create_table(&app).await.unwrap();
    create_user(&app, "alice", "alice-pass").await;
    create_user(&app, "bob", "bob-pass").await;
    let mut c = APIClient::new(views::router(), app);

    let r = c.get("/notes/").send().await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Token"));

    let r = c
        .post("/api-token-auth/")
        .form(&[("username", "alice"), ("password", "alice-pass")])
        .send()
        .await;
    assert_eq!(r.status, 200);
    let alice_token = r.json()["token"].as_str().unwrap().to_owned();
    let bob_token = c
        .post("/api-token-auth/")
        .json(&json!({"username": "bob", "password": "bob-pass"}))
        .send()
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    c.credentials(&format!("Token {alice_token}"));
    let r = c
        .post("/notes/")
        .json(&json!({"title": " groceries ", "body": "milk"}))
        .send()
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json(),
        json!({"id": 1, "owner": "alice", "title": "groceries", "body": "milk"})
    );
    let r = c.post("/notes/").json(&json!({"title": "  "})).send().await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"title": ["This field may not be blank."]}));
    let r = c.post("/notes/").json(&json!({"body": "x"})).send().await;
    assert_eq!(r.json(), json!({"title": ["This field is required."]}));
    assert_eq!(
        c.get("/notes/")
            .send()
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = c.get("/me/").send().await;
    assert_eq!(r.json()["username"], "alice");

    c.credentials(&format!("Token {bob_token}"));
    assert_eq!(c.get("/notes/").send().await.json(), json!([]));
    let r = c.get("/notes/1/").send().await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"detail": "You do not have permission to perform this action."})
    );
    assert_eq!(c.delete("/notes/1/").send().await.status, 403);
    assert_eq!(c.get("/notes/99/").send().await.status, 404);

    c.credentials(&format!("Token {alice_token}"));
    let r = c
        .put("/notes/1/")
        .json(&json!({"title": "shopping", "body": "milk, eggs"}))
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["title"], "shopping");
    assert_eq!(c.delete("/notes/1/").send().await.status, 204);
    assert_eq!(c.get("/notes/1/").send().await.status, 404);
    let r = c.request("PATCH", "/notes/1/").send().await;
    assert_eq!(
        r.status, 405,
        "the method check comes before the handler's lookup"
    );
    assert_eq!(r.json(), json!({"detail": "Method \"PATCH\" not allowed."}));
    assert_eq!(r.header("allow"), Some("GET, PUT, DELETE, OPTIONS"));
}

/// Started without arguments (its own `main`) or by `runserver`, the quickstart logs alike:
/// the start-up warning, then one access-log line per request.
#[test]
fn the_quickstart_logs_alike_however_it_is_started() {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    for runserver in [false, true] {
        let dir = common::TempDir::new("quickstart-log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut command = Command::new(common::example("quickstart"));
        if runserver {
            command.args(["runserver", &addr]);
        }
        let mut child = command
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.0.join("db.sqlite3").display()),
            )
            .env("BIND", &addr)
            .env("RUST_LOG", "info")
            .env_remove("SECRET_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the quickstart");
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        let wait_for = |needle: &str, seen: &mut Vec<String>| loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(needle);
                    seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no line with {needle:?} (runserver: {runserver}): {seen:#?}"),
            }
        };
        wait_for("Starting server at", &mut seen);
        assert!(
            seen.iter()
                .any(|l| l == "warning: SECRET_KEY is not set; using an insecure development key"),
            "runserver: {runserver}: {seen:#?}"
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let r = rt.block_on(common::raw_request(
            addr.parse().unwrap(),
            "GET",
            "/me/",
            &[],
            None,
            None,
        ));
        assert_eq!(r.status, 401);
        wait_for("GET /me/ 401", &mut seen);
        assert!(
            seen.last().unwrap().contains("drf::access"),
            "runserver: {runserver}: {seen:#?}"
        );
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The cookie `name=value` a response sets, if it sets it.
fn set_cookie(r: &drf::testing::TestResponse, name: &str) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// The quickstart's session login checks CSRF as Django's `LoginView` does: before anything
/// else, for an anonymous caller too.
#[tokio::test]
async fn session_login_checks_csrf_before_the_credentials() {
    let app = test_app().await;
    notes::create_table(&app).await.unwrap();
    create_user(&app, "alice", "alice-pass").await;
    let c = APIClient::new(views::router(), app);
    let login = json!({"username": "alice", "password": "alice-pass"});

    // No CSRF cookie: refused before the body is read (even a body that does not parse).
    let r = c.post("/session-login/").json(&login).send().await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"detail": "CSRF Failed: CSRF cookie not set."})
    );
    let r = c
        .post("/session-login/")
        .body("{", "application/json")
        .send()
        .await;
    assert_eq!(r.status, 403);

    // GET hands out the cookie and the token.
    let r = c.get("/session-login/").send().await;
    assert_eq!(r.status, 200);
    let cookie = set_cookie(&r, "csrftoken").expect("a csrftoken cookie");
    let token = r.json()["csrftoken"].as_str().unwrap().to_owned();

    // The cookie without the token, or with a wrong one: still refused.
    let r = c
        .post("/session-login/")
        .header("cookie", &cookie)
        .json(&login)
        .send()
        .await;
    assert_eq!(
        r.json(),
        json!({"detail": "CSRF Failed: CSRF token missing."})
    );
    let r = c
        .post("/session-login/")
        .header("cookie", &cookie)
        .header("x-csrftoken", &"a".repeat(64))
        .json(&login)
        .send()
        .await;
    assert_eq!(
        r.json(),
        json!({"detail": "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."})
    );

    // With both: the credentials are checked, then the session is made.
    let with_csrf = |body: serde_json::Value| {
        c.post("/session-login/")
            .header("cookie", &cookie)
            .header("x-csrftoken", &token)
            .json(&body)
    };
    let r = with_csrf(json!({"username": "alice", "password": "wrong"}))
        .send()
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"non_field_errors": ["Unable to log in with provided credentials."]})
    );
    let r = with_csrf(json!({"username": " "})).send().await;
    assert_eq!(
        r.json(),
        json!({"username": ["This field may not be blank."], "password": ["This field is required."]})
    );
    let r = with_csrf(login.clone()).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"username": "alice"}));
    let session = set_cookie(&r, "sessionid").expect("a sessionid cookie");
    let r = c.get("/me/").header("cookie", &session).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["username"], "alice");
}
