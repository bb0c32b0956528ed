//! [`ThrottleConfig`]: what operators set per deployment, read from the environment at start-up.

use std::time::Duration;

use super::env::{ConfigError, Env};
use crate::throttling::ident::{ClientIdentity, parse_cidrs};
use crate::throttling::rate::Rate;

/// What happens to a throttled request when Redis cannot be reached
/// (`THROTTLE_REDIS_FAILURE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RedisFailure {
    /// Answer 503: no request gets past a throttle that cannot count it (the default).
    #[default]
    Closed,
    /// Let the request through uncounted.
    Open,
}

/// Throttling configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Rates overriding `DEFAULT_THROTTLE_RATES`, by scope (`THROTTLE_RATE_<SCOPE>`: the scope
    /// upper-cased, characters other than letters and digits as `_`; `None` disables it).
    pub rates: Vec<(String, Option<Rate>)>,
    /// How anonymous callers are identified (`NUM_PROXIES`, `TRUSTED_PROXIES`).
    pub identity: ClientIdentity,
    /// Redis unreachable: fail closed (503) or open (`THROTTLE_REDIS_FAILURE=closed|open`).
    pub redis_failure: RedisFailure,
    /// Time one Redis check may take before it counts as a failure
    /// (`THROTTLE_REDIS_TIMEOUT_MS`, default 1000).
    pub redis_timeout: Duration,
    /// Prefix of the Redis keys (`THROTTLE_REDIS_PREFIX`, default `drf:`).
    pub redis_prefix: String,
    /// Most callers the in-memory store remembers (`THROTTLE_MEMORY_MAX_KEYS`, default
    /// 100000); see [`crate::throttling::MemoryStore`].
    pub memory_max_keys: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            rates: Vec::new(),
            identity: ClientIdentity::Drf,
            redis_failure: RedisFailure::Closed,
            redis_timeout: Duration::from_millis(1000),
            redis_prefix: "drf:".to_owned(),
            memory_max_keys: 100_000,
        }
    }
}

/// The failed-login limiter's rates (`LOGIN_FAILURE_RATE`, `LOGIN_FAILURE_RATE_PER_CLIENT`):
/// how many failed logins a client may make per username, and in all, before it is answered
/// 429 without a password check. `None` turns a limit off. See
/// [`crate::authentication::authenticate_credentials`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailureRates {
    /// Failures per client and username (`LOGIN_FAILURE_RATE`, default `5/min`). A successful
    /// login resets it.
    pub per_username: Option<Rate>,
    /// Failures per client, whatever the username (`LOGIN_FAILURE_RATE_PER_CLIENT`, default
    /// `100/hour`).
    pub per_client: Option<Rate>,
}

impl LoginFailureRates {
    /// The framework's defaults: 5 a minute per client and username, 100 an hour per client.
    pub const DEFAULT: Self = Self {
        per_username: Some(Rate::new(5, 60)),
        per_client: Some(Rate::new(100, 3600)),
    };

    /// Both limits off.
    pub const OFF: Self = Self {
        per_username: None,
        per_client: None,
    };

    /// True when neither limit is set.
    pub fn is_off(&self) -> bool {
        self.per_username.is_none() && self.per_client.is_none()
    }

    /// Reads `LOGIN_FAILURE_RATE` and `LOGIN_FAILURE_RATE_PER_CLIENT` (`N/PERIOD`, or `None`).
    pub(super) fn apply_env(&mut self, env: &Env<'_>) -> Result<(), ConfigError> {
        for (var, rate) in [
            ("LOGIN_FAILURE_RATE", &mut self.per_username),
            ("LOGIN_FAILURE_RATE_PER_CLIENT", &mut self.per_client),
        ] {
            if let Some(v) = env.raw(var).filter(|v| !v.trim().is_empty()) {
                *rate = Rate::parse(&v).map_err(|e| ConfigError::invalid(var, &v, e))?;
            }
        }
        Ok(())
    }
}

