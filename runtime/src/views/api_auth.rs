//! The browsable API's login and logout pages (DRF's `rest_framework.urls`, Django's
//! `LoginView` and `LogoutView`): routed by [`Router::include_api_auth`](crate::Router::include_api_auth)
//! at `/api-auth/login/` and `/api-auth/logout/`.

use http::{HeaderValue, Method, StatusCode, header};
use minijinja::context;
use serde_json::Value;

use crate::authentication::{Session, authenticate_credentials};
use crate::error::ApiError;
use crate::renderers::BrowsableAPIRenderer;
use crate::renderers::browsable::{Chrome, html_response, render_template};
use crate::request::Request;
use crate::response::Response;
use crate::view::{Explicit, View};

/// Where the login view is routed.
pub const LOGIN_PATH: &str = "/api-auth/login/";
/// Where the logout view is routed.
pub const LOGOUT_PATH: &str = "/api-auth/logout/";

/// Django's `AuthenticationForm` message for bad credentials (an inactive user included,
/// as Django's `ModelBackend` refuses them alike).
const INVALID_LOGIN: &str =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";
const REQUIRED: &str = "This field is required.";

const PARSES: [&str; 2] = ["application/x-www-form-urlencoded", "multipart/form-data"];

/// `next` if it is a local path (`/notes/`), the way Django's `url_has_allowed_host_and_scheme`
/// refuses another host or scheme: no `//host`, no `/\host`, no control characters.
pub(crate) fn local_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    local.then_some(next)
}

/// The `next` of the request: the form's, else the query's.
fn next_of(req: &Request) -> String {
    let from_form = req
        .data()
        .ok()
        .and_then(|d| d.get("next"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    from_form
        .or_else(|| req.query_param("next"))
        .unwrap_or_default()
}

fn redirect(to: &str) -> Result<Response, ApiError> {
    let mut r = http::Response::new(bytes::Bytes::new());
    *r.status_mut() = StatusCode::FOUND;
    let location =
        HeaderValue::from_str(to).map_err(|_| ApiError::Internal("bad redirect".into()))?;
    r.headers_mut().insert(header::LOCATION, location);
    Ok(r)
}

/// Where a login or logout goes on to: `next` when it is local, else the API's root.
fn destination(req: &Request, next: &str) -> String {
    match local_next(next) {
        Some(n) => n.to_owned(),
        None => format!("{}/", req.script_name()),
    }
}

fn login_page(req: &Request, status: StatusCode, username: &str, errors: &[&str]) -> Response {
    let user = req.user();
    let chrome = Chrome::new(req, user.is_authenticated().then_some(&*user.username));
    let page = render_template(
        "login.html",
        context! {
            chrome => chrome,
            action => format!("{}{}", req.script_name(), req.path()),
            next => next_of(req),
            username => username,
            errors => errors,
        },
    );
    html_response(status, page, &http::HeaderMap::new())
}

/// The view type of the login page: GET shows the form, POST checks the CSRF token, then the
/// credentials (through the failed-login limiter and the hashing queue, as every login), logs
/// the user in by session and redirects to `next` (a local path only).
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginView;

impl View for LoginView {
    const NAME: &'static str = "Log in";
    const DESCRIPTION: &'static str = "Log in to the browsable API with a session.";
    const METHODS: &'static [Method] = &[Method::GET, Method::POST];
    const PARSES: &'static [&'static str] = &PARSES;
    const IN_SCHEMA: bool = false;
    type Authentication = Explicit<(Session,)>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(BrowsableAPIRenderer,)>;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        if req.method() == Method::GET {
            return Ok(login_page(&req, StatusCode::OK, "", &[]));
        }
        // Django's LoginView is `csrf_protect`ed: a forged login is refused before anything.
        crate::sessions::check_csrf(&req).await?;
        let field = |name: &str| {
            req.data()
                .ok()
                .and_then(|d| d.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_default()
        };
        let (username, password) = (field("username"), field("password"));
        if username.trim().is_empty() || password.is_empty() {
            return Ok(login_page(
                &req,
                StatusCode::OK,
                username.trim(),
                &[REQUIRED],
            ));
        }
        let username = username.trim();
        let Some(user) = authenticate_credentials(&req, username, &password).await? else {
            return Ok(login_page(&req, StatusCode::OK, username, &[INVALID_LOGIN]));
        };
        crate::sessions::login(&req, &user).await?;
        redirect(&destination(&req, &next_of(&req)))
    }
}

/// The login page: routed by [`Router::include_api_auth`](crate::Router::include_api_auth).
pub const fn login() -> LoginView {
    LoginView
}

/// The view type of the logout action: POST only (as Django's `LogoutView` since 5.0), with
/// the CSRF token; ends the session and redirects to `next` (a local path only).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogoutView;

impl View for LogoutView {
    const NAME: &'static str = "Log out";
    const DESCRIPTION: &'static str = "End the browsable API's session.";
    const METHODS: &'static [Method] = &[Method::POST];
    const PARSES: &'static [&'static str] = &PARSES;
    const IN_SCHEMA: bool = false;
    type Authentication = Explicit<(Session,)>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(BrowsableAPIRenderer,)>;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        crate::sessions::check_csrf(&req).await?;
        crate::sessions::logout(&req).await?;
        redirect(&destination(&req, &next_of(&req)))
    }
}

/// The logout action: routed by [`Router::include_api_auth`](crate::Router::include_api_auth).
pub const fn logout() -> LogoutView {
    LogoutView
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(local_next("/notes/?format=api"), Some("/notes/?format=api"));
        for bad in [
            "",
            "notes/",
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "/a\nb",
            "/a\\b",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_next(bad), None, "{bad:?}");
        }
    }
}
