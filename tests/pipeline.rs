//! The request pipeline through the macros and the in-process `APIClient`: what DRF users rely
//! on beyond the conformance endpoints.

use drf::prelude::*;
use drf::testing::{
    APIClient, create_superuser, create_token, create_user, test_app, test_app_with, test_config,
};
use drf::{api_view, authentication_classes, permission_classes};
use serde::Deserialize;
use serde_json::Value;

mod settings {
    drf::settings! {
        DEFAULT_AUTHENTICATION_CLASSES = [Token, Basic];
        DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
    }
}

mod no_append_slash {
    drf::settings! {
        DEFAULT_AUTHENTICATION_CLASSES = [];
        APPEND_SLASH = false;
    }
}

mod bearer_settings {
    drf::settings! {
        DEFAULT_AUTHENTICATION_CLASSES = [Token];
        DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
        TOKEN_KEYWORD = "Bearer";
    }
}

use settings::Settings;

/// A document owned by a user.
#[derive(Debug)]
struct Doc {
    owner: i64,
}

/// Object-level permission: only the owner.
struct IsOwner;

impl Permission for IsOwner {
    async fn has_object_permission(req: &Request, obj: Object<'_>) -> bool {
        obj.downcast_ref::<Doc>()
            .is_some_and(|d| Some(d.owner) == req.user().id)
    }
}

/// A permission with its own message.
struct NeverOnFriday;

impl Permission for NeverOnFriday {
    async fn has_permission(_req: &Request) -> bool {
        false
    }
    fn message() -> Option<std::borrow::Cow<'static, str>> {
        Some("Not on Fridays.".into())
    }
}

#[api_view(GET)]
/// Owner-only document.
async fn doc(request: Request, Path(owner): Path<i64>) -> Result<Json<Value>, ApiError> {
    request.check_object_permissions(&Doc { owner }).await?;
    Ok(Json(json!({"owner": owner})))
}

#[api_view(GET)]
#[permission_classes(IsAuthenticated, IsOwner)]
async fn owned_doc(request: Request, Path(owner): Path<i64>) -> Result<Json<Value>, ApiError> {
    request.check_object_permissions(&Doc { owner }).await?;
    Ok(Json(json!({"owner": owner})))
}

#[api_view(GET)]
#[permission_classes(IsAdminUser | IsOwner)]
async fn admin_or_owner(request: Request, Path(owner): Path<i64>) -> Result<Json<Value>, ApiError> {
    request.check_object_permissions(&Doc { owner }).await?;
    Ok(Json(json!({"owner": owner})))
}

#[api_view(GET)]
#[permission_classes(NeverOnFriday)]
async fn friday(user: User) -> Json<Value> {
    Json(json!({"user": user.username}))
}

#[api_view(GET)]
#[authentication_classes()]
#[permission_classes(IsAuthenticated)]
async fn no_schemes() -> Json<Value> {
    Json(json!({}))
}

#[api_view(GET)]
#[permission_classes(AllowAny)]
async fn boom() -> Json<Value> {
    panic!("handler bug")
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(AllowAny)]
async fn refuses() -> Result<Json<Value>, ApiError> {
    Err(ApiError::NotAuthenticated)
}

#[derive(Debug, Deserialize)]
struct NewNote {
    title: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[api_view(POST)]
#[permission_classes(AllowAny)]
async fn typed(Json(note): Json<NewNote>, Data(raw): Data) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({"title": note.title, "tags": note.tags, "raw": raw})),
    )
}

#[api_view(GET)]
#[permission_classes(IsAuthenticatedOrReadOnly)]
async fn read_only(request: Request) -> Json<Value> {
    Json(json!({"method": request.method().as_str()}))
}

#[api_view(GET)]
async fn whoami(user: User, auth: Auth) -> Json<Value> {
    Json(json!({"username": user.username, "auth": auth.key()}))
}

fn router() -> Router<Settings> {
    Router::new()
        .route("/doc/<int:owner>/", doc)
        .route("/owned/<int:owner>/", owned_doc)
        .route("/admin-or-owner/<int:owner>/", admin_or_owner)
        .route("/friday/", friday)
        .route("/no-schemes/", no_schemes)
        .route("/boom/", boom)
        .route("/refuses/", refuses)
        .route("/typed/", typed)
        .route("/read-only/", read_only)
        .route("/whoami/", whoami)
}

async fn client() -> (APIClient<Settings>, User, AuthToken, User) {
    let app = test_app().await;
    let alice = create_user(&app, "alice", "alicepw").await;
    let token = create_token(&app, &alice).await;
    let admin = create_superuser(&app, "admin", "adminpw").await;
    (APIClient::new(router(), app), alice, token, admin)
}

