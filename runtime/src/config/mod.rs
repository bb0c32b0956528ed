//! [`Config`]: what operators set per deployment (database URL, secret key, bind address,
//! limits, Django's session and CSRF settings, throttling), read from the environment at
//! start-up.
//!
//! This module is a leaf: it imports nothing of the pipeline above it. Each slice reads its
//! own variables through [`Env`] and fails with a [`ConfigError`] naming the variable. The
//! values a configuration takes from the application's compile-time settings (the token
//! keyword, the PBKDF2 iterations, the throttle scopes) come in as [`ConfigDefaults`];
//! [`Config::from_env`] fills them in from a [`Settings`](crate::Settings) type.

mod builder;
mod env;
mod sessions;
mod throttle;

use std::net::SocketAddr;
use std::time::Duration;

use crate::db::AuthCacheSettings;
use crate::db::user_model::{self, UserModel};
use crate::hashers::HasherConfig;
use crate::throttling::rate::Rate;

pub use env::{ConfigError, Env};
pub use sessions::{CsrfSettings, MODEL_BACKEND, SameSite, SessionSettings};
pub use throttle::{LoginFailureRates, RedisFailure, ThrottleConfig, rate_variable};

/// The development secret key, used when `SECRET_KEY` is not set.
pub const DEV_SECRET_KEY: &str = "drf-insecure-development-key-do-not-use-in-production";

/// What a configuration takes from the application's compile-time settings.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ConfigDefaults {
    /// The Token scheme's keyword (`TOKEN_KEYWORD`).
    pub token_keyword: &'static str,
    /// PBKDF2 iterations for new hashes (`PASSWORD_ITERATIONS`).
    pub password_iterations: u32,
    /// `DEFAULT_THROTTLE_RATES`: the scopes `THROTTLE_RATE_<SCOPE>` may override.
    pub throttle_rates: &'static [(&'static str, Option<Rate>)],
    /// `LOGIN_FAILURE_RATE` and `LOGIN_FAILURE_RATE_PER_CLIENT`.
    pub login_failures: LoginFailureRates,
}

impl ConfigDefaults {
    /// DRF's: keyword `Token`, Django 6.1's 1,500,000 iterations, the scopes `anon` and `user`;
    /// and the framework's failed-login limits ([`LoginFailureRates::DEFAULT`]).
    pub const DRF: Self = Self {
        token_keyword: "Token",
        password_iterations: 1_500_000,
        throttle_rates: &[("anon", None), ("user", None)],
        login_failures: LoginFailureRates::DEFAULT,
    };
}

/// Configuration read at start-up; every field has a development default.
#[derive(Clone, Debug)]
#[non_exhaustive]
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
    /// Time a view's handler may run (`HANDLER_TIMEOUT_SECS`, default 30 s, 0 for none):
    /// past it the handler is cancelled (dropped at its next `.await`, so an open database
    /// transaction rolls back) and the answer is `503 {"detail": "The request took too long
    /// to handle."}`. The body's reading and the checks before the handler have their own
    /// limits.
    pub handler_timeout: Duration,
    /// Throttling: rate overrides (`THROTTLE_RATE_<SCOPE>`), client identity (`NUM_PROXIES`,
    /// `TRUSTED_PROXIES`), the Redis failure policy; see [`ThrottleConfig`].
    pub throttle: ThrottleConfig,
    /// The failed-login limiter (`LOGIN_FAILURE_RATE`, `LOGIN_FAILURE_RATE_PER_CLIENT`, both
    /// also in `settings!`): see [`LoginFailureRates`].
    pub login_failures: LoginFailureRates,
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
    /// `MAX_CONNECTIONS`: how many connections the server holds open at once (default 25,000;
    /// 0 for no cap). At the cap it stops accepting: new connections wait in the listen
    /// backlog until one ends, so a flood of idle connections cannot exhaust file descriptors
    /// and memory.
    pub max_connections: usize,
    /// The queue in front of the password hashers (`PASSWORD_HASH_MAX_WAITING`,
    /// `PASSWORD_HASH_MAX_WAIT_MS`): see [`HashQueue`](crate::hashers::HashQueue).
    pub hash_queue: crate::hashers::HashQueue,
    /// `DATA_UPLOAD_MAX_NUMBER_FIELDS` and `DATA_UPLOAD_MAX_NUMBER_FILES` (Django's 1000 and
    /// 100; `none` in the environment for no limit).
    pub upload_limits: crate::parsers::UploadLimits,
    /// `LOG_FORMAT`: `text` (the default) or `json`, one JSON object per log line (see
    /// [`server::init_tracing`](crate::server::init_tracing), which reads the variable itself
    /// since it runs before any configuration; this field is its check).
    pub log_json: bool,
    /// `DEBUG`: lets a server with a weak `SECRET_KEY` listen beyond loopback (see
    /// [`Config::check_listen`]). Default `false`.
    pub debug: bool,
    /// The token cache (`AUTH_CACHE`, on by default; `AUTH_CACHE_MAX_ENTRIES`, 10,000): Token
    /// authentication answers from memory until the token or its user changes, whoever
    /// changes it. See [`AuthCacheSettings`].
    pub auth_cache: AuthCacheSettings,
}

