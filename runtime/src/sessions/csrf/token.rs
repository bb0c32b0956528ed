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
    // Bytes, not characters: a token that is not ASCII splits anywhere without a panic (its
    // bytes outside the alphabet count as `a`, and it never passes `check_token_format`).
    let (mask, cipher) = token
        .as_bytes()
        .split_at(token.len().min(CSRF_SECRET_LENGTH));
    cipher
        .iter()
        .zip(mask)
        .map(|(&c, &m)| char::from(a[(index(c) + a.len() - index(m)) % a.len()]))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `csrf` fuzz target: a token whose 32nd byte falls inside a multi-byte
    /// character panicked (`str::split_at` off a character boundary). The cookie and the header
    /// are checked by `check_token_format` first, but `unmask_cipher_token` is public.
    #[test]
    fn unmasking_a_token_that_is_not_ascii_does_not_panic() {
        let token = "&https://u@[::1]:80/pt\u{fffd}ah\u{fffd}\u{fffd}?q=.#frazNN.example.com";
        assert!(!token.is_char_boundary(CSRF_SECRET_LENGTH));
        let secret = unmask_cipher_token(token);
        assert_eq!(secret.len(), token.len() - CSRF_SECRET_LENGTH);
        assert!(check_token_format(token).is_err());
        assert!(!does_token_match(token, &secret));
        // ASCII tokens unmask as before.
        let secret = "Pq3sZ5bRkBD5eIpHZtYf6gVbY7XHjuoN";
        let masked = mask_cipher_secret_with(secret, "abcdefghijklmnopqrstuvwxyzABCDEF");
        assert_eq!(unmask_cipher_token(&masked), secret);
    }
}
