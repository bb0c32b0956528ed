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
//! This crate re-exports the runtime (`drf-runtime`) and the macros (`drf-macros`); depend on
//! it alone.
#![forbid(unsafe_code)]

pub use drf_macros::{
    api_view, authentication_classes, permission_classes, settings, throttle_classes,
    throttle_scope,
};
pub use drf_runtime::*;
