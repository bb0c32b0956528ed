//! Python's text codecs where a request's `charset` decides how its body is read: the names
//! `codecs.lookup` knows (tables generated from CPython's `encodings` package by
//! `tests/drf_reference/codecs_table.py`, in `codecs_table.rs`), and the decoders of the
//! charsets clients send, with CPython's error texts.
//!
//! Django takes the `charset` of the `Content-Type` when `codecs.lookup` resolves it (else
//! UTF-8); DRF then refuses a codec that is no text encoding (`bz2`, `hex`) and decodes the
//! body with the others. Python has some hundred more text codecs (Windows and ISO code
//! pages, the CJK ones) than are decoded here. Most of them read ASCII as ASCII, so a body of
//! ASCII alone is read as Python reads it ([`Charset::AsciiOnly`]); any other body in such a
//! charset, or in one that does not read ASCII as ASCII (EBCDIC, UTF-7), is refused as DRF
//! refuses a codec it cannot use ([`Charset::Unsupported`]) rather than read as something it
//! is not.

use std::borrow::Cow;

include!("codecs_table.rs");

/// What a `charset` parameter means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// A codec decoded here.
    Known(Codec),
    /// A text codec not decoded here that reads ASCII as ASCII: a body of ASCII alone is read
    /// as ASCII; any other is refused as [`Charset::Unsupported`] is.
    AsciiOnly,
    /// A codec Python has that is no text encoding, or that is not decoded here: the request is
    /// refused (`Unsupported charset "…" in request Content-Type header.`).
    Unsupported,
}

/// The text codecs decoded here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Utf8,
    Utf8Sig,
    Latin1,
    Ascii,
    Cp1252,
    Utf16,
    Utf16Le,
    Utf16Be,
    Utf32,
    Utf32Le,
    Utf32Be,
}

/// The `charset` named `name`, as Django and DRF take it: `None` when Python has no codec of
/// that name (Django then keeps UTF-8).
pub(crate) fn charset(name: &str) -> Option<Charset> {
    let (codec, is_text, ascii) = lookup(name)?;
    if !is_text {
        return Some(Charset::Unsupported);
    }
    let known = match codec {
        "utf-8" => Codec::Utf8,
        "utf-8-sig" => Codec::Utf8Sig,
        "iso8859-1" => Codec::Latin1,
        "ascii" => Codec::Ascii,
        "cp1252" => Codec::Cp1252,
        "utf-16" => Codec::Utf16,
        "utf-16-le" => Codec::Utf16Le,
        "utf-16-be" => Codec::Utf16Be,
        "utf-32" => Codec::Utf32,
        "utf-32-le" => Codec::Utf32Le,
        "utf-32-be" => Codec::Utf32Be,
        _ if ascii => return Some(Charset::AsciiOnly),
        _ => return Some(Charset::Unsupported),
    };
    Some(Charset::Known(known))
}

/// `codecs.lookup(name)`: the codec's name, whether it is a text encoding and whether it reads
/// ASCII as ASCII. The name is
/// lower-cased, then `encodings.normalize_encoding` runs (each run of characters other than
/// letters, digits and `.` becomes one `_`, none in front; non-ASCII letters are dropped),
/// then the alias table is tried (as is, then with `.` as `_`), then the name as a module.
fn lookup(name: &str) -> Option<(&'static str, bool, bool)> {
    let mut norm = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '.' {
            if punct && !norm.is_empty() {
                norm.push('_');
            }
            if c.is_ascii() {
                norm.push(c);
            }
            punct = false;
        } else {
            punct = true;
        }
    }
    let alias = |key: &str| {
        ALIASES
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| ALIASES[i].1)
    };
    let aliased = alias(&norm).or_else(|| alias(&norm.replace('.', "_")));
    aliased
        .into_iter()
        .chain(std::iter::once(norm.as_str()))
        .filter(|m| !m.is_empty() && !m.contains('.'))
        .find_map(|m| {
            MODULES
                .binary_search_by(|(k, ..)| (*k).cmp(m))
                .ok()
                .map(|i| (MODULES[i].1, MODULES[i].2, MODULES[i].3))
        })
}

