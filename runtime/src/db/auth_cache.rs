//! The token cache: token key → (token row, user row), so that Token authentication skips the
//! database on repeated requests, and never serves a credential that was revoked.
//!
//! A revocation is anything that changes what the token lookup would return: the token
//! replaced or deleted, its user deactivated, deleted, or given a new password (or any other
//! change to the user's row). Whoever makes it (this process, another instance, Django, plain
//! SQL), the next request does not get the old answer:
//!
//! - **SQLite.** Before each hit the cache reads the file's change marker, and a marker other
//!   than the one the entries were filled under empties the cache: every commit to the file,
//!   by anyone, does. In WAL mode (the framework sets it) the marker is the WAL-index header at
//!   the start of `<file>-shm`, which every commit rewrites (its frame count, salts and
//!   checksums), read with one `pread` and no lock: a commit is visible to readers only once
//!   that header says so. Otherwise it is `PRAGMA data_version` (a read transaction: four
//!   `fcntl` locks and a statement), which is what the header read replaces on the hot path.
//!   Both come with a connection of the cache's own (rusqlite, on the same SQLite library as
//!   sqlx) that stays open: it keeps `-shm` in place, since SQLite deletes it only when the
//!   last connection to the file closes. The `-shm` file is opened once per process and never
//!   closed (kept in a process-wide table): closing any descriptor of a file drops every
//!   POSIX lock this process holds on it, SQLite's included, which would let another process
//!   delete the WAL in use (SQLite's "How To Corrupt", §2.2). An in-memory database (one
//!   process) is not cached. All this still costs less than the hop to sqlx's SQLite worker
//!   thread and back, and the join, that the query costs.
//! - **PostgreSQL.** `migrate` installs row triggers on the token and user tables that
//!   `NOTIFY drf_auth_cache` with the user's id (and `*` on TRUNCATE). Each instance listens on
//!   one connection; a notification drops that user's entries. A notification travels on its
//!   own, so a hit does not trust that it has arrived: it waits for a *barrier*, a `SELECT 1`
//!   on the listening connection sent after the request came in. PostgreSQL signals listeners
//!   before it acknowledges a commit and delivers pending notifications before it answers a
//!   query, so once the barrier's answer is in, every change committed before the request is
//!   applied. Requests that arrive while a barrier is out share the next one, so under load
//!   one round trip (no table is read) serves many hits. While the listener is not
//!   connected (at start-up, after a lost connection, a barrier that failed or took longer
//!   than a second) the cache is bypassed, and it starts empty each time it reconnects, since
//!   notifications sent meanwhile are lost. Without the triggers (a database `migrate` has not
//!   seen) the cache stays off, with a warning.
//!
//! A fill races with a revocation: the lookup records the cache's generation before its
//! query, and its result is stored only if no invalidation happened since.
//!
//! Writes through [`Db`](super::Db) (`set_password`, `reset_token`, `delete_user`,
//! `update_last_login`…) drop the user's entries at once, in this process; on PostgreSQL other
//! processes learn of them from the notification, which PostgreSQL sends at commit.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, oneshot, watch};

use super::change_probe::{ChangeProbe, Marker};
use crate::user::{AuthToken, User};

/// The channel the triggers notify and the listener listens on.
pub(crate) const CHANNEL: &str = "drf_auth_cache";

/// How long the listener waits before reconnecting after a failure.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// A barrier slower than this is a lost connection: the listener reconnects.
const BARRIER_TIMEOUT: Duration = Duration::from_secs(1);

/// With no requests, the listener still reads its notifications this often (so that they
/// do not pile up in PostgreSQL's queue, and a dead connection is noticed).
const IDLE_BARRIER: Duration = Duration::from_secs(1);

/// What the settings say about the cache (`AUTH_CACHE`, `AUTH_CACHE_MAX_ENTRIES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthCacheSettings {
    /// `AUTH_CACHE`: on unless set to `off` (or `0`, `false`, `no`).
    pub enabled: bool,
    /// `AUTH_CACHE_MAX_ENTRIES`: how many tokens are held at most (default 10,000; the oldest
    /// entry goes first).
    pub max_entries: usize,
}

impl Default for AuthCacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_entries: 10_000,
        }
    }
}

