//! Parsing of the `Authorization` header exactly as DRF does it (on raw bytes).
//!
//! DRF reads the header as latin-1 bytes and splits it with Python's `bytes.split()`: runs of
//! ASCII whitespace (space, `\t`, `\n`, `\v`, `\f`, `\r`) separate words.

use std::borrow::Cow;

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// Python's `bytes.split()` with no argument.
pub fn split_words(raw: &[u8]) -> Vec<&[u8]> {
    raw.split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The `Authorization` header as DRF sees it behind a WSGI server: repeated headers are
/// joined with `,` (so two sets of credentials are never silently reduced to one).
pub fn authorization_bytes(headers: &HeaderMap) -> Cow<'_, [u8]> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(first) = values.next() else {
        return Cow::Borrowed(&[]);
    };
    let mut rest = values.peekable();
    if rest.peek().is_none() {
        return Cow::Borrowed(first.as_bytes());
    }
    let mut joined = first.as_bytes().to_vec();
    for v in rest {
        joined.push(b',');
        joined.extend_from_slice(v.as_bytes());
    }
    Cow::Owned(joined)
}

/// What a `<keyword> <credentials>` header holds, for a given keyword.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials<'a> {
    /// Another scheme, or no header: step aside.
    NotMine,
    /// The keyword alone.
    Missing,
    /// More than one word after the keyword.
    HasSpaces,
    /// The single credentials word.
    Word(&'a [u8]),
}

/// Splits the header for `keyword` (compared case-insensitively, ASCII only, as Python's
/// `bytes.lower()`).
pub fn credentials_for<'a>(words: &[&'a [u8]], keyword: &str) -> Credentials<'a> {
    match words {
        [] => Credentials::NotMine,
        [first, ..] if !first.eq_ignore_ascii_case(keyword.as_bytes()) => Credentials::NotMine,
        [_] => Credentials::Missing,
        [_, word] => Credentials::Word(word),
        _ => Credentials::HasSpaces,
    }
}

/// Decodes bytes as UTF-8, falling back to latin-1 as DRF's Basic does.
pub fn utf8_or_latin1(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python_bytes_split() {
        assert_eq!(
            split_words(b"  Basic \t abc  "),
            vec![&b"Basic"[..], b"abc"]
        );
        assert!(split_words(b"   ").is_empty());
        assert_eq!(split_words(b"a\x0bb\x0cc"), vec![&b"a"[..], b"b", b"c"]);
        // \x1c..\x1f are whitespace for str.split but not for bytes.split.
        assert_eq!(split_words(b"a\x1cb"), vec![&b"a\x1cb"[..]]);
    }

    #[test]
    fn keyword_is_case_insensitive() {
        let w = split_words(b"bAsIc abc");
        assert_eq!(credentials_for(&w, "Basic"), Credentials::Word(b"abc"));
        assert_eq!(
            credentials_for(&split_words(b"Basic"), "Basic"),
            Credentials::Missing
        );
        assert_eq!(
            credentials_for(&split_words(b"Basic a b"), "Basic"),
            Credentials::HasSpaces
        );
        assert_eq!(
            credentials_for(&split_words(b"Basicabc"), "Basic"),
            Credentials::NotMine
        );
        assert_eq!(credentials_for(&[], "Basic"), Credentials::NotMine);
    }

    #[test]
    fn latin1_fallback() {
        assert_eq!(utf8_or_latin1("é".as_bytes()), "é");
        assert_eq!(utf8_or_latin1(b"\xe9"), "é");
    }

    mod properties {
        use super::super::*;
        use base64::Engine;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn parsers_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
                let words = split_words(&raw);
                let _ = credentials_for(&words, "Basic");
                let _ = credentials_for(&words, "Token");
                let _ = crate::pycompat::b64decode(&raw);
                let _ = utf8_or_latin1(&raw);
                for w in &words {
                    prop_assert!(!w.is_empty());
                    prop_assert!(!w.iter().any(|b| b" \t\n\x0b\x0c\r".contains(b)));
                }
            }

            #[test]
            fn b64_roundtrips_standard_encoding(data in proptest::collection::vec(any::<u8>(), 0..100)) {
                let enc = base64::engine::general_purpose::STANDARD.encode(&data);
                prop_assert_eq!(crate::pycompat::b64decode(enc.as_bytes()), Some(data));
            }

            #[test]
            fn header_words_rejoin(words in proptest::collection::vec("[!-~]{1,10}", 0..5), sep in "[ \t]{1,3}") {
                let joined = words.join(&sep);
                let split: Vec<&[u8]> = split_words(joined.as_bytes());
                prop_assert_eq!(split.len(), words.len());
            }
        }
    }
}
