//! Building a [`Config`] in code: each `with_*` sets one value and returns the configuration,
//! starting from [`Config::defaults`] or [`Config::from_env`].
//!
//! ```
//! use std::time::Duration;
//! use drf_runtime::{Config, DefaultSettings};
//!
//! let config = Config::defaults::<DefaultSettings>()
//!     .with_database_url("sqlite::memory:")
//!     .with_secret_key("a long random value")
//!     .with_max_body_size(1 << 20)
//!     .with_idle_timeout(Duration::from_secs(5));
//! assert_eq!(config.database_url, "sqlite::memory:");
//! assert!(!config.uses_development_key());
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use super::{Config, CsrfSettings, SessionSettings, ThrottleConfig};
use crate::db::user_model::UserModel;
use crate::hashers::HasherConfig;

/// `with_<field>(value)` for each listed field; `into` fields take anything that converts
/// (`&str` for a `String`), the others their own type (so integer literals infer).
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident => $field:ident: $(into $ity:ty)? $(= $ty:ty)?;)*) => {
        impl Config {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(mut self, value: $(impl Into<$ity>)? $($ty)?) -> Self {
                    self.$field = setters!(@value value $(into $ity)?);
                    self
                }
            )*
        }
    };
    (@value $v:ident into $ity:ty) => { $v.into() };
    (@value $v:ident) => { $v };
}

setters! {
    /// `DATABASE_URL`.
    with_database_url => database_url: into String;
    /// `SECRET_KEY`.
    with_secret_key => secret_key: into String;
    /// `SECRET_KEY_FALLBACKS`.
    with_secret_key_fallbacks => secret_key_fallbacks: into Vec<String>;
    /// `REDIS_URL` (`None`: throttle histories in process memory).
    with_redis_url => redis_url: = Option<String>;
    /// `BIND`.
    with_bind => bind: = SocketAddr;
    /// The Token scheme's keyword.
    with_token_keyword => token_keyword: into String;
    /// Password hashing (`PASSWORD_HASHERS`, iterations).
    with_hashers => hashers: = HasherConfig;
    /// The user table (Django's `AUTH_USER_MODEL`).
    with_user_model => user_model: = UserModel;
    /// `MAX_BODY_SIZE`, in bytes.
    with_max_body_size => max_body_size: = usize;
    /// `HEADER_TIMEOUT_SECS`.
    with_header_timeout => header_timeout: = Duration;
    /// `BODY_TIMEOUT_SECS`.
    with_body_timeout => body_timeout: = Duration;
    /// `IDLE_TIMEOUT_SECS`.
    with_idle_timeout => idle_timeout: = Duration;
    /// `SHUTDOWN_GRACE_SECS`.
    with_shutdown_grace => shutdown_grace: = Duration;
    /// Throttling: rates, client identity, the Redis policy.
    with_throttle => throttle: = ThrottleConfig;
    /// Django's `SESSION_*` settings.
    with_session => session: = SessionSettings;
    /// Django's `CSRF_*` settings.
    with_csrf => csrf: = CsrfSettings;
    /// `AUTHENTICATION_BACKENDS`.
    with_authentication_backends => authentication_backends: into Vec<String>;
    /// `SECURE_PROXY_SSL_HEADER`: a lower-case header name and the value that marks HTTPS.
    with_secure_proxy_ssl_header => secure_proxy_ssl_header: = Option<(String, String)>;
}
