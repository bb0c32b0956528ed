//! CSRF secrets and masked tokens: Django's `_mask_cipher_secret`, `_unmask_cipher_token`,
//! `_check_token_format` and `_does_token_match`.

use crate::hashers::random_string;
use crate::signing::constant_time_eq;

/// `CSRF_ALLOWED_CHARS`: `a-z`, `A-Z`, `0-9`, in that order (masking uses the indices).
pub const CSRF_ALLOWED_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Length of a secret (what the cookie holds).
pub const CSRF_SECRET_LENGTH: usize = 32;
/// Length of a masked token (what forms and `get_token` carry).
pub const CSRF_TOKEN_LENGTH: usize = 64;

/// `InvalidTokenFormat` reasons.
const REASON_INCORRECT_LENGTH: &str = "has incorrect length";
const REASON_INVALID_CHARACTERS: &str = "has invalid characters";

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
