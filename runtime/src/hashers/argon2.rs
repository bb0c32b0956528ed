//! Django's `Argon2PasswordHasher` (`argon2`, docs/django-compat.md §2.3).
//!
//! Format: `argon2` + a PHC string, `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>`, the
//! salt and hash in standard base64 without padding. Django's salt is its usual 22-character
//! ASCII string, used as raw bytes. Old `argon2i`/`argon2d` hashes and hashes without `v=`
//! (version 0x10, as the reference implementation reads them) verify too.

use argon2::{Algorithm as Variant, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use subtle::ConstantTimeEq as _;

use super::{Hasher, HasherConfig, Malformed, must_update_salt_len};

/// Django's parameters (unchanged since at least 3.2).
const TIME_COST: u32 = 2;
const MEMORY_COST: u32 = 102_400;
const PARALLELISM: u32 = 8;
const HASH_LEN: usize = 32;

/// Stored memory costs above this (1 GiB, ten times Django's) are treated as malformed rather
/// than allocated: each check in flight holds that much.
const MAX_MEMORY_COST: u32 = 1024 * 1024;
/// Stored work (memory cost times passes) above 64 times Django's is treated as malformed, as
/// PBKDF2 counts above 100,000,000: such a hash is corrupt or hostile, and checking it would
/// hold a hashing thread for minutes.
const MAX_WORK: u64 = 64 * MEMORY_COST as u64 * TIME_COST as u64;

/// Standard base64 that reads both padded and unpadded input, as Python's `b64decode` after
/// Django and argon2-cffi re-pad it.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The `argon2` hasher.
#[derive(Debug)]
pub(crate) struct Argon2Hasher;

/// The `argon2` hasher.
pub(crate) static ARGON2: Argon2Hasher = Argon2Hasher;

/// The fields of a stored argon2 hash.
struct Decoded {
    variant: Variant,
    version: Version,
    m: u32,
    t: u32,
    p: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

fn decode(encoded: &str) -> Result<Decoded, Malformed> {
    let rest = encoded.strip_prefix("argon2$").ok_or(Malformed)?;
    let parts: Vec<&str> = rest.split('$').collect();
    let (variant, version, params, salt, hash) = match parts.as_slice() {
        [variant, version, params, salt, hash] => (*variant, Some(*version), *params, *salt, *hash),
        [variant, params, salt, hash] => (*variant, None, *params, *salt, *hash),
        _ => return Err(Malformed),
    };
    let variant = match variant {
        "argon2id" => Variant::Argon2id,
        "argon2i" => Variant::Argon2i,
        "argon2d" => Variant::Argon2d,
        _ => return Err(Malformed),
    };
    let version = match version {
        None => Version::V0x10,
        Some("v=19") => Version::V0x13,
        Some("v=16") => Version::V0x10,
        Some(_) => return Err(Malformed),
    };
    // The reference decoder (argon2-cffi's) wants exactly `m=…,t=…,p=…`, in that order.
    let mut values = [0u32; 3];
    let fields: Vec<&str> = params.split(',').collect();
    if fields.len() != 3 {
        return Err(Malformed);
    }
    for ((field, key), value) in fields.iter().zip(["m=", "t=", "p="]).zip(&mut values) {
        let v = field.strip_prefix(key).ok_or(Malformed)?;
        if v.is_empty() || v.len() > 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Malformed);
        }
        *value = v.parse().map_err(|_| Malformed)?;
    }
    let [m, t, p] = values;
    // Past Argon2's 2^24 - 1 lanes, the argon2 crate's own check (`m < 8 * p`) overflowed
    // (found by the `hashers` fuzz target).
    if m > MAX_MEMORY_COST || u64::from(m) * u64::from(t) > MAX_WORK || p > Params::MAX_P_COST {
        return Err(Malformed);
    }
    let salt = LENIENT.decode(salt).map_err(|_| Malformed)?;
    let hash = LENIENT.decode(hash).map_err(|_| Malformed)?;
    Ok(Decoded {
        variant,
        version,
        m,
        t,
        p,
        salt,
        hash,
    })
}

/// The raw Argon2 output for these parameters.
fn raw_hash(
    password: &[u8],
    salt: &[u8],
    variant: Variant,
    version: Version,
    (m, t, p): (u32, u32, u32),
    len: usize,
) -> Result<Vec<u8>, Malformed> {
    let params = Params::new(m, t, p, Some(len)).map_err(|_| Malformed)?;
    let mut out = vec![0u8; len];
    Argon2::new(variant, version, params)
        .hash_password_into(password, salt, &mut out)
        .map_err(|_| Malformed)?;
    Ok(out)
}

