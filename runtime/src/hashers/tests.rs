//! Django's vectors (docs/django-compat.md §2.7) and the edge cases of docs/django-compat.md §2.1.

use std::time::Instant;

use super::*;

const PASSWORD: &str = "correct horse battery staple";
const SHA256_10K: &str =
    "pbkdf2_sha256$10000$Z7yq2bT9cLwX4mN8pR1sVd$TQRorB4f6DABNtmSGgQgQ3NC++KbQPpNTSaozxpeaN4=";
const SHA1_10K: &str = "pbkdf2_sha1$10000$Z7yq2bT9cLwX4mN8pR1sVd$7sTAYFNHP6eaBwY5YV4z1A0NCKI=";
const NON_ASCII_10K: &str =
    "pbkdf2_sha256$10000$Z7yq2bT9cLwX4mN8pR1sVd$FG/VesHLRLuAl1Tky3SUa0EO8GGTU4vb+Iczt25hx2k=";
const SHA256_1M: &str =
    "pbkdf2_sha256$1000000$Z7yq2bT9cLwX4mN8pR1sVd$QZlqVmemIof3B2nzqGfortwPIT06e3UN7aDHlKHBsdc=";
const SHA256_1_2M: &str =
    "pbkdf2_sha256$1200000$Z7yq2bT9cLwX4mN8pR1sVd$Bn93mapwMAMiB/j8/jLgMEffAmClUQsNKnux4twxer0=";
const SHA256_1_5M: &str =
    "pbkdf2_sha256$1500000$Z7yq2bT9cLwX4mN8pR1sVd$BR5z0Oo2OXyB1k/HYYUEb3rdlF04w+ms2tMU7qaro08=";

const SALT: &str = "Z7yq2bT9cLwX4mN8pR1sVd";
const ARGON2_V: &str = "argon2$argon2id$v=19$m=102400,t=2,p=8$Wjd5cTJiVDljTHdYNG1OOHBSMXNWZA$kTDgmdJkOmicGQq4++6XKyLAKcsQlOXFaRzSar8qFaY";
const SCRYPT_V: &str = "scrypt$16384$Z7yq2bT9cLwX4mN8pR1sVd$8$5$GSzGxG0Fraqhhm/pPzAXV2ZNyweoUKaAY2XxLv7I3HQ8cJgu2MDgugZbdQkNzQQFJT7ArQa2BGc4FE1qlya0aQ==";
const BCRYPT_SHA256_12: &str =
    "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuuNrZ4CeoNrvGcIepBB1WStSdG4Wu4DG";
const BCRYPT_SHA256_4: &str =
    "bcrypt_sha256$$2b$04$abcdefghijklmnopqrstuuaBT8mpw5tGdD3eO40znWcQP/dT9hEVK";
const BCRYPT_4: &str = "bcrypt$$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG";
const MD5_V: &str = "md5$Z7yq2bT9cLwX4mN8pR1sVd$ae58b98156ca895c2b5372bfce09570f";

/// Hashes of algorithms outside Django's default `PASSWORD_HASHERS` (docs/django-compat.md §2.6): identified, but
/// they verify only when listed.
const NOT_DEFAULT: &[&str] = &[BCRYPT_4, MD5_V];

/// Django's default list with `algorithm` preferred (first), fast PBKDF2.
fn preferring(algorithm: Algorithm) -> HasherConfig {
    let mut list = vec![algorithm];
    list.extend(Algorithm::ALL.into_iter().filter(|a| *a != algorithm));
    cfg(10_000).with_hashers(list)
}

fn cfg(iterations: u32) -> HasherConfig {
    HasherConfig::with_iterations(iterations)
}

const OK_CURRENT: PasswordCheck = PasswordCheck {
    ok: true,
    must_update: false,
};
const OK_OUTDATED: PasswordCheck = PasswordCheck {
    ok: true,
    must_update: true,
};
const FAILED: PasswordCheck = PasswordCheck {
    ok: false,
    must_update: false,
};

