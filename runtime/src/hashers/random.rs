//! Random strings and token keys from the operating system's CSPRNG.
//!
//! Django draws salts, unusable-password suffixes and session keys with
//! `get_random_string` (`secrets.choice`), and DRF draws token keys with `secrets.token_hex(20)`.
//! These functions produce the same shapes with the same (uniform) distribution.

/// Django's `RANDOM_STRING_CHARS`: `a-z`, `A-Z`, `0-9`, in that order.
pub const RANDOM_STRING_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Fills `buf` with bytes from the operating system's CSPRNG.
///
/// # Panics
///
/// Panics if the operating system's random number generator fails, which does not happen on
/// supported platforms once the system has booted (Django raises in the same situation).
pub fn fill_random(buf: &mut [u8]) {
    if let Err(e) = getrandom::getrandom(buf) {
        panic!("the operating system's random number generator failed: {e}");
    }
}

/// A string of `len` characters drawn uniformly and independently from `alphabet` with the
/// OS CSPRNG (Django's `get_random_string(len, alphabet)`).
///
/// Sampling is unbiased (rejection sampling, never a plain modulo). Characters are picked by
/// position, so an alphabet that repeats a character makes it proportionally more likely, as
/// in Django. An empty alphabet gives an empty string.
///
/// ```
/// use drf_runtime::hashers::{random_string, RANDOM_STRING_CHARS};
/// let salt = random_string(22, RANDOM_STRING_CHARS);
/// assert_eq!(salt.len(), 22);
/// assert!(salt.bytes().all(|b| b.is_ascii_alphanumeric()));
/// ```
///
/// # Panics
///
/// Only if the OS random number generator fails (see [`fill_random`]).
pub fn random_string(len: usize, alphabet: &str) -> String {
    if alphabet.is_empty() || len == 0 {
        return String::new();
    }
    if alphabet.is_ascii() {
        let bytes = alphabet.as_bytes();
        let mut out = String::with_capacity(len);
        for_each_index(bytes.len(), len, |i| out.push(char::from(bytes[i])));
        out
    } else {
        let chars: Vec<char> = alphabet.chars().collect();
        let mut out = String::with_capacity(len * 2);
        for_each_index(chars.len(), len, |i| out.push(chars[i]));
        out
    }
}

/// A new DRF token key: 40 lowercase hex characters encoding 20 bytes from the OS CSPRNG
/// (what `secrets.token_hex(20)` gives).
///
/// ```
/// let key = drf_runtime::hashers::new_token_key();
/// assert_eq!(key.len(), 40);
/// assert!(key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
/// ```
///
/// # Panics
///
/// Only if the OS random number generator fails (see [`fill_random`]).
pub fn new_token_key() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut raw = [0u8; 20];
    fill_random(&mut raw);
    let mut out = String::with_capacity(40);
    for b in raw {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// Calls `f` `count` times with an index drawn uniformly from `0..n` (`n >= 1`).
fn for_each_index(n: usize, count: usize, mut f: impl FnMut(usize)) {
    debug_assert!(n >= 1);
    let mut produced = 0;
    if n <= 256 {
        // One byte per draw; reject the top `256 % n` values so every index is equally likely.
        let limit = 256 - (256 % n); // in 1..=256
        let mut buf = vec![0u8; count + count / 4 + 8];
        while produced < count {
            fill_random(&mut buf);
            for &b in &buf {
                if usize::from(b) < limit {
                    f(usize::from(b) % n);
                    produced += 1;
                    if produced == count {
                        return;
                    }
                }
            }
        }
    } else {
        // Four bytes per draw for large alphabets.
        let n64 = n as u64;
        let space = 1u64 << 32;
        let limit = space - (space % n64);
        let mut buf = vec![0u8; 4 * (count + 8)];
        while produced < count {
            fill_random(&mut buf);
            for chunk in buf.chunks_exact(4) {
                let v = u64::from(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
                if v < limit {
                    // `v % n64 < n`, so the conversion is lossless.
                    f((v % n64) as usize);
                    produced += 1;
                    if produced == count {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_string_shape() {
        let s = random_string(22, RANDOM_STRING_CHARS);
        assert_eq!(s.len(), 22);
        assert!(s.chars().all(|c| RANDOM_STRING_CHARS.contains(c)));
        assert_eq!(random_string(0, RANDOM_STRING_CHARS), "");
        assert_eq!(random_string(5, ""), "");
        assert_eq!(random_string(7, "x"), "xxxxxxx");
        let u = random_string(10, "äöü");
        assert_eq!(u.chars().count(), 10);
        assert!(u.chars().all(|c| "äöü".contains(c)));
        // Large alphabets take the 32-bit path.
        let big: String = (0x4e00u32..0x4e00 + 300)
            .filter_map(char::from_u32)
            .collect();
        let s = random_string(50, &big);
        assert_eq!(s.chars().count(), 50);
        assert!(s.chars().all(|c| big.contains(c)));
    }

    #[test]
    fn random_string_uses_the_whole_alphabet_roughly_uniformly() {
        let s = random_string(62 * 400, RANDOM_STRING_CHARS);
        let mut counts = [0usize; 128];
        for b in s.bytes() {
            counts[usize::from(b)] += 1;
        }
        for c in RANDOM_STRING_CHARS.bytes() {
            let n = counts[usize::from(c)];
            // Expected 400 each; 6 sigma is about 120.
            assert!(
                (250..=550).contains(&n),
                "{} appeared {n} times",
                char::from(c)
            );
        }
    }

    #[test]
    fn token_keys_are_hex_and_distinct() {
        let a = new_token_key();
        let b = new_token_key();
        assert_eq!(a.len(), 40);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }
}
