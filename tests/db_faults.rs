//! The database going away and coming back (PostgreSQL only): requests answer
//! `503 {"detail": "The database is unavailable."}` while it is gone, including one whose query
//! was in flight when it went, and the same server answers normally once it is back, without a
//! restart.
//!
//! A TCP proxy inside the test sits between the app and PostgreSQL; "cutting" it closes every
//! open connection and drops new ones at once (as a crashed or restarting server does),
//! "restoring" it forwards again. Needs `DRF_TEST_POSTGRES_URL`; reported as ignored without it (see `build.rs`).

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drf::prelude::*;
use drf::testing::{APIClient, TestDatabase, create_token, create_user, postgres_url};
use drf::{api_view, authentication_classes, permission_classes};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A TCP proxy that can be cut and restored.
struct Proxy {
    addr: SocketAddr,
    state: Arc<Mutex<ProxyState>>,
}

#[derive(Default)]
struct ProxyState {
    cut: bool,
    conns: Vec<AbortHandle>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut st = shared.lock().unwrap();
                if st.cut {
                    drop(client); // the server is "down": hang up at once
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                st.conns.push(task.abort_handle());
            }
        });
        Self { addr, state }
    }

    /// Closes every proxied connection and refuses new ones.
    fn cut(&self) {
        let mut st = self.state.lock().unwrap();
        st.cut = true;
        for c in st.conns.drain(..) {
            c.abort();
        }
    }

    fn restore(&self) {
        self.state.lock().unwrap().cut = false;
    }
}

#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticated)]
async fn whoami(user: User) -> Json<Value> {
    Json(json!({"username": user.username}))
}

/// Authenticates, then holds a query open for a while (the cut happens meanwhile).
#[api_view(GET)]
#[authentication_classes(Token)]
#[permission_classes(IsAuthenticated)]
async fn slow(request: Request) -> Result<Json<Value>, ApiError> {
    let pool = request.app().db().as_postgres().expect("postgres").clone();
    drf::sqlx::query("SELECT pg_sleep(2)")
        .execute(&pool)
        .await
        .map_err(|e| ApiError::from(drf::db::DbError::from(e)))?;
    Ok(Json(json!({"slept": true})))
}

fn unavailable() -> Value {
    json!({"detail": "The database is unavailable."})
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_is_503_and_the_server_recovers() {
    let admin = postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
    let test_db = TestDatabase::create(&admin).await.expect("test database");
    let (authority, upstream) = upstream_addr(test_db.url()).await;
    let proxy = Proxy::start(upstream).await;
    let proxied =
        test_db
            .url()
            .replacen(&format!("@{authority}/"), &format!("@{}/", proxy.addr), 1);
    assert_ne!(proxied, test_db.url(), "the app goes through the proxy");

    let mut config = common::test_config::<drf::DefaultSettings>(proxied.clone());
    config.hashers.pbkdf2_iterations = 1000;
    let db = drf::db::Db::connect(&proxied)
        .await
        .expect("connect via proxy");
    db.migrate().await.expect("migrate");
    let app = drf::App::new(config, db);
    let alice = create_user(&app, "alice", "pw").await;
    let token = create_token(&app, &alice).await;
    let router = Router::<drf::DefaultSettings>::new()
        .route("/whoami/", whoami)
        .route("/slow/", slow);
    let mut client = APIClient::new(router, app.clone());
    client.credentials(&format!("Token {}", token.key));
    let ok = json!({"username": "alice"});

    let r = client.get("/whoami/").await;
    assert_eq!((r.status.as_u16(), r.json()), (200, ok.clone()));

    // A query in flight when the database goes away.
    let in_flight = {
        let c = client.clone();
        tokio::spawn(async move { c.get("/slow/").await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    proxy.cut();
    let r = in_flight.await.expect("request task");
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (503, unavailable()),
        "query cut mid-flight"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));

    // While it is gone: Token and Basic both answer 503, quickly.
    for _ in 0..3 {
        let started = Instant::now();
        let r = client.get("/whoami/").await;
        assert_eq!((r.status.as_u16(), r.json()), (503, unavailable()));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    let r = client
        .get("/whoami/")
        .header("Authorization", "Basic YWxpY2U6cHc=") // alice:pw
        .await;
    assert_eq!((r.status.as_u16(), r.json()), (503, unavailable()));

    // Back: the same app answers again, without a restart.
    proxy.restore();
    let r = client.get("/whoami/").await;
    assert_eq!(
        (r.status.as_u16(), r.json()),
        (200, ok.clone()),
        "first request after the outage"
    );
    let r = client
        .get("/whoami/")
        .header("Authorization", "Basic YWxpY2U6cHc=")
        .await;
    assert_eq!((r.status.as_u16(), r.json()), (200, ok.clone()));
    let r = client.get("/slow/").await;
    assert_eq!((r.status.as_u16(), r.json()), (200, json!({"slept": true})));

    // Later outages are handled the same way, however many pooled connections they break.
    for round in 0..3 {
        let burst: Vec<_> = (0..4)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move { c.get("/whoami/").await.status.as_u16() })
            })
            .collect();
        for b in burst {
            assert_eq!(b.await.expect("request"), 200, "round {round}");
        }
        proxy.cut();
        assert_eq!(
            client.get("/whoami/").await.status.as_u16(),
            503,
            "round {round}"
        );
        proxy.restore();
        for i in 0..4 {
            let r = client.get("/whoami/").await;
            assert_eq!(
                r.status.as_u16(),
                200,
                "round {round}, request {i}: {}",
                r.text()
            );
        }
    }

    app.db().close().await;
    drop(test_db);
}

/// The `host:port` of a PostgreSQL URL (`postgres://user@host:port/db`), and its address.
async fn upstream_addr(url: &str) -> (String, SocketAddr) {
    let rest = url.split("://").nth(1).expect("scheme");
    let host_port = rest
        .split('/')
        .next()
        .expect("authority")
        .rsplit('@')
        .next()
        .expect("host");
    let with_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    let addr = tokio::net::lookup_host(with_port)
        .await
        .expect("resolve")
        .next()
        .expect("an address");
    (host_port.to_owned(), addr)
}
