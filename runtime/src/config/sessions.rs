//! Django's session and CSRF settings, with their defaults and environment overrides.

use super::Config;
use super::env::{ConfigError, Env};

/// `django.contrib.auth.backends.ModelBackend`, the backend `login()` records and the only one in
/// Django's default `AUTHENTICATION_BACKENDS`.
pub const MODEL_BACKEND: &str = "django.contrib.auth.backends.ModelBackend";

/// A cookie's `SameSite` attribute (`SESSION_COOKIE_SAMESITE`, `CSRF_COOKIE_SAMESITE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `Lax`, Django's default.
    Lax,
    /// `Strict`.
    Strict,
    /// `None` (a cookie sent cross-site; Django then also marks a deleted cookie Secure).
    None,
}

impl SameSite {
    /// The attribute's value as written in `Set-Cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lax => "Lax",
            Self::Strict => "Strict",
            Self::None => "None",
        }
    }
}

/// Django's `SESSION_*` settings (database sessions, JSON serializer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSettings {
    /// `SESSION_COOKIE_NAME` (`sessionid`).
    pub cookie_name: String,
    /// `SESSION_COOKIE_AGE` in seconds (1209600, two weeks).
    pub cookie_age: i64,
    /// `SESSION_COOKIE_DOMAIN` (none: a host-only cookie).
    pub cookie_domain: Option<String>,
    /// `SESSION_COOKIE_PATH` (`/`).
    pub cookie_path: String,
    /// `SESSION_COOKIE_SECURE` (false).
    pub cookie_secure: bool,
    /// `SESSION_COOKIE_HTTPONLY` (true).
    pub cookie_httponly: bool,
    /// `SESSION_COOKIE_SAMESITE`: `Lax` (default), `Strict`, `None`, or no attribute.
    pub cookie_samesite: Option<SameSite>,
    /// `SESSION_EXPIRE_AT_BROWSER_CLOSE` (false): the cookie gets no `expires`/`Max-Age`.
    pub expire_at_browser_close: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            cookie_name: "sessionid".to_owned(),
            cookie_age: 1_209_600,
            cookie_domain: None,
            cookie_path: "/".to_owned(),
            cookie_secure: false,
            cookie_httponly: true,
            cookie_samesite: Some(SameSite::Lax),
            expire_at_browser_close: false,
        }
    }
}

/// Django's `CSRF_*` settings (the secret lives in a cookie, as by default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrfSettings {
    /// `CSRF_COOKIE_NAME` (`csrftoken`).
    pub cookie_name: String,
    /// `CSRF_COOKIE_AGE` in seconds (31449600, 52 weeks); `None`: a browser-session cookie.
    pub cookie_age: Option<i64>,
    /// `CSRF_COOKIE_DOMAIN` (none).
    pub cookie_domain: Option<String>,
    /// `CSRF_COOKIE_PATH` (`/`).
    pub cookie_path: String,
    /// `CSRF_COOKIE_SECURE` (false).
    pub cookie_secure: bool,
    /// `CSRF_COOKIE_HTTPONLY` (false).
    pub cookie_httponly: bool,
    /// `CSRF_COOKIE_SAMESITE` (`Lax`).
    pub cookie_samesite: Option<SameSite>,
    /// `CSRF_HEADER_NAME` in Django's `META` form (`HTTP_X_CSRFTOKEN`, i.e. `X-CSRFToken`).
    pub header_name: String,
    /// `CSRF_TRUSTED_ORIGINS`: origins such as `https://example.com` or
    /// `https://*.example.com` accepted besides the request's own host.
    pub trusted_origins: Vec<String>,
}

impl Default for CsrfSettings {
    fn default() -> Self {
        Self {
            cookie_name: "csrftoken".to_owned(),
            cookie_age: Some(31_449_600),
            cookie_domain: None,
            cookie_path: "/".to_owned(),
            cookie_secure: false,
            cookie_httponly: false,
            cookie_samesite: Some(SameSite::Lax),
            header_name: "HTTP_X_CSRFTOKEN".to_owned(),
            trusted_origins: Vec::new(),
        }
    }
}

impl CsrfSettings {
    /// The HTTP header the token is read from (`HTTP_X_CSRFTOKEN` → `x-csrftoken`).
    pub fn http_header(&self) -> String {
        let name = self
            .header_name
            .strip_prefix("HTTP_")
            .unwrap_or(&self.header_name);
        name.replace('_', "-").to_ascii_lowercase()
    }

