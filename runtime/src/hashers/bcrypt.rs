//! Django's `BCryptSHA256PasswordHasher` (`bcrypt_sha256`) and `BCryptPasswordHasher`
//! (`bcrypt`), docs/django-compat.md §2.4.
//!
//! Format: `<algorithm>$` + a bcrypt modular string, e.g.
//! `bcrypt_sha256$$2b$12$<22 salt chars><31 hash chars>`. `bcrypt_sha256` hashes the lowercase
//! hex SHA-256 of the password (64 ASCII bytes); plain `bcrypt` the password itself (truncated
//! to 72 bytes). Django re-hashes with the stored salt and compares the whole strings, and so
//! do we: `$2a$`/`$2y$` hashes verify, a non-canonical stored string does not.

use base64::Engine as _;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use bcrypt::Version;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::{Hasher, HasherConfig, Malformed, fill_random};

/// Django's work factor.
const ROUNDS: u32 = 12;
/// Stored costs above this (2^18 rounds, 64 times Django's work, as PBKDF2's bound) are
/// treated as malformed; cost 20 held a hashing thread for over a minute.
const MAX_COST: u32 = 18;
/// bcrypt's minimum cost.
const MIN_COST: u32 = 4;

/// bcrypt's base64 alphabet, reading a salt's last character as pyca/bcrypt does (its unused
/// low bits are ignored).
const BCRYPT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::BCRYPT,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// A bcrypt hasher, with or without the SHA-256 prehash.
#[derive(Debug)]
pub(crate) struct Bcrypt {
    algorithm: &'static str,
    prehash: bool,
}

/// `bcrypt_sha256`, in Django's default list.
pub(crate) static BCRYPT_SHA256: Bcrypt = Bcrypt {
    algorithm: "bcrypt_sha256",
    prehash: true,
};

/// `bcrypt`, not in Django's default list.
pub(crate) static BCRYPT: Bcrypt = Bcrypt {
    algorithm: "bcrypt",
    prehash: false,
};

/// The parts of a bcrypt modular string `$2b$12$<salt…>` (pyca/bcrypt's `hashpw` salt rules).
struct Setting {
    version: Version,
    cost: u32,
    salt: [u8; 16],
}

fn parse_setting(data: &str) -> Result<Setting, Malformed> {
    let parts: Vec<&str> = data.split('$').filter(|p| !p.is_empty()).collect();
    let [version, cost, rest] = parts.as_slice() else {
        return Err(Malformed);
    };
    let version = match *version {
        "2b" => Version::TwoB,
        "2a" => Version::TwoA,
        "2y" => Version::TwoY,
        _ => return Err(Malformed),
    };
    if cost.is_empty() || cost.len() > 2 || !cost.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed);
    }
    let cost: u32 = cost.parse().map_err(|_| Malformed)?;
    if !(MIN_COST..=MAX_COST).contains(&cost) {
        return Err(Malformed);
    }
    let salt_text = rest.get(..22).ok_or(Malformed)?;
    let salt: [u8; 16] = BCRYPT_B64
        .decode(salt_text)
        .map_err(|_| Malformed)?
        .try_into()
        .map_err(|_| Malformed)?;
    Ok(Setting {
        version,
        cost,
        salt,
    })
}

impl Bcrypt {
    /// The bytes bcrypt hashes.
    fn input(&self, password: &str) -> Vec<u8> {
        if self.prehash {
            let digest = Sha256::digest(password.as_bytes());
            digest
                .iter()
                .flat_map(|b| {
                    let hex = b"0123456789abcdef";
                    [hex[usize::from(b >> 4)], hex[usize::from(b & 0xf)]]
                })
                .collect()
        } else {
            password.as_bytes().to_vec()
        }
    }

    /// Django's `encode(password, salt)` where `salt` is a bcrypt setting (`$2b$12$…`, which
    /// may be a whole stored hash).
    fn encode_setting(&self, password: &str, data: &str) -> Result<String, Malformed> {
        let setting = parse_setting(data)?;
        let parts = bcrypt::hash_with_salt(self.input(password), setting.cost, setting.salt)
            .map_err(|_| Malformed)?;
        Ok(format!(
            "{}${}",
            self.algorithm,
            parts.format_for_version(setting.version)
        ))
    }

