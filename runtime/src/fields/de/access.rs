//! serde's access to what a list, an object or an enum holds: items and members, each read
//! at its own path.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::{Map, Value};

use super::{Ctx, De, Error, Input};
use crate::pycompat::json_decode::PathSeg;

/// The items of a list.
pub(super) struct Seq<'a, 'c> {
    pub(super) de: De<'a, 'c>,
    pub(super) items: std::slice::Iter<'a, Value>,
    pub(super) len: usize,
    pub(super) index: usize,
    pub(super) placeholders: usize,
}

impl<'a, 'c> Seq<'a, 'c> {
    pub(super) fn new(parent: &De<'a, 'c>, items: &'a [Value]) -> Self {
        Seq {
            de: parent.child(PathSeg::Index(0), Input::Placeholder),
            items: items.iter(),
            len: items.len(),
            index: 0,
            placeholders: 0,
        }
    }

    pub(super) fn empty(parent: &De<'a, 'c>) -> Self {
        Self::new(parent, &[])
    }

    pub(super) fn placeholders(parent: &De<'a, 'c>, n: usize) -> Self {
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
pub(super) struct Fields<'a, 'c, 'd> {
    pub(super) de: &'d De<'a, 'c>,
    pub(super) entries: serde_json::map::Iter<'a>,
    pub(super) absent: std::vec::IntoIter<&'static str>,
    pub(super) pending: Option<De<'a, 'c>>,
    /// The top level of a form body.
    pub(super) form: bool,
}

impl<'a, 'c, 'd> Fields<'a, 'c, 'd> {
    /// Every declared field as a stand-in.
    pub(super) fn placeholders(de: &'d De<'a, 'c>, fields: &'static [&'static str]) -> Self {
        Fields {
            de,
            entries: EMPTY.iter(),
            absent: Vec::from(fields).into_iter(),
            pending: None,
            form: false,
        }
    }
}

pub(super) static EMPTY: std::sync::LazyLock<Map<String, Value>> =
    std::sync::LazyLock::new(Map::new);

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
pub(super) struct Entries<'a, 'c> {
    pub(super) parent: Vec<PathSeg>,
    pub(super) ctx: &'c Ctx<'a>,
    pub(super) entries: serde_json::map::Iter<'a>,
    pub(super) pending: Option<(&'a String, &'a Value)>,
}

impl<'a, 'c> Entries<'a, 'c> {
    pub(super) fn new(de: &De<'a, 'c>, map: &'a Map<String, Value>) -> Self {
        Entries {
            parent: de.path.clone(),
            ctx: de.ctx,
            entries: map.iter(),
            pending: None,
        }
    }

    pub(super) fn empty(de: &De<'a, 'c>) -> Self {
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
pub(super) struct Variant<'a, 'c> {
    pub(super) name: String,
    pub(super) value: De<'a, 'c>,
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
pub(super) fn deserialize_at<'de, 'a: 'de, S: DeserializeSeed<'de>>(
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
