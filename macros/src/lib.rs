//! Procedural macros of `drf`: [`macro@api_view`] with [`macro@authentication_classes`],
//! [`macro@permission_classes`], [`macro@throttle_classes`], [`macro@throttle_scope`],
//! [`macro@renderer_classes`] and [`macro@extend_schema`], and [`settings!`].
//!
//! Use them through the `drf` crate, which re-exports them with the runtime they expand to;
//! the expansion names the runtime as `::drf::__private`, so the dependency must be called
//! `drf`.
//!
//! Each macro goes parse → check → expand: arguments are parsed for syntax only, every rule is
//! then checked (all independent errors of one invocation are reported together), and only a
//! valid input is expanded. On an error the macros emit the `compile_error!`s plus a quiet
//! stand-in for what they would have produced, so one mistake gives one error.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod classes;
mod diag;
mod misplaced;
mod names;
mod paths;
mod perm_expr;
// The throttle-rate grammar (`N/PERIOD` and its periods) is the runtime's own file, compiled
// here too, so that `settings!` accepts at compile time exactly the rates `Rate::parse` reads
// at start-up. The macros cannot depend on the runtime crate (it would be built again for the
// compiler, with hyper, sqlx and tokio, for one function), so the one std-only file is shared
// through a symbolic link (`rate_grammar.rs` → the runtime's `throttling/grammar.rs`), which
// `cargo package` follows, so the published crate carries the same text.
mod rate_grammar;
mod settings;
mod view;

use proc_macro::TokenStream;

use crate::names::Kind;

/// Turns an `async fn` into a view answering the listed HTTP methods (DRF's `@api_view`).
///
/// ```
/// # mod settings { drf::settings! {} }
/// use drf::prelude::*;
/// use drf::{api_view, authentication_classes, permission_classes};
/// use serde_json::Value;
///
/// /// Adds a data point.
/// #[api_view(GET, POST)]
/// #[authentication_classes(Token, Basic)]
/// #[permission_classes(IsAuthenticated & !IsAdminUser)]
/// pub async fn add_data(request: Request, user: User, auth: Auth) -> Result<Json<Value>, ApiError> {
///     Ok(Json(json!({"user": user.username})))
/// }
///
/// # fn main() {
/// let router = Router::<settings::Settings>::new().route("/data/", add_data);
/// # let _ = router;
/// # }
/// ```
///
/// - Methods are `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS` and `TRACE`, in upper
///   case. A bare `#[api_view]` answers `GET`, as DRF's. Other methods answer 405; OPTIONS
///   always answers with the view's metadata.
/// - The function becomes a struct of the same name (the view type) and a `const fn` of the
///   same name returning it (what `Router::route` takes); the function itself is kept as the
///   struct's hidden associated `handler`. Its doc comment is the view's OPTIONS description,
///   and its name gives the OPTIONS name as DRF's `get_view_name` does (`add_data` → `Add
///   Data`). Locals of the same name (`let add_data = …;`) shadow the function as usual.
/// - The handler receives what it asks for by type: `Request`, `User`, `Auth`, `Path<T>`,
///   `Json<T>`, `Data`, or any type implementing `FromRequest`; at most 16 arguments.
/// - `#[api_view]` must be the first of the view attributes: it reads
///   `#[authentication_classes]`, `#[permission_classes]`, `#[throttle_classes]`,
///   `#[throttle_scope]`, `#[renderer_classes]` and `#[extend_schema]` below it.
///   Without them the view uses the defaults of `settings!`.
#[proc_macro_attribute]
pub fn api_view(args: TokenStream, item: TokenStream) -> TokenStream {
    view::api_view(args.into(), item.into()).into()
}

/// The authentication schemes of a view, tried in order; overrides
/// `DEFAULT_AUTHENTICATION_CLASSES` (DRF's `@authentication_classes`). Write it below
/// [`macro@api_view`].
///
/// ```
/// # mod settings { drf::settings! {} }
/// # mod auth {
/// #     use drf::prelude::*;
/// #     pub struct Bearer;
/// #     impl Authenticate for Bearer {
/// #         const NAME: &'static str = "Bearer";
/// #         async fn authenticate(req: &Request) -> AuthResult {
/// #             drf::authentication::authenticate_token_keyword(req, "Bearer").await
/// #         }
/// #     }
/// # }
/// # use drf::prelude::*;
/// # use drf::{api_view, authentication_classes};
/// # use serde_json::Value;
/// #[api_view(GET)]
/// #[authentication_classes(Token, Basic, crate::auth::Bearer)]
/// async fn me(user: User) -> Json<Value> {
///     Json(json!({ "username": user.username }))
/// }
/// # fn main() {}
/// ```
///
/// Built-ins: `Basic`, `Session`, `Token` (DRF's `BasicAuthentication`,
/// `SessionAuthentication`, `TokenAuthentication` are accepted too). Any other name or path is
/// your own type implementing `Authenticate`; a name that looks like a misspelled built-in is
/// an error, so write your own type as a path (`self::Tokens`) if it really is named so. An
/// empty list, `#[authentication_classes()]`, means no authentication; a list has at most 16
/// schemes.
#[proc_macro_attribute]
pub fn authentication_classes(_args: TokenStream, item: TokenStream) -> TokenStream {
    misplaced::misplaced(Kind::Scheme.attribute(), item.into()).into()
}

