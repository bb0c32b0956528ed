//! How `#[api_view]` reads a body and an answer off the handler's types, with a schema when the
//! type has one. Autoref specialization, on stable: the generated code calls
//! `(&Probe::<T>::new()).body(schemas)`; the impls on `Probe<Json<T>>` (needing
//! `T: JsonSchema`) are found first, and when `T` has no schema method lookup goes on to the
//! impl on `&Probe<A>`, which documents the body without one. The types are always concrete
//! there (the handler's own), which is what makes this work.

use std::marker::PhantomData;

use http::StatusCode;
use schemars::JsonSchema;

use super::{AnswerDoc, BodyDoc, Schemas};
use crate::extract::{FromRequest, Validated};
use crate::response::Json;

/// A type under inspection.
#[derive(Debug)]
pub struct Probe<T: ?Sized>(PhantomData<fn() -> Box<T>>);

impl<T: ?Sized> Probe<T> {
    /// The probe of `T`.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T: ?Sized> Default for Probe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A body whose type has a schema.
pub trait TypedBody {
    /// The body, with its schema.
    fn body(&self, schemas: &mut Schemas) -> Option<BodyDoc>;
}

/// Any argument: its [`FromRequest::openapi_body`], without a schema.
pub trait AnyBody {
    /// The body the argument reads, if any.
    fn body(&self, schemas: &mut Schemas) -> Option<BodyDoc>;
}

impl<A: FromRequest> AnyBody for &Probe<A> {
    fn body(&self, _: &mut Schemas) -> Option<BodyDoc> {
        A::openapi_body()
    }
}

fn typed<T: JsonSchema>(schemas: &mut Schemas, required: bool) -> Option<BodyDoc> {
    Some(BodyDoc {
        required,
        schema: Some(schemas.request::<T>()),
    })
}

impl<T: JsonSchema> TypedBody for Probe<Json<T>> {
    fn body(&self, schemas: &mut Schemas) -> Option<BodyDoc> {
        typed::<T>(schemas, true)
    }
}

// The `Option`s read the body on POST, PUT and PATCH, the methods the document gives a body.
impl<T: JsonSchema> TypedBody for Probe<Option<Json<T>>> {
    fn body(&self, schemas: &mut Schemas) -> Option<BodyDoc> {
        typed::<T>(schemas, true)
    }
}

impl<T: JsonSchema> TypedBody for Probe<Validated<T>> {
    fn body(&self, schemas: &mut Schemas) -> Option<BodyDoc> {
        typed::<T>(schemas, true)
    }
}

impl<T: JsonSchema> TypedBody for Probe<Option<Validated<T>>> {
    fn body(&self, schemas: &mut Schemas) -> Option<BodyDoc> {
        typed::<T>(schemas, true)
    }
}

/// An answer whose type has a schema.
pub trait TypedAnswer {
    /// The answer, with its schema.
    fn answer(&self, schemas: &mut Schemas) -> AnswerDoc;
}

/// Any answer: `2XX`, body unknown.
pub trait AnyAnswer {
    /// The answer.
    fn answer(&self, schemas: &mut Schemas) -> AnswerDoc;
}

impl<R> AnyAnswer for &Probe<R> {
    fn answer(&self, _: &mut Schemas) -> AnswerDoc {
        AnswerDoc::default()
    }
}

fn answer<T: JsonSchema>(schemas: &mut Schemas, status: Option<u16>) -> AnswerDoc {
    AnswerDoc {
        status,
        schema: Some(schemas.response::<T>()),
    }
}

impl<T: JsonSchema> TypedAnswer for Probe<Json<T>> {
    fn answer(&self, schemas: &mut Schemas) -> AnswerDoc {
        answer::<T>(schemas, Some(200))
    }
}

impl<T: JsonSchema, E> TypedAnswer for Probe<Result<Json<T>, E>> {
    fn answer(&self, schemas: &mut Schemas) -> AnswerDoc {
        answer::<T>(schemas, Some(200))
    }
}

impl<T: JsonSchema> TypedAnswer for Probe<(StatusCode, Json<T>)> {
    fn answer(&self, schemas: &mut Schemas) -> AnswerDoc {
        answer::<T>(schemas, None)
    }
}

impl<T: JsonSchema, E> TypedAnswer for Probe<Result<(StatusCode, Json<T>), E>> {
    fn answer(&self, schemas: &mut Schemas) -> AnswerDoc {
        answer::<T>(schemas, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Data;

    /// A body type without `JsonSchema`.
    #[derive(serde::Deserialize)]
    struct Plain {}

    // The borrow is the mechanism: it is what lets lookup fall back to `&Probe<A>`.
    #[allow(clippy::needless_borrow)]
    #[test]
    fn a_schema_when_the_type_has_one_else_none() {
        let mut schemas = Schemas::default();
        let typed = (&Probe::<Json<String>>::new()).body(&mut schemas).unwrap();
        assert!(typed.required && typed.schema.is_some());
        let optional = (&Probe::<Option<Json<i64>>>::new())
            .body(&mut schemas)
            .unwrap();
        assert!(optional.required && optional.schema.is_some());
        let untyped = (&Probe::<Json<Plain>>::new()).body(&mut schemas).unwrap();
        assert!(untyped.required && untyped.schema.is_none());
        let data = (&Probe::<Data>::new()).body(&mut schemas).unwrap();
        assert!(!data.required && data.schema.is_none());
        assert!((&Probe::<Data>::new()).body(&mut schemas).is_some());
        assert!(
            (&Probe::<crate::user::User>::new())
                .body(&mut schemas)
                .is_none()
        );
        let answer = (&Probe::<Json<Vec<String>>>::new()).answer(&mut schemas);
        assert_eq!(answer.status, Some(200));
        assert!(answer.schema.is_some());
        let any = (&Probe::<StatusCode>::new()).answer(&mut schemas);
        assert!(any.status.is_none() && any.schema.is_none());
    }
}