/// The cache of one [`Db`](super::Db) (shared by its clones).
pub(crate) struct AuthCache {
    shared: Arc<Shared>,
    /// Dropped with the cache: stops the PostgreSQL listener, which returns its connection.
    _stop: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for AuthCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("AuthCache")
            .field("entries", &state.entries.len())
            .field("live", &state.live)
            .finish_non_exhaustive()
    }
}

struct Shared {
    state: Mutex<State>,
    /// SQLite: what tells that the database changed.
    probe: Option<ChangeProbe>,
    /// PostgreSQL: how hits wait for the listener's barrier.
    sync: Option<SyncPoint>,
}

/// Between the requests that wait for a barrier and the listener that runs them.
struct SyncPoint {
    /// Wakes the listener: a request wants a barrier.
    wake: Notify,
    /// Bumped when a barrier completes or the listener goes down.
    progress: watch::Sender<()>,
}

/// The barriers of the PostgreSQL listener, numbered from 1.
#[derive(Default)]
struct Barriers {
    /// The last barrier sent.
    started: u64,
    /// The last barrier answered (every notification before it applied).
    done: u64,
    /// The barrier some request waits for.
    wanted: u64,
    /// Bumped each time the listener goes down: what waited for it bypasses the cache.
    resets: u64,
}

struct Entry {
    token: AuthToken,
    user: User,
}

struct State {
    entries: HashMap<Arc<str>, Entry>,
    by_user: HashMap<i64, Vec<Arc<str>>>,
    /// Insertion order, for eviction past `max`; may name keys already gone.
    order: VecDeque<Arc<str>>,
    max: usize,
    /// Bumped by every invalidation: a fill that started before one is not stored.
    generation: u64,
    /// Whether entries may be served: always for SQLite, while listening for PostgreSQL.
    live: bool,
    /// SQLite: the change marker the entries were filled under.
    version_seen: Option<Marker>,
    barriers: Barriers,
}

/// What a lookup found.
pub(crate) enum Lookup {
    /// The token and its user as the database has them.
    Hit(Box<(AuthToken, User)>),
    /// Not cached: query, then [`AuthCache::fill`] with this ticket.
    Miss(Ticket),
    /// The cache cannot vouch for anything now (listener down, version unreadable).
    Bypass,
}

/// The generation a miss saw before its query.
pub(crate) struct Ticket {
    generation: u64,
}

impl AuthCache {
    /// A cache for the SQLite database file at `path`; none (with a warning) if the file
    /// cannot be opened for its change check.
    pub(crate) fn sqlite(path: &Path, max: usize) -> Option<Self> {
        let probe = match ChangeProbe::open(path) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "token cache: off, cannot open the database for its change check");
                return None;
            }
        };
        Some(Self {
            shared: Arc::new(Shared::new(max, true, Some(probe), None)),
            _stop: None,
        })
    }

    /// A cache for PostgreSQL, live once its listener listens. `tables` are the token and
    /// user tables, whose triggers must be installed. Must be called inside a Tokio runtime.
    pub(crate) fn postgres(pool: PgPool, tables: [String; 2], max: usize) -> Self {
        let sync = SyncPoint {
            wake: Notify::new(),
            progress: watch::Sender::new(()),
        };
        let shared = Arc::new(Shared::new(max, false, None, Some(sync)));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(listen(Arc::clone(&shared), pool, tables, stopped));
        Self {
            shared,
            _stop: Some(stop),
        }
    }

    /// [`lookup`](Self::lookup), once every change committed before this call is known: on
    /// PostgreSQL after the listener's next barrier (bypassed if it does not come).
    pub(crate) async fn lookup_fresh(&self, key: &str) -> Lookup {
        if let Some(sync) = &self.shared.sync
            && !self.shared.synced(sync).await
        {
            return Lookup::Bypass;
        }
        self.lookup(key)
    }

    /// The cached token `key` and its user, or what to do instead.
    pub(crate) fn lookup(&self, key: &str) -> Lookup {
        let now = match &self.shared.probe {
            Some(probe) => match probe.read() {
                Ok(s) => Some(s),
                Err(_) => return Lookup::Bypass,
            },
            None => None,
        };
        let mut state = self.shared.lock();
        if !state.live {
            return Lookup::Bypass;
        }
        if now.is_some() && state.version_seen != now {
            // Another connection committed since the entries were filled: none of them can
            // be trusted.
            state.clear();
            state.version_seen = now;
        }
        match state.entries.get(key) {
            Some(e) => Lookup::Hit(Box::new((e.token.clone(), e.user.clone()))),
            None => Lookup::Miss(Ticket {
                generation: state.generation,
            }),
        }
    }

    /// Stores what the query of a [`Lookup::Miss`] found, unless an invalidation came
    /// between the lookup and now.
    pub(crate) fn fill(&self, ticket: Ticket, token: &AuthToken, user: &User) {
        let mut state = self.shared.lock();
        if !state.live || state.generation != ticket.generation {
            return;
        }
        state.insert(token.clone(), user.clone());
    }

    /// Drops the entries of this user (a write to its row or its token).
    pub(crate) fn invalidate_user(&self, user_id: i64) {
        self.shared.lock().invalidate_user(user_id);
    }

    /// How many entries are held (for tests and benchmarks).
    pub(crate) fn len(&self) -> usize {
        self.shared.lock().entries.len()
    }

    /// Whether the SQLite change check is the WAL-index header read (for tests).
    #[cfg(test)]
    pub(crate) fn reads_the_wal_index(&self) -> bool {
        self.shared
            .probe
            .as_ref()
            .is_some_and(ChangeProbe::reads_the_wal_index)
    }

    /// Whether the cache serves entries now (for tests: PostgreSQL's listener is up).
    pub(crate) fn is_live(&self) -> bool {
        self.shared.lock().live
    }
}

