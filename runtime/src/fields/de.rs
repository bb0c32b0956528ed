//! A serde `Deserializer` over a parsed body that behaves like DRF's serializer fields: each
//! type asks for a kind of value (`deserialize_string`, `deserialize_i32`, …) and gets DRF's
//! coercions for it (`"12"` and `12.0` are integers, `5` is a string, `"yes"` is a boolean),
//! or DRF's message, recorded at the field's path. A field in error gets a stand-in value so
//! that the other fields are still checked, and every error is reported at once, as DRF
//! does.
//!
//! A required field that is missing is only known when serde's generated code asks for it,
//! after the whole object was read; [`deserialize`] then reads the body again, this time
//! giving that field of that type an "absent" value that reports "This field is required."
//! wherever it occurs. The number of passes is bounded by the number of required fields the
//! types declare, never by the input.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{Map, Value};

use super::errors::FieldErrors;
use crate::pycompat::json_decode::{Exotic, PathSeg};

mod access;
mod field;

use access::{Entries, Fields, Seq, Variant};

/// DRF's messages.
pub(crate) mod msg {
    pub(crate) const REQUIRED: &str = "This field is required.";
    pub(crate) const NULL: &str = "This field may not be null.";
    pub(crate) const BLANK: &str = "This field may not be blank.";
    pub(crate) const NOT_A_STRING: &str = "Not a valid string.";
    pub(crate) const NULL_CHARACTERS: &str = "Null characters are not allowed.";
    pub(crate) const NOT_AN_INTEGER: &str = "A valid integer is required.";
    pub(crate) const NOT_A_NUMBER: &str = "A valid number is required.";
    pub(crate) const STRING_TOO_LARGE: &str = "String value too large.";
    pub(crate) const FLOAT_OVERFLOW: &str = "Integer value too large to convert to float";
    pub(crate) const NOT_A_BOOLEAN: &str = "Must be a valid boolean.";
    pub(crate) const NO_DATA: &str = "No data provided";
}

/// DRF's `MAX_STRING_LENGTH` of the numeric fields.
const MAX_NUMBER_STRING: usize = 1000;

/// A required field of one struct type, found missing in an earlier pass.
type AbsentField = (usize, &'static str);

/// Deserializes `data` into `T` as DRF's serializer would validate it; `Err` holds every
/// field error. With the value comes an empty [`FieldErrors`] that knows the body's shape
/// (field order, lists of objects), for the rules checked afterwards.
pub(crate) fn deserialize<T: DeserializeOwned>(
    data: &Value,
    exotic: &[Exotic],
    form: Option<&Map<String, Value>>,
) -> Result<(T, FieldErrors), FieldErrors> {
    let mut absent: HashSet<AbsentField> = HashSet::new();
    loop {
        let (result, missing, errors) = {
            let ctx = Ctx {
                exotic,
                form,
                absent: &absent,
                errors: RefCell::new(FieldErrors::default()),
                missing: RefCell::new(Vec::new()),
                object_lists: RefCell::new(HashSet::new()),
            };
            let result = T::deserialize(De {
                input: Input::Value(data),
                trim: true,
                path: Vec::new(),
                list_len: None,
                ctx: &ctx,
            });
            (result, ctx.missing.take(), ctx.errors.into_inner())
        };
        let before = absent.len();
        absent.extend(missing);
        if absent.len() > before {
            continue;
        }
        let mut errors = errors;
        return match result {
            Ok(value) if errors.is_empty() => Ok((value, errors)),
            Err(Error::Custom(m)) => {
                errors.add_non_field(&[], m);
                Err(errors)
            }
            Err(Error::Missing(field)) => {
                errors.add(&[PathSeg::Key(field.to_owned())], msg::REQUIRED);
                Err(errors)
            }
            Ok(_) | Err(Error::Recorded) => {
                if errors.is_empty() {
                    errors.add_non_field(&[], "Invalid data.");
                }
                Err(errors)
            }
        };
    }
}

/// One pass's state.
struct Ctx<'a> {
    exotic: &'a [Exotic],
    /// A form or multipart body: every value of each field, as a list.
    form: Option<&'a Map<String, Value>>,
    absent: &'a HashSet<AbsentField>,
    errors: RefCell<FieldErrors>,
    missing: RefCell<Vec<AbsentField>>,
    /// Lists found to hold objects (DRF's `ListSerializer`, whose "not a list" error is the
    /// list's `non_field_errors`).
    object_lists: RefCell<HashSet<Vec<PathSeg>>>,
}

/// The error type of the deserializer.
#[derive(Debug)]
pub(crate) enum Error {
    /// serde's generated code found a required field missing.
    Missing(&'static str),
    /// A message from a `Deserialize` implementation, not yet filed at a path.
    Custom(String),
    /// The error is filed; the value cannot be built.
    Recorded,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Missing(field) => write!(f, "missing field `{field}`"),
            Error::Custom(m) => f.write_str(m),
            Error::Recorded => f.write_str("invalid data"),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        Error::Missing(field)
    }
}

