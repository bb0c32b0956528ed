//! Django's checks of `auth.User` fields and its default password validators, with Django's
//! messages.

/// `auth_user.username` max length.
const USERNAME_MAX_LENGTH: usize = 150;
/// `auth_user.email` max length.
const EMAIL_MAX_LENGTH: usize = 254;
/// `MinimumLengthValidator`'s default.
const PASSWORD_MIN_LENGTH: usize = 8;
/// `UserAttributeSimilarityValidator`'s default.
const MAX_SIMILARITY: f64 = 0.7;

/// Django's `BaseUserManager.normalize_email`: lower-cases the domain part only.
pub(crate) fn normalize_email(email: &str) -> String {
    match email.trim().rsplit_once('@') {
        Some((name, domain)) => format!("{name}@{}", domain.to_lowercase()),
        None => email.to_owned(),
    }
}

/// Python's `\w` (Unicode): letters, digits and the underscore.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `CharField(max_length=n).clean` length message, if `value` is too long.
fn max_length_error(value: &str, max: usize) -> Option<String> {
    let n = value.chars().count();
    (n > max).then(|| format!("Ensure this value has at most {max} characters (it has {n})."))
}

/// `username` field validation (`UnicodeUsernameValidator`, max length 150) with Django's
/// messages, joined by `"; "` as `createsuperuser` joins them. Blank values are the caller's
/// concern (their message differs by context).
pub(crate) fn username_errors(username: &str) -> Option<String> {
    let mut errors = Vec::new();
    if !username
        .chars()
        .all(|c| is_word_char(c) || matches!(c, '.' | '@' | '+' | '-'))
    {
        errors.push(
            "Enter a valid username. This value may contain only letters, numbers, and \
             @/./+/-/_ characters."
                .to_owned(),
        );
    }
    errors.extend(max_length_error(username, USERNAME_MAX_LENGTH));
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// `email` field validation (`EmailValidator`, max length 254). The empty string is valid
/// (the field is `blank=True`).
pub(crate) fn email_errors(email: &str) -> Option<String> {
    if email.is_empty() {
        return None;
    }
    let mut errors = Vec::new();
    if !is_valid_email(email) {
        errors.push("Enter a valid email address.".to_owned());
    }
    errors.extend(max_length_error(email, EMAIL_MAX_LENGTH));
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// Django's `EmailValidator`: a dot-atom or quoted local part, and a domain that is
/// `localhost`, a host name with a top-level domain, or an IP literal in brackets.
fn is_valid_email(value: &str) -> bool {
    if value.chars().count() > 320 {
        return false;
    }
    let Some((user, domain)) = value.rsplit_once('@') else {
        return false;
    };
    valid_email_user(user) && (domain == "localhost" || valid_email_domain(domain))
}

fn valid_email_user(user: &str) -> bool {
    const ATEXT: &str = "-!#$%&'*+/=?^_`{}|~";
    let atom = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || ATEXT.contains(c))
    };
    if user.split('.').all(atom) {
        return true;
    }
    // quoted-string: "..." with printable ASCII (no bare `"` or `\`) and backslash escapes.
    let Some(inner) = user
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .filter(|_| user.len() >= 2)
    else {
        return false;
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let ok = match c {
            '\\' => chars
                .next()
                .is_some_and(|e| matches!(e, '\x01'..='\x09' | '\x0b' | '\x0c' | '\x0e'..='\x7f')),
            '"' => false,
            c => {
                matches!(c, '\x01'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '!' | '#'..='\x7f')
            }
        };
        if !ok {
            return false;
        }
    }
    true
}

fn valid_email_domain(domain: &str) -> bool {
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return literal.parse::<std::net::IpAddr>().is_ok()
            || literal
                .strip_prefix("IPv6:")
                .is_some_and(|v6| v6.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((tld, hosts)) = labels.split_last() else {
        return false;
    };
    if hosts.is_empty() {
        return false;
    }
    let unicode = |c: char| u32::from(c) >= 0xa1;
    let label_ok = |l: &str| {
        let n = l.chars().count();
        (1..=63).contains(&n)
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || unicode(c))
    };
    let tld_ok = |t: &str| {
        let n = t.chars().count();
        if let Some(puny) = t.strip_prefix("xn--") {
            return (1..=59).contains(&puny.len())
                && puny.bytes().all(|b| b.is_ascii_alphanumeric());
        }
        (2..=63).contains(&n)
            && t.chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || unicode(c))
    };
    hosts.iter().all(|l| label_ok(l)) && tld_ok(tld)
}

/// The user attributes `UserAttributeSimilarityValidator` compares a password with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct UserAttributes<'a> {
    pub(crate) username: &'a str,
    pub(crate) first_name: &'a str,
    pub(crate) last_name: &'a str,
    pub(crate) email: &'a str,
}

/// Django's default `AUTH_PASSWORD_VALIDATORS` (what `startproject` writes), in their order:
/// `UserAttributeSimilarityValidator`, `MinimumLengthValidator` (8),
/// `CommonPasswordValidator` (not included: it needs Django's list of 20,000 passwords) and
/// `NumericPasswordValidator`. Returns every message, as `validate_password` collects them.
pub(crate) fn password_errors(password: &str, user: &UserAttributes<'_>) -> Vec<String> {
    let mut errors = Vec::new();
    if let Some(e) = similarity_error(password, user) {
        errors.push(e);
    }
    if password.chars().count() < PASSWORD_MIN_LENGTH {
        errors.push(format!(
            "This password is too short. It must contain at least {PASSWORD_MIN_LENGTH} \
             characters."
        ));
    }
    if !password.is_empty() && password.chars().all(char::is_numeric) {
        errors.push("This password is entirely numeric.".to_owned());
    }
    errors
}

