//! How Python sees a JSON value, where a field's answer depends on it: `type(x).__name__`,
//! `str(x)`, `str.strip()`, `int(s)` and `float(s)`.

use serde_json::{Number, Value};

use crate::pycompat::json_decode::ExoticKind;

/// A parsed value with what Python really holds there, when the value cannot say.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PyValue<'a> {
    pub(crate) value: &'a Value,
    pub(crate) exotic: Option<&'a ExoticKind>,
}

impl<'a> PyValue<'a> {
    /// `type(x).__name__`.
    pub(crate) fn type_name(&self) -> &'static str {
        match (self.value, self.exotic) {
            (_, Some(ExoticKind::Infinite)) => "float",
            (_, Some(ExoticKind::BigInt(_))) => "int",
            (Value::Null, _) => "NoneType",
            (Value::Bool(_), _) => "bool",
            (Value::Number(n), _) if n.is_f64() => "float",
            (Value::Number(_), _) => "int",
            (Value::String(_), _) => "str",
            (Value::Array(_), _) => "list",
            (Value::Object(_), _) => "dict",
        }
    }

    /// `str(x)` for the scalars a `CharField` accepts (`str`, `int`, `float`), else `None`.
    pub(crate) fn char_field_str(&self) -> Option<String> {
        match (self.value, self.exotic) {
            (_, Some(ExoticKind::BigInt(digits))) => Some(digits.clone()),
            (Value::String(s), _) => Some(s.clone()),
            (Value::Number(n), _) => Some(number_str(n)),
            _ => None,
        }
    }

    /// `str(x)` of any value, as DRF formats it into a message (`"{input}" is not a valid
    /// choice.`).
    pub(crate) fn display(&self) -> String {
        match self.char_field_str() {
            Some(s) => s,
            None => repr(self.value),
        }
    }

    /// The integer Python's `int(x)` gives for an `IntegerField` (DRF strips a trailing
    /// `.0*` and whitespace from `str(x)` first), as `i128`; `Err(true)` when it is an
    /// integer beyond `i128` (positive) / `Err(false)` (negative); `None` when it is not one.
    pub(crate) fn integer(&self) -> Option<Result<i128, bool>> {
        if matches!(self.value, Value::Bool(_)) {
            return None; // str(True) is 'True'
        }
        let text = self.char_field_str()?;
        let trimmed = strip_decimal_zeros(&text);
        parse_python_int(trimmed)
    }

    /// `float(x)` for a `FloatField`: `Ok` with a finite or infinite value, `Err(true)` for
    /// an `int` too large to convert, `Err(false)` when it is not a number.
    pub(crate) fn float(&self) -> Result<f64, bool> {
        match (self.value, self.exotic) {
            (_, Some(ExoticKind::Infinite)) => Ok(
                if matches!(self.value, Value::String(s) if s.starts_with('-')) {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                },
            ),
            (_, Some(ExoticKind::BigInt(digits))) => match digits.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(f),
                _ => Err(true),
            },
            (Value::Bool(b), _) => Ok(if *b { 1.0 } else { 0.0 }),
            (Value::Number(n), _) => n.as_f64().ok_or(false),
            (Value::String(s), _) => parse_python_float(s).ok_or(false),
            _ => Err(false),
        }
    }
}

/// Python's `str()` of a JSON number.
pub(crate) fn number_str(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.is_finite() => crate::pycompat::float_repr(f),
        _ => n.to_string(),
    }
}

/// Python's `repr()` of a list or dict (and of the scalars inside them).
fn repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => number_str(n),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::from(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", repr(&Value::String(k.clone())), repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// Python's `str.isspace()` for one character: Unicode white space plus the information
/// separators U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()`.
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_python_space)
}

/// DRF's `re.sub(r'\.0*\s*$', '', s)` (IntegerField).
fn strip_decimal_zeros(s: &str) -> &str {
    let end = s.trim_end_matches(is_python_space);
    let without_zeros = end.trim_end_matches('0');
    match without_zeros.strip_suffix('.') {
        Some(rest) => rest,
        None => s,
    }
}

/// Python's `int(s)` of a string: surrounding white space, a sign, ASCII digits with single
/// underscores between them.
fn parse_python_int(s: &str) -> Option<Result<i128, bool>> {
    let s = strip(s);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !valid_digits(digits) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let signed = if negative { format!("-{clean}") } else { clean };
    Some(signed.parse::<i128>().map_err(|_| !negative))
}

/// Digits with single underscores only between digits.
fn valid_digits(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !s.contains("__")
}

/// Python's `float(s)` of a string (`inf`, `nan`, exponents, underscores between digits).
fn parse_python_float(s: &str) -> Option<f64> {
    let s = strip(s);
    if s.contains('_') {
        let ok = s
            .as_bytes()
            .windows(3)
            .all(|w| w[1] != b'_' || (w[0].is_ascii_digit() && w[2].is_ascii_digit()));
        if !ok || s.starts_with('_') || s.ends_with('_') {
            return None;
        }
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.starts_with("inf") || unsigned.starts_with("nan") {
        return matches!(unsigned, "inf" | "infinity" | "nan")
            .then(|| clean.parse::<f64>().ok())
            .flatten();
    }
    clean.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn py(v: &Value) -> PyValue<'_> {
        PyValue {
            value: v,
            exotic: None,
        }
    }

    #[test]
    fn integers_as_drf_reads_them() {
        let int = |v: Value| py(&v).integer();
        assert_eq!(int(json!(12)), Some(Ok(12)));
        assert_eq!(int(json!(12.0)), Some(Ok(12)));
        assert_eq!(int(json!(12.5)), None);
        assert_eq!(int(json!(1e20)), None); // str(1e20) is '1e+20'
        assert_eq!(int(json!(" 12 ")), Some(Ok(12)));
        assert_eq!(int(json!("12.000  ")), Some(Ok(12)));
        assert_eq!(int(json!("+1_000")), Some(Ok(1000)));
        assert_eq!(int(json!("1__0")), None);
        assert_eq!(int(json!("-5")), Some(Ok(-5)));
        assert_eq!(int(json!(true)), None);
        assert_eq!(int(json!("x")), None);
        assert_eq!(int(json!("9".repeat(50))), Some(Err(true)));
        assert_eq!(int(json!(format!("-{}", "9".repeat(50)))), Some(Err(false)));
    }

    #[test]
    fn floats_and_strings() {
        let float = |v: Value| py(&v).float();
        assert_eq!(float(json!(true)), Ok(1.0));
        assert_eq!(float(json!("1_0.5")), Ok(10.5));
        assert_eq!(float(json!(" inf ")), Ok(f64::INFINITY));
        assert_eq!(float(json!("infx")), Err(false));
        assert_eq!(float(json!([1])), Err(false));
        assert_eq!(strip("\u{1c} a \u{3000}"), "a");
        assert_eq!(
            py(&json!(["a", 1, null, {"k": true}])).display(),
            "['a', 1, None, {'k': True}]"
        );
        assert_eq!(py(&json!(1.0)).display(), "1.0");
        assert_eq!(py(&json!(1.5)).type_name(), "float");
    }
}
