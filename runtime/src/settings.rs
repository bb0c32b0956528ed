//! Global defaults (DRF's `REST_FRAMEWORK` settings) and per-deployment configuration.
//!
//! An application's `settings.rs` declares its defaults with the `settings!` macro, which checks
//! every name at compile time and implements [`Settings`] for a type named `Settings`. Values
//! operators change per deployment (database URL, secret key, bind address, Redis URL) live in
//! [`Config`], read from the environment at start-up.

use std::net::SocketAddr;
use std::time::Duration;

use crate::authentication::{AuthenticationList, Basic, Session};
use crate::db::UserModel;
use crate::hashers::HasherConfig;
use crate::permissions::{AllowAny, PermissionList};
use crate::sessions::{CsrfSettings, MODEL_BACKEND, SessionSettings};
use crate::throttling::{Rate, ThrottleConfig, ThrottleList};
use crate::user::{Auth, User};

/// DRF's settings, fixed at compile time. Implemented by the `settings!` macro; the defaults
/// are DRF's.
pub trait Settings: Send + Sync + 'static {
    /// `DEFAULT_AUTHENTICATION_CLASSES` (DRF: Session, Basic).
    type Authentication: AuthenticationList;
    /// `DEFAULT_PERMISSION_CLASSES` (DRF: AllowAny).
    type Permission: PermissionList;
    /// `DEFAULT_THROTTLE_CLASSES` (DRF: none).
    type Throttle: ThrottleList;
    /// `DEFAULT_THROTTLE_RATES`, by scope (DRF: `anon` and `user`, both `None`). A scope
    /// missing here is an error wherever a view uses it.
    const THROTTLE_RATES: &'static [(&'static str, Option<Rate>)] =
        &[("anon", None), ("user", None)];
    /// The keyword of the Token scheme (DRF: `Token`).
    const TOKEN_KEYWORD: &'static str = "Token";
    /// PBKDF2 iterations for new hashes; equal to the Django version sharing the database
    /// (Django 6.1: 1,500,000). `PASSWORD_ITERATIONS` in the environment overrides it.
    const PASSWORD_ITERATIONS: u32 = 1_500_000;
    /// `UNAUTHENTICATED_USER`: the user of a request no scheme authenticated.
    fn unauthenticated_user() -> User {
        User::anonymous()
    }
    /// `UNAUTHENTICATED_TOKEN`: the auth of a request no scheme authenticated.
    fn unauthenticated_token() -> Auth {
        Auth::None
    }
}

/// DRF's own defaults: `[Session, Basic]`, `[AllowAny]`, keyword `Token`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultSettings;

impl Settings for DefaultSettings {
    type Authentication = (Session, Basic);
    type Permission = (AllowAny,);
    type Throttle = ();
}

/// Configuration read at start-up; every field has a development default.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://PATH` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// `SECRET_KEY`, as Django's.
    pub secret_key: String,
    /// `SECRET_KEY_FALLBACKS` (comma-separated in the environment).
    pub secret_key_fallbacks: Vec<String>,
    /// `REDIS_URL`.
    pub redis_url: Option<String>,
    /// Address `runserver` binds when none is given (`BIND`).
    pub bind: SocketAddr,
    /// The Token scheme's keyword.
    pub token_keyword: String,
    /// Password hashing: Django's `PASSWORD_HASHERS` (preferred first) and the PBKDF2
    /// iteration count (`PASSWORD_HASHERS`, `PASSWORD_ITERATIONS`, `DJANGO_VERSION`).
    pub hashers: HasherConfig,
    /// The user table (Django's `AUTH_USER_MODEL`): `auth_user` by default
    /// (`AUTH_USER_TABLE`, `USERNAME_FIELD`, … in the environment, see
    /// [`crate::db::UserModel`]).
    pub user_model: UserModel,
    /// Largest request body accepted (`MAX_BODY_SIZE`, Django's 2.5 MiB by default).
    pub max_body_size: usize,
    /// Time allowed to receive a request's headers (`HEADER_TIMEOUT_SECS`).
    pub header_timeout: Duration,
    /// Time allowed to receive a request's body (`BODY_TIMEOUT_SECS`).
    pub body_timeout: Duration,
    /// Time an idle keep-alive connection is kept open (`IDLE_TIMEOUT_SECS`).
    pub idle_timeout: Duration,
    /// Time in-flight requests get to finish after SIGINT/SIGTERM (`SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace: Duration,
    /// Throttling: rate overrides (`THROTTLE_RATE_<SCOPE>`), client identity (`NUM_PROXIES`,
    /// `TRUSTED_PROXIES`), the Redis failure policy; see [`ThrottleConfig`].
    pub throttle: ThrottleConfig,
    /// Django's `SESSION_*` settings (cookie name, age, Secure, domain…).
    pub session: SessionSettings,
    /// Django's `CSRF_*` settings (cookie, header name, trusted origins…).
    pub csrf: CsrfSettings,
    /// `AUTHENTICATION_BACKENDS` (comma-separated in the environment): a session whose
    /// `_auth_user_backend` is not listed is anonymous. Default: Django's `ModelBackend`.
    pub authentication_backends: Vec<String>,
    /// `SECURE_PROXY_SSL_HEADER`: a header (lower-case name) and the value that marks a request
    /// as HTTPS behind a proxy, as `("x-forwarded-proto", "https")`. Unset: requests are HTTP.
    pub secure_proxy_ssl_header: Option<(String, String)>,
}

