//! A JSON parser that accepts exactly the language of CPython's
//! `json.loads(s, parse_constant=strict_constant)` and fails with exactly the
//! same messages.
//!
//! Django REST Framework's `JSONParser` answers a malformed body with
//! `400 {"detail": "JSON parse error - <str(exc)>"}`, so the text of every
//! error must be byte-identical to what CPython produces.  This module mirrors
//! the C accelerator (`Modules/_json.c`: `scan_once_unicode`,
//! `scanstring_unicode`, `_parse_object_unicode`, `_parse_array_unicode`,
//! `_match_number_unicode`) and `Lib/json/decoder.py` of CPython 3.11/3.12,
//! including the order in which problems are detected, and was checked
//! against the real interpreter (see the test table at the bottom).
//!
//! # Behaviour
//!
//! * Whitespace is only space, `\t`, `\n` and `\r`.
//! * A leading U+FEFF fails with `Unexpected UTF-8 BOM (decode using
//!   utf-8-sig)`.
//! * `NaN`, `Infinity` and `-Infinity` fail the way DRF's
//!   `rest_framework.utils.json.strict_constant` makes them fail:
//!   `Out of range float values are not JSON compliant: 'NaN'`.
//! * Duplicate object keys: the last value wins, at the position of the first
//!   occurrence (Python `dict` semantics; `serde_json` is built with
//!   `preserve_order`, whose `Map::insert` behaves the same way).
//! * Integers with more than 4300 digits fail like CPython's default
//!   `sys.get_int_max_str_digits()` limit: `Exceeds the limit (4300 digits)
//!   for integer string conversion: value has N digits; use
//!   sys.set_int_max_str_digits() to increase the limit`.
//! * Error positions count code points (Python `str` indices), not bytes;
//!   `line`/`column` are computed like `json.JSONDecodeError` does.
//!
//! # Deliberate differences from Python
//!
//! `serde_json::Value` cannot hold everything a Python object can, and the
//! parser must never overflow the stack:
//!
//! * **Big integers.** Integers that fit `u64` (non-negative) or `i64`
//!   (negative) are exact; larger ones become the nearest `f64` (or, beyond
//!   `f64::MAX`, a string of their digits), and the exact digits (Python's
//!   `str(int)`) are kept beside the value as an [`Exotic`].  `-0` is the
//!   integer `0`, as in Python.
//! * **Infinite numbers.** Python turns `1e400` into `float('inf')`; a
//!   `Value` cannot hold it, so it stands in as the string `"inf"` (or
//!   `"-inf"`, Python's `str()` of it) and an [`Exotic`] records what it
//!   really is.  Only the literals `NaN`, `Infinity` and `-Infinity` are
//!   refused, as DRF's `strict_constant` refuses them.
//! * **Lone surrogates.** Python accepts `"\ud800"` into a `str`; a Rust
//!   `String` cannot hold it, so each unpaired surrogate escape becomes
//!   U+FFFD and an [`Exotic`] records the first one's code point (DRF's
//!   `CharField` refuses such strings by it).  Properly paired escapes are
//!   joined as in Python.  A surrogate in an object key is only replaced.
//! * **Nesting depth.** CPython raises `RecursionError` somewhere near depth
//!   1000 (996 from a bare interpreter; less inside a deep Django stack:
//!   DRF 3.18 on Django 5.2's runserver parses 953 nested containers in
//!   `obtain_auth_token` and 952 in an `@api_view`, and answers a 500 past
//!   that, the error being no `ValueError`).  This parser is iterative and
//!   caps nesting at [`MAX_DEPTH`] (953) containers, so that it accepts every
//!   body DRF accepts, and past it fails with CPython's text `maximum
//!   recursion depth exceeded while decoding a JSON array from a unicode
//!   string` (or `... JSON object ...`, after the container being opened),
//!   which is a 400, not DRF's 500.
//! * **Python 3.13+** reports a trailing comma as `Illegal trailing comma
//!   before end of array/object` at the comma; this module follows 3.11/3.12
//!   (`Expecting value` / `Expecting property name enclosed in double
//!   quotes` after the comma).
//!
//! Every other input is accepted or rejected exactly as CPython does.
//!
//! # Performance
//!
//! One left-to-right pass over the bytes with an explicit stack: linear time,
//! constant native stack, no per-character allocation (strings without
//! escapes are copied in one slice, found eight bytes at a time).  Code-point
//! positions are only computed when an error is reported.  There is no
//! `serde_json` fast path: its language differs from Python's on success too
//! (lone surrogates, nesting beyond 128, the 4300-digit limit) and its default
//! float parsing is not correctly rounded, while this scanner measured as fast
//! as `serde_json::from_str::<Value>` on a 13 MB document.
//!
//! # Not covered here
//!
//! DRF decodes the body before `json.load` sees it, with
//! `codecs.getreader(charset)`; that step (and its `UnicodeDecodeError`
//! messages) belongs to the caller, which passes the decoded `&str`.

use serde_json::{Map, Number, Value};

/// Maximum number of nested arrays/objects accepted.
///
/// CPython fails somewhere below 1000 with a `RecursionError`; we fail
/// deterministically at this depth with the same message and never recurse
/// natively, so even megabytes of `[` cannot overflow the stack.
pub(crate) const MAX_DEPTH: usize = 953;

