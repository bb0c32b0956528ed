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

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::{Map, Value};

use super::errors::FieldErrors;
use super::python::{PyValue, strip};
use crate::pycompat::json_decode::{Exotic, ExoticKind, PathSeg};

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

impl<'a, 'c> De<'a, 'c> {
    fn child(&self, seg: PathSeg, input: Input<'a>) -> Self {
        let mut path = self.path.clone();
        path.push(seg);
        De {
            input,
            trim: true,
            path,
            list_len: None,
            ctx: self.ctx,
        }
    }

    fn placeholder(self) -> Self {
        De {
            input: Input::Placeholder,
            ..self
        }
    }

    fn value(&self) -> Option<&'a Value> {
        match self.input {
            Input::Value(v) | Input::Form(v, _) => Some(v),
            _ => None,
        }
    }

    fn py(&self, value: &'a Value) -> PyValue<'a> {
        let exotic = if self.ctx.exotic.is_empty() {
            None
        } else {
            self.ctx
                .exotic
                .iter()
                .find(|e| e.path == self.path)
                .map(|e| &e.kind)
        };
        PyValue { value, exotic }
    }

    fn record(&self, message: impl Into<String>) {
        self.ctx.errors.borrow_mut().add(&self.path, message);
    }

    /// Files a message from a `Deserialize` implementation at this field.
    fn located<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        match result {
            Err(Error::Custom(m)) => {
                self.record(m);
                Err(Error::Recorded)
            }
            other => other,
        }
    }

    /// An error while filling a stand-in is a consequence of one already filed.
    fn quiet<T>(result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| match e {
            Error::Custom(_) => Error::Recorded,
            other => other,
        })
    }

    /// Handles the inputs every kind treats alike: a stand-in, a missing field, `null`.
    /// `Some(self)` with a value to convert; `None` after recording, with the stand-in to use.
    fn common(self) -> Result<(Self, &'a Value), Self> {
        match self.input {
            Input::Placeholder => Err(self),
            Input::Absent => {
                self.record(msg::REQUIRED);
                Err(self.placeholder())
            }
            Input::Value(Value::Null) | Input::Form(Value::Null, _) => {
                if self.path.is_empty() {
                    self.ctx
                        .errors
                        .borrow_mut()
                        .add_non_field(&[], msg::NO_DATA);
                } else {
                    self.record(msg::NULL);
                }
                Err(self.placeholder())
            }
            Input::Value(v) | Input::Form(v, _) => Ok((self, v)),
        }
    }

    fn fail(self, message: impl Into<String>) -> Self {
        self.record(message);
        self.placeholder()
    }

    fn integer<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        min: i128,
        max: i128,
        visit: impl FnOnce(V, i128) -> Result<V::Value, Error>,
    ) -> Result<V::Value, Error> {
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(_) => return Self::quiet(visit(visitor, 0.clamp(min, max))),
        };
        if matches!(v, Value::String(s) if s.chars().count() > MAX_NUMBER_STRING) {
            this.fail(msg::STRING_TOO_LARGE);
            return Self::quiet(visit(visitor, 0.clamp(min, max)));
        }
        let message = match this.py(v).integer() {
            Some(Ok(n)) if (min..=max).contains(&n) => return this.located(visit(visitor, n)),
            Some(Ok(n)) if n > max => format!("Ensure this value is less than or equal to {max}."),
            Some(Err(true)) => format!("Ensure this value is less than or equal to {max}."),
            Some(_) => format!("Ensure this value is greater than or equal to {min}."),
            None => msg::NOT_AN_INTEGER.to_owned(),
        };
        this.fail(message);
        Self::quiet(visit(visitor, 0.clamp(min, max)))
    }

    fn float<'de, V: Visitor<'de>>(self, visitor: V, single: bool) -> Result<V::Value, Error> {
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(_) => return Self::quiet(visitor.visit_f64(0.0)),
        };
        if matches!(v, Value::String(s) if s.chars().count() > MAX_NUMBER_STRING) {
            this.fail(msg::STRING_TOO_LARGE);
            return Self::quiet(visitor.visit_f64(0.0));
        }
        let message = match this.py(v).float() {
            Ok(f) if f.is_finite() && !(single && f.abs() > f64::from(f32::MAX)) => {
                return this.located(if single {
                    visitor.visit_f32(f as f32)
                } else {
                    visitor.visit_f64(f)
                });
            }
            Err(true) => msg::FLOAT_OVERFLOW,
            _ => msg::NOT_A_NUMBER,
        };
        this.fail(message);
        Self::quiet(visitor.visit_f64(0.0))
    }

    /// A list (or a tuple of `probe` items: the stand-ins given after an error).
    fn seq<'de, V: Visitor<'de>>(self, visitor: V, probe: usize) -> Result<V::Value, Error>
    where
        'a: 'de,
    {
        if let Input::Form(_, name) = self.input {
            // `QueryDict.getlist`: every value of a repeated form field.
            if let Some(Value::Array(all)) = self.ctx.form.and_then(|m| m.get(name)) {
                let r = visitor.visit_seq(Seq::new(&self, all));
                return self.located(r);
            }
        }
        let (this, v) = match self.common() {
            Ok(found) => found,
            Err(stand_in) => return De::quiet(visitor.visit_seq(Seq::empty(&stand_in))),
        };
        match v {
            Value::Array(items) => {
                let r = visitor.visit_seq(Seq::new(&this, items));
                this.located(r)
            }
            other => {
                let message = format!(
                    "Expected a list of items but got type \"{}\".",
                    this.py(other).type_name()
                );
                // One stand-in item tells whether the items are objects.
                let stand_in = this.placeholder();
                let result = De::quiet(visitor.visit_seq(Seq::placeholders(&stand_in, probe)));
                if stand_in.ctx.object_lists.borrow().contains(&stand_in.path) {
                    stand_in
                        .ctx
                        .errors
                        .borrow_mut()
                        .add_non_field(&stand_in.path, message);
                } else {
                    stand_in.record(message);
                }
                result
            }
        }
    }

    /// DRF's `CharField` (trimmed, not blank, no NUL, no lone surrogate): `Ok` with the
    /// value, or `Err` after recording every message.
    fn char_field(&self, v: &'a Value) -> Result<String, ()> {
        let py = self.py(v);
        let Some(text) = py.char_field_str() else {
            self.record(msg::NOT_A_STRING);
            return Err(());
        };
        let text = if self.trim { strip(&text) } else { &text };
        if text.is_empty() {
            self.record(msg::BLANK);
            return Err(());
        }
        let mut ok = true;
        if text.contains('\0') {
            self.record(msg::NULL_CHARACTERS);
            ok = false;
        }
        if let Some(ExoticKind::Surrogate(code)) = py.exotic {
            self.record(format!("Surrogate characters are not allowed: U+{code:X}."));
            ok = false;
        }
        if ok { Ok(text.to_owned()) } else { Err(()) }
    }
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

