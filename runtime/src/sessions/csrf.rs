//! Django's CSRF protection as DRF's `SessionAuthentication.enforce_csrf` runs it (docs/django-compat.md §5): the
//! `csrftoken` cookie, masked tokens, the Origin and (HTTPS) Referer checks and the token
//! comparison, with Django's exact failure reasons.

use http::Method;
use serde_json::Value;

use super::cookies::SetCookie;
use crate::config::Config;
use crate::error::ApiError;
use crate::hashers::random_string;
use crate::pycompat::urllib::urlsplit;
use crate::request::Request;
use crate::signing::constant_time_eq;

/// `CSRF_ALLOWED_CHARS`: `a-z`, `A-Z`, `0-9`, in that order (masking uses the indices).
pub const CSRF_ALLOWED_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Length of a secret (what the cookie holds).
pub const CSRF_SECRET_LENGTH: usize = 32;
/// Length of a masked token (what forms and `get_token` carry).
pub const CSRF_TOKEN_LENGTH: usize = 64;
/// The form field holding the token.
pub const CSRF_FORM_FIELD: &str = "csrfmiddlewaretoken";

const REASON_NO_CSRF_COOKIE: &str = "CSRF cookie not set.";
const REASON_CSRF_TOKEN_MISSING: &str = "CSRF token missing.";
const REASON_NO_REFERER: &str = "Referer checking failed - no Referer.";
const REASON_MALFORMED_REFERER: &str = "Referer checking failed - Referer is malformed.";
const REASON_INSECURE_REFERER: &str =
    "Referer checking failed - Referer is insecure while host is secure.";
/// `InvalidTokenFormat` reasons.
const REASON_INCORRECT_LENGTH: &str = "has incorrect length";
const REASON_INVALID_CHARACTERS: &str = "has invalid characters";

/// The CSRF part of the request state: Django's `META["CSRF_COOKIE"]` and
/// `META["CSRF_COOKIE_NEEDS_UPDATE"]`.
#[derive(Debug, Default)]
pub struct CsrfState {
    started: bool,
    pub(super) secret: Option<String>,
    pub(super) needs_update: bool,
}

fn index(c: u8) -> usize {
    CSRF_ALLOWED_CHARS
        .bytes()
        .position(|a| a == c)
        .unwrap_or_default()
}

/// A new random secret (`_get_new_csrf_string`).
pub fn new_secret() -> String {
    random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
}

/// `_mask_cipher_secret` with a given mask: `mask + cipher`, `cipher[i] = A[(idx(secret[i]) +
/// idx(mask[i])) mod 62]`. Both must be 32 characters of the alphabet.
pub fn mask_cipher_secret_with(secret: &str, mask: &str) -> String {
    let a = CSRF_ALLOWED_CHARS.as_bytes();
    let mut out = String::with_capacity(CSRF_TOKEN_LENGTH);
    out.push_str(mask);
    for (s, m) in secret.bytes().zip(mask.bytes()) {
        out.push(char::from(a[(index(s) + index(m)) % a.len()]));
    }
    out
}

/// `_mask_cipher_secret`: a masked token for `secret` with a fresh random mask.
pub fn mask_cipher_secret(secret: &str) -> String {
    mask_cipher_secret_with(secret, &new_secret())
}

/// `_unmask_cipher_token`: the secret inside a 64-character masked token.
pub fn unmask_cipher_token(token: &str) -> String {
    let a = CSRF_ALLOWED_CHARS.as_bytes();
    let (mask, cipher) = token.split_at(token.len().min(CSRF_SECRET_LENGTH));
    cipher
        .bytes()
        .zip(mask.bytes())
        .map(|(c, m)| char::from(a[(index(c) + a.len() - index(m)) % a.len()]))
        .collect()
}

/// `_check_token_format`: 32 or 64 characters, all from the alphabet. The error is Django's
/// reason phrase.
pub fn check_token_format(token: &str) -> Result<(), &'static str> {
    let len = token.chars().count();
    if len != CSRF_SECRET_LENGTH && len != CSRF_TOKEN_LENGTH {
        return Err(REASON_INCORRECT_LENGTH);
    }
    if !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(REASON_INVALID_CHARACTERS);
    }
    Ok(())
}

/// `_does_token_match` for a well-formed token: unmasks a 64-character token, then compares
/// with the secret in constant time.
pub fn does_token_match(token: &str, secret: &str) -> bool {
    let token = if token.len() == CSRF_TOKEN_LENGTH {
        unmask_cipher_token(token)
    } else {
        token.to_owned()
    };
    constant_time_eq(token.as_bytes(), secret.as_bytes())
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
    cookie.samesite = c.cookie_samesite.clone();
    cookie
}