impl Hasher for Argon2Hasher {
    fn algorithm(&self) -> &'static str {
        "argon2"
    }

    fn verify(&self, password: &str, encoded: &str) -> Result<bool, Malformed> {
        let d = decode(encoded)?;
        let computed = raw_hash(
            password.as_bytes(),
            &d.salt,
            d.variant,
            d.version,
            (d.m, d.t, d.p),
            d.hash.len(),
        )?;
        Ok(bool::from(computed.ct_eq(&d.hash)))
    }

    fn must_update(&self, encoded: &str, _cfg: &HasherConfig) -> Result<bool, Malformed> {
        let d = decode(encoded)?;
        Ok(d.variant != Variant::Argon2id
            || d.version != Version::V0x13
            || d.m != MEMORY_COST
            || d.t != TIME_COST
            || d.p != PARALLELISM
            || d.hash.len() != HASH_LEN
            || must_update_salt_len(d.salt.len()))
    }

    fn encode(&self, password: &str, salt: &str, _cfg: &HasherConfig) -> String {
        // Argon2 refuses salts under 8 bytes; Django's are 22. A shorter one given to
        // `make_password_with` is replaced by a fresh salt rather than failing.
        let fresh;
        let salt = if salt.len() >= 8 {
            salt
        } else {
            fresh = self.salt();
            &fresh
        };
        let salt_bytes = salt.as_bytes();
        let hash = raw_hash(
            password.as_bytes(),
            salt_bytes,
            Variant::Argon2id,
            Version::V0x13,
            (MEMORY_COST, TIME_COST, PARALLELISM),
            HASH_LEN,
        )
        .unwrap_or_default();
        format!(
            "argon2$argon2id$v=19$m={MEMORY_COST},t={TIME_COST},p={PARALLELISM}${}${}",
            STANDARD_NO_PAD.encode(salt_bytes),
            STANDARD_NO_PAD.encode(hash)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn decode_reads_django_and_legacy_shapes() {
        let d = decode("argon2$argon2id$v=19$m=102400,t=2,p=8$Wjd5cTJiVDljTHdYNG1OOHBSMXNWZA$kTDgmdJkOmicGQq4++6XKyLAKcsQlOXFaRzSar8qFaY").expect("decodes");
        assert_eq!((d.m, d.t, d.p), (102_400, 2, 8));
        assert_eq!(d.salt, b"Z7yq2bT9cLwX4mN8pR1sVd");
        assert_eq!(d.hash.len(), 32);
        let d = decode("argon2$argon2i$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA").expect("no v=");
        assert_eq!(d.version, Version::V0x10);
        assert_eq!(d.variant, Variant::Argon2i);
        // At the bounds: 1 GiB (12 passes), and 64 times Django's work at Django's memory.
        for at in [
            "argon2$argon2id$v=19$m=1048576,t=12,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=102400,t=128,p=8$c2FsdHNhbHQ$aGFzaA",
        ] {
            assert!(decode(at).is_ok(), "{at}");
        }
        for bad in [
            "argon2",
            "argon2$",
            "argon2$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=20$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=8,t=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=8,t=1,p=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$t=1,m=8,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=8,t=1,p=1$!!$aGFzaA",
            "argon2$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            // Beyond the bounds: 4 GiB, or 64 times Django's work and one more pass.
            "argon2$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=1048577,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=102400,t=129,p=8$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=8,t=4294967295,p=1$c2FsdHNhbHQ$aGFzaA",
            // More lanes than Argon2 has: the argon2 crate overflowed computing `8 * p`.
            "argon2$argon2i$m=8,t=11,p=1100000001$c4FsdHNhbHQ$/////////aGFzaA",
            "argon2$argon2id$v=19$m=8,t=1,p=16777216$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA$x",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cheap_parameters_round_trip_and_need_update() {
        let cfg = HasherConfig::default();
        let salt = STANDARD_NO_PAD.encode(b"Z7yq2bT9cLwX4mN8pR1sVd");
        let hash = raw_hash(
            b"pw",
            b"Z7yq2bT9cLwX4mN8pR1sVd",
            Variant::Argon2id,
            Version::V0x13,
            (64, 1, 1),
            32,
        )
        .expect("hash");
        let encoded = format!(
            "argon2$argon2id$v=19$m=64,t=1,p=1${salt}${}",
            STANDARD_NO_PAD.encode(&hash)
        );
        assert_eq!(ARGON2.verify("pw", &encoded), Ok(true));
        assert_eq!(ARGON2.verify("px", &encoded), Ok(false));
        assert_eq!(ARGON2.must_update(&encoded, &cfg), Ok(true));
        // A padded salt (as some encoders write it) reads the same.
        let padded = encoded.replace(&salt, &STANDARD.encode(b"Z7yq2bT9cLwX4mN8pR1sVd"));
        assert_eq!(ARGON2.verify("pw", &padded), Ok(true));
    }
}
