//! Fresh applications and rows for tests: [`test_app`], [`create_user`], [`create_token`].

use super::backend::TestBackend;
use super::postgres as pg_test;
use crate::app::App;
use crate::config::Config;
use crate::db::{Db, NewUser};
use crate::settings::DefaultSettings;
use crate::user::{AuthToken, User};

/// The configuration of [`test_app`]: the defaults of [`DefaultSettings`] with 1,000 PBKDF2
/// iterations (fast hashing; never use it in production) and a fresh database: in-memory
/// SQLite, or with `DRF_TEST_DATABASE=postgres` a new PostgreSQL database on the server of
/// `DRF_TEST_POSTGRES_URL` (see [`TestBackend`]), created by [`test_app_with`] and dropped when
/// the last handle on it is dropped.
///
/// # Panics
/// If `DRF_TEST_DATABASE` asks for PostgreSQL without `DRF_TEST_POSTGRES_URL`, or names an
/// unknown backend.
pub fn test_config() -> Config {
    let mut config = Config::defaults::<DefaultSettings>();
    config.database_url = match TestBackend::from_env() {
        TestBackend::Sqlite => "sqlite::memory:".to_owned(),
        TestBackend::Postgres { admin_url } => pg_test::reserve(&admin_url),
    };
    config.hashers.pbkdf2_iterations = 1000;
    config
}

/// An application on a fresh, migrated database ([`test_config`]). Each call gets its own
/// database.
///
/// # Panics
/// If the database cannot be opened or migrated.
pub async fn test_app() -> App {
    test_app_with(test_config()).await
}

/// An application with `config`, its database (`config.database_url`) opened and migrated.
/// A PostgreSQL database named by [`test_config`] is created first (once, however many apps
/// share the configuration) and dropped with the last of them.
///
/// # Panics
/// If the database cannot be opened or migrated.
pub async fn test_app_with(config: Config) -> App {
    let guard = pg_test::claim(&config.database_url).await;
    let mut db = Db::connect(&config.database_url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", config.database_url));
    if let Some(guard) = guard {
        db = db.with_guard(guard);
    }
    db.migrate()
        .await
        .unwrap_or_else(|e| panic!("cannot migrate {}: {e}", config.database_url));
    App::new(config, db)
}

/// Creates an active, non-staff user with `password` (hashed with the app's hashers).
///
/// # Panics
/// If the database refuses (a duplicate username…).
pub async fn create_user(app: &App, username: &str, password: &str) -> User {
    create_user_with(app, username, password, |_| {}).await
}

/// Creates an active staff superuser.
///
/// # Panics
/// If the database refuses (a duplicate username…).
pub async fn create_superuser(app: &App, username: &str, password: &str) -> User {
    create_user_with(app, username, password, |u| {
        u.is_staff = true;
        u.is_superuser = true;
    })
    .await
}

/// Creates a user after `edit` has set its other fields (`is_active`, `is_staff`, `email`…).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use drf_runtime::testing::{create_user_with, test_app};
///
/// let app = test_app().await;
/// let bob = create_user_with(&app, "bob", "pw", |u| u.is_active = false).await;
/// assert!(!bob.is_active);
/// # });
/// ```
///
/// # Panics
/// If the database refuses (a duplicate username…).
pub async fn create_user_with(
    app: &App,
    username: &str,
    password: &str,
    edit: impl FnOnce(&mut NewUser),
) -> User {
    let hash = app.passwords().make(password.to_owned()).await;
    let mut new = NewUser::new(username, hash);
    edit(&mut new);
    app.db()
        .create_user(new)
        .await
        .unwrap_or_else(|e| panic!("cannot create user {username:?}: {e}"))
}

/// The user's token, created on first use (as DRF's `Token.objects.get_or_create`).
///
/// # Panics
/// If the user has no id (anonymous) or the database refuses.
pub async fn create_token(app: &App, user: &User) -> AuthToken {
    let id = user.id.expect("create_token needs a saved user");
    app.db()
        .get_or_create_token(id)
        .await
        .unwrap_or_else(|e| panic!("cannot create a token for user {id}: {e}"))
}
