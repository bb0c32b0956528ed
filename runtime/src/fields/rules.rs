//! Field rules declared with the [`validator`](https://docs.rs/validator) crate, answered in
//! DRF's words.
//!
//! ```
//! # use validator::Validate;
//! #[derive(serde::Deserialize, Validate)]
//! struct Bookmark {
//!     #[validate(length(max = 200))]
//!     title: String,
//!     #[validate(url)]
//!     url: String,
//!     #[validate(range(min = 1, max = 5))]
//!     stars: u8,
//! }
//! ```
//!
//! Taken as [`Validated<Bookmark>`](crate::Validated), a body failing them is a 400 such as
//! `{"title": ["Ensure this field has no more than 200 characters."], "url": ["Enter a valid
//! URL."]}`. The rules run once the body has the right shape, as DRF runs a field's
//! validators after converting it; the messages, by the rule's code:
//!
//! | rule | message |
//! | --- | --- |
//! | `length(max = N)` on text / a list | `Ensure this field has no more than N characters.` / `… N elements.` |
//! | `length(min = N)` | `Ensure this field has at least N characters.` / `… N elements.` |
//! | `length(equal = N)` | `Ensure this field has exactly N characters.` / `… N elements.` |
//! | `range(max = N)` / `range(min = N)` | `Ensure this value is less than or equal to N.` / `… greater than or equal to N.` |
//! | `range(exclusive_max = N)` / `exclusive_min` | `Ensure this value is less than N.` / `… greater than N.` |
//! | `email` | `Enter a valid email address.` |
//! | `url` | `Enter a valid URL.` |
//! | `regex` | `This value does not match the required pattern.` |
//! | `required` | `This field is required.` |
//! | any rule with `message = "…"` | that message |
//! | other codes | `Enter a valid value.` |
//!
//! `#[validate(nested)]` fields nest as DRF nests serializers; errors of
//! `#[validate(schema(function = …))]` are the body's `non_field_errors`. The keys are the
//! Rust field names, so a struct renaming fields with serde should name them alike.

use serde_json::Value;
use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

use super::errors::FieldErrors;
use crate::pycompat::json_decode::PathSeg;

/// Files `failed` into `errors`; `data` is the body, for what the length rules measured.
pub(crate) fn file(errors: &mut FieldErrors, failed: &ValidationErrors, data: &Value) {
    let mut path = Vec::new();
    file_at(errors, &mut path, failed, Some(data));
}

fn file_at(
    out: &mut FieldErrors,
    path: &mut Vec<PathSeg>,
    failed: &ValidationErrors,
    data: Option<&Value>,
) {
    // validator keeps a HashMap; the order DRF shows comes from `FieldErrors`' field order.
    for (name, kind) in failed.errors() {
        if name == "__all__" {
            if let ValidationErrorsKind::Field(list) = kind {
                for e in list {
                    out.add_non_field(path, message(e));
                }
            }
            continue;
        }
        let inner = data.and_then(|d| d.get(name.as_ref()));
        path.push(PathSeg::Key(name.to_string()));
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.add(path, message(e));
                }
            }
            ValidationErrorsKind::Struct(nested) => file_at(out, path, nested, inner),
            ValidationErrorsKind::List(items) => {
                for (i, nested) in items {
                    path.push(PathSeg::Index(*i));
                    let item = inner.and_then(|d| d.get(*i));
                    file_at(out, path, nested, item);
                    path.pop();
                }
            }
        }
        path.pop();
    }
}

/// A number parameter as text (`3`, `1.5`).
fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => crate::fields::python::number_str(n),
        other => other.to_string(),
    }
}

/// The length validator measured: characters of text, elements of a list.
fn measured(value: Option<&Value>) -> (Option<u64>, &'static str) {
    match value {
        Some(Value::String(s)) => (Some(s.chars().count() as u64), "characters"),
        Some(Value::Array(a)) => (Some(a.len() as u64), "elements"),
        Some(Value::Object(m)) => (Some(m.len() as u64), "elements"),
        _ => (None, "characters"),
    }
}

/// DRF's message for one failed rule.
fn message(e: &ValidationError) -> String {
    if let Some(m) = &e.message {
        return m.to_string();
    }
    let param = |k: &str| e.params.get(k);
    let as_f64 = |v: &Value| v.as_f64();
    match e.code.as_ref() {
        "length" => {
            let (len, unit) = measured(param("value"));
            if let Some(eq) = param("equal") {
                return format!("Ensure this field has exactly {} {unit}.", number(eq));
            }
            let (min, max) = (param("min"), param("max"));
            let too_short = match (len, min.and_then(|m| m.as_u64())) {
                (Some(l), Some(m)) => l < m,
                (None, Some(_)) => max.is_none(),
                _ => false,
            };
            match (too_short, min, max) {
                (true, Some(m), _) => {
                    format!("Ensure this field has at least {} {unit}.", number(m))
                }
                (_, _, Some(m)) => {
                    format!("Ensure this field has no more than {} {unit}.", number(m))
                }
                (_, Some(m), None) => {
                    format!("Ensure this field has at least {} {unit}.", number(m))
                }
                _ => "Enter a valid value.".to_owned(),
            }
        }
        "range" => {
            let value = param("value").and_then(as_f64);
            let below = |bound: Option<&Value>| match (value, bound.and_then(as_f64)) {
                (Some(v), Some(b)) => v < b,
                (None, Some(_)) => true,
                _ => false,
            };
            let above = |bound: Option<&Value>| match (value, bound.and_then(as_f64)) {
                (Some(v), Some(b)) => v > b,
                (None, Some(_)) => true,
                _ => false,
            };
            if let Some(m) = param("min").filter(|m| below(Some(m))) {
                format!(
                    "Ensure this value is greater than or equal to {}.",
                    number(m)
                )
            } else if let Some(m) = param("max").filter(|m| above(Some(m))) {
                format!("Ensure this value is less than or equal to {}.", number(m))
            } else if let Some(m) = param("exclusive_min") {
                format!("Ensure this value is greater than {}.", number(m))
            } else if let Some(m) = param("exclusive_max") {
                format!("Ensure this value is less than {}.", number(m))
            } else {
                "Enter a valid value.".to_owned()
            }
        }
        "email" => "Enter a valid email address.".to_owned(),
        "url" => "Enter a valid URL.".to_owned(),
        "regex" => "This value does not match the required pattern.".to_owned(),
        "required" => super::de::msg::REQUIRED.to_owned(),
        _ => "Enter a valid value.".to_owned(),
    }
}
