//! The quickstart's API: token login, the caller's profile, and notes that only their owner
//! may read or change.

use drf::FromRequest;
use drf::openapi::Anonymous;
use drf::prelude::*;
use drf::views::{obtain_auth_token, schema_view};
use drf::{api_view, authentication_classes, extend_schema, permission_classes};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use validator::Validate;

use crate::notes::{self, Note};
use crate::settings::Settings;

/// Object-level permission: a note is visible and writable by its owner only.
#[derive(Debug)]
pub struct IsOwner;

impl Permission for IsOwner {
    // It checks objects only: at the view level anyone passes (the OpenAPI document's `{}`
    // comes from `IsAuthenticated` beside it).
    fn admits_anonymous(_: &Method) -> Anonymous {
        Anonymous::Admitted
    }

    async fn has_object_permission(req: &Request, obj: Object<'_>) -> bool {
        obj.downcast_ref::<Note>()
            .is_some_and(|note| Some(note.owner_id) == req.user().id)
    }
}

/// The body of a new or replaced note: DRF's `CharField(max_length=200)` for the title (trimmed,
/// not blank) and an optional body.
#[derive(Debug, Deserialize, Validate, JsonSchema)]
pub struct NoteIn {
    #[validate(length(max = 200))]
    title: String,
    #[serde(default)]
    body: String,
}

/// The application's own state, given to the router with `with_state` and taken by the
/// handlers that need it as `State<Limits>`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The most notes `GET /notes/` lists (the oldest first).
    pub list: i64,
}

/// The body of a session login: `CharField()` for the username, `CharField(trim_whitespace=False)`
/// for the password, as Django's login form.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LoginIn {
    username: String,
    password: drf::fields::Untrimmed,
}

#[api_view(GET, POST)]
#[authentication_classes()]
#[permission_classes(AllowAny)]
#[extend_schema(request = LoginIn, responses(200 = Value, 400, 403, 429))]
/// Session login for a browser. GET sets the `csrftoken` cookie and answers the token; POST
/// checks it as Django's `LoginView` does (cookie, and the token in `X-CSRFToken`), then logs
/// in: the answer sets the `sessionid` cookie.
pub async fn session_login(request: Request) -> Result<Response, ApiError> {
    if request.method() == Method::GET {
        return Json(json!({"csrftoken": drf::sessions::get_token(&request)})).try_into_response();
    }
    // Before the body is used: a forged login is refused whatever it holds.
    drf::sessions::check_csrf(&request).await?;
    let Json(LoginIn { username, password }) = Json::<LoginIn>::from_request(&request)?;
    let Some(user) =
        drf::authentication::authenticate_credentials(&request, &username, &password).await?
    else {
        return Err(ApiError::validation(json!({
            "non_field_errors": ["Unable to log in with provided credentials."]
        })));
    };
    drf::sessions::login(&request, &user).await?;
    Json(json!({"username": user.username})).try_into_response()
}

#[api_view(GET)]
/// The authenticated caller.
pub async fn me(user: User) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "is_staff": user.is_staff,
    }))
}

#[api_view(GET, POST)]
#[extend_schema(responses(200 = Vec<Note>, 201 = Note))]
/// List your notes, or create one.
pub async fn note_list(
    request: Request,
    user: User,
    State(limits): State<Limits>,
    input: Option<Validated<NoteIn>>,
) -> Result<Response, ApiError> {
    let app = request.app();
    let owner_id = user.id.ok_or(ApiError::NotAuthenticated)?;
    let Some(Validated(input)) = input else {
        return Json(notes::list(app, owner_id, limits.list).await?).try_into_response();
    };
    let id = notes::insert(app, owner_id, &input.title, &input.body).await?;
    let note = notes::get(app, id).await?.ok_or(ApiError::NotFound)?;
    (StatusCode::CREATED, Json(note)).try_into_response()
}

#[api_view(GET, PUT, DELETE)]
#[permission_classes(IsAuthenticated, IsOwner)]
#[extend_schema(responses(200 = Note, 204))]
/// Read, replace or delete one of your notes.
pub async fn note_detail(
    request: Request,
    Path(pk): Path<i64>,
    input: Option<Validated<NoteIn>>,
) -> Result<Response, ApiError> {
    let app = request.app();
    let note = notes::get(app, pk).await?.ok_or(ApiError::NotFound)?;
    request.check_object_permissions(&note).await?;
    match *request.method() {
        Method::PUT => {
            let Validated(input) = input.ok_or(ApiError::MethodNotAllowed("PUT".into()))?;
            notes::update(app, pk, &input.title, &input.body).await?;
            let note = notes::get(app, pk).await?.ok_or(ApiError::NotFound)?;
            Json(note).try_into_response()
        }
        Method::DELETE => {
            notes::delete(app, pk).await?;
            StatusCode::NO_CONTENT.try_into_response()
        }
        _ => Json(note).try_into_response(),
    }
}

/// The quickstart's routes.
pub fn router() -> Router<Settings> {
    Router::new()
        .route("/api-token-auth/", obtain_auth_token)
        .route("/session-login/", session_login)
        .route("/me/", me)
        .route("/notes/", note_list)
        .route("/notes/<int:pk>/", note_detail)
        .route("/api/schema/", schema_view)
        // The browsable API's login and logout pages, at /api-auth/login/ and /api-auth/logout/.
        .include_api_auth()
        .openapi_info(
            "Quickstart notes",
            "1.0.0",
            "Notes that only their owner may read or change.",
        )
        .with_state(Limits { list: 1000 })
}
