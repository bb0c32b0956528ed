//! [`App`]: what every request can reach: configuration, database, password hashing.

use std::sync::Arc;

use crate::config::Config;
use crate::db::{Db, DbError};
use crate::hashers::Passwords;
use crate::throttling::store::Store;

/// Shared application state. Cheap to clone (`Arc` inside).
#[derive(Clone, Debug)]
pub struct App {
    inner: Arc<AppInner>,
}

#[derive(Debug)]
struct AppInner {
    config: Config,
    db: Db,
    passwords: Passwords,
    throttle_store: Store,
}

impl App {
    /// Connects to `config.database_url` (creating a SQLite file if missing).
    pub async fn connect(config: Config) -> Result<Self, DbError> {
        let db = Db::connect(&config.database_url).await?;
        Ok(Self::new(config, db))
    }

    /// Builds the state from an open database, serving the user table of
    /// `config.user_model`, with the token cache `config.auth_cache` asks for (see
    /// [`Db::with_auth_cache`]; on PostgreSQL its listener starts here, so call this inside a
    /// Tokio runtime).
    pub fn new(config: Config, db: Db) -> Self {
        let db = db
            .with_user_model(&config.user_model)
            .with_auth_cache(&config.auth_cache);
        let passwords = Passwords::new(config.hashers.clone()).with_queue(config.hash_queue);
        let throttle_store = Store::new(config.redis_url.as_deref(), &config.throttle);
        Self {
            inner: Arc::new(AppInner {
                config,
                db,
                passwords,
                throttle_store,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Where throttle histories live: Redis when `REDIS_URL` is set, else process memory.
    pub fn throttle_store(&self) -> &Store {
        &self.inner.throttle_store
    }

    /// Password hashing (runs off the reactor, bounded).
    pub fn passwords(&self) -> &Passwords {
        &self.inner.passwords
    }
}