/// The items of a list.
struct Seq<'a, 'c> {
    de: De<'a, 'c>,
    items: std::slice::Iter<'a, Value>,
    len: usize,
    index: usize,
    placeholders: usize,
}

impl<'a, 'c> Seq<'a, 'c> {
    fn new(parent: &De<'a, 'c>, items: &'a [Value]) -> Self {
        Seq {
            de: parent.child(PathSeg::Index(0), Input::Placeholder),
            items: items.iter(),
            len: items.len(),
            index: 0,
            placeholders: 0,
        }
    }

    fn empty(parent: &De<'a, 'c>) -> Self {
        Self::new(parent, &[])
    }

    fn placeholders(parent: &De<'a, 'c>, n: usize) -> Self {
        Seq {
            placeholders: n,
            ..Self::empty(parent)
        }
    }
}

impl<'de, 'a: 'de, 'c> de::SeqAccess<'de> for Seq<'a, 'c> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let input = match self.items.next() {
            Some(v) => Input::Value(v),
            None if self.placeholders > 0 => {
                self.placeholders -= 1;
                Input::Placeholder
            }
            None => return Ok(None),
        };
        let mut path = self.de.path.clone();
        path.pop();
        path.push(PathSeg::Index(self.index));
        self.index += 1;
        let item = De {
            input,
            trim: true,
            path,
            list_len: Some(self.len),
            ctx: self.de.ctx,
        };
        deserialize_at(seed, item).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() + self.placeholders)
    }
}

