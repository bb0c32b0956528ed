//! [`DbError`]: what a query's failure means to the API (a 503 when the database cannot be
//! reached, a 500 otherwise), and the memory of the last outage that makes the pool check
//! connections that sat idle through it.

use std::fmt;

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
pub(super) mod outage {
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
    pub(crate) fn note() {
        LAST.store(now_ms().saturating_add(1), Ordering::Relaxed);
    }

    /// Whether a connection idle for `idle_for` should be pinged before use: it was already
    /// idle when the last failure happened, or that failure is recent.
    pub(crate) fn suspect(idle_for: Duration) -> bool {
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
pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// SQLITE_BUSY, or one of its extended codes (`SQLITE_BUSY_RECOVERY`, …).
pub(super) fn is_sqlite_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d)
        if d.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

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
}
