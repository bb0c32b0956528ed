//! [`View`]: what `#[api_view]` implements, and [`dispatch`], the pipeline every request of a
//! view goes through.
//!
//! Order (DRF's `APIView.initial` and `dispatch`): content negotiation (which of the view's
//! renderers answers), authentication,
//! permissions, throttles, then the method check (405, or the OPTIONS metadata), then the
//! body is read (only now: a request refused earlier never has its body read), then the
//! handler, within `HANDLER_TIMEOUT_SECS`: a 405 and an OPTIONS use throttle quota, a failed
//! authentication does not. Every
//! response carries `Allow`. Errors anywhere are rendered by [`ApiError::into_response_with`]
//! with the view's first scheme's authenticate header; a panic is a 500 JSON answer. The
//! renderer negotiation picked then turns the JSON answer into its own (the browsable page),
//! before the session middleware's work on the way out.

use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use crate::authentication::AuthenticationList;
use crate::error::ApiError;
use crate::extract::StateNeed;
use crate::openapi::{HandlerDoc, Schemas};
use crate::parsers::PARSES;
use crate::permissions::{self, Object, PermissionList};
use crate::renderers::negotiation::{self, Chosen};
use crate::renderers::{RendererList, Rendering};
use crate::request::{BoxFuture, Identity, Request};
use crate::response::{Response, json_response, reindent};
use crate::settings::Settings;
use crate::throttling::{ThrottleContext, ThrottleList};

/// A view: methods, schemes, permissions and the handler. `#[api_view]` implements it; built-in
/// views (`obtain_auth_token`) implement it by hand.
pub trait View: Send + Sync + 'static {
    /// The name OPTIONS reports (DRF's `get_view_name`, e.g. `Token Basic`).
    const NAME: &'static str;
    /// The description OPTIONS reports (the handler's doc comment).
    const DESCRIPTION: &'static str = "";
    /// The methods the handler answers; OPTIONS is always allowed on top.
    const METHODS: &'static [Method];
    /// The media types the view parses, in the order they are tried (DRF's `parser_classes`;
    /// OPTIONS' `parses`): the first that matches the request's `Content-Type` parses the body,
    /// so with `*/*` or `application/*` the order decides. Known: `application/json`,
    /// `application/x-www-form-urlencoded`, `multipart/form-data`; others are skipped.
    const PARSES: &'static [&'static str] = &PARSES;
    /// The authentication schemes: [`FromSettings`] or [`Explicit`].
    type Authentication: AuthenticationClasses;
    /// The permissions: [`FromSettings`] or [`Explicit`].
    type Permission: PermissionClasses;
    /// The throttles: [`FromSettings`] or [`Explicit`].
    type Throttle: ThrottleClasses;
    /// The renderers: [`FromSettings`] or [`Explicit`] (`#[renderer_classes(...)]`).
    type Renderer: RendererClasses;
    /// False leaves the view out of the OpenAPI document (the browsable API's login pages).
    const IN_SCHEMA: bool = true;
    /// DRF's `throttle_scope`: the scope whose rate `ScopedRate` applies
    /// (`#[throttle_scope("burst")]`).
    const THROTTLE_SCOPE: Option<&'static str> = None;

    /// The `State<T>` arguments of the handler, for the router's start-up check
    /// ([`Router::check_states`](crate::Router::check_states)).
    fn required_states(needs: &mut Vec<StateNeed>) {
        let _ = needs;
    }

    /// Runs the handler (after authentication, permissions, throttles and the method check).
    fn handle(req: Request) -> impl Future<Output = Result<Response, ApiError>> + Send;

    /// What the OpenAPI document says of the handler: its body, its answer, whether it checks
    /// passwords. `#[api_view]` reads it off the handler's arguments and return type.
    fn openapi(schemas: &mut Schemas) -> HandlerDoc {
        let _ = schemas;
        HandlerDoc::default()
    }

    /// The OPTIONS body (DRF's `SimpleMetadata`); `renders` lists the media types of the
    /// view's renderers ([`Request::renders`]).
    fn metadata(req: &Request) -> Value {
        json!({
            "name": Self::NAME,
            "description": Self::DESCRIPTION,
            "renders": req.renders(),
            "parses": Self::PARSES,
        })
    }
}