/// CPython's default `sys.get_int_max_str_digits()` (since 3.11, gh-95778).
const INT_MAX_STR_DIGITS: usize = 4300;

/// Parses `text` like `json.loads(text, parse_constant=strict_constant)`.
///
/// On failure the error is exactly `str(exc)` of the exception CPython 3.11
/// raises, e.g. `Expecting value: line 1 column 1 (char 0)`, so DRF's
/// `JSON parse error - {err}` can be reproduced byte for byte.  See the
/// module documentation for the few documented deviations.
pub(crate) fn parse(text: &str) -> Result<Document, String> {
    parse_inner(text).map_err(|fail| fail.render(text))
}

/// A parsed document: the value, and the places where Python holds something the value
/// cannot (usually none).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Document {
    pub(crate) value: Value,
    pub(crate) exotic: Vec<Exotic>,
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PathSeg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A value Python holds that a `Value` cannot, at `path`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Exotic {
    pub(crate) path: Vec<PathSeg>,
    pub(crate) kind: ExoticKind,
}

/// What an [`Exotic`] stands for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExoticKind {
    /// `float('inf')` or `float('-inf')`; the value is the string `"inf"` or `"-inf"`.
    Infinite,
    /// An `int` beyond 64 bits, with its `str()`. The value is the nearest `f64`, or the
    /// digits as a string beyond `f64::MAX`.
    BigInt(String),
    /// A `str` with lone surrogates, each U+FFFD in the value; the first one's code point.
    Surrogate(u32),
}

/// The path of the value being parsed inside the open containers.
fn path_of(stack: &[Frame]) -> Vec<PathSeg> {
    stack
        .iter()
        .map(|frame| match frame {
            Frame::Array(items) => PathSeg::Index(items.len()),
            Frame::Object(_, key, _) => PathSeg::Key(key.clone()),
        })
        .collect()
}

/// `json.loads` proper (`JSONDecoder.decode`), with byte positions.
fn parse_inner(text: &str) -> Result<Document, Fail> {
    if text.starts_with('\u{feff}') {
        return Err(Fail::Decode(
            "Unexpected UTF-8 BOM (decode using utf-8-sig)",
            0,
        ));
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        pending: None,
        exotic: Vec::new(),
    };
    parser.skip_ws();
    let value = parser.parse_document()?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return Err(Fail::Decode("Extra data", parser.pos));
    }
    Ok(Document {
        value,
        exotic: parser.exotic,
    })
}

/// Why parsing failed, before positions are converted to code points.
#[derive(Debug)]
enum Fail {
    /// A `json.JSONDecodeError`: message and **byte** offset of the problem.
    Decode(&'static str, usize),
    /// Any other exception whose `str()` is the complete message
    /// (`ValueError` or `RecursionError`).
    Other(String),
}

impl Fail {
    /// Formats the failure as `str(exc)` would.
    fn render(self, text: &str) -> String {
        match self {
            Fail::Decode(msg, byte_pos) => {
                let (pos, line, column) = python_position(text, byte_pos);
                format!("{msg}: line {line} column {column} (char {pos})")
            }
            Fail::Other(msg) => msg,
        }
    }
}

/// Converts a byte offset into `(char index, line, column)` exactly as
/// `json.JSONDecodeError.__init__` computes them:
/// `lineno = doc.count('\n', 0, pos) + 1`,
/// `colno = pos - doc.rfind('\n', 0, pos)`.
fn python_position(text: &str, byte_pos: usize) -> (usize, usize, usize) {
    let bytes = &text.as_bytes()[..byte_pos.min(text.len())];
    // A byte starts a code point unless it is a UTF-8 continuation byte.
    let count_chars = |b: &[u8]| b.iter().filter(|&&c| (c & 0xC0) != 0x80).count();
    let pos = count_chars(bytes);
    let newlines = bytes.iter().filter(|&&c| c == b'\n').count();
    let column = match bytes.iter().rposition(|&c| c == b'\n') {
        Some(nl) => pos - count_chars(&bytes[..nl]),
        None => pos + 1,
    };
    (pos, newlines + 1, column)
}

/// An array or object whose closing bracket has not been seen yet.
enum Frame {
    Array(Vec<Value>),
    /// The map built so far, the key whose value is being parsed, and how many exotic values
    /// were recorded before that value began.
    Object(Map<String, Value>, String, usize),
}

impl Frame {
    fn into_value(self) -> Value {
        match self {
            Frame::Array(items) => Value::Array(items),
            Frame::Object(map, _, _) => Value::Object(map),
        }
    }
}

/// The scanner state: the document and the current byte offset.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// What the scalar just scanned really is, when a `Value` cannot hold it.
    pending: Option<ExoticKind>,
    /// Every such scalar of the document, with its path.
    exotic: Vec<Exotic>,
}

const RECURSION_ARRAY: &str =
    "maximum recursion depth exceeded while decoding a JSON array from a unicode string";
