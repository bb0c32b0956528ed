//! `drf`: Django REST Framework's declarative authentication and permissions for Rust.
//!
//! A view is an `async fn` with attributes saying which methods it answers, how callers prove
//! who they are and who may call it; `settings!` sets the global defaults:
//!
//! ```ignore
//! use drf::prelude::*;
//! use drf::{api_view, authentication_classes, permission_classes};
//!
//! #[api_view(GET, POST)]
//! #[authentication_classes(Token, Basic)]
//! #[permission_classes(IsAuthenticated)]
//! async fn add_data(request: Request, user: User, auth: Auth) -> Result<Response, ApiError> { … }
//! ```
//!
//! This crate re-exports the runtime (`drf-runtime`) and the macros (`drf-macros`); depend on
//! it alone.
#![forbid(unsafe_code)]

pub use drf_macros::{api_view, authentication_classes, permission_classes, settings};
pub use drf_runtime::*;