/// What a field holds.
#[derive(Debug, Clone, Copy)]
enum Input<'a> {
    Value(&'a Value),
    /// A top-level field of a form body: its last value, and its name (for lists).
    Form(&'a Value, &'a str),
    /// A required field that is missing.
    Absent,
    /// A stand-in after an error: every request gets a default, nothing is reported.
    Placeholder,
}

struct De<'a, 'c> {
    input: Input<'a>,
    /// DRF's `trim_whitespace` (off inside [`super::Untrimmed`]).
    trim: bool,
    path: Vec<PathSeg>,
    /// Set on the items of a list: its length.
    list_len: Option<usize>,
    ctx: &'c Ctx<'a>,
}

/// A stand-in for each kind of value.
macro_rules! stand_in {
    ($visitor:ident, $method:ident $(, $arg:expr)*) => {
        De::quiet($visitor.$method($($arg),*))
    };
}

impl<'de, 'a, 'c> de::Deserializer<'de> for De<'a, 'c>
where
    'a: 'de,
{
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let v = match self.input {
            Input::Placeholder => return stand_in!(visitor, visit_unit),
            Input::Absent => {
                self.record(msg::REQUIRED);
                return stand_in!(visitor, visit_unit);
            }
            Input::Value(v) | Input::Form(v, _) => v,
        };
        let result = match v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq::new(&self, items)),
            Value::Object(map) => visitor.visit_map(Entries::new(&self, map)),
        };
        self.located(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Input::Absent = self.input {
            if self.ctx.form.is_some() && self.path.len() == 1 {
                // An HTML form leaves an unchecked box out: DRF's `default_empty_html`.
                return visitor.visit_bool(false);
            }
        }
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(_) => return stand_in!(visitor, visit_bool, false),
        };
        let truth = match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_f64() {
                Some(1.0) => Some(true),
                Some(0.0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.to_lowercase().as_str() {
                "t" | "y" | "yes" | "true" | "on" | "1" => Some(true),
                "f" | "n" | "no" | "false" | "off" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        match truth {
            Some(b) => this.located(visitor.visit_bool(b)),
            None => {
                this.fail(msg::NOT_A_BOOLEAN);
                stand_in!(visitor, visit_bool, false)
            }
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, i8::MIN.into(), i8::MAX.into(), |v, n| {
            v.visit_i64(n as i64)
        })
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, i16::MIN.into(), i16::MAX.into(), |v, n| {
            v.visit_i64(n as i64)
        })
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, i32::MIN.into(), i32::MAX.into(), |v, n| {
            v.visit_i64(n as i64)
        })
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, i64::MIN.into(), i64::MAX.into(), |v, n| {
            v.visit_i64(n as i64)
        })
    }
    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, i128::MIN, i128::MAX, |v, n| v.visit_i128(n))
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, 0, u8::MAX.into(), |v, n| v.visit_u64(n as u64))
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, 0, u16::MAX.into(), |v, n| v.visit_u64(n as u64))
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, 0, u32::MAX.into(), |v, n| v.visit_u64(n as u64))
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, 0, u64::MAX.into(), |v, n| v.visit_u64(n as u64))
    }
    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor, 0, i128::MAX, |v, n| v.visit_u128(n as u128))
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor, true)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.float(visitor, false)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(_) => return stand_in!(visitor, visit_char, ' '),
        };
        match this.char_field(v) {
            Ok(s) if s.chars().count() == 1 => {
                let c = s.chars().next().unwrap_or(' ');
                this.located(visitor.visit_char(c))
            }
            Ok(_) => {
                this.fail("Ensure this field has no more than 1 characters.");
                stand_in!(visitor, visit_char, ' ')
            }
            Err(()) => stand_in!(visitor, visit_char, ' '),
        }
    }

    /// Text for types that parse it themselves (`&str`, dates, UUIDs, addresses): passed as
    /// sent; their own message is the field's error.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(_) => return stand_in!(visitor, visit_str, ""),
        };
        let py = this.py(v);
        if let (Value::String(s), None) = (v, py.exotic) {
            return this.located(visitor.visit_borrowed_str(s));
        }
        match py.char_field_str() {
            Some(s) => this.located(visitor.visit_str(&s)),
            None => {
                this.fail(msg::NOT_A_STRING);
                stand_in!(visitor, visit_str, "")
            }
        }
    }

    /// A `String`: DRF's `CharField` with its defaults.
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(_) => return stand_in!(visitor, visit_string, String::new()),
        };
        match this.char_field(v) {
            Ok(s) => this.located(visitor.visit_string(s)),
            Err(()) => stand_in!(visitor, visit_string, String::new()),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value() {
            Some(Value::String(s)) => {
                let r = visitor.visit_bytes(s.as_bytes());
                self.located(r)
            }
            Some(Value::Array(_)) => self.deserialize_seq(visitor),
            _ => match self.common() {
                Ok((this, _)) => {
                    this.fail(msg::NOT_A_STRING);
                    stand_in!(visitor, visit_bytes, &[])
                }
                Err(_) => stand_in!(visitor, visit_bytes, &[]),
            },
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.input {
            Input::Placeholder | Input::Absent | Input::Value(Value::Null) => visitor.visit_none(),
            // An HTML form's empty value for an optional field (DRF's `get_value`).
            Input::Form(Value::String(s), _) if s.is_empty() => visitor.visit_none(),
            Input::Form(Value::Null, _) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        stand_in!(visitor, visit_unit)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        stand_in!(visitor, visit_unit)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == super::UNTRIMMED {
            return visitor.visit_newtype_struct(De {
                trim: false,
                ..self
            });
        }
        visitor.visit_newtype_struct(self)
    }

    /// A list: DRF's `ListField` (a list of objects: `ListSerializer`).
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor, 1)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        if let Input::Placeholder = self.input {
            return De::quiet(visitor.visit_seq(Seq::placeholders(&self, len)));
        }
        self.seq(visitor, len)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    /// A map: DRF's `DictField`.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(stand_in) => return De::quiet(visitor.visit_map(Entries::empty(&stand_in))),
        };
        match v {
            Value::Object(map) => {
                let r = visitor.visit_map(Entries::new(&this, map));
                this.located(r)
            }
            other => {
                let message = format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    this.py(other).type_name()
                );
                let stand_in = this.fail(message);
                De::quiet(visitor.visit_map(Entries::empty(&stand_in)))
            }
        }
    }

    /// A struct: DRF's nested serializer.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let id = fields.as_ptr() as usize;
        if let (Some(_), Some(PathSeg::Index(_))) = (self.list_len, self.path.last()) {
            let parent = self.path[..self.path.len() - 1].to_vec();
            self.ctx.object_lists.borrow_mut().insert(parent);
        }
        let map = match self.input {
            Input::Value(Value::Object(map)) | Input::Form(Value::Object(map), _) => map,
            Input::Value(Value::Null)
            | Input::Form(Value::Null, _)
            | Input::Absent
            | Input::Placeholder => {
                let stand_in = match self.common() {
                    Ok((this, _)) => this.placeholder(),
                    Err(stand_in) => stand_in,
                };
                return De::quiet(visitor.visit_map(Fields::placeholders(&stand_in, fields)));
            }
            Input::Value(other) | Input::Form(other, _) => {
                let message = format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    self.py(other).type_name()
                );
                self.ctx
                    .errors
                    .borrow_mut()
                    .add_non_field(&self.path, message);
                let stand_in = self.placeholder();
                return De::quiet(visitor.visit_map(Fields::placeholders(&stand_in, fields)));
            }
        };
        self.ctx.errors.borrow_mut().order(&self.path, fields);
        let absent: Vec<&'static str> = fields
            .iter()
            .copied()
            .filter(|f| self.ctx.absent.contains(&(id, *f)) && !map.contains_key(*f))
            .collect();
        let form = self.ctx.form.is_some() && self.path.is_empty();
        let result = visitor.visit_map(Fields {
            de: &self,
            entries: map.iter(),
            absent: absent.into_iter(),
            pending: None,
            form,
        });
        match result {
            Err(Error::Missing(field)) => {
                if self.ctx.absent.contains(&(id, field)) {
                    // Asked for again although given as absent: report it here.
                    self.child(PathSeg::Key(field.to_owned()), Input::Absent)
                        .record(msg::REQUIRED);
                } else {
                    self.ctx.missing.borrow_mut().push((id, field));
                }
                Err(Error::Recorded)
            }
            Err(Error::Custom(m)) => {
                self.ctx.errors.borrow_mut().add_non_field(&self.path, m);
                Err(Error::Recorded)
            }
            other => other,
        }
    }

    /// An enum of unit variants: DRF's `ChoiceField`; `{"Variant": value}` for the others.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let first = variants.first().copied().unwrap_or("");
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(stand_in) => {
                return De::quiet(visitor.visit_enum(Variant {
                    name: first.to_owned(),
                    value: stand_in,
                }));
            }
        };
        if let Value::Object(map) = v {
            if let (1, Some((k, inner))) = (map.len(), map.iter().next()) {
                if variants.contains(&k.as_str()) {
                    let value = this.child(PathSeg::Key(k.clone()), Input::Value(inner));
                    let r = visitor.visit_enum(Variant {
                        name: k.clone(),
                        value,
                    });
                    return this.located(r);
                }
            }
        }
        let input = this.py(v).display();
        if variants.contains(&input.as_str()) && !matches!(v, Value::Array(_) | Value::Object(_)) {
            let value = this.child(PathSeg::Index(0), Input::Placeholder);
            let r = visitor.visit_enum(Variant { name: input, value });
            return this.located(r);
        }
        let stand_in = this.fail(format!("\"{input}\" is not a valid choice."));
        De::quiet(visitor.visit_enum(Variant {
            name: first.to_owned(),
            value: stand_in,
        }))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value() {
            Some(Value::String(s)) => visitor.visit_str(s),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}
