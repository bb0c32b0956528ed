//! The conformance app's endpoints. Every protected endpoint answers
//! `{"username": …, "is_authenticated": …, "auth": <token key> | null}`.

use drf::authentication::{authenticate_credentials, authenticate_token_keyword};
use drf::fields::Untrimmed;
use drf::openapi::SecurityScheme;
use drf::prelude::*;
use drf::views::{obtain_auth_token, schema_view};
use drf::{
    api_view, authentication_classes, extend_schema, permission_classes, throttle_classes,
    throttle_scope,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::settings::Settings;

/// Token authentication with the keyword `Bearer`: a scheme defined by the application.
#[derive(Debug)]
pub struct Bearer;

impl Authenticate for Bearer {
    const NAME: &'static str = "Bearer";

    async fn authenticate(req: &Request) -> AuthResult {
        authenticate_token_keyword(req, "Bearer").await
    }

    fn authenticate_header(_: &Request) -> Option<HeaderValue> {
        Some(HeaderValue::from_static("Bearer"))
    }
    fn security_scheme(_: &drf::Config) -> SecurityScheme {
        SecurityScheme::keyword("bearerAuth", "Bearer")
    }
}

fn identity(user: &User, auth: &Auth) -> Json<Value> {
    Json(json!({
        "username": user.username,
        "is_authenticated": user.is_authenticated(),
        "auth": auth.key(),
    }))
}

#[api_view(GET, POST)]
#[authentication_classes(Basic)]
#[permission_classes(IsAuthenticated)]
pub async fn basic(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET, POST)]
#[authentication_classes(Token)]
#[permission_classes(IsAuthenticated)]
pub async fn token(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Bearer)]
#[permission_classes(IsAuthenticated)]
pub async fn bearer(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticated)]
pub async fn token_basic(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Basic, Token)]
#[permission_classes(IsAuthenticated)]
pub async fn basic_token(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET, POST)]
#[authentication_classes(Session)]
#[permission_classes(IsAuthenticated)]
pub async fn session(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

/// A required, non-null, non-blank string field of a login body (DRF's `CharField` with
/// `trim_whitespace=False`), or its error.
/// The reference's `LoginSerializer`: `CharField()` for the username (trimmed),
/// `CharField(trim_whitespace=False)` for the password.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LoginIn {
    username: String,
    password: Untrimmed,
}

#[api_view(POST)]
#[authentication_classes()]
#[permission_classes(AllowAny)]
// The failed-login limiter answers 429 when the environment turns it on.
#[extend_schema(responses(429))]
pub async fn session_login(
    request: Request,
    Json(LoginIn { username, password }): Json<LoginIn>,
) -> Result<Json<Value>, ApiError> {
    let password = password.0;
    let Some(user) = authenticate_credentials(&request, &username, &password).await? else {
        return Err(ApiError::validation(json!({
            "non_field_errors": ["Unable to log in with provided credentials."]
        })));
    };
    drf::sessions::login(&request, &user).await?;
    Ok(Json(json!({"username": user.username})))
}

#[api_view(GET)]
#[permission_classes(AllowAny)]
pub async fn public(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET, POST)]
pub async fn default(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAdminUser)]
pub async fn admin_only(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET, POST)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticatedOrReadOnly)]
pub async fn read_only(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticated & !IsAdminUser)]
pub async fn composed(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(AllowAny)]
#[throttle_classes(AnonRate, UserRate)]
pub async fn throttled(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(AllowAny)]
#[throttle_classes(ScopedRate)]
#[throttle_scope("burst")]
pub async fn scoped(user: User, auth: Auth) -> Json<Value> {
    identity(&user, &auth)
}

/// Every endpoint of examples/conformance/README.md.
pub fn router() -> Router<Settings> {
    Router::new()
        .route("/basic/", basic)
        .route("/token/", token)
        .route("/bearer/", bearer)
        .route("/token-basic/", token_basic)
        .route("/basic-token/", basic_token)
        .route("/session/", session)
        .route("/public/", public)
        .route("/default/", default)
        .route("/admin-only/", admin_only)
        .route("/read-only/", read_only)
        .route("/composed/", composed)
        .route("/api-token-auth/", obtain_auth_token)
        .route("/session-login/", session_login)
        .route("/throttled/", throttled)
        .route("/scoped/", scoped)
        .route("/api/schema/", schema_view)
        .openapi_info("Conformance", "1.0.0", "")
}
