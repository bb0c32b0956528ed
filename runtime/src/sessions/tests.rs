//! Sessions, login/logout and CSRF through the whole pipeline (in-process client).

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::app::App;
use crate::authentication::{Basic, Session, authenticate_credentials};
use crate::config::Config;
use crate::db::NewUser;
use crate::error::ApiError;
use crate::permissions::{AllowAny, IsAuthenticated};
use crate::request::Request;
use crate::response::{Response, json_response};
use crate::router::Router;
use crate::settings::DefaultSettings;
use crate::signing::{Signer, TimestampSigner};
use crate::testing::{APIClient, TestResponse, create_user, test_app_with, test_config};
use crate::user::User;
use crate::view::{Explicit, View};

const KEY: &str = "test-secret-key-for-vectors";

fn ok(body: Value) -> Result<Response, ApiError> {
    Ok(json_response(StatusCode::OK, &body))
}

/// `/session/`: Session, IsAuthenticated.
struct Whoami;
impl View for Whoami {
    const NAME: &'static str = "Whoami";
    const METHODS: &'static [Method] = &[Method::GET, Method::POST, Method::PUT];
    type Authentication = Explicit<(Session,)>;
    type Permission = Explicit<(IsAuthenticated,)>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(crate::renderers::JSONRenderer,)>;
    async fn handle(req: Request) -> Result<Response, ApiError> {
        ok(json!({"username": req.user().username}))
    }
}

/// `/default/`: Session then Basic, AllowAny.
struct Default2;
impl View for Default2 {
    const NAME: &'static str = "Default";
    const METHODS: &'static [Method] = &[Method::GET, Method::POST];
    type Authentication = Explicit<(Session, Basic)>;
    type Permission = Explicit<(AllowAny,)>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(crate::renderers::JSONRenderer,)>;
    async fn handle(req: Request) -> Result<Response, ApiError> {
        ok(json!({"username": req.user().username}))
    }
}

/// `/login/`: no schemes; logs in with `{username, password}`.
struct Login;
impl View for Login {
    const NAME: &'static str = "Login";
    const METHODS: &'static [Method] = &[Method::POST];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(crate::renderers::JSONRenderer,)>;
    async fn handle(req: Request) -> Result<Response, ApiError> {
        let data = req.data()?.clone();
        let u = data["username"].as_str().unwrap_or_default();
        let p = data["password"].as_str().unwrap_or_default();
        let Some(user) = authenticate_credentials(&req, u, p).await? else {
            return Err(ApiError::validation(json!({"non_field_errors": ["bad"]})));
        };
        login(&req, &user).await?;
        ok(json!({"username": user.username}))
    }
}

/// `/logout/`.
struct Logout;
impl View for Logout {
    const NAME: &'static str = "Logout";
    const METHODS: &'static [Method] = &[Method::POST];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(crate::renderers::JSONRenderer,)>;
    async fn handle(req: Request) -> Result<Response, ApiError> {
        logout(&req).await?;
        ok(json!({}))
    }
}

/// `/token/`: Django's `get_token`.
struct CsrfToken;
impl View for CsrfToken {
    const NAME: &'static str = "Csrf Token";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(crate::renderers::JSONRenderer,)>;
    async fn handle(req: Request) -> Result<Response, ApiError> {
        ok(json!({"token": get_token(&req)}))
    }
}

/// `/counter/?expiry=…`: an anonymous session counting visits.
struct Counter;
impl View for Counter {
    const NAME: &'static str = "Counter";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(crate::renderers::JSONRenderer,)>;
    async fn handle(req: Request) -> Result<Response, ApiError> {
        let s = req.session();
        let n = s.get("n").await?.and_then(|v| v.as_i64()).unwrap_or(0) + 1;
        s.insert("n", n).await?;
        match req.query_params().first().map(|(_, v)| v.as_str()) {
            Some("close") => s.set_expiry(SessionExpiry::BrowserClose).await?,
            Some("60") => s.set_expiry(SessionExpiry::Seconds(60)).await?,
            _ => {}
        }
        ok(json!({"n": n, "age": s.get_expiry_age().await?}))
    }
}

fn router() -> Router<DefaultSettings> {
    Router::new()
        .route("/session/", Whoami)
        .route("/default/", Default2)
        .route("/login/", Login)
        .route("/logout/", Logout)
        .route("/token/", CsrfToken)
        .route("/counter/", Counter)
}

fn config() -> Config {
    let mut c = test_config();
    c.secret_key = KEY.to_owned();
    c
}

