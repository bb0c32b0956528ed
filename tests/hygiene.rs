//! The expansions name everything by absolute path: they compile in a crate without the
//! prelude, next to local items named like everything they use.
#![no_implicit_prelude]
#![allow(dead_code, non_camel_case_types, clippy::all)]

// Items a non-hygienic expansion would pick up instead of the runtime's and std's.
struct View;
struct Request;
struct Response;
struct ApiError;
struct Method;
struct Explicit;
struct FromSettings;
struct And;
struct Or;
struct Not;
struct Token;
struct Basic;
struct IsAuthenticated;
struct User;
struct Auth;
struct Result;
struct Option;
struct Send;
struct Future;
struct Debug;
struct Clone;
struct Copy;
struct Default;
struct Rate;
struct AnonRate;
struct ScopedRate;
struct Throttle;
fn call_handler() {}
fn pending() {}
fn has_scope() {}
mod core {}
mod drf {}
mod __private {}

/// A permission of this crate, named by path.
#[derive(::core::fmt::Debug)]
pub struct Custom;

impl ::drf::permissions::Permission for Custom {}

fn guest() -> ::drf::User {
    ::drf::User::anonymous()
}

fn no_auth() -> ::drf::Auth {
    ::drf::Auth::None
}

::drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Token, Session];
    DEFAULT_PERMISSION_CLASSES = [IsAuthenticated | self::Custom];
    TOKEN_KEYWORD = "Bearer";
    PASSWORD_ITERATIONS = 1_000;
    UNAUTHENTICATED_USER = self::guest;
    UNAUTHENTICATED_TOKEN = crate::no_auth;
}

/// A view with every list.
#[::drf::api_view(GET, POST)]
#[::drf::authentication_classes(Token, Basic)]
#[::drf::permission_classes(IsAuthenticated & !IsAdminUser | self::Custom, AllowAny)]
async fn hygienic(__req: ::drf::Request, user: ::drf::User) -> ::drf::Json<&'static str> {
    let _ = (__req, user);
    ::drf::Json("ok")
}

/// The settings `#[throttle_scope]` is checked against: `crate::settings::Settings`.
mod settings {
    ::drf::settings! {
        DEFAULT_THROTTLE_CLASSES = [AnonRate];
        DEFAULT_THROTTLE_RATES = { anon: "10/min", user: None, burst: "2/s", "with-dash": None };
    }
}

/// A view with throttles and a scope.
#[::drf::api_view(GET)]
#[::drf::throttle_classes(UserRate, ScopedRate)]
#[::drf::throttle_scope("burst")]
async fn throttled() -> ::drf::http::StatusCode {
    ::drf::http::StatusCode::OK
}

/// A view using the settings' lists.
#[::drf::api_view]
async fn defaults() -> ::drf::http::StatusCode {
    ::drf::http::StatusCode::OK
}

#[::core::prelude::v1::test]
fn expansions_resolve_without_the_prelude() {
    let router = ::drf::Router::<Settings>::new()
        .route("/h/", hygienic)
        .route("/d/", defaults);
    ::core::assert_eq!(::core::iter::Iterator::count(router.paths()), 2);
    ::core::assert_eq!(<hygienic as ::drf::View>::NAME, "Hygienic");
    ::core::assert_eq!(<Settings as ::drf::Settings>::TOKEN_KEYWORD, "Bearer");
    let router = ::drf::Router::<settings::Settings>::new().route("/t/", throttled);
    ::core::assert_eq!(::core::iter::Iterator::count(router.paths()), 1);
    ::core::assert_eq!(
        <throttled as ::drf::View>::THROTTLE_SCOPE,
        ::core::option::Option::Some("burst")
    );
}