#[tokio::test]
async fn settings_defaults_apply_to_views_without_attributes() {
    let (mut c, _, token, _) = client().await;
    let r = c.get("/whoami/").send().await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Token"));
    assert_eq!(
        r.json(),
        json!({"detail": "Authentication credentials were not provided."})
    );
    c.credentials(&format!("Token {}", token.key));
    let r = c.get("/whoami/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"username": "alice", "auth": token.key}));
    assert_eq!(r.header("allow"), Some("GET, OPTIONS"));
}

#[tokio::test]
async fn object_permissions_are_checked_by_the_handler() {
    let (mut c, alice, token, admin) = client().await;
    let own = format!("/owned/{}/", alice.id.unwrap());
    let other = format!("/owned/{}/", admin.id.unwrap());
    // Anonymous caller of a view with schemes: not authenticated, before the object check.
    assert_eq!(c.get(&own).send().await.status, 401);
    c.credentials(&format!("Token {}", token.key));
    assert_eq!(c.get(&own).send().await.status, 200);
    let r = c.get(&other).send().await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"detail": "You do not have permission to perform this action."})
    );
    // The settings' permissions (IsAuthenticated) have no object rule: everything passes.
    assert_eq!(
        c.get(&format!("/doc/{}/", admin.id.unwrap()))
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn or_composition_applies_to_objects_as_drf_does() {
    let (mut c, alice, _, admin) = client().await;
    let alices = format!("/admin-or-owner/{}/", alice.id.unwrap());
    c.force_authenticate(Some(admin.clone()), Auth::None);
    assert_eq!(
        c.get(&alices).send().await.status,
        200,
        "admin passes IsAdminUser"
    );
    c.force_authenticate(Some(alice.clone()), Auth::None);
    assert_eq!(
        c.get(&alices).send().await.status,
        200,
        "owner passes IsOwner"
    );
    let admins = format!("/admin-or-owner/{}/", admin.id.unwrap());
    assert_eq!(c.get(&admins).send().await.status, 403);
}

#[tokio::test]
async fn force_authenticate_skips_schemes() {
    let (mut c, alice, _, _) = client().await;
    c.force_authenticate(Some(alice), Auth::None);
    // Even a bad header is not looked at.
    c.credentials("Token nonsense");
    let r = c.get("/whoami/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["username"], "alice");
    c.force_authenticate(None, Auth::None);
    assert_eq!(c.get("/whoami/").send().await.status, 401);
}

#[tokio::test]
async fn a_permission_message_is_used() {
    let (mut c, _, token, _) = client().await;
    c.credentials(&format!("Token {}", token.key));
    let r = c.get("/friday/").send().await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json(), json!({"detail": "Not on Fridays."}));
}

#[tokio::test]
async fn no_schemes_means_403_without_header() {
    let (c, _, _, _) = client().await;
    let r = c.get("/no-schemes/").send().await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("www-authenticate"), None);
    // DRF: with no authenticators nobody can ask for credentials, so it is a plain denial.
    assert_eq!(
        r.json(),
        json!({"detail": "You do not have permission to perform this action."})
    );
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_json_answer() {
    let (c, _, _, _) = client().await;
    let r = c.get("/boom/").send().await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json(), json!({"detail": "A server error occurred."}));
    assert_eq!(r.header("allow"), Some("GET, OPTIONS"));
    // And the next request is served.
    assert_eq!(c.get("/whoami/").send().await.status, 401);
}

#[tokio::test]
async fn a_handlers_not_authenticated_gets_the_401_rule() {
    let (c, _, _, _) = client().await;
    let r = c.get("/refuses/").send().await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Token"));
}

#[tokio::test]
async fn typed_bodies_and_field_errors() {
    let (c, _, _, _) = client().await;
    let r = c
        .post("/typed/")
        .json(&json!({"title": "t", "tags": ["a"]}))
        .send()
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json(),
        json!({"title": "t", "tags": ["a"], "raw": {"title": "t", "tags": ["a"]}})
    );
    let r = c.post("/typed/").json(&json!({"tags": []})).send().await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"title": ["This field is required."]}));
    let r = c
        .post("/typed/")
        .form(&[("title", "from a form")])
        .send()
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["title"], "from a form");
    let r = c.post("/typed/").body("{", "application/json").send().await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"detail": "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"})
    );
    let r = c.post("/typed/").body("x", "text/csv").send().await;
    assert_eq!(r.status, 415);
    assert_eq!(
        r.json(),
        json!({"detail": "Unsupported media type \"text/csv\" in request."})
    );
}

