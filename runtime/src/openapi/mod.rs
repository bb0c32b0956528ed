//! The OpenAPI 3.1 document, generated from what the views declare: their paths (Django's
//! converters as typed path parameters), methods, schemes, permissions, throttles, typed
//! bodies and answers. The document, the route manifest and the enforcement read the same
//! declarations, so they cannot disagree.
//!
//! - `components.securitySchemes` comes from the schemes ([`Authenticate::security_scheme`]):
//!   Basic is HTTP basic, Token the `Authorization` header with its keyword (HTTP bearer when
//!   the keyword is `Bearer`), Session the session cookie (with the CSRF header for unsafe
//!   methods); a scheme of yours describes itself, or says it is custom.
//! - Each operation's `security` lists one alternative per scheme, in the view's order, and
//!   the empty requirement `{}` exactly when the view's permissions admit an anonymous caller
//!   for that method ([`Permission::admits_anonymous`], evaluated through `&`, `|` and `!`).
//! - Request bodies are the handler's `Json<T>` / `Validated<T>` (and their `Option`s) with
//!   `T: JsonSchema` (schemars' derive); answers are the handler's `Json<T>`. Without
//!   `JsonSchema` the body or answer is documented without a schema.
//! - Responses list DRF's error answers where they can occur: 400 (a body), 401 and 403
//!   (schemes or permissions), 404 (path parameters), 406 (always: content negotiation), 415
//!   (a body), 429 (throttles, or a password check), 503 (always: `HANDLER_TIMEOUT_SECS`, and
//!   the password-hash queue), with `Allow`, `WWW-Authenticate` and `Retry-After`.
//!
//! Serve it with [`schema_view`](crate::views::schema_view) (`GET /api/schema/`), write it with
//! `manage spectacular --file PATH`, or build it with [`Router::openapi`](crate::Router::openapi).
//!
//! [`Authenticate::security_scheme`]: crate::authentication::Authenticate::security_scheme
//! [`Permission::admits_anonymous`]: crate::permissions::Permission::admits_anonymous

pub(crate) mod document;
mod probe;

use std::borrow::Cow;

use schemars::generate::{Contract, SchemaGenerator, SchemaSettings};
pub use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

#[doc(hidden)]
pub use probe::{AnyAnswer, AnyBody, Probe, TypedAnswer, TypedBody};

/// Whether a permission lets an anonymous caller through, for one method: what decides the
/// empty security requirement `{}` of an operation. `&`, `|` and `!` combine it as Kleene's
/// three-valued logic (`Refused & x` is `Refused`, `Admitted | x` is `Admitted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anonymous {
    /// An anonymous caller passes.
    Admitted,
    /// An anonymous caller is refused.
    Refused,
    /// The permission does not say; the document lists `{}` (anonymous callers may pass), so
    /// that it never claims credentials are needed when they may not be.
    Undeclared,
}

impl Anonymous {
    /// `Admitted` when `admitted`, else `Refused`.
    pub fn from_bool(admitted: bool) -> Self {
        if admitted {
            Self::Admitted
        } else {
            Self::Refused
        }
    }

    /// Both must admit (`A & B`).
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::Refused, _) | (_, Self::Refused) => Self::Refused,
            (Self::Admitted, Self::Admitted) => Self::Admitted,
            _ => Self::Undeclared,
        }
    }

    /// Either may admit (`A | B`).
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        match (self, other) {
            (Self::Admitted, _) | (_, Self::Admitted) => Self::Admitted,
            (Self::Refused, Self::Refused) => Self::Refused,
            _ => Self::Undeclared,
        }
    }
}

/// The inverse (`!A`).
impl std::ops::Not for Anonymous {
    type Output = Self;
    fn not(self) -> Self {
        match self {
            Self::Admitted => Self::Refused,
            Self::Refused => Self::Admitted,
            Self::Undeclared => Self::Undeclared,
        }
    }
}

/// A scheme's entry in `components.securitySchemes`: its key and its Security Scheme Object.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// The key operations name it by (`basicAuth`, `tokenAuth`, `cookieAuth`: drf-spectacular's).
    pub key: Cow<'static, str>,
    /// The Security Scheme Object.
    pub scheme: Value,
}

impl SecurityScheme {
    /// What a scheme that does not describe itself gets: an `Authorization` header, marked
    /// custom.
    pub fn custom(name: &'static str) -> Self {
        Self {
            key: Cow::Borrowed(name),
            scheme: json!({
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": format!(
                    "Custom authentication scheme `{name}` (it does not describe itself: implement `Authenticate::security_scheme`)."
                ),
            }),
        }
    }

    /// `Authorization: <keyword> <credentials>`: HTTP bearer when the keyword is `Bearer`
    /// (in any case), else an API key in the header with the keyword described.
    pub fn keyword(key: impl Into<Cow<'static, str>>, keyword: &str) -> Self {
        let scheme = if keyword.eq_ignore_ascii_case("bearer") {
            json!({"type": "http", "scheme": "bearer"})
        } else {
            json!({
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": format!("Token-based authentication with required prefix \"{keyword}\""),
            })
        };
        Self {
            key: key.into(),
            scheme,
        }
    }
}

