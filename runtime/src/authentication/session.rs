//! Session authentication (DRF's `SessionAuthentication`).

use super::{AuthResult, Authenticate};
use crate::config::Config;
use crate::openapi::SecurityScheme;
use crate::request::Request;
use crate::sessions::{enforce_csrf, get_user};
use crate::user::Auth;

/// Django's session cookie (`sessionid`, from `SESSION_COOKIE_NAME`), as DRF's
/// `SessionAuthentication`.
///
/// - The user is Django's `get_user(request)`: the session's `_auth_user_id`, with a backend
///   listed in `AUTHENTICATION_BACKENDS` and a session auth hash that matches the password
///   (see [`crate::sessions`]). No session, an anonymous one, or an inactive or deleted user:
///   the scheme steps aside (the next scheme runs; none left, the caller is anonymous).
/// - An authenticated user's unsafe requests (not GET, HEAD, OPTIONS, TRACE) must pass Django's
///   CSRF checks: `403 {"detail": "CSRF Failed: …"}` otherwise, with Django's reasons (cookie
///   not set, token missing, incorrect, incorrect length, invalid characters, Origin and
///   HTTPS Referer checking).
/// - It has no authenticate header: a view whose first scheme is `Session` answers
///   authentication failures with 403.
/// - The response varies on `Cookie`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Session;

impl Authenticate for Session {
    const NAME: &'static str = "Session";

    fn security_scheme(config: &Config) -> SecurityScheme {
        let csrf = &config.csrf;
        let header = csrf
            .header_name
            .strip_prefix("HTTP_")
            .unwrap_or(&csrf.header_name);
        let header = if header.eq_ignore_ascii_case("X_CSRFTOKEN") {
            "X-CSRFToken".to_owned()
        } else {
            header.replace('_', "-")
        };
        SecurityScheme {
            key: "cookieAuth".into(),
            scheme: serde_json::json!({
                "type": "apiKey",
                "in": "cookie",
                "name": config.session.cookie_name,
                "description": format!(
                    "Django's session cookie. Unsafe methods (POST, PUT, PATCH, DELETE) also need the `{}` cookie's value in the `{header}` header.",
                    csrf.cookie_name
                ),
            }),
        }
    }

    async fn authenticate(req: &Request) -> AuthResult {
        req.mark_session_accessed();
        let Some(user) = get_user(req).await? else {
            return Ok(None);
        };
        if !user.is_active {
            return Ok(None);
        }
        if req.method() == http::Method::POST {
            // The CSRF check may look for `csrfmiddlewaretoken` in a form body.
            req.read_body().await?;
        }
        enforce_csrf(req)?;
        Ok(Some((user, Auth::None)))
    }
}