#[test]
fn default_config_is_django_6_1() {
    assert_eq!(HasherConfig::default().pbkdf2_iterations, 1_500_000);
    let table = [
        ("3.2", 260_000),
        ("4.0", 320_000),
        ("4.1", 390_000),
        ("4.2", 600_000),
        ("4.2.30", 600_000),
        ("5.0", 720_000),
        ("5.1", 870_000),
        ("5.2", 1_000_000),
        ("5.2.19", 1_000_000),
        ("6.0", 1_200_000),
        ("6.1", 1_500_000),
        ("6.1.3", 1_500_000),
        ("6.1rc1", 1_500_000),
    ];
    for (version, n) in table {
        assert_eq!(
            HasherConfig::django(version).map(|c| c.pbkdf2_iterations),
            Some(n),
            "{version}"
        );
    }
    for unknown in ["", "6", "2.2", "7.0", "6.10", "x.y", "5"] {
        assert_eq!(HasherConfig::django(unknown), None, "{unknown:?}");
    }
    assert_eq!(cfg(0).iterations(), 1);
    assert_eq!(cfg(u32::MAX).iterations(), 100_000_000);
}

#[test]
fn sha256_10000_vector() {
    assert_eq!(
        check_password(PASSWORD, SHA256_10K, &cfg(10_000)),
        OK_CURRENT
    );
    // Any other configured count asks for a rewrite, higher or lower (`!=`, docs/django-compat.md §2.2).
    assert_eq!(
        check_password(PASSWORD, SHA256_10K, &cfg(1_000)),
        OK_OUTDATED
    );
    assert_eq!(
        check_password(PASSWORD, SHA256_10K, &cfg(20_000)),
        OK_OUTDATED
    );
    assert_eq!(
        check_password("wrong", SHA256_10K, &cfg(10_000)),
        PasswordCheck {
            ok: false,
            must_update: false
        }
    );
    // A failed check still reports must_update (and ran harden_runtime).
    assert_eq!(
        check_password("wrong", SHA256_10K, &cfg(20_000)),
        PasswordCheck {
            ok: false,
            must_update: true
        }
    );
    assert!(!check_password("", SHA256_10K, &cfg(10_000)).ok);
    assert!(!check_password("correct horse battery stapl", SHA256_10K, &cfg(10_000)).ok);
}

#[test]
fn sha1_vector_always_needs_update() {
    // pbkdf2_sha1 is not the preferred hasher, so it is always rewritten.
    assert_eq!(
        check_password(PASSWORD, SHA1_10K, &cfg(10_000)),
        OK_OUTDATED
    );
    assert_eq!(
        check_password("wrong", SHA1_10K, &cfg(10_000)),
        PasswordCheck {
            ok: false,
            must_update: true
        }
    );
}

#[test]
fn non_ascii_vector() {
    assert_eq!(
        check_password("pässwörd", NON_ASCII_10K, &cfg(10_000)),
        OK_CURRENT
    );
    assert!(!check_password("passwort", NON_ASCII_10K, &cfg(10_000)).ok);
    // NFC vs NFD: Django hashes the UTF-8 bytes as given, without normalization.
    assert!(!check_password("pa\u{308}sswo\u{308}rd", NON_ASCII_10K, &cfg(10_000)).ok);
}

#[test]
fn encode_reproduces_the_vectors_byte_for_byte() {
    let salt = "Z7yq2bT9cLwX4mN8pR1sVd";
    assert_eq!(
        PBKDF2_SHA256.encode(PASSWORD, salt, &cfg(10_000)),
        SHA256_10K
    );
    assert_eq!(PBKDF2_SHA1.encode(PASSWORD, salt, &cfg(10_000)), SHA1_10K);
    assert_eq!(
        PBKDF2_SHA256.encode("pässwörd", salt, &cfg(10_000)),
        NON_ASCII_10K
    );
}