impl Config {
    /// The defaults, without reading the environment.
    pub fn with_defaults(d: &ConfigDefaults) -> Self {
        Self {
            database_url: "sqlite://db.sqlite3".to_owned(),
            secret_key: DEV_SECRET_KEY.to_owned(),
            secret_key_fallbacks: Vec::new(),
            redis_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            token_keyword: d.token_keyword.to_owned(),
            hashers: HasherConfig::with_iterations(d.password_iterations),
            user_model: UserModel::default(),
            max_body_size: 2_621_440,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(30),
            throttle: ThrottleConfig::default(),
            login_failures: d.login_failures,
            session: SessionSettings::default(),
            csrf: CsrfSettings::default(),
            authentication_backends: vec![MODEL_BACKEND.to_owned()],
            secure_proxy_ssl_header: None,
            max_connections: 25_000,
            hash_queue: crate::hashers::HashQueue::default(),
            upload_limits: crate::parsers::UploadLimits::DJANGO,
            log_json: false,
            debug: false,
            auth_cache: AuthCacheSettings::default(),
        }
    }

    /// The defaults overridden by the variables of `env` (`DATABASE_URL`, `SECRET_KEY`,
    /// `SECRET_KEY_FALLBACKS`, `REDIS_URL`, `BIND`, `DJANGO_VERSION`, `PASSWORD_HASHERS`,
    /// `PASSWORD_ITERATIONS`, the user table's `AUTH_USER_*`, `MAX_BODY_SIZE`,
    /// `HEADER_TIMEOUT_SECS`, `BODY_TIMEOUT_SECS`, `IDLE_TIMEOUT_SECS`, `SHUTDOWN_GRACE_SECS`,
    /// `HANDLER_TIMEOUT_SECS`,
    /// throttling's and Django's session and CSRF settings: see [`crate::sessions`]).
    ///
    /// A value that does not parse is an error naming the variable.
    pub fn read(d: &ConfigDefaults, env: &Env<'_>) -> Result<Self, ConfigError> {
        let mut c = Self::with_defaults(d);
        if let Some(v) = env.nonempty("DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = env.nonempty("SECRET_KEY") {
            c.secret_key = v;
        }
        if let Some(keys) = env.list("SECRET_KEY_FALLBACKS") {
            c.secret_key_fallbacks = keys;
        }
        c.redis_url = env.nonempty("REDIS_URL");
        if let Some(v) = env.raw("BIND") {
            c.bind = v.parse().map_err(|e| ConfigError::invalid("BIND", &v, e))?;
        }
        apply_hashers_env(&mut c.hashers, env)?;
        user_model::apply_env(&mut c.user_model, &|k| env.raw(k)).map_err(|message| {
            let variable = message
                .split([':', '='])
                .next()
                .unwrap_or_default()
                .to_owned();
            ConfigError::Rejected { variable, message }
        })?;
        if let Some(n) = env.parse::<u32>("PASSWORD_ITERATIONS")? {
            c.hashers.pbkdf2_iterations = n;
        }
        for (name, limit) in [
            ("DATA_UPLOAD_MAX_NUMBER_FIELDS", &mut c.upload_limits.fields),
            ("DATA_UPLOAD_MAX_NUMBER_FILES", &mut c.upload_limits.files),
        ] {
            match env.raw(name) {
                Some(v) if v.trim().eq_ignore_ascii_case("none") => *limit = None,
                Some(_) => *limit = env.parse::<usize>(name)?,
                None => {}
            }
        }
        if let Some(n) = env.parse::<usize>("MAX_CONNECTIONS")? {
            c.max_connections = n;
        }
        if let Some(n) = env.parse::<usize>("PASSWORD_HASH_MAX_WAITING")? {
            c.hash_queue.max_waiting = n;
        }
        if let Some(ms) = env.parse::<u64>("PASSWORD_HASH_MAX_WAIT_MS")? {
            c.hash_queue.max_wait = Duration::from_millis(ms);
        }
        if let Some(v) = env.raw("LOG_FORMAT").filter(|v| !v.trim().is_empty()) {
            c.log_json = match v.trim().to_ascii_lowercase().as_str() {
                "json" => true,
                "text" => false,
                _ => {
                    return Err(ConfigError::invalid(
                        "LOG_FORMAT",
                        &v,
                        "expected `text` or `json`",
                    ));
                }
            };
        }
        if let Some(b) = env.bool("DEBUG")? {
            c.debug = b;
        }
        if let Some(b) = env.bool("AUTH_CACHE")? {
            c.auth_cache.enabled = b;
        }
        if let Some(n) = env.parse::<usize>("AUTH_CACHE_MAX_ENTRIES")? {
            c.auth_cache.max_entries = n;
        }
        if let Some(n) = env.parse::<usize>("MAX_BODY_SIZE")? {
            c.max_body_size = n;
        }
        for (name, field) in [
            ("HEADER_TIMEOUT_SECS", &mut c.header_timeout),
            ("BODY_TIMEOUT_SECS", &mut c.body_timeout),
            ("IDLE_TIMEOUT_SECS", &mut c.idle_timeout),
            ("SHUTDOWN_GRACE_SECS", &mut c.shutdown_grace),
            ("HANDLER_TIMEOUT_SECS", &mut c.handler_timeout),
        ] {
            if let Some(n) = env.parse::<u64>(name)? {
                *field = Duration::from_secs(n);
            }
        }
        let scopes = d.throttle_rates.iter().map(|(scope, _)| *scope);
        throttle::apply_env(&mut c.throttle, scopes, env)?;
        c.login_failures.apply_env(env)?;
        sessions::apply_env(&mut c, env)?;
        c.validate()?;
        Ok(c)
    }

