//! The macros' expansion at run time: views with explicit lists, defaults from `settings!`,
//! permission composition, user-defined schemes and permissions named by path, DRF's long
//! names, and handler argument injection. Requests go through the in-process `APIClient`.

use std::any::TypeId;
use std::borrow::Cow;
use std::sync::Arc;

use drf::authentication::{Basic, Token};
use drf::http::HeaderValue;
use drf::permissions::{AllowAny, And, IsAdminUser, IsAuthenticated, Not, Or};
use drf::prelude::*;
use drf::testing::{
    APIClient, TestResponse, create_superuser, create_token, create_user, test_app_with,
    test_config,
};
use drf::view::{Explicit, FromSettings};
use drf::{
    Config, Data, Settings as _, View, api_view, authentication_classes, permission_classes,
    throttle_classes,
};
use serde::Deserialize;
use serde_json::Value;

/// A scheme of this test: `X-Api-Key: <name>` authenticates a user of that name, with the key
/// as a custom credential. A bare name that is not a built-in is a user type.
#[derive(Debug)]
pub struct ApiKey;

impl Authenticate for ApiKey {
    const NAME: &'static str = "ApiKey";

    async fn authenticate(req: &Request) -> AuthResult {
        let Some(key) = req.headers().get("x-api-key") else {
            return Ok(None);
        };
        let name = key
            .to_str()
            .map_err(|_| ApiError::authentication_failed("Bad key."))?;
        let user = User {
            id: Some(999),
            username: name.to_owned(),
            ..User::anonymous()
        };
        Ok(Some((user, Auth::Custom(Arc::new(format!("key:{name}"))))))
    }

    fn authenticate_header(_: &Request) -> Option<HeaderValue> {
        Some(HeaderValue::from_static("ApiKey"))
    }
}

mod perms {
    use super::*;

    /// Allows requests carrying `X-Teapot`; named by path in the attributes.
    #[derive(Debug)]
    pub struct HasTeapot;

    impl Permission for HasTeapot {
        async fn has_permission(req: &Request) -> bool {
            req.headers().contains_key("x-teapot")
        }

        fn message() -> Option<Cow<'static, str>> {
            Some("I'm not a teapot.".into())
        }
    }
}

mod settings {
    use super::*;

    /// The user of requests no scheme authenticated.
    pub fn guest() -> User {
        User {
            username: "guest".to_owned(),
            ..User::anonymous()
        }
    }

    drf::settings! {
        DEFAULT_AUTHENTICATION_CLASSES = [crate::ApiKey, TokenAuthentication];
        DEFAULT_PERMISSION_CLASSES = [IsAuthenticated | crate::perms::HasTeapot];
        TOKEN_KEYWORD = "Bearer";
        PASSWORD_ITERATIONS = 1_000;
        UNAUTHENTICATED_USER = guest;
        DEFAULT_THROTTLE_CLASSES = [AnonRate, UserRateThrottle];
        DEFAULT_THROTTLE_RATES = { anon: "3/min", user: "5/minute", "burst": "2/s", sustained: None };
    }
}

use settings::Settings;

fn who(user: &User, auth: &Auth) -> Value {
    serde_json::json!({
        "user": user.username,
        "authenticated": user.is_authenticated(),
        "token": auth.key(),
        "custom": auth.downcast_ref::<String>(),
    })
}

/// Who is calling.
///
/// Answers with the user and the credential.
#[api_view(GET, POST)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticated)]
pub async fn token_basic(request: Request, user: User, auth: Auth) -> Json<Value> {
    let mut body = who(&user, &auth);
    body["method"] = request.method().as_str().into();
    Json(body)
}

#[api_view(GET)]
#[authentication_classes(BasicAuthentication, TokenAuthentication)]
#[permission_classes(IsAuthenticated & !IsAdminUser)]
async fn not_admin(user: User) -> Json<Value> {
    Json(serde_json::json!({ "user": user.username }))
}

#[api_view(GET)]
#[authentication_classes(ApiKey)]
#[permission_classes(
    perms::HasTeapot | (IsAuthenticated & !IsAdminUser),
    self::perms::HasTeapot | IsAuthenticated,
)]
async fn teapot(user: User, auth: Auth) -> Json<Value> {
    Json(who(&user, &auth))
}

#[api_view(GET)]
#[authentication_classes(self::ApiKey)]
#[permission_classes(crate::perms::HasTeapot, AllowAny)]
async fn teapot_only() -> Json<Value> {
    Json("short and stout".into())
}

/// Uses the defaults of `settings!`.
#[api_view(GET)]
async fn defaults(user: User, auth: Auth) -> Json<Value> {
    Json(who(&user, &auth))
}

#[drf::api_view(GET, DELETE)]
#[drf::authentication_classes()]
#[drf::permission_classes()]
#[throttle_classes(AnonRate)]
async fn open(user: User) -> Json<Value> {
    Json(serde_json::json!({ "user": user.username }))
}

