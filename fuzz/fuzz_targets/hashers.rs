//! Stored password hashes (`auth_user.password`) as Django's hashers read them: the algorithm
//! identified, each hasher's decoding of its parameters (iterations, bcrypt cost, Argon2
//! `m,t,p`, scrypt `N,r,p`, salts, base64), then a full check with every algorithm enabled.
//!
//! Input: the stored hash, a `\n`, then the password (no `\n`: password `password`).
//! Properties: a check never panics, and a hash the check accepts names an enabled
//! algorithm; parameters beyond the documented bounds are refused before any work.
#![no_main]

use drf_runtime::__fuzz::{cheap_hasher_config, inspect_hash};
use drf_runtime::hashers::{check_password, identify_algorithm, is_password_usable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (encoded, password) = text.split_once('\n').unwrap_or((&text, "password"));
    let algorithm = identify_algorithm(encoded);
    let _ = inspect_hash(encoded);
    let cfg = cheap_hasher_config();
    let check = check_password(password, encoded, &cfg);
    if check.ok {
        assert!(is_password_usable(encoded));
        assert!(algorithm.is_some());
    }
});