/// The million-iteration vectors: one PBKDF2 run each, about 0.2 s in release. In the dev
/// profile they take several seconds each even though the workspace builds the hash crates at
/// opt-level 3: the generic HMAC/PBKDF2 code is instantiated in this crate, at opt-level 0. So
/// they run with `cargo test --release` (or `-- --ignored`).
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "1M+ PBKDF2 iterations take ~5 s each unoptimized; run with --release"
)]
fn django_default_iteration_vectors() {
    let started = Instant::now();
    // Django 6.1: the 1.5M hash is current, the others are rewritten.
    let django_6_1 = HasherConfig::default();
    assert_eq!(
        check_password(PASSWORD, SHA256_1_5M, &django_6_1),
        OK_CURRENT
    );
    assert_eq!(
        check_password(PASSWORD, SHA256_1_2M, &django_6_1),
        OK_OUTDATED
    );
    // Django 5.2 rewrites (downgrades) the 1.5M hash and keeps the 1M one.
    let django_5_2 = HasherConfig::django("5.2").expect("known");
    assert_eq!(check_password(PASSWORD, SHA256_1M, &django_5_2), OK_CURRENT);
    assert_eq!(
        check_password(PASSWORD, SHA256_1_5M, &django_5_2),
        OK_OUTDATED
    );
    eprintln!(
        "4 checks at 1M-1.5M iterations took {:?}",
        started.elapsed()
    );
}

#[test]
fn short_salt_needs_update() {
    assert!(must_update_salt("Z7yq2bT9cLwX4mN8pR1sV")); // 21 chars: 125 bits
    assert!(!must_update_salt("Z7yq2bT9cLwX4mN8pR1sVd")); // 22 chars: 131 bits
    assert!(must_update_salt("salt"));
    let c = cfg(1_000);
    let short = PBKDF2_SHA256.encode("pw", "salt", &c);
    assert_eq!(short, format!("pbkdf2_sha256$1000$salt${}", &short[24..]));
    assert_eq!(check_password("pw", &short, &c), OK_OUTDATED);
    let long = PBKDF2_SHA256.encode("pw", "abcdefghijklmnopqrstuv", &c);
    assert_eq!(check_password("pw", &long, &c), OK_CURRENT);
    // Salts are counted in characters, as Python's len() does.
    assert!(!must_update_salt("ääääääääääääääääääääää"));
}

