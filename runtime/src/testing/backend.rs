//! Which database the tests run on, and tests that need a server that is absent.

/// Which database the test helpers use, from the environment:
/// `DRF_TEST_DATABASE=sqlite` (the default: in-memory SQLite) or `DRF_TEST_DATABASE=postgres`
/// (a fresh database per test on the server of `DRF_TEST_POSTGRES_URL`, whose role needs
/// `CREATEDB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestBackend {
    /// In-memory SQLite.
    Sqlite,
    /// PostgreSQL; `admin_url` is `DRF_TEST_POSTGRES_URL` (any existing database of the server).
    Postgres {
        /// Where to connect to create and drop the test databases.
        admin_url: String,
    },
}

impl TestBackend {
    /// Reads `DRF_TEST_DATABASE` and `DRF_TEST_POSTGRES_URL`.
    ///
    /// # Panics
    /// If PostgreSQL is asked for without a URL, or the backend is unknown: a run meant for
    /// PostgreSQL must not pass on SQLite by accident.
    pub fn from_env() -> Self {
        let wanted = std::env::var("DRF_TEST_DATABASE").unwrap_or_default();
        match wanted.trim().to_ascii_lowercase().as_str() {
            "" | "sqlite" => Self::Sqlite,
            "postgres" | "postgresql" | "pg" => match postgres_url() {
                Some(admin_url) => Self::Postgres { admin_url },
                None => panic!(
                    "DRF_TEST_DATABASE={wanted} needs DRF_TEST_POSTGRES_URL (source .ci/services.sh && start_postgres)"
                ),
            },
            other => panic!("DRF_TEST_DATABASE={other:?}: use sqlite or postgres"),
        }
    }

    /// True for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }
}

/// `DRF_TEST_POSTGRES_URL`, if set: the server PostgreSQL-only tests use.
///
/// A test that needs the server must not pass without it: have it reported as ignored, with
/// its reason, as this repository's own tests are, by letting a `build.rs` turn the variable
/// into a cfg:
///
/// ```text
/// // build.rs
/// fn main() {
///     println!("cargo::rerun-if-changed=build.rs");
///     println!("cargo::rerun-if-env-changed=DRF_TEST_POSTGRES_URL");
///     println!("cargo::rustc-check-cfg=cfg(with_postgres)");
///     if std::env::var_os("DRF_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
///         println!("cargo::rustc-cfg=with_postgres");
///     }
/// }
///
/// // the test
/// #[cfg_attr(not(with_postgres), ignore = "needs DRF_TEST_POSTGRES_URL")]
/// #[tokio::test]
/// async fn on_postgres() {
///     let admin = drf::testing::postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
///     // …
/// }
/// ```
pub fn postgres_url() -> Option<String> {
    std::env::var("DRF_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}
