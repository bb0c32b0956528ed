//! Django's `ScryptPasswordHasher` (`scrypt`, docs/django-compat.md §2.5).
//!
//! Format: `scrypt$<N>$<salt>$<r>$<p>$<base64(dk)>` with
//! `dk = scrypt(password utf-8, salt utf-8, N, r, p, dklen = 64)` in standard base64 with
//! padding. Django's parameters: N = 2^14, r = 8, p = 5 (p was 1 in Django 4.0 to 5.0, so those
//! hashes are rewritten on login). Parameters that OpenSSL (Python's `hashlib.scrypt`, with
//! Django's `maxmem=0`, i.e. 32 MiB) refuses make the hash malformed here too.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;

use super::{Hasher, HasherConfig, Malformed};

/// Django's parameters.
const WORK_FACTOR: u64 = 1 << 14;
const BLOCK_SIZE: u32 = 8;
const PARALLELISM: u32 = 5;
const DK_LEN: usize = 64;

/// OpenSSL's default `maxmem` for `EVP_PBE_scrypt` (Python passes Django's `maxmem=0`).
const MAX_MEMORY: u64 = 32 * 1024 * 1024;

/// The `scrypt` hasher.
#[derive(Debug)]
pub(crate) struct Scrypt;

/// The `scrypt` hasher.
pub(crate) static SCRYPT: Scrypt = Scrypt;

/// The fields of a stored scrypt hash.
struct Decoded<'a> {
    n: u64,
    salt: &'a str,
    r: u32,
    p: u32,
}

/// A strict decimal (Python's `int()` would also take `+`, spaces and `_`; Django never writes
/// them).
fn number(s: &str) -> Result<u64, Malformed> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed);
    }
    s.parse().map_err(|_| Malformed)
}

fn decode(encoded: &str) -> Result<Decoded<'_>, Malformed> {
    let parts: Vec<&str> = encoded.split('$').collect();
    let [algorithm, n, salt, r, p, _hash] = parts.as_slice() else {
        return Err(Malformed);
    };
    if *algorithm != "scrypt" || salt.is_empty() {
        return Err(Malformed);
    }
    Ok(Decoded {
        n: number(n)?,
        salt,
        r: u32::try_from(number(r)?).map_err(|_| Malformed)?,
        p: u32::try_from(number(p)?).map_err(|_| Malformed)?,
    })
}

/// `hashlib.scrypt(password, salt, n, r, p, maxmem=0, dklen=64)`.
fn derive(password: &str, salt: &str, n: u64, r: u32, p: u32) -> Result<[u8; DK_LEN], Malformed> {
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return Err(Malformed);
    }
    // OpenSSL: 128 * r * (N + 2) bytes for V plus 128 * r * p for B must fit in maxmem.
    let memory = 128 * u64::from(r) * (n + 2) + 128 * u64::from(r) * u64::from(p);
    if memory > MAX_MEMORY {
        return Err(Malformed);
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| Malformed)?;
    let params = scrypt::Params::new(log_n, r, p, DK_LEN).map_err(|_| Malformed)?;
    let mut out = [0u8; DK_LEN];
    scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut out)
        .map_err(|_| Malformed)?;
    Ok(out)
}

/// A hash with other parameters than Django's current ones (tests).
#[cfg(test)]
pub(crate) fn encode_params(password: &str, salt: &str, n: u64, r: u32, p: u32) -> String {
    let dk = derive(password, salt, n, r, p).expect("valid test parameters");
    format(n, salt, r, p, &dk)
}

fn format(n: u64, salt: &str, r: u32, p: u32, dk: &[u8]) -> String {
    format!("scrypt${n}${salt}${r}${p}${}", STANDARD.encode(dk))
}

impl Hasher for Scrypt {
    fn algorithm(&self) -> &'static str {
        "scrypt"
    }

    fn verify(&self, password: &str, encoded: &str) -> Result<bool, Malformed> {
        let d = decode(encoded)?;
        let dk = derive(password, d.salt, d.n, d.r, d.p)?;
        let recomputed = format(d.n, d.salt, d.r, d.p, &dk);
        Ok(bool::from(recomputed.as_bytes().ct_eq(encoded.as_bytes())))
    }

    fn must_update(&self, encoded: &str, _cfg: &HasherConfig) -> Result<bool, Malformed> {
        let d = decode(encoded)?;
        Ok(d.n != WORK_FACTOR || d.r != BLOCK_SIZE || d.p != PARALLELISM)
    }

    fn encode(&self, password: &str, salt: &str, _cfg: &HasherConfig) -> String {
        // Django's parameters always fit; a salt with `$` (which Django refuses) is replaced by
        // a fresh one so the result stays parseable.
        let fresh;
        let salt = if salt.is_empty() || salt.contains('$') {
            fresh = self.salt();
            &fresh
        } else {
            salt
        };
        let dk =
            derive(password, salt, WORK_FACTOR, BLOCK_SIZE, PARALLELISM).unwrap_or([0u8; DK_LEN]);
        format(WORK_FACTOR, salt, BLOCK_SIZE, PARALLELISM, &dk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_and_refused_parameters() {
        for bad in [
            "scrypt",
            "scrypt$16384$salt$8$5",
            "scrypt$16384$salt$8$5$h$x",
            "scrypt$16384$$8$5$h",
            "scrypt$x$salt$8$5$h",
            "scrypt$-1$salt$8$5$h",
            "md5$16384$salt$8$5$h",
        ] {
            assert!(SCRYPT.verify("pw", bad).is_err(), "{bad}");
        }
        // Not a power of two, zero r or p, or more memory than OpenSSL allows.
        for (n, r, p) in [(1000, 8, 1), (16384, 0, 1), (16384, 8, 0), (1 << 20, 8, 1)] {
            assert!(derive("pw", "salt", n, r, p).is_err(), "{n} {r} {p}");
        }
    }

    #[test]
    fn cheap_round_trip() {
        let dk = derive("pw", "saltsaltsaltsaltsaltsa", 16, 1, 1).expect("derive");
        let encoded = format(16, "saltsaltsaltsaltsaltsa", 1, 1, &dk);
        assert_eq!(SCRYPT.verify("pw", &encoded), Ok(true));
        assert_eq!(SCRYPT.verify("pX", &encoded), Ok(false));
        assert_eq!(
            SCRYPT.must_update(&encoded, &HasherConfig::default()),
            Ok(true)
        );
    }
}
