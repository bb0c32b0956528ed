//! Django's CSRF protection as DRF's `SessionAuthentication.enforce_csrf` runs it
//! (docs/django-compat.md §5): the `csrftoken` cookie and the request's secret, then the
//! Origin and (HTTPS) Referer checks ([`origin`]) and the token comparison ([`token`]), with
//! Django's exact failure reasons.

mod origin;
mod token;

use http::Method;
use serde_json::Value;

use super::cookies::SetCookie;
use crate::config::Config;
use crate::error::ApiError;
use crate::request::Request;

pub(crate) use origin::is_secure;
use origin::{check_referer, meta, origin_verified};
#[cfg(test)]
use origin::{is_same_domain, valid_host};
pub use token::{
    CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH, check_token_format,
    does_token_match, mask_cipher_secret, mask_cipher_secret_with, new_secret, unmask_cipher_token,
};

/// The form field holding the token.
pub const CSRF_FORM_FIELD: &str = "csrfmiddlewaretoken";

const REASON_NO_CSRF_COOKIE: &str = "CSRF cookie not set.";
const REASON_CSRF_TOKEN_MISSING: &str = "CSRF token missing.";

/// The CSRF part of the request state: Django's `META["CSRF_COOKIE"]` and
/// `META["CSRF_COOKIE_NEEDS_UPDATE"]`.
#[derive(Debug, Default)]
pub struct CsrfState {
    started: bool,
    pub(super) secret: Option<String>,
    pub(super) needs_update: bool,
}

/// `_get_secret`: the secret in the CSRF cookie (unmasked if the cookie holds a masked token,
/// as Django < 4.1 wrote it), `None` without a cookie, the format reason if it is malformed.
fn cookie_secret(req: &Request) -> Result<Option<String>, &'static str> {
    let cfg = req.app().config();
    let Some(cookie) = super::state(req).cookie(req, &cfg.csrf.cookie_name) else {
        return Ok(None);
    };
    check_token_format(cookie)?;
    Ok(Some(if cookie.len() == CSRF_TOKEN_LENGTH {
        unmask_cipher_token(cookie)
    } else {
        cookie.to_owned()
    }))
}

/// `CsrfViewMiddleware.process_request`: reads the cookie's secret once; a malformed cookie is
/// replaced by a new secret, sent back with the response.
fn process_request(req: &Request, st: &mut CsrfState) {
    if st.started {
        return;
    }
    st.started = true;
    match cookie_secret(req) {
        Err(_) => {
            st.secret = Some(new_secret());
            st.needs_update = true;
        }
        Ok(secret) => {
            if st.secret.is_none() {
                st.secret = secret;
            }
        }
    }
}

fn with_state<T>(req: &Request, f: impl FnOnce(&mut CsrfState) -> T) -> T {
    let state = super::state(req);
    state.touch();
    let mut st = state.csrf.lock().unwrap_or_else(|p| p.into_inner());
    process_request(req, &mut st);
    f(&mut st)
}

/// Django's `get_token(request)`: a masked token for the request's CSRF secret (a new secret if
/// it has none); the response sets the `csrftoken` cookie (and `Vary: Cookie`).
pub fn get_token(req: &Request) -> String {
    with_state(req, |st| {
        st.needs_update = true;
        let secret = st.secret.get_or_insert_with(new_secret);
        mask_cipher_secret(secret)
    })
}

/// Django's `rotate_token(request)`: a new secret, sent in a new `csrftoken` cookie (what
/// `login()` does).
pub fn rotate_token(req: &Request) {
    with_state(req, |st| {
        st.secret = Some(new_secret());
        st.needs_update = true;
    });
}

/// The `Set-Cookie` for the CSRF secret, with the `CSRF_COOKIE_*` settings.
pub(super) fn csrf_cookie(config: &Config, secret: &str) -> SetCookie {
    let c = &config.csrf;
    let mut cookie = SetCookie::new(&c.cookie_name, secret, c.cookie_age);
    cookie.path = Some(c.cookie_path.clone());
    cookie.domain = c.cookie_domain.clone();
    cookie.secure = c.cookie_secure;
    cookie.httponly = c.cookie_httponly;
    cookie.samesite = c.cookie_samesite.map(|s| s.as_str().to_owned());
    cookie
}

/// True for the form media types whose fields DRF's `request.POST` exposes.
fn is_form_media_type(req: &Request) -> bool {
    let Some(ct) = req.headers().get(http::header::CONTENT_TYPE) else {
        return false;
    };
    let base: String = ct
        .as_bytes()
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .trim()
        .to_lowercase();
    base == "application/x-www-form-urlencoded" || base == "multipart/form-data"
}