/// What a handler documents: its body and its answer (what `#[api_view]` reads off the
/// handler's arguments and return type), and whether it checks passwords (then 429 from the
/// failed-login limiter and 503 from the hash queue can occur).
#[derive(Debug, Default)]
pub struct HandlerDoc {
    /// The request body, if the handler reads one.
    pub body: Option<BodyDoc>,
    /// The success answer.
    pub answer: AnswerDoc,
    /// The handler checks a username and password.
    pub checks_passwords: bool,
    /// Answers declared by `#[extend_schema(responses(...))]`: status and JSON schema. A 2xx
    /// here replaces [`answer`](Self::answer); a 4xx or 5xx without a schema is DRF's
    /// `{"detail": …}`.
    pub responses: Vec<(u16, Option<Schema>)>,
}

/// A request body.
#[derive(Debug, Clone, Default)]
pub struct BodyDoc {
    /// The body must be present: true for the typed bodies (their `Option`s included, which
    /// read the body on POST, PUT and PATCH), false for [`Data`](crate::Data).
    pub required: bool,
    /// Its schema; `None` when the type has none (any JSON value).
    pub schema: Option<Schema>,
}

/// A success answer.
#[derive(Debug, Clone, Default)]
pub struct AnswerDoc {
    /// Its status, when the type fixes it (`Json<T>` is 200); `None` documents `2XX`.
    pub status: Option<u16>,
    /// The JSON body's schema; `None` when the type says nothing about it.
    pub schema: Option<Schema>,
}

/// The schemas of one document: typed request bodies as they are read (serde's deserialize
/// side, named definitions in `components.schemas`), answers as they are written (the
/// serialize side, inlined, so a type used both ways cannot clash).
#[derive(Debug)]
pub struct Schemas {
    request: SchemaGenerator,
    response: SchemaGenerator,
}

impl Default for Schemas {
    fn default() -> Self {
        let settings = |contract: Contract, inline: bool| {
            SchemaSettings::draft2020_12().with(|s| {
                s.definitions_path = "/components/schemas".into();
                s.meta_schema = None;
                s.contract = contract;
                s.inline_subschemas = inline;
            })
        };
        Self {
            request: settings(Contract::Deserialize, false)
                .with_transform(not_blank)
                .into_generator(),
            response: settings(Contract::Serialize, true).into_generator(),
        }
    }
}

/// DRF's `CharField` refuses a blank string (`This field may not be blank.`), and trims first:
/// a request body's plain string (no `format`, no choices) has `minLength: 1` and a character
/// other than white space, and no NUL character (and no blank `default`). A schema that sets `minLength` itself ([`Untrimmed`]'s) keeps it.
///
/// [`Untrimmed`]: crate::fields::Untrimmed
fn not_blank(schema: &mut Schema) {
    /// A character other than white space, and no NUL (`Null characters are not allowed.`).
    const NOT_BLANK: &str = "^[^\\u0000]*\\S[^\\u0000]*$";
    schemars::transform::transform_subschemas(&mut not_blank, schema);
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let is_string = match obj.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    let plain = !["format", "enum", "const", "minLength", "pattern"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if is_string && plain {
        obj.insert("minLength".to_owned(), json!(1));
        obj.insert("pattern".to_owned(), json!(NOT_BLANK));
        // `#[serde(default)]` fills a missing field with `""`, which a client may not send:
        // the field stays optional, its blank default is not offered as a value.
        if obj
            .get("default")
            .and_then(Value::as_str)
            .is_some_and(|d| d.trim().is_empty())
        {
            obj.remove("default");
        }
    }
}

impl Schemas {
    /// The schema of `T` as a request body.
    pub fn request<T: JsonSchema + ?Sized>(&mut self) -> Schema {
        self.request.subschema_for::<T>()
    }

    /// The schema of `T` as an answer.
    pub fn response<T: JsonSchema + ?Sized>(&mut self) -> Schema {
        self.response.subschema_for::<T>()
    }

    /// The named definitions, for `components.schemas` (the request side's first).
    pub(crate) fn into_components(mut self) -> Map<String, Value> {
        let mut out = self.request.take_definitions(true);
        for (name, schema) in self.response.take_definitions(true) {
            out.entry(name).or_insert(schema);
        }
        out
    }
}

/// The schema of DRF's `{"detail": "…"}` answers.
pub(crate) fn detail_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    })
}
