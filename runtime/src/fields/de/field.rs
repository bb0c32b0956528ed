//! One value at its path: moving down the body, recording errors there, and the coercions
//! DRF's numeric, list and string fields apply.

use serde::de::Visitor;
use serde_json::Value;

use super::{De, Error, Input, MAX_NUMBER_STRING, Seq, msg};
use crate::fields::python::{PyValue, strip};
use crate::pycompat::json_decode::{ExoticKind, PathSeg};

impl<'a, 'c> De<'a, 'c> {
    pub(super) fn child(&self, seg: PathSeg, input: Input<'a>) -> Self {
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

    pub(super) fn placeholder(self) -> Self {
        De {
            input: Input::Placeholder,
            ..self
        }
    }

    pub(super) fn value(&self) -> Option<&'a Value> {
        match self.input {
            Input::Value(v) | Input::Form(v, _) => Some(v),
            _ => None,
        }
    }

    pub(super) fn py(&self, value: &'a Value) -> PyValue<'a> {
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

    pub(super) fn record(&self, message: impl Into<String>) {
        self.ctx.errors.borrow_mut().add(&self.path, message);
    }

    /// Files a message from a `Deserialize` implementation at this field.
    pub(super) fn located<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        match result {
            Err(Error::Custom(m)) => {
                self.record(m);
                Err(Error::Recorded)
            }
            other => other,
        }
    }

    /// An error while filling a stand-in is a consequence of one already filed.
    pub(super) fn quiet<T>(result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| match e {
            Error::Custom(_) => Error::Recorded,
            other => other,
        })
    }

    /// Handles the inputs every kind treats alike: a stand-in, a missing field, `null`.
    /// `Some(self)` with a value to convert; `None` after recording, with the stand-in to use.
    pub(super) fn common(self) -> Result<(Self, &'a Value), Self> {
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

    pub(super) fn fail(self, message: impl Into<String>) -> Self {
        self.record(message);
        self.placeholder()
    }

    pub(super) fn integer<'de, V: Visitor<'de>>(
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

    pub(super) fn float<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        single: bool,
    ) -> Result<V::Value, Error> {
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
    pub(super) fn seq<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        probe: usize,
    ) -> Result<V::Value, Error>
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
    pub(super) fn char_field(&self, v: &'a Value) -> Result<String, ()> {
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