/// A `UnicodeDecodeError` as `str(exc)` words it.
fn decode_error(codec: &str, bytes: &[u8], start: usize, len: usize, reason: &str) -> String {
    if len == 1 {
        format!(
            "'{codec}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
            bytes[start]
        )
    } else {
        format!(
            "'{codec}' codec can't decode bytes in position {start}-{}: {reason}",
            start + len - 1
        )
    }
}

/// What `codecs.getreader(codec)(stream).read()` gives for a stream holding `bytes` (how DRF's
/// JSON parser reads a body): an incomplete sequence at the very end is dropped (the reader
/// keeps it for a next read that never comes); UTF-16 and UTF-32 without their byte order
/// mark are refused. `Err` is Python's message.
pub(crate) fn decode_stream(codec: Codec, bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    match codec {
        Codec::Utf8 => utf8_stream(bytes),
        Codec::Utf8Sig => {
            const BOM: &[u8] = b"\xef\xbb\xbf";
            if bytes.len() < 3 && BOM.starts_with(bytes) {
                return Ok("".into());
            }
            utf8_stream(bytes.strip_prefix(BOM).unwrap_or(bytes))
        }
        Codec::Latin1 => Ok(bytes
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .into()),
        Codec::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
            Some(at) => Err(decode_error(
                "ascii",
                bytes,
                at,
                1,
                "ordinal not in range(128)",
            )),
            None => Ok(String::from_utf8_lossy(bytes)),
        },
        Codec::Cp1252 => {
            let mut out = String::with_capacity(bytes.len());
            for (at, &b) in bytes.iter().enumerate() {
                match cp1252(b) {
                    Some(c) => out.push(c),
                    None => {
                        return Err(decode_error(
                            "charmap",
                            bytes,
                            at,
                            1,
                            "character maps to <undefined>",
                        ));
                    }
                }
            }
            Ok(out.into())
        }
        Codec::Utf16 | Codec::Utf16Le | Codec::Utf16Be => {
            utf16_stream(codec, bytes).map(Into::into)
        }
        Codec::Utf32 | Codec::Utf32Le | Codec::Utf32Be => {
            utf32_stream(codec, bytes).map(Into::into)
        }
    }
}

/// `bytes.decode(codec, "replace")`: each undecodable sequence is U+FFFD.
pub(crate) fn decode_replace(codec: Codec, bytes: &[u8]) -> String {
    match codec {
        Codec::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Codec::Utf8Sig => {
            String::from_utf8_lossy(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
                .into_owned()
        }
        Codec::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        Codec::Ascii => bytes
            .iter()
            .map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    '\u{fffd}'
                }
            })
            .collect(),
        Codec::Cp1252 => bytes
            .iter()
            .map(|&b| cp1252(b).unwrap_or('\u{fffd}'))
            .collect(),
        Codec::Utf16 | Codec::Utf16Le | Codec::Utf16Be => {
            let (le, body) = byte_order(codec, bytes, 2);
            let units = body.chunks_exact(2).map(|u| unit16(u, le));
            let mut out: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{fffd}'))
                .collect();
            if body.len() % 2 == 1 {
                out.push('\u{fffd}');
            }
            out
        }
        Codec::Utf32 | Codec::Utf32Le | Codec::Utf32Be => {
            let (le, body) = byte_order(codec, bytes, 4);
            let mut out: String = body
                .chunks_exact(4)
                .map(|u| char::from_u32(unit32(u, le)).unwrap_or('\u{fffd}'))
                .collect();
            if body.len() % 4 != 0 {
                out.push('\u{fffd}');
            }
            out
        }
    }
}

