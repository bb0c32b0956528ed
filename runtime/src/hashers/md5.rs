//! Django's `MD5PasswordHasher` (`md5`, docs/django-compat.md §2.6): `md5$<salt>$<hex(MD5(salt +
//! password))>`. Insecure; it verifies only when listed in `PASSWORD_HASHERS`
//! ([`super::HasherConfig::hashers`]), which Django's default list does not.

use md5::{Digest as _, Md5};
use subtle::ConstantTimeEq as _;

use super::{Hasher, HasherConfig, Malformed, must_update_salt};

/// The `md5` hasher.
#[derive(Debug)]
pub(crate) struct Md5Hasher;

/// The `md5` hasher.
pub(crate) static MD5: Md5Hasher = Md5Hasher;

fn salt_of(encoded: &str) -> Result<&str, Malformed> {
    let mut parts = encoded.splitn(3, '$');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("md5"), Some(salt), Some(_)) if !salt.is_empty() => Ok(salt),
        _ => Err(Malformed),
    }
}

fn encode_with(password: &str, salt: &str) -> String {
    let mut h = Md5::new();
    h.update(salt.as_bytes());
    h.update(password.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(5 + salt.len() + 32);
    out.push_str("md5$");
    out.push_str(salt);
    out.push('$');
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
    }
    out
}

impl Hasher for Md5Hasher {
    fn algorithm(&self) -> &'static str {
        "md5"
    }

    fn verify(&self, password: &str, encoded: &str) -> Result<bool, Malformed> {
        let recomputed = encode_with(password, salt_of(encoded)?);
        Ok(bool::from(recomputed.as_bytes().ct_eq(encoded.as_bytes())))
    }

    fn must_update(&self, encoded: &str, _cfg: &HasherConfig) -> Result<bool, Malformed> {
        Ok(must_update_salt(salt_of(encoded)?))
    }

    fn encode(&self, password: &str, salt: &str, _cfg: &HasherConfig) -> String {
        if salt.is_empty() || salt.contains('$') {
            encode_with(password, &self.salt())
        } else {
            encode_with(password, salt)
        }
    }
}