/// The development secret key; `Config::from_env` warns when it is used.
pub const DEV_SECRET_KEY: &str = "drf-insecure-development-key-do-not-use-in-production";

impl Config {
    /// The defaults for settings `S`, without reading the environment.
    pub fn defaults<S: Settings>() -> Self {
        Self {
            database_url: "sqlite://db.sqlite3".to_owned(),
            secret_key: DEV_SECRET_KEY.to_owned(),
            secret_key_fallbacks: Vec::new(),
            redis_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            token_keyword: S::TOKEN_KEYWORD.to_owned(),
            hashers: HasherConfig::with_iterations(S::PASSWORD_ITERATIONS),
            user_model: UserModel::default(),
            max_body_size: 2_621_440,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
            throttle: ThrottleConfig::default(),
            session: SessionSettings::default(),
            csrf: CsrfSettings::default(),
            authentication_backends: vec![MODEL_BACKEND.to_owned()],
            secure_proxy_ssl_header: None,
        }
    }

    /// The defaults for `S`, overridden by the environment (`DATABASE_URL`, `SECRET_KEY`,
    /// `SECRET_KEY_FALLBACKS`, `REDIS_URL`, `BIND`, `DJANGO_VERSION`, `PASSWORD_HASHERS`,
    /// `PASSWORD_ITERATIONS`, the user table's `AUTH_USER_*`, `MAX_BODY_SIZE`,
    /// `HEADER_TIMEOUT_SECS`, `BODY_TIMEOUT_SECS`, `IDLE_TIMEOUT_SECS`, `SHUTDOWN_GRACE_SECS`,
    /// and Django's session and CSRF settings: see [`crate::sessions`]).
    ///
    /// A value that does not parse is an error naming the variable.
    pub fn from_env<S: Settings>() -> Result<Self, String> {
        Self::from_lookup::<S>(|k| std::env::var(k).ok())
    }

    /// Like [`Config::from_env`], reading variables through `get` (used by tests).
    pub fn from_lookup<S: Settings>(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut c = Self::defaults::<S>();
        if let Some(v) = get("DATABASE_URL").filter(|v| !v.is_empty()) {
            c.database_url = v;
        }
        match get("SECRET_KEY").filter(|v| !v.is_empty()) {
            Some(v) => c.secret_key = v,
            None => eprintln!("warning: SECRET_KEY is not set; using an insecure development key"),
        }
        if let Some(v) = get("SECRET_KEY_FALLBACKS") {
            c.secret_key_fallbacks = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        c.redis_url = get("REDIS_URL").filter(|v| !v.is_empty());
        if let Some(v) = get("BIND") {
            c.bind = v.parse().map_err(|e| format!("BIND={v:?}: {e}"))?;
        }
        fn num<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            name: &str,
        ) -> Result<Option<T>, String>
        where
            T::Err: std::fmt::Display,
        {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<T>()
                        .map_err(|e| format!("{name}={v:?}: {e}"))
                })
                .transpose()
        }
        crate::hashers::apply_env(&mut c.hashers, &get)?;
        crate::db::user_model::apply_env(&mut c.user_model, &get)?;
        if let Some(n) = num::<u32>(&get, "PASSWORD_ITERATIONS")? {
            if n == 0 {
                return Err("PASSWORD_ITERATIONS must be at least 1".to_owned());
            }
            c.hashers.pbkdf2_iterations = n;
        }
        if let Some(n) = num::<usize>(&get, "MAX_BODY_SIZE")? {
            c.max_body_size = n;
        }
        for (name, field) in [
            ("HEADER_TIMEOUT_SECS", &mut c.header_timeout),
            ("BODY_TIMEOUT_SECS", &mut c.body_timeout),
            ("IDLE_TIMEOUT_SECS", &mut c.idle_timeout),
            ("SHUTDOWN_GRACE_SECS", &mut c.shutdown_grace),
        ] {
            if let Some(n) = num::<u64>(&get, name)? {
                *field = Duration::from_secs(n);
            }
        }
        crate::throttling::config::apply_env::<S>(&mut c.throttle, &get)?;
        crate::sessions::config::apply_env(&mut c, &get)?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let c = Config::from_lookup::<DefaultSettings>(|k| match k {
            "DATABASE_URL" => Some("sqlite::memory:".into()),
            "PASSWORD_ITERATIONS" => Some("1000".into()),
            "SECRET_KEY_FALLBACKS" => Some("a, b,".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.database_url, "sqlite::memory:");
        assert_eq!(c.hashers.pbkdf2_iterations, 1000);
        assert_eq!(c.secret_key_fallbacks, ["a", "b"]);
        assert_eq!(c.token_keyword, "Token");
    }

    #[test]
    fn bad_numbers_are_named_errors() {
        let e = Config::from_lookup::<DefaultSettings>(|k| {
            (k == "MAX_BODY_SIZE").then(|| "lots".to_owned())
        })
        .unwrap_err();
        assert!(e.starts_with("MAX_BODY_SIZE=\"lots\""), "{e}");
        let e = Config::from_lookup::<DefaultSettings>(|k| {
            (k == "PASSWORD_ITERATIONS").then(|| "0".to_owned())
        })
        .unwrap_err();
        assert!(e.contains("at least 1"));
    }
}
