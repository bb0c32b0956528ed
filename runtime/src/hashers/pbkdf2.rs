//! Django's `PBKDF2PasswordHasher` (`pbkdf2_sha256`) and `PBKDF2SHA1PasswordHasher`
//! (`pbkdf2_sha1`).
//!
//! Format: `<algorithm>$<iterations>$<salt>$<base64(dk)>`, where
//! `dk = PBKDF2-HMAC-<digest>(password utf-8, salt utf-8, iterations)` is as long as the digest
//! and base64 is the standard alphabet with padding.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;

use super::{Hasher, HasherConfig, Malformed, must_update_salt};

/// Stored iteration counts above this are treated as malformed (Django would happily spend
/// minutes on them; a stored hash that large is corrupt or hostile).
pub(crate) const MAX_ITERATIONS: u32 = 100_000_000;

#[derive(Debug, Clone, Copy)]
enum Digest {
    Sha256,
    Sha1,
}

/// A PBKDF2 hasher for one digest.
#[derive(Debug)]
pub(crate) struct Pbkdf2 {
    algorithm: &'static str,
    digest: Digest,
}

/// `pbkdf2_sha256`, Django's default hasher.
pub(crate) static PBKDF2_SHA256: Pbkdf2 = Pbkdf2 {
    algorithm: "pbkdf2_sha256",
    digest: Digest::Sha256,
};

/// `pbkdf2_sha1`.
pub(crate) static PBKDF2_SHA1: Pbkdf2 = Pbkdf2 {
    algorithm: "pbkdf2_sha1",
    digest: Digest::Sha1,
};

/// The parts of a stored PBKDF2 hash.
struct Decoded<'a> {
    iterations: u32,
    salt: &'a str,
}

impl Pbkdf2 {
    /// Django's `decode`, minus its exceptions: the algorithm must match, the iteration count
    /// must be a plain decimal in `1..=MAX_ITERATIONS` and the salt must be non-empty.
    fn decode<'a>(&self, encoded: &'a str) -> Result<Decoded<'a>, Malformed> {
        let mut parts = encoded.splitn(4, '$');
        let (Some(algorithm), Some(iterations), Some(salt), Some(_hash)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed);
        };
        if algorithm != self.algorithm || salt.is_empty() {
            return Err(Malformed);
        }
        Ok(Decoded {
            iterations: parse_iterations(iterations)?,
            salt,
        })
    }

    /// The raw derived key for `password`, `salt` and `iterations`.
    fn derive(&self, password: &str, salt: &str, iterations: u32) -> DerivedKey {
        let (password, salt) = (password.as_bytes(), salt.as_bytes());
        match self.digest {
            Digest::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut out);
                DerivedKey::Sha256(out)
            }
            Digest::Sha1 => {
                let mut out = [0u8; 20];
                pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, &mut out);
                DerivedKey::Sha1(out)
            }
        }
    }

    /// Django's `encode(password, salt, iterations)`; `iterations` must be at least 1.
    fn encode_with(&self, password: &str, salt: &str, iterations: u32) -> String {
        let dk = self.derive(password, salt, iterations);
        let b64 = STANDARD.encode(dk.as_bytes());
        let mut out = String::with_capacity(self.algorithm.len() + salt.len() + b64.len() + 13);
        out.push_str(self.algorithm);
        out.push('$');
        out.push_str(&iterations.to_string());
        out.push('$');
        out.push_str(salt);
        out.push('$');
        out.push_str(&b64);
        out
    }
}

enum DerivedKey {
    Sha256([u8; 32]),
    Sha1([u8; 20]),
}

impl DerivedKey {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Sha256(b) => b,
            Self::Sha1(b) => b,
        }
    }
}

/// A strict decimal iteration count in `1..=MAX_ITERATIONS`.
fn parse_iterations(s: &str) -> Result<u32, Malformed> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed);
    }
    match s.parse::<u64>() {
        Ok(n) if (1..=u64::from(MAX_ITERATIONS)).contains(&n) => {
            u32::try_from(n).map_err(|_| Malformed)
        }
        _ => Err(Malformed),
    }
}

