//! Test databases on PostgreSQL: created per test, dropped with their last user.
use std::collections::{HashMap, HashSet};
use std::str::FromStr as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, PgConnection};

use crate::db::DbError;
use crate::hashers::random_string;

/// Prefix of every database made here: `drf_t_<pid>_<n>_<random>`.
const PREFIX: &str = "drf_t_";

/// Names handed out by `test_config`, not created yet, with their admin URL.
static RESERVED: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);
/// Created databases still in use, so apps sharing a configuration share the guard.
static LIVE: Mutex<Option<HashMap<String, Weak<TestDatabase>>>> = Mutex::new(None);

fn lock<T>(m: &Mutex<Option<T>>) -> std::sync::MutexGuard<'_, Option<T>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn admin_options(admin_url: &str) -> Result<PgConnectOptions, DbError> {
    PgConnectOptions::from_str(admin_url)
        .map_err(|e| DbError::Other(format!("invalid DRF_TEST_POSTGRES_URL: {e}")))
}

fn new_name() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{PREFIX}{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789")
    )
}

/// The URL of `admin_url`'s server with another database.
fn url_for(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[after_scheme..].find('/').map(|i| after_scheme + i);
    let mut url = match path_start {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => format!("{base}/{name}"),
    };
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// The database name of a PostgreSQL URL.
fn name_of(url: &str) -> Option<String> {
    let base = url.split('?').next()?;
    let after_scheme = base.find("://")? + 3;
    let path = &base[after_scheme..];
    path.split_once('/').map(|(_, name)| name.to_owned())
}

/// A name for `test_config`; the database is made by [`claim`].
pub(super) fn reserve(admin_url: &str) -> String {
    let name = new_name();
    lock(&RESERVED)
        .get_or_insert_with(HashMap::new)
        .insert(name.clone(), admin_url.to_owned());
    url_for(admin_url, &name)
}

/// For a URL from [`reserve`]: creates the database (first call) and returns its guard.
pub(super) async fn claim(url: &str) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
    let name = name_of(url)?;
    if let Some(live) = lock(&LIVE)
        .as_ref()
        .and_then(|m| m.get(&name))
        .and_then(Weak::upgrade)
    {
        return Some(live);
    }
    let admin = lock(&RESERVED).as_mut().and_then(|m| m.remove(&name))?;
    let db = TestDatabase::create_named(&admin, &name, None)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let db = Arc::new(db);
    lock(&LIVE)
        .get_or_insert_with(HashMap::new)
        .insert(name, Arc::downgrade(&db));
    Some(db)
}

/// A PostgreSQL database made for one test (or a group of tests), dropped (`WITH (FORCE)`)
/// when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database on the server of `admin_url` (`DRF_TEST_POSTGRES_URL`).
    pub async fn create(admin_url: &str) -> Result<Self, DbError> {
        Self::create_named(admin_url, &new_name(), None).await
    }

    /// Creates a copy of the database `template` (which nobody may be connected to).
    pub async fn create_from_template(admin_url: &str, template: &str) -> Result<Self, DbError> {
        Self::create_named(admin_url, &new_name(), Some(template)).await
    }

    async fn create_named(
        admin_url: &str,
        name: &str,
        template: Option<&str>,
    ) -> Result<Self, DbError> {
        let admin = admin_options(admin_url)?;
        let mut conn = PgConnection::connect_with(&admin).await?;
        static CLEANED: AtomicBool = AtomicBool::new(false);
        if !CLEANED.swap(true, Ordering::Relaxed) {
            drop_stale(&mut conn).await;
        }
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        // Concurrent CREATE DATABASEs from one template can collide ("source database is
        // being accessed by other users"): retry a few times.
        let mut attempt = 0;
        loop {
            match sqlx::raw_sql(&sql).execute(&mut conn).await {
                Ok(_) => break,
                Err(sqlx::Error::Database(e))
                    if e.code().as_deref() == Some("55006") && attempt < 50 =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        let _ = conn.close().await;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name: name.to_owned(),
            url: url_for(admin_url, name),
        })
    }

    /// The database's URL (`postgres://…/drf_t_…`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        lock(&LIVE).as_mut().map(|m| m.remove(&name));
        // Drop may run inside an async runtime: do the blocking work on a thread of its own.
        let worker = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let Ok(admin) = admin_options(&admin_url) else {
                    return;
                };
                if let Ok(mut conn) = PgConnection::connect_with(&admin).await {
                    let _ =
                        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = worker.join();
    }
}

/// Drops test databases left by processes that are gone (a killed test run).
async fn drop_stale(conn: &mut PgConnection) {
    if !std::path::Path::new("/proc/self").exists() {
        return; // no way to tell which processes are alive
    }
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'drf\\_t\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    else {
        return;
    };
    let alive: HashSet<String> = names
        .iter()
        .filter_map(|n| n.strip_prefix(PREFIX)?.split('_').next().map(str::to_owned))
        .filter(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists())
        .collect();
    for name in names {
        let pid = name.strip_prefix(PREFIX).and_then(|r| r.split('_').next());
        if pid.is_some_and(|p| !alive.contains(p)) {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut *conn)
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_other_databases() {
        assert_eq!(
            url_for("postgres://u@127.0.0.1:54329/drf_test", "x"),
            "postgres://u@127.0.0.1:54329/x"
        );
        assert_eq!(
            url_for("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(url_for("postgres://h:1", "x"), "postgres://h:1/x");
        assert_eq!(name_of("postgres://u@h:1/abc?x=1").as_deref(), Some("abc"));
        assert_eq!(name_of("sqlite::memory:"), None);
        assert!(new_name().starts_with(&format!("{PREFIX}{}_", std::process::id())));
    }
}
