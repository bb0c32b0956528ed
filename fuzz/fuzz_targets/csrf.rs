//! CSRF tokens and the headers of the origin checks: Django's `_check_token_format`,
//! `_unmask_cipher_token` and `_does_token_match` on any token, and `urlsplit` of an `Origin`
//! or `Referer`.
//!
//! Input: the token (or URL), a `\n`, then a second string (the cookie's secret, or a mask). Properties: a well-formed secret masked with any well-formed
//! mask unmasks to itself and matches; a split URL splits again the same after `geturl()`.
#![no_main]

use drf_runtime::__fuzz::urlsplit;
use drf_runtime::sessions::{
    CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH, check_token_format, does_token_match,
    mask_cipher_secret_with, unmask_cipher_token,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (first, second) = text.split_once('\n').unwrap_or((&text, ""));

    if check_token_format(first).is_ok() {
        let unmasked = if first.len() == CSRF_TOKEN_LENGTH {
            unmask_cipher_token(first)
        } else {
            first.to_owned()
        };
        assert_eq!(unmasked.len(), CSRF_SECRET_LENGTH);
        assert!(does_token_match(first, &unmasked));
        // Masking the secret again with the token's own mask gives the token back.
        if first.len() == CSRF_TOKEN_LENGTH {
            assert_eq!(mask_cipher_secret_with(&unmasked, &first[..32]), first);
        }
        let _ = does_token_match(first, second);
    } else {
        let _ = unmask_cipher_token(first);
    }
    if check_token_format(first).is_ok()
        && check_token_format(second).is_ok()
        && first.len() == CSRF_SECRET_LENGTH
        && second.len() == CSRF_SECRET_LENGTH
    {
        let token = mask_cipher_secret_with(first, second);
        assert!(check_token_format(&token).is_ok());
        assert_eq!(unmask_cipher_token(&token), first);
        assert!(does_token_match(&token, first));
    }

    if let Some([scheme, netloc, path, query, fragment, url]) = urlsplit(first) {
        // urlunsplit drops an empty `//` netloc and an empty `?` or `#`, and writes a path
        // starting with `//` after an empty netloc as it is, which then reads as a netloc:
        // apart from that, what it writes splits back the same.
        if !(netloc.is_empty() && path.starts_with("//")) {
            let again = urlsplit(&url).expect("geturl() splits again");
            assert_eq!(again[0], scheme, "{url:?}");
            assert_eq!(again[1], netloc, "{url:?}");
            assert_eq!(again[3], query, "{url:?}");
            assert_eq!(again[4], fragment, "{url:?}");
        }
    }
});
