//! The building blocks of Django's signing: `salted_hmac`, hexadecimal, the constant-time
//! comparison, URL-safe base64 and base62.

use std::fmt::Write as _;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

use crate::pycompat::b64decode as python_b64decode;

/// Django's `BASE62_ALPHABET`: `0-9`, `A-Z`, `a-z`.
pub const BASE62_ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// The hash of [`salted_hmac`] (both the key derivation and the HMAC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// SHA-1: `salted_hmac`'s default (password-reset tokens and other legacy uses).
    Sha1,
    /// SHA-256: `Signer`'s default, and the session auth hash.
    #[default]
    Sha256,
}

/// Django's `salted_hmac(key_salt, value, secret, algorithm=…).digest()`.
///
/// ```
/// use drf_runtime::signing::{salted_hmac, to_hex, Algorithm};
/// let mac = salted_hmac("my-salt", b"value", "test-secret-key-for-vectors", Algorithm::Sha1);
/// assert_eq!(to_hex(&mac), "6e7810a3a2294dd87d5a7e1667fb0f3f062ccea5");
/// ```
pub fn salted_hmac(key_salt: &str, value: &[u8], secret: &str, algorithm: Algorithm) -> Vec<u8> {
    match algorithm {
        Algorithm::Sha1 => {
            let mut h = Sha1::new();
            h.update(key_salt.as_bytes());
            h.update(secret.as_bytes());
            let key = h.finalize();
            let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(&key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
            mac.update(value);
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256 => {
            let mut h = Sha256::new();
            h.update(key_salt.as_bytes());
            h.update(secret.as_bytes());
            let key = h.finalize();
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
                .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
            mac.update(value);
            mac.finalize().into_bytes().to_vec()
        }
    }
}

/// Lower-case hexadecimal, as Python's `hexdigest()`.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Django's `constant_time_compare` (`secrets.compare_digest`): the time taken depends on the
/// lengths only, never on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Django's `b64_encode`: URL-safe base64 (`-`, `_`) without `=` padding.
pub fn b64_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Django's `b64_decode`: re-adds the padding, then decodes as Python's lenient
/// `urlsafe_b64decode` does (characters outside the alphabet are skipped). `None` when Python
/// raises.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut std: Vec<u8> = s
        .bytes()
        .map(|b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect();
    let pad = (4 - std.len() % 4) % 4;
    std.extend(std::iter::repeat_n(b'=', pad));
    python_b64decode(&std)
}

/// Django's `b62_encode`: most significant digit first, `-` for negatives.
///
/// ```
/// use drf_runtime::signing::b62_encode;
/// assert_eq!(b62_encode(1_700_000_000), "1r31eq");
/// assert_eq!(b62_encode(-62), "-10");
/// ```
pub fn b62_encode(n: i64) -> String {
    if n == 0 {
        return "0".to_owned();
    }
    let alphabet = BASE62_ALPHABET.as_bytes();
    let mut value = n.unsigned_abs();
    let mut digits = Vec::new();
    while value > 0 {
        digits.push(alphabet[(value % 62) as usize]);
        value /= 62;
    }
    if n < 0 {
        digits.push(b'-');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Django's `b62_decode`; `None` where Python raises (empty string, a character outside the
/// alphabet) or the value does not fit in an `i64`.
pub fn b62_decode(s: &str) -> Option<i64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if s.is_empty() {
        return None;
    }
    // The magnitude as unsigned, so that `i64::MIN` (one more than `i64::MAX`) fits.
    let mut value: u64 = 0;
    for c in digits.bytes() {
        let d = BASE62_ALPHABET.bytes().position(|a| a == c)?;
        value = value.checked_mul(62)?.checked_add(d as u64)?;
    }
    if negative {
        0i64.checked_sub_unsigned(value)
    } else {
        i64::try_from(value).ok()
    }
}
