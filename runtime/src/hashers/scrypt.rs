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
/// Stored work (`N * r * p`) above 64 times Django's is treated as malformed, as PBKDF2 counts
/// above 100,000,000: within OpenSSL's memory bound, `N = 2^17, r = 1, p = 131070` would hold
/// a hashing thread for hours.
const MAX_WORK: u64 = 64 * WORK_FACTOR * BLOCK_SIZE as u64 * PARALLELISM as u64;

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
    // In u128: with N below 10^12 and r, p below 2^32 neither product overflows (in u64 a
    // stored `scrypt$549755813888$s$4294967295$1$h` did, found while writing the `hashers`
    // fuzz target, which reproduces it).
    let (n, r, p) = (u128::from(n), u128::from(r), u128::from(p));
    let memory = 128 * r * (n + 2) + 128 * r * p;
    if memory > u128::from(MAX_MEMORY) || n * r * p > u128::from(MAX_WORK) {
        return Err(Malformed);
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| Malformed)?;
    let (r, p) = (
        u32::try_from(r).map_err(|_| Malformed)?,
        u32::try_from(p).map_err(|_| Malformed)?,
    );
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
        // Within OpenSSL's memory but hours of work (found while writing the `hashers` fuzz
        // target), or one block past 64 times Django's work: refused before any hashing.
        for (n, r, p) in [
            (1 << 17, 1, 131_070),
            (1 << 16, 1, 196_000),
            (1 << 14, 8, 321),
            (1 << 39, u32::MAX, 1),
            (1 << 39, u32::MAX, u32::MAX),
        ] {
            let started = std::time::Instant::now();
            assert!(derive("pw", "salt", n, r, p).is_err(), "{n} {r} {p}");
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
    }

    #[test]
    fn stored_parameters_that_overflowed_are_malformed() {
        // `number` takes up to 12 digits: N = 2^39 with r = 2^32 - 1 overflowed the memory
        // product in u64 (a panic with overflow checks, a wrapped bound without).
        for bad in [
            "scrypt$549755813888$salt$4294967295$1$aGFzaA==",
            "scrypt$549755813888$salt$4294967295$4294967295$aGFzaA==",
            "scrypt$999999999999$salt$4294967295$4294967295$aGFzaA==",
        ] {
            assert_eq!(SCRYPT.verify("pw", bad), Err(Malformed), "{bad}");
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