const RECURSION_OBJECT: &str =
    "maximum recursion depth exceeded while decoding a JSON object from a unicode string";

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// `WHITESPACE = re.compile(r'[ \t\n\r]*')`.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Parses one JSON value starting at `self.pos` (whitespace already
    /// skipped), iteratively: containers live on an explicit stack.
    fn parse_document(&mut self) -> Result<Value, Fail> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            // Scan one value (`scan_once_unicode`); an opening bracket of a
            // non-empty container pushes a frame and scans its first element.
            let mut value = match self.peek() {
                Some(b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(Fail::Other(RECURSION_ARRAY.to_owned()));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(Fail::Other(RECURSION_OBJECT.to_owned()));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Object(Map::new())
                    } else {
                        let key = self.parse_key()?;
                        stack.push(Frame::Object(Map::new(), key, self.exotic.len()));
                        continue 'value;
                    }
                }
                _ => {
                    let scalar = self.parse_scalar()?;
                    if let Some(kind) = self.pending.take() {
                        let path = path_of(&stack);
                        self.exotic.push(Exotic { path, kind });
                    }
                    scalar
                }
            };
            // Hand the finished value to the innermost open container, closing
            // as many containers as the input closes.
            loop {
                if !self.exotic.is_empty() {
                    self.forget_replaced(&stack);
                }
                let Some(frame) = stack.last_mut() else {
                    return Ok(value);
                };
                match frame {
                    Frame::Array(items) => {
                        items.push(value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b']') => {}
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                continue 'value;
                            }
                            _ => return Err(Fail::Decode("Expecting ',' delimiter", self.pos)),
                        }
                    }
                    Frame::Object(map, key, mark) => {
                        map.insert(std::mem::take(key), value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b'}') => {}
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                *key = self.parse_key()?;
                                *mark = self.exotic.len();
                                continue 'value;
                            }
                            _ => return Err(Fail::Decode("Expecting ',' delimiter", self.pos)),
                        }
                    }
                }
                // The closing bracket of the innermost container.
                self.pos += 1;
                value = stack.pop().map_or(Value::Null, Frame::into_value);
            }
        }
    }

    /// A repeated object key replaces the value: what was recorded under the old one is gone.
    fn forget_replaced(&mut self, stack: &[Frame]) {
        if let Some(Frame::Object(map, key, mark)) = stack.last() {
            if map.contains_key(key.as_str()) {
                let prefix = path_of(stack);
                let mut index = 0;
                self.exotic.retain(|e| {
                    index += 1;
                    index > *mark || !e.path.starts_with(&prefix)
                });
            }
        }
    }

    /// Reads `"key"`, the `:` delimiter and the whitespace after it.
    fn parse_key(&mut self) -> Result<String, Fail> {
        if self.peek() != Some(b'"') {
            return Err(Fail::Decode(
                "Expecting property name enclosed in double quotes",
                self.pos,
            ));
        }
        self.pos += 1;
        let key = self.parse_string()?;
        self.pending = None;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(Fail::Decode("Expecting ':' delimiter", self.pos));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(key)
    }

    /// Everything `scan_once_unicode` handles except arrays and objects.
    fn parse_scalar(&mut self) -> Result<Value, Fail> {
        let rest = &self.bytes[self.pos..];
        let keyword = |word: &[u8], value: Value| (rest.starts_with(word), word.len(), value);
        let (matched, len, value) = match rest.first() {
            Some(b'"') => {
                self.pos += 1;
                return self.parse_string().map(Value::String);
            }
            Some(b'n') => keyword(b"null", Value::Null),
            Some(b't') => keyword(b"true", Value::Bool(true)),
            Some(b'f') => keyword(b"false", Value::Bool(false)),
            Some(b'N') if rest.starts_with(b"NaN") => return Err(strict_constant("NaN")),
            Some(b'I') if rest.starts_with(b"Infinity") => {
                return Err(strict_constant("Infinity"));
            }
            Some(b'-') if rest.starts_with(b"-Infinity") => {
                return Err(strict_constant("-Infinity"));
            }
            _ => return self.parse_number(),
        };
        if matched {
            self.pos += len;
            Ok(value)
        } else {
            // A keyword prefix that does not match falls through to the
            // number matcher in CPython, which fails at the same position.
            Err(Fail::Decode("Expecting value", self.pos))
        }
    }

    /// `_match_number_unicode`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
    /// with ASCII digits only; a `.` or exponent without digits is not
    /// consumed (it then fails as `Extra data` or a missing delimiter).
    fn parse_number(&mut self) -> Result<Value, Fail> {
        let bytes = self.bytes;
        let start = self.pos;
        let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'1'..=b'9') => {
                i += 1;
                while digit_at(i) {
                    i += 1;
                }
            }
            Some(b'0') => i += 1,
            _ => return Err(Fail::Decode("Expecting value", start)),
        }
        let int_end = i;
        if bytes.get(i) == Some(&b'.') && digit_at(i + 1) {
            i += 2;
            while digit_at(i) {
                i += 1;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            let mut j = i + 1;
            if let Some(b'-' | b'+') = bytes.get(j) {
                j += 1;
            }
            if digit_at(j) {
                while digit_at(j) {
                    j += 1;
                }
                i = j;
            }
        }
        self.pos = i;
        let literal = &self.text[start..i];
        if i != int_end {
            // `float(literal)`: Rust's parser is correctly rounded like
            // CPython's `PyOS_string_to_double`.
            let float: f64 = literal
                .parse()
                .map_err(|_| Fail::Decode("Expecting value", start))?;
            return Ok(match Number::from_f64(float) {
                Some(number) => Value::Number(number),
                None => {
                    self.pending = Some(ExoticKind::Infinite);
                    Value::String(if negative { "-inf" } else { "inf" }.to_owned())
                }
            });
        }
        let digits = i - start - usize::from(negative);
        if digits > INT_MAX_STR_DIGITS {
            return Err(Fail::Other(format!(
                "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string \
                 conversion: value has {digits} digits; use sys.set_int_max_str_digits() \
                 to increase the limit"
            )));
        }
        let exact = if negative {
            literal.parse::<i64>().ok().map(Number::from)
        } else {
            literal.parse::<u64>().ok().map(Number::from)
        };
        if let Some(number) = exact {
            return Ok(Value::Number(number));
        }
        // Beyond 64 bits: the nearest f64 stands in, the digits are kept.
        self.pending = Some(ExoticKind::BigInt(literal.to_owned()));
        Ok(
            match literal.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(number) => Value::Number(number),
                None => Value::String(literal.to_owned()),
            },
        )
    }

    /// `scanstring_unicode` with `strict=True`; `self.pos` is just after the
    /// opening quote and ends just after the closing one.
    fn parse_string(&mut self) -> Result<String, Fail> {
        let bytes = self.bytes;
        let begin = self.pos - 1;
        let unterminated = || Fail::Decode("Unterminated string starting at", begin);
        let mut out = String::new();
        loop {
            let chunk = self.pos;
            let mut next = find_special(bytes, chunk);
            let stop = match bytes.get(next) {
                None => return Err(unterminated()),
                Some(&c @ (b'"' | b'\\')) => c,
                Some(_) => return Err(Fail::Decode("Invalid control character at", next)),
            };
            // `chunk` and `next` sit on ASCII bytes, hence on char boundaries.
            out.push_str(&self.text[chunk..next]);
            next += 1;
            if stop == b'"' {
                self.pos = next;
                return Ok(out);
            }
            // A backslash: `next` is the escape character.
            let Some(&esc) = bytes.get(next) else {
                return Err(unterminated());
            };
            if esc != b'u' {
                out.push(match esc {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(Fail::Decode("Invalid \\escape", next - 1)),
                });
                self.pos = next + 1;
                continue;
            }
            // `\uXXXX`: CPython demands four hex digits *and* one more
            // character (`end >= len` is an error even when the digits are
            // fine).  Counting bytes instead of code points gives the same
            // verdict and position: a non-ASCII character in the window is
            // not a hex digit either.
            let hex_start = next + 1;
            let mut end = hex_start + 4;
            if end >= bytes.len() {
                return Err(Fail::Decode("Invalid \\uXXXX escape", next));
            }
            let mut code =
                hex4(&bytes[hex_start..end]).ok_or(Fail::Decode("Invalid \\uXXXX escape", next))?;
            if (0xD800..=0xDBFF).contains(&code)
                && end + 6 < bytes.len()
                && bytes[end] == b'\\'
                && bytes[end + 1] == b'u'
            {
                let low = hex4(&bytes[end + 2..end + 6])
                    .ok_or(Fail::Decode("Invalid \\uXXXX escape", end + 1))?;
                if (0xDC00..=0xDFFF).contains(&low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    end += 6;
                }
            }
            // Lone surrogates cannot live in a Rust string: U+FFFD instead, and the first one
            // is remembered (a key's is forgotten by the caller).
            out.push(char::from_u32(code).unwrap_or_else(|| {
                if self.pending.is_none() {
                    self.pending = Some(ExoticKind::Surrogate(code));
                }
                char::REPLACEMENT_CHARACTER
            }));
            self.pos = end;
        }
    }
}

