use serde_json::json;

use super::*;
use std::net::SocketAddr;

use http::{Method, StatusCode};
use serde_json::Value;

#[allow(unused_imports)]
use super::response::TestResponse;
use crate::error::ApiError;
use crate::router::Router;
use crate::settings::DefaultSettings;
use crate::user::Auth;

use crate::authentication::Token as TokenScheme;
use crate::permissions::IsAuthenticated;
use crate::request::Request;
use crate::response::{Response, json_response};
use crate::view::{Explicit, View};

/// Echoes what the pipeline saw.
struct Echo;

impl View for Echo {
    const NAME: &'static str = "Echo";
    const METHODS: &'static [Method] = &[Method::GET, Method::POST, Method::HEAD];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = crate::view::FromSettings;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        let latin1 = |name: &str| {
            req.headers().get(name).map(|v| {
                v.as_bytes()
                    .iter()
                    .map(|&b| char::from(b))
                    .collect::<String>()
            })
        };
        Ok(json_response(
            StatusCode::OK,
            &json!({
                "method": req.method().as_str(),
                "path": req.path(),
                "query": req.query_params(),
                "data": req.data()?.clone(),
                "authorization": latin1("authorization"),
                "x_name": latin1("x-name"),
                "host": latin1("host"),
                "peer": req.peer_addr().map(|p| p.ip().to_string()),
            }),
        ))
    }
}

/// Token only, authenticated users only.
struct Private;

impl View for Private {
    const NAME: &'static str = "Private";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<(TokenScheme,)>;
    type Permission = Explicit<(IsAuthenticated,)>;
    type Throttle = Explicit<()>;
    type Renderer = crate::view::FromSettings;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        Ok(json_response(
            StatusCode::OK,
            &json!({"username": req.user().username, "auth": req.auth().key()}),
        ))
    }
}

struct Panics;

impl View for Panics {
    const NAME: &'static str = "Panics";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = crate::view::FromSettings;

    async fn handle(_req: Request) -> Result<Response, ApiError> {
        panic!("boom")
    }
}

async fn client() -> APIClient {
    let router = Router::new()
        .route("/echo/", Echo)
        .route("/private/", Private)
        .route("/panic/", Panics);
    APIClient::new(router, test_app().await)
}

#[tokio::test]
async fn bodies_reach_request_data() {
    let c = client().await;
    let r = c.post("/echo/").json(&json!({"a": [1, 2]})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["data"], json!({"a": [1, 2]}));

    let r = c.post("/echo/").form(&[("a", "1 2"), ("b", "é")]).await;
    assert_eq!(r.json()["data"], json!({"a": "1 2", "b": "é"}));

    let r = c.post("/echo/").multipart(&[("a", "x"), ("b", "y")]).await;
    assert_eq!(r.json()["data"], json!({"a": "x", "b": "y"}));

    let r = c.post("/echo/").body("<x/>", "application/xml").await;
    assert_eq!(r.status, 415);
    assert_eq!(
        r.json(),
        json!({"detail": "Unsupported media type \"application/xml\" in request."})
    );
}

#[tokio::test]
async fn defaults_and_request_options() {
    let c = client().await;
    let r = c.get("/echo/?q=a b").query(&[("r", "é&")]).await;
    let v = r.json();
    assert_eq!(v["host"], "testserver");
    assert_eq!(v["peer"], "127.0.0.1");
    assert_eq!(v["query"], json!([["q", "a b"], ["r", "é&"]]));

    let peer = SocketAddr::from(([192, 0, 2, 1], 4000));
    let r = c
        .get("/echo/")
        .peer(peer)
        .header_bytes("X-Name", b"caf\xe9")
        .await;
    assert_eq!(r.json()["peer"], "192.0.2.1");
    assert_eq!(r.json()["x_name"], "café");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
}

#[tokio::test]
async fn any_method_string() {
    let c = client().await;
    let r = c.request("get", "/echo/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["method"], "GET");
    let r = c.request("FOO", "/echo/").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json(), json!({"detail": "Method \"FOO\" not allowed."}));
    let r = c.head("/echo/").await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    let r = c.options("/echo/").await;
    assert_eq!(r.json()["name"], "Echo");
    let r = c.delete("/echo/").await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn credentials_persist_until_cleared() {
    let mut c = client().await;
    let alice = create_user(&c.app().clone(), "alice", "pw").await;
    let token = create_token(c.app(), &alice).await;

    let r = c.get("/private/").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Token"));

    c.credentials(&format!("Token {}", token.key));
    for _ in 0..2 {
        let r = c.get("/private/").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json(), json!({"username": "alice", "auth": token.key}));
    }
    // A header set on the request wins.
    let r = c
        .get("/private/")
        .header("Authorization", "Token nope")
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json(), json!({"detail": "Invalid token."}));

    c.credentials("");
    assert_eq!(c.get("/private/").await.status, 401);
    c.credentials_bytes(b"Token \xe9").credentials_clear();
    assert_eq!(c.get("/echo/").await.json()["authorization"], Value::Null);
}

#[tokio::test]
async fn force_authenticate_skips_the_schemes() {
    let mut c = client().await;
    let bob = create_user_with(c.app(), "bob", "pw", |u| u.is_staff = true).await;
    assert!(bob.is_staff);
    c.force_authenticate(Some(bob), Auth::None);
    let r = c.get("/private/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"username": "bob", "auth": null}));
    c.force_authenticate(None, Auth::None);
    assert_eq!(c.get("/private/").await.status, 401);
}

#[tokio::test]
async fn limits_and_panics_as_the_server() {
    let mut config = test_config();
    config.max_body_size = 4;
    let router = Router::<DefaultSettings>::new()
        .route("/echo/", Echo)
        .route("/panic/", Panics);
    let c = APIClient::new(router, test_app_with(config).await);
    let r = c.post("/echo/").body("12345", "text/plain").await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json(), json!({"detail": "Request body is too large."}));
    let r = c.get("/panic/").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json(), json!({"detail": "A server error occurred."}));
    assert_eq!(c.get("/nope/").await.status, 404);
    let superuser = create_superuser(c.app(), "root", "pw").await;
    assert!(superuser.is_superuser && superuser.is_staff);
}