#[api_view]
#[permission_classes(AllowAny)]
async fn bare() -> Json<Value> {
    Json("ok".into())
}

#[derive(Deserialize)]
struct NewNote {
    title: String,
}

#[api_view(POST, PUT)]
#[authentication_classes(ApiKey)]
#[permission_classes(IsAuthenticated)]
async fn note_detail(
    Path(id): Path<i64>,
    Json(note): Json<NewNote>,
    Data(data): Data,
    user: User,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    if id == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(Json(serde_json::json!({
        "id": id,
        "title": note.title,
        "raw": data,
        "owner": user.username,
        "method": request.method().as_str(),
    })))
}

fn config() -> Config {
    let mut config = Config::defaults::<Settings>();
    config.database_url = test_config().database_url;
    config
}

async fn client() -> (APIClient<Settings>, drf::App) {
    let app = test_app_with(config()).await;
    let router = Router::<Settings>::new()
        .route("/token-basic/", token_basic)
        .route("/not-admin/", not_admin)
        .route("/teapot/", teapot)
        .route("/teapot-only/", teapot_only)
        .route("/defaults/", defaults)
        .route("/open/", open)
        .route("/bare/", bare)
        .route("/notes/<int:id>/", note_detail);
    (APIClient::new(router, app.clone()), app)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn same<A: 'static, B: 'static>() -> bool {
    TypeId::of::<A>() == TypeId::of::<B>()
}

#[test]
fn lists_expand_to_the_runtime_types() {
    assert!(same::<
        <token_basic as View>::Authentication,
        Explicit<(Token, Basic)>,
    >());
    assert!(same::<
        <token_basic as View>::Permission,
        Explicit<(IsAuthenticated,)>,
    >());
    assert!(same::<
        <not_admin as View>::Authentication,
        Explicit<(Basic, Token)>,
    >());
    assert!(same::<
        <not_admin as View>::Permission,
        Explicit<(And<IsAuthenticated, Not<IsAdminUser>>,)>,
    >());
    assert!(same::<
        <teapot as View>::Permission,
        Explicit<(
            Or<perms::HasTeapot, And<IsAuthenticated, Not<IsAdminUser>>>,
            Or<perms::HasTeapot, IsAuthenticated>,
        )>,
    >());
    assert!(same::<
        <teapot_only as View>::Authentication,
        Explicit<(ApiKey,)>,
    >());
    assert!(same::<
        <teapot_only as View>::Permission,
        Explicit<(perms::HasTeapot, AllowAny)>,
    >());
    assert!(same::<<defaults as View>::Authentication, FromSettings>());
    assert!(same::<<defaults as View>::Permission, FromSettings>());
    assert!(same::<<open as View>::Authentication, Explicit<()>>());
    assert!(same::<<open as View>::Permission, Explicit<()>>());
    assert!(same::<
        <Settings as drf::Settings>::Authentication,
        (ApiKey, Token),
    >());
    assert!(same::<
        <Settings as drf::Settings>::Permission,
        (Or<IsAuthenticated, perms::HasTeapot>,),
    >());
}

#[test]
fn names_descriptions_and_methods_are_drfs() {
    assert_eq!(token_basic::NAME, "Token Basic");
    assert_eq!(
        token_basic::DESCRIPTION,
        "Who is calling.\n\nAnswers with the user and the credential."
    );
    assert_eq!(token_basic::METHODS, [Method::GET, Method::POST]);
    assert_eq!(not_admin::NAME, "Not Admin");
    assert_eq!(not_admin::DESCRIPTION, "");
    assert_eq!(bare::METHODS, [Method::GET]);
    assert_eq!(open::METHODS, [Method::GET, Method::DELETE]);
    assert_eq!(Settings::TOKEN_KEYWORD, "Bearer");
    assert_eq!(Settings::PASSWORD_ITERATIONS, 1_000);
    assert_eq!(Settings::unauthenticated_user().username, "guest");
    assert!(
        Settings::unauthenticated_token().is_none(),
        "left to the trait's default"
    );
}

async fn get(client: &APIClient<Settings>, path: &str) -> TestResponse {
    client.get(path).send().await
}

#[tokio::test]
async fn explicit_schemes_and_permissions() {
    let (mut client, app) = client().await;
    let alice = create_user(&app, "alice", "pw").await;
    let token = create_token(&app, &alice).await;

    let resp = get(&client, "/token-basic/").await;
    assert_eq!(resp.status, 401, "{}", resp.text());
    assert_eq!(
        resp.header("www-authenticate"),
        Some("Bearer"),
        "first scheme: Token, keyword from settings"
    );
    assert_eq!(
        resp.json()["detail"],
        "Authentication credentials were not provided."
    );

    client.credentials(&format!("Bearer {}", token.key));
    let resp = client.post("/token-basic/").send().await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["user"], "alice");
    assert_eq!(resp.json()["token"], token.key.as_str());
    assert_eq!(resp.json()["method"], "POST");

    client.credentials(&basic("alice", "pw"));
    let resp = get(&client, "/token-basic/").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        resp.json()["token"],
        Value::Null,
        "Basic has no credential object"
    );

    let resp = client.put("/token-basic/").send().await;
    assert_eq!(resp.status, 405);
    assert_eq!(resp.header("allow"), Some("GET, POST, OPTIONS"));

    let resp = client.options("/token-basic/").send().await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["name"], "Token Basic");
    assert_eq!(
        resp.json()["description"],
        "Who is calling.\n\nAnswers with the user and the credential."
    );
}