/// `_check_token`.
fn check_token(req: &Request) -> Result<Result<(), String>, ApiError> {
    let secret = match cookie_secret(req) {
        Err(reason) => return Ok(Err(format!("CSRF cookie {reason}."))),
        Ok(None) => return Ok(Err(REASON_NO_CSRF_COOKIE.to_owned())),
        Ok(Some(s)) => s,
    };
    let cfg = &req.app().config().csrf;
    let mut token = String::new();
    if req.method() == Method::POST {
        // DRF's `request.POST` parses the body (its errors are the answer), and holds the
        // fields only for form media types.
        let data = req.data()?;
        if is_form_media_type(req) {
            if let Some(Value::String(s)) = data.get(CSRF_FORM_FIELD) {
                token = s.clone();
            }
        }
    }
    let source = if token.is_empty() {
        match meta(req, &cfg.http_header()) {
            Some(t) => token = t,
            None => return Ok(Err(REASON_CSRF_TOKEN_MISSING.to_owned())),
        }
        format!("the '{}' HTTP header", cfg.header_title())
    } else {
        "POST".to_owned()
    };
    if let Err(reason) = check_token_format(&token) {
        return Ok(Err(format!("CSRF token from {source} {reason}.")));
    }
    if !does_token_match(&token, &secret) {
        return Ok(Err(format!("CSRF token from {source} incorrect.")));
    }
    Ok(Ok(()))
}

/// DRF's `SessionAuthentication.enforce_csrf`: Django's `process_request` and `process_view`
/// on this request. A failure is `403 {"detail": "CSRF Failed: <reason>"}`; a body that does
/// not parse (read for the form field on POST) is DRF's parse error.
pub(crate) fn enforce_csrf(req: &Request) -> Result<(), ApiError> {
    with_state(req, |_| ());
    if matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE") {
        return Ok(());
    }
    let reason = if let Some(origin) = meta(req, "origin") {
        (!origin_verified(req, &origin)).then(|| {
            format!("Origin checking failed - {origin} does not match any trusted origins.")
        })
    } else if is_secure(req) {
        check_referer(req).err()
    } else {
        None
    };
    let reason = match reason {
        Some(r) => Some(r),
        None => check_token(req)?.err(),
    };
    match reason {
        Some(r) => Err(ApiError::PermissionDenied(
            format!("CSRF Failed: {r}").into(),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "tdsBKLN0qfF4frzXaSsP1tdHDmAcU4aj";
    const MASK: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    const TOKEN: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz012345TeUEeQj7YoffREdcQ9a8LOZ4rLq3MX4e";

    #[test]
    fn masking_vector() {
        // docs/django-compat.md §5.1
        assert_eq!(mask_cipher_secret_with(SECRET, MASK), TOKEN);
        assert_eq!(unmask_cipher_token(TOKEN), SECRET);
        assert!(does_token_match(TOKEN, SECRET));
        assert!(does_token_match(SECRET, SECRET));
        let fresh = mask_cipher_secret(SECRET);
        assert_eq!(fresh.len(), 64);
        assert_ne!(fresh, TOKEN);
        assert_eq!(unmask_cipher_token(&fresh), SECRET);
        assert!(!does_token_match(&"a".repeat(64), SECRET));
        assert!(!does_token_match(&"a".repeat(32), SECRET));
    }

    #[test]
    fn token_shapes() {
        assert_eq!(check_token_format(SECRET), Ok(()));
        assert_eq!(check_token_format(TOKEN), Ok(()));
        for bad_len in [
            "",
            "abc",
            &"a".repeat(31),
            &"a".repeat(33),
            &"a".repeat(63),
            &"a".repeat(65),
        ] {
            assert_eq!(
                check_token_format(bad_len),
                Err("has incorrect length"),
                "{bad_len}"
            );
        }
        for bad_chars in [
            "!".repeat(32),
            format!("{}-", &SECRET[..31]),
            format!("{}é", &SECRET[..31]),
            format!("{} ", &TOKEN[..63]),
        ] {
            assert_eq!(
                check_token_format(&bad_chars),
                Err("has invalid characters"),
                "{bad_chars}"
            );
        }
        // Length counts characters, as Python's len(str).
        assert_eq!(
            check_token_format(&"é".repeat(32)),
            Err("has invalid characters")
        );
        assert_eq!(new_secret().len(), 32);
        assert_eq!(check_token_format(&new_secret()), Ok(()));
    }

    #[test]
    fn same_domain() {
        assert!(is_same_domain("example.com", "example.com"));
        assert!(is_same_domain("example.com", ".example.com"));
        assert!(is_same_domain("a.example.com", ".Example.com"));
        assert!(!is_same_domain("aexample.com", ".example.com"));
        assert!(!is_same_domain("example.com", ""));
        assert!(!is_same_domain("Example.com", "example.com"));
    }

    #[test]
    fn host_validation() {
        for ok in [
            "testserver",
            "127.0.0.1:8000",
            "[::1]:80",
            "Example.COM",
            "a-b.c.",
        ] {
            assert!(valid_host(ok), "{ok}");
        }
        for bad in [
            "",
            "a b",
            "a:b",
            "a:",
            "[::1",
            "exa_mple.com",
            "é.com",
            ".",
            "[1.2.3.4]",
            "[:]",
        ] {
            assert!(!valid_host(bad), "{bad}");
        }
    }
}