/// The view uses the settings' default (no attribute given).
#[derive(Debug, Clone, Copy, Default)]
pub struct FromSettings;

/// The view names its own list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Explicit<T>(PhantomData<T>);

/// Resolves a view's authentication schemes against the settings.
pub trait AuthenticationClasses: Send + Sync + 'static {
    /// True when the list is the settings' default (the view gave none).
    const FROM_SETTINGS: bool = false;
    /// The list in force under settings `S`.
    type For<S: Settings>: AuthenticationList;
}

impl AuthenticationClasses for FromSettings {
    const FROM_SETTINGS: bool = true;
    type For<S: Settings> = S::Authentication;
}

impl<L: AuthenticationList> AuthenticationClasses for Explicit<L> {
    type For<S: Settings> = L;
}

/// Resolves a view's permissions against the settings.
pub trait PermissionClasses: Send + Sync + 'static {
    /// True when the list is the settings' default (the view gave none).
    const FROM_SETTINGS: bool = false;
    /// The list in force under settings `S`.
    type For<S: Settings>: PermissionList;
}

impl PermissionClasses for FromSettings {
    const FROM_SETTINGS: bool = true;
    type For<S: Settings> = S::Permission;
}

impl<P: PermissionList> PermissionClasses for Explicit<P> {
    type For<S: Settings> = P;
}

/// Resolves a view's throttles against the settings.
pub trait ThrottleClasses: Send + Sync + 'static {
    /// True when the list is the settings' default (the view gave none).
    const FROM_SETTINGS: bool = false;
    /// The list in force under settings `S`.
    type For<S: Settings>: ThrottleList;
}

impl ThrottleClasses for FromSettings {
    const FROM_SETTINGS: bool = true;
    type For<S: Settings> = S::Throttle;
}

impl<T: ThrottleList> ThrottleClasses for Explicit<T> {
    type For<S: Settings> = T;
}

/// Resolves a view's renderers against the settings.
pub trait RendererClasses: Send + Sync + 'static {
    /// True when the list is the settings' default (the view gave none).
    const FROM_SETTINGS: bool = false;
    /// The list in force under settings `S`.
    type For<S: Settings>: RendererList;
}

impl RendererClasses for FromSettings {
    const FROM_SETTINGS: bool = true;
    type For<S: Settings> = S::Renderer;
}

impl<R: RendererList> RendererClasses for Explicit<R> {
    type For<S: Settings> = R;
}

/// The renderer list of view `V` under settings `S`.
pub type Renderers<V, S> = <<V as View>::Renderer as RendererClasses>::For<S>;
/// The throttle list of view `V` under settings `S`.
pub type Throttles<V, S> = <<V as View>::Throttle as ThrottleClasses>::For<S>;
/// The scheme list of view `V` under settings `S`.
pub(crate) type Schemes<V, S> = <<V as View>::Authentication as AuthenticationClasses>::For<S>;
/// The permission list of view `V` under settings `S`.
pub(crate) type Perms<V, S> = <<V as View>::Permission as PermissionClasses>::For<S>;

/// The methods a view answers: its own, then OPTIONS (unless it lists it).
pub(crate) fn allowed_methods(methods: &[Method]) -> Vec<&str> {
    let options = (!methods.contains(&Method::OPTIONS)).then_some(&Method::OPTIONS);
    methods.iter().chain(options).map(Method::as_str).collect()
}