    /// Every numeric setting in its range, or the first one that is not, named with its
    /// variable: connection timeouts and the shutdown grace at most [`MAX_TIMEOUT_SECS`] (7
    /// days; 0 turns a timeout off), cookie ages within [`MAX_COOKIE_AGE_SECS`] (100 years)
    /// either way, PBKDF2 iterations from 1 to 100,000,000, `MAX_BODY_SIZE` at most 1 GiB (bodies
    /// are held in memory), `MAX_CONNECTIONS` at most 1,000,000, `PASSWORD_HASH_MAX_WAITING` at
    /// most 100,000, `THROTTLE_REDIS_TIMEOUT_MS` from 1 to 60,000, `THROTTLE_MEMORY_MAX_KEYS`
    /// from 1 to 100,000,000, `AUTH_CACHE_MAX_ENTRIES` from 1 to 10,000,000, and failed-login rates of at least one per period. [`Config::from_env`] checks it, and
    /// so does the server before it listens, so that a value that would overflow a deadline or
    /// a cookie date is an error at start-up, never a panic at request time.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Rejected`] for the first setting out of range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, value) in [
            ("HEADER_TIMEOUT_SECS", self.header_timeout),
            ("BODY_TIMEOUT_SECS", self.body_timeout),
            ("IDLE_TIMEOUT_SECS", self.idle_timeout),
            ("SHUTDOWN_GRACE_SECS", self.shutdown_grace),
            ("HANDLER_TIMEOUT_SECS", self.handler_timeout),
        ] {
            if value > Duration::from_secs(MAX_TIMEOUT_SECS) {
                return Err(ConfigError::rejected(
                    name,
                    format!(
                        "{name} must be at most {MAX_TIMEOUT_SECS} (7 days), or 0 for no timeout; got {}",
                        value.as_secs()
                    ),
                ));
            }
        }
        for (name, age) in [
            ("SESSION_COOKIE_AGE", Some(self.session.cookie_age)),
            ("CSRF_COOKIE_AGE", self.csrf.cookie_age),
        ] {
            if age.is_some_and(|a| a.unsigned_abs() > MAX_COOKIE_AGE_SECS) {
                return Err(ConfigError::rejected(
                    name,
                    format!(
                        "{name} must be within {MAX_COOKIE_AGE_SECS} seconds (100 years) either way; got {}",
                        age.unwrap_or_default()
                    ),
                ));
            }
        }
        if self.hash_queue.max_wait > Duration::from_secs(60) {
            return Err(ConfigError::rejected(
                "PASSWORD_HASH_MAX_WAIT_MS",
                format!(
                    "PASSWORD_HASH_MAX_WAIT_MS must be at most 60000; got {}",
                    self.hash_queue.max_wait.as_millis()
                ),
            ));
        }
        let as_u64 = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        for (name, value, min, max) in [
            (
                "MAX_BODY_SIZE",
                as_u64(self.max_body_size),
                0,
                MAX_BODY_SIZE_LIMIT,
            ),
            (
                "MAX_CONNECTIONS",
                as_u64(self.max_connections),
                0,
                1_000_000,
            ),
            (
                "PASSWORD_HASH_MAX_WAITING",
                as_u64(self.hash_queue.max_waiting),
                0,
                100_000,
            ),
            (
                "THROTTLE_REDIS_TIMEOUT_MS",
                millis(self.throttle.redis_timeout),
                1,
                60_000,
            ),
            (
                "THROTTLE_MEMORY_MAX_KEYS",
                as_u64(self.throttle.memory_max_keys),
                1,
                100_000_000,
            ),
            (
                "AUTH_CACHE_MAX_ENTRIES",
                as_u64(self.auth_cache.max_entries),
                1,
                10_000_000,
            ),
        ] {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::rejected(
                    name,
                    format!("{name} must be from {min} to {max}; got {value}"),
                ));
            }
        }
        for (name, rate) in [
            ("LOGIN_FAILURE_RATE", self.login_failures.per_username),
            (
                "LOGIN_FAILURE_RATE_PER_CLIENT",
                self.login_failures.per_client,
            ),
        ] {
            if rate.is_some_and(|r| r.num_requests == 0) {
                return Err(ConfigError::rejected(
                    name,
                    format!(
                        "{name} must allow at least one failed login per period (0 would refuse every login); use None to turn the limit off"
                    ),
                ));
            }
        }
        let iterations = self.hashers.pbkdf2_iterations;
        if !(1..=MAX_PASSWORD_ITERATIONS).contains(&iterations) {
            return Err(ConfigError::rejected(
                "PASSWORD_ITERATIONS",
                format!(
                    "PASSWORD_ITERATIONS must be from 1 to {MAX_PASSWORD_ITERATIONS}; got {iterations}"
                ),
            ));
        }
        Ok(())
    }

    /// True when the `SECRET_KEY` would not keep sessions, CSRF tokens and signatures safe:
    /// the development key, or a key Django's own check (`security.W009`) calls weak: fewer
    /// than 50 characters, fewer than 5 distinct ones, or Django's `django-insecure-` prefix.
    pub fn has_weak_secret_key(&self) -> bool {
        let key = &self.secret_key;
        let distinct: std::collections::HashSet<char> = key.chars().collect();
        self.uses_development_key()
            || key.chars().count() < 50
            || distinct.len() < 5
            || key.starts_with("django-insecure-")
    }

    /// Whether a server may listen on `addr` with this configuration: first
    /// [`validate`](Config::validate) (a configuration built in code has not been through
    /// [`Config::from_env`]'s check), then, beyond loopback
    /// (`0.0.0.0`, a LAN address), a weak `SECRET_KEY` ([`has_weak_secret_key`]) is refused
    /// unless `DEBUG` is on, since anyone who can reach the server could then forge sessions.
    /// Also warns (a `tracing` event) when such a server trusts `X-Forwarded-For` as DRF
    /// does, with neither `TRUSTED_PROXIES` nor `NUM_PROXIES` set: a client can then choose
    /// the address its anonymous throttles count. `runserver`, [`server::run`] and
    /// [`server::serve`] call it.
    ///
    /// # Errors
    ///
    /// What [`validate`](Config::validate) refuses, and [`ConfigError::Rejected`] (variable
    /// `SECRET_KEY`) when the key is weak, `addr` is not loopback and `DEBUG` is off.
    ///
    /// [`has_weak_secret_key`]: Config::has_weak_secret_key
    /// [`server::run`]: crate::server::run
    /// [`server::serve`]: crate::server::serve
    pub fn check_listen(&self, addr: SocketAddr) -> Result<(), ConfigError> {
        self.validate()?;
        if addr.ip().is_loopback() {
            return Ok(());
        }
        if self.has_weak_secret_key() && !self.debug {
            return Err(ConfigError::rejected(
                "SECRET_KEY",
                format!(
                    "refusing to listen on {addr} with {}: set SECRET_KEY to at least 50 random \
                     characters, listen on a loopback address, or set DEBUG=1 to allow it",
                    if self.uses_development_key() {
                        "the development SECRET_KEY"
                    } else {
                        "a weak SECRET_KEY (fewer than 50 characters, fewer than 5 distinct, or \
                         django-insecure-)"
                    }
                ),
            ));
        }
        if self.throttle.identity == crate::throttling::ident::ClientIdentity::Drf {
            tracing::warn!(
                %addr,
                "neither TRUSTED_PROXIES nor NUM_PROXIES is set: anonymous throttles count the \
                 client named by X-Forwarded-For, as DRF does, so a client can choose it; set \
                 TRUSTED_PROXIES to your proxies' addresses"
            );
        }
        Ok(())
    }

    /// True when no `SECRET_KEY` was given and the development key is in use: fine on a
    /// laptop, never in production (`runserver` warns).
    pub fn uses_development_key(&self) -> bool {
        self.secret_key == DEV_SECRET_KEY
    }

    /// What a server should say when it starts with this configuration, one line each:
    /// the development `SECRET_KEY` is in use; password hashing is unoptimized in this debug
    /// build (a login then takes seconds; the line says what to add to `Cargo.toml`).
    /// `runserver` and [`server::start_up`](crate::server::start_up) print them.
    ///
    /// The second check times a few thousand PBKDF2 iterations (debug builds only): a few
    /// milliseconds optimized, up to a fifth of a second when it warns.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut warnings = Vec::new();
        if self.uses_development_key() {
            warnings.push("warning: SECRET_KEY is not set; using an insecure development key");
        }
        warnings.extend(crate::hashers::unoptimized_warning());
        warnings
    }
}

