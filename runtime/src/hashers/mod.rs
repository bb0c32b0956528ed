//! Django's password hashers: verify and create the `auth_user.password` strings that Django
//! reads and writes (docs/django-compat.md §2).
//!
//! [`check_password`] follows Django's `verify_password` step for step: unusable (`!…`) and
//! unknown or malformed hashes verify as false after the default hasher has run once on a
//! random string (so they take as long as a real check); a hash made with other parameters
//! than the configured ones reports `must_update`, and a failed check of such a hash runs the
//! missing work (`harden_runtime`). [`make_password`] hashes with the preferred hasher (by default
//! `pbkdf2_sha256` with a fresh 22-character salt).
//!
//! Hashing is deliberately slow (1.5 million PBKDF2 rounds by default), so async code should use
//! [`Passwords`], which runs it on threads of its own at the lowest CPU priority, one hash
//! per CPU at most.
//!
//! ```
//! use drf_runtime::hashers::{check_password, make_password, HasherConfig};
//!
//! let cfg = HasherConfig::with_iterations(1000); // tests only; use the Django default in production
//! let encoded = make_password("s3cret", &cfg);
//! assert!(encoded.starts_with("pbkdf2_sha256$1000$"));
//! let check = check_password("s3cret", &encoded, &cfg);
//! assert!(check.ok && !check.must_update);
//! assert!(!check_password("wrong", &encoded, &cfg).ok);
//! ```
//!
//! All of Django's hashers verify: `pbkdf2_sha256`, `pbkdf2_sha1`, `argon2`, `bcrypt_sha256`,
//! `bcrypt`, `scrypt` and `md5`, each only when it is listed in [`HasherConfig::hashers`]
//! (Django's `PASSWORD_HASHERS`; the default list is Django's, without `bcrypt` and `md5`).
//! The first entry is the preferred hasher: new hashes use it, and a correct password stored
//! with another algorithm, or with other parameters, is reported as `must_update`. Each
//! algorithm is one implementation of the internal `Hasher` trait.
//!
//! A hash that cannot be read (unknown algorithm, corrupt fields) is a failed check and a
//! `tracing` warning, never a panic.

mod argon2;
mod bcrypt;
mod md5;
mod passwords;
mod pbkdf2;
pub(crate) use pbkdf2::unoptimized_warning;
mod random;
mod scrypt;

pub use passwords::{Busy, HashQueue, Passwords};
pub use random::{RANDOM_STRING_CHARS, fill_random, new_token_key, random_string};

use std::fmt;
use std::str::FromStr;

use self::argon2::ARGON2;
use self::bcrypt::{BCRYPT, BCRYPT_SHA256};
use self::md5::MD5;
use self::pbkdf2::{MAX_ITERATIONS, PBKDF2_SHA1, PBKDF2_SHA256};
use self::scrypt::SCRYPT;

/// Default PBKDF2 iteration counts of Django releases (docs/django-compat.md §2.2).
const DJANGO_PBKDF2_ITERATIONS: &[(&str, u32)] = &[
    ("3.2", 260_000),
    ("4.0", 320_000),
    ("4.1", 390_000),
    ("4.2", 600_000),
    ("5.0", 720_000),
    ("5.1", 870_000),
    ("5.2", 1_000_000),
    ("6.0", 1_200_000),
    ("6.1", 1_500_000),
];

/// Length of Django's salts: `ceil(128 / log2(62))`.
pub const SALT_LENGTH: usize = 22;

/// Length of the random part of an unusable password (`UNUSABLE_PASSWORD_SUFFIX_LENGTH`).
pub const UNUSABLE_PASSWORD_SUFFIX_LENGTH: usize = 40;

/// The prefix that marks an unusable password (`UNUSABLE_PASSWORD_PREFIX`).
pub const UNUSABLE_PASSWORD_PREFIX: &str = "!";

/// One of Django's password hashers, by the algorithm name its hashes start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `pbkdf2_sha256`: `PBKDF2PasswordHasher`, Django's default.
    Pbkdf2Sha256,
    /// `pbkdf2_sha1`: `PBKDF2SHA1PasswordHasher`.
    Pbkdf2Sha1,
    /// `argon2`: `Argon2PasswordHasher` (argon2id, m=102400, t=2, p=8).
    Argon2,
    /// `bcrypt_sha256`: `BCryptSHA256PasswordHasher` (SHA-256 prehash, 12 rounds).
    BcryptSha256,
    /// `bcrypt`: `BCryptPasswordHasher` (no prehash; not in Django's default list).
    Bcrypt,
    /// `scrypt`: `ScryptPasswordHasher` (N=2^14, r=8, p=5).
    Scrypt,
    /// `md5`: `MD5PasswordHasher` (salted MD5; insecure, not in Django's default list).
    Md5,
}