/// Returns the index of the first `"`, `\\` or control character (below
/// U+0020) at or after `from`, or `bytes.len()` if there is none.
///
/// Eight bytes at a time with the classic SWAR "has a byte below n" test,
/// which has no false negatives; a hit is then located byte by byte.
fn find_special(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    /// Whether some byte of `word` is below `n` (`n <= 0x80`).
    fn has_below(word: u64, n: u8) -> bool {
        word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0
    }
    let is_special = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        if has_below(word, 0x20)
            || has_below(word ^ (ONES * u64::from(b'"')), 1)
            || has_below(word ^ (ONES * u64::from(b'\\')), 1)
        {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && !is_special(bytes[i]) {
        i += 1;
    }
    i
}

/// Decodes exactly four ASCII hex digits.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        let nibble = char::from(d).to_digit(16)?;
        Some((acc << 4) | nibble)
    })
}

/// DRF's `strict_constant`:
/// `ValueError('Out of range float values are not JSON compliant: ' + repr(o))`.
fn strict_constant(name: &str) -> Fail {
    Fail::Other(format!(
        "Out of range float values are not JSON compliant: '{name}'"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The value alone.
    fn parse(text: &str) -> Result<Value, String> {
        super::parse(text).map(|doc| doc.value)
    }

    /// `(input, outcome)` pairs whose outcomes were printed by CPython 3.11.7
    /// running `json.loads(input, parse_constant=strict_constant)` with DRF
    /// 3.18.3's `strict_constant`; accepted values went through the module's
    /// documented mapping (lone surrogates → U+FFFD, integers beyond 64 bits →
    /// nearest `f64`).  The generator lives outside the repository; each row
    /// is its verbatim output.
    #[rustfmt::skip]
    fn python_cases() -> Vec<(String, Result<Value, &'static str>)> {
        vec![
        (String::from("{\"a\": 1, \"b\": [true, false, null], \"c\": \"x\"}"), Ok(json!({"a": 1u64, "b": [true, false, null], "c": "x"}))),
        (String::from("  [1, 2.5, -3, 1e3, 1E-2, -0.0, 0]  "), Ok(json!([1u64, 2.5f64, -3i64, 1000.0f64, 0.01f64, -0.0f64, 0u64]))),
        (String::from("-0"), Ok(json!(0u64))),
        (String::from("0"), Ok(json!(0u64))),
        (String::from("1.0"), Ok(json!(1.0f64))),
        (String::from("1E+2"), Ok(json!(100.0f64))),
        (String::from("123456789.123456789e-5"), Ok(json!(1234.567891234568f64))),
        (String::from("2.2250738585072014e-308"), Ok(json!(2.2250738585072014e-308f64))),
        (String::from("1e-400"), Ok(json!(0.0f64))),
        (String::from("18446744073709551615"), Ok(json!(18446744073709551615u64))),
        (String::from("18446744073709551616"), Ok(json!(1.8446744073709552e+19f64))),
        (String::from("-9223372036854775808"), Ok(json!(-9223372036854775808i64))),
        (String::from("-9223372036854775809"), Ok(json!(-9.223372036854776e+18f64))),
        (String::from("123456789012345678901234567890"), Ok(json!(1.2345678901234568e+29f64))),
        (String::from("\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\""), Ok(json!("\u{e9}\u{1f600}\n\t\"\\/\u{8}\u{c}\r"))),
        (String::from("\"\\uD834\\uDD1E \\u00E9\""), Ok(json!("\u{1d11e} \u{e9}"))),
        (String::from("\"\\ud800\""), Ok(json!("\u{fffd}"))),
        (String::from("\"\\udc00\\ud800x\""), Ok(json!("\u{fffd}\u{fffd}x"))),
        (String::from("\"\\ud800\\u0041\""), Ok(json!("\u{fffd}A"))),
        (String::from("\"\\ud800\\ud800\\udc00\""), Ok(json!("\u{fffd}\u{10000}"))),
        (String::from("\"\\u12345\""), Ok(json!("\u{1234}5"))),
        (String::from("\"raw \u{e9} \u{1f600} \u{2028} \u{7f} \u{85}\""), Ok(json!("raw \u{e9} \u{1f600} \u{2028} \u{7f} \u{85}"))),
        (String::from("{\"a\":1,\"a\":2,\"b\":3,\"a\":4}"), Ok(json!({"a": 4u64, "b": 3u64}))),
        (String::from("{\"\": {\"\": []}}"), Ok(json!({"": {"": []}}))),
        (String::from("\n\r\t {} \n"), Ok(json!({}))),
        (String::from("[[], {}, [[]], \"\"]"), Ok(json!([[], {}, [[]], ""]))),
        (String::from("{\"k\" : \"v\" , \"l\" :[ 1 ,2 ] }"), Ok(json!({"k": "v", "l": [1u64, 2u64]}))),
        (String::from(""), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("   "), Err("Expecting value: line 1 column 4 (char 3)")),
        (String::from("\n\n"), Err("Expecting value: line 3 column 1 (char 2)")),
        (String::from("\u{feff}{}"), Err("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)")),
        (String::from("\u{feff}"), Err("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)")),
        (String::from(" \u{feff}{}"), Err("Expecting value: line 1 column 2 (char 1)")),
        (String::from("\u{a0}[]"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("[]\u{a0}"), Err("Extra data: line 1 column 3 (char 2)")),
        (String::from("\u{b}[]"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("\u{c}1"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("[1,]"), Err("Expecting value: line 1 column 4 (char 3)")),
        (String::from("{\"a\":1,}"), Err("Expecting property name enclosed in double quotes: line 1 column 8 (char 7)")),
        (String::from("[1,,2]"), Err("Expecting value: line 1 column 4 (char 3)")),
        (String::from("[,1]"), Err("Expecting value: line 1 column 2 (char 1)")),
        (String::from("{'a': 1}"), Err("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
        (String::from("'abc'"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("{1: 2}"), Err("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
        (String::from("{\"a\" 1}"), Err("Expecting ':' delimiter: line 1 column 6 (char 5)")),
        (String::from("{\"a\":1 \"b\":2}"), Err("Expecting ',' delimiter: line 1 column 8 (char 7)")),
        (String::from("[1 2]"), Err("Expecting ',' delimiter: line 1 column 4 (char 3)")),
        (String::from("{\"a\":1]"), Err("Expecting ',' delimiter: line 1 column 7 (char 6)")),
        (String::from("[1}"), Err("Expecting ',' delimiter: line 1 column 3 (char 2)")),
        (String::from("\"abc"), Err("Unterminated string starting at: line 1 column 1 (char 0)")),
        (String::from("\"abc\\"), Err("Unterminated string starting at: line 1 column 1 (char 0)")),
        (String::from("\""), Err("Unterminated string starting at: line 1 column 1 (char 0)")),
        (String::from("[\"abc"), Err("Unterminated string starting at: line 1 column 2 (char 1)")),
        (String::from("{\"a"), Err("Unterminated string starting at: line 1 column 2 (char 1)")),
        (String::from("["), Err("Expecting value: line 1 column 2 (char 1)")),
        (String::from("[1"), Err("Expecting ',' delimiter: line 1 column 3 (char 2)")),
        (String::from("[1,"), Err("Expecting value: line 1 column 4 (char 3)")),
        (String::from("{"), Err("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")),
        (String::from("{\"a\""), Err("Expecting ':' delimiter: line 1 column 5 (char 4)")),
        (String::from("{\"a\":"), Err("Expecting value: line 1 column 6 (char 5)")),
        (String::from("{\"a\":1"), Err("Expecting ',' delimiter: line 1 column 7 (char 6)")),
        (String::from("\"a\u{0}b\""), Err("Invalid control character at: line 1 column 3 (char 2)")),
        (String::from("\"\t\""), Err("Invalid control character at: line 1 column 2 (char 1)")),
        (String::from("\"line\nbreak\""), Err("Invalid control character at: line 1 column 6 (char 5)")),
        (String::from("[\n  \"ok\",\n  \"bad\u{1f}\"\n]"), Err("Invalid control character at: line 3 column 7 (char 16)")),
        (String::from("\"\\x\""), Err("Invalid \\escape: line 1 column 2 (char 1)")),
        (String::from("\"\\U0041\""), Err("Invalid \\escape: line 1 column 2 (char 1)")),
        (String::from("\"\\\u{e9}\""), Err("Invalid \\escape: line 1 column 2 (char 1)")),
        (String::from("\"\\u12\""), Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)")),
        (String::from("\"\\uZZZZ\""), Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)")),
        (String::from("\"\\u00e\""), Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)")),
        (String::from("\"\\u1234"), Err("Invalid \\uXXXX escape: line 1 column 3 (char 2)")),
        (String::from("\"\\ud800\\uZZZZ\""), Err("Invalid \\uXXXX escape: line 1 column 9 (char 8)")),
        (String::from("\"\\ud800\\u12\""), Err("Invalid \\uXXXX escape: line 1 column 9 (char 8)")),
        (String::from("\"\\ud800\\"), Err("Unterminated string starting at: line 1 column 1 (char 0)")),
        (String::from("\"\\"), Err("Unterminated string starting at: line 1 column 1 (char 0)")),
        (String::from("NaN"), Err("Out of range float values are not JSON compliant: 'NaN'")),
        (String::from("Infinity"), Err("Out of range float values are not JSON compliant: 'Infinity'")),
        (String::from("-Infinity"), Err("Out of range float values are not JSON compliant: '-Infinity'")),
        (String::from("[1, NaN]"), Err("Out of range float values are not JSON compliant: 'NaN'")),
        (String::from("{\"a\": -Infinity"), Err("Out of range float values are not JSON compliant: '-Infinity'")),
        (String::from("[NaN, 1}"), Err("Out of range float values are not JSON compliant: 'NaN'")),
        (String::from("nan"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("-NaN"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("Inf"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("tru"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("nul"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("True"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("None"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("null,"), Err("Extra data: line 1 column 5 (char 4)")),
        (String::from("01"), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from("-01"), Err("Extra data: line 1 column 3 (char 2)")),
        (String::from("1."), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from(".5"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("1e"), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from("1e+"), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from("1.e5"), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from("-"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("--1"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("+1"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("0x10"), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from("1_000"), Err("Extra data: line 1 column 2 (char 1)")),
        (String::from("\u{661}"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("[1e400, x]"), Err("Expecting value: line 1 column 9 (char 8)")),
        (String::from("{} {}"), Err("Extra data: line 1 column 4 (char 3)")),
        (String::from("1 2"), Err("Extra data: line 1 column 3 (char 2)")),
        (String::from("[]x"), Err("Extra data: line 1 column 3 (char 2)")),
        (String::from("\"a\" \"b\""), Err("Extra data: line 1 column 5 (char 4)")),
        (String::from("{\n  \"a\": 1,\n  \"b\": \n}"), Err("Expecting value: line 4 column 1 (char 20)")),
        (String::from("[\n1,\n2\n3]"), Err("Expecting ',' delimiter: line 4 column 1 (char 7)")),
        (String::from("{\r\n\"a\"\r\n}"), Err("Expecting ':' delimiter: line 3 column 1 (char 8)")),
        (String::from("{\"\u{e9}\": 1 x}"), Err("Expecting ',' delimiter: line 1 column 9 (char 8)")),
        (String::from("\"\u{1f600}\" x"), Err("Extra data: line 1 column 5 (char 4)")),
        (String::from("[\"\u{65e5}\u{672c}\u{8a9e}\", ]"), Err("Expecting value: line 1 column 9 (char 8)")),
        (String::from("\u{e9}\u{e9}\n\u{e9} x"), Err("Expecting value: line 1 column 1 (char 0)")),
        (String::from("{\"k\u{e9}y\": \"v\u{e4}l\u{fc}e\",\n \"\u{1f600}\": [1, 2,, 3]}"), Err("Expecting value: line 2 column 13 (char 29)")),
        ("1".repeat(4301), Err("Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit")),
        (format!("-{}", "9".repeat(4301)), Err("Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit")),
        (format!("[{},", "1".repeat(5000)), Err("Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit")),
        ("[".repeat(100_000), Err("maximum recursion depth exceeded while decoding a JSON array from a unicode string")),
        ("{\"a\":".repeat(100_000), Err("maximum recursion depth exceeded while decoding a JSON object from a unicode string")),
        (format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)), Err("maximum recursion depth exceeded while decoding a JSON array from a unicode string")),
        ]
    }

    /// Shortens an input for assertion messages.
    fn excerpt(input: &str) -> String {
        let short: String = input.chars().take(60).collect();
        if short.len() < input.len() {
            format!("{short:?}… ({} bytes)", input.len())
        } else {
            format!("{short:?}")
        }
    }

    /// Equality that also checks object key order and integer-vs-float
    /// (`Value`'s own `==` ignores the order of `preserve_order` maps).
    fn assert_identical(actual: &Value, expected: &Value, input: &str) {
        assert_eq!(actual, expected, "input {}", excerpt(input));
        assert_eq!(
            actual.to_string(),
            expected.to_string(),
            "input {}",
            excerpt(input)
        );
    }

    #[test]
    fn matches_python_table() {
        let cases = python_cases();
        assert!(cases.len() >= 60, "only {} cases", cases.len());
        for (input, expected) in &cases {
            match (parse(input), expected) {
                (Ok(actual), Ok(expected)) => assert_identical(&actual, expected, input),
                (Err(actual), Err(expected)) => {
                    assert_eq!(actual, *expected, "input {}", excerpt(input));
                }
                (actual, expected) => panic!(
                    "input {}: got {actual:?}, Python gives {expected:?}",
                    excerpt(input)
                ),
            }
        }
    }

    /// Nested arrays `depth` deep around `inner`.
    fn nested_arrays(depth: usize, inner: &str) -> String {
        format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn depth_cap_is_exactly_max_depth() {
        let value = parse(&nested_arrays(MAX_DEPTH, "7")).expect("MAX_DEPTH levels are fine");
        let mut cursor = &value;
        for _ in 0..MAX_DEPTH {
            cursor = &cursor[0];
        }
        assert_eq!(cursor, &json!(7));
        // Python accepts this (its limit is near 1000); we stop at 512.
        assert_eq!(
            parse(&nested_arrays(MAX_DEPTH + 1, "7")),
            Err(RECURSION_ARRAY.to_owned())
        );
        let objects = format!(
            "{}1{}",
            "{\"a\":".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse(&objects), Err(RECURSION_OBJECT.to_owned()));
        // The container being opened past the cap names the message.
        let mixed = format!("{}{{", "[".repeat(MAX_DEPTH));
        assert_eq!(parse(&mixed), Err(RECURSION_OBJECT.to_owned()));
    }

    #[test]
    fn ten_megabytes_of_brackets_do_not_overflow() {
        let input = "[".repeat(10 << 20);
        assert_eq!(parse(&input), Err(RECURSION_ARRAY.to_owned()));
        let input = "{\"\":".repeat(2 << 20);
        assert_eq!(parse(&input), Err(RECURSION_OBJECT.to_owned()));
    }

    #[test]
    fn digit_limit_is_4300() {
        // 4300 digits pass the limit (beyond f64, the digits stand in as text).
        let at_limit = "1".repeat(4300);
        assert_eq!(parse(&at_limit), Ok(Value::String(at_limit.clone())));
        // The minus sign is not a digit; a float literal has no limit.
        assert!(
            parse(&format!("-{}", "1".repeat(4301)))
                .unwrap_err()
                .contains("value has 4301 digits")
        );
        assert!(parse(&format!("0.{}", "1".repeat(5000))).is_ok());
    }

    #[test]
    fn python_only_values_stand_in_and_are_recorded() {
        use ExoticKind::*;
        let doc = |s: &str| super::parse(s).unwrap();
        let at = |path: &[PathSeg], kind| Exotic {
            path: path.to_vec(),
            kind,
        };
        let key = |k: &str| PathSeg::Key(k.to_owned());
        // Python: float('inf'), whose str() is 'inf'.
        let d = doc("1e400");
        assert_eq!(d.value, json!("inf"));
        assert_eq!(d.exotic, vec![at(&[], Infinite)]);
        let d = doc("[-1e400, 1]");
        assert_eq!(d.value, json!(["-inf", 1]));
        assert_eq!(d.exotic, vec![at(&[PathSeg::Index(0)], Infinite)]);
        // An exact int: the digits are kept.
        let big = "9".repeat(400);
        let d = doc(&format!("{{\"a\": {{\"b\": [0, {big}]}}}}"));
        assert_eq!(d.value, json!({"a": {"b": [0, big.clone()]}}));
        assert_eq!(
            d.exotic,
            vec![at(&[key("a"), key("b"), PathSeg::Index(1)], BigInt(big))]
        );
        let d = doc("123456789012345678901234567890");
        assert_eq!(d.value, json!(1.2345678901234568e29_f64));
        assert_eq!(
            d.exotic,
            vec![at(&[], BigInt("123456789012345678901234567890".into()))]
        );
        // Lone surrogates: the first one.
        let d = doc(r#"{"p": "a\udc00b\ud801", "\ud800": "\ud83d\ude00"}"#);
        assert_eq!(
            d.value,
            json!({"p": "a\u{fffd}b\u{fffd}", "\u{fffd}": "\u{1f600}"})
        );
        assert_eq!(d.exotic, vec![at(&[key("p")], Surrogate(0xdc00))]);
        // A repeated key forgets what the old value held, not what the new one holds.
        let d = doc(r#"{"a": 1e999, "a": 1, "b": [1e999], "b": [2, 1e999]}"#);
        assert_eq!(d.exotic, vec![at(&[key("b"), PathSeg::Index(1)], Infinite)]);
        // Only the literals are refused, and a genuine error still wins.
        assert_eq!(
            parse("[1e400, NaN]"),
            Err("Out of range float values are not JSON compliant: 'NaN'".to_owned())
        );
        assert_eq!(
            parse("{\"a\": 1e400 \"b\"}"),
            Err("Expecting ',' delimiter: line 1 column 13 (char 12)".to_owned())
        );
        // Small enough: nearest f64, like float(int) in Python.
        assert_eq!(parse(&"9".repeat(300)), Ok(json!(1e300_f64)));
        assert_eq!(parse("1e-999"), Ok(json!(0.0_f64)));
        assert!(doc("[1, \"x\", 2.5]").exotic.is_empty());
    }

    #[test]
    fn python_position_counts_code_points() {
        assert_eq!(python_position("", 0), (0, 1, 1));
        assert_eq!(python_position("ab\ncd", 4), (4, 2, 2));
        assert_eq!(python_position("\n", 1), (1, 2, 1));
        // "é" is 2 bytes, "😀" 4: positions are in code points.
        assert_eq!(python_position("é😀x", 6), (2, 1, 3));
        assert_eq!(python_position("é\n😀\nx", 8), (4, 3, 1));
        // Only \n starts a line, as in `doc.count('\n', 0, pos)`.
        assert_eq!(python_position("a\r\rb", 3), (3, 1, 4));
    }

    #[test]
    fn find_special_agrees_with_a_naive_scan() {
        let naive = |bytes: &[u8], from: usize| {
            (from..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(bytes.len())
        };
        let fillers: [&[u8]; 4] = [b"a", "é".as_bytes(), "😀".as_bytes(), b"\x7f"];
        for filler in fillers {
            for special in [b'"', b'\\', 0x00, 0x1f, b'\n', b' '] {
                for len in 0..40 {
                    for at in 0..=len {
                        let mut bytes = filler.repeat(len);
                        let split = at * filler.len();
                        bytes.insert(split, special);
                        for from in [0, 1, 3, 8, split] {
                            let from = from.min(bytes.len());
                            assert_eq!(find_special(&bytes, from), naive(&bytes, from));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn duplicate_keys_keep_first_position_last_value() {
        let value = parse(r#"{"b": 1, "a": 2, "b": 3, "c": {"x": 1, "x": [2]}}"#).unwrap();
        assert_eq!(
            value.to_string(),
            r#"{"b":3,"a":2,"c":{"x":[2]}}"#,
            "Python dict semantics"
        );
    }

    /// Number equality up to `serde_json`'s default (not correctly rounded)
    /// float parsing, with Python's `-0` (an int) equal to `-0.0`.
    fn same(ours: &Value, theirs: &Value) -> bool {
        match (ours, theirs) {
            (Value::Number(a), Value::Number(b)) => {
                if a.is_f64() || b.is_f64() {
                    let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                    x == y || (x - y).abs() <= 2.0 * f64::EPSILON * x.abs().max(y.abs())
                } else {
                    a == b
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            }
            _ => ours == theirs,
        }
    }

    /// Fragments from which malformed and well-formed documents are glued.
    const TOKENS: &[&str] = &[
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "\r",
        "\"",
        "\\",
        "\"a\"",
        "\"é\"",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\\ud800",
        "\\u",
        "\\n",
        "\\x",
        "0",
        "1",
        "-",
        ".",
        "e",
        "E",
        "+",
        "01",
        "-0",
        "1.5",
        "2e8",
        "1E-5",
        "18446744073709551616",
        "-9223372036854775809",
        "1e400",
        "true",
        "tru",
        "false",
        "null",
        "nul",
        "NaN",
        "Infinity",
        "-Infinity",
        "é",
        "😀",
        "\u{0}",
        "\u{1f}",
        "\u{7f}",
        "'",
        "\u{feff}",
        "\u{a0}",
        "x",
        "\"k\":",
        "{\"a\":",
        "[1,",
        ",]",
        ",}",
        "\"\"",
    ];

    fn soup() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(TOKENS), 0..40)
            .prop_map(|tokens| tokens.concat())
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter_map("finite", Number::from_f64)
                .prop_map(Value::Number),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_strings_never_panic(input in any::<String>()) {
            let _ = parse(&input);
        }

        #[test]
        fn soup_agrees_with_serde_json(input in soup()) {
            let ours = parse(&input);
            match serde_json::from_str::<Value>(&input) {
                // serde_json accepts a subset of Python's language (it has
                // no NaN, no lone surrogates, a depth limit of 128), and
                // agrees on duplicate keys (`preserve_order`).
                Ok(theirs) => {
                    let ours = ours.map_err(|e| TestCaseError::fail(format!("{input:?}: {e}")))?;
                    prop_assert!(same(&ours, &theirs), "{:?}: {} vs {}", input, ours, theirs);
                }
                // Outside lone surrogates, Python rejects all that serde_json
                // rejects, except numbers beyond f64 (which Python holds).
                Err(_) if !input.contains("\\u") => {
                    let exotic = super::parse(&input).map(|doc| doc.exotic.len());
                    prop_assert!(!matches!(exotic, Ok(0)), "{:?} accepted as {:?}", input, ours);
                }
                Err(_) => {}
            }
        }

        #[test]
        fn serialized_values_round_trip_exactly(value in any_value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            }
            .expect("serializable");
            let parsed = parse(&text).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&parsed, &value);
            // Same key order and the same integer/float kinds.
            prop_assert_eq!(parsed.to_string(), value.to_string());
        }
    }
}