#[tokio::test]
async fn composed_permissions() {
    let (mut client, app) = client().await;
    create_user(&app, "bob", "pw").await;
    create_superuser(&app, "root", "pw").await;

    client.credentials(&basic("bob", "pw"));
    assert_eq!(get(&client, "/not-admin/").await.status, 200);
    client.credentials(&basic("root", "pw"));
    let resp = get(&client, "/not-admin/").await;
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert_eq!(
        resp.json()["detail"],
        "You do not have permission to perform this action."
    );

    client.credentials_clear();
    let resp = client.get("/teapot/").header("x-teapot", "1").send().await;
    assert_eq!(resp.status, 200, "anonymous with a teapot: {}", resp.text());
    let resp = client
        .get("/teapot/")
        .header("x-api-key", "carol")
        .send()
        .await;
    assert_eq!(
        resp.status,
        200,
        "authenticated without a teapot: {}",
        resp.text()
    );
    assert_eq!(resp.json()["custom"], "key:carol");
    let resp = get(&client, "/teapot/").await;
    assert_eq!(resp.status, 401, "anonymous, no teapot: {}", resp.text());
    assert_eq!(resp.header("www-authenticate"), Some("ApiKey"));

    let resp = client
        .get("/teapot-only/")
        .header("x-api-key", "carol")
        .send()
        .await;
    assert_eq!(resp.status, 403, "{}", resp.text());
    assert_eq!(
        resp.json()["detail"],
        "I'm not a teapot.",
        "the denying permission's message"
    );
    let resp = client
        .get("/teapot-only/")
        .header("x-teapot", "1")
        .send()
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn settings_defaults_apply_without_attributes() {
    let (mut client, app) = client().await;
    let dave = create_user(&app, "dave", "pw").await;
    let token = create_token(&app, &dave).await;

    let resp = get(&client, "/defaults/").await;
    assert_eq!(
        resp.status,
        401,
        "IsAuthenticated | HasTeapot denies: {}",
        resp.text()
    );
    assert_eq!(
        resp.header("www-authenticate"),
        Some("ApiKey"),
        "first default scheme"
    );

    let resp = client
        .get("/defaults/")
        .header("x-teapot", "1")
        .send()
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["user"], "guest", "UNAUTHENTICATED_USER");

    let resp = client
        .get("/defaults/")
        .header("x-api-key", "erin")
        .send()
        .await;
    assert_eq!(resp.json()["user"], "erin");

    client.credentials(&format!("Bearer {}", token.key));
    let resp = get(&client, "/defaults/").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["token"], token.key.as_str());

    client.credentials(&basic("dave", "pw"));
    let resp = get(&client, "/defaults/").await;
    assert_eq!(
        resp.status,
        401,
        "Basic is not a default scheme here: {}",
        resp.text()
    );
}

#[tokio::test]
async fn empty_lists_mean_none() {
    let (mut client, app) = client().await;
    create_user(&app, "frank", "pw").await;
    client.credentials(&basic("frank", "pw"));
    let resp = client.delete("/open/").send().await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["user"], "guest", "no scheme ran");

    let resp = get(&client, "/bare/").await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("allow"), Some("GET, OPTIONS"));
    assert_eq!(client.post("/bare/").send().await.status, 405);
}

#[tokio::test]
async fn handler_arguments_are_injected_by_type() {
    let (client, _app) = client().await;
    let resp = client
        .post("/notes/7/")
        .header("x-api-key", "gina")
        .json(&serde_json::json!({"title": "hello"}))
        .send()
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        resp.json(),
        serde_json::json!({
            "id": 7,
            "title": "hello",
            "raw": {"title": "hello"},
            "owner": "gina",
            "method": "POST",
        })
    );

    let resp = client
        .put("/notes/7/")
        .header("x-api-key", "gina")
        .json(&serde_json::json!({}))
        .send()
        .await;
    assert_eq!(resp.status, 400);
    assert_eq!(
        resp.json(),
        serde_json::json!({"title": ["This field is required."]})
    );

    let resp = client
        .post("/notes/0/")
        .header("x-api-key", "gina")
        .json(&serde_json::json!({"title": "x"}))
        .send()
        .await;
    assert_eq!(resp.status, 404, "the handler's own error");
}