/// `bytes.decode(codec)` (strict, all of it): `None` where Python raises.
pub(crate) fn decode_strict(codec: Codec, bytes: &[u8]) -> Option<Cow<'_, str>> {
    match codec {
        Codec::Utf8 => std::str::from_utf8(bytes).ok().map(Into::into),
        Codec::Utf8Sig => std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
            .ok()
            .map(Into::into),
        Codec::Latin1 | Codec::Ascii | Codec::Cp1252 => decode_stream(codec, bytes).ok(),
        Codec::Utf16 | Codec::Utf16Le | Codec::Utf16Be => {
            let (le, body) = byte_order(codec, bytes, 2);
            if body.len() % 2 != 0 {
                return None;
            }
            char::decode_utf16(body.chunks_exact(2).map(|u| unit16(u, le)))
                .collect::<Result<String, _>>()
                .ok()
                .map(Into::into)
        }
        Codec::Utf32 | Codec::Utf32Le | Codec::Utf32Be => {
            let (le, body) = byte_order(codec, bytes, 4);
            if body.len() % 4 != 0 {
                return None;
            }
            body.chunks_exact(4)
                .map(|u| char::from_u32(unit32(u, le)))
                .collect::<Option<String>>()
                .map(Into::into)
        }
    }
}

/// The byte order of a UTF-16 or UTF-32 body and the body after its byte order mark: the
/// codec's own, or (for plain `utf-16`/`utf-32`) the mark's, little-endian without one.
fn byte_order(codec: Codec, bytes: &[u8], unit: usize) -> (bool, &[u8]) {
    match codec {
        Codec::Utf16Be | Codec::Utf32Be => (false, bytes),
        Codec::Utf16Le | Codec::Utf32Le => (true, bytes),
        _ => match bom(bytes, unit) {
            Some(le) => (le, &bytes[unit..]),
            None => (true, bytes),
        },
    }
}

/// `Some(little_endian)` when `bytes` starts with a byte order mark of `unit` bytes.
fn bom(bytes: &[u8], unit: usize) -> Option<bool> {
    match (unit, bytes) {
        (2, [0xff, 0xfe, ..]) => Some(true),
        (2, [0xfe, 0xff, ..]) => Some(false),
        (4, [0xff, 0xfe, 0, 0, ..]) => Some(true),
        (4, [0, 0, 0xfe, 0xff, ..]) => Some(false),
        _ => None,
    }
}

fn unit16(u: &[u8], le: bool) -> u16 {
    if le {
        u16::from_le_bytes([u[0], u[1]])
    } else {
        u16::from_be_bytes([u[0], u[1]])
    }
}

fn unit32(u: &[u8], le: bool) -> u32 {
    if le {
        u32::from_le_bytes([u[0], u[1], u[2], u[3]])
    } else {
        u32::from_be_bytes([u[0], u[1], u[2], u[3]])
    }
}

/// The stream reader of `utf-8`.
fn utf8_stream(body: &[u8]) -> Result<Cow<'_, str>, String> {
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.into()),
        Err(e) => {
            let pos = e.valid_up_to();
            let Some(len) = e.error_len() else {
                return Ok(String::from_utf8_lossy(&body[..pos]).into_owned().into());
            };
            let first = body[pos];
            let reason = if (0x80..0xC2).contains(&first) || first > 0xF4 {
                "invalid start byte"
            } else {
                "invalid continuation byte"
            };
            Err(decode_error("utf-8", body, pos, len, reason))
        }
    }
}

/// The stream readers of `utf-16`, `utf-16-le` and `utf-16-be`.
fn utf16_stream(codec: Codec, bytes: &[u8]) -> Result<String, String> {
    if codec == Codec::Utf16 && bytes.len() < 2 {
        return Ok(String::new()); // the byte order mark may come in a next read
    }
    let (le, body) = byte_order(codec, bytes, 2);
    let start = bytes.len() - body.len();
    let name = if le { "utf-16-le" } else { "utf-16-be" };
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut i = start;
    while i + 1 < bytes.len() {
        let u = unit16(&bytes[i..], le);
        match u {
            0xD800..=0xDBFF => {
                if i + 3 >= bytes.len() {
                    break; // its pair may come in a next read
                }
                let low = unit16(&bytes[i + 2..], le);
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(decode_error(name, bytes, i, 2, "illegal UTF-16 surrogate"));
                }
                let c = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                out.extend(char::from_u32(c));
                i += 4;
            }
            0xDC00..=0xDFFF => {
                return Err(decode_error(name, bytes, i, 2, "illegal encoding"));
            }
            _ => {
                out.extend(char::from_u32(u32::from(u)));
                i += 2;
            }
        }
    }
    if codec == Codec::Utf16 && start == 0 && i >= 2 {
        return Err("UTF-16 stream does not start with BOM".to_owned());
    }
    Ok(out)
}

