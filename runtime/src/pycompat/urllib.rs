//! Python's `urllib.parse.urlsplit`, as Django's CSRF checks use it.

/// The parts of Python's `urllib.parse.urlsplit` that CSRF checks use.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SplitUrl {
    pub(crate) scheme: String,
    pub(crate) netloc: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) fragment: String,
}

impl SplitUrl {
    /// `geturl()` (`urlunsplit`).
    pub(crate) fn geturl(&self) -> String {
        let mut url = self.path.clone();
        if !self.netloc.is_empty() {
            if !url.is_empty() && !url.starts_with('/') {
                url.insert(0, '/');
            }
            url = format!("//{}{url}", self.netloc);
        }
        if !self.scheme.is_empty() {
            url = format!("{}:{url}", self.scheme);
        }
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        if !self.fragment.is_empty() {
            url.push('#');
            url.push_str(&self.fragment);
        }
        url
    }
}

/// Python's `urlsplit`; `Err` where it raises `ValueError`.
pub(crate) fn urlsplit(url: &str) -> Result<SplitUrl, ()> {
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut rest = url.as_str();
    let mut scheme = String::new();
    if let Some(i) = rest.find(':') {
        let candidate = &rest[..i];
        let first_ok = candidate
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        if first_ok
            && candidate
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            scheme = candidate.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    let mut netloc = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = after[..end].to_owned();
        rest = &after[end..];
        let (open, close) = (netloc.contains('['), netloc.contains(']'));
        if open != close {
            return Err(()); // Invalid IPv6 URL
        }
        if open {
            let host = netloc
                .split_once('[')
                .map(|(_, r)| r.split_once(']').map_or(r, |(h, _)| h))
                .unwrap_or_default();
            check_bracketed_host(host)?;
        }
    }
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    check_netloc(&netloc)?;
    Ok(SplitUrl {
        scheme,
        netloc,
        path: path.to_owned(),
        query: query.to_owned(),
        fragment: fragment.to_owned(),
    })
}

/// `_check_bracketed_host`: an IPv6 address (zone allowed) or an IPvFuture literal.
fn check_bracketed_host(host: &str) -> Result<(), ()> {
    if let Some(rest) = host.strip_prefix('v') {
        let ok = rest.split_once('.').is_some_and(|(hex, tail)| {
            !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) && !tail.is_empty()
        });
        return if ok { Ok(()) } else { Err(()) };
    }
    let addr = host.split_once('%').map_or(host, |(a, _)| a);
    addr.parse::<std::net::Ipv6Addr>()
        .map(|_| ())
        .map_err(|_| ())
}

/// `_checknetloc`: non-ASCII characters must not turn into URL delimiters under NFKC.
fn check_netloc(netloc: &str) -> Result<(), ()> {
    use unicode_normalization::UnicodeNormalization as _;
    if netloc.is_ascii() {
        return Ok(());
    }
    let n: String = netloc.chars().filter(|c| !"@:#?".contains(*c)).collect();
    let normalized: String = n.nfkc().collect();
    if n == normalized || !normalized.contains(['/', '?', '#', '@', ':']) {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::urlsplit;

    #[test]
    fn urlsplit_like_python() {
        let u = urlsplit("HTTPS://Evil.com:443/x?y=1#f").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.netloc, "Evil.com:443");
        assert_eq!(u.geturl(), "https://Evil.com:443/x?y=1#f");
        assert_eq!(
            urlsplit("https://evil.com/x?").unwrap().geturl(),
            "https://evil.com/x"
        );
        assert_eq!(urlsplit("//evil.com").unwrap().scheme, "");
        assert_eq!(urlsplit("evil.com").unwrap().netloc, "");
        assert_eq!(urlsplit(" \thttps://a\n.com/").unwrap().netloc, "a.com");
        assert!(urlsplit("https://[::1/").is_err());
        assert!(urlsplit("https://::1]/").is_err());
        assert!(urlsplit("https://[::1]:8000/").is_ok());
        assert!(urlsplit("https://[notip]/").is_err());
        assert!(urlsplit("https://a\u{2100}b/").is_err()); // ℀ -> a/c under NFKC
        assert_eq!(urlsplit("1http://x").unwrap().scheme, "");
    }
}