    /// The header's name as Django's failure messages print it (`X-Csrftoken`: Python's
    /// `str.title()` of the dashed name).
    pub fn header_title(&self) -> String {
        let name = self
            .header_name
            .strip_prefix("HTTP_")
            .unwrap_or(&self.header_name)
            .replace('_', "-");
        let mut out = String::with_capacity(name.len());
        let mut prev_cased = false;
        for c in name.chars() {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_cased = c.is_alphabetic();
        }
        out
    }
}

fn samesite(env: &Env<'_>, name: &str) -> Result<Option<Option<SameSite>>, ConfigError> {
    let Some(raw) = env.raw(name) else {
        return Ok(None);
    };
    let v = raw.trim();
    match v.to_ascii_lowercase().as_str() {
        "" | "false" => Ok(Some(None)),
        "lax" => Ok(Some(Some(SameSite::Lax))),
        "strict" => Ok(Some(Some(SameSite::Strict))),
        "none" => Ok(Some(Some(SameSite::None))),
        _ => Err(ConfigError::invalid(
            name,
            v,
            "samesite must be \"lax\", \"none\", or \"strict\".",
        )),
    }
}

/// Reads the session, CSRF and authentication-backend variables into `c`: `SESSION_COOKIE_NAME`,
/// `SESSION_COOKIE_AGE`, `SESSION_COOKIE_DOMAIN`, `SESSION_COOKIE_PATH`, `SESSION_COOKIE_SECURE`,
/// `SESSION_COOKIE_HTTPONLY`, `SESSION_COOKIE_SAMESITE`, `SESSION_EXPIRE_AT_BROWSER_CLOSE`,
/// `CSRF_COOKIE_NAME`, `CSRF_COOKIE_AGE` (empty: a browser-session cookie), `CSRF_COOKIE_DOMAIN`,
/// `CSRF_COOKIE_PATH`, `CSRF_COOKIE_SECURE`, `CSRF_COOKIE_HTTPONLY`, `CSRF_COOKIE_SAMESITE`,
/// `CSRF_HEADER_NAME`, `CSRF_TRUSTED_ORIGINS` and `AUTHENTICATION_BACKENDS` (comma-separated),
/// `SECURE_PROXY_SSL_HEADER` (`HTTP_X_FORWARDED_PROTO,https` as Django's tuple, or
/// `X-Forwarded-Proto,https`).
pub(super) fn apply_env(c: &mut Config, env: &Env<'_>) -> Result<(), ConfigError> {
    let s = &mut c.session;
    if let Some(v) = env.trimmed("SESSION_COOKIE_NAME") {
        s.cookie_name = v;
    }
    if let Some(age) = env.parse("SESSION_COOKIE_AGE")? {
        s.cookie_age = age;
    }
    if let Some(v) = env.raw("SESSION_COOKIE_DOMAIN") {
        s.cookie_domain = Some(v.trim().to_owned()).filter(|d| !d.is_empty());
    }
    if let Some(v) = env.trimmed("SESSION_COOKIE_PATH") {
        s.cookie_path = v;
    }
    if let Some(b) = env.bool("SESSION_COOKIE_SECURE")? {
        s.cookie_secure = b;
    }
    if let Some(b) = env.bool("SESSION_COOKIE_HTTPONLY")? {
        s.cookie_httponly = b;
    }
    if let Some(v) = samesite(env, "SESSION_COOKIE_SAMESITE")? {
        s.cookie_samesite = v;
    }
    if let Some(b) = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE")? {
        s.expire_at_browser_close = b;
    }
    let k = &mut c.csrf;
    if let Some(v) = env.trimmed("CSRF_COOKIE_NAME") {
        k.cookie_name = v;
    }
    if let Some(v) = env.raw("CSRF_COOKIE_AGE") {
        k.cookie_age = if v.trim().is_empty() || v.trim().eq_ignore_ascii_case("none") {
            None
        } else {
            env.parse("CSRF_COOKIE_AGE")?
        };
    }
    if let Some(v) = env.raw("CSRF_COOKIE_DOMAIN") {
        k.cookie_domain = Some(v.trim().to_owned()).filter(|d| !d.is_empty());
    }
    if let Some(v) = env.trimmed("CSRF_COOKIE_PATH") {
        k.cookie_path = v;
    }
    if let Some(b) = env.bool("CSRF_COOKIE_SECURE")? {
        k.cookie_secure = b;
    }
    if let Some(b) = env.bool("CSRF_COOKIE_HTTPONLY")? {
        k.cookie_httponly = b;
    }
    if let Some(v) = samesite(env, "CSRF_COOKIE_SAMESITE")? {
        k.cookie_samesite = v;
    }
    if let Some(v) = env.trimmed("CSRF_HEADER_NAME") {
        // Accept Django's META form or a plain header name.
        k.header_name = if v.starts_with("HTTP_") {
            v
        } else {
            format!("HTTP_{}", v.replace('-', "_").to_ascii_uppercase())
        };
    }
    if let Some(origins) = env.list("CSRF_TRUSTED_ORIGINS") {
        if let Some(bad) = origins.iter().find(|o| !o.contains("://")) {
            // Django's system check 4_0.E001.
            return Err(ConfigError::rejected(
                "CSRF_TRUSTED_ORIGINS",
                format!(
                    "CSRF_TRUSTED_ORIGINS: origin {bad:?} must start with a scheme (usually \
                     http:// or https://)"
                ),
            ));
        }
        k.trusted_origins = origins;
    }
    if let Some(backends) = env.list("AUTHENTICATION_BACKENDS") {
        if !backends.is_empty() {
            c.authentication_backends = backends;
        }
    }
    if let Some(v) = env.raw("SECURE_PROXY_SSL_HEADER") {
        c.secure_proxy_ssl_header = if v.trim().is_empty() {
            None
        } else {
            let Some((name, value)) = v.split_once(',') else {
                return Err(ConfigError::invalid(
                    "SECURE_PROXY_SSL_HEADER",
                    &v,
                    "expected HEADER,VALUE (e.g. HTTP_X_FORWARDED_PROTO,https)",
                ));
            };
            let name = name.trim();
            let header = name
                .strip_prefix("HTTP_")
                .map_or_else(|| name.to_owned(), |n| n.replace('_', "-"))
                .to_ascii_lowercase();
            Some((header, value.trim().to_owned()))
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::settings::DefaultSettings;

    #[test]
    fn header_names() {
        let c = CsrfSettings::default();
        assert_eq!(c.http_header(), "x-csrftoken");
        assert_eq!(c.header_title(), "X-Csrftoken");
        let c = CsrfSettings {
            header_name: "HTTP_X_XSRF_TOKEN2B".into(),
            ..CsrfSettings::default()
        };
        assert_eq!(c.http_header(), "x-xsrf-token2b");
        assert_eq!(c.header_title(), "X-Xsrf-Token2B");
    }

    #[test]
    fn environment() {
        let c = Config::from_lookup::<DefaultSettings>(|k| {
            Some(
                match k {
                    "SECRET_KEY" => "k",
                    "SESSION_COOKIE_AGE" => "60",
                    "SESSION_COOKIE_SECURE" => "true",
                    "SESSION_COOKIE_DOMAIN" => ".example.com",
                    "SESSION_COOKIE_SAMESITE" => "Strict",
                    "CSRF_COOKIE_AGE" => "",
                    "CSRF_HEADER_NAME" => "X-XSRF-Token",
                    "CSRF_TRUSTED_ORIGINS" => "https://a.example, https://*.b.example",
                    "SECURE_PROXY_SSL_HEADER" => "HTTP_X_FORWARDED_PROTO,https",
                    _ => return None,
                }
                .to_owned(),
            )
        })
        .unwrap();
        assert_eq!(c.session.cookie_age, 60);
        assert!(c.session.cookie_secure);
        assert_eq!(c.session.cookie_domain.as_deref(), Some(".example.com"));
        assert_eq!(c.session.cookie_samesite, Some(SameSite::Strict));
        assert_eq!(c.csrf.cookie_age, None);
        assert_eq!(c.csrf.header_name, "HTTP_X_XSRF_TOKEN");
        assert_eq!(
            c.csrf.trusted_origins,
            ["https://a.example", "https://*.b.example"]
        );
        assert_eq!(
            c.secure_proxy_ssl_header,
            Some(("x-forwarded-proto".to_owned(), "https".to_owned()))
        );
        assert_eq!(c.authentication_backends, [MODEL_BACKEND]);

        for (k, v) in [
            ("SESSION_COOKIE_AGE", "two weeks"),
            ("SESSION_COOKIE_SECURE", "maybe"),
            ("CSRF_COOKIE_SAMESITE", "sometimes"),
            ("CSRF_TRUSTED_ORIGINS", "example.com"),
            ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto"),
        ] {
            let e = Config::from_lookup::<DefaultSettings>(|n| {
                (n == k)
                    .then(|| v.to_owned())
                    .or_else(|| (n == "SECRET_KEY").then(|| "k".into()))
            })
            .unwrap_err();
            assert!(e.to_string().contains(k), "{e}");
        }
    }
}