    /// The part after `<algorithm>$`.
    fn data<'a>(&self, encoded: &'a str) -> Result<&'a str, Malformed> {
        match encoded.split_once('$') {
            Some((algorithm, data)) if algorithm == self.algorithm => Ok(data),
            _ => Err(Malformed),
        }
    }

    /// Django's `decode(...)["work_factor"]`: `algorithm$$2b$<cost>$<data>`.
    fn work_factor(&self, encoded: &str) -> Result<u32, Malformed> {
        let mut parts = encoded.splitn(5, '$');
        let (Some(algorithm), Some(""), Some(_), Some(cost), Some(_)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(Malformed);
        };
        if algorithm != self.algorithm || cost.is_empty() || cost.len() > 2 {
            return Err(Malformed);
        }
        cost.parse().map_err(|_| Malformed)
    }
}

impl Hasher for Bcrypt {
    fn algorithm(&self) -> &'static str {
        self.algorithm
    }

    fn verify(&self, password: &str, encoded: &str) -> Result<bool, Malformed> {
        let recomputed = self.encode_setting(password, self.data(encoded)?)?;
        Ok(bool::from(recomputed.as_bytes().ct_eq(encoded.as_bytes())))
    }

    fn must_update(&self, encoded: &str, _cfg: &HasherConfig) -> Result<bool, Malformed> {
        Ok(self.work_factor(encoded)? != ROUNDS)
    }

    fn harden_runtime(&self, password: &str, encoded: &str, _cfg: &HasherConfig) {
        // Django: 2^(rounds - stored) - 1 more hashes with the stored salt.
        let (Ok(data), Ok(cost)) = (self.data(encoded), self.work_factor(encoded)) else {
            return;
        };
        if cost >= ROUNDS {
            return;
        }
        let setting = data.get(..29).unwrap_or(data);
        for _ in 0..(1u32 << (ROUNDS - cost)) - 1 {
            let _ = self.encode_setting(password, setting);
        }
    }

    /// `bcrypt.gensalt(12)`: `$2b$12$` + 16 random bytes in bcrypt's base64.
    fn salt(&self) -> String {
        let mut raw = [0u8; 16];
        fill_random(&mut raw);
        format!("$2b${ROUNDS:02}${}", BCRYPT_B64.encode(raw))
    }

    fn encode(&self, password: &str, salt: &str, _cfg: &HasherConfig) -> String {
        self.encode_setting(password, salt).unwrap_or_else(|_| {
            // Not a bcrypt setting (e.g. a 22-character Django salt given by a caller):
            // hash with a fresh one.
            self.encode_setting(password, &self.salt())
                .unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_like_pyca_bcrypt() {
        let s = parse_setting("$2b$04$abcdefghijklmnopqrstuu").expect("setting");
        assert_eq!(s.cost, 4);
        assert!(
            parse_setting("$2b$04$abcdefghijklmnopqrstuuaBT8mpw5tGdD3eO40znWcQP/dT9hEVK").is_ok()
        );
        assert!(parse_setting("$2y$04$abcdefghijklmnopqrstuu").is_ok());
        assert_eq!(
            parse_setting("$2b$18$abcdefghijklmnopqrstuu").map(|s| s.cost),
            Ok(18)
        );
        for bad in [
            "",
            "$2b$04$",
            "$2b$04$short",
            "$2x$04$abcdefghijklmnopqrstuu",
            "$2b$03$abcdefghijklmnopqrstuu",
            "$2b$32$abcdefghijklmnopqrstuu",
            "$2b$19$abcdefghijklmnopqrstuu",
            "$2b$31$abcdefghijklmnopqrstuu",
            "$2b$xx$abcdefghijklmnopqrstuu",
            "$2b$04$abcdefghijklmnopqrstuu$extra",
            "$2b$04$abcdefghijklmnopqrs!uu",
        ] {
            assert!(parse_setting(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prehash_is_lowercase_hex_sha256() {
        assert_eq!(
            BCRYPT_SHA256.input("correct horse battery staple"),
            b"c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a"
        );
        assert_eq!(BCRYPT.input("pw"), b"pw");
    }

    #[test]
    fn salts_have_the_gensalt_shape() {
        let s = BCRYPT_SHA256.salt();
        assert_eq!(s.len(), 29);
        assert!(s.starts_with("$2b$12$"));
        assert!(parse_setting(&s).is_ok());
        assert_ne!(s, BCRYPT_SHA256.salt());
    }
}
