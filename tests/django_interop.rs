//! Users, password hashes and tokens shared with real Django + DRF, both ways, on SQLite and
//! PostgreSQL, with Django's `auth.User` and with a custom user model (`AUTH_USER_MODEL`).
//!
//! Needs `DRF_DJANGO_PYTHON`: a Python with Django, DRF, argon2-cffi, bcrypt and psycopg (`source
//! .ci/services.sh && django_venv`); the PostgreSQL cases also need `DRF_TEST_POSTGRES_URL`.
//! Unset when the tests are built, they are reported as ignored (see `build.rs`).
//!
//! 1. Django (`tests/drf_reference/interop.py create`) migrates a fresh database and makes users
//!    with every hasher (pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt_sha256, bcrypt, scrypt, md5),
//!    DRF tokens, an inactive user and one with an unusable password.
//! 2. We authenticate each over Basic and Token through the pipeline (and refuse the inactive,
//!    unusable and wrong ones with DRF's answers); a correct Basic login rehashes the stored
//!    password to our preferred hasher, as Django does.
//! 3. We make users with each algorithm as the preferred hasher, and tokens.
//! 4. Django (`interop.py check`) verifies every password with `check_password`, every token with
//!    DRF's `TokenAuthentication`, and logs each user in with `authenticate()`.
//! 5. With their tokens in our token cache, Django (`interop.py revoke`) deactivates a user,
//!    deletes a token, deletes a user and replaces a token: the next request here refuses each.

mod common;

use drf::db::{Db, NewUser, UserModel};
use drf::hashers::{Algorithm, HasherConfig, make_password};
use drf::prelude::*;
use drf::testing::{APIClient, TestDatabase, postgres_url};
use drf::{api_view, authentication_classes, permission_classes};
use serde_json::{Value, json};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/drf_reference/interop.py"
);

/// The iteration count of the script's PBKDF2 hashers.
const ITERATIONS: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    /// `auth.User` in `auth_user`.
    Auth,
    /// `interop_app.Member` in `accounts_member`: email as `USERNAME_FIELD`, `display_name` and
    /// `tier` columns, no names, `date_joined` or `is_superuser`.
    Member,
}

impl Model {
    fn arg(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Member => "member",
        }
    }

    fn user_model(self) -> UserModel {
        match self {
            Self::Auth => UserModel::default(),
            Self::Member => UserModel::custom("accounts_member", "email")
                .with_email("email")
                .with_flags(true, true, false)
                .with_extra(["display_name", "tier"]),
        }
    }

    fn username(self, stem: &str) -> String {
        match self {
            Self::Auth => stem.to_owned(),
            Self::Member => format!("{stem}@example.com"),
        }
    }
}

fn python() -> String {
    std::env::var("DRF_DJANGO_PYTHON").expect("DRF_DJANGO_PYTHON is set")
}

/// Runs the Django side and parses its JSON line.
async fn django(python: &str, args: Vec<String>) -> Value {
    common::django_script(python, SCRIPT, args).await
}

#[api_view(GET)]
#[authentication_classes(Basic, Token)]
#[permission_classes(IsAuthenticated)]
async fn whoami(user: User, auth: Auth) -> Json<Value> {
    Json(json!({
        "username": user.username,
        "email": user.email,
        "is_staff": user.is_staff,
        "extra": user.extra,
        "token": auth.key(),
    }))
}

fn basic(username: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
    )
}