/// A header's value as Django's `META` holds it (latin-1 text); repeated headers joined with
/// `,` as WSGI servers do.
fn meta(req: &Request, name: &str) -> Option<String> {
    let mut values = req.headers().get_all(name).iter();
    let first = values.next()?;
    let mut out: String = first.as_bytes().iter().map(|&b| char::from(b)).collect();
    for v in values {
        out.push(',');
        out.extend(v.as_bytes().iter().map(|&b| char::from(b)));
    }
    Some(out)
}

/// `request.is_secure()`: only through `SECURE_PROXY_SSL_HEADER` (the server speaks HTTP).
pub(crate) fn is_secure(req: &Request) -> bool {
    let Some((header, value)) = &req.app().config().secure_proxy_ssl_header else {
        return false;
    };
    meta(req, header).is_some_and(|v| v.split(',').next().unwrap_or("").trim() == value)
}

/// Django's `split_domain_port` validity check (`host_validation_re`): `None` when the host is
/// not a valid host name or IP literal with an optional port.
fn valid_host(host: &str) -> bool {
    let lower = host.to_lowercase();
    let (domain, port) = if let Some(rest) = lower.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if inside
            .split_once(':')
            .is_none_or(|(_, after)| after.is_empty())
            || !inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return false;
        }
        ("[ip]", after)
    } else {
        match lower.split_once(':') {
            Some((d, p)) => (d, &lower[d.len()..][..p.len() + 1]),
            None => (lower.as_str(), ""),
        }
    };
    let port_ok = port.is_empty()
        || (port.len() > 1
            && port.starts_with(':')
            && port[1..].bytes().all(|b| b.is_ascii_digit()));
    let domain_ok = domain == "[ip]"
        || (!domain.is_empty()
            && domain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'));
    // A lone "." is a trailing dot removed, leaving an empty (invalid) domain.
    domain_ok && port_ok && domain != "."
}

/// `request.get_host()` (with `ALLOWED_HOSTS = ["*"]`): the `Host` header when it is valid.
fn get_host(req: &Request) -> Option<String> {
    meta(req, "host").filter(|h| valid_host(h))
}

/// Django's `is_same_domain(host, pattern)`.
fn is_same_domain(host: &str, pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern = pattern.to_lowercase();
    (pattern.starts_with('.') && (host.ends_with(&pattern) || host == &pattern[1..]))
        || pattern == host
}

/// `_origin_verified`.
fn origin_verified(req: &Request, origin: &str) -> bool {
    let cfg = req.app().config();
    if let Some(host) = get_host(req) {
        let scheme = if is_secure(req) { "https" } else { "http" };
        if origin == format!("{scheme}://{host}") {
            return true;
        }
    }
    let trusted = &cfg.csrf.trusted_origins;
    if trusted.iter().any(|o| !o.contains('*') && o == origin) {
        return true;
    }
    let Ok(parsed) = urlsplit(origin) else {
        return false;
    };
    trusted.iter().filter(|o| o.contains('*')).any(|o| {
        urlsplit(o).is_ok_and(|t| {
            t.scheme == parsed.scheme
                && is_same_domain(&parsed.netloc, t.netloc.trim_start_matches('*'))
        })
    })
}

/// `_check_referer` (HTTPS requests without `Origin` only).
fn check_referer(req: &Request) -> Result<(), String> {
    let cfg = req.app().config();
    let Some(referer) = meta(req, "referer") else {
        return Err(REASON_NO_REFERER.to_owned());
    };
    let referer = urlsplit(&referer).map_err(|()| REASON_MALFORMED_REFERER.to_owned())?;
    if referer.scheme.is_empty() || referer.netloc.is_empty() {
        return Err(REASON_MALFORMED_REFERER.to_owned());
    }
    if referer.scheme != "https" {
        return Err(REASON_INSECURE_REFERER.to_owned());
    }
    let trusted_hosts = cfg.csrf.trusted_origins.iter().filter_map(|o| {
        urlsplit(o)
            .ok()
            .map(|u| u.netloc.trim_start_matches('*').to_owned())
    });
    for host in trusted_hosts {
        if is_same_domain(&referer.netloc, &host) {
            return Ok(());
        }
    }
    let bad = || {
        format!(
            "Referer checking failed - {} does not match any trusted origins.",
            referer.geturl()
        )
    };
    let good_referer = match &cfg.csrf.cookie_domain {
        None => get_host(req).ok_or_else(bad)?,
        Some(domain) => {
            // `request.get_port()`: the port the client addressed (the `Host` header's), else
            // the scheme's default.
            let port = get_host(req)
                .and_then(|h| {
                    h.rsplit_once(':')
                        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
                        .map(|(_, p)| p.to_owned())
                })
                .unwrap_or_else(|| "443".to_owned());
            if port == "443" || port == "80" {
                domain.clone()
            } else {
                format!("{domain}:{port}")
            }
        }
    };
    if is_same_domain(&referer.netloc, &good_referer) {
        Ok(())
    } else {
        Err(bad())
    }
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
