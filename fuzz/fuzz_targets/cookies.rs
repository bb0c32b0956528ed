//! The `Cookie` header as Django's `parse_cookie` reads it (with Python's `http.cookies`
//! unquoting), and the round trip through `Set-Cookie` as `SimpleCookie` writes it.
//!
//! Input: the header bytes. Property: a value written by `SetCookie` under a plain name reads
//! back unchanged.
#![no_main]

use drf_runtime::pycompat::cookies::{cookie_header, parse_cookie};
use drf_runtime::sessions::SetCookie;
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, v);
        }
    }
    if let Some(header) = cookie_header(&headers) {
        let cookies = parse_cookie(&header);
        assert!(cookies.len() <= header.matches(';').count() + 1);
    }
    let text = String::from_utf8_lossy(data);
    let cookies = parse_cookie(&text);
    for name in cookies.keys() {
        assert!(!name.contains(';'));
    }
    // Round trip: the whole input as the value of a session cookie.
    let set = SetCookie::new("sessionid", &text, None).to_header_string();
    let back = parse_cookie(&set);
    assert_eq!(
        back.get("sessionid").map(String::as_str),
        Some(&*text),
        "{set:?}"
    );
});
