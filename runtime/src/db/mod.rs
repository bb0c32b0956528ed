//! Django's tables through sqlx: SQLite and PostgreSQL with the same API (docs/django-compat.md §1).
//!
//! [`Db::connect`] takes a `DATABASE_URL`:
//!
//! - `sqlite://path/to/db.sqlite3` (the file is created if missing; WAL journal, 5 s busy
//!   timeout, foreign keys on as Django turns them on), `sqlite::memory:` for a private
//!   in-memory database (one connection, kept open for the life of the pool);
//! - `postgres://user:password@host:port/database` (or `postgresql://`).
//!
//! [`Db::migrate`] creates Django's final schema for contenttypes, auth, sessions and DRF's
//! authtoken, plus the `django_migrations` rows, unless Django already did; a later Django
//! `migrate` then continues from there. The queries read and write exactly the columns Django
//! does, in Django's formats, so both can share one database.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use drf_runtime::db::{Db, NewUser};
//!
//! let db = Db::connect("sqlite::memory:").await?;
//! db.migrate().await?;
//! let user = db.create_user(NewUser::new("alice", "pbkdf2_sha256$...")).await?;
//! let token = db.get_or_create_token(user.id.unwrap()).await?;
//! let (found, owner) = db.token_with_user(&token.key).await?.unwrap();
//! assert_eq!((found.key, owner.username), (token.key, "alice".to_owned()));
//! # Ok::<(), drf_runtime::db::DbError>(())
//! # }).unwrap();
//! ```
//!
//! # Your own tables and queries
//!
//! Write each query once, with `$1, $2, …` placeholders: sqlx's SQLite driver takes them as
//! PostgreSQL does. Run it with [`with_pool!`], which expands its body once for each backend,
//! with `pool` the open pool (`&SqlitePool` in one expansion, `&PgPool` in the other) and, in
//! the `for<D>` form, `D` its [`Dialect`] (`sqlx::Sqlite` or `sqlx::Postgres`). Decode rows
//! with `sqlx::query_as` into tuples or `#[derive(sqlx::FromRow)]` structs (for the derive, add
//! `sqlx` 0.8, the version `drf::sqlx` re-exports, to your crate with its `macros` feature).
//!
//! Columns whose stored formats differ have types that read and write both: [`DjangoDateTime`]
//! for a `DateTimeField` (Django's text on SQLite, `timestamptz` on PostgreSQL) and [`Id`] for
//! integer keys (`integer` or `bigint` on PostgreSQL); booleans are plain `bool`. What cannot
//! be one text, DDL mostly, comes from the [`Dialect`]'s constants or [`Dialect::pick`].
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use drf_runtime::db::{Db, Dialect, DjangoDateTime, Id, NewUser, now, with_pool};
//!
//! /// A row of the project's `blog_post` table, next to Django's.
//! #[derive(Debug, sqlx::FromRow)]
//! struct Post {
//!     id: i64,
//!     #[sqlx(try_from = "Id")] // `integer` on PostgreSQL, like the `auth_user.id` it references
//!     author_id: i64,
//!     title: String,
//!     published: DjangoDateTime,
//! }
//!
//! const INSERT: &str = r#"INSERT INTO "blog_post" ("author_id", "title", "published")
//!     VALUES ($1, $2, $3) RETURNING "id""#;
//! const BY_AUTHOR: &str = r#"SELECT "id", "author_id", "title", "published" FROM "blog_post"
//!     WHERE "author_id" = $1 ORDER BY "id""#;
//!
//! let db = Db::connect("sqlite::memory:").await?;
//! db.migrate().await?;
//! // The DDL is where the two differ: the dialect says how.
//! with_pool!(db, for<D> |pool| {
//!     let ddl = format!(
//!         r#"CREATE TABLE IF NOT EXISTS "blog_post" ("id" {}, "author_id" integer NOT NULL
//!            REFERENCES "auth_user" ("id"), "title" varchar(200) NOT NULL, "published" {} NOT NULL)"#,
//!         D::BIG_AUTO_FIELD,
//!         D::DATETIME_FIELD,
//!     );
//!     sqlx::query(&ddl).execute(pool).await.map(drop) // the result types differ: drop it
//! })?;
//!
//! let author = db.create_user(NewUser::new("alice", "!")).await?.id.unwrap();
//! let id: i64 = with_pool!(db, |pool| {
//!     sqlx::query_scalar(INSERT)
//!         .bind(author)
//!         .bind("Hello")
//!         .bind(DjangoDateTime(now()))
//!         .fetch_one(pool)
//!         .await
//! })?;
//! let posts: Vec<Post> = with_pool!(db, |pool| {
//!     sqlx::query_as(BY_AUTHOR).bind(author).fetch_all(pool).await
//! })?;
//! assert_eq!((posts[0].id, posts[0].author_id), (id, author));
//! assert_eq!(posts[0].title, "Hello");
//! # Ok::<(), drf_runtime::db::DbError>(())
//! # }).unwrap();
//! ```
//!
//! Why a macro rather than a function generic over `D: Dialect`: Rust does not carry a trait's
//! `where` clauses over to its users, so such a function would have to restate every sqlx bound
//! its body relies on (`String: Decode<'r, D>`, `&mut D::Connection: Executor`, the `FromRow`
//! of each struct…). In each expansion of [`with_pool!`] the backend is concrete, so sqlx's own
//! impls apply and nothing is restated; the text of the body is still written once.

