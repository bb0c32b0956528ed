//! Python's `json.dumps`, as Django signs it.

use std::fmt::Write as _;

use serde_json::Value;

/// Python's `json.dumps(obj, separators=(",", ":"))` (`ensure_ascii=True`): compact, keys in
/// insertion order, every character outside printable ASCII escaped as `\uXXXX` (surrogate
/// pairs above U+FFFF), floats as Python's `repr`.
pub fn json_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => out.push_str(&json_float_repr(f)),
            None => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_json_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`, with JSON's `NaN`/`Infinity` for the non-finite values.
fn json_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    super::float_repr(f)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::json_dumps;

    #[test]
    fn python_json_matches_json_dumps() {
        assert_eq!(
            json_dumps(&json!({"n": "é", "e": "😀", "c": "\u{1}\u{7f}\n\"\\/"})),
            r#"{"n":"\u00e9","e":"\ud83d\ude00","c":"\u0001\u007f\n\"\\/"}"#
        );
        assert_eq!(
            json_dumps(&json!([
                1,
                -2,
                1.5,
                1e20,
                1e-5,
                0.0001,
                1e16,
                123456789.0,
                true,
                null
            ])),
            "[1,-2,1.5,1e+20,1e-05,0.0001,1e+16,123456789.0,true,null]"
        );
        assert_eq!(json_dumps(&json!({})), "{}");
    }
}