async fn client_with(config: Config) -> APIClient {
    APIClient::new(router(), test_app_with(config).await)
}

async fn client() -> APIClient {
    client_with(config()).await
}

fn cookies(r: &TestResponse) -> Vec<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value of cookie `name` set by `r`.
fn cookie(r: &TestResponse, name: &str) -> Option<String> {
    cookies(r).iter().find_map(|c| {
        c.split(';')
            .next()
            .and_then(|nv| nv.split_once('='))
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    })
}

/// Logs alice in; returns (sessionid, csrf secret).
async fn login_alice(c: &APIClient) -> (String, String) {
    let r = c
        .post("/login/")
        .json(&json!({"username": "alice", "password": "pw"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    (
        cookie(&r, "sessionid").unwrap(),
        cookie(&r, "csrftoken").unwrap(),
    )
}

/// A session row for `user` written as Django's `login()` writes it.
async fn django_session(app: &App, user: &User, secret: &str, backend: &str) -> String {
    let data = json!({
        "_auth_user_id": user.id.unwrap().to_string(),
        "_auth_user_backend": backend,
        "_auth_user_hash": session_auth_hash(&user.password, secret),
    });
    let encoded = TimestampSigner::new(Signer::new(secret, SESSION_SALT)).sign_object(&data, true);
    let key = crate::hashers::random_string(32, VALID_KEY_CHARS);
    let expire = crate::db::now() + chrono::Duration::days(14);
    assert!(
        app.db()
            .session_insert(&key, &encoded, expire)
            .await
            .unwrap()
    );
    key
}

fn session_data(app: &App, encoded: &str) -> Value {
    let _ = app;
    crate::signing::loads(encoded, KEY, &[], SESSION_SALT, None).unwrap()
}

#[tokio::test]
async fn login_sets_djangos_cookies_and_row() {
    let c = client().await;
    let alice = create_user(c.app(), "alice", "pw").await;
    assert!(alice.last_login.is_none());
    let r = c
        .post("/login/")
        .json(&json!({"username": "alice", "password": "pw"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("vary"), Some("Cookie"));
    let set = cookies(&r);
    assert_eq!(set.len(), 2, "{set:?}");
    // csrftoken first, then sessionid, with Django's attributes.
    let csrf = cookie(&r, "csrftoken").unwrap();
    assert!(csrf.len() == 32 && csrf.bytes().all(|b| b.is_ascii_alphanumeric()));
    let rest = set[0]
        .strip_prefix(&format!("csrftoken={csrf}; expires="))
        .unwrap();
    assert!(
        rest.ends_with(" GMT; Max-Age=31449600; Path=/; SameSite=Lax"),
        "{rest}"
    );
    let key = cookie(&r, "sessionid").unwrap();
    assert!(
        key.len() == 32
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    let rest = set[1]
        .strip_prefix(&format!("sessionid={key}; expires="))
        .unwrap();
    assert!(
        rest.ends_with(" GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax"),
        "{rest}"
    );

    let row = c
        .app()
        .db()
        .session_data(&key, crate::db::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        session_data(c.app(), &row),
        json!({
            "_auth_user_id": alice.id.unwrap().to_string(),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": session_auth_hash(&alice.password, KEY),
        })
    );
    // Not valid any more at now + 14 days + a minute: expire_date is now + SESSION_COOKIE_AGE.
    let later = crate::db::now() + chrono::Duration::seconds(1_209_660);
    assert!(
        c.app()
            .db()
            .session_data(&key, later)
            .await
            .unwrap()
            .is_none()
    );
    let alice = c
        .app()
        .db()
        .user_by_id(alice.id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(alice.last_login.is_some(), "login() updates last_login");
}

#[tokio::test]
async fn session_authenticates_and_unsafe_methods_need_csrf() {
    let c = client().await;
    create_user(c.app(), "alice", "pw").await;
    let (sid, secret) = login_alice(&c).await;
    let both = format!("sessionid={sid}; csrftoken={secret}");

    let r = c
        .get("/session/")
        .header("Cookie", &format!("sessionid={sid}"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (200, json!({"username": "alice"}))
    );
    assert_eq!(r.header("vary"), Some("Cookie"));
    assert!(cookies(&r).is_empty(), "a session read is not re-sent");

    let detail = |r: &TestResponse| r.json()["detail"].as_str().unwrap_or_default().to_owned();
    let post = |cookie: String| c.post("/session/").header("Cookie", &cookie);

    let r = post(format!("sessionid={sid}")).await;
    assert_eq!(
        (r.status.as_u16(), detail(&r)),
        (403, "CSRF Failed: CSRF cookie not set.".into())
    );
    let r = post(both.clone()).await;
    assert_eq!(detail(&r), "CSRF Failed: CSRF token missing.");

    // The secret, or any masking of it, in the header or the form field.
    for token in [
        secret.clone(),
        mask_cipher_secret(&secret),
        mask_cipher_secret(&secret),
    ] {
        let r = post(both.clone()).header("X-CSRFToken", &token).await;
        assert_eq!(r.status, 200, "{token}: {}", r.text());
        let r = post(both.clone())
            .form(&[("csrfmiddlewaretoken", &token)])
            .await;
        assert_eq!(r.status, 200, "{token}: {}", r.text());
        let r = post(both.clone())
            .multipart(&[("csrfmiddlewaretoken", &token)])
            .await;
        assert_eq!(r.status, 200, "{token}: {}", r.text());
    }
    // PUT reads the header only.
    let r = c
        .put("/session/")
        .header("Cookie", &both)
        .header("X-CSRFToken", &secret)
        .await;
    assert_eq!(r.status, 200);
    let r = c
        .put("/session/")
        .header("Cookie", &both)
        .form(&[("csrfmiddlewaretoken", &secret)])
        .await;
    assert_eq!(detail(&r), "CSRF Failed: CSRF token missing.");

    let h = "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header";
    let other = new_secret();
    for (token, want) in [
        (other.clone(), format!("{h} incorrect.")),
        (mask_cipher_secret(&other), format!("{h} incorrect.")),
        ("a".repeat(64), format!("{h} incorrect.")),
        (String::new(), format!("{h} has incorrect length.")),
        ("abc".into(), format!("{h} has incorrect length.")),
        ("a".repeat(33), format!("{h} has incorrect length.")),
        (
            format!("{}!", &secret[..31]),
            format!("{h} has invalid characters."),
        ),
        ("-".repeat(64), format!("{h} has invalid characters.")),
    ] {
        let r = post(both.clone()).header("X-CSRFToken", &token).await;
        assert_eq!((r.status.as_u16(), detail(&r)), (403, want), "{token:?}");
    }
    // Raw latin-1 bytes in the header: invalid characters, not a panic.
    let r = post(both.clone())
        .header_bytes("X-CSRFToken", &[0xe9; 32])
        .await;
    assert_eq!(detail(&r), format!("{h} has invalid characters."));
    // The form field is read first; an empty one falls back to the header.
    let r = post(both.clone())
        .form(&[("csrfmiddlewaretoken", &other)])
        .await;
    assert_eq!(detail(&r), "CSRF Failed: CSRF token from POST incorrect.");
    let r = post(both.clone())
        .form(&[("csrfmiddlewaretoken", "xyz")])
        .await;
    assert_eq!(
        detail(&r),
        "CSRF Failed: CSRF token from POST has incorrect length."
    );
    let r = post(both.clone())
        .header("X-CSRFToken", &secret)
        .form(&[("csrfmiddlewaretoken", "")])
        .await;
    assert_eq!(r.status, 200);
    // A JSON body's field is not the form field.
    let r = post(both.clone())
        .json(&json!({"csrfmiddlewaretoken": secret}))
        .await;
    assert_eq!(detail(&r), "CSRF Failed: CSRF token missing.");
    // On POST the body is parsed, and its errors are the answer (as DRF's request.POST).
    let r = post(both.clone())
        .header("X-CSRFToken", &secret)
        .body("{", "application/json")
        .await;
    assert_eq!(r.status, 400);
    let r = post(both.clone())
        .header("X-CSRFToken", &secret)
        .body("x", "text/plain")
        .await;
    assert_eq!(r.status, 415);

    // Malformed CSRF cookies: the reason, and a fresh cookie in the answer.
    for (bad, reason) in [
        ("short", "has incorrect length"),
        ("", "has incorrect length"),
        (&*"!".repeat(32), "has invalid characters"),
        (&*"é".repeat(32), "has invalid characters"),
    ] {
        let r = post(format!("sessionid={sid}; csrftoken={bad}"))
            .header("X-CSRFToken", &secret)
            .await;
        assert_eq!(
            detail(&r),
            format!("CSRF Failed: CSRF cookie {reason}."),
            "{bad:?}"
        );
        let fresh = cookie(&r, "csrftoken").expect("a new csrftoken cookie");
        assert_eq!(check_token_format(&fresh), Ok(()));
    }
    // A masked cookie (Django < 4.1) holds the same secret.
    let masked = mask_cipher_secret(&secret);
    let r = post(format!("sessionid={sid}; csrftoken={masked}"))
        .header("X-CSRFToken", &secret)
        .await;
    assert_eq!(r.status, 200);
    // Safe methods are never checked.
    let r = c
        .get("/session/")
        .header("Cookie", &format!("sessionid={sid}; csrftoken=!"))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn origin_and_https_referer_checks() {
    let mut cfg = config();
    cfg.csrf.trusted_origins = vec![
        "https://good.example".into(),
        "https://*.wild.example".into(),
    ];
    cfg.secure_proxy_ssl_header = Some(("x-forwarded-proto".into(), "https".into()));
    let c = client_with(cfg).await;
    create_user(c.app(), "alice", "pw").await;
    let (sid, secret) = login_alice(&c).await;
    let both = format!("sessionid={sid}; csrftoken={secret}");
    let post = || {
        c.post("/session/")
            .header("Cookie", &both)
            .header("X-CSRFToken", &secret)
    };
    let detail = |r: &TestResponse| r.json()["detail"].as_str().unwrap_or_default().to_owned();

    // Plain HTTP: the Origin must be the request's own or trusted; no Referer check.
    for (origin, status) in [
        ("http://testserver", 200),
        ("https://good.example", 200),
        ("https://a.wild.example", 200),
        ("https://wild.example", 200),
        ("http://a.wild.example", 403),
        ("https://testserver", 403),
        ("http://evil.example", 403),
        ("null", 403),
        ("", 403),
    ] {
        let r = post().header("Origin", origin).await;
        assert_eq!(r.status, status, "{origin}: {}", r.text());
        if status == 403 {
            assert_eq!(
                detail(&r),
                format!(
                    "CSRF Failed: Origin checking failed - {origin} does not match any trusted origins."
                )
            );
        }
    }
    assert_eq!(post().await.status, 200);

    // HTTPS (through the proxy header): Origin https://testserver, or a good Referer.
    let https = || post().header("X-Forwarded-Proto", "https");
    assert_eq!(
        https().header("Origin", "https://testserver").await.status,
        200
    );
    let r = https().header("Origin", "http://testserver").await;
    assert_eq!(r.status, 403);
    let r = https().await;
    assert_eq!(
        detail(&r),
        "CSRF Failed: Referer checking failed - no Referer."
    );
    for (referer, reason) in [
        (
            "nonsense",
            "Referer checking failed - Referer is malformed.",
        ),
        (
            "https://",
            "Referer checking failed - Referer is malformed.",
        ),
        (
            "https://[::1/x",
            "Referer checking failed - Referer is malformed.",
        ),
        (
            "http://testserver/page",
            "Referer checking failed - Referer is insecure while host is secure.",
        ),
        (
            "https://evil.com/x?",
            "Referer checking failed - https://evil.com/x does not match any trusted origins.",
        ),
        (
            "https://testserver.evil.com/",
            "Referer checking failed - https://testserver.evil.com/ does not match any trusted origins.",
        ),
    ] {
        let r = https().header("Referer", referer).await;
        assert_eq!(detail(&r), format!("CSRF Failed: {reason}"), "{referer}");
    }
    for good in [
        "https://testserver/page",
        "https://good.example/x",
        "https://b.wild.example/",
    ] {
        assert_eq!(https().header("Referer", good).await.status, 200, "{good}");
    }
    // The proxy header's first value decides.
    let r = post().header("X-Forwarded-Proto", "http, https").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn session_wins_over_basic_and_anonymous_sessions_step_aside() {
    let c = client().await;
    create_user(c.app(), "alice", "pw").await;
    create_user(c.app(), "bob", "bobpw").await;
    let (sid, _) = login_alice(&c).await;
    let basic_bob = "Basic Ym9iOmJvYnB3";
    let r = c
        .get("/default/")
        .header("Cookie", &format!("sessionid={sid}"))
        .header("Authorization", basic_bob)
        .await;
    assert_eq!(r.json(), json!({"username": "alice"}));
    let r = c
        .post("/default/")
        .header("Cookie", &format!("sessionid={sid}"))
        .header("Authorization", basic_bob)
        .await;
    assert_eq!(
        r.json(),
        json!({"detail": "CSRF Failed: CSRF cookie not set."})
    );
    // No session: Basic, never CSRF-checked.
    let r = c.post("/default/").header("Authorization", basic_bob).await;
    assert_eq!(r.json(), json!({"username": "bob"}));
    assert_eq!(r.header("vary"), Some("Cookie"));
    // An anonymous session (no user in it) is no authentication, and no CSRF check.
    let r = c.get("/counter/").await;
    let anon = cookie(&r, "sessionid").unwrap();
    let r = c
        .post("/default/")
        .header("Cookie", &format!("sessionid={anon}"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (200, json!({"username": ""}))
    );
}

#[tokio::test]
async fn bad_session_cookies_are_anonymous_and_deleted() {
    let c = client().await;
    let alice = create_user(c.app(), "alice", "pw").await;
    let deleted =
        "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax";
    let (sid, _) = login_alice(&c).await;
    let long = "a".repeat(4000);
    for bad in [
        "0123456789abcdefghijklmnopqrstuv".to_owned(), // unknown key
        sid.to_uppercase(),                            // keys are case-sensitive
        format!("{sid}x"),                             // longer than any key
        "short".to_owned(),                            // < 8 characters: no session at all
        String::new(),
        long,
        "\"quoted\\\"\"".to_owned(),
        "é".repeat(40),
    ] {
        let r = c
            .get("/session/")
            .header("Cookie", &format!("sessionid={bad}"))
            .await;
        assert_eq!(r.status, 403, "{bad:?}");
        assert_eq!(
            r.json()["detail"],
            "Authentication credentials were not provided."
        );
        assert_eq!(cookies(&r), [deleted], "{bad:?}");
        assert_eq!(r.header("vary"), Some("Cookie"));
    }
    // A short cookie is deleted even by views that never read the session.
    let r = c.get("/token/").header("Cookie", "sessionid=abc").await;
    assert!(cookies(&r).contains(&deleted.to_owned()));
    let r = c
        .get("/token/")
        .header("Cookie", &format!("sessionid={sid}"))
        .await;
    assert!(!cookies(&r).iter().any(|c| c.starts_with("sessionid")));

    // A row whose data is forged, truncated or signed with another key: an empty session, kept.
    let db = c.app().db();
    let expire = crate::db::now() + chrono::Duration::days(1);
    let good = TimestampSigner::new(Signer::new(KEY, SESSION_SALT)).sign_object(
        &json!({"_auth_user_id": alice.id.unwrap().to_string(),
                "_auth_user_backend": MODEL_BACKEND,
                "_auth_user_hash": session_auth_hash(&alice.password, KEY)}),
        true,
    );
    let other_key = TimestampSigner::new(Signer::new("another-key", SESSION_SALT)).sign_object(
        &json!({"_auth_user_id": alice.id.unwrap().to_string(),
                "_auth_user_backend": MODEL_BACKEND,
                "_auth_user_hash": session_auth_hash(&alice.password, "another-key")}),
        true,
    );
    let forged = good.replacen('.', ".X", 1);
    for (i, data) in [
        &good[..good.len() - 1],
        &good[..20],
        "",
        "garbage",
        &forged,
        &other_key,
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("forgedsession{i:019}");
        assert!(db.session_insert(&key, data, expire).await.unwrap());
        let r = c
            .get("/session/")
            .header("Cookie", &format!("sessionid={key}"))
            .await;
        assert_eq!(r.status, 403, "{data}");
        assert!(
            cookies(&r).is_empty(),
            "the key stays, so the cookie is not deleted"
        );
    }
    // Expired: no session, cookie deleted.
    let key = "expiredsession000000000000000000";
    let past = crate::db::now() - chrono::Duration::seconds(1);
    assert!(db.session_insert(key, &good, past).await.unwrap());
    let r = c
        .get("/session/")
        .header("Cookie", &format!("sessionid={key}"))
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(cookies(&r), [deleted]);
    // The good data under a live key works.
    let key = "goodsession000000000000000000000";
    assert!(db.session_insert(key, &good, expire).await.unwrap());
    let r = c
        .get("/session/")
        .header("Cookie", &format!("sessionid={key}"))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn djangos_own_session_row_authenticates() {
    // docs/django-compat.md §4.3/§4.4: user 1 with this password, and the row Django wrote for it.
    let c = client().await;
    let pw =
        "pbkdf2_sha256$1500000$Z7yq2bT9cLwX4mN8pR1sVd$BR5z0Oo2OXyB1k/HYYUEb3rdlF04w+ms2tMU7qaro08=";
    let user = c
        .app()
        .db()
        .create_user(NewUser::new("vector", pw))
        .await
        .unwrap();
    assert_eq!(user.id, Some(1));
    let data = ".eJxVjMsOwiAQRf-FtSG8ZlJcuvcbyMBQqRpISrsy_ruSdKHbc869LxFo30rYe17DwuIstDj9skjpkesQfKd6azK1uq1LlCORh-3y2jg_L0f7d1Col7FGY5NhC1mRJnDoMIJR2Vk0yF9uNSokb4lm5Fn7NGVkQ5N3AA6ieH8AyGk3Nw:1r31eq:lJIAUnyjB7klDnlz6kULEaUzwqDB2xESw6R8rjNuyvk";
    let key = "vectorsession0000000000000000000";
    let expire = crate::db::now() + chrono::Duration::days(1);
    assert!(
        c.app()
            .db()
            .session_insert(key, data, expire)
            .await
            .unwrap()
    );
    let r = c
        .get("/session/")
        .header("Cookie", &format!("sessionid={key}"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (200, json!({"username": "vector"}))
    );
}

#[tokio::test]
async fn password_change_inactive_user_and_unknown_backend() {
    let c = client().await;
    let alice = create_user(c.app(), "alice", "pw").await;
    let (sid, _) = login_alice(&c).await;
    let get = |key: &str| {
        c.get("/session/")
            .header("Cookie", &format!("sessionid={key}"))
    };
    assert_eq!(get(&sid).await.status, 200);
    // A new password hash logs the user out everywhere: the session is flushed.
    let id = alice.id.unwrap();
    c.app()
        .db()
        .set_password(id, "pbkdf2_sha256$1000$salt$other")
        .await
        .unwrap();
    let r = get(&sid).await;
    assert_eq!(r.status, 403);
    assert!(cookies(&r)[0].starts_with("sessionid=\"\""));
    assert!(!c.app().db().session_exists(&sid).await.unwrap(), "flushed");

    // Inactive: anonymous, the session is kept.
    let bob = crate::testing::create_user_with(c.app(), "bob", "pw", |u| u.is_active = false).await;
    let key = django_session(c.app(), &bob, KEY, MODEL_BACKEND).await;
    let r = get(&key).await;
    assert_eq!(r.status, 403);
    assert!(cookies(&r).is_empty());
    assert!(c.app().db().session_exists(&key).await.unwrap());

    // A backend not in AUTHENTICATION_BACKENDS: anonymous.
    let carol = create_user(c.app(), "carol", "pw").await;
    let key = django_session(c.app(), &carol, KEY, "myapp.backends.Other").await;
    assert_eq!(get(&key).await.status, 403);
    let key = django_session(c.app(), &carol, KEY, MODEL_BACKEND).await;
    assert_eq!(get(&key).await.status, 200);
    // A deleted user: anonymous.
    c.app().db().delete_user(carol.id.unwrap()).await.unwrap();
    assert_eq!(get(&key).await.status, 403);
    // A hash made with an unknown key: flushed.
    let dave = create_user(c.app(), "dave", "pw").await;
    let key = django_session(c.app(), &dave, "some-other-secret", MODEL_BACKEND).await;
    // (signed with the other key too, so the data itself is unreadable: empty session)
    assert_eq!(get(&key).await.status, 403);
}

#[tokio::test]
async fn secret_key_fallbacks_keep_sessions_and_cycle_the_key() {
    let dir = std::env::temp_dir().join(format!("drf-sessions-fallback-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite3").display());
    let mut old_cfg = config();
    old_cfg.database_url = url.clone();
    old_cfg.secret_key = "old-secret".into();
    let old = client_with(old_cfg).await;
    let alice = create_user(old.app(), "alice", "pw").await;
    let key = django_session(old.app(), &alice, "old-secret", MODEL_BACKEND).await;

    let mut new_cfg = config();
    new_cfg.database_url = url.clone();
    new_cfg.secret_key = "new-secret".into();
    let no_fallback = client_with(new_cfg.clone()).await;
    new_cfg.secret_key_fallbacks = vec!["unrelated".into(), "old-secret".into()];
    let rotated = client_with(new_cfg).await;

    let r = rotated
        .get("/session/")
        .header("Cookie", &format!("sessionid={key}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The session moved to a new key, re-signed with the new secret and hash.
    let new_key = cookie(&r, "sessionid").expect("cycled key");
    assert_ne!(new_key, key);
    assert!(!rotated.app().db().session_exists(&key).await.unwrap());
    let row = rotated
        .app()
        .db()
        .session_data(&new_key, crate::db::now())
        .await
        .unwrap()
        .unwrap();
    let data = crate::signing::loads(&row, "new-secret", &[], SESSION_SALT, None).unwrap();
    assert_eq!(
        data[HASH_SESSION_KEY],
        session_auth_hash(&alice.password, "new-secret")
    );
    // Without the fallback, the new key's data verifies but an old session would not.
    let r = no_fallback
        .get("/session/")
        .header("Cookie", &format!("sessionid={new_key}"))
        .await;
    assert_eq!(r.status, 200);
    let key2 = django_session(old.app(), &alice, "old-secret", MODEL_BACKEND).await;
    let r = no_fallback
        .get("/session/")
        .header("Cookie", &format!("sessionid={key2}"))
        .await;
    assert_eq!(r.status, 403);
    drop((old, rotated, no_fallback));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn login_cycles_or_flushes_and_logout_deletes() {
    let c = client().await;
    create_user(c.app(), "alice", "pw").await;
    create_user(c.app(), "bob", "bobpw").await;
    // An anonymous session's data is kept at login, under a new key.
    let r = c.get("/counter/").await;
    let anon = cookie(&r, "sessionid").unwrap();
    let r = c
        .post("/login/")
        .header("Cookie", &format!("sessionid={anon}"))
        .json(&json!({"username": "alice", "password": "pw"}))
        .await;
    let sid = cookie(&r, "sessionid").unwrap();
    assert_ne!(sid, anon);
    assert!(!c.app().db().session_exists(&anon).await.unwrap());
    let row = c
        .app()
        .db()
        .session_data(&sid, crate::db::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session_data(c.app(), &row)["n"], 1);
    // The same user again: Django keeps the key (no cycle, no flush).
    let r = c
        .post("/login/")
        .header("Cookie", &format!("sessionid={sid}"))
        .json(&json!({"username": "alice", "password": "pw"}))
        .await;
    assert_eq!(cookie(&r, "sessionid").unwrap(), sid);
    // Another user: flushed, new key, old data gone.
    let r = c
        .post("/login/")
        .header("Cookie", &format!("sessionid={sid}"))
        .json(&json!({"username": "bob", "password": "bobpw"}))
        .await;
    let bob_sid = cookie(&r, "sessionid").unwrap();
    assert_ne!(bob_sid, sid);
    assert!(!c.app().db().session_exists(&sid).await.unwrap());
    let row = c
        .app()
        .db()
        .session_data(&bob_sid, crate::db::now())
        .await
        .unwrap()
        .unwrap();
    assert!(session_data(c.app(), &row).get("n").is_none());
    // Logout deletes the row and the cookie.
    let r = c
        .post("/logout/")
        .header("Cookie", &format!("sessionid={bob_sid}"))
        .await;
    assert_eq!(r.status, 200);
    assert!(cookies(&r)[0].starts_with("sessionid=\"\"; expires=Thu, 01 Jan 1970"));
    assert!(!c.app().db().session_exists(&bob_sid).await.unwrap());
    // Without a cookie, logout sets none.
    let r = c.post("/logout/").await;
    assert!(cookies(&r).is_empty());
}

#[tokio::test]
async fn anonymous_sessions_and_expiry() {
    let c = client().await;
    let r = c.get("/counter/").await;
    assert_eq!(r.json()["n"], 1);
    let sid = cookie(&r, "sessionid").unwrap();
    assert_eq!(r.header("vary"), Some("Cookie"));
    let r = c
        .get("/counter/")
        .header("Cookie", &format!("sessionid={sid}"))
        .await;
    assert_eq!(r.json()["n"], 2);
    assert_eq!(
        cookie(&r, "sessionid").unwrap(),
        sid,
        "modified: re-sent, same key"
    );
    // Browser-close sessions: no expires, no Max-Age.
    let r = c
        .get("/counter/?expiry=close")
        .header("Cookie", &format!("sessionid={sid}"))
        .await;
    let set = cookies(&r);
    assert_eq!(
        set,
        [format!("sessionid={sid}; HttpOnly; Path=/; SameSite=Lax")]
    );
    // A custom age.
    let r = c
        .get("/counter/?expiry=60")
        .header("Cookie", &format!("sessionid={sid}"))
        .await;
    assert_eq!(r.json()["age"], 60);
    assert!(cookies(&r)[0].contains("; Max-Age=60; "));
    let soon = crate::db::now() + chrono::Duration::seconds(61);
    assert!(
        c.app()
            .db()
            .session_data(&sid, soon)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn cookie_settings_apply() {
    let mut cfg = config();
    cfg.session.cookie_name = "sid".into();
    cfg.session.cookie_secure = true;
    cfg.session.cookie_domain = Some(".example.com".into());
    cfg.session.cookie_age = 3600;
    cfg.session.cookie_samesite = Some(crate::config::SameSite::Strict);
    cfg.csrf.cookie_name = "xsrf".into();
    cfg.csrf.cookie_secure = true;
    cfg.csrf.cookie_httponly = true;
    cfg.csrf.cookie_age = None;
    cfg.csrf.header_name = "HTTP_X_XSRF_TOKEN".into();
    let c = client_with(cfg).await;
    create_user(c.app(), "alice", "pw").await;
    let r = c
        .post("/login/")
        .json(&json!({"username": "alice", "password": "pw"}))
        .await;
    let set = cookies(&r);
    let xsrf = cookie(&r, "xsrf").unwrap();
    let sid = cookie(&r, "sid").unwrap();
    assert_eq!(
        set[0],
        format!("xsrf={xsrf}; HttpOnly; Path=/; SameSite=Lax; Secure")
    );
    assert!(
        set[1].starts_with(&format!("sid={sid}; Domain=.example.com; expires=")),
        "{}",
        set[1]
    );
    assert!(
        set[1].ends_with("; HttpOnly; Max-Age=3600; Path=/; SameSite=Strict; Secure"),
        "{}",
        set[1]
    );
    let r = c
        .post("/session/")
        .header("Cookie", &format!("sid={sid}; xsrf={xsrf}"))
        .header("X-CSRFToken", &xsrf)
        .await;
    assert_eq!(r.json()["detail"], "CSRF Failed: CSRF token missing.");
    let r = c
        .post("/session/")
        .header("Cookie", &format!("sid={sid}; xsrf={xsrf}"))
        .header("X-XSRF-Token", "bad")
        .await;
    assert_eq!(
        r.json()["detail"],
        "CSRF Failed: CSRF token from the 'X-Xsrf-Token' HTTP header has incorrect length."
    );
    let r = c
        .post("/session/")
        .header("Cookie", &format!("sid={sid}; xsrf={xsrf}"))
        .header("X-XSRF-Token", &xsrf)
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn get_token_sets_and_reuses_the_secret() {
    let c = client().await;
    let r = c.get("/token/").await;
    let token = r.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    let secret = cookie(&r, "csrftoken").unwrap();
    assert_eq!(unmask_cipher_token(&token), secret);
    assert_eq!(r.header("vary"), Some("Cookie"));
    // With a valid cookie, the same secret, a new mask, the cookie re-sent.
    let r = c
        .get("/token/")
        .header("Cookie", &format!("csrftoken={secret}"))
        .await;
    let token2 = r.json()["token"].as_str().unwrap().to_owned();
    assert_ne!(token2, token);
    assert_eq!(unmask_cipher_token(&token2), secret);
    assert_eq!(cookie(&r, "csrftoken").unwrap(), secret);
    // A malformed cookie is replaced.
    let r = c.get("/token/").header("Cookie", "csrftoken=bad").await;
    assert_ne!(cookie(&r, "csrftoken").unwrap(), "bad");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary cookies and CSRF headers: DRF's answers, never a panic or a 500.
        #[test]
        fn arbitrary_cookies_and_tokens(
            cookie in "[ -~]{0,120}",
            token in proptest::collection::vec(any::<u8>(), 0..80),
            method in prop_oneof![Just("GET"), Just("POST"), Just("PUT")],
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let c = client().await;
                create_user(c.app(), "alice", "pw").await;
                let (sid, secret) = login_alice(&c).await;
                let token: Vec<u8> = token.into_iter().filter(|b| *b >= 0x20 && *b != 0x7f).collect();
                for cookie in [cookie.clone(), format!("sessionid={sid}; csrftoken={secret}; {cookie}"), format!("sessionid={sid}; {cookie}")] {
                    let r = c
                        .request(method, "/session/")
                        .header("Cookie", &cookie)
                        .header_bytes("X-CSRFToken", &token)
                        .await;
                    assert!(matches!(r.status.as_u16(), 200 | 403), "{cookie:?}: {} {}", r.status, r.text());
                }
            });
        }
    }
}