/// The permissions of a view, all of which must allow; overrides `DEFAULT_PERMISSION_CLASSES`
/// (DRF's `@permission_classes`). Write it below [`macro@api_view`].
///
/// ```
/// # mod settings { drf::settings! {} }
/// # use drf::prelude::*;
/// # use drf::{api_view, permission_classes};
/// # use serde_json::Value;
/// # struct IsOwner;
/// # impl Permission for IsOwner {}
/// #[api_view(GET, DELETE)]
/// #[permission_classes(IsAuthenticated, IsOwner | IsAdminUser)]
/// async fn note(request: Request) -> Result<Json<Value>, ApiError> {
///     Ok(Json(json!({ "path": request.path() })))
/// }
/// # fn main() {}
/// ```
///
/// Each entry is a permission expression: `A & B` (both), `A | B` (either), `!A` (not), with
/// parentheses to group; `!` binds tightest, then `&`, then `|`, as `~`, `&`, `|` in DRF.
/// Built-ins: `AllowAny`, `IsAuthenticated`, `IsAdminUser`, `IsAuthenticatedOrReadOnly`; any
/// other name or path is your own type implementing `Permission`. When an entry denies, its
/// message is the answer's. `#[permission_classes()]` allows everyone; a list has at most 16
/// entries (an expression such as `A & B` is one).
#[proc_macro_attribute]
pub fn permission_classes(_args: TokenStream, item: TokenStream) -> TokenStream {
    misplaced::misplaced(Kind::Permission.attribute(), item.into()).into()
}

/// The throttles of a view, all of which are checked; overrides `DEFAULT_THROTTLE_CLASSES`
/// (DRF's `@throttle_classes`). Write it below [`macro@api_view`].
///
/// ```
/// # mod settings { drf::settings! { DEFAULT_THROTTLE_RATES = { anon: "10/min", user: "100/min" }; } }
/// # use drf::prelude::*;
/// # use drf::{api_view, throttle_classes};
/// #[api_view(POST)]
/// #[throttle_classes(AnonRate, UserRate)]
/// async fn upload(request: Request) -> StatusCode {
///     StatusCode::CREATED
/// }
/// # fn main() {}
/// ```
///
/// Built-ins: `AnonRate` (anonymous callers, scope `anon`), `UserRate` (users by id, anonymous
/// callers by address, scope `user`), `ScopedRate` (the scope of [`macro@throttle_scope`]); DRF's
/// `AnonRateThrottle`, `UserRateThrottle`, `ScopedRateThrottle` are accepted too. Any other name
/// or path is your own type implementing `Throttle`. Rates come from `DEFAULT_THROTTLE_RATES`.
/// `#[throttle_classes()]` means no throttling; a list has at most 16 throttles.
#[proc_macro_attribute]
pub fn throttle_classes(_args: TokenStream, item: TokenStream) -> TokenStream {
    misplaced::misplaced(Kind::Throttle.attribute(), item.into()).into()
}

/// The renderers of a view, in negotiation order; overrides `DEFAULT_RENDERER_CLASSES`
/// (DRF's `@renderer_classes`). Write it below [`macro@api_view`].
///
/// ```
/// # use drf::prelude::*;
/// # use drf::{api_view, renderer_classes};
/// #[api_view(GET)]
/// #[renderer_classes(JSONRenderer)]
/// async fn health() -> Json<serde_json::Value> {
///     Json(json!({"ok": true}))
/// }
/// # fn main() {}
/// ```
///
/// Built-ins: `JSONRenderer` (`application/json`, format `json`) and `BrowsableAPIRenderer`
/// (`text/html`, format `api`: DRF's browsable API). Any other name or path is your own type
/// implementing `drf::renderers::Renderer`. The client's `Accept` header picks one, or
/// `?format=`; the first listed answers errors of negotiation itself. A view needs at least
/// one; a list has at most 16.
#[proc_macro_attribute]
pub fn renderer_classes(_args: TokenStream, item: TokenStream) -> TokenStream {
    misplaced::misplaced(Kind::Renderer.attribute(), item.into()).into()
}

