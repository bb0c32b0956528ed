//! Reading the `Cookie` header as Django's `parse_cookie` does, with Python's
//! `http.cookies` unquoting.

use std::collections::HashMap;

use http::HeaderMap;
use http::header::COOKIE;

/// Python's `str.strip()` whitespace: Unicode white space plus the ASCII separators
/// `\x1c`–`\x1f`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The `Cookie` header as Django sees it: the raw bytes decoded as UTF-8 with replacement
/// (`get_str_from_wsgi`); several headers are joined with `; `.
pub fn cookie_header(headers: &HeaderMap) -> Option<String> {
    let mut values = headers.get_all(COOKIE).iter();
    let first = values.next()?;
    let mut out = String::from_utf8_lossy(first.as_bytes()).into_owned();
    for v in values {
        out.push_str("; ");
        out.push_str(&String::from_utf8_lossy(v.as_bytes()));
    }
    Some(out)
}

/// Django's `parse_cookie`: `;`-separated `name=value` pairs, both stripped; a chunk without
/// `=` is a value with an empty name; values are unquoted as Python's `http.cookies` does; the
/// last of repeated names wins.
pub fn parse_cookie(cookie: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for chunk in cookie.split(';') {
        let (key, val) = chunk.split_once('=').unwrap_or(("", chunk));
        let key = key.trim_matches(is_py_space);
        let val = val.trim_matches(is_py_space);
        if !key.is_empty() || !val.is_empty() {
            out.insert(key.to_owned(), unquote(val));
        }
    }
    out
}

/// Python's `http.cookies._unquote`: a value in double quotes loses them, and `\ooo` (octal,
/// first digit 0-3) and `\c` escapes are decoded.
fn unquote(val: &str) -> String {
    let chars: Vec<char> = val.chars().collect();
    if chars.len() < 2 || chars[0] != '"' || chars[chars.len() - 1] != '"' {
        return val.to_owned();
    }
    let inner = &chars[1..chars.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c == '\\' {
            let octal = inner.get(i + 1..i + 4).filter(|d| {
                ('0'..='3').contains(&d[0]) && d[1..].iter().all(|c| ('0'..='7').contains(c))
            });
            if let Some(d) = octal {
                let n = d
                    .iter()
                    .fold(0u32, |acc, c| acc * 8 + (*c as u32 - '0' as u32));
                out.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                i += 4;
                continue;
            }
            if let Some(&next) = inner.get(i + 1).filter(|&&n| n != '\n') {
                out.push(next);
                i += 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_django() {
        let c = parse_cookie(" sessionid=abc ; csrftoken = x y ;flag; =v; empty=; a=1; a=2");
        assert_eq!(c["sessionid"], "abc");
        assert_eq!(c["csrftoken"], "x y");
        assert_eq!(c[""], "v"); // "flag" first, then "=v" replaces it
        assert_eq!(c["empty"], "");
        assert_eq!(c["a"], "2");
        assert!(parse_cookie("").is_empty());
        assert!(parse_cookie(" ; ;").is_empty());
    }

    #[test]
    fn unquotes_like_python() {
        let c = parse_cookie(r#"a="x\"y"; b="\101\\z"; c=""; d="; e="open"#);
        assert_eq!(c["a"], "x\"y");
        assert_eq!(c["b"], "A\\z");
        assert_eq!(c["c"], "");
        assert_eq!(c["d"], "\"");
        assert_eq!(c["e"], "\"open");
    }
}
