//! Micro-benchmarks of the request pipeline (criterion), without a socket: each request is
//! handed to [`Router::handle`] as the server would after reading it.
//!
//! ```text
//! cargo bench --bench pipeline                  # every group
//! cargo bench --bench pipeline -- routing       # the groups whose name matches
//! ```
//!
//! Groups:
//! - `header`: the `Authorization` header split into keyword and credentials (Token, Basic,
//!   a header of another scheme);
//! - `permissions`: one view per permission list, each with Token authentication (through the
//!   cache) and called with the token, so that the differences between them are what
//!   evaluating the list costs;
//! - `dispatch`: whole requests: no authentication, Token through the token cache (SQLite
//!   file), a Basic+Token view without credentials (the 401), OPTIONS (the metadata), 405;
//! - `routing`: the same view behind 10, 1,000 and 10,000 routes, and a path with an `<int>`
//!   parameter (matched and converted), which should cost the same whatever the count.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use drf::authentication::header::{Credentials, authorization_bytes, credentials_for, split_words};
use drf::prelude::*;
use drf::testing::{create_token, create_user, test_app_with, test_config};
use drf::{App, DefaultSettings, Path, api_view, authentication_classes, permission_classes};
use serde_json::Value;

mod common;
use common::{open, token};

#[api_view(GET)]
#[authentication_classes()]
#[permission_classes(AllowAny)]
async fn item(Path(id): Path<i64>) -> Json<Value> {
    Json(json!({ "id": id }))
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(IsAuthenticated)]
async fn authenticated() -> Json<Value> {
    Json(json!({}))
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(IsAuthenticated & !IsAdminUser | IsAuthenticatedOrReadOnly)]
async fn composed() -> Json<Value> {
    Json(json!({}))
}

#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(AllowAny)]
async fn allow_any() -> Json<Value> {
    Json(json!({}))
}

fn get(path: &str, authorization: Option<&str>) -> hyper::Request<Bytes> {
    let mut r = hyper::Request::get(path);
    if let Some(a) = authorization {
        r = r.header("authorization", a);
    }
    r.body(Bytes::new()).unwrap()
}

fn header(c: &mut Criterion) {
    let mut g = c.benchmark_group("header");
    for (name, value, keyword) in [
        (
            "token",
            "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
            "Token",
        ),
        ("basic", "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=", "Basic"),
        ("other scheme", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "Token"),
    ] {
        let mut headers = hyper::HeaderMap::new();
        headers.insert("authorization", value.parse().unwrap());
        g.bench_function(name, |b| {
            b.iter(|| {
                let raw = authorization_bytes(black_box(&headers));
                let words = split_words(&raw);
                matches!(credentials_for(&words, keyword), Credentials::Word(_))
            });
        });
    }
    g.finish();
}

/// A runtime for `Router::handle`, and an application on a SQLite file (so that the token
/// cache is on, as in production) with one user and its token.
fn setup() -> (tokio::runtime::Runtime, App, String, tempdir::Dir) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempdir::Dir::new();
    let (app, key) = rt.block_on(async {
        let mut config = test_config();
        config.database_url = format!("sqlite://{}", dir.0.join("db.sqlite3").display());
        let app = test_app_with(config).await;
        let alice = create_user(&app, "alice", "alicepw").await;
        let key = create_token(&app, &alice).await.key;
        (app, key)
    });
    (rt, app, key, dir)
}

fn permissions(c: &mut Criterion) {
    let (rt, app, key, _dir) = setup();
    let router = Router::<DefaultSettings>::new()
        .route("/allow-any/", allow_any)
        .route("/authenticated/", authenticated)
        .route("/composed/", composed);
    let auth = format!("Token {key}");
    let mut g = c.benchmark_group("permissions");
    for (name, path) in [
        ("AllowAny", "/allow-any/"),
        ("IsAuthenticated", "/authenticated/"),
        (
            "IsAuthenticated & !IsAdminUser | IsAuthenticatedOrReadOnly",
            "/composed/",
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let resp = rt.block_on(router.handle(&app, get(path, Some(&auth)), None));
                assert_eq!(resp.status(), 200);
            });
        });
    }
    g.finish();
}

fn dispatch(c: &mut Criterion) {
    let (rt, app, key, _dir) = setup();
    let router = Router::<DefaultSettings>::new()
        .route("/open/", open)
        .route("/token/", token);
    let auth = format!("Token {key}");
    let mut g = c.benchmark_group("dispatch");
    let cases: [(&str, &str, Option<&str>, hyper::Method, u16); 5] = [
        ("no authentication", "/open/", None, hyper::Method::GET, 200),
        (
            "token (cached)",
            "/token/",
            Some(&auth),
            hyper::Method::GET,
            200,
        ),
        (
            "token, no credentials (401)",
            "/token/",
            None,
            hyper::Method::GET,
            401,
        ),
        ("OPTIONS", "/open/", None, hyper::Method::OPTIONS, 200),
        (
            "POST to a GET view (405)",
            "/open/",
            None,
            hyper::Method::POST,
            405,
        ),
    ];
    for (name, path, authorization, method, status) in cases {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut req = get(path, authorization);
                *req.method_mut() = method.clone();
                let resp = rt.block_on(router.handle(&app, req, None));
                assert_eq!(resp.status(), status);
            });
        });
    }
    g.finish();
}

fn routing(c: &mut Criterion) {
    let (rt, app, _key, _dir) = setup();
    let mut g = c.benchmark_group("routing");
    for n in [10, 1_000, 10_000] {
        let mut router = Router::<DefaultSettings>::new()
            .route("/open/", open)
            .route("/items/<int:id>/", item);
        for i in 2..n {
            router = router.route(&format!("/more/{i}/<slug:name>/"), open);
        }
        g.bench_with_input(BenchmarkId::new("static path", n), &n, |b, _| {
            b.iter(|| {
                let resp = rt.block_on(router.handle(&app, get("/open/", None), None));
                assert_eq!(resp.status(), 200);
            });
        });
        g.bench_with_input(BenchmarkId::new("int parameter", n), &n, |b, _| {
            b.iter(|| {
                let resp = rt.block_on(router.handle(&app, get("/items/42/", None), None));
                assert_eq!(resp.status(), 200);
            });
        });
    }
    g.finish();
}

/// A directory of the temp dir, removed when dropped.
mod tempdir {
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!(
                "drf-bench-pipeline-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

criterion_group!(benches, header, permissions, dispatch, routing);
criterion_main!(benches);