/// The whole exchange on one database.
async fn interop(python: &str, url: &str, guard: Option<TestDatabase>, model: Model) {
    // 1. Django makes the database and its users.
    let made = django(
        python,
        vec!["create".into(), url.to_owned(), model.arg().into()],
    )
    .await;
    eprintln!(
        "Django {} made {} users",
        made["django"],
        made["users"].as_array().map_or(0, Vec::len)
    );

    // Our app on it: every algorithm enabled, PBKDF2 preferred at the script's iterations.
    let mut config = common::test_config::<drf::DefaultSettings>(url.to_owned());
    config.hashers = HasherConfig::with_iterations(ITERATIONS).with_hashers(Algorithm::ALL);
    config.user_model = model.user_model();
    let mut db = Db::connect(url)
        .await
        .expect("open Django's database")
        .with_user_model(&config.user_model);
    if let Some(guard) = guard {
        db = db.with_guard(std::sync::Arc::new(guard));
    }
    let report = db.migrate().await.expect("migrate");
    assert!(
        report.created_tables.is_empty() && report.recorded_migrations.is_empty(),
        "Django's tables are left alone: {report:?}"
    );
    // PostgreSQL: the token cache's triggers, on the token table and the user table.
    let expected: Vec<String> = if db.is_postgres() {
        vec!["authtoken_token".into(), config.user_model.table.clone()]
    } else {
        Vec::new()
    };
    assert_eq!(report.installed_triggers, expected, "{report:?}");
    assert!(db.migrate().await.expect("again").is_noop());
    let app = drf::App::new(config, db);
    // The cache is on (a file database, or PostgreSQL once its listener listens).
    let live = std::time::Instant::now();
    while !app.db().auth_cache_is_live() {
        assert!(
            live.elapsed().as_secs() < 20,
            "the token cache never went live"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let router = Router::<drf::DefaultSettings>::new().route("/whoami/", whoami);
    let client = APIClient::new(router, app.clone());

    // 2. Django's users here.
    let mut check = Vec::new();
    for u in made["users"].as_array().expect("users") {
        let username = u["username"].as_str().expect("username");
        let password = u["password"].as_str().expect("password");
        let token = u["token"].as_str();
        let r = client
            .get("/whoami/")
            .header("Authorization", &basic(username, password))
            .await;
        if u["inactive"] == true || u["unusable"] == true {
            assert_eq!(
                (r.status.as_u16(), r.json()),
                (401, json!({"detail": "Invalid username/password."})),
                "{username}"
            );
        } else {
            assert_eq!(
                r.status,
                200,
                "Basic {username} ({}): {}",
                u["algorithm"],
                r.text()
            );
            let body = r.json();
            assert_eq!(body["username"], username);
            if model == Model::Member {
                assert_eq!(body["email"], username);
                let algorithm = u["algorithm"].as_str().expect("algorithm");
                assert_eq!(body["extra"]["display_name"], format!("Django {algorithm}"));
                assert!(body["extra"]["tier"].is_i64(), "{body}");
            }
            // A correct login rehashed the password to the preferred hasher.
            let stored = app
                .db()
                .user_by_username(username)
                .await
                .expect("query")
                .expect("user");
            assert!(
                stored
                    .password
                    .starts_with(&format!("pbkdf2_sha256${ITERATIONS}$")),
                "{username}: {}",
                stored.password
            );
        }
        let r = client
            .get("/whoami/")
            .header("Authorization", &basic(username, &format!("{password}x")))
            .await;
        assert_eq!(r.status, 401, "wrong password for {username}");
        if let Some(token) = token {
            let r = client
                .get("/whoami/")
                .header("Authorization", &format!("Token {token}"))
                .await;
            if u["inactive"] == true {
                assert_eq!(
                    (r.status.as_u16(), r.json()),
                    (401, json!({"detail": "User inactive or deleted."}))
                );
            } else {
                assert_eq!(r.status, 200, "Token of {username}: {}", r.text());
                assert_eq!(r.json()["token"], token);
            }
        }
        if u["unusable"] != true {
            check.push(json!({"username": username, "password": password, "token": token}));
        }
    }

    // 3. Our users, one per preferred algorithm, with tokens.
    let mut ours = Vec::new();
    for (i, algorithm) in Algorithm::ALL.into_iter().enumerate() {
        let username = model.username(&format!("rs-{algorithm}"));
        let password = format!("rs-pw-{algorithm}-ü:x");
        let cfg = HasherConfig::with_iterations(ITERATIONS).with_hashers([algorithm]);
        let pw = password.clone();
        let hash = tokio::task::spawn_blocking(move || make_password(&pw, &cfg))
            .await
            .expect("hash");
        assert!(hash.starts_with(&format!("{algorithm}$")), "{hash}");
        let mut new = NewUser::new(username.clone(), hash);
        if model == Model::Member {
            new.email = username.clone();
            new.extra
                .insert("display_name".into(), json!(format!("Rust {algorithm}")));
            new.extra.insert("tier".into(), json!(i));
        } else {
            new.email = format!("{username}@example.com");
        }
        let user = app.db().create_user(new).await.expect("create user");
        if model == Model::Member {
            assert_eq!(user.extra["tier"], json!(i));
            assert_eq!(user.email, username);
        }
        let token = app
            .db()
            .get_or_create_token(user.id.expect("id"))
            .await
            .expect("token");
        ours.push((username.clone(), i, algorithm));
        check.push(json!({"username": username, "password": password, "token": token.key}));
    }

    // 4. Django checks everything.
    let checked = django(
        python,
        vec![
            "check".into(),
            url.to_owned(),
            model.arg().into(),
            Value::Array(check.clone()).to_string(),
        ],
    )
    .await;
    let results = checked["results"].as_array().expect("results");
    assert_eq!(results.len(), check.len());
    for (r, w) in results.iter().zip(&check) {
        let username = w["username"].as_str().expect("username");
        assert_eq!(r["found"], true, "{r}");
        assert_eq!(r["check_password"], true, "Django's check_password: {r}");
        assert_eq!(r["check_wrong_password"], false, "{r}");
        let inactive = username.contains("inactive");
        assert_eq!(r["authenticate"], !inactive, "Django's authenticate(): {r}");
        if w["token"].is_string() {
            let expected = if inactive {
                Value::Null
            } else {
                json!(username)
            };
            assert_eq!(r["token_user"], expected, "DRF's TokenAuthentication: {r}");
        }
    }
    for (username, i, algorithm) in ours {
        let r = results
            .iter()
            .find(|r| r["username"] == username.as_str())
            .expect("checked");
        assert_eq!(r["algorithm"], algorithm.name(), "{r}");
        if model == Model::Member {
            assert_eq!(r["display_name"], format!("Rust {algorithm}"));
            assert_eq!(r["tier"], json!(i));
        }
    }

    // 5. Django revokes tokens our cache holds: a user deactivated, a token deleted, a user
    //    deleted, a token replaced. The next request here refuses each, as DRF does.
    let victims: Vec<(String, String)> = made["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| u["inactive"] != true && u["token"].is_string())
        .take(4)
        .map(|u| {
            (
                u["username"].as_str().expect("username").to_owned(),
                u["token"].as_str().expect("token").to_owned(),
            )
        })
        .collect();
    assert_eq!(victims.len(), 4);
    for (username, token) in &victims {
        let r = client
            .get("/whoami/")
            .header("Authorization", &format!("Token {token}"))
            .await;
        assert_eq!(r.status, 200, "{username}: {}", r.text());
    }
    assert!(
        app.db().auth_cache_len() >= 4,
        "the tokens are cached: {}",
        app.db().auth_cache_len()
    );
    let names: Vec<&str> = victims.iter().map(|(u, _)| u.as_str()).collect();
    let revoked = django(
        python,
        vec![
            "revoke".into(),
            url.to_owned(),
            model.arg().into(),
            json!(names).to_string(),
        ],
    )
    .await;
    let expected = [
        "User inactive or deleted.",
        "Invalid token.",
        "Invalid token.",
        "Invalid token.",
    ];
    for ((username, token), detail) in victims.iter().zip(expected) {
        let r = client
            .get("/whoami/")
            .header("Authorization", &format!("Token {token}"))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.json()),
            (401, json!({ "detail": detail })),
            "{username}'s token after Django revoked it"
        );
    }
    let new_token = revoked["new_token"].as_str().expect("new token");
    let r = client
        .get("/whoami/")
        .header("Authorization", &format!("Token {new_token}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["username"], victims[3].0.as_str());
    app.db().close().await;
}

async fn on_sqlite(test: &str, model: Model) {
    let python = python();
    let dir = common::TempDir::new(test);
    let url = format!("sqlite://{}", dir.0.join("django.sqlite3").display());
    interop(&python, &url, None, model).await;
}

async fn on_postgres(model: Model) {
    let python = python();
    let admin = postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
    let db = TestDatabase::create(&admin).await.expect("test database");
    let url = db.url().to_owned();
    interop(&python, &url, Some(db), model).await;
}

#[cfg_attr(
    not(drf_test_django),
    ignore = "needs DRF_DJANGO_PYTHON: source .ci/services.sh && django_venv"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_auth_user_on_sqlite() {
    on_sqlite("django_auth_user_on_sqlite", Model::Auth).await;
}

#[cfg_attr(
    not(drf_test_django),
    ignore = "needs DRF_DJANGO_PYTHON: source .ci/services.sh && django_venv"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_custom_user_model_on_sqlite() {
    on_sqlite("django_custom_user_model_on_sqlite", Model::Member).await;
}

#[cfg_attr(
    not(all(drf_test_postgres, drf_test_django)),
    ignore = "needs DRF_TEST_POSTGRES_URL and DRF_DJANGO_PYTHON: source .ci/services.sh && start_postgres && django_venv"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_auth_user_on_postgres() {
    on_postgres(Model::Auth).await;
}

#[cfg_attr(
    not(all(drf_test_postgres, drf_test_django)),
    ignore = "needs DRF_TEST_POSTGRES_URL and DRF_DJANGO_PYTHON: source .ci/services.sh && start_postgres && django_venv"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_custom_user_model_on_postgres() {
    on_postgres(Model::Member).await;
}
