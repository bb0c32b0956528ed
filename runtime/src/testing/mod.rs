//! An in-process test client, DRF's `APIClient` in spirit: requests go straight to the router,
//! no socket involved.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use drf_runtime::testing::{APIClient, create_user, test_app};
//! use drf_runtime::views::obtain_auth_token;
//! use drf_runtime::{DefaultSettings, Router};
//!
//! let app = test_app().await;
//! create_user(&app, "alice", "s3cret").await;
//! let router = Router::<DefaultSettings>::new().route("/api-token-auth/", obtain_auth_token);
//! let client = APIClient::new(router, app);
//!
//! let resp = client
//!     .post("/api-token-auth/")
//!     .json(&serde_json::json!({"username": "alice", "password": "s3cret"}))
//!     .send()
//!     .await;
//! assert_eq!(resp.status, 200);
//! assert_eq!(resp.json()["token"].as_str().unwrap().len(), 40);
//!
//! // A builder is also a future: `.send()` may be left out.
//! let resp = client.get("/api-token-auth/").await;
//! assert_eq!(resp.status, 405);
//! assert_eq!(resp.json()["detail"], "Method \"GET\" not allowed.");
//! # });
//! ```
//!
//! [`test_app`] and [`test_config`] give each test a fresh database: in-memory SQLite, or with
//! `DRF_TEST_DATABASE=postgres` a new PostgreSQL database on the server of
//! `DRF_TEST_POSTGRES_URL`, dropped when the test's last handle on it goes ([`TestBackend`],
//! [`TestDatabase`]).
//!
//! What the client does as Django's test client does: the `Host` header is `testserver` and
//! the peer address 127.0.0.1 unless set; a body gets its `Content-Length`; paths with
//! characters a URI cannot hold (spaces, non-ASCII) are percent-encoded as UTF-8; the body of
//! an answer to HEAD is dropped. As the server does, a body larger than
//! [`Config::max_body_size`] is answered 413 and a panic in the router is a 500 answer.

mod backend;
mod client;
mod fixtures;
mod postgres;
mod response;
#[cfg(test)]
mod tests;

pub use backend::{TestBackend, postgres_url};
pub use client::{APIClient, MULTIPART_BOUNDARY, RequestBuilder};
pub use fixtures::{
    create_superuser, create_token, create_user, create_user_with, test_app, test_app_with,
    test_config,
};
pub use postgres::TestDatabase;
pub use response::TestResponse;