impl Shared {
    fn new(max: usize, live: bool, probe: Option<ChangeProbe>, sync: Option<SyncPoint>) -> Self {
        Self {
            state: Mutex::new(State {
                entries: HashMap::new(),
                by_user: HashMap::new(),
                order: VecDeque::new(),
                max: max.max(1),
                generation: 0,
                live,
                version_seen: None,
                barriers: Barriers::default(),
            }),
            probe,
            sync,
        }
    }

    /// Waits for a barrier sent after this call; false if the listener is down or went down
    /// meanwhile, or the barrier does not come within [`BARRIER_TIMEOUT`].
    async fn synced(&self, sync: &SyncPoint) -> bool {
        let (target, resets) = {
            let mut state = self.lock();
            if !state.live {
                return false;
            }
            let b = &mut state.barriers;
            let target = b.started + 1;
            b.wanted = b.wanted.max(target);
            (target, b.resets)
        };
        let mut progress = sync.progress.subscribe();
        sync.wake.notify_one();
        let settled = |_: &()| {
            let state = self.lock();
            state.barriers.done >= target || state.barriers.resets != resets
        };
        if tokio::time::timeout(BARRIER_TIMEOUT, progress.wait_for(settled))
            .await
            .is_err()
        {
            return false;
        }
        let state = self.lock();
        state.live && state.barriers.resets == resets && state.barriers.done >= target
    }

    /// The listener sends a barrier: its number.
    fn barrier_started(&self) -> u64 {
        let mut state = self.lock();
        state.barriers.started += 1;
        state.barriers.started
    }

    /// Barrier `number` was answered, after the notifications before it were applied.
    fn barrier_done(&self, number: u64) {
        self.lock().barriers.done = number;
        if let Some(sync) = &self.sync {
            sync.progress.send_replace(());
        }
    }

