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

mod datetime;
mod queries;
mod schema;
mod sessions;
pub(crate) mod user_model;

#[cfg(test)]
mod tests;

use std::any::Any;
use std::fmt;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, PgPool, SqlitePool};

pub use datetime::{format_django_datetime, now, parse_django_datetime};
pub use queries::NewUser;
pub use schema::{MIGRATIONS, MigrateReport};
pub use user_model::UserModel;

use user_model::{Backend, UserSql};

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
    guard: Option<Arc<dyn Any + Send + Sync>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("pool", &self.pool)
            .field("user_table", &self.model.table)
            .finish_non_exhaustive()
    }
}

/// The two supported backends. sqlx's `Any` driver is not used: each backend gets its own SQL
/// and decoding (`?N` vs `$N` placeholders, TEXT vs `timestamptz` datetimes, 0/1 vs booleans).
#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A database failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DbError {
    /// The database cannot be reached: connection refused or lost, pool timed out or closed,
    /// I/O error, SQLite busy or locked past the timeout, PostgreSQL shutting down or out of
    /// connections. The API answers 503.
    Unavailable(String),
    /// `create_user`: `auth_user.username` is already taken.
    UsernameTaken,
    /// The `auth_user` row a token was to be created for does not exist.
    UserNotFound,
    /// Anything else (a bug, a schema that is not Django's, a bad `DATABASE_URL`...).
    Other(String),
}

impl DbError {
    /// True when the database is unreachable (a 503, not a 500).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(m) => write!(f, "database unavailable: {m}"),
            Self::UsernameTaken => f.write_str("A user with that username already exists."),
            Self::UserNotFound => f.write_str("user does not exist"),
            Self::Other(m) => write!(f, "database error: {m}"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let unavailable = match &e {
            E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => true,
            E::Database(d) => is_unavailable_code(d.as_ref()),
            _ => false,
        };
        if unavailable {
            outage::note();
            Self::Unavailable(e.to_string())
        } else {
            Self::Other(e.to_string())
        }
    }
}

/// When the database was last found unreachable, so that pooled connections that sat idle
/// across an outage are checked before use instead of failing one request each afterwards.
mod outage {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    /// After a failure, every connection is pinged before use for this long (connections
    /// returned to the pool by the failing requests themselves).
    const RECENT: Duration = Duration::from_secs(5);

    static BASE: OnceLock<Instant> = OnceLock::new();
    /// Milliseconds after `BASE` of the last failure, plus one; 0 = never.
    static LAST: AtomicU64 = AtomicU64::new(0);

    fn now_ms() -> u64 {
        u64::try_from(BASE.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Records that the database was unreachable just now.
    pub(super) fn note() {
        LAST.store(now_ms().saturating_add(1), Ordering::Relaxed);
    }

    /// Whether a connection idle for `idle_for` should be pinged before use: it was already
    /// idle when the last failure happened, or that failure is recent.
    pub(super) fn suspect(idle_for: Duration) -> bool {
        let last = LAST.load(Ordering::Relaxed);
        if last == 0 {
            return false;
        }
        let now = now_ms();
        let idle_ms = u64::try_from(idle_for.as_millis()).unwrap_or(u64::MAX);
        let went_idle = now.saturating_sub(idle_ms);
        went_idle <= last || now.saturating_sub(last) <= RECENT.as_millis() as u64
    }
}

/// Database error codes that mean "cannot serve now" rather than "bad query".
fn is_unavailable_code(e: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = e.code() else {
        return false;
    };
    if e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .is_some()
    {
        // Class 08: connection exception; 53: insufficient resources (too many connections,
        // disk full, out of memory); 57P01-57P03: shutting down / not accepting connections.
        code.starts_with("08")
            || code.starts_with("53")
            || matches!(&*code, "57P01" | "57P02" | "57P03")
    } else {
        // SQLite extended result code; the primary code is its low byte.
        // BUSY 5, LOCKED 6, IOERR 10, FULL 13, CANTOPEN 14.
        code.parse::<i32>()
            .is_ok_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13 | 14))
    }
}