impl Algorithm {
    /// Every algorithm, in the order of [`Algorithm::name`]'s table.
    pub const ALL: [Self; 7] = [
        Self::Pbkdf2Sha256,
        Self::Pbkdf2Sha1,
        Self::Argon2,
        Self::BcryptSha256,
        Self::Bcrypt,
        Self::Scrypt,
        Self::Md5,
    ];

    /// Django's default `PASSWORD_HASHERS` (3.2 through 6.1), preferred first.
    pub const DJANGO_DEFAULT: [Self; 5] = [
        Self::Pbkdf2Sha256,
        Self::Pbkdf2Sha1,
        Self::Argon2,
        Self::BcryptSha256,
        Self::Scrypt,
    ];

    /// The algorithm name, as in the stored hashes (`pbkdf2_sha256`, `argon2`…).
    pub fn name(self) -> &'static str {
        self.hasher().algorithm()
    }

    /// Django's class path (`django.contrib.auth.hashers.PBKDF2PasswordHasher`…).
    pub fn django_class(self) -> &'static str {
        match self {
            Self::Pbkdf2Sha256 => "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            Self::Pbkdf2Sha1 => "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
            Self::Argon2 => "django.contrib.auth.hashers.Argon2PasswordHasher",
            Self::BcryptSha256 => "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
            Self::Bcrypt => "django.contrib.auth.hashers.BCryptPasswordHasher",
            Self::Scrypt => "django.contrib.auth.hashers.ScryptPasswordHasher",
            Self::Md5 => "django.contrib.auth.hashers.MD5PasswordHasher",
        }
    }

    pub(crate) fn hasher(self) -> &'static dyn Hasher {
        match self {
            Self::Pbkdf2Sha256 => &PBKDF2_SHA256,
            Self::Pbkdf2Sha1 => &PBKDF2_SHA1,
            Self::Argon2 => &ARGON2,
            Self::BcryptSha256 => &BCRYPT_SHA256,
            Self::Bcrypt => &BCRYPT,
            Self::Scrypt => &SCRYPT,
            Self::Md5 => &MD5,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = String;

    /// An algorithm name (`argon2`) or a Django class path
    /// (`django.contrib.auth.hashers.Argon2PasswordHasher`, or just `Argon2PasswordHasher`).
    ///
    /// ```
    /// use drf_runtime::hashers::Algorithm;
    /// assert_eq!("md5".parse(), Ok(Algorithm::Md5));
    /// assert_eq!("django.contrib.auth.hashers.ScryptPasswordHasher".parse(), Ok(Algorithm::Scrypt));
    /// assert!("sha1".parse::<Algorithm>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|a| {
                let path = a.django_class();
                s == a.name() || s == path || path.rsplit('.').next() == Some(s)
            })
            .ok_or_else(|| {
                format!(
                    "unknown password hasher {s:?} (known: {})",
                    Self::ALL.map(Self::name).join(", ")
                )
            })
    }
}

/// Password hashing settings: Django's `PASSWORD_HASHERS` and the PBKDF2 iteration count,
/// which must equal those of the Django release sharing the database. Django rewrites every
/// hash whose algorithm or parameters differ from its preferred hasher's at the next login, in
/// both directions, so two stacks that disagree flip-flop the stored hashes (docs/django-compat.md
/// §2.2, §7.1). [`HasherConfig::django`] gives a release's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HasherConfig {
    /// PBKDF2 iterations for new hashes; stored PBKDF2 hashes with another count report
    /// `must_update` when PBKDF2 is preferred. Values are clamped to `1..=100_000_000`.
    pub pbkdf2_iterations: u32,
    /// Django's `PASSWORD_HASHERS`: the algorithms that verify, the preferred (used for new
    /// hashes) first. Hashes of unlisted algorithms never verify. Empty means Django's default.
    pub hashers: Vec<Algorithm>,
}

impl Default for HasherConfig {
    /// Django 6.1's parameters: 1,500,000 PBKDF2 iterations, Django's default hasher list.
    fn default() -> Self {
        Self::with_iterations(1_500_000)
    }
}