    /// Whether a request waits for a barrier not yet answered.
    fn barrier_wanted(&self) -> bool {
        let state = self.lock();
        state.barriers.wanted > state.barriers.done
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves a consistent map (no code in it panics
        // half-way through an update that matters for safety): keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A notification's payload: a user id, or `*` (and anything unexpected) for all.
    fn notified(&self, payload: &str) {
        let mut state = self.lock();
        match payload.parse::<i64>() {
            Ok(id) => state.invalidate_user(id),
            Err(_) => state.clear(),
        }
    }

    fn set_live(&self, live: bool) {
        let mut state = self.lock();
        state.clear();
        state.live = live;
        if !live {
            state.barriers.resets += 1;
            drop(state);
            if let Some(sync) = &self.sync {
                sync.progress.send_replace(());
            }
        }
    }
}

impl State {
    fn clear(&mut self) {
        self.entries.clear();
        self.by_user.clear();
        self.order.clear();
        self.generation += 1;
    }

    fn invalidate_user(&mut self, user_id: i64) {
        self.generation += 1;
        if let Some(keys) = self.by_user.remove(&user_id) {
            for key in keys {
                self.entries.remove(&key);
            }
        }
    }

    fn insert(&mut self, token: AuthToken, user: User) {
        let key: Arc<str> = Arc::from(token.key.as_str());
        let user_id = token.user_id;
        if self.entries.contains_key(&key) {
            return;
        }
        while self.entries.len() >= self.max {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            self.remove_key(&old);
        }
        // Keys already gone from the map linger in `order` until they reach its front; keep
        // it within twice the capacity.
        if self.order.len() >= 2 * self.max {
            let entries = &self.entries;
            self.order.retain(|k| entries.contains_key(k));
        }
        self.order.push_back(Arc::clone(&key));
        self.by_user
            .entry(user_id)
            .or_default()
            .push(Arc::clone(&key));
        self.entries.insert(key, Entry { token, user });
    }

    fn remove_key(&mut self, key: &str) {
        if let Some(entry) = self.entries.remove(key) {
            let user_id = entry.token.user_id;
            if let Some(keys) = self.by_user.get_mut(&user_id) {
                keys.retain(|k| &**k != key);
                if keys.is_empty() {
                    self.by_user.remove(&user_id);
                }
            }
        }
    }
}

/// The PostgreSQL listener: live while it listens, emptied and bypassed while it does not.
async fn listen(
    shared: Arc<Shared>,
    pool: PgPool,
    tables: [String; 2],
    mut stop: oneshot::Receiver<()>,
) {
    let mut warned = false;
    loop {
        let attempt = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            // A lost connection makes a barrier fail and this loop connect afresh (and go
            // live again emptied); the listener never reconnects on its own.
            listener.eager_reconnect(false);
            listener.listen(CHANNEL).await?;
            let installed = triggers_installed(&pool, &tables).await?;
            Ok::<_, sqlx::Error>((listener, installed))
        };
        let (mut listener, installed) = tokio::select! {
            _ = &mut stop => return,
            r = attempt => match r {
                Ok(ok) => ok,
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    if !warned {
                        tracing::warn!(error = %e, "token cache: cannot listen for changes; it is bypassed until it can");
                        warned = true;
                    }
                    tokio::select! {
                        _ = &mut stop => return,
                        () = tokio::time::sleep(RECONNECT_DELAY) => continue,
                    }
                }
            },
        };
        if !installed {
            tracing::warn!(
                tables = %tables.join(", "),
                "token cache: off, the triggers that report changes are missing (run `migrate`)"
            );
            return;
        }
        shared.set_live(true);
        warned = false;
        let Some(sync) = &shared.sync else {
            return;
        };
        // Notifications are read only by barriers (never by a receive that a wake-up would
        // cancel half-way): a barrier when a request wants one, else every IDLE_BARRIER.
        loop {
            if !shared.barrier_wanted() {
                tokio::select! {
                    _ = &mut stop => return,
                    () = sync.wake.notified() => {}
                    () = tokio::time::sleep(IDLE_BARRIER) => {}
                }
            }
            let number = shared.barrier_started();
            let barrier = sqlx::query("SELECT 1").execute(&mut listener);
            let answer = tokio::select! {
                _ = &mut stop => return,
                r = tokio::time::timeout(BARRIER_TIMEOUT, barrier) => r,
            };
            match answer {
                Ok(Ok(_)) => {
                    while let Some(n) = listener.next_buffered() {
                        shared.notified(n.payload());
                    }
                    shared.barrier_done(number);
                }
                Ok(Err(sqlx::Error::PoolClosed)) => {
                    shared.set_live(false);
                    return;
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "token cache: lost the listener; bypassed until it reconnects");
                    break;
                }
                Err(_) => {
                    tracing::warn!(
                        "token cache: the listener did not answer within {BARRIER_TIMEOUT:?}; bypassed until it reconnects"
                    );
                    break;
                }
            }
        }
        shared.set_live(false);
    }
}