#[tokio::test]
async fn path_converters_404_on_mismatch() {
    let (mut c, alice, _, _) = client().await;
    c.force_authenticate(Some(alice), Auth::None);
    let r = c.get("/doc/abc/").send().await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let r = c.get("/doc/1").send().await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/doc/1/"));
}

#[tokio::test]
async fn append_slash_redirects_every_method_unless_turned_off() {
    #[api_view(GET, POST)]
    #[authentication_classes()]
    async fn echo() -> StatusCode {
        StatusCode::OK
    }
    let app = test_app_with(test_config()).await;
    let c = APIClient::new(Router::<Settings>::new().route("/echo/", echo), app.clone());
    for method in ["GET", "POST", "DELETE"] {
        let r = c
            .request(method, "/echo?x=1")
            .body("{\"a\": 1}", "application/json")
            .send()
            .await;
        assert_eq!(r.status, 301, "{method}");
        assert_eq!(r.header("location"), Some("/echo/?x=1"));
        assert!(r.body.is_empty(), "the redirect has no body");
    }
    let c = APIClient::new(
        Router::<no_append_slash::Settings>::new().route("/echo/", echo),
        app,
    );
    for method in ["GET", "POST"] {
        let r = c.request(method, "/echo").send().await;
        assert_eq!(r.status, 404, "{method}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    }
    assert_eq!(c.post("/echo/").send().await.status, 200);
}

#[tokio::test]
async fn read_only_permission_uses_the_normalized_method() {
    let (c, _, _, _) = client().await;
    let r = c.request("get", "/read-only/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"method": "GET"}));
    let r = c.request("post", "/read-only/").send().await;
    assert_eq!(
        r.status, 401,
        "anonymous POST is refused before the method check"
    );
    assert_eq!(c.request("FOO", "/read-only/").send().await.status, 401);
}

#[tokio::test]
async fn options_metadata_uses_name_and_doc_comment() {
    let (mut c, alice, _, _) = client().await;
    c.force_authenticate(Some(alice), Auth::None);
    let r = c.options("/doc/1/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({
            "name": "Doc",
            "description": "Owner-only document.",
            // DRF's default renderers: JSON, then the browsable API.
            "renders": ["application/json", "text/html"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
        })
    );
}

#[tokio::test]
async fn token_keyword_comes_from_settings() {
    #[api_view(GET)]
    async fn me(user: User) -> Json<Value> {
        Json(json!({"username": user.username}))
    }
    let mut config = test_config();
    config.token_keyword = drf::Config::defaults::<bearer_settings::Settings>().token_keyword;
    let app = test_app_with(config).await;
    let alice = create_user(&app, "alice", "pw").await;
    let token = create_token(&app, &alice).await;
    let mut c = APIClient::new(
        Router::<bearer_settings::Settings>::new().route("/me/", me),
        app,
    );
    let r = c.get("/me/").send().await;
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    c.credentials(&format!("Token {}", token.key));
    assert_eq!(
        c.get("/me/").send().await.status,
        401,
        "Token is not this app's keyword"
    );
    c.credentials(&format!("Bearer {}", token.key));
    let r = c.get("/me/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"username": "alice"}));
}

#[tokio::test]
async fn password_hashes_are_upgraded_on_login() {
    #[api_view(GET)]
    #[authentication_classes(Basic)]
    async fn me(user: User) -> Json<Value> {
        Json(json!({"username": user.username}))
    }
    let mut config = test_config();
    config.hashers.pbkdf2_iterations = 1000;
    let app = test_app_with(config.clone()).await;
    // A hash made by an older Django with fewer iterations.
    let old = drf::hashers::make_password("pw", &drf::hashers::HasherConfig::with_iterations(500));
    let user = app
        .db()
        .create_user(drf::db::NewUser::new("old", old.clone()))
        .await
        .unwrap();
    let mut c = APIClient::new(Router::<Settings>::new().route("/me/", me), app.clone());
    c.credentials("Basic b2xkOnB3"); // old:pw
    assert_eq!(c.get("/me/").send().await.status, 200);
    let after = app
        .db()
        .user_by_id(user.id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(after.password, old);
    assert!(
        after.password.starts_with("pbkdf2_sha256$1000$"),
        "{}",
        after.password
    );
    // A wrong password changes nothing.
    c.credentials("Basic b2xkOnd4"); // old:wx
    assert_eq!(c.get("/me/").send().await.status, 401);
}
