//! Cookies as Django writes them: `set_cookie` and `delete_cookie` (Python's `SimpleCookie`
//! output) for the response. Reading the `Cookie` header is [`crate::pycompat::cookies`].

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

pub use crate::pycompat::cookies::{cookie_header, parse_cookie};

/// Python's `http.cookies._quote`: values made only of the legal characters are written as
/// they are; others are double-quoted with `"` and `\` escaped and other bytes outside
/// printable ASCII written as `\ooo`.
fn quote(value: &str) -> String {
    const LEGAL: &str = "!#$%&'*+-.^_`|~:";
    const UNESCAPED: &str = " ()/<=>?@[]{}";
    let legal = |c: char| c.is_ascii_alphanumeric() || LEGAL.contains(c);
    if !value.is_empty() && value.chars().all(legal) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if legal(c) || UNESCAPED.contains(c) => out.push(c),
            c if (c as u32) < 256 => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Django's `http_date`: `Wdy, DD Mon YYYY HH:MM:SS GMT` (RFC 1123), whole seconds.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A `Set-Cookie` value built as Django's `HttpResponse.set_cookie` builds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie's name.
    pub name: String,
    /// The value (quoted on output if it needs to be).
    pub value: String,
    /// `Max-Age` in seconds.
    pub max_age: Option<i64>,
    /// `expires`, already formatted.
    pub expires: Option<String>,
    /// `Path`.
    pub path: Option<String>,
    /// `Domain`.
    pub domain: Option<String>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub httponly: bool,
    /// `SameSite` (`Lax`, `Strict`, `None`).
    pub samesite: Option<String>,
}

impl SetCookie {
    /// `set_cookie(name, value, max_age=…)`: with a max age, `expires` is now + max age.
    pub fn new(name: &str, value: &str, max_age: Option<i64>) -> Self {
        let expires = max_age.map(|age| {
            let at = Utc::now()
                .checked_add_signed(chrono::Duration::seconds(age))
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            http_date(at)
        });
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            max_age,
            expires,
            path: Some("/".to_owned()),
            domain: None,
            secure: false,
            httponly: false,
            samesite: None,
        }
    }

    /// `delete_cookie(name, path, domain, samesite)`: an empty value that expired in 1970;
    /// `Secure` only for `__Secure-`/`__Host-` names or `SameSite=None`, as Django does.
    pub fn delete(name: &str, path: &str, domain: Option<&str>, samesite: Option<&str>) -> Self {
        let secure = name.starts_with("__Secure-")
            || name.starts_with("__Host-")
            || samesite.is_some_and(|s| s.eq_ignore_ascii_case("none"));
        Self {
            name: name.to_owned(),
            value: String::new(),
            max_age: Some(0),
            expires: Some("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
            path: Some(path.to_owned()),
            domain: domain.map(str::to_owned),
            secure,
            httponly: false,
            samesite: samesite.map(str::to_owned),
        }
    }

    /// The header value, attributes in `SimpleCookie`'s (sorted) order:
    /// `name=value; Domain=…; expires=…; HttpOnly; Max-Age=…; Path=…; SameSite=…; Secure`.
    pub fn to_header_string(&self) -> String {
        let mut out = format!("{}={}", self.name, quote(&self.value));
        let mut attr = |s: &str| {
            out.push_str("; ");
            out.push_str(s);
        };
        if let Some(d) = self.domain.as_deref().filter(|d| !d.is_empty()) {
            attr(&format!("Domain={d}"));
        }
        if let Some(e) = self.expires.as_deref().filter(|e| !e.is_empty()) {
            attr(&format!("expires={e}"));
        }
        if self.httponly {
            attr("HttpOnly");
        }
        if let Some(age) = self.max_age {
            attr(&format!("Max-Age={age}"));
        }
        if let Some(p) = self.path.as_deref().filter(|p| !p.is_empty()) {
            attr(&format!("Path={p}"));
        }
        if let Some(s) = self.samesite.as_deref().filter(|s| !s.is_empty()) {
            attr(&format!("SameSite={s}"));
        }
        if self.secure {
            attr("Secure");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn set_cookie_matches_django() {
        let mut c = SetCookie::new(
            "sessionid",
            "8jk7q8z0mf81gq23a25ab040sv9co6u3",
            Some(1_209_600),
        );
        c.expires = Some(http_date(
            Utc.with_ymd_and_hms(2026, 12, 12, 12, 28, 8).unwrap(),
        ));
        c.httponly = true;
        c.samesite = Some("Lax".into());
        assert_eq!(
            c.to_header_string(),
            "sessionid=8jk7q8z0mf81gq23a25ab040sv9co6u3; expires=Sat, 12 Dec 2026 12:28:08 GMT; \
             HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax"
        );
        c.secure = true;
        c.domain = Some(".example.com".into());
        assert_eq!(
            c.to_header_string(),
            "sessionid=8jk7q8z0mf81gq23a25ab040sv9co6u3; Domain=.example.com; expires=Sat, 12 \
             Dec 2026 12:28:08 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure"
        );
        assert_eq!(
            SetCookie::delete("sessionid", "/", None, Some("Lax")).to_header_string(),
            "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax"
        );
        assert_eq!(
            SetCookie::delete("__Host-s", "/", None, None).to_header_string(),
            "__Host-s=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure"
        );
        let c = SetCookie::new("x", "a b\"\\\u{1}é", None);
        assert_eq!(c.to_header_string(), "x=\"a b\\\"\\\\\\001\\351\"; Path=/");
    }
}
