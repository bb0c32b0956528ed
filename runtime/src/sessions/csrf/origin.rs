//! Where an unsafe request comes from: Django's `Origin` and (HTTPS) `Referer` checks, and
//! the `is_secure()` and `get_host()` they rely on.

use crate::pycompat::urllib::urlsplit;
use crate::request::Request;

const REASON_NO_REFERER: &str = "Referer checking failed - no Referer.";
const REASON_MALFORMED_REFERER: &str = "Referer checking failed - Referer is malformed.";
const REASON_INSECURE_REFERER: &str =
    "Referer checking failed - Referer is insecure while host is secure.";

/// A header's value as Django's `META` holds it (latin-1 text); repeated headers joined with
/// `,` as WSGI servers do.
pub(super) fn meta(req: &Request, name: &str) -> Option<String> {
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
pub(super) fn valid_host(host: &str) -> bool {
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
pub(super) fn get_host(req: &Request) -> Option<String> {
    meta(req, "host").filter(|h| valid_host(h))
}

/// Django's `is_same_domain(host, pattern)`.
pub(super) fn is_same_domain(host: &str, pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    let pattern = pattern.to_lowercase();
    (pattern.starts_with('.') && (host.ends_with(&pattern) || host == &pattern[1..]))
        || pattern == host
}

/// `_origin_verified`.
pub(super) fn origin_verified(req: &Request, origin: &str) -> bool {
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
pub(super) fn check_referer(req: &Request) -> Result<(), String> {
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
