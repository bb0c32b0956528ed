//! The framework's router mounted in axum behind tower-http's layers: each layer does its job,
//! and the framework still gives DRF's answers.

use std::io::Read as _;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use drf::testing::{create_token, create_user, test_app};
use drf::{Json, api_view, permission_classes};
use drf_example_axum::{Options, api, app, mount};
use futures_util::{StreamExt as _, stream};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const ORIGIN: &str = "https://app.example.com";

fn options() -> Options {
    Options {
        cors_allowed_origins: vec![HeaderValue::from_static(ORIGIN)],
        timeout: Duration::from_millis(300),
    }
}

/// The application over a fresh test database, with `alice` and her token.
async fn setup() -> (axum::Router, String) {
    let drf = test_app().await;
    let alice = create_user(&drf, "alice", "alice-pass").await;
    let token = create_token(&drf, &alice).await.key;
    (app(drf, &options()), token)
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: bytes::Bytes,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

async fn send(app: &axum::Router, req: Request<Body>) -> Answer {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

fn get(path: &str) -> axum::http::request::Builder {
    Request::get(path)
}

#[tokio::test]
async fn axum_routes_and_the_framework_routes_side_by_side() {
    let (app, token) = setup().await;

    let r = send(&app, get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..], b"ok");

    // The framework's answers, unchanged by the mount: DRF's 401 and its headers.
    let r = send(&app, get("/api/me/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"detail": "Authentication credentials were not provided."})
    );
    assert_eq!(r.header("www-authenticate"), Some("Token"));
    assert_eq!(r.header("allow"), Some("GET, OPTIONS"));

    let r = send(
        &app,
        get("/api/me/")
            .header(header::AUTHORIZATION, format!("Token {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["username"], "alice");

    // A token login through the mount, as a form.
    let r = send(
        &app,
        Request::post("/api/api-token-auth/")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=alice&password=alice-pass"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"token": token}));

    // An unknown path under the mount is the framework's (Django's) 404 page; elsewhere it is
    // axum's empty 404.
    let r = send(&app, get("/api/nowhere/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 404);
    assert!(String::from_utf8_lossy(&r.body).contains("<h1>Not Found</h1>"));
    let r = send(&app, get("/nowhere/").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn the_append_slash_redirect_keeps_the_mount_prefix() {
    let (app, _) = setup().await;
    let r = send(&app, get("/api/me?x=1").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location"), Some("/api/me/?x=1"));
}

#[tokio::test]
async fn a_cors_preflight_is_answered_by_the_layer_before_authentication() {
    let (app, _) = setup().await;
    let preflight = |origin: &str| {
        Request::options("/api/me/")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .body(Body::empty())
            .unwrap()
    };

    // No credentials, and yet 200: the framework (whose IsAuthenticated answers OPTIONS with
    // 401, as below) never saw the request. Its answers always say `Allow` and, on a 401,
    // `WWW-Authenticate`; this one has neither.
    let r = send(&app, preflight(ORIGIN)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let allowed = r.header("access-control-allow-headers").unwrap();
    assert!(allowed.split(',').any(|h| h.trim() == "authorization"));
    assert!(r.header("www-authenticate").is_none());
    assert!(r.header("allow").is_none());

    // An origin not on the list gets no permission to read.
    let r = send(&app, preflight("https://evil.example")).await;
    assert!(r.header("access-control-allow-origin").is_none());

    // An OPTIONS that is no preflight is the framework's, with its authentication.
    let r = send(
        &app,
        Request::options("/api/me/")
            .header(header::ORIGIN, ORIGIN)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Token"));

    // The framework's error answers carry the CORS headers, so a browser can read them.
    let r = send(
        &app,
        get("/api/me/")
            .header(header::ORIGIN, ORIGIN)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn answers_are_gzipped_when_the_client_asks() {
    let (app, token) = setup().await;
    let me = |encoding: Option<&str>| {
        let mut req = get("/api/me/").header(header::AUTHORIZATION, format!("Token {token}"));
        if let Some(e) = encoding {
            req = req.header(header::ACCEPT_ENCODING, e);
        }
        req.body(Body::empty()).unwrap()
    };
    let plain = send(&app, me(None)).await;
    assert_eq!(plain.status, 200);
    assert!(plain.header("content-encoding").is_none());

    let r = send(&app, me(Some("gzip"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.body);
}

#[tokio::test]
async fn a_body_that_never_arrives_is_cut_by_the_timeout_layer() {
    let (app, _) = setup().await;
    // The body announces 40 bytes, sends 10 and then nothing: the framework would wait its
    // own body timeout (30 s); the layer answers after 300 ms.
    let first = Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"username=a"));
    let stream = stream::once(async { first }).chain(stream::pending());
    let req = Request::post("/api/api-token-auth/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, "40")
        .header(header::ORIGIN, ORIGIN)
        .body(Body::from_stream(stream))
        .unwrap();
    let started = std::time::Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(10), send(&app, req))
        .await
        .expect("the timeout layer answers");
    assert_eq!(r.status, 408);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
}

#[api_view(GET)]
#[permission_classes(AllowAny)]
/// Where the request came from, as the framework sees it.
async fn whoami(request: drf::Request) -> Json<Value> {
    Json(json!({
        "peer": request.peer_addr().map(|a| a.ip().to_string()),
        "script_name": request.script_name(),
        "path": request.path(),
    }))
}

#[tokio::test]
async fn served_over_tcp_the_client_address_reaches_the_framework() {
    let drf = test_app().await;
    let app = mount(api().route("/whoami/", whoami), drf, &options());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /api/whoami/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut conn, request.as_bytes())
        .await
        .unwrap();
    let mut raw = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut conn, &mut raw)
        .await
        .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    let body = raw.split_once("\r\n\r\n").unwrap().1;
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        body,
        json!({"peer": "127.0.0.1", "script_name": "/api", "path": "/whoami/"})
    );
    server.abort();
}