/// Whether both tables have the row and TRUNCATE triggers `migrate` installs.
async fn triggers_installed(pool: &PgPool, tables: &[String; 2]) -> Result<bool, sqlx::Error> {
    for table in tables {
        let n: i64 = sqlx::query_scalar(TRIGGERS_ON_TABLE)
            .bind(quote(table))
            .fetch_one(pool)
            .await?;
        if n != 2 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A table name quoted as an identifier, for `to_regclass`.
pub(crate) fn quote(table: &str) -> String {
    format!("\"{}\"", table.replace('"', "\"\""))
}

/// The statements that install the triggers on `table`, whose rows name their user in
/// `user_column`: `CREATE OR REPLACE` for the function, and the triggers dropped and created
/// again, so that running them twice changes nothing.
pub(crate) fn trigger_ddl(table: &str, user_column: &str) -> [String; 5] {
    let t = quote(table);
    let column = user_column.replace('\'', "''");
    [
        NOTIFY_FUNCTION.to_owned(),
        format!("DROP TRIGGER IF EXISTS drf_auth_cache_row ON {t}"),
        format!(
            "CREATE TRIGGER drf_auth_cache_row AFTER UPDATE OR DELETE ON {t} \
             FOR EACH ROW EXECUTE FUNCTION drf_auth_cache_notify('{column}')"
        ),
        format!("DROP TRIGGER IF EXISTS drf_auth_cache_truncate ON {t}"),
        format!(
            "CREATE TRIGGER drf_auth_cache_truncate AFTER TRUNCATE ON {t} \
             FOR EACH STATEMENT EXECUTE FUNCTION drf_auth_cache_notify()"
        ),
    ]
}

/// How many of the two triggers `table` has (`migrate` installs what is missing; the
/// listener stays off unless both tables have both).
pub(crate) const TRIGGERS_ON_TABLE: &str = "SELECT count(*) FROM pg_trigger \
     WHERE tgname IN ('drf_auth_cache_row', 'drf_auth_cache_truncate') \
     AND tgrelid = to_regclass($1)";

/// Notifies the user id of the old row (the column named by the trigger's argument), or `*`
/// for a TRUNCATE. NOTIFY is sent at commit, and not at all on rollback.
const NOTIFY_FUNCTION: &str = r#"CREATE OR REPLACE FUNCTION drf_auth_cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('drf_auth_cache', '*');
    ELSE
        PERFORM pg_notify('drf_auth_cache', coalesce(to_jsonb(OLD) ->> TG_ARGV[0], '*'));
    END IF;
    RETURN NULL;
END
$$"#;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn row(key: &str, user_id: i64) -> (AuthToken, User) {
        let token = AuthToken {
            key: key.to_owned(),
            user_id,
            created: None,
        };
        let mut user = User::anonymous();
        user.id = Some(user_id);
        (token, user)
    }

    fn hit(cache: &AuthCache, key: &str) -> bool {
        matches!(cache.lookup(key), Lookup::Hit(_))
    }

    fn miss_fill(cache: &AuthCache, key: &str, user_id: i64) {
        let Lookup::Miss(ticket) = cache.lookup(key) else {
            panic!("{key}: not a miss");
        };
        let (t, u) = row(key, user_id);
        cache.fill(ticket, &t, &u);
    }

    /// A fresh SQLite file in `mode` with a table, the connection that made it, which writes
    /// to it as another process would, and its directory.
    fn sqlite_file(mode: &str, name: &str) -> (rusqlite::Connection, PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "drf-auth-cache-{}-{name}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("db.sqlite3");
        let writer = rusqlite::Connection::open(&db).unwrap();
        writer
            .execute_batch(&format!("PRAGMA journal_mode = {mode}; CREATE TABLE t (x)"))
            .unwrap();
        (writer, db, dir)
    }

    /// A cache on a fresh SQLite file in WAL mode, and a connection that writes to it.
    fn sqlite_cache(max: usize) -> (AuthCache, rusqlite::Connection, PathBuf) {
        let (writer, db, dir) = sqlite_file("wal", &max.to_string());
        (AuthCache::sqlite(&db, max).expect("cache"), writer, dir)
    }

    /// Every kind of change the probe must see, and the two it must not.
    fn sees_commits_and_only_commits(cache: &AuthCache, writer: &rusqlite::Connection) {
        miss_fill(cache, "a", 1);
        assert!(hit(cache, "a"));
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert!(!hit(cache, "a"));
        miss_fill(cache, "a", 1);
        assert!(hit(cache, "a"));
        writer.execute("UPDATE t SET x = 2", []).unwrap();
        assert!(!hit(cache, "a"));
        miss_fill(cache, "a", 1);
        // A rolled-back write is no change.
        writer
            .execute_batch("BEGIN; INSERT INTO t VALUES (2); ROLLBACK")
            .unwrap();
        assert!(hit(cache, "a"));
        // A checkpoint that restarts the WAL rewrites its header (so the cache may be emptied
        // for nothing); the first commit after it, which writes the WAL from its start, must
        // be seen.
        writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        if !hit(cache, "a") {
            miss_fill(cache, "a", 1);
        }
        writer.execute("DELETE FROM t", []).unwrap();
        assert!(!hit(cache, "a"));
    }

    #[test]
    fn a_wal_file_is_probed_by_its_index_header_and_others_by_data_version() {
        let (cache, writer, dir) = sqlite_cache(10);
        assert!(cache.reads_the_wal_index());
        sees_commits_and_only_commits(&cache, &writer);
        // Through a symbolic link: the same `-shm`, opened once for the process.
        #[cfg(unix)]
        {
            let link = dir.join("link.sqlite3");
            std::os::unix::fs::symlink(dir.join("db.sqlite3"), &link).unwrap();
            let linked = AuthCache::sqlite(&link, 10).expect("cache");
            let (a, b) = (&cache.shared.probe, &linked.shared.probe);
            assert!(a.as_ref().unwrap().shares_its_shm_with(b.as_ref().unwrap()));
            sees_commits_and_only_commits(&linked, &writer);
        }

        let (writer, db, _dir) = sqlite_file("delete", "rollback");
        let cache = AuthCache::sqlite(&db, 10).expect("cache");
        assert!(!cache.reads_the_wal_index());
        sees_commits_and_only_commits(&cache, &writer);
    }

    #[test]
    fn a_fill_is_served_and_a_user_invalidation_drops_it() {
        let (cache, _w, _dir) = sqlite_cache(10);
        miss_fill(&cache, "a", 1);
        miss_fill(&cache, "b", 2);
        assert!(hit(&cache, "a") && hit(&cache, "b"));
        cache.invalidate_user(1);
        assert!(!hit(&cache, "a"));
        assert!(hit(&cache, "b"));
    }

    #[test]
    fn a_fill_that_raced_an_invalidation_is_not_stored() {
        let (cache, _w, _dir) = sqlite_cache(10);
        let Lookup::Miss(ticket) = cache.lookup("a") else {
            panic!("miss")
        };
        cache.invalidate_user(99); // any invalidation while the query ran
        let (t, u) = row("a", 1);
        cache.fill(ticket, &t, &u);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn any_commit_by_another_connection_empties_the_cache() {
        let (cache, writer, dir) = sqlite_cache(10);
        sees_commits_and_only_commits(&cache, &writer);
        miss_fill(&cache, "a", 1);
        // A writer that opened the file after the entries were filled.
        let late = rusqlite::Connection::open(dir.join("db.sqlite3")).unwrap();
        late.execute("INSERT INTO t VALUES (3)", []).unwrap();
        assert!(!hit(&cache, "a"));
        // A file the check cannot open: no cache.
        assert!(AuthCache::sqlite(&dir.join("missing.sqlite3"), 10).is_none());
    }

    #[test]
    fn the_oldest_entries_go_past_the_capacity() {
        let (cache, _w, _dir) = sqlite_cache(3);
        for (i, key) in ["a", "b", "c", "d"].into_iter().enumerate() {
            miss_fill(&cache, key, i as i64);
        }
        assert_eq!(cache.len(), 3);
        assert!(!hit(&cache, "a"));
        assert!(hit(&cache, "d"));
        // Invalidations leave stale names in the order queue; it stays bounded.
        for i in 0..100 {
            let key = format!("k{i}");
            miss_fill(&cache, &key, 1000 + i);
            cache.invalidate_user(1000 + i);
        }
        let state = cache.shared.lock();
        assert!(state.order.len() <= 6, "{}", state.order.len());
        assert!(state.by_user.len() <= 3);
    }

    #[test]
    fn a_notification_names_a_user_or_everyone() {
        let shared = Shared::new(10, true, None, None);
        let cache = AuthCache {
            shared: Arc::new(shared),
            _stop: None,
        };
        miss_fill(&cache, "a", 1);
        miss_fill(&cache, "b", 2);
        cache.shared.notified("1");
        assert!(!hit(&cache, "a") && hit(&cache, "b"));
        cache.shared.notified("*");
        assert!(!hit(&cache, "b"));
        miss_fill(&cache, "b", 2);
        cache.shared.notified("garbage");
        assert!(!hit(&cache, "b"));
        // Not live (listener down): nothing is served or stored.
        cache.shared.set_live(false);
        assert!(matches!(cache.lookup("b"), Lookup::Bypass));
    }
}
