//! [`App`]: what every request can reach: configuration, database, password hashing.

use std::sync::Arc;

use crate::db::{Db, DbError};
use crate::hashers::Passwords;
use crate::settings::Config;

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
}

impl App {
    /// Connects to `config.database_url` (creating a SQLite file if missing).
    pub async fn connect(config: Config) -> Result<Self, DbError> {
        let db = Db::connect(&config.database_url).await?;
        Ok(Self::new(config, db))
    }

    /// Builds the state from an open database.
    pub fn new(config: Config, db: Db) -> Self {
        let passwords = Passwords::new(config.hashers.clone());
        Self {
            inner: Arc::new(AppInner {
                config,
                db,
                passwords,
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

    /// Password hashing (runs off the reactor, bounded).
    pub fn passwords(&self) -> &Passwords {
        &self.inner.passwords
    }
}