#[test]
fn make_and_check_round_trip() {
    let c = cfg(1_000);
    let encoded = make_password(PASSWORD, &c);
    let parts: Vec<&str> = encoded.split('$').collect();
    assert_eq!(parts.len(), 4, "{encoded}");
    assert_eq!(parts[0], "pbkdf2_sha256");
    assert_eq!(parts[1], "1000");
    assert_eq!(parts[2].len(), 22);
    assert!(parts[2].bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(parts[3].len(), 44);
    assert!(parts[3].ends_with('='));
    assert_eq!(check_password(PASSWORD, &encoded, &c), OK_CURRENT);
    assert!(!check_password("other", &encoded, &c).ok);
    assert_ne!(make_password(PASSWORD, &c), encoded, "fresh salt each time");
    // The empty password hashes normally and verifies (docs/django-compat.md §2.6).
    let empty = make_password("", &c);
    assert_eq!(check_password("", &empty, &c), OK_CURRENT);
    assert!(!check_password(" ", &empty, &c).ok);
    // Long and odd passwords are fine.
    let long = "x".repeat(10_000) + "\u{0}\u{1F600}";
    let e = make_password(&long, &c);
    assert_eq!(check_password(&long, &e, &c), OK_CURRENT);
}

#[test]
fn unusable_passwords_never_verify() {
    let c = cfg(1_000);
    let u = make_unusable_password();
    assert_eq!(u.len(), 41);
    assert!(u.starts_with('!'));
    assert!(u[1..].bytes().all(|b| b.is_ascii_alphanumeric()));
    assert!(!is_password_usable(&u));
    assert_ne!(make_unusable_password(), u);
    assert_eq!(check_password(&u, &u, &c), FAILED);
    assert_eq!(check_password("", &u, &c), FAILED);
    // `!` followed by a real hash is still unusable.
    assert_eq!(
        check_password(PASSWORD, &format!("!{SHA256_10K}"), &c),
        FAILED
    );
    assert!(is_password_usable(""));
    assert!(is_password_usable(SHA256_10K));
}

#[test]
fn unknown_and_malformed_hashes_fail_without_panicking() {
    let c = cfg(1_000);
    let long_iterations = format!("pbkdf2_sha256${}$salt$hash", "9".repeat(400));
    let malformed = [
        "",
        "garbage",
        "!abc",
        "$",
        "$$$",
        "pbkdf2_sha256",
        "pbkdf2_sha256$",
        "pbkdf2_sha256$x",
        "pbkdf2_sha256$10000",
        "pbkdf2_sha256$10000$Z7yq2bT9cLwX4mN8pR1sVd",
        "pbkdf2_sha256$$Z7yq2bT9cLwX4mN8pR1sVd$hash",
        "pbkdf2_sha256$abc$Z7yq2bT9cLwX4mN8pR1sVd$hash",
        "pbkdf2_sha256$0$Z7yq2bT9cLwX4mN8pR1sVd$hash",
        "pbkdf2_sha256$-1$Z7yq2bT9cLwX4mN8pR1sVd$hash",
        "pbkdf2_sha256$999999999$Z7yq2bT9cLwX4mN8pR1sVd$hash",
        "pbkdf2_sha256$4294967296$Z7yq2bT9cLwX4mN8pR1sVd$hash",
        &long_iterations,
        "pbkdf2_sha256$10000$$TQRorB4f6DABNtmSGgQgQ3NC++KbQPpNTSaozxpeaN4=",
        "pbkdf2_sha1$x",
        "pbkdf2_sha1$0$salt$hash",
        "PBKDF2_SHA256$10000$Z7yq2bT9cLwX4mN8pR1sVd$TQRorB4f6DABNtmSGgQgQ3NC++KbQPpNTSaozxpeaN4=",
        "sha1$$0123456789012345678901234567890123456789",
        "5f4dcc3b5aa765d61d8327deb882cf99",
        "md5$$5f4dcc3b5aa765d61d8327deb882cf99",
        "crypt$$abN/2EdbRh4bg",
        "\u{0}$\u{0}$\u{0}$\u{0}",
        "ü$ü$ü$ü",
    ];
    for encoded in malformed.iter().copied().chain(NOT_DEFAULT.iter().copied()) {
        assert_eq!(check_password(PASSWORD, encoded, &c), FAILED, "{encoded:?}");
        assert_eq!(check_password("", encoded, &c), FAILED, "{encoded:?}");
    }
}

#[test]
fn non_canonical_stored_hashes_do_not_verify() {
    let c = cfg(10_000);
    // Django compares the re-encoded string, so these differ from what it would write.
    let leading_zero = SHA256_10K.replace("$10000$", "$010000$");
    assert!(!check_password(PASSWORD, &leading_zero, &c).ok);
    let no_padding = SHA256_10K.trim_end_matches('=');
    assert!(!check_password(PASSWORD, no_padding, &c).ok);
    let urlsafe = NON_ASCII_10K.replace('/', "_").replace('+', "-");
    assert!(!check_password("pässwörd", &urlsafe, &c).ok);
    let trailing = format!("{SHA256_10K}\n");
    assert!(!check_password(PASSWORD, &trailing, &c).ok);
    let extra_part = format!("{SHA256_10K}$x");
    assert!(!check_password(PASSWORD, &extra_part, &c).ok);
}

#[test]
fn identify_like_django() {
    assert_eq!(identify_algorithm(SHA256_10K), Some("pbkdf2_sha256"));
    assert_eq!(identify_algorithm(SHA1_10K), Some("pbkdf2_sha1"));
    assert_eq!(identify_algorithm(ARGON2_V), Some("argon2"));
    assert_eq!(identify_algorithm(BCRYPT_SHA256_12), Some("bcrypt_sha256"));
    assert_eq!(
        identify_algorithm("5f4dcc3b5aa765d61d8327deb882cf99"),
        Some("unsalted_md5")
    );
    assert_eq!(
        identify_algorithm("md5$$5f4dcc3b5aa765d61d8327deb882cf99"),
        Some("unsalted_md5")
    );
    assert_eq!(
        identify_algorithm("sha1$$0123456789012345678901234567890123456789"),
        Some("unsalted_sha1")
    );
    assert_eq!(identify_algorithm("sha1$salt$hash"), Some("sha1"));
    assert_eq!(identify_algorithm("$x"), Some(""));
    assert_eq!(identify_algorithm(""), None);
    assert_eq!(identify_algorithm("garbage"), None);
}

#[test]
fn failed_checks_cost_about_one_default_hash() {
    // Unknown hashes burn one default hash; a wrong password on a current hash costs the same.
    let c = cfg(30_000);
    let encoded = make_password(PASSWORD, &c);
    // The fastest of three runs, to be robust against a busy machine.
    let time = |f: &dyn Fn()| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let real = time(&|| assert!(!check_password("x", &encoded, &c).ok));
    let unusable = time(&|| assert!(!check_password("x", "!abc", &c).ok));
    let garbage = time(&|| assert!(!check_password("x", "garbage", &c).ok));
    // harden_runtime makes a cheap outdated hash cost the full count on failure.
    let cheap = PBKDF2_SHA256.encode(PASSWORD, "abcdefghijklmnopqrstuv", &cfg(1));
    let hardened = time(&|| assert!(!check_password("x", &cheap, &c).ok));
    for (name, d) in [
        ("unusable", unusable),
        ("garbage", garbage),
        ("hardened", hardened),
    ] {
        assert!(
            d * 3 > real && d < real * 3,
            "{name} took {d:?}, a real failed check {real:?}"
        );
    }
}

// ---- the other hashers (docs/django-compat.md §2.3-§2.6) ----------------------------------------

#[test]
fn argon2_vector() {
    // Listed but not preferred: verifies, and is rewritten to PBKDF2 on login.
    assert_eq!(check_password(PASSWORD, ARGON2_V, &cfg(1_000)), OK_OUTDATED);
    assert_eq!(
        check_password("wrong", ARGON2_V, &cfg(1_000)),
        PasswordCheck {
            ok: false,
            must_update: true
        }
    );
    let argon2 = preferring(Algorithm::Argon2);
    assert_eq!(check_password(PASSWORD, ARGON2_V, &argon2), OK_CURRENT);
    assert_eq!(
        make_password_with(PASSWORD, Algorithm::Argon2, Some(SALT), &argon2),
        ARGON2_V
    );
    let fresh = make_password(PASSWORD, &argon2);
    assert!(
        fresh.starts_with("argon2$argon2id$v=19$m=102400,t=2,p=8$"),
        "{fresh}"
    );
    assert_eq!(check_password(PASSWORD, &fresh, &argon2), OK_CURRENT);
}

#[test]
fn scrypt_vector() {
    assert_eq!(check_password(PASSWORD, SCRYPT_V, &cfg(1_000)), OK_OUTDATED);
    let scrypt = preferring(Algorithm::Scrypt);
    assert_eq!(check_password(PASSWORD, SCRYPT_V, &scrypt), OK_CURRENT);
    assert!(!check_password("wrong", SCRYPT_V, &scrypt).ok);
    assert_eq!(
        make_password_with(PASSWORD, Algorithm::Scrypt, Some(SALT), &scrypt),
        SCRYPT_V
    );
    // Django 4.0-5.0 wrote p=1: verified, then rewritten.
    let old = super::scrypt::encode_params(PASSWORD, SALT, 1 << 14, 8, 1);
    assert_eq!(check_password(PASSWORD, &old, &scrypt), OK_OUTDATED);
}

#[test]
fn bcrypt_sha256_vectors() {
    assert_eq!(
        check_password(PASSWORD, BCRYPT_SHA256_12, &cfg(1_000)),
        OK_OUTDATED
    );
    assert_eq!(
        check_password(PASSWORD, BCRYPT_SHA256_4, &cfg(1_000)),
        OK_OUTDATED
    );
    let bcrypt = preferring(Algorithm::BcryptSha256);
    assert_eq!(
        check_password(PASSWORD, BCRYPT_SHA256_12, &bcrypt),
        OK_CURRENT
    );
    assert_eq!(
        check_password(PASSWORD, BCRYPT_SHA256_4, &bcrypt),
        OK_OUTDATED
    );
    assert!(!check_password("wrong", BCRYPT_SHA256_12, &bcrypt).ok);
    assert_eq!(
        make_password_with(
            PASSWORD,
            Algorithm::BcryptSha256,
            Some("$2b$12$abcdefghijklmnopqrstuu"),
            &bcrypt
        ),
        BCRYPT_SHA256_12
    );
    assert_eq!(
        make_password_with(
            PASSWORD,
            Algorithm::BcryptSha256,
            Some("$2b$04$abcdefghijklmnopqrstuu"),
            &bcrypt
        ),
        BCRYPT_SHA256_4
    );
    let fresh = make_password(PASSWORD, &bcrypt);
    assert!(fresh.starts_with("bcrypt_sha256$$2b$12$"), "{fresh}");
    assert_eq!(fresh.len(), BCRYPT_SHA256_12.len());
    // $2a$ and $2y$ are read as pyca/bcrypt reads them; a non-canonical cost is not Django's.
    let two_y = BCRYPT_SHA256_4.replace("$2b$", "$2y$");
    assert_eq!(check_password(PASSWORD, &two_y, &cfg(1_000)), OK_OUTDATED);
    let one_digit = BCRYPT_SHA256_4.replace("$04$", "$4$");
    assert!(!check_password(PASSWORD, &one_digit, &cfg(1_000)).ok);
}

#[test]
fn bcrypt_harden_runtime_repeats_the_cheap_hash() {
    // A wrong password against a cost-4 hash with cost 12 preferred costs 2^8 cost-4 hashes,
    // i.e. about one cost-12 hash.
    let bcrypt = preferring(Algorithm::BcryptSha256);
    let time = |f: &dyn Fn()| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let cheap_ok = time(&|| assert!(check_password(PASSWORD, BCRYPT_SHA256_4, &bcrypt).ok));
    let cheap_wrong = time(&|| assert!(!check_password("x", BCRYPT_SHA256_4, &bcrypt).ok));
    assert!(
        cheap_wrong > cheap_ok * 20,
        "hardened {cheap_wrong:?} vs {cheap_ok:?}"
    );
}

#[test]
fn plain_bcrypt_only_when_listed() {
    assert_eq!(check_password(PASSWORD, BCRYPT_4, &cfg(1_000)), FAILED);
    let listed = cfg(1_000).with_hashers([Algorithm::Pbkdf2Sha256, Algorithm::Bcrypt]);
    assert_eq!(check_password(PASSWORD, BCRYPT_4, &listed), OK_OUTDATED);
    assert!(!check_password("wrong", BCRYPT_4, &listed).ok);
    assert_eq!(
        make_password_with(
            PASSWORD,
            Algorithm::Bcrypt,
            Some("$2b$04$abcdefghijklmnopqrstuu"),
            &listed
        ),
        BCRYPT_4
    );
    // bcrypt_sha256 is not plain bcrypt: the prefixes are not interchangeable.
    let swapped = BCRYPT_4.replacen("bcrypt$", "bcrypt_sha256$", 1);
    assert!(!check_password(PASSWORD, &swapped, &preferring(Algorithm::BcryptSha256)).ok);
}

#[test]
fn md5_only_when_listed() {
    assert_eq!(check_password(PASSWORD, MD5_V, &cfg(1_000)), FAILED);
    let listed = cfg(1_000).with_hashers([Algorithm::Pbkdf2Sha256, Algorithm::Md5]);
    assert_eq!(check_password(PASSWORD, MD5_V, &listed), OK_OUTDATED);
    assert!(!check_password("wrong", MD5_V, &listed).ok);
    let md5 = preferring(Algorithm::Md5);
    assert_eq!(check_password(PASSWORD, MD5_V, &md5), OK_CURRENT);
    // A short salt is rewritten even by the preferred md5 hasher.
    let short = make_password_with(PASSWORD, Algorithm::Md5, Some("salt"), &md5);
    assert_eq!(check_password(PASSWORD, &short, &md5), OK_OUTDATED);
    assert_eq!(
        make_password_with(PASSWORD, Algorithm::Md5, Some(SALT), &md5),
        MD5_V
    );
    // Unsalted MD5 and SHA-1 were removed in Django 5.1: never verified.
    assert_eq!(
        check_password("password", "5f4dcc3b5aa765d61d8327deb882cf99", &md5),
        FAILED
    );
}

#[test]
fn every_algorithm_round_trips_when_preferred() {
    for algorithm in Algorithm::ALL {
        if algorithm == Algorithm::Argon2 {
            continue; // covered by argon2_vector (100 MiB per hash)
        }
        let c = preferring(algorithm);
        let encoded = make_password("pässwörd", &c);
        assert_eq!(identify_algorithm(&encoded), Some(algorithm.name()));
        assert_eq!(
            check_password("pässwörd", &encoded, &c),
            OK_CURRENT,
            "{algorithm}"
        );
        assert!(!check_password("passwörd", &encoded, &c).ok, "{algorithm}");
        // Under Django's default preference every other algorithm is rewritten.
        let d = cfg(10_000).with_hashers(Algorithm::ALL);
        let expected = if algorithm == Algorithm::Pbkdf2Sha256 {
            OK_CURRENT
        } else {
            OK_OUTDATED
        };
        assert_eq!(
            check_password("pässwörd", &encoded, &d),
            expected,
            "{algorithm}"
        );
    }
}

#[test]
fn corrupt_hashes_of_every_algorithm_fail_without_panicking() {
    let all = cfg(1_000).with_hashers(Algorithm::ALL);
    let corrupt = [
        "argon2",
        "argon2$",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$Wjd5cTJiVDljTHdYNG1OOHBSMXNWZA",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$!!!$kTDgmdJkOmicGQq4++6XKyLAKcsQlOXFaRzSar8qFaY",
        "argon2$argon2id$v=19$m=1,t=2,p=8$Wjd5cTJiVDljTHdYNG1OOHBSMXNWZA$kTDg",
        "argon2$argon2id$v=19$m=102400,t=0,p=8$Wjd5cTJiVDljTHdYNG1OOHBSMXNWZA$kTDg",
        "argon2$argon2id$v=19$m=4294967295,t=2,p=8$Wjd5cTJiVDljTHdYNG1OOHBSMXNWZA$kTDg",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$$kTDg",
        "scrypt",
        "scrypt$16384$Z7yq2bT9cLwX4mN8pR1sVd$8$5",
        "scrypt$16383$Z7yq2bT9cLwX4mN8pR1sVd$8$5$x",
        "scrypt$1073741824$Z7yq2bT9cLwX4mN8pR1sVd$8$5$x",
        "scrypt$16384$Z7yq2bT9cLwX4mN8pR1sVd$0$5$x",
        "scrypt$16384$$8$5$x",
        "bcrypt_sha256",
        "bcrypt_sha256$",
        "bcrypt_sha256$$2b$12$",
        "bcrypt_sha256$$2b$99$abcdefghijklmnopqrstuuuNrZ4CeoNrvGcIepBB1WStSdG4Wu4DG",
        "bcrypt_sha256$$2c$12$abcdefghijklmnopqrstuuuNrZ4CeoNrvGcIepBB1WStSdG4Wu4DG",
        "bcrypt_sha256$$2b$12$abc",
        "bcrypt_sha256$2b$12$abcdefghijklmnopqrstuuuNrZ4CeoNrvGcIepBB1WStSdG4Wu4DG",
        "bcrypt$$2b$04$ab!defghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG",
        "md5",
        "md5$",
        "md5$$ae58b98156ca895c2b5372bfce09570f",
        "md5$salt",
    ];
    for encoded in corrupt {
        // Django's must_update may still be true (the algorithm is not the preferred one, and
        // a few of these parse as far as that), but the check fails.
        assert!(!check_password(PASSWORD, encoded, &all).ok, "{encoded:?}");
    }
}

/// Collects what `tracing` writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn corrupt_or_unknown_hashes_log_a_warning() {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let c = cfg(1_000);
        assert_eq!(check_password(PASSWORD, "pbkdf2_sha256$x", &c), FAILED);
        assert_eq!(check_password(PASSWORD, "whirlpool$1$2", &c), FAILED);
        assert_eq!(check_password(PASSWORD, MD5_V, &c), FAILED);
        // Unusable passwords are normal: no warning.
        assert_eq!(check_password(PASSWORD, "!x", &c), FAILED);
    });
    let text = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf-8");
    assert_eq!(text.matches("WARN").count(), 3, "{text}");
    assert!(text.contains("malformed password hash"), "{text}");
    assert!(text.contains("algorithm=whirlpool"), "{text}");
    assert!(text.contains("algorithm=md5"), "{text}");
    assert!(!text.contains("ae58b98156ca"), "no hash in logs: {text}");
}