/// `UserAttributeSimilarityValidator.validate` (max similarity 0.7).
fn similarity_error(password: &str, user: &UserAttributes<'_>) -> Option<String> {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    let attributes = [
        (user.username, "username"),
        (user.first_name, "first name"),
        (user.last_name, "last name"),
        (user.email, "email address"),
    ];
    for (value, verbose_name) in attributes {
        if value.is_empty() {
            continue;
        }
        let lower = value.to_lowercase();
        // re.split(r"\W+", value_lower) + [value_lower]
        let mut parts: Vec<&str> = split_non_word(&lower);
        parts.push(&lower);
        for part in parts {
            let part: Vec<char> = part.chars().collect();
            if exceeds_maximum_length_ratio(password.len(), part.len()) {
                continue;
            }
            if quick_ratio(&password, &part) >= MAX_SIMILARITY {
                return Some(format!(
                    "The password is too similar to the {verbose_name}."
                ));
            }
        }
    }
    None
}

/// `re.split(r"\W+", s)`: pieces between runs of non-word characters (empty pieces kept at the
/// ends, as Python keeps them).
fn split_non_word(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_sep = false;
    for (i, c) in s.char_indices() {
        if is_word_char(c) {
            if in_sep {
                start = i;
                in_sep = false;
            }
        } else if !in_sep {
            parts.push(&s[start..i]);
            in_sep = true;
        }
    }
    parts.push(if in_sep { "" } else { &s[start..] });
    parts
}

/// Django's `exceeds_maximum_length_ratio`: a password ten times longer than the value is not
/// compared with it.
fn exceeds_maximum_length_ratio(password_len: usize, value_len: usize) -> bool {
    let bound = MAX_SIMILARITY / 2.0 * password_len as f64;
    password_len >= 10 * value_len && (value_len as f64) < bound
}

/// `difflib.SequenceMatcher(a, b).quick_ratio()`: `2 * common / (len(a) + len(b))`, where
/// `common` counts characters shared as multisets.
fn quick_ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let mut available: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for &c in b {
        *available.entry(c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a {
        if let Some(n) = available.get_mut(c).filter(|n| **n > 0) {
            *n -= 1;
            matches += 1;
        }
    }
    2.0 * matches as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked_as_django_does() {
        assert_eq!(normalize_email("Foo@EXAMPLE.com"), "Foo@example.com");
        assert_eq!(normalize_email("nodomain"), "nodomain");
        assert_eq!(normalize_email(""), "");
        for ok in [
            "a@example.com",
            "first.last+tag@sub.example.co.uk",
            "root@localhost",
            "x@[127.0.0.1]",
            "\"quoted\\ name\"@example.org",
            "u@bücher.de",
        ] {
            assert_eq!(email_errors(ok), None, "{ok}");
        }
        for bad in [
            "plain",
            "a@b",
            "a@-x.com",
            "a..b@example.com",
            "@example.com",
            "a@example.c",
            "\"quoted name\"@example.org",
            "ü@example.com",
        ] {
            assert_eq!(
                email_errors(bad).as_deref(),
                Some("Enter a valid email address."),
                "{bad}"
            );
        }
        assert_eq!(email_errors(""), None);
    }

    #[test]
    fn usernames_follow_the_unicode_username_validator() {
        assert_eq!(username_errors("alice.b+c@d-e_f"), None);
        assert_eq!(username_errors("jürgen"), None);
        assert!(
            username_errors("with space")
                .unwrap()
                .starts_with("Enter a valid username.")
        );
        let long = "a".repeat(151);
        assert_eq!(
            username_errors(&long).as_deref(),
            Some("Ensure this value has at most 150 characters (it has 151).")
        );
    }

    #[test]
    fn password_validators_give_djangos_messages_in_order() {
        let user = UserAttributes {
            username: "alice",
            email: "alice@example.com",
            ..UserAttributes::default()
        };
        assert_eq!(
            password_errors("alice", &user),
            [
                "The password is too similar to the username.",
                "This password is too short. It must contain at least 8 characters.",
            ]
        );
        assert_eq!(
            password_errors("1234567", &user),
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is entirely numeric.",
            ]
        );
        assert!(password_errors("correct horse battery staple", &user).is_empty());
        assert_eq!(
            password_errors("Example.Com!", &user),
            ["The password is too similar to the email address."]
        );
    }

    #[test]
    fn python_helpers() {
        assert_eq!(split_non_word("a.b--c"), ["a", "b", "c"]);
        assert_eq!(split_non_word(".a."), ["", "a", ""]);
        let r = quick_ratio(&['a', 'b', 'c'], &['c', 'b', 'x', 'y']);
        assert!((r - 4.0 / 7.0).abs() < 1e-9);
        assert!(exceeds_maximum_length_ratio(40, 2));
        assert!(!exceeds_maximum_length_ratio(8, 5));
    }
}
