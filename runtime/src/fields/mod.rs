//! Typed bodies validated as DRF's serializers validate them.
//!
//! [`Json<T>`](crate::Json) reads the parsed body (JSON, form or multipart, as DRF's
//! `request.data`) into any `T: Deserialize`, each Rust type standing for the DRF field a
//! serializer would declare for it, with that field's coercions and messages:
//!
//! | Rust type | DRF field | accepts | messages |
//! | --- | --- | --- | --- |
//! | `String` | `CharField()` | strings, numbers (`5` is `"5"`); trimmed | `This field may not be blank.`, `Not a valid string.`, `Null characters are not allowed.`, `Surrogate characters are not allowed: U+D800.` |
//! | [`Untrimmed`] | `CharField(trim_whitespace=False)` | the same, untrimmed | the same |
//! | `i8` … `u64`, `i128` | `IntegerField(min_value, max_value)` of the type's range | integers, `12.0`, `"12"`, `" 12 "` | `A valid integer is required.`, `Ensure this value is less than or equal to 255.` |
//! | `f32`, `f64` | `FloatField()` | numbers, numeric strings, booleans | `A valid number is required.` |
//! | `bool` | `BooleanField()` | `true`, `1`, `"yes"`, `"on"`, … (an HTML form's missing box is `false`) | `Must be a valid boolean.` |
//! | `Option<T>` | `required=False, allow_null=True` | `null` or a missing field (an HTML form's empty value) | |
//! | `Vec<T>` | `ListField(child=…)`, a list of structs `many=True` | lists (repeated form fields) | `Expected a list of items but got type "str".` |
//! | `HashMap<String, T>` | `DictField(child=…)` | objects | `Expected a dictionary of items but got type "list".` |
//! | a struct | a nested serializer | objects | `Invalid data. Expected a dictionary, but got str.` |
//! | an enum of unit variants | `ChoiceField(choices=…)` | a variant's name | `"x" is not a valid choice.` |
//! | other types (`&str`, dates, UUIDs) | | their own parsing of the text | their own message |
//!
//! Every field is `required=True` unless it is an `Option` or has `#[serde(default)]`; `null`
//! is refused unless it is an `Option` (`This field may not be null.`). All errors are
//! reported at once, nested as DRF nests them: `{"author": {"name": [...]}}`,
//! `{"tags": {"1": [...]}}`, `{"items": [{}, {"name": [...]}]}`, and
//! `{"non_field_errors": [...]}` for the body itself. Unknown members are ignored, as DRF
//! ignores them.
//!
//! Rules beyond the types (`max_length`, ranges, e-mail, URL, your own checks) are declared
//! with the [`validator`](https://docs.rs/validator) crate's derive and taken with
//! [`Validated<T>`](crate::Validated); see [`rules`].

mod de;
mod errors;
mod python;
pub mod rules;

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::parsers::ParsedBody;

pub(crate) use errors::FieldErrors;

/// The newtype name [`Untrimmed`] announces to the deserializer.
const UNTRIMMED: &str = "drf::Untrimmed";

/// A string field that keeps its surrounding white space: DRF's
/// `CharField(trim_whitespace=False)`, as DRF's token login reads the password.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Untrimmed(pub String);

/// A string, in the OpenAPI document.
impl schemars::JsonSchema for Untrimmed {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Untrimmed".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Not blank, but white space counts (`trim_whitespace=False`).
        schemars::json_schema!({"type": "string", "minLength": 1, "pattern": "^[^\\u0000]*$"})
    }
}

impl fmt::Debug for Untrimmed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for Untrimmed {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Untrimmed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Untrimmed;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Untrimmed, D::Error> {
                String::deserialize(d).map(Untrimmed)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Untrimmed, E> {
                Ok(Untrimmed(s.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Untrimmed, E> {
                Ok(Untrimmed(s))
            }
        }
        deserializer.deserialize_newtype_struct(UNTRIMMED, V)
    }
}

/// Reads a parsed body into `T` with DRF's field rules; the error is DRF's 400 field map.
/// With the value comes an empty error map that knows the body's shape, for [`rules`].
pub(crate) fn from_body<T: DeserializeOwned>(
    body: &ParsedBody,
) -> Result<(T, FieldErrors), FieldErrors> {
    de::deserialize(&body.data, &body.exotic, body.form.as_ref())
}

impl FieldErrors {
    /// The 400 answer.
    pub(crate) fn into_api_error(self) -> ApiError {
        ApiError::validation(self.render())
    }
}

#[cfg(test)]
mod tests;