/// The members of an object read as a struct: the ones sent, then the required ones found
/// missing in an earlier pass.
struct Fields<'a, 'c, 'd> {
    de: &'d De<'a, 'c>,
    entries: serde_json::map::Iter<'a>,
    absent: std::vec::IntoIter<&'static str>,
    pending: Option<De<'a, 'c>>,
    /// The top level of a form body.
    form: bool,
}

impl<'a, 'c, 'd> Fields<'a, 'c, 'd> {
    /// Every declared field as a stand-in.
    fn placeholders(de: &'d De<'a, 'c>, fields: &'static [&'static str]) -> Self {
        Fields {
            de,
            entries: EMPTY.iter(),
            absent: Vec::from(fields).into_iter(),
            pending: None,
            form: false,
        }
    }
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'de, 'a: 'de, 'c, 'd> de::MapAccess<'de> for Fields<'a, 'c, 'd> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if let Some((key, value)) = self.entries.next() {
            let input = if self.form {
                Input::Form(value, key.as_str())
            } else {
                Input::Value(value)
            };
            self.pending = Some(self.de.child(PathSeg::Key(key.clone()), input));
            return seed
                .deserialize(de::value::BorrowedStrDeserializer::<Error>::new(key))
                .map(Some);
        }
        if let Some(field) = self.absent.next() {
            let input = match self.de.input {
                Input::Placeholder => Input::Placeholder,
                _ => Input::Absent,
            };
            self.pending = Some(self.de.child(PathSeg::Key(field.to_owned()), input));
            return seed
                .deserialize(de::value::StrDeserializer::<Error>::new(field))
                .map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.pending.take() {
            Some(de) => deserialize_at(seed, de),
            None => Err(Error::Custom("value asked for before its key".into())),
        }
    }
}

/// The members of an object read as a map (or as anything, for `deserialize_any`).
struct Entries<'a, 'c> {
    parent: Vec<PathSeg>,
    ctx: &'c Ctx<'a>,
    entries: serde_json::map::Iter<'a>,
    pending: Option<(&'a String, &'a Value)>,
}

impl<'a, 'c> Entries<'a, 'c> {
    fn new(de: &De<'a, 'c>, map: &'a Map<String, Value>) -> Self {
        Entries {
            parent: de.path.clone(),
            ctx: de.ctx,
            entries: map.iter(),
            pending: None,
        }
    }

    fn empty(de: &De<'a, 'c>) -> Self {
        Self::new(de, &EMPTY)
    }
}

impl<'de, 'a: 'de, 'c> de::MapAccess<'de> for Entries<'a, 'c> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        seed.deserialize(de::value::BorrowedStrDeserializer::<Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.pending.take() else {
            return Err(Error::Custom("value asked for before its key".into()));
        };
        let mut path = self.parent.clone();
        path.push(PathSeg::Key(key.clone()));
        deserialize_at(
            seed,
            De {
                input: Input::Value(value),
                trim: true,
                path,
                list_len: None,
                ctx: self.ctx,
            },
        )
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum's variant and what it holds.
struct Variant<'a, 'c> {
    name: String,
    value: De<'a, 'c>,
}

impl<'de, 'a: 'de, 'c> de::EnumAccess<'de> for Variant<'a, 'c> {
    type Error = Error;
    type Variant = De<'a, 'c>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), Error> {
        let name: de::value::StringDeserializer<Error> = self.name.into_deserializer();
        let variant = seed.deserialize(name)?;
        Ok((variant, self.value))
    }
}

impl<'de, 'a: 'de, 'c> de::VariantAccess<'de> for De<'a, 'c> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_tuple(self, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

/// Reads one member or item; a message its type gives after reading (a UUID that does not
/// parse) is that member's error.
fn deserialize_at<'de, 'a: 'de, S: DeserializeSeed<'de>>(
    seed: S,
    de: De<'a, '_>,
) -> Result<S::Value, Error> {
    let path = de.path.clone();
    let ctx = de.ctx;
    let placeholder = matches!(de.input, Input::Placeholder);
    match seed.deserialize(de) {
        Err(Error::Custom(m)) => {
            if !placeholder {
                ctx.errors.borrow_mut().add(&path, m);
            }
            Err(Error::Recorded)
        }
        other => other,
    }
}