/// The `Allow` header of a view: its methods, then OPTIONS.
pub fn allow_header(methods: &[Method]) -> HeaderValue {
    HeaderValue::from_str(&allowed_methods(methods).join(", "))
        .unwrap_or_else(|_| HeaderValue::from_static("OPTIONS"))
}

/// Runs a request through view `V` under settings `S`. Never fails: every error becomes DRF's
/// answer, and a panic anywhere in the view becomes a 500.
pub async fn dispatch<V: View, S: Settings>(req: Request, allow: HeaderValue) -> Response {
    let mut chosen = Chosen::default();
    let outcome = AssertUnwindSafe(run::<V, S>(&req, &mut chosen))
        .catch_unwind()
        .await;
    // Django's own 400 page is answered outside DRF's response handling: no `Allow`.
    let mut drf_answer = true;
    let mut resp = match outcome {
        Ok(Ok(resp)) => resp,
        Ok(Err(err)) => {
            drf_answer = !matches!(err, ApiError::BadRequest(_));
            let header = match err {
                ApiError::NotAuthenticated | ApiError::AuthenticationFailed(_) => {
                    <Schemes<V, S>>::authenticate_header(&req)
                }
                _ => None,
            };
            err.into_response_with(header)
        }
        Err(panic) => panic_answer(&req, &*panic),
    };
    if let Some(n) = chosen.indent {
        reindent(&mut resp, n);
    }
    if drf_answer {
        let headers = resp.headers_mut();
        headers.insert(header::ALLOW, allow);
        // DRF's `default_response_headers`: a view with several renderers varies on `Accept`
        // (added to a `Vary` the handler set, as `patch_vary_headers`).
        if <Renderers<V, S>>::LEN > 1 {
            add_vary(headers, "Accept");
        }
        let keeps_json = <Renderers<V, S>>::INFO
            .get(chosen.index)
            .is_none_or(|r| r.keeps_json);
        if !keeps_json {
            // Boxed: the browsable page's future is large, and most answers are JSON.
            resp = Box::pin(render::<V, S>(&req, chosen.index, resp)).await;
        }
    }
    let varies_on_cookie = match crate::sessions::finish_response(&req, &mut resp) {
        Some(with_cookies) => with_cookies.await,
        None => req.session_accessed(),
    };
    if varies_on_cookie {
        add_vary(resp.headers_mut(), "Cookie");
    }
    resp
}

/// Django's `patch_vary_headers`: `value` added to the `Vary` header's list, unless it is
/// already there (compared ignoring case).
fn add_vary(headers: &mut http::HeaderMap, value: &'static str) {
    let old = headers
        .get(header::VARY)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty());
    let joined = match old {
        Some(old) if old.split(',').any(|v| v.trim().eq_ignore_ascii_case(value)) => return,
        Some(old) => HeaderValue::from_str(&format!("{old}, {value}")).ok(),
        None => None,
    };
    headers.insert(
        header::VARY,
        joined.unwrap_or(HeaderValue::from_static(value)),
    );
}

fn panic_answer(req: &Request, panic: &(dyn std::any::Any + Send)) -> Response {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned());
    tracing::error!(path = %req.path(), panic = %msg, "handler panicked");
    ApiError::Internal(msg).into_response_with(None)
}

/// The answer through renderer `index` of the view's list (not the JSON renderer, which
/// keeps it as it is). A renderer that panics answers the 500.
async fn render<V: View, S: Settings>(req: &Request, index: usize, answer: Response) -> Response {
    let cx = Rendering {
        request: req,
        name: V::NAME,
        description: V::DESCRIPTION,
        methods: V::METHODS,
        renderers: <Renderers<V, S>>::INFO,
        may_send: may_send::<Perms<V, S>>,
        openapi: V::openapi,
    };
    let rendered = AssertUnwindSafe(<Renderers<V, S>>::render(index, &cx, answer))
        .catch_unwind()
        .await;
    rendered.unwrap_or_else(|panic| panic_answer(req, &*panic))
}

