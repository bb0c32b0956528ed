//! DRF's `obtain_auth_token`: username and password in, `{"token": key}` out.

use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::authentication::authenticate_credentials;
use crate::error::ApiError;
use crate::fields::{FieldErrors, Untrimmed};
use crate::openapi::{AnswerDoc, BodyDoc, HandlerDoc, Schema, Schemas};
use crate::renderers::JSONRenderer;
use crate::request::Request;
use crate::response::{IntoResponse, Json, Response};
use crate::view::{Explicit, FromSettings, View};

/// The view type of [`obtain_auth_token`]; route it with `.route("/api-token-auth/", obtain_auth_token)`.
///
/// POST only; JSON, form and multipart bodies; the settings' default authentication classes
/// and no permissions, as DRF's `ObtainAuthToken`. Answers `200 {"token": key}`, creating the
/// token on first use and returning the same key afterwards; field errors are DRF's field maps,
/// bad credentials `{"non_field_errors": ["Unable to log in with provided credentials."]}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObtainAuthToken;

/// DRF's `obtain_auth_token` view: `.route("/api-token-auth/", obtain_auth_token)`.
pub const fn obtain_auth_token() -> ObtainAuthToken {
    ObtainAuthToken
}

const PARSES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json",
];

/// DRF's `AuthTokenSerializer` fields.
#[derive(Debug, Deserialize)]
struct Credentials {
    username: String,
    /// `CharField(style={'input_type': 'password'}, trim_whitespace=False)`.
    password: Untrimmed,
}

impl View for ObtainAuthToken {
    const NAME: &'static str = "Obtain Auth Token";
    const METHODS: &'static [Method] = &[Method::POST];
    const PARSES: &'static [&'static str] = &PARSES;
    type Authentication = FromSettings;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(JSONRenderer,)>;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        let (Credentials { username, password }, _) =
            crate::fields::from_body(req.parsed()?).map_err(FieldErrors::into_api_error)?;
        let Some(user) = authenticate_credentials(&req, &username, &password.0).await? else {
            return Err(ApiError::validation(json!({
                "non_field_errors": ["Unable to log in with provided credentials."]
            })));
        };
        let user_id = user
            .id
            .ok_or_else(|| ApiError::Internal("authenticated user without id".into()))?;
        let token = req.app().db().get_or_create_token(user_id).await?;
        Json(json!({"token": token.key})).try_into_response()
    }

    fn openapi(_: &mut Schemas) -> HandlerDoc {
        let body = json!({
            "type": "object",
            "properties": {
                "username": {"type": "string", "pattern": "^[^\\u0000]*\\S[^\\u0000]*$"},
                "password": {"type": "string", "minLength": 1, "pattern": "^[^\\u0000]*$"},
            },
            "required": ["username", "password"],
        });
        let answer = json!({
            "type": "object",
            "properties": {"token": {"type": "string"}},
            "required": ["token"],
        });
        HandlerDoc {
            body: Some(BodyDoc {
                required: true,
                schema: Schema::try_from(body).ok(),
            }),
            answer: AnswerDoc {
                status: Some(200),
                schema: Schema::try_from(answer).ok(),
            },
            checks_passwords: true,
            responses: Vec::new(),
        }
    }

    fn metadata(req: &Request) -> Value {
        json!({
            "name": Self::NAME,
            "description": Self::DESCRIPTION,
            "renders": req.renders(),
            "parses": PARSES,
            "actions": {
                "POST": {
                    "username": {"type": "string", "required": true, "read_only": false, "label": "Username"},
                    "password": {"type": "string", "required": true, "read_only": false, "label": "Password"},
                    "token": {"type": "string", "required": false, "read_only": true, "label": "Token"},
                }
            }
        })
    }
}
