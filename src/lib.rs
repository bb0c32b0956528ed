//! `drf`: Django REST Framework's declarative authentication, permissions and throttling for
//! Rust.
//!
//! A view is an `async fn` with attributes saying which methods it answers, how callers prove
//! who they are and who may call it; `settings!` sets the global defaults:
//!
//! ```
//! use drf::prelude::*;
//! use drf::{DefaultSettings, api_view, authentication_classes, permission_classes};
//!
//! /// Adds a data point.
//! #[api_view(GET, POST)]
//! #[authentication_classes(Token, Basic)]
//! #[permission_classes(IsAuthenticated & !IsAdminUser)]
//! async fn add_data(request: Request, user: User, auth: Auth) -> Result<Json<serde_json::Value>, ApiError> {
//!     Ok(Json(json!({
//!         "method": request.method().as_str(),
//!         "user": user.username,
//!         "token": auth.key(),
//!     })))
//! }
//!
//! let router = Router::<DefaultSettings>::new().route("/data/", add_data);
//! ```
//!
//! This crate re-exports, by name, what applications use of the runtime (`drf-runtime`) and
//! the macros (`drf-macros`); depend on it alone. Feature `testing` adds [`testing`], the
//! in-process test client.
#![forbid(unsafe_code)]

pub use drf_macros::{
    api_view, authentication_classes, extend_schema, permission_classes, renderer_classes,
    settings, throttle_classes, throttle_scope,
};

// In the runtime's order, `prelude` last: rustc names an item in diagnostics by the first
// public path it finds, and the UI tests pin those names (`drf::throttling::Throttle`).
pub use drf_runtime::{
    audit, authentication, config, db, extract, fields, hashers, management, openapi, parsers,
    permissions, renderers, server, sessions, signing, throttling, view, views,
};

pub use drf_runtime::{
    ApiError, App, Auth, Config, Data, DefaultSettings, FromRequest, Handler, IntoResponse, Json,
    Path, Request, Response, Router, Settings, State, User, Validated, View,
};

/// The sqlx crate, for applications that keep their own tables beside Django's (see [`db`]).
pub use drf_runtime::sqlx;

pub use drf_runtime::http;

/// The in-process test client, fresh test databases and fixtures (feature `testing`).
#[cfg(feature = "testing")]
pub use drf_runtime::testing;

#[doc(hidden)]
pub use drf_runtime::__private;

/// The README's code blocks, compiled and run as doc tests of this crate.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use drf_runtime::prelude;