mod auth_cache;
mod change_probe;
mod datetime;
mod dialect;
mod error;
mod lookups;
mod schema;
mod sessions;
mod tokens;
mod types;
pub(crate) mod user_model;
mod users;

#[cfg(test)]
mod tests;

use std::any::Any;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, PgPool, SqlitePool};

pub use auth_cache::AuthCacheSettings;
pub use datetime::{format_django_datetime, now, parse_django_datetime};
pub use dialect::{Dialect, PerDialect};
pub use error::DbError;
pub use schema::{MIGRATIONS, MigrateReport};
pub use types::{DjangoDateTime, Id};
pub use user_model::UserModel;
pub use users::NewUser;

#[doc(inline)]
pub use crate::__drf_db_with_pool as with_pool;

use auth_cache::AuthCache;
use error::{is_sqlite_busy, is_unique_violation, outage};
use lookups::Lookups;
use user_model::UserSql;

/// How long SQLite waits for a lock held by another connection before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a query waits for a free pool connection before the database counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// PostgreSQL connections idle for longer than this are pinged before use.
const PG_PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// A pool of connections to the Django database. Cheap to clone (the pools are `Arc`s inside).
///
/// The statements that touch the user table come from a [`UserModel`] (Django's `auth_user`
/// unless [`Db::with_user_model`] says otherwise), built once.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    users: Arc<UserSql>,
    model: Arc<UserModel>,
    /// The SQLite database file (canonical path), for the token cache's change check.
    sqlite_file: Option<Arc<PathBuf>>,
    /// The token cache, when [`Db::with_auth_cache`] turned it on.
    cache: Option<Arc<AuthCache>>,
    /// A SQLite file: the Token lookup's own connections (see [`lookups`]).
    lookups: Option<Arc<Lookups>>,
    /// Held, never read: its drop is the point (see `with_guard`).
    #[cfg_attr(not(any(test, feature = "testing")), allow(dead_code))]
    guard: Option<Arc<dyn Any + Send + Sync>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("pool", &self.pool)
            .field("user_table", &self.model.table)
            .field("auth_cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// The pool of the backend in use. sqlx's `Any` driver is not used: each backend keeps its own
/// types (TEXT vs `timestamptz` datetimes, 0/1 vs booleans), and [`with_pool!`] runs one body
/// against either.
#[derive(Clone, Debug)]
pub enum Pool {
    /// A SQLite database (file or memory).
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

impl AsRef<Pool> for Pool {
    fn as_ref(&self) -> &Pool {
        self
    }
}

impl AsRef<Pool> for Db {
    fn as_ref(&self) -> &Pool {
        &self.pool
    }
}

/// Runs one body against whichever pool a [`Db`] (or a [`Pool`]) holds: the body is expanded
/// once per backend, so it is written once and compiled for each.
///
/// - `with_pool!(db, |pool| body)`: `pool` is the `&SqlitePool` or the `&PgPool`;
/// - `with_pool!(db, for<D> |pool| body)`: also names the backend's [`Dialect`] `D`
///   (`sqlx::Sqlite` or `sqlx::Postgres`), for its constants and [`Dialect::pick`].
///
/// `db` is anything that is `AsRef<Pool>` (a `Db`, a `&Db`, `app.db()`). The body is an
/// expression of the enclosing function: it may `.await`, and `?` returns from that function.
/// Both expansions must have the same type, so decode rows inside the body. See the [`db`
/// module](crate::db) for an example.
#[doc(hidden)]
#[macro_export]
macro_rules! __drf_db_with_pool {
    ($db:expr, for<$D:ident> |$pool:pat_param| $body:expr $(,)?) => {
        match ::core::convert::AsRef::<$crate::db::Pool>::as_ref(&$db) {
            $crate::db::Pool::Sqlite($pool) => {
                #[allow(dead_code)]
                type $D = $crate::sqlx::Sqlite;
                $body
            }
            $crate::db::Pool::Postgres($pool) => {
                #[allow(dead_code)]
                type $D = $crate::sqlx::Postgres;
                $body
            }
        }
    };
    ($db:expr, |$pool:pat_param| $body:expr $(,)?) => {
        match ::core::convert::AsRef::<$crate::db::Pool>::as_ref(&$db) {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Opens a pool for a `DATABASE_URL` (`sqlite://…`, `sqlite::memory:`, `postgres://…`).
    ///
    /// SQLite files are created if missing; the connection is checked before this returns, so
    /// a wrong URL or an unreachable server fails here ([`DbError::Unavailable`] for the
    /// latter).
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::Other(format!("invalid PostgreSQL URL: {e}")))?;
            Self::connect_postgres(opts, ACQUIRE_TIMEOUT).await
        } else {
            let scheme = url.split(':').next().unwrap_or_default();
            Err(DbError::Other(format!(
                "unsupported DATABASE_URL scheme {scheme:?}: use sqlite://path, sqlite::memory: \
                 or postgres://…"
            )))
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Self, DbError> {
        const SQLITE_CONNECT_RETRIES: u32 = 100;
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbError::Other(format!("invalid SQLite URL: {e}")))?
            .create_if_missing(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        let memory = is_sqlite_memory_url(url);
        let file = (!memory).then(|| opts.get_filename().to_owned());
        let pool = if memory {
            // One connection that is never closed: the database lives as long as it does.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .test_before_acquire(false)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(opts)
                .await?
        } else {
            let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
            let opts = opts
                .journal_mode(SqliteJournalMode::Wal)
                // Safe with WAL (no corruption); a power cut may lose the last commits.
                .synchronous(SqliteSynchronous::Normal);
            // Switching a new file to WAL takes an exclusive lock, and SQLite answers BUSY at
            // once (no busy wait: it would deadlock) when another process does the same at
            // that moment; two instances starting together on a fresh file retry.
            let mut attempts = 0;
            loop {
                let pool = SqlitePoolOptions::new()
                    .max_connections(u32::try_from((cpus * 2).clamp(4, 32)).unwrap_or(4))
                    // A local file does not drop connections: skip the ping before every query.
                    .test_before_acquire(false)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(opts.clone())
                    .await;
                match pool {
                    Err(e) if is_sqlite_busy(&e) && attempts < SQLITE_CONNECT_RETRIES => {
                        attempts += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    other => break other?,
                }
            }
        };
        let connections = pool.options().get_max_connections() as usize;
        let lookups = (!memory).then(|| Lookups::new(pool.connect_options(), connections));
        let mut db = Self::from_pool(Pool::Sqlite(pool));
        db.lookups = lookups.map(Arc::new);
        // The file exists now (the pool created it): its canonical path stays right if the
        // process changes directory.
        db.sqlite_file = file
            .map(|f| std::fs::canonicalize(&f).unwrap_or(f))
            .map(Arc::new);
        Ok(db)
    }

    fn from_pool(pool: Pool) -> Self {
        let model = UserModel::default();
        Self {
            users: Arc::new(UserSql::for_pool(&pool, &model)),
            model: Arc::new(model),
            pool,
            sqlite_file: None,
            cache: None,
            lookups: None,
            guard: None,
        }
    }

    /// The same pool, serving the user table `model` describes (Django's `AUTH_USER_MODEL`).
    /// Every statement that touches the user table is built here, once.
    pub fn with_user_model(mut self, model: &UserModel) -> Self {
        if *model != *self.model {
            self.users = Arc::new(UserSql::for_pool(&self.pool, model));
            self.model = Arc::new(model.clone());
            // Entries of the other table mean nothing here.
            self.cache = None;
        }
        self
    }

    /// The same pool, with a token cache of its own when `settings` turn it on (see
    /// [`AuthCacheSettings`] and the [`authentication`](crate::authentication) module): Token
    /// lookups are then served from memory until the token or its user changes, by whoever
    /// changes it. An in-memory SQLite database is never cached. On PostgreSQL this starts
    /// the listener task, so it must run inside a Tokio runtime (outside one, the cache stays
    /// off); the cache is bypassed until the listener listens.
    pub fn with_auth_cache(mut self, settings: &AuthCacheSettings) -> Self {
        self.cache = None;
        if !settings.enabled {
            return self;
        }
        self.cache = match &self.pool {
            Pool::Sqlite(_) => self
                .sqlite_file
                .as_deref()
                .and_then(|file| AuthCache::sqlite(file, settings.max_entries)),
            Pool::Postgres(pool) => tokio::runtime::Handle::try_current().ok().map(|_| {
                let tables = ["authtoken_token".to_owned(), self.model.table.clone()];
                AuthCache::postgres(pool.clone(), tables, settings.max_entries)
            }),
        }
        .map(Arc::new);
        self
    }

    /// Whether Token lookups are served from the cache now: it is on and, on PostgreSQL, its
    /// listener listens (which takes a moment after start-up).
    pub fn auth_cache_is_live(&self) -> bool {
        self.cache.as_ref().is_some_and(|c| c.is_live())
    }

    /// How many tokens the cache holds (0 when it is off).
    pub fn auth_cache_len(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len())
    }

    /// Drops the cached tokens of this user: every write of this module to a user row or a
    /// token calls it, so this process never serves what it just changed.
    fn forget_user(&self, user_id: i64) {
        if let Some(cache) = &self.cache {
            cache.invalidate_user(user_id);
        }
    }

    /// The user table this pool serves.
    pub fn user_model(&self) -> &UserModel {
        &self.model
    }

    /// Keeps `guard` alive as long as this pool or a clone of it is: the test helpers use it to
    /// drop a test's PostgreSQL database when its last user is gone.
    /// Test support only (feature `testing`).
    #[cfg(any(test, feature = "testing"))]
    #[doc(hidden)]
    pub fn with_guard(mut self, guard: Arc<dyn Any + Send + Sync>) -> Self {
        self.guard = Some(guard);
        self
    }

    /// Opens a PostgreSQL pool from parsed options; `acquire_timeout` bounds how long a query
    /// (and this function, while the server refuses connections) waits for a connection.
    pub(crate) async fn connect_postgres(
        opts: PgConnectOptions,
        acquire_timeout: Duration,
    ) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(acquire_timeout)
            // Ping only connections that sat idle for a while, not before every query.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    // A connection that sat idle through an outage is likely dead: check it,
                    // so a broken one is replaced instead of failing a request.
                    if meta.idle_for > PG_PING_AFTER_IDLE || outage::suspect(meta.idle_for) {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Self::from_pool(Pool::Postgres(pool)))
    }

    /// True for PostgreSQL, false for SQLite.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// The PostgreSQL pool, for code that needs PostgreSQL itself (the fault-injection
    /// tests); queries for both backends go through [`with_pool!`].
    pub fn as_postgres(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }

    /// Checks that the database answers (`SELECT 1`).
    pub async fn ping(&self) -> Result<(), DbError> {
        with_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }

    /// Closes every connection (waits for those in use to be returned). For shutdown.
    pub async fn close(&self) {
        if let Some(lookups) = &self.lookups {
            lookups.close().await;
        }
        with_pool!(self, |pool| pool.close().await);
    }
}

/// `sqlite::memory:`, `sqlite://:memory:` or `?mode=memory`.
fn is_sqlite_memory_url(url: &str) -> bool {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
    path == ":memory:" || params.split('&').any(|kv| kv == "mode=memory")
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn memory_urls() {
        assert!(is_sqlite_memory_url("sqlite::memory:"));
        assert!(is_sqlite_memory_url("sqlite://:memory:"));
        assert!(is_sqlite_memory_url("sqlite://x?mode=memory"));
        assert!(!is_sqlite_memory_url("sqlite://db.sqlite3"));
        assert!(!is_sqlite_memory_url("sqlite:///tmp/memory.db"));
    }

    #[tokio::test]
    async fn bad_urls_are_errors_not_panics() {
        for url in ["", "mysql://x", "http://localhost", "postgres://[::1"] {
            let e = Db::connect(url).await.expect_err(url);
            assert!(!e.is_unavailable(), "{url}: {e}");
        }
        // Nothing listens on port 1: the database is unavailable (a 503), not misconfigured.
        let opts = PgConnectOptions::from_str("postgres://u:p@127.0.0.1:1/db").expect("url");
        let e = Db::connect_postgres(opts, Duration::from_millis(300))
            .await
            .expect_err("port 1");
        assert!(e.is_unavailable(), "{e}");
        assert!(!e.to_string().contains("u:p"), "no password in errors: {e}");
    }
}