/// The environment variable overriding the rate of `scope`: `THROTTLE_RATE_ANON`.
pub fn rate_variable(scope: &str) -> String {
    let mut name = String::from("THROTTLE_RATE_");
    name.extend(scope.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    name
}

/// Reads `THROTTLE_RATE_<SCOPE>` for each of `scopes`, `NUM_PROXIES`, `TRUSTED_PROXIES`,
/// `THROTTLE_REDIS_FAILURE`, `THROTTLE_REDIS_TIMEOUT_MS`, `THROTTLE_REDIS_PREFIX` and
/// `THROTTLE_MEMORY_MAX_KEYS`. A value that does not parse is an error naming the variable.
pub(super) fn apply_env<'s>(
    c: &mut ThrottleConfig,
    scopes: impl IntoIterator<Item = &'s str>,
    env: &Env<'_>,
) -> Result<(), ConfigError> {
    for scope in scopes {
        let var = rate_variable(scope);
        if let Some(v) = env.raw(&var).filter(|v| !v.trim().is_empty()) {
            let rate = Rate::parse(&v).map_err(|e| ConfigError::invalid(&var, &v, e))?;
            c.rates.retain(|(s, _)| s != scope);
            c.rates.push((scope.to_owned(), rate));
        }
    }
    let num_proxies = env.raw("NUM_PROXIES").filter(|v| !v.trim().is_empty());
    let trusted = env.raw("TRUSTED_PROXIES").filter(|v| !v.trim().is_empty());
    match (num_proxies, trusted) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::rejected(
                "NUM_PROXIES",
                "NUM_PROXIES and TRUSTED_PROXIES are both set: choose one (TRUSTED_PROXIES is recommended)",
            ));
        }
        (Some(_), None) => {
            if let Some(n) = env.parse::<u32>("NUM_PROXIES")? {
                c.identity = ClientIdentity::NumProxies(n);
            }
        }
        (None, Some(list)) => {
            let cidrs = parse_cidrs(&list).map_err(|e| {
                ConfigError::rejected("TRUSTED_PROXIES", format!("TRUSTED_PROXIES: {e}"))
            })?;
            c.identity = ClientIdentity::TrustedProxies(cidrs);
        }
        (None, None) => {}
    }
    if let Some(url) = env.nonempty("REDIS_URL") {
        redis::Client::open(url.as_str())
            .map_err(|e| ConfigError::invalid("REDIS_URL", &url, e))?;
    }
    if let Some(v) = env.raw("THROTTLE_REDIS_FAILURE") {
        c.redis_failure = match v.trim().to_ascii_lowercase().as_str() {
            "open" => RedisFailure::Open,
            "closed" => RedisFailure::Closed,
            _ => {
                return Err(ConfigError::invalid(
                    "THROTTLE_REDIS_FAILURE",
                    &v,
                    "expected `open` or `closed`",
                ));
            }
        };
    }
    if let Some(v) = env.raw("THROTTLE_REDIS_TIMEOUT_MS") {
        let ms = v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms > 0)
            .ok_or_else(|| {
                ConfigError::invalid("THROTTLE_REDIS_TIMEOUT_MS", &v, "expected milliseconds > 0")
            })?;
        c.redis_timeout = Duration::from_millis(ms);
    }
    if let Some(v) = env.raw("THROTTLE_REDIS_PREFIX") {
        c.redis_prefix = v;
    }
    if let Some(v) = env.raw("THROTTLE_MEMORY_MAX_KEYS") {
        c.memory_max_keys = v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                ConfigError::invalid("THROTTLE_MEMORY_MAX_KEYS", &v, "expected a number > 0")
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<ThrottleConfig, String> {
        let mut c = ThrottleConfig::default();
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        };
        apply_env(&mut c, ["anon", "user"], &Env::new(&get)).map_err(|e| e.to_string())?;
        Ok(c)
    }

    #[test]
    fn environment_sets_rates_and_identity() {
        let c = read(&[
            ("THROTTLE_RATE_ANON", "10/min"),
            ("THROTTLE_RATE_USER", "None"),
            ("NUM_PROXIES", "1"),
            ("THROTTLE_REDIS_FAILURE", "open"),
        ])
        .unwrap();
        assert_eq!(
            c.rates,
            [
                ("anon".to_owned(), Some(Rate::new(10, 60))),
                ("user".to_owned(), None)
            ]
        );
        assert_eq!(c.identity, ClientIdentity::NumProxies(1));
        assert_eq!(c.redis_failure, RedisFailure::Open);
        let c = read(&[("TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")]).unwrap();
        assert!(matches!(c.identity, ClientIdentity::TrustedProxies(ref v) if v.len() == 2));
        assert_eq!(
            rate_variable("uploads-per-hour"),
            "THROTTLE_RATE_UPLOADS_PER_HOUR"
        );
    }

    #[test]
    fn login_failure_rates_come_from_the_environment() {
        let read = |vars: &[(&str, &str)]| {
            let mut r = LoginFailureRates::DEFAULT;
            let get = |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            };
            r.apply_env(&Env::new(&get))
                .map(|()| r)
                .map_err(|e| e.to_string())
        };
        assert_eq!(read(&[]).unwrap(), LoginFailureRates::DEFAULT);
        let r = read(&[
            ("LOGIN_FAILURE_RATE", "3/hour"),
            ("LOGIN_FAILURE_RATE_PER_CLIENT", "None"),
        ])
        .unwrap();
        assert_eq!(r.per_username, Some(Rate::new(3, 3600)));
        assert_eq!(r.per_client, None);
        assert!(
            read(&[
                ("LOGIN_FAILURE_RATE", "none"),
                ("LOGIN_FAILURE_RATE_PER_CLIENT", "None")
            ])
            .unwrap()
            .is_off()
        );
        let e = read(&[("LOGIN_FAILURE_RATE_PER_CLIENT", "5")]).unwrap_err();
        assert!(e.starts_with("LOGIN_FAILURE_RATE_PER_CLIENT=\"5\""), "{e}");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = read(&[("THROTTLE_RATE_ANON", "10/fortnight")]).unwrap_err();
        assert!(e.starts_with("THROTTLE_RATE_ANON="), "{e}");
        let e = read(&[("NUM_PROXIES", "1"), ("TRUSTED_PROXIES", "::1")]).unwrap_err();
        assert!(e.contains("choose one"), "{e}");
        let e = read(&[("TRUSTED_PROXIES", "10.0.0.0/99")]).unwrap_err();
        assert!(e.starts_with("TRUSTED_PROXIES"), "{e}");
        assert!(read(&[("THROTTLE_REDIS_FAILURE", "maybe")]).is_err());
        assert!(read(&[("THROTTLE_MEMORY_MAX_KEYS", "0")]).is_err());
        assert!(
            read(&[("REDIS_URL", "http://x")])
                .unwrap_err()
                .starts_with("REDIS_URL=")
        );
    }
}
