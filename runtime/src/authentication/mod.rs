//! Authentication schemes: the [`Authenticate`] trait, ordered lists of schemes, and the
//! built-in [`Basic`], [`Token`] and [`Session`].
//!
//! A scheme answers one of three things (DRF's semantics, Rocket's outcomes):
//! `Ok(None)` — no credentials of its kind, step aside; `Ok(Some((user, auth)))` —
//! authenticated; `Err(ApiError)` — bad credentials, the request fails at once, whatever the
//! view's permissions.

mod backend;
mod basic;
pub mod header;
mod limiter;
mod session;
mod token;

use std::future::Future;

use http::HeaderValue;

pub use crate::sessions::{login, logout};
pub use backend::authenticate_credentials;
pub use basic::Basic;
pub use session::Session;
pub use token::{Token, authenticate_token_keyword};

use crate::config::Config;
use crate::error::ApiError;
use crate::openapi::SecurityScheme;
use crate::request::Request;
use crate::user::{Auth, User};

/// What a scheme found: nothing of its kind, or the user and the credential.
pub type AuthResult = Result<Option<(User, Auth)>, ApiError>;

/// An authentication scheme (DRF's `BaseAuthentication`).
///
/// Implement it on a unit type and name the type in `#[authentication_classes(...)]` or in
/// `settings!`. The conformance example's `Bearer` is Token with another keyword:
///
/// ```
/// # use drf::prelude::*;
/// struct Bearer;
/// impl Authenticate for Bearer {
///     const NAME: &'static str = "Bearer";
///     async fn authenticate(req: &Request) -> AuthResult {
///         drf::authentication::authenticate_token_keyword(req, "Bearer").await
///     }
///     fn authenticate_header(_: &Request) -> Option<HeaderValue> {
///         Some(HeaderValue::from_static("Bearer"))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an authentication scheme",
    label = "expected a type implementing `Authenticate`",
    note = "built-in schemes are `Basic`, `Token` and `Session`; permission policies belong in `#[permission_classes(...)]`"
)]
pub trait Authenticate: Send + Sync + 'static {
    /// A short name for documentation and logs.
    const NAME: &'static str;

    /// Looks for this scheme's credentials in the request.
    fn authenticate(req: &Request) -> impl Future<Output = AuthResult> + Send;

    /// The `WWW-Authenticate` value a 401 carries when this scheme is the view's first; `None`
    /// makes authentication failures 403 (DRF's `authenticate_header`).
    fn authenticate_header(req: &Request) -> Option<HeaderValue> {
        let _ = req;
        None
    }

    /// How the OpenAPI document describes the scheme (its `components.securitySchemes`
    /// entry). The default says it is custom; a `Bearer` scheme would answer
    /// `SecurityScheme::keyword("bearerAuth", "Bearer")`.
    fn security_scheme(config: &Config) -> SecurityScheme {
        let _ = config;
        SecurityScheme::custom(Self::NAME)
    }
}

/// An ordered list of schemes: `()` or a tuple of [`Authenticate`] types.
pub trait AuthenticationList: Send + Sync + 'static {
    /// Number of schemes.
    const LEN: usize;

    /// Tries each scheme in order: the first that authenticates or fails decides.
    fn authenticate(req: &Request) -> impl Future<Output = AuthResult> + Send;

    /// The first scheme's authenticate header.
    fn authenticate_header(req: &Request) -> Option<HeaderValue>;

    /// The schemes' names, in order.
    fn names() -> Vec<&'static str>;

    /// The schemes' OpenAPI descriptions, in order.
    fn security_schemes(config: &Config) -> Vec<SecurityScheme>;
}

impl AuthenticationList for () {
    const LEN: usize = 0;
    async fn authenticate(_: &Request) -> AuthResult {
        Ok(None)
    }
    fn authenticate_header(_: &Request) -> Option<HeaderValue> {
        None
    }
    fn names() -> Vec<&'static str> {
        Vec::new()
    }
    fn security_schemes(_: &Config) -> Vec<SecurityScheme> {
        Vec::new()
    }
}

/// Runs scheme `A`, with its audit event.
async fn tried<A: Authenticate>(req: &Request) -> AuthResult {
    let outcome = A::authenticate(req).await;
    crate::audit::authentication(req, A::NAME, &outcome);
    outcome
}

macro_rules! impl_authentication_list {
    ($first:ident $(, $rest:ident)*) => {
        impl<$first: Authenticate $(, $rest: Authenticate)*> AuthenticationList for ($first, $($rest,)*) {
            const LEN: usize = 1 $(+ { let _ = stringify!($rest); 1 })*;
            async fn authenticate(req: &Request) -> AuthResult {
                if let Some(found) = tried::<$first>(req).await? {
                    return Ok(Some(found));
                }
                $(
                    if let Some(found) = tried::<$rest>(req).await? {
                        return Ok(Some(found));
                    }
                )*
                Ok(None)
            }
            fn authenticate_header(req: &Request) -> Option<HeaderValue> {
                $first::authenticate_header(req)
            }
            fn names() -> Vec<&'static str> {
                vec![$first::NAME $(, $rest::NAME)*]
            }
            fn security_schemes(config: &Config) -> Vec<SecurityScheme> {
                vec![$first::security_scheme(config) $(, $rest::security_scheme(config))*]
            }
        }
    };
}

crate::tuples::all_the_tuples!(impl_authentication_list);
