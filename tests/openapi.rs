//! The conformance app's OpenAPI document against its route manifest and against what the
//! running app does: the same routes, methods and schemes in the same order; and, operation by
//! operation, the empty requirement `{}` exactly where an anonymous request gets past the
//! permissions (anything but 401 or 403), every answer's status documented.

#[path = "../examples/conformance/settings.rs"]
mod settings;
#[path = "../examples/conformance/views.rs"]
mod views;

mod common;

use serde_json::Value;

use common::{basic_auth, raw_request, start_server};

/// The document's key of a scheme the manifest names.
fn key(scheme: &str) -> &str {
    match scheme {
        "Basic" => "basicAuth",
        "Token" => "tokenAuth",
        "Session" => "cookieAuth",
        "Bearer" => "bearerAuth",
        other => panic!("unexpected scheme {other}"),
    }
}

fn documented(op: &Value, status: u16) -> bool {
    let responses = op["responses"].as_object().unwrap();
    responses.contains_key(&status.to_string())
        || (200..300).contains(&status) && responses.contains_key("2XX")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_matches_manifest_and_enforcement() {
    let (app, _dir) = common::fixture_app_as::<settings::Settings>("openapi", &[]).await;
    let router = views::router();
    let manifest = router.manifest();
    let expected = router.openapi(app.config());
    let server = start_server(views::router(), app).await;

    let served = raw_request(server.addr, "GET", "/api/schema/", &[], None, None).await;
    assert_eq!(served.status, 200);
    let doc = served.json();
    assert_eq!(doc, expected, "the view serves Router::openapi");
    assert_eq!(doc["openapi"], "3.1.0");

    let paths = doc["paths"].as_object().unwrap();
    let manifest_paths: Vec<&str> = manifest.iter().map(|r| r.path.as_str()).collect();
    let doc_paths: Vec<&str> = paths.keys().map(String::as_str).collect();
    assert_eq!(doc_paths, manifest_paths, "same routes, same order");

    let mut anonymous_admitted = 0;
    for route in &manifest {
        let item = paths[&route.path].as_object().unwrap();
        let methods: Vec<String> = route.methods.iter().map(|m| m.to_lowercase()).collect();
        let doc_methods: Vec<&String> = item.keys().collect();
        assert_eq!(
            doc_methods,
            methods.iter().collect::<Vec<_>>(),
            "{}",
            route.path
        );
        let keys: Vec<&str> = route.schemes.iter().map(|s| key(s)).collect();
        for (method, op) in item {
            let security = op["security"].as_array().unwrap();
            let named: Vec<&str> = security
                .iter()
                .filter_map(|r| r.as_object().unwrap().keys().next().map(String::as_str))
                .collect();
            assert_eq!(named, keys, "{method} {}: schemes in order", route.path);
            for k in &keys {
                assert!(doc["components"]["securitySchemes"][k].is_object());
            }
            let open = security.iter().any(|r| r.as_object().unwrap().is_empty());
            let (ct, body) = if op.get("requestBody").is_some() {
                (Some("application/json"), Some(&b"{}"[..]))
            } else {
                (None, None)
            };
            let upper = method.to_uppercase();
            let anon = raw_request(server.addr, &upper, &route.path, &[], ct, body).await;
            let refused = matches!(anon.status, 401 | 403);
            assert_eq!(
                open, !refused,
                "{upper} {}: `{{}}` is {open} but an anonymous request got {}",
                route.path, anon.status
            );
            anonymous_admitted += usize::from(open);
            assert!(
                documented(op, anon.status),
                "{upper} {}: {} is not documented",
                route.path,
                anon.status
            );
            if keys.contains(&"basicAuth") {
                let auth = [basic_auth("alice", "alicepw")];
                let signed = raw_request(server.addr, &upper, &route.path, &auth, ct, body).await;
                assert!(
                    documented(op, signed.status),
                    "{upper} {} as alice: {} is not documented",
                    route.path,
                    signed.status
                );
            }
        }
    }
    // AllowAny, IsAuthenticatedOrReadOnly's GET, the settings' default and the logins.
    assert!(anonymous_admitted >= 10, "{anonymous_admitted}");
    let read_only = &paths["/read-only/"];
    assert_eq!(read_only["get"]["security"].as_array().unwrap().len(), 3);
    assert_eq!(read_only["post"]["security"].as_array().unwrap().len(), 2);
    server.stop().await;
}

mod composed {
    use drf::openapi::Anonymous;
    use drf::prelude::*;
    use drf::{api_view, extend_schema, permission_classes};
    use serde::Deserialize;

    /// A permission that says nothing about anonymous callers.
    pub struct Undeclared;
    impl Permission for Undeclared {}

    // Read for its schema only.
    #[allow(dead_code)]
    #[derive(Deserialize, schemars::JsonSchema)]
    pub struct In {
        pub name: String,
        pub count: Option<u32>,
    }

    #[api_view(GET, POST)]
    #[permission_classes(!IsAuthenticated)]
    pub async fn not_authenticated(Json(_input): Json<In>) -> StatusCode {
        StatusCode::OK
    }

    #[api_view(GET, POST)]
    #[permission_classes(IsAuthenticatedOrReadOnly | IsAdminUser)]
    #[extend_schema(responses(201 = In, 409))]
    pub async fn either(_input: Option<Json<In>>) -> StatusCode {
        StatusCode::OK
    }

    #[api_view(GET)]
    #[permission_classes(IsAuthenticated | Undeclared)]
    pub async fn undeclared(Path(_slug): Path<String>) -> StatusCode {
        StatusCode::OK
    }

    #[api_view(GET)]
    #[permission_classes(IsAdminUser & Undeclared)]
    pub async fn refused() -> StatusCode {
        StatusCode::OK
    }

    pub fn anonymous(m: &Method) -> Anonymous {
        <drf::permissions::IsAuthenticatedOrReadOnly as Permission>::admits_anonymous(m)
    }
}

#[tokio::test]
async fn permissions_evaluate_per_method() {
    use drf::http::Method;
    use drf::openapi::Anonymous;

    assert_eq!(composed::anonymous(&Method::GET), Anonymous::Admitted);
    assert_eq!(composed::anonymous(&Method::POST), Anonymous::Refused);
    let (app, _dir) = common::fixture_app("openapi-composed").await;
    let router = drf::Router::<drf::DefaultSettings>::new()
        .route("/not/", composed::not_authenticated)
        .route("/either/", composed::either)
        .route("/u/<slug:slug>/", composed::undeclared)
        .route("/refused/", composed::refused);
    let doc = router.openapi(app.config());
    let open = |path: &str, method: &str| {
        doc["paths"][path][method]["security"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_object().unwrap().is_empty())
    };
    assert!(open("/not/", "get") && open("/not/", "post"));
    assert!(open("/either/", "get") && !open("/either/", "post"));
    assert!(open("/u/{slug}/", "get"), "undeclared may admit");
    assert!(!open("/refused/", "get"));

    // The typed body, its schema a named component with DRF's not-blank strings.
    let post = &doc["paths"]["/not/"]["post"];
    assert_eq!(post["requestBody"]["required"], true);
    let schema = &post["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(schema["$ref"], "#/components/schemas/In");
    let component = &doc["components"]["schemas"]["In"];
    assert_eq!(component["required"], serde_json::json!(["name"]));
    assert_eq!(component["properties"]["name"]["minLength"], 1);
    assert!(doc["paths"]["/not/"]["get"].get("requestBody").is_none());
    // Declared answers replace the 2XX; the path parameter is typed by its converter.
    let either = doc["paths"]["/either/"]["post"]["responses"]
        .as_object()
        .unwrap();
    assert!(either.contains_key("201") && either.contains_key("409"));
    assert!(!either.contains_key("2XX"));
    let param = &doc["paths"]["/u/{slug}/"]["get"]["parameters"][0];
    assert_eq!(param["in"], "path");
    assert_eq!(param["schema"]["pattern"], "^[-a-zA-Z0-9_]+$");
    assert!(
        doc["paths"]["/u/{slug}/"]["get"]["responses"]
            .get("404")
            .is_some()
    );
}