/// The longest connection timeout or shutdown grace [`Config::validate`] accepts: 7 days.
pub const MAX_TIMEOUT_SECS: u64 = 7 * 86_400;

/// The largest cookie age, either way, [`Config::validate`] accepts: 100 years.
pub const MAX_COOKIE_AGE_SECS: u64 = 100 * 365 * 86_400;

/// The largest `MAX_BODY_SIZE` [`Config::validate`] accepts: 1 GiB (a body is held in memory).
pub const MAX_BODY_SIZE_LIMIT: u64 = 1 << 30;

/// The most PBKDF2 iterations [`Config::validate`] accepts (what a stored hash may name).
pub const MAX_PASSWORD_ITERATIONS: u32 = 100_000_000;

/// Reads `DJANGO_VERSION` (the release sharing the database: its PBKDF2 iteration count) and
/// `PASSWORD_HASHERS` (see [`HasherConfig::parse_hashers`]).
pub(crate) fn apply_hashers_env(cfg: &mut HasherConfig, env: &Env<'_>) -> Result<(), ConfigError> {
    if let Some(v) = env.raw("DJANGO_VERSION").filter(|v| !v.trim().is_empty()) {
        let django = HasherConfig::django(&v).ok_or_else(|| {
            ConfigError::invalid(
                "DJANGO_VERSION",
                &v,
                "unknown Django release (known: 3.2, 4.0 to 6.1)",
            )
        })?;
        cfg.pbkdf2_iterations = django.pbkdf2_iterations;
    }
    if let Some(v) = env.raw("PASSWORD_HASHERS").filter(|v| !v.trim().is_empty()) {
        cfg.hashers = HasherConfig::parse_hashers(&v)
            .map_err(|e| ConfigError::invalid("PASSWORD_HASHERS", &v, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::DefaultSettings;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup::<DefaultSettings>(|name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    const STRONG: &str = "kq3v9-Zr7Pw2!xT6mB8nL4sD1fG5hJ0cV-yU7iO3pA9eR2wQ6tY8uI4oP1aS5dF";

    #[test]
    fn weak_keys_are_djangos_weak_keys() {
        let weak = |key: &str| {
            let mut c = config(&[]).unwrap();
            c.secret_key = key.to_owned();
            c.has_weak_secret_key()
        };
        assert!(config(&[]).unwrap().has_weak_secret_key());
        assert!(weak(&"x".repeat(49)));
        assert!(weak(&"abcd".repeat(20)), "fewer than 5 distinct characters");
        assert!(weak(&format!("django-insecure-{STRONG}")));
        assert!(!weak(STRONG));
        assert!(!weak(&"abcde".repeat(10)));
    }

    #[test]
    fn a_weak_key_listens_on_loopback_only_unless_debug() {
        let any: SocketAddr = "0.0.0.0:8000".parse().unwrap();
        let lan: SocketAddr = "[2001:db8::1]:8000".parse().unwrap();
        let dev = config(&[]).unwrap();
        for loopback in ["127.0.0.1:8000", "127.8.9.10:1", "[::1]:8000"] {
            assert_eq!(dev.check_listen(loopback.parse().unwrap()), Ok(()));
        }
        for addr in [any, lan] {
            let refused = dev.check_listen(addr).unwrap_err();
            assert_eq!(refused.variable(), "SECRET_KEY");
            assert_eq!(
                refused.to_string(),
                format!(
                    "refusing to listen on {addr} with the development SECRET_KEY: set \
                     SECRET_KEY to at least 50 random characters, listen on a loopback \
                     address, or set DEBUG=1 to allow it"
                )
            );
        }
        let short = config(&[("SECRET_KEY", "short")]).unwrap();
        assert!(
            short
                .check_listen(any)
                .unwrap_err()
                .to_string()
                .contains("a weak SECRET_KEY")
        );
        assert_eq!(config(&[("DEBUG", "1")]).unwrap().check_listen(any), Ok(()));
        assert_eq!(
            config(&[("SECRET_KEY", STRONG)]).unwrap().check_listen(any),
            Ok(())
        );
        assert!(config(&[("DEBUG", "maybe")]).is_err());
    }

    #[test]
    fn every_number_out_of_its_range_is_named_at_start_up() {
        for (var, value, message) in [
            (
                "MAX_BODY_SIZE",
                "1073741825",
                "MAX_BODY_SIZE must be from 0 to 1073741824; got 1073741825",
            ),
            (
                "MAX_CONNECTIONS",
                "1000001",
                "MAX_CONNECTIONS must be from 0 to 1000000; got 1000001",
            ),
            (
                "PASSWORD_HASH_MAX_WAITING",
                "100001",
                "PASSWORD_HASH_MAX_WAITING must be from 0 to 100000; got 100001",
            ),
            (
                "PASSWORD_HASH_MAX_WAIT_MS",
                "60001",
                "PASSWORD_HASH_MAX_WAIT_MS must be at most 60000; got 60001",
            ),
            (
                "THROTTLE_REDIS_TIMEOUT_MS",
                "60001",
                "THROTTLE_REDIS_TIMEOUT_MS must be from 1 to 60000; got 60001",
            ),
            (
                "THROTTLE_MEMORY_MAX_KEYS",
                "100000001",
                "THROTTLE_MEMORY_MAX_KEYS must be from 1 to 100000000; got 100000001",
            ),
            (
                "AUTH_CACHE_MAX_ENTRIES",
                "0",
                "AUTH_CACHE_MAX_ENTRIES must be from 1 to 10000000; got 0",
            ),
            (
                "AUTH_CACHE",
                "sometimes",
                "AUTH_CACHE=\"sometimes\": expected true or false",
            ),
            (
                "HANDLER_TIMEOUT_SECS",
                "604801",
                "HANDLER_TIMEOUT_SECS must be at most 604800 (7 days), or 0 for no timeout; got 604801",
            ),
            (
                "SESSION_COOKIE_AGE",
                "3153600001",
                "SESSION_COOKIE_AGE must be within 3153600000 seconds (100 years) either way; got 3153600001",
            ),
            (
                "PASSWORD_ITERATIONS",
                "100000001",
                "PASSWORD_ITERATIONS must be from 1 to 100000000; got 100000001",
            ),
            (
                "LOGIN_FAILURE_RATE",
                "0/min",
                "LOGIN_FAILURE_RATE must allow at least one failed login per period (0 would refuse every login); use None to turn the limit off",
            ),
            (
                "LOGIN_FAILURE_RATE_PER_CLIENT",
                "0/s",
                "LOGIN_FAILURE_RATE_PER_CLIENT must allow at least one failed login per period (0 would refuse every login); use None to turn the limit off",
            ),
        ] {
            let e = config(&[(var, value)]).unwrap_err();
            assert_eq!(e.variable(), var);
            assert_eq!(e.to_string(), message);
        }
        // The edges of each range are accepted.
        for (var, value) in [
            ("MAX_BODY_SIZE", "1073741824"),
            ("MAX_BODY_SIZE", "0"),
            ("MAX_CONNECTIONS", "1000000"),
            ("THROTTLE_REDIS_TIMEOUT_MS", "60000"),
            ("THROTTLE_MEMORY_MAX_KEYS", "100000000"),
            ("LOGIN_FAILURE_RATE", "1/day"),
            ("AUTH_CACHE_MAX_ENTRIES", "10000000"),
            ("AUTH_CACHE_MAX_ENTRIES", "1"),
        ] {
            assert!(config(&[(var, value)]).is_ok(), "{var}={value}");
        }
        // `AUTH_CACHE=off` turns the token cache off; it is on by default.
        assert!(config(&[]).unwrap().auth_cache.enabled);
        assert!(!config(&[("AUTH_CACHE", "off")]).unwrap().auth_cache.enabled);
    }
}
