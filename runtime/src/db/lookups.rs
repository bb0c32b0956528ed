//! Connections of the Token lookup's own, on a SQLite file: [`Lookups`].
//!
//! sqlx's pool pings every connection it takes back (`return_to_pool`, in sqlx 0.8), so each
//! query through it costs two round trips to the connection's worker thread: the query, then
//! the ping. On SQLite a round trip is two thread wake-ups, which is most of what a query
//! costs. The lookup that authenticates every Token request (one indexed join, read-only)
//! runs instead on connections held here, taken and given back without a ping.
//!
//! A connection goes back only after its query finished: a lookup whose future is dropped
//! mid-query (the client went away) drops its connection with it, so none is reused in an
//! unknown state.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{ConnectOptions as _, SqliteConnection};
use tokio::sync::Semaphore;

/// At most `n` connections for one statement shape: a query with one text parameter that
/// returns at most one row.
pub(crate) struct Lookups {
    options: Arc<SqliteConnectOptions>,
    idle: Mutex<Vec<SqliteConnection>>,
    slots: Semaphore,
    /// How long a lookup waits for a free slot: as long as the pool waits for a connection.
    wait: Duration,
}

impl std::fmt::Debug for Lookups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookups")
            .field("idle", &self.lock().len())
            .field("free", &self.slots.available_permits())
            .finish()
    }
}

impl Lookups {
    /// Up to `n` connections opened with `options` (the pool's), on first use.
    pub(crate) fn new(options: Arc<SqliteConnectOptions>, n: usize) -> Self {
        Self {
            options,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(n.max(1)),
            wait: super::ACQUIRE_TIMEOUT,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SqliteConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `sql` with `arg` bound, on a connection of this set (opened if none is idle).
    pub(crate) async fn fetch_optional(
        &self,
        sql: &str,
        arg: &str,
    ) -> Result<Option<SqliteRow>, sqlx::Error> {
        let slot = tokio::time::timeout(self.wait, self.slots.acquire()).await;
        let _slot = match slot {
            Ok(Ok(slot)) => slot,
            Ok(Err(_closed)) => return Err(sqlx::Error::PoolClosed),
            Err(_elapsed) => return Err(sqlx::Error::PoolTimedOut),
        };
        let idle = self.lock().pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => self.options.connect().await?,
        };
        let row = sqlx::query(sql).bind(arg).fetch_optional(&mut conn).await;
        // Past the await: the query finished. An error may have left the connection in any
        // state; it is dropped, and the next lookup opens another.
        if row.is_ok() {
            self.lock().push(conn);
        }
        row
    }

    /// Closes the idle connections; lookups after this fail with `PoolClosed`.
    pub(crate) async fn close(&self) {
        self.slots.close();
        let idle = std::mem::take(&mut *self.lock());
        for conn in idle {
            let _ = sqlx::Connection::close(conn).await;
        }
    }

    /// How many connections are idle (for tests).
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With every slot taken, a lookup gives up after the pool's wait, as a query through the
    /// pool would, instead of waiting for ever.
    #[tokio::test]
    async fn a_lookup_without_a_free_slot_times_out() {
        let options = SqliteConnectOptions::new().in_memory(true);
        let mut lookups = Lookups::new(Arc::new(options), 1);
        lookups.wait = Duration::from_millis(50);
        assert!(
            lookups
                .fetch_optional("SELECT ?", "x")
                .await
                .unwrap()
                .is_some()
        );
        let held = lookups.slots.acquire().await.unwrap();
        let refused = lookups.fetch_optional("SELECT ?", "x").await;
        assert!(
            matches!(refused, Err(sqlx::Error::PoolTimedOut)),
            "{:?}",
            refused.err()
        );
        drop(held);
        assert!(
            lookups
                .fetch_optional("SELECT ?", "x")
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(lookups.idle(), 1);
    }
}