/// DRF's `show_form_for_method`: do the view's permissions admit the caller for `method`?
fn may_send<P: PermissionList>(req: &Request, method: Method) -> BoxFuture<'_, bool> {
    Box::pin(async move { P::check(&req.with_method(method)).await.is_ok() })
}

async fn run<V: View, S: Settings>(
    req: &Request,
    chosen: &mut Chosen,
) -> Result<Response, ApiError> {
    req.set_parses(V::PARSES);
    req.set_renders(<Renderers<V, S>>::INFO);
    *chosen = negotiation::select(req.headers(), req.uri().query(), <Renderers<V, S>>::INFO)?;

    let identity = match req.forced_identity() {
        Some(forced) => forced.clone(),
        None => match <Schemes<V, S>>::authenticate(req).await? {
            Some((user, auth)) => Identity {
                user,
                auth,
                authenticated_by_scheme: true,
            },
            None => Identity {
                user: S::unauthenticated_user(),
                auth: S::unauthenticated_token(),
                authenticated_by_scheme: false,
            },
        },
    };
    req.set_identity(identity);

    if let Err(message) = <Perms<V, S>>::check(req).await {
        return Err(permissions::denied(req, <Schemes<V, S>>::LEN > 0, message));
    }

    if <Throttles<V, S>>::LEN > 0 {
        let cx = ThrottleContext::new(req, V::THROTTLE_SCOPE, S::THROTTLE_RATES);
        <Throttles<V, S>>::check(&cx).await?;
    }

    if !V::METHODS.contains(req.method()) {
        if req.method() == Method::OPTIONS {
            return Ok(json_response(StatusCode::OK, &V::metadata(req)));
        }
        return Err(ApiError::MethodNotAllowed(req.method().as_str().to_owned()));
    }

    req.set_object_check(check_object::<Perms<V, S>, Schemes<V, S>>);
    // Only now, with the request accepted, is its body read.
    req.read_body().await?;
    let limit = req.app().config().handler_timeout;
    match crate::body::nonzero(limit) {
        None => V::handle(req.clone()).await,
        Some(limit) => match tokio::time::timeout(limit, V::handle(req.clone())).await {
            Ok(answer) => answer,
            Err(_) => {
                tracing::warn!(
                    method = %req.method(),
                    path = %req.path(),
                    limit = ?limit,
                    "the handler ran past HANDLER_TIMEOUT_SECS and was cancelled"
                );
                Err(ApiError::ServiceUnavailable(Cow::Borrowed(
                    "The request took too long to handle.",
                )))
            }
        },
    }
}

fn check_object<'a, P: PermissionList, L: AuthenticationList>(
    req: &'a Request,
    obj: Object<'a>,
) -> BoxFuture<'a, Result<(), ApiError>> {
    Box::pin(async move {
        P::check_object(req, obj)
            .await
            .map_err(|denial| permissions::denied(req, L::LEN > 0, denial))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_is_patched_as_django_patches_it() {
        let mut h = http::HeaderMap::new();
        add_vary(&mut h, "Accept");
        assert_eq!(h[header::VARY], "Accept");
        add_vary(&mut h, "Cookie");
        assert_eq!(h[header::VARY], "Accept, Cookie");
        add_vary(&mut h, "cookie");
        assert_eq!(h[header::VARY], "Accept, Cookie");
        let mut h = http::HeaderMap::new();
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        add_vary(&mut h, "Accept");
        assert_eq!(h[header::VARY], "Origin, Accept");
    }

    #[test]
    fn allow_lists_methods_then_options_once() {
        assert_eq!(
            allow_header(&[Method::GET, Method::POST]),
            "GET, POST, OPTIONS"
        );
        assert_eq!(
            allow_header(&[Method::OPTIONS, Method::GET]),
            "OPTIONS, GET"
        );
        assert_eq!(allow_header(&[]), "OPTIONS");
    }
}