/// The stream readers of `utf-32`, `utf-32-le` and `utf-32-be`.
fn utf32_stream(codec: Codec, bytes: &[u8]) -> Result<String, String> {
    if codec == Codec::Utf32 && bytes.len() < 4 {
        return Ok(String::new()); // the byte order mark may come in a next read
    }
    let (le, body) = byte_order(codec, bytes, 4);
    let start = bytes.len() - body.len();
    let name = if le { "utf-32-le" } else { "utf-32-be" };
    let mut out = String::with_capacity(bytes.len() / 4);
    let mut i = start;
    while i + 3 < bytes.len() {
        let cp = unit32(&bytes[i..], le);
        match char::from_u32(cp) {
            Some(c) => out.push(c),
            None if cp > 0x10FFFF => {
                return Err(decode_error(
                    name,
                    bytes,
                    i,
                    4,
                    "code point not in range(0x110000)",
                ));
            }
            None => {
                return Err(decode_error(
                    name,
                    bytes,
                    i,
                    4,
                    "code point in surrogate code point range(0xd800, 0xe000)",
                ));
            }
        }
        i += 4;
    }
    if codec == Codec::Utf32 && start == 0 && i >= 4 {
        return Err("UTF-32 stream does not start with BOM".to_owned());
    }
    Ok(out)
}