impl HasherConfig {
    /// The defaults of a Django release, given as `"5.2"` or a full version such as `"5.2.19"`.
    /// Known: 3.2 and 4.0 through 6.1. `None` for anything else.
    ///
    /// ```
    /// use drf_runtime::hashers::HasherConfig;
    /// assert_eq!(HasherConfig::django("5.2.19").unwrap().pbkdf2_iterations, 1_000_000);
    /// assert_eq!(HasherConfig::django("6.1"), Some(HasherConfig::default()));
    /// assert_eq!(HasherConfig::django("2.2"), None);
    /// ```
    pub fn django(version: &str) -> Option<Self> {
        let mut parts = version.trim().split('.');
        let major = parts.next()?;
        let minor: String = parts
            .next()?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let key = format!("{major}.{minor}");
        DJANGO_PBKDF2_ITERATIONS
            .iter()
            .find(|(v, _)| *v == key)
            .map(|&(_, n)| Self::with_iterations(n))
    }

    /// Django's default hasher list with the given PBKDF2 iteration count (small counts are for
    /// tests).
    pub fn with_iterations(pbkdf2_iterations: u32) -> Self {
        Self {
            pbkdf2_iterations,
            hashers: Algorithm::DJANGO_DEFAULT.to_vec(),
        }
    }

    /// The same settings with another `PASSWORD_HASHERS` list (preferred first).
    ///
    /// ```
    /// use drf_runtime::hashers::{Algorithm, HasherConfig};
    /// let cfg = HasherConfig::default().with_hashers([Algorithm::Argon2, Algorithm::Pbkdf2Sha256]);
    /// assert_eq!(cfg.preferred(), Algorithm::Argon2);
    /// ```
    pub fn with_hashers(mut self, hashers: impl IntoIterator<Item = Algorithm>) -> Self {
        self.hashers = hashers.into_iter().collect();
        self
    }

    /// The iteration count actually used: `pbkdf2_iterations` clamped to `1..=100_000_000`.
    pub fn iterations(&self) -> u32 {
        self.pbkdf2_iterations.clamp(1, MAX_ITERATIONS)
    }

    /// The preferred hasher: the first of [`HasherConfig::hashers`] (`pbkdf2_sha256` when the
    /// list is empty).
    pub fn preferred(&self) -> Algorithm {
        self.hashers
            .first()
            .copied()
            .unwrap_or(Algorithm::Pbkdf2Sha256)
    }

    /// Whether hashes of `algorithm` verify (it is listed, or the list is empty and it is in
    /// Django's default list).
    pub fn enables(&self, algorithm: Algorithm) -> bool {
        if self.hashers.is_empty() {
            Algorithm::DJANGO_DEFAULT.contains(&algorithm)
        } else {
            self.hashers.contains(&algorithm)
        }
    }

    /// Parses `PASSWORD_HASHERS` as the environment gives it: names or Django class paths,
    /// separated by commas (spaces, brackets and quotes are ignored, so a Python list pasted
    /// from Django's settings works).
    ///
    /// ```
    /// use drf_runtime::hashers::{Algorithm, HasherConfig};
    /// let list = HasherConfig::parse_hashers(
    ///     r#"["django.contrib.auth.hashers.Argon2PasswordHasher", "pbkdf2_sha256"]"#,
    /// ).unwrap();
    /// assert_eq!(list, [Algorithm::Argon2, Algorithm::Pbkdf2Sha256]);
    /// ```
    pub fn parse_hashers(value: &str) -> Result<Vec<Algorithm>, String> {
        let list: Vec<Algorithm> = value
            .split(',')
            .map(|s| s.trim_matches(|c: char| c.is_whitespace() || "[]()\"'".contains(c)))
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        if list.is_empty() {
            return Err("PASSWORD_HASHERS must list at least one hasher".to_owned());
        }
        Ok(list)
    }
}

/// The result of [`check_password`] (Django's `verify_password`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PasswordCheck {
    /// The password matches the stored hash.
    pub ok: bool,
    /// The stored hash was made by another algorithm or with other parameters than the
    /// configured default. When `ok` is also true, Django re-hashes the password with
    /// [`make_password`] and saves it (`UPDATE auth_user SET password = ...`).
    pub must_update: bool,
}

impl PasswordCheck {
    /// `ok && must_update`: the caller should store a fresh hash of the password.
    pub fn needs_rehash(&self) -> bool {
        self.ok && self.must_update
    }
}