/// True when `e` is a unique-constraint violation.
fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
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
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbError::Other(format!("invalid SQLite URL: {e}")))?
            .create_if_missing(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = if is_sqlite_memory_url(url) {
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
            SqlitePoolOptions::new()
                .max_connections(u32::try_from((cpus * 2).clamp(4, 32)).unwrap_or(4))
                // A local file does not drop connections: skip the ping before every query.
                .test_before_acquire(false)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(
                    opts.journal_mode(SqliteJournalMode::Wal)
                        // Safe with WAL (no corruption); a power cut may lose the last commits.
                        .synchronous(SqliteSynchronous::Normal),
                )
                .await?
        };
        Ok(Self::from_pool(Pool::Sqlite(pool)))
    }

    fn from_pool(pool: Pool) -> Self {
        let model = UserModel::default();
        let backend = match pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        };
        Self {
            users: Arc::new(UserSql::new(&model, backend)),
            model: Arc::new(model),
            pool,
            guard: None,
        }
    }

    /// The same pool, serving the user table `model` describes (Django's `AUTH_USER_MODEL`).
    /// Every statement that touches the user table is built here, once.
    pub fn with_user_model(mut self, model: &UserModel) -> Self {
        if *model != *self.model {
            let backend = if self.is_postgres() {
                Backend::Postgres
            } else {
                Backend::Sqlite
            };
            self.users = Arc::new(UserSql::new(model, backend));
            self.model = Arc::new(model.clone());
        }
        self
    }

    /// The user table this pool serves.
    pub fn user_model(&self) -> &UserModel {
        &self.model
    }

    /// Keeps `guard` alive as long as this pool or a clone of it is: the test helpers use it to
    /// drop a test's PostgreSQL database when its last user is gone.
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

    /// The SQLite pool, for modules that run their own queries (e.g. `django_session`).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for modules that run their own queries.
    pub fn as_postgres(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }

    /// Checks that the database answers (`SELECT 1`).
    pub async fn ping(&self) -> Result<(), DbError> {
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query("SELECT 1").execute(p).await?;
            }
            Pool::Postgres(p) => {
                sqlx::query("SELECT 1").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Closes every connection (waits for those in use to be returned). For shutdown.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
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

    #[test]
    fn error_display_and_unavailability() {
        assert!(DbError::Unavailable("x".into()).is_unavailable());
        assert!(!DbError::UsernameTaken.is_unavailable());
        assert!(!DbError::Other("x".into()).is_unavailable());
        assert_eq!(
            DbError::from(sqlx::Error::PoolTimedOut),
            DbError::Unavailable(sqlx::Error::PoolTimedOut.to_string())
        );
        assert!(DbError::from(sqlx::Error::PoolClosed).is_unavailable());
        // A connection the server (or a proxy, or the network) dropped mid-query.
        for kind in [
            std::io::ErrorKind::UnexpectedEof,
            std::io::ErrorKind::ConnectionReset,
            std::io::ErrorKind::ConnectionAborted,
            std::io::ErrorKind::BrokenPipe,
            std::io::ErrorKind::ConnectionRefused,
            std::io::ErrorKind::TimedOut,
        ] {
            let e = sqlx::Error::Io(std::io::Error::from(kind));
            assert!(DbError::from(e).is_unavailable(), "{kind:?}");
        }
        assert!(!DbError::from(sqlx::Error::RowNotFound).is_unavailable());
        assert_eq!(
            DbError::UsernameTaken.to_string(),
            "A user with that username already exists."
        );
    }

    #[test]
    fn connections_idle_across_an_outage_are_suspect() {
        outage::note();
        assert!(
            outage::suspect(Duration::from_secs(3600)),
            "idle since before"
        );
        assert!(outage::suspect(Duration::ZERO), "the failure is recent");
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
