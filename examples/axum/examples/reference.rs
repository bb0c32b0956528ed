//! The hand-written reference of the load benchmark (`cargo bench --bench load`): what a team
//! would write with axum and sqlx alone to check a DRF token, with no framework around it.
//!
//! `reference <sqlite file> <address>` serves, until killed:
//! - `GET /token/`: `Authorization: Token <key>` checked by one joined query per request
//!   (`authtoken_token` ⋈ the user table, `is_active` required), answering
//!   `{"username", "is_authenticated": true, "auth": key}`, or 401 `{"detail": …}`;
//! - `GET /open/`: the same JSON with no credentials, with no database.
//!
//! sqlx's pool at its defaults (10 connections, `test_before_acquire`), as a newcomer would
//! leave it; the benchmark prints `ready` on stdout's first line once it listens.

use std::str::FromStr;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

async fn token(State(pool): State<SqlitePool>, headers: HeaderMap) -> Response {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Token "))
        .map(str::trim);
    let Some(key) = key else {
        return unauthorized("Authentication credentials were not provided.");
    };
    let row: Result<Option<(String, bool)>, sqlx::Error> = sqlx::query_as(
        "SELECT u.username, u.is_active FROM authtoken_token t \
         JOIN auth_user u ON u.id = t.user_id WHERE t.key = ?",
    )
    .bind(key)
    .fetch_optional(&pool)
    .await;
    match row {
        Ok(Some((username, true))) => {
            Json(json!({"username": username, "is_authenticated": true, "auth": key}))
                .into_response()
        }
        Ok(Some((_, false))) => unauthorized("User inactive or deleted."),
        Ok(None) => unauthorized("Invalid token."),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn open() -> Json<serde_json::Value> {
    Json(json!({"username": "", "is_authenticated": false, "auth": null}))
}

fn unauthorized(detail: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Token")],
        Json(json!({ "detail": detail })),
    )
        .into_response()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(addr)) = (args.next(), args.next()) else {
        eprintln!("usage: reference <sqlite file> <address>");
        std::process::exit(2);
    };
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{file}"))
        .expect("a SQLite path")
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .expect("the database opens");
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .expect("the address is free");
    let app = Router::new()
        .route("/token/", get(token))
        .route("/open/", get(open))
        .with_state(pool);
    println!("ready {}", listener.local_addr().expect("bound"));
    axum::serve(listener, app).await.expect("serves");
}