/// A stored hash that a hasher cannot parse (Django raises `ValueError` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// One of Django's password hashers (one implementation per algorithm).
///
/// Methods return `Err(Malformed)` where Django's hasher would raise; [`check_password`] turns
/// that into a failed check after equalizing the timing.
pub(crate) trait Hasher: Sync {
    /// The algorithm name: the text before the first `$` of the hashes it makes.
    fn algorithm(&self) -> &'static str;
    /// Whether `password` matches `encoded` (compared in constant time).
    fn verify(&self, password: &str, encoded: &str) -> Result<bool, Malformed>;
    /// Whether `encoded` was made with parameters other than `cfg`'s (asked only of the
    /// preferred hasher, as Django does).
    fn must_update(&self, encoded: &str, cfg: &HasherConfig) -> Result<bool, Malformed>;
    /// Extra work after a failed check of an outdated hash, so that it costs as much as a check
    /// against a hash with the current parameters. Nothing by default (argon2, scrypt, md5).
    fn harden_runtime(&self, password: &str, encoded: &str, cfg: &HasherConfig) {
        let _ = (password, encoded, cfg);
    }
    /// A fresh salt (Django's `salt()`): 22 random `[a-zA-Z0-9]` characters by default.
    fn salt(&self) -> String {
        random_string(SALT_LENGTH, RANDOM_STRING_CHARS)
    }
    /// Hashes `password` with `salt` and `cfg`'s parameters.
    fn encode(&self, password: &str, salt: &str, cfg: &HasherConfig) -> String;
}

/// Django's `identify_hasher`: the algorithm name a stored hash claims, if one can be read.
///
/// Unsalted MD5 (32 hex chars, or `md5$$` + 32) and unsalted SHA-1 (`sha1$$` + 40) are
/// recognized by shape; otherwise the text before the first `$` (none without a `$`).
///
/// ```
/// use drf_runtime::hashers::identify_algorithm;
/// assert_eq!(identify_algorithm("pbkdf2_sha256$1$s$h"), Some("pbkdf2_sha256"));
/// assert_eq!(identify_algorithm("5f4dcc3b5aa765d61d8327deb882cf99"), Some("unsalted_md5"));
/// assert_eq!(identify_algorithm("garbage"), None);
/// ```
pub fn identify_algorithm(encoded: &str) -> Option<&str> {
    let len = encoded.chars().count();
    if (len == 32 && !encoded.contains('$')) || (len == 37 && encoded.starts_with("md5$$")) {
        Some("unsalted_md5")
    } else if len == 46 && encoded.starts_with("sha1$$") {
        Some("unsalted_sha1")
    } else {
        encoded.split_once('$').map(|(algorithm, _)| algorithm)
    }
}

/// The hasher for a stored hash, if its algorithm is enabled in `cfg`.
fn hasher_for(encoded: &str, cfg: &HasherConfig) -> Option<&'static dyn Hasher> {
    let name = identify_algorithm(encoded)?;
    Algorithm::ALL
        .into_iter()
        .find(|a| a.name() == name && cfg.enables(*a))
        .map(Algorithm::hasher)
}

/// Django's `salt.must_update_salt`: the salt carries fewer than 128 bits of entropy at
/// `log2(62)` bits per character, i.e. it is shorter than 22 characters.
pub(crate) fn must_update_salt(salt: &str) -> bool {
    must_update_salt_len(salt.chars().count())
}

/// [`must_update_salt`] for a salt of `len` characters.
pub(crate) fn must_update_salt_len(len: usize) -> bool {
    (len as f64) * 62f64.log2() < 128.0
}

/// Runs the default hasher once on a random password, to make a check that fails early cost as
/// much as a real one (Django's `make_password(get_random_string(40))`).
fn equalize_timing(cfg: &HasherConfig) {
    let _ = make_password(
        &random_string(UNUSABLE_PASSWORD_SUFFIX_LENGTH, RANDOM_STRING_CHARS),
        cfg,
    );
}

/// The first characters of a stored hash, for log messages (never the whole hash).
fn hash_prefix(encoded: &str) -> String {
    let algorithm = identify_algorithm(encoded).unwrap_or("");
    let shown: String = algorithm.chars().take(24).collect();
    if shown.is_empty() {
        format!("<{} chars>", encoded.chars().count())
    } else {
        shown
    }
}

