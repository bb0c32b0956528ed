//! Handler arguments by type ([`FromRequest`]) and async functions as handlers ([`Handler`]).

use std::future::Future;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde_json::Value;

use http::Method;

use crate::error::ApiError;
use crate::fields::FieldErrors;
use crate::openapi::BodyDoc;
use crate::request::Request;
use crate::response::{IntoResponse, Response};
use crate::user::{Auth, User};

/// A handler argument, taken from the request after authentication and permissions.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not extractable from the request",
    note = "a handler takes `Request`, `User`, `Auth`, `Path<T>`, `Json<T>`, `Validated<T>`, `Option<Json<T>>`, `Data`, `State<T>`, or a type implementing `FromRequest`"
)]
pub trait FromRequest: Sized + Send {
    /// Extracts the value; an error is answered as DRF would.
    fn from_request(req: &Request) -> Result<Self, ApiError>;

    /// The application state this argument needs (only [`State<T>`] has any), checked when
    /// the server starts.
    fn required_states(needs: &mut Vec<StateNeed>) {
        let _ = needs;
    }

    /// The request body this argument reads, for the OpenAPI document (without a schema:
    /// `#[api_view]` adds `T`'s when `T: JsonSchema`). `None`: it reads no body.
    fn openapi_body() -> Option<BodyDoc> {
        None
    }
}

/// A body read into a type: required.
fn typed_body() -> Option<BodyDoc> {
    Some(BodyDoc {
        required: true,
        schema: None,
    })
}

/// A value of type `T` given to the router with [`Router::with_state`](crate::Router::with_state):
/// a pool, a client, a configuration of your own (any `Clone + Send + Sync + 'static` type;
/// share big values behind an `Arc`). Several types can be given side by side, each taken by
/// its own `State<T>`. A view taking a state the router was not given stops the server at
/// start-up, naming the route and the type.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromRequest for State<T> {
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        req.state::<T>().cloned().map(State).ok_or_else(|| {
            ApiError::Internal(format!(
                "no State<{}> was given to the router (Router::with_state)",
                std::any::type_name::<T>()
            ))
        })
    }

    fn required_states(needs: &mut Vec<StateNeed>) {
        needs.push(StateNeed::of::<T>());
    }
}

/// A `State<T>` a view takes: its type, and how to tell whether the router has one.
#[derive(Debug, Clone, Copy)]
pub struct StateNeed {
    pub(crate) type_name: &'static str,
    pub(crate) given: fn(&http::Extensions) -> bool,
}

impl StateNeed {
    /// The need of `State<T>`.
    pub fn of<T: Clone + Send + Sync + 'static>() -> Self {
        StateNeed {
            type_name: std::any::type_name::<T>(),
            given: |states| states.get::<T>().is_some(),
        }
    }
}

impl FromRequest for Request {
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        Ok(req.clone())
    }
}

impl FromRequest for User {
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        Ok(req.user().clone())
    }
}

impl FromRequest for Auth {
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        Ok(req.auth().clone())
    }
}

/// The parsed body as JSON (DRF's `request.data`).
#[derive(Debug, Clone)]
pub struct Data(pub Value);

impl FromRequest for Data {
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        req.data().map(|v| Data(v.clone()))
    }
    fn openapi_body() -> Option<BodyDoc> {
        Some(BodyDoc::default())
    }
}

/// A typed body: the parsed body (JSON, form or multipart, DRF's `request.data`) read into
/// `T` with DRF's field rules (see [`crate::fields`]). A body that does not fit is a 400 with
/// DRF's field map, every field's errors at once: `{"title": ["This field is required."]}`.
///
/// As `Option<Json<T>>` the body is optional by method: `None` for GET, HEAD and OPTIONS (and
/// a DELETE without a body), so one view can list on GET and create on POST.
pub use crate::response::Json;

impl<T: DeserializeOwned + Send> FromRequest for Json<T> {
    fn openapi_body() -> Option<BodyDoc> {
        typed_body()
    }
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        crate::fields::from_body(req.parsed()?)
            .map(|(value, _)| Json(value))
            .map_err(FieldErrors::into_api_error)
    }
}

/// Whether a request of this method carries a body a view reads (see `Option<Json<T>>`).
fn reads_body(req: &Request) -> bool {
    match *req.method() {
        Method::GET | Method::HEAD | Method::OPTIONS => false,
        Method::DELETE => !req.body().is_empty(),
        _ => true,
    }
}