#[test]
fn algorithm_names_and_hasher_lists() {
    for a in Algorithm::ALL {
        assert_eq!(a.name().parse(), Ok(a));
        assert_eq!(a.django_class().parse(), Ok(a));
        assert_eq!(a.to_string(), a.name());
    }
    assert_eq!("PBKDF2PasswordHasher".parse(), Ok(Algorithm::Pbkdf2Sha256));
    assert!("crypt".parse::<Algorithm>().is_err());
    assert!(HasherConfig::parse_hashers("").is_err());
    assert!(HasherConfig::parse_hashers("pbkdf2_sha256, nope").is_err());
    assert_eq!(
        HasherConfig::parse_hashers("md5,pbkdf2_sha256"),
        Ok(vec![Algorithm::Md5, Algorithm::Pbkdf2Sha256])
    );
    let d = HasherConfig::default();
    assert_eq!(d.preferred(), Algorithm::Pbkdf2Sha256);
    assert!(d.enables(Algorithm::Argon2) && !d.enables(Algorithm::Md5));
    let empty = HasherConfig::default().with_hashers([]);
    assert_eq!(empty.preferred(), Algorithm::Pbkdf2Sha256);
    assert!(empty.enables(Algorithm::Scrypt) && !empty.enables(Algorithm::Bcrypt));
}

/// The environment slice of the hashers, read as `Config` reads it.
fn apply_env(
    c: &mut HasherConfig,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(), crate::config::ConfigError> {
    crate::config::apply_hashers_env(c, &crate::config::Env::new(get))
}

#[test]
fn environment_sets_the_django_release_and_the_hasher_list() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let mut c = HasherConfig::default();
    apply_env(&mut c, &vars(&[("DJANGO_VERSION", "5.2.19")])).expect("known");
    assert_eq!(c.pbkdf2_iterations, 1_000_000);
    apply_env(
        &mut c,
        &vars(&[(
            "PASSWORD_HASHERS",
            "argon2, django.contrib.auth.hashers.PBKDF2PasswordHasher",
        )]),
    )
    .expect("known");
    assert_eq!(c.hashers, [Algorithm::Argon2, Algorithm::Pbkdf2Sha256]);
    assert!(apply_env(&mut c, &vars(&[("DJANGO_VERSION", "1.11")])).is_err());
    assert!(apply_env(&mut c, &vars(&[("PASSWORD_HASHERS", "crypt")])).is_err());
}
