//! Global defaults: DRF's `REST_FRAMEWORK` settings, fixed at compile time.
//!
//! An application's `settings.rs` declares its defaults with the `settings!` macro, which checks
//! every name at compile time and implements [`Settings`] for a type named `Settings`. This
//! module holds policy only; values operators change per deployment live in
//! [`Config`], which [`Config::from_env`] reads starting from the
//! values `Settings` gives it.

use crate::authentication::{AuthenticationList, Basic, Session};
use crate::config::{Config, ConfigDefaults, ConfigError, Env, LoginFailureRates};
use crate::permissions::{AllowAny, PermissionList};
use crate::renderers::{BrowsableAPIRenderer, JSONRenderer, RendererList};
use crate::throttling::{Rate, ThrottleList};
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
    /// `DEFAULT_RENDERER_CLASSES` (DRF: JSONRenderer, BrowsableAPIRenderer).
    type Renderer: RendererList;
    /// `DEFAULT_THROTTLE_RATES`, by scope (DRF: `anon` and `user`, both `None`). A scope
    /// missing here is an error wherever a view uses it.
    const THROTTLE_RATES: &'static [(&'static str, Option<Rate>)] =
        &[("anon", None), ("user", None)];
    /// The keyword of the Token scheme (DRF: `Token`).
    const TOKEN_KEYWORD: &'static str = "Token";
    /// PBKDF2 iterations for new hashes; equal to the Django version sharing the database
    /// (Django 6.1: 1,500,000). `PASSWORD_ITERATIONS` in the environment overrides it.
    const PASSWORD_ITERATIONS: u32 = 1_500_000;
    /// Django's `APPEND_SLASH` (default `true`): a path that matches a route only with a
    /// trailing slash answers `301 Moved Permanently` to that path, whatever the method;
    /// `false` answers 404. The redirect carries no body, and the client's request body is
    /// not kept: a client that follows a 301 for a POST sends a GET (that is why Django in
    /// DEBUG refuses to redirect a POST); unsafe methods should be sent to the slashed path.
    const APPEND_SLASH: bool = true;
    /// `LOGIN_FAILURE_RATE`: failed logins a client may make per username before it is
    /// answered 429 without a password check (default `5/min`; `None` turns it off). Not in
    /// DRF; see [`LoginFailureRates`]. The environment's `LOGIN_FAILURE_RATE` overrides it.
    const LOGIN_FAILURE_RATE: Option<Rate> = LoginFailureRates::DEFAULT.per_username;
    /// `LOGIN_FAILURE_RATE_PER_CLIENT`: failed logins a client may make in all, whatever the
    /// username (default `100/hour`; `None` turns it off). The environment's variable of the
    /// same name overrides it.
    const LOGIN_FAILURE_RATE_PER_CLIENT: Option<Rate> = LoginFailureRates::DEFAULT.per_client;
    /// `UNAUTHENTICATED_USER`: the user of a request no scheme authenticated.
    fn unauthenticated_user() -> User {
        User::anonymous()
    }
    /// `UNAUTHENTICATED_TOKEN`: the auth of a request no scheme authenticated.
    fn unauthenticated_token() -> Auth {
        Auth::None
    }
}

/// DRF's own defaults: `[Session, Basic]`, `[AllowAny]`, `[JSONRenderer,
/// BrowsableAPIRenderer]`, keyword `Token`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultSettings;

impl Settings for DefaultSettings {
    type Authentication = (Session, Basic);
    type Permission = (AllowAny,);
    type Throttle = ();
    type Renderer = (JSONRenderer, BrowsableAPIRenderer);
}

/// The values of `S` a [`Config`] starts from.
pub fn config_defaults<S: Settings>() -> ConfigDefaults {
    let mut d = ConfigDefaults::DRF;
    d.token_keyword = S::TOKEN_KEYWORD;
    d.password_iterations = S::PASSWORD_ITERATIONS;
    d.throttle_rates = S::THROTTLE_RATES;
    d.login_failures = LoginFailureRates {
        per_username: S::LOGIN_FAILURE_RATE,
        per_client: S::LOGIN_FAILURE_RATE_PER_CLIENT,
    };
    d
}

/// Configuration for an application with settings `S`.
impl Config {
    /// The defaults for settings `S`, without reading the environment.
    pub fn defaults<S: Settings>() -> Self {
        Self::with_defaults(&config_defaults::<S>())
    }

    /// The defaults for `S`, overridden by the environment (see [`Config::read`] for the
    /// variables). A value that does not parse is an error naming the variable.
    pub fn from_env<S: Settings>() -> Result<Self, ConfigError> {
        Self::from_lookup::<S>(|k| std::env::var(k).ok())
    }

    /// Like [`Config::from_env`], reading variables through `get` (used by tests).
    pub fn from_lookup<S: Settings>(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        Self::read(&config_defaults::<S>(), &Env::new(&get))
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
        assert!(e.to_string().starts_with("MAX_BODY_SIZE=\"lots\""), "{e}");
        let e = Config::from_lookup::<DefaultSettings>(|k| {
            (k == "PASSWORD_ITERATIONS").then(|| "0".to_owned())
        })
        .unwrap_err();
        assert!(e.to_string().contains("must be from 1 to 100000000"));
    }
}
