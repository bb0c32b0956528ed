//! Django's password hashers: verify and create the `auth_user.password` strings that Django
//! reads and writes (DJANGO_COMPAT.md §2).
//!
//! [`check_password`] follows Django's `verify_password` step for step: unusable (`!…`) and
//! unknown or malformed hashes verify as false after the default hasher has run once on a
//! random string (so they take as long as a real check); a hash made with other parameters
//! than the configured ones reports `must_update`, and a failed check of such a hash runs the
//! missing work (`harden_runtime`). [`make_password`] writes `pbkdf2_sha256` hashes with a
//! fresh 22-character salt.
//!
//! Hashing is deliberately slow (1.5 million PBKDF2 rounds by default), so async code should use
//! [`Passwords`], which runs it on tokio's blocking pool, bounded to one hash per CPU.
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
//! Supported algorithms: `pbkdf2_sha256` (Django's default) and `pbkdf2_sha1`. Hashes of other
//! algorithms (argon2, bcrypt, scrypt, md5, ...) are identified as Django identifies them but do
//! not verify, like a hasher that is missing from Django's `PASSWORD_HASHERS`. Each algorithm is
//! one implementation of the internal `Hasher` trait, so adding one is a new module plus an entry
//! in the registry.

mod passwords;
mod pbkdf2;
mod random;

pub use passwords::Passwords;
pub use random::{RANDOM_STRING_CHARS, fill_random, new_token_key, random_string};

use self::pbkdf2::{MAX_ITERATIONS, PBKDF2_SHA1, PBKDF2_SHA256};

/// Default PBKDF2 iteration counts of Django releases (DJANGO_COMPAT.md §2.2).
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

/// Parameters of the preferred (default) hasher, which must equal those of the Django release
/// sharing the database: Django rewrites every hash whose parameters differ from its own at the
/// next login, in both directions (DJANGO_COMPAT.md §2.2, §7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HasherConfig {
    /// PBKDF2 iterations for new hashes; stored hashes with another count report
    /// `must_update`. Values are clamped to `1..=100_000_000`.
    pub pbkdf2_iterations: u32,
}

impl Default for HasherConfig {
    /// Django 6.1's parameters: 1,500,000 PBKDF2 iterations.
    fn default() -> Self {
        Self {
            pbkdf2_iterations: 1_500_000,
        }
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

    /// A configuration with the given PBKDF2 iteration count (small counts are for tests).
    pub fn with_iterations(pbkdf2_iterations: u32) -> Self {
        Self { pbkdf2_iterations }
    }

    /// The iteration count actually used: `pbkdf2_iterations` clamped to `1..=100_000_000`.
    pub fn iterations(&self) -> u32 {
        self.pbkdf2_iterations.clamp(1, MAX_ITERATIONS)
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
    /// against a hash with the current parameters.
    fn harden_runtime(&self, password: &str, encoded: &str, cfg: &HasherConfig);
    /// Hashes `password` with `salt` and `cfg`'s parameters.
    fn encode(&self, password: &str, salt: &str, cfg: &HasherConfig) -> String;
}

/// The hashers that verify, preferred (default) first: Django's `PASSWORD_HASHERS`.
static HASHERS: &[&dyn Hasher] = &[&PBKDF2_SHA256, &PBKDF2_SHA1];

fn preferred() -> &'static dyn Hasher {
    HASHERS[0]
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

/// The hasher for a stored hash, if its algorithm is supported.
fn hasher_for(encoded: &str) -> Option<&'static dyn Hasher> {
    let algorithm = identify_algorithm(encoded)?;
    HASHERS.iter().copied().find(|h| h.algorithm() == algorithm)
}

/// Django's `salt.must_update_salt`: the salt carries fewer than 128 bits of entropy at
/// `log2(62)` bits per character, i.e. it is shorter than 22 characters.
pub(crate) fn must_update_salt(salt: &str) -> bool {
    (salt.chars().count() as f64) * 62f64.log2() < 128.0
}

/// Runs the default hasher once on a random password, to make a check that fails early cost as
/// much as a real one (Django's `make_password(get_random_string(40))`).
fn equalize_timing(cfg: &HasherConfig) {
    let _ = make_password(
        &random_string(UNUSABLE_PASSWORD_SUFFIX_LENGTH, RANDOM_STRING_CHARS),
        cfg,
    );
}

/// Django's `verify_password(password, encoded)`: whether `password` matches the stored hash,
/// and whether the hash should be rewritten with the current parameters (§2.1).
///
/// Never panics on any `encoded` value; unusable (`!…`), empty, unknown and malformed hashes
/// give `ok = false, must_update = false` after one run of the default hasher. This is
/// CPU-heavy: in async code use [`Passwords::check`].
pub fn check_password(password: &str, encoded: &str, cfg: &HasherConfig) -> PasswordCheck {
    const FAILED: PasswordCheck = PasswordCheck {
        ok: false,
        must_update: false,
    };
    let hasher = match hasher_for(encoded) {
        Some(h) if is_password_usable(encoded) => h,
        _ => {
            equalize_timing(cfg);
            return FAILED;
        }
    };
    let preferred = preferred();
    let hasher_changed = hasher.algorithm() != preferred.algorithm();
    let must_update = if hasher_changed {
        Ok(true)
    } else {
        preferred.must_update(encoded, cfg)
    };
    let (Ok(must_update), Ok(ok)) = (must_update, hasher.verify(password, encoded)) else {
        // Django raises ValueError (a 500) here; we fail the check instead.
        equalize_timing(cfg);
        return FAILED;
    };
    if !ok && !hasher_changed && must_update {
        hasher.harden_runtime(password, encoded, cfg);
    }
    PasswordCheck { ok, must_update }
}

/// Django's `make_password(password)`: a `pbkdf2_sha256` hash with `cfg`'s iteration count and
/// a fresh 22-character `[a-zA-Z0-9]` salt from the OS CSPRNG.
///
/// CPU-heavy: in async code use [`Passwords::make`].
///
/// # Panics
///
/// Only if the OS random number generator fails (see [`fill_random`]).
pub fn make_password(password: &str, cfg: &HasherConfig) -> String {
    preferred().encode(
        password,
        &random_string(SALT_LENGTH, RANDOM_STRING_CHARS),
        cfg,
    )
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
