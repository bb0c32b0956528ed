//! Runtime of `drf`: the request pipeline, authentication schemes, permissions, Django-compatible
//! storage, the server and the management commands.
//!
//! Applications depend on the `drf` facade, which re-exports this crate and the macros; see its
//! documentation for the tour.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Entry points for the fuzz targets in fuzz/. Not public API.
#[doc(hidden)]
#[path = "fuzz_api.rs"]
pub mod __fuzz;
pub mod app;
pub mod audit;
pub mod authentication;
mod body;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod fields;
pub mod hashers;
pub mod management;
pub mod manifest;
pub mod openapi;
pub mod parsers;
pub mod permissions;
pub mod pycompat;
mod render;
pub mod renderers;
pub mod request;
pub mod response;
pub mod router;
pub mod server;
pub mod sessions;
pub mod settings;
pub mod signing;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttling;
mod tuples;
pub mod user;
pub mod view;
pub mod views;

pub use app::App;
pub use config::Config;
pub use error::ApiError;
pub use extract::{Data, FromRequest, Handler, Path, State, Validated};
pub use request::Request;
pub use response::{IntoResponse, Json, Response};
pub use router::Router;
pub use settings::{DefaultSettings, Settings};
pub use user::{Auth, AuthToken, User};
pub use view::View;

/// The sqlx crate, for applications that keep their own tables beside Django's.
pub use sqlx;

/// Re-exports of the HTTP types handlers use.
pub mod http {
    pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
}

/// Items used by the code `#[api_view]` and `settings!` generate. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::authentication::{Authenticate, AuthenticationList, Basic, Session, Token};
    pub use crate::error::ApiError;
    pub use crate::extract::{FromRequest, StateNeed, call_handler};
    pub use crate::openapi::{
        AnyAnswer, AnyBody, HandlerDoc, Probe, Schemas, TypedAnswer, TypedBody,
    };
    pub use crate::permissions::{
        AllowAny, And, IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly, Not, Or,
        Permission, PermissionList,
    };
    pub use crate::renderers::{BrowsableAPIRenderer, JSONRenderer, Renderer, RendererList};
    pub use crate::request::Request;
    pub use crate::response::IntoResponse;
    pub use crate::response::Json;
    pub use crate::response::Response;
    pub use crate::settings::Settings;
    pub use crate::throttling::{
        AnonRate, Rate, ScopedRate, Throttle, ThrottleList, UserRate, has_scope,
    };
    pub use crate::user::{Auth, User};
    pub use crate::view::{Explicit, FromSettings, View};
    pub use http::Method;
}

/// Everything a view module needs: `use drf::prelude::*;`.
pub mod prelude {
    pub use crate::authentication::{AuthResult, Authenticate};
    pub use crate::error::ApiError;
    pub use crate::extract::{Data, Path, State, Validated};
    pub use crate::permissions::{Object, Permission};
    pub use crate::request::Request;
    pub use crate::response::{IntoResponse, Json, Response};
    pub use crate::router::Router;
    pub use crate::throttling::{Decision, Throttle, ThrottleContext};
    pub use crate::user::{Auth, AuthToken, User};
    pub use http::{HeaderValue, Method, StatusCode};
    pub use serde_json::json;
}