impl<T: DeserializeOwned + Send> FromRequest for Option<Json<T>> {
    fn openapi_body() -> Option<BodyDoc> {
        typed_body()
    }
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        if reads_body(req) {
            Json::from_request(req).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A typed body with rules: [`Json<T>`]'s reading, then `T`'s rules declared with the
/// [`validator`](https://docs.rs/validator) crate's `#[derive(Validate)]`, their failures in
/// DRF's words (`Ensure this field has no more than 200 characters.`). Add
/// `validator = { version = "0.20", features = ["derive"] }` to your `Cargo.toml`; see
/// [`crate::fields::rules`] for the mapping. `Option<Validated<T>>` is optional by method as
/// `Option<Json<T>>` is.
#[derive(Debug, Clone, Default)]
pub struct Validated<T>(pub T);

impl<T: DeserializeOwned + validator::Validate + Send> FromRequest for Validated<T> {
    fn openapi_body() -> Option<BodyDoc> {
        typed_body()
    }
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        let body = req.parsed()?;
        let (value, mut errors): (T, FieldErrors) =
            crate::fields::from_body(body).map_err(FieldErrors::into_api_error)?;
        match value.validate() {
            Ok(()) => Ok(Validated(value)),
            Err(failed) => {
                crate::fields::rules::file(&mut errors, &failed, &body.data);
                Err(errors.into_api_error())
            }
        }
    }
}

impl<T: DeserializeOwned + validator::Validate + Send> FromRequest for Option<Validated<T>> {
    fn openapi_body() -> Option<BodyDoc> {
        typed_body()
    }
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        if reads_body(req) {
            Validated::from_request(req).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Path parameters, deserialized: one parameter into a scalar (`Path<i64>`), several into a
/// tuple or a struct with the parameters' names. A value that does not parse is 404, as a
/// Django path converter that does not match.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest for Path<T> {
    fn from_request(req: &Request) -> Result<Self, ApiError> {
        path_params(req.params()).map(Path)
    }
}

/// The path parameters deserialized as `T`, for [`Path`]: 404 when they do not fit.
pub(crate) fn path_params<T: DeserializeOwned>(params: &[(String, String)]) -> Result<T, ApiError> {
    if let [(_, v)] = params {
        if let Ok(t) = T::deserialize(ParamValue(v)) {
            return Ok(t);
        }
    }
    T::deserialize(ParamsDeserializer(params)).map_err(|_: de::value::Error| ApiError::NotFound)
}

struct ParamValue<'a>(&'a str);

impl<'de> de::Deserializer<'de> for ParamValue<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_bool(parse(self.0)?)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_i64(parse(self.0)?)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_i32(parse(self.0)?)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_i16(parse(self.0)?)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_i8(parse(self.0)?)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_u64(parse(self.0)?)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_u32(parse(self.0)?)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_u16(parse(self.0)?)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_u8(parse(self.0)?)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_f64(parse(self.0)?)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_f32(parse(self.0)?)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Self::Error> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        v.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

fn parse<T: FromStr>(s: &str) -> Result<T, de::value::Error> {
    s.parse()
        .map_err(|_| de::Error::custom(format!("cannot parse {s:?}")))
}

struct ParamsDeserializer<'a>(&'a [(String, String)]);

impl<'de> de::Deserializer<'de> for ParamsDeserializer<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_map(de::value::MapDeserializer::new(
            self.0.iter().map(|(k, val)| (k.as_str(), ParamValue(val))),
        ))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_seq(de::value::SeqDeserializer::new(
            self.0.iter().map(|(_, val)| ParamValue(val)),
        ))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct tuple_struct
        map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, de::value::Error> for ParamValue<'_> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// An async function usable as a view's handler: any arguments implementing [`FromRequest`],
/// returning anything implementing [`IntoResponse`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid handler",
    note = "a handler is an `async fn` whose arguments implement `FromRequest` and whose return type implements `IntoResponse`"
)]
pub trait Handler<Args>: Copy + Send + Sync + 'static {
    /// Extracts the arguments and calls the function.
    fn call(self, req: Request) -> impl Future<Output = Result<Response, ApiError>> + Send;
}

macro_rules! impl_handler {
    ($($a:ident),*) => {
        impl<F, Fut, Out, $($a,)*> Handler<($($a,)*)> for F
        where
            F: Fn($($a),*) -> Fut + Copy + Send + Sync + 'static,
            Fut: Future<Output = Out> + Send,
            Out: IntoResponse,
            $($a: FromRequest,)*
        {
            #[allow(non_snake_case, unused_variables)]
            async fn call(self, req: Request) -> Result<Response, ApiError> {
                $(let $a = $a::from_request(&req)?;)*
                drop(req);
                self($($a),*).await.try_into_response()
            }
        }
    };
}

impl_handler!();
crate::tuples::all_the_tuples!(impl_handler);

/// Calls `handler` with the arguments it asks for (used by `#[api_view]`'s expansion).
pub fn call_handler<Args, H: Handler<Args>>(
    handler: H,
    req: Request,
) -> impl Future<Output = Result<Response, ApiError>> + Send {
    handler.call(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn params_deserialize_to_scalars_tuples_and_structs() {
        let p = [("id".to_owned(), "42".to_owned())];
        assert_eq!(i64::deserialize(ParamValue(&p[0].1)).unwrap(), 42);
        let two = vec![
            ("a".to_owned(), "x".to_owned()),
            ("b".to_owned(), "7".to_owned()),
        ];
        let (a, b): (String, u8) = Deserialize::deserialize(ParamsDeserializer(&two)).unwrap();
        assert_eq!((a.as_str(), b), ("x", 7));
        #[derive(Deserialize)]
        struct P {
            b: u8,
            a: String,
        }
        let s = P::deserialize(ParamsDeserializer(&two)).unwrap();
        assert_eq!((s.a.as_str(), s.b), ("x", 7));
        assert!(i64::deserialize(ParamValue("x1")).is_err());
    }
}