/// Django's `verify_password(password, encoded)`: whether `password` matches the stored hash,
/// and whether the hash should be rewritten with the current parameters (docs/django-compat.md §2.1).
///
/// Never panics on any `encoded` value; unusable (`!…`), empty, unknown and malformed hashes
/// give `ok = false, must_update = false` after one run of the default hasher, and unknown or
/// malformed ones log a warning. This is CPU-heavy: in async code use [`Passwords::check`].
pub fn check_password(password: &str, encoded: &str, cfg: &HasherConfig) -> PasswordCheck {
    const FAILED: PasswordCheck = PasswordCheck {
        ok: false,
        must_update: false,
    };
    if !is_password_usable(encoded) {
        equalize_timing(cfg);
        return FAILED;
    }
    let Some(hasher) = hasher_for(encoded, cfg) else {
        tracing::warn!(
            algorithm = %hash_prefix(encoded),
            "password hash of an unknown or disabled algorithm: the check fails"
        );
        equalize_timing(cfg);
        return FAILED;
    };
    let preferred = cfg.preferred().hasher();
    let hasher_changed = hasher.algorithm() != preferred.algorithm();
    let must_update = if hasher_changed {
        Ok(true)
    } else {
        preferred.must_update(encoded, cfg)
    };
    let (Ok(must_update), Ok(ok)) = (must_update, hasher.verify(password, encoded)) else {
        // Django raises ValueError (a 500) here; we fail the check instead.
        tracing::warn!(
            algorithm = hasher.algorithm(),
            "malformed password hash: the check fails"
        );
        equalize_timing(cfg);
        return FAILED;
    };
    if !ok && !hasher_changed && must_update {
        hasher.harden_runtime(password, encoded, cfg);
    }
    PasswordCheck { ok, must_update }
}

/// Django's `make_password(password)`: a hash by the preferred hasher of `cfg` (by default
/// `pbkdf2_sha256` with `cfg`'s iteration count and a fresh 22-character `[a-zA-Z0-9]` salt
/// from the OS CSPRNG).
///
/// CPU-heavy: in async code use [`Passwords::make`].
///
/// # Panics
///
/// Only if the OS random number generator fails (see [`fill_random`]).
pub fn make_password(password: &str, cfg: &HasherConfig) -> String {
    let hasher = cfg.preferred().hasher();
    hasher.encode(password, &hasher.salt(), cfg)
}

/// [`make_password`] with a given algorithm and salt (Django's `make_password(password, salt,
/// hasher)`), for tests and fixtures. `salt` must be in the algorithm's salt format (bcrypt:
/// `$2b$12$` + 22 characters); `None` draws a fresh one.
///
/// ```
/// use drf_runtime::hashers::{Algorithm, HasherConfig, make_password_with};
/// let cfg = HasherConfig::default();
/// assert_eq!(
///     make_password_with("correct horse battery staple", Algorithm::Md5, Some("Z7yq2bT9cLwX4mN8pR1sVd"), &cfg),
///     "md5$Z7yq2bT9cLwX4mN8pR1sVd$ae58b98156ca895c2b5372bfce09570f",
/// );
/// ```
pub fn make_password_with(
    password: &str,
    algorithm: Algorithm,
    salt: Option<&str>,
    cfg: &HasherConfig,
) -> String {
    let hasher = algorithm.hasher();
    match salt {
        Some(salt) => hasher.encode(password, salt, cfg),
        None => hasher.encode(password, &hasher.salt(), cfg),
    }
}

/// Django's `make_password(None)`: `"!"` followed by 40 random `[a-zA-Z0-9]` characters.
/// Such a value never verifies.
///
/// ```
/// let p = drf_runtime::hashers::make_unusable_password();
/// assert_eq!(p.len(), 41);
/// assert!(!drf_runtime::hashers::is_password_usable(&p));
/// ```
///
/// # Panics
///
/// Only if the OS random number generator fails (see [`fill_random`]).
pub fn make_unusable_password() -> String {
    let mut out = String::with_capacity(1 + UNUSABLE_PASSWORD_SUFFIX_LENGTH);
    out.push_str(UNUSABLE_PASSWORD_PREFIX);
    out.push_str(&random_string(
        UNUSABLE_PASSWORD_SUFFIX_LENGTH,
        RANDOM_STRING_CHARS,
    ));
    out
}

/// Django's `is_password_usable`: false for values starting with `!` (set by
/// `set_unusable_password`). A usable value may still fail to verify (an empty or unknown hash).
pub fn is_password_usable(encoded: &str) -> bool {
    !encoded.starts_with(UNUSABLE_PASSWORD_PREFIX)
}

#[cfg(test)]
mod tests;