impl Hasher for Pbkdf2 {
    fn algorithm(&self) -> &'static str {
        self.algorithm
    }

    fn verify(&self, password: &str, encoded: &str) -> Result<bool, Malformed> {
        let decoded = self.decode(encoded)?;
        // Django re-encodes and compares the whole strings in constant time, so a stored hash
        // with a non-canonical iteration count or bad base64 simply does not match.
        let recomputed = self.encode_with(password, decoded.salt, decoded.iterations);
        Ok(bool::from(recomputed.as_bytes().ct_eq(encoded.as_bytes())))
    }

    fn must_update(&self, encoded: &str, cfg: &HasherConfig) -> Result<bool, Malformed> {
        let decoded = self.decode(encoded)?;
        Ok(decoded.iterations != cfg.iterations() || must_update_salt(decoded.salt))
    }

    fn harden_runtime(&self, password: &str, encoded: &str, cfg: &HasherConfig) {
        if let Ok(decoded) = self.decode(encoded) {
            let extra = cfg.iterations().saturating_sub(decoded.iterations);
            if extra > 0 {
                let _ = self.derive(password, decoded.salt, extra);
            }
        }
    }

    fn encode(&self, password: &str, salt: &str, cfg: &HasherConfig) -> String {
        self.encode_with(password, salt, cfg.iterations())
    }
}

/// In a debug build, a one-line warning when PBKDF2 runs unoptimized: the
/// `[profile.dev.package.*]` opt-levels of this workspace do not reach an application's own
/// crate, where a login then takes seconds. Timed, because a crate cannot read the opt-level
/// its dependencies were built with: 4,000 iterations take well under 2 ms optimized and
/// some 35 ms at opt-level 0 (a login at 1.5M iterations took 14 s there, 0.44 s
/// optimized); the fastest of five runs is compared with 15 ms, so a busy machine does not
/// trip it.
pub(crate) fn unoptimized_warning() -> Option<&'static str> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let fastest = (0..5)
        .map(|_| {
            let started = std::time::Instant::now();
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"password", b"salt", 4_000, &mut out);
            std::hint::black_box(out);
            started.elapsed()
        })
        .min()
        .unwrap_or_default();
    (fastest > std::time::Duration::from_millis(15)).then_some(
        "warning: password hashing is unoptimized in this debug build (a login takes seconds); add `[profile.dev.package.\"*\"]` with `opt-level = 3` to your Cargo.toml",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iteration_parsing_is_strict() {
        assert_eq!(parse_iterations("1"), Ok(1));
        assert_eq!(parse_iterations("1500000"), Ok(1_500_000));
        assert_eq!(parse_iterations("0010000"), Ok(10_000));
        assert_eq!(parse_iterations("100000000"), Ok(MAX_ITERATIONS));
        for bad in [
            "",
            "0",
            "00",
            "-1",
            "+5",
            " 5",
            "5 ",
            "1_000",
            "1e6",
            "100000001",
            "99999999999",
            "18446744073709551617",
            "١٢",
            "x",
        ] {
            assert_eq!(parse_iterations(bad), Err(Malformed), "{bad:?}");
        }
    }

    #[test]
    fn decode_rejects_wrong_shapes() {
        let h = &PBKDF2_SHA256;
        for bad in [
            "pbkdf2_sha256",
            "pbkdf2_sha256$",
            "pbkdf2_sha256$x",
            "pbkdf2_sha256$10000",
            "pbkdf2_sha256$10000$salt",
            "pbkdf2_sha256$10000$$hash",
            "pbkdf2_sha1$10000$salt$hash",
        ] {
            assert!(h.decode(bad).is_err(), "{bad:?}");
        }
        let d = h
            .decode("pbkdf2_sha256$10000$salt$")
            .expect("empty hash decodes");
        assert_eq!((d.iterations, d.salt), (10_000, "salt"));
        // A `$` inside the hash part stays in the hash part, as with Python's split("$", 3).
        assert!(h.decode("pbkdf2_sha256$10000$salt$a$b").is_ok());
    }
}
