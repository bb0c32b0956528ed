//! Sessions shared with real Django, both ways (issue 4, item 5).
//!
//! Needs `DRF_DJANGO_PYTHON`: a Python with Django 5.2 installed (the venv of
//! `tests/drf_reference/record.sh`). Unset when the test is built, the test is reported as ignored (see `build.rs`).
//!
//! On a copy of the Django-made fixture database, with the same `SECRET_KEY`:
//! (a) Django's test client logs alice in and gets a CSRF token; our server accepts that
//!     session on `/session/`, and its CSRF cookie and masked token on a POST;
//! (b) we log bob in through `/session-login/`; Django reads the row (`SessionStore.load`),
//!     finds bob with `get_user`, and accepts our CSRF cookie through `CsrfViewMiddleware`.

#[path = "../examples/conformance/settings.rs"]
mod settings;
#[path = "../examples/conformance/views.rs"]
mod views;

mod common;

use serde_json::{Value, json};

use common::{fixture_app, header, raw_request, start_server};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/drf_reference/sessions_interop.py"
);

/// Runs the Django side and parses its JSON line.
async fn django(python: &str, args: Vec<String>) -> Value {
    common::django_script(python, SCRIPT, args).await
}

#[cfg_attr(
    not(drf_test_django),
    ignore = "needs DRF_DJANGO_PYTHON: source .ci/services.sh && django_venv"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_shared_with_django_both_ways() {
    let python = std::env::var("DRF_DJANGO_PYTHON").expect("DRF_DJANGO_PYTHON is set");
    let (app, _dir) = fixture_app("django-sessions").await;
    // sqlite://PATH, or postgres://… with DRF_TEST_DATABASE=postgres.
    let db = app.config().database_url.clone();
    let server = start_server(views::router(), app).await;

    // (a) Django logs alice in; we accept the session and its CSRF cookie and token.
    let dj = django(
        &python,
        vec!["login".into(), db.clone(), "alice".into(), "alicepw".into()],
    )
    .await;
    let sid = dj["sessionid"].as_str().expect("sessionid").to_owned();
    let secret = dj["csrftoken"].as_str().expect("csrftoken").to_owned();
    let masked = dj["token"].as_str().expect("token").to_owned();
    assert_eq!((sid.len(), secret.len(), masked.len()), (32, 32, 64));

    let alice = json!({"username": "alice", "is_authenticated": true, "auth": null});
    let cookie = format!("sessionid={sid}; csrftoken={secret}");
    let r = raw_request(
        server.addr,
        "GET",
        "/session/",
        &[header("Cookie", &format!("sessionid={sid}"))],
        None,
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.json()),
        (200, alice.clone()),
        "Django's session on GET"
    );
    for token in [&masked, &secret] {
        let r = raw_request(
            server.addr,
            "POST",
            "/session/",
            &[header("Cookie", &cookie), header("X-CSRFToken", token)],
            None,
            None,
        )
        .await;
        assert_eq!(
            (r.status, r.json()),
            (200, alice.clone()),
            "Django's CSRF token {token}"
        );
    }
    let r = raw_request(
        server.addr,
        "POST",
        "/session/",
        &[
            header("Cookie", &cookie),
            header("X-CSRFToken", &"a".repeat(64)),
        ],
        None,
        None,
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["detail"],
        "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."
    );

    // (b) We log bob in; Django reads the session and accepts our CSRF cookie.
    let r = raw_request(
        server.addr,
        "POST",
        "/session-login/",
        &[],
        Some("application/json"),
        Some(br#"{"username":"bob","password":"bobpw"}"#),
    )
    .await;
    assert_eq!((r.status, r.json()), (200, json!({"username": "bob"})));
    let our_sid = r.set_cookie("sessionid").expect("sessionid cookie");
    let our_csrf = r.set_cookie("csrftoken").expect("csrftoken cookie");
    let dj = django(
        &python,
        vec![
            "check".into(),
            db.clone(),
            our_sid.clone(),
            our_csrf.clone(),
        ],
    )
    .await;
    assert_eq!(dj["user"], "bob", "Django's get_user on our session: {dj}");
    assert_eq!(dj["session"]["_auth_user_id"], "4");
    assert_eq!(
        dj["session"]["_auth_user_backend"],
        "django.contrib.auth.backends.ModelBackend"
    );
    assert_eq!(
        dj["session"]["_auth_user_hash"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(
        dj["post_status"], 200,
        "Django's CSRF check of our cookie: {dj}"
    );
    assert_eq!(dj["post_body"]["username"], "bob");
    assert_eq!(dj["bad_token_status"], 403);

    // Django's session for alice still works here after Django read ours.
    let r = raw_request(
        server.addr,
        "GET",
        "/session/",
        &[header("Cookie", &format!("sessionid={sid}"))],
        None,
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    server.stop().await;
    eprintln!("django_sessions: sessions and CSRF accepted both ways");
}
