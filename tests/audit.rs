//! The audit events (target `drf::audit`) of a scripted sequence against the conformance app
//! over real sockets: each scheme tried, each permission refusal, each throttle refusal (the
//! failed-login limiter's too), each session login and logout, with route, method and client;
//! and no password, token key, session key, cookie or CSRF value anywhere in them.

#[path = "../examples/conformance/settings.rs"]
mod settings;
#[path = "../examples/conformance/views.rs"]
mod views;

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use drf::prelude::*;
use drf::{api_view, authentication_classes, permission_classes};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

use common::{RawResponse, basic_auth, header, raw_request, start_server};

const ALICE_KEY: &str = "0123456789abcdef0123456789abcdef01234567";

type Event = BTreeMap<String, String>;

/// Keeps the fields of every event of target `drf::audit`.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<Event>>>);

struct Fields<'a>(&'a mut Event);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Collect {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != drf::audit::TARGET {
            return;
        }
        let mut fields = Event::new();
        fields.insert("level".to_owned(), event.metadata().level().to_string());
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(fields);
    }
}

#[api_view(POST)]
#[authentication_classes(Session)]
#[permission_classes(IsAuthenticated)]
async fn logout(request: Request) -> Result<Json<serde_json::Value>, ApiError> {
    drf::sessions::logout(&request).await?;
    Ok(Json(json!({})))
}

async fn get(addr: SocketAddr, path: &str, headers: &[(String, Vec<u8>)]) -> RawResponse {
    raw_request(addr, "GET", path, headers, None, None).await
}

/// The events whose fields include every `(key, value)` of `want`.
fn matching<'a>(events: &'a [Event], want: &[(&str, &str)]) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|e| {
            want.iter()
                .all(|(k, v)| e.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_decision_is_an_audit_event_without_secrets() {
    let collect = Collect::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(collect.clone()))
        .expect("the only subscriber of this test binary");
    let (app, _dir) =
        common::fixture_app_as::<settings::Settings>("audit", &[("LOGIN_FAILURE_RATE", "2/min")])
            .await;
    let id_of = async |name: &str| {
        let user = app.db().user_by_username(name).await.unwrap().unwrap();
        user.id.unwrap().to_string()
    };
    let (alice_id, bob_id) = (id_of("alice").await, id_of("bob").await);
    let router = views::router().route("/logout/", logout);
    let server = start_server(router, app).await;
    let addr = server.addr;
    let token = header("Authorization", &format!("Token {ALICE_KEY}"));

    assert_eq!(
        get(addr, "/token/", std::slice::from_ref(&token))
            .await
            .status,
        200
    );
    let bad = header(
        "Authorization",
        "Token 0000000000000000000000000000000000000bad",
    );
    assert_eq!(get(addr, "/token/", &[bad]).await.status, 401);
    assert_eq!(get(addr, "/basic/", &[]).await.status, 401);
    assert_eq!(
        get(addr, "/admin-only/", std::slice::from_ref(&token))
            .await
            .status,
        403
    );
    for _ in 0..3 {
        get(addr, "/scoped/", &[]).await;
    }
    for _ in 0..3 {
        get(addr, "/basic/", &[basic_auth("alice", "wrong-pw")]).await;
    }
    let login_body = br#"{"username": "bob", "password": "bobpw"}"#;
    let login = raw_request(
        addr,
        "POST",
        "/session-login/",
        &[],
        Some("application/json"),
        Some(login_body),
    )
    .await;
    assert_eq!(login.status, 200);
    let cookie = |name: &str| {
        login
            .set_cookie(name)
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", login.headers))
    };
    let (session, csrf) = (cookie("sessionid"), cookie("csrftoken"));
    let cookies = header("Cookie", &format!("sessionid={session}; csrftoken={csrf}"));
    let out = raw_request(
        addr,
        "POST",
        "/logout/",
        &[cookies, header("X-CSRFToken", &csrf)],
        Some("application/json"),
        Some(b"{}"),
    )
    .await;
    assert_eq!(out.status, 200, "{:?}", String::from_utf8_lossy(&out.body));
    server.stop().await;

    let events = collect.0.lock().unwrap().clone();
    let success = matching(
        &events,
        &[
            ("event", "authentication"),
            ("route", "/token/"),
            ("scheme", "Token"),
            ("outcome", "success"),
            ("method", "GET"),
            ("client", "127.0.0.1"),
        ],
    );
    assert!(!success.is_empty(), "{events:#?}");
    assert!(
        success.iter().any(|e| e["user_id"] == alice_id),
        "{success:#?}"
    );
    assert_eq!(
        matching(
            &events,
            &[
                ("event", "authentication"),
                ("outcome", "failure"),
                ("message", "Invalid token.")
            ]
        )
        .len(),
        1,
        "{events:#?}"
    );
    assert!(
        !matching(
            &events,
            &[
                ("event", "authentication"),
                ("route", "/basic/"),
                ("scheme", "Basic"),
                ("outcome", "no_credentials")
            ]
        )
        .is_empty()
    );
    assert!(
        !matching(
            &events,
            &[
                ("event", "permission_denied"),
                ("route", "/basic/"),
                ("permission", "IsAuthenticated"),
                ("answer", "not_authenticated")
            ]
        )
        .is_empty(),
        "{events:#?}"
    );
    assert!(
        !matching(
            &events,
            &[
                ("event", "permission_denied"),
                ("route", "/admin-only/"),
                ("permission", "IsAdminUser"),
                ("answer", "permission_denied")
            ]
        )
        .is_empty(),
        "{events:#?}"
    );
    let scoped = matching(
        &events,
        &[
            ("event", "throttled"),
            ("route", "/scoped/"),
            ("level", "WARN"),
        ],
    );
    assert_eq!(scoped.len(), 1, "{events:#?}");
    assert_eq!(scoped[0]["scope"], "burst");
    let limited = matching(&events, &[("event", "throttled"), ("route", "/basic/")]);
    assert_eq!(limited.len(), 1, "{events:#?}");
    assert_eq!(limited[0]["scope"], "login");
    for event in ["login", "logout"] {
        let found = matching(&events, &[("event", event)]);
        assert_eq!(found.len(), 1, "{event}: {events:#?}");
        assert_eq!(found[0]["user_id"], bob_id, "{found:#?}");
    }

    // No secret appears in any event.
    let text = format!("{events:?}");
    for secret in [
        ALICE_KEY,
        "wrong-pw",
        "bobpw",
        "0000000000000000000000000000000000000bad",
        session.as_str(),
        csrf.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the audit log");
    }
}
