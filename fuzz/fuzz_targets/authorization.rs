//! The `Authorization` header as Basic and Token read it: the header values joined as a WSGI
//! server joins them, split into words as Python's `bytes.split()`, the keyword matched, and a
//! Basic credentials word decoded (non-strict base64, then UTF-8 or latin-1, then `user:pass`).
//!
//! Input: one or more header values separated by `\n` (a value that is no valid header value
//! is left out, as hyper would refuse it).
#![no_main]

use drf_runtime::authentication::header::{
    Credentials, authorization_bytes, credentials_for, split_words, utf8_or_latin1,
};
use drf_runtime::pycompat::b64decode;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

const WHITESPACE: &[u8] = b" \t\n\x0b\x0c\r";

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    let mut values = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            headers.append(AUTHORIZATION, v);
            values.push(line);
        }
    }
    let raw = authorization_bytes(&headers);
    // Repeated headers are joined with `,`, never reduced to one.
    assert_eq!(&raw[..], &values.join(&b',')[..]);
    let words = split_words(&raw);
    for w in &words {
        assert!(!w.is_empty() && !w.iter().any(|b| WHITESPACE.contains(b)));
    }
    for keyword in ["Basic", "Token", "Bearer"] {
        match credentials_for(&words, keyword) {
            Credentials::NotMine => {
                assert!(
                    words
                        .first()
                        .is_none_or(|w| !w.eq_ignore_ascii_case(keyword.as_bytes()))
                );
            }
            Credentials::Missing => assert_eq!(words.len(), 1),
            Credentials::HasSpaces => assert!(words.len() > 2),
            Credentials::Word(word) => {
                assert_eq!(words.len(), 2);
                // Basic's decoding of the credentials word.
                if let Some(decoded) = b64decode(word) {
                    let text = utf8_or_latin1(&decoded);
                    if let Some((user, _password)) = text.split_once(':') {
                        assert!(!user.contains(':'));
                    }
                    // Every byte is kept: latin-1 is one character per byte.
                    if std::str::from_utf8(&decoded).is_err() {
                        assert_eq!(text.chars().count(), decoded.len());
                    }
                }
                // Token's: a key is UTF-8 without whitespace.
                if let Ok(key) = std::str::from_utf8(word) {
                    assert!(!key.contains(' '));
                }
            }
        }
    }
    let _ = b64decode(data);
    let _ = utf8_or_latin1(data);
});