/// The view's throttle scope (DRF's `throttle_scope`): the scope whose rate `ScopedRate`
/// applies to this view. Write it below [`macro@api_view`].
///
/// ```
/// # mod settings { drf::settings! { DEFAULT_THROTTLE_RATES = { burst: "60/min" }; } }
/// # use drf::prelude::*;
/// # use drf::{api_view, throttle_classes, throttle_scope};
/// #[api_view(GET)]
/// #[throttle_classes(ScopedRate)]
/// #[throttle_scope("burst")]
/// async fn search() -> StatusCode {
///     StatusCode::OK
/// }
/// # fn main() {}
/// ```
///
/// The scope must have a rate in `DEFAULT_THROTTLE_RATES` of the crate's `settings!`, which
/// must live in `crate::settings` (the `settings.rs` module): a scope without one is a
/// compile error at the scope. `ScopedRate` listed without a scope, and a scope on a view whose
/// listed throttles cannot use it, are errors too. With `ScopedRate` in
/// `DEFAULT_THROTTLE_CLASSES`, `#[throttle_scope]` alone opts a view in, as in DRF.
#[proc_macro_attribute]
pub fn throttle_scope(args: TokenStream, item: TokenStream) -> TokenStream {
    misplaced::misplaced_with(view::THROTTLE_SCOPE, item.into(), Some(args.into())).into()
}

/// What the view's OpenAPI description cannot read off the handler's types (drf-spectacular's
/// `extend_schema`): the body a handler reads by hand, and its answers. Write it below
/// [`macro@api_view`].
///
/// ```
/// # use drf::prelude::*;
/// # use drf::{api_view, extend_schema};
/// // `String` stands for your own `#[derive(Deserialize, JsonSchema)]` body type.
/// #[api_view(POST)]
/// #[extend_schema(request = String, responses(200 = Vec<String>, 400, 403))]
/// async fn login(request: Request) -> Result<Response, ApiError> {
///     // checks CSRF, then reads `Json<String>` itself
/// #   let _ = request;
///     StatusCode::OK.try_into_response()
/// }
/// # fn main() {}
/// ```
///
/// `request = T` documents a JSON (and form, and multipart) body of type `T`;
/// `responses(STATUS = T, STATUS, ...)` documents answers, with `T`'s schema when given (a
/// 4xx or 5xx without a type is DRF's `{"detail": …}`). A 2xx given here replaces the one the
/// return type gives. Types with `schemars::JsonSchema` get their schema, others none.
#[proc_macro_attribute]
pub fn extend_schema(args: TokenStream, item: TokenStream) -> TokenStream {
    misplaced::misplaced_with(view::EXTEND_SCHEMA, item.into(), Some(args.into())).into()
}

/// The application's global defaults (DRF's `REST_FRAMEWORK` settings), checked at compile
/// time; expands to `pub struct Settings` implementing the runtime's `Settings` trait.
///
/// ```
/// # mod users { pub fn anonymous() -> drf::User { drf::User::default() } }
/// # mod views {
/// #     #[drf::api_view(GET)]
/// #     pub async fn notes() -> drf::http::StatusCode { drf::http::StatusCode::OK }
/// # }
/// # mod settings {
/// // src/settings.rs
/// drf::settings! {
///     DEFAULT_AUTHENTICATION_CLASSES = [Session, Basic];
///     DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];
///     TOKEN_KEYWORD = "Bearer";
///     PASSWORD_ITERATIONS = 1_500_000;
///     UNAUTHENTICATED_USER = crate::users::anonymous;
///     DEFAULT_THROTTLE_CLASSES = [AnonRate, UserRate];
///     DEFAULT_THROTTLE_RATES = { anon: "100/day", user: "1000/day" };
/// }
/// # }
///
/// // src/main.rs
/// # fn main() {
/// # use drf::Router;
/// let router = Router::<settings::Settings>::new().route("/notes/", views::notes);
/// # let _ = router;
/// # }
/// ```
///
/// Every key is optional; one left out keeps DRF's default (`[Session, Basic]`, `[AllowAny]`,
/// `"Token"`, Django's iteration count, the anonymous user, no auth). The lists take the same
/// names, and are checked the same way, as the view attributes (lists may be written `[...]` or
/// `(...)`). `UNAUTHENTICATED_USER` / `UNAUTHENTICATED_TOKEN` name functions returning `User` /
/// `Auth`. Throttle rates are `"N/PERIOD"` (PERIOD one of `s`, `sec`, `second`, `m`, `min`,
/// `minute`, `h`, `hour`, `d`, `day`), or `None` for no limit; scopes are names or strings.
/// Without `DEFAULT_THROTTLE_RATES` the scopes are DRF's `anon` and `user`, both `None`; with
/// it, exactly the scopes listed, so `AnonRate`/`UserRate` in `DEFAULT_THROTTLE_CLASSES` need
/// `anon`/`user` there. `THROTTLE_RATE_<SCOPE>` in the environment overrides a rate at start-up.
/// `APPEND_SLASH = false` (Django's setting, default `true`) answers a path missing its
/// trailing slash 404 instead of Django's 301 to the slashed path.
///
/// Two settings are the framework's, not DRF's: `LOGIN_FAILURE_RATE` (failed logins per client
/// and username, default `"5/min"`) and `LOGIN_FAILURE_RATE_PER_CLIENT` (per client, default
/// `"100/hour"`), the failed-login limiter's rates, each a rate or `None` to turn it off (see
/// `drf::authentication::authenticate_credentials`); the environment variables of the same
/// names override them.
#[proc_macro]
pub fn settings(input: TokenStream) -> TokenStream {
    settings::settings(input.into()).into()
}