/// Python's `cp1252` decoding table above 0x7f (`None`: "character maps to <undefined>").
fn cp1252(b: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => match HIGH[usize::from(b - 0x80)] {
            0 => None,
            u => char::from_u32(u32::from(u)),
        },
        _ => Some(char::from(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer below was printed by CPython 3.11.
    #[test]
    fn names_resolve_as_codecs_lookup_resolves_them() {
        for (name, codec) in [
            ("utf-8", Codec::Utf8),
            ("UTF 8", Codec::Utf8),
            ("utf_8", Codec::Utf8),
            ("U8", Codec::Utf8),
            (" utf8", Codec::Utf8),
            ("utf-8-sig", Codec::Utf8Sig),
            ("Latin 1", Codec::Latin1),
            ("latin--1", Codec::Latin1),
            ("L1", Codec::Latin1),
            ("ISO-8859-1", Codec::Latin1),
            ("us-ascii", Codec::Ascii),
            ("windows-1252", Codec::Cp1252),
            ("UTF-16", Codec::Utf16),
            ("utf-16le", Codec::Utf16Le),
            ("UTF-16BE", Codec::Utf16Be),
            ("utf32", Codec::Utf32),
        ] {
            assert_eq!(charset(name), Some(Charset::Known(codec)), "{name:?}");
        }
        for unsupported in [
            "bz2",
            "rot13",
            "hex",
            "cp037",
            "utf-7",
            "hz",
            "unicode_escape",
        ] {
            assert_eq!(
                charset(unsupported),
                Some(Charset::Unsupported),
                "{unsupported}"
            );
        }
        for ascii in [
            "koi8-r",
            "shift_jis",
            "cp1251",
            "iso-8859-15",
            "gbk",
            "big5",
        ] {
            assert_eq!(charset(ascii), Some(Charset::AsciiOnly), "{ascii}");
        }
        for unknown in ["bogus", "utf.8", "mbcs", "", "utf-8\u{e9}x"] {
            assert_eq!(charset(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn stream_reading_matches_cpython() {
        let ok = |c, b: &[u8]| decode_stream(c, b).unwrap().into_owned();
        let err = |c, b: &[u8]| decode_stream(c, b).unwrap_err();
        assert_eq!(
            err(Codec::Utf16, b"{\"a\""),
            "UTF-16 stream does not start with BOM"
        );
        assert_eq!(ok(Codec::Utf16, b"\xff\xfe{\x00}\x00"), "{}");
        assert_eq!(ok(Codec::Utf16, b"\xff\xfe{\x00}"), "{");
        assert_eq!(ok(Codec::Utf16, b"\xff\xfe{\x00\x00\xd8"), "{");
        assert_eq!(ok(Codec::Utf16, b""), "");
        assert_eq!(
            err(Codec::Utf16Le, b"{\x00\x00\xd8}\x00"),
            "'utf-16-le' codec can't decode bytes in position 2-3: illegal UTF-16 surrogate"
        );
        assert_eq!(
            err(Codec::Utf16Le, b"\x00\xdc"),
            "'utf-16-le' codec can't decode bytes in position 0-1: illegal encoding"
        );
        assert_eq!(
            err(Codec::Utf16, b"\x00\xdc{\x00"),
            "'utf-16-le' codec can't decode bytes in position 0-1: illegal encoding"
        );
        assert_eq!(
            err(Codec::Utf16, b"\xfe\xff\x00{\xdc\x00"),
            "'utf-16-be' codec can't decode bytes in position 4-5: illegal encoding"
        );
        assert_eq!(ok(Codec::Utf32, b"{}"), "");
        assert_eq!(
            err(Codec::Utf32, b"{\x00\x00\x00"),
            "UTF-32 stream does not start with BOM"
        );
        assert_eq!(ok(Codec::Utf32, b"\xff\xfe\x00\x00{\x00\x00\x00}\x00"), "{");
        assert_eq!(
            err(Codec::Utf32Le, b"{\x00\x00\x00\x00\x00\x11\x00"),
            "'utf-32-le' codec can't decode bytes in position 4-7: code point not in range(0x110000)"
        );
        assert_eq!(
            err(Codec::Utf32, b"\xff\xfe\x00\x00\x00\xd8\x00\x00"),
            "'utf-32-le' codec can't decode bytes in position 4-7: code point in surrogate code point range(0xd800, 0xe000)"
        );
        assert_eq!(
            err(Codec::Ascii, b"{\"a\xc3\"}"),
            "'ascii' codec can't decode byte 0xc3 in position 3: ordinal not in range(128)"
        );
        assert_eq!(
            err(Codec::Cp1252, b"\x81"),
            "'charmap' codec can't decode byte 0x81 in position 0: character maps to <undefined>"
        );
        assert_eq!(ok(Codec::Cp1252, b"\x80\x9f"), "\u{20ac}\u{178}");
        assert_eq!(ok(Codec::Latin1, b"\xff"), "\u{ff}");
        assert_eq!(
            err(Codec::Utf8Sig, b"\xef\xbb\xbf{\xff}"),
            "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
        );
        assert_eq!(ok(Codec::Utf8Sig, b"\xef\xbb"), "");
        assert_eq!(
            err(Codec::Utf8, b"{\"a\": \"\xed\xa0\x80\"}"),
            "'utf-8' codec can't decode byte 0xed in position 7: invalid continuation byte"
        );
    }

    #[test]
    fn replace_and_strict_decoding() {
        let body = b"a=%E9&b=\xe9\xff";
        assert_eq!(decode_replace(Codec::Latin1, body), "a=%E9&b=\u{e9}\u{ff}");
        assert_eq!(
            decode_replace(Codec::Ascii, body),
            "a=%E9&b=\u{fffd}\u{fffd}"
        );
        assert_eq!(decode_replace(Codec::Cp1252, body), "a=%E9&b=\u{e9}\u{ff}");
        assert_eq!(
            decode_replace(Codec::Utf8, body),
            "a=%E9&b=\u{fffd}\u{fffd}"
        );
        assert_eq!(decode_strict(Codec::Utf8, body), None);
        assert_eq!(decode_strict(Codec::Utf16, b"a\x00").as_deref(), Some("a"));
        assert_eq!(
            decode_strict(Codec::Utf16, b"\xfe\xff\x00a").as_deref(),
            Some("a")
        );
        assert_eq!(decode_strict(Codec::Utf16, b"a\x00b"), None);
    }
}
