//! Django sessions and CSRF, shared with a Django project (docs/django-compat.md §4, §5).
//!
//! - Sessions are rows of `django_session` in Django's signed format (salted HMAC-SHA256,
//!   base62 timestamp, zlib when it helps): a session Django created is read here and one
//!   created here is read by Django, given the same `SECRET_KEY`. Keys are 32 characters of
//!   `a-z0-9` from the OS CSPRNG; a cookie shorter than 8 characters is no session; a missing,
//!   expired (`expire_date`) or forged row is an empty session.
//! - [`login`] and [`logout`] are Django's: a handler calls them, and the response carries the
//!   `csrftoken` and `sessionid` cookies with Django's attributes and settings
//!   ([`SessionSettings`], [`CsrfSettings`], read from the environment by
//!   [`Config::from_env`](crate::Config::from_env)).
//! - The `Session` scheme ([`crate::authentication::Session`]) reads the user with
//!   [`get_user`], verifies the session auth hash (a password change logs the user out
//!   everywhere; `SECRET_KEY_FALLBACKS` keep sessions valid across a key rotation), and
//!   enforces CSRF on unsafe methods with DRF's exact messages.
//!
//! ```
//! # mod settings { drf::settings! {} }
//! # use drf::prelude::*;
//! # use drf::{api_view, authentication_classes};
//! # use drf::authentication::authenticate_credentials;
//! # use serde_json::Value;
//! #[api_view(POST)]
//! #[authentication_classes()]
//! async fn session_login(request: Request) -> Result<Json<Value>, ApiError> {
//!     let data = request.data()?;
//!     let field = |name: &str| data[name].as_str().unwrap_or_default().to_owned();
//!     let (username, password) = (field("username"), field("password"));
//!     let user = authenticate_credentials(&request, &username, &password).await?
//!         .ok_or_else(|| ApiError::validation(json!({"non_field_errors": ["…"]})))?;
//!     drf::sessions::login(&request, &user).await?;
//!     Ok(Json(json!({"username": user.username})))
//! }
//! # fn main() {}
//! ```
//!
//! Not supported: `CSRF_USE_SESSIONS`, `SESSION_SAVE_EVERY_REQUEST`, other session engines
//! and serializers (the database backend with JSON is Django's default).

mod auth;
mod cookies;
mod csrf;
mod store;
#[cfg(test)]
mod tests;

use std::sync::atomic::Ordering;

use http::header::{HeaderValue, SET_COOKIE};

pub use crate::config::{CsrfSettings, MODEL_BACKEND, SameSite, SessionSettings};
pub use auth::{
    BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user, login, logout, session_auth_hash,
};
pub use cookies::{SetCookie, http_date, parse_cookie};
pub(crate) use csrf::enforce_csrf;

/// Django's CSRF check (`CsrfViewMiddleware`) on this request, whoever is calling: for views
/// that must refuse a forged request even from an anonymous caller, as Django's `LoginView`
/// does (a login CSRF would log the victim into the attacker's account). The Session scheme
/// checks CSRF only for the users it authenticates, as DRF's does; call this first in a login
/// view, before reading the body.
///
/// Safe methods pass. Otherwise the `Origin` (or, over HTTPS, the `Referer`) must be trusted
/// and the `csrftoken` cookie must match the token sent in the `X-CSRFToken` header or the
/// `csrfmiddlewaretoken` form field.
///
/// # Errors
///
/// `403 {"detail": "CSRF Failed: <reason>"}` with Django's reasons (`CSRF cookie not set.`,
/// `CSRF token missing.`, …), or DRF's parse error for a form body that does not parse.
pub async fn check_csrf(req: &crate::request::Request) -> Result<(), crate::error::ApiError> {
    if req.method() == http::Method::POST {
        req.read_body().await?;
    }
    enforce_csrf(req)
}
pub use csrf::{
    CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH, check_token_format,
    does_token_match, get_token, mask_cipher_secret, mask_cipher_secret_with, new_secret,
    rotate_token, unmask_cipher_token,
};
pub(crate) use store::SessionState;

pub use store::{SESSION_SALT, SessionExpiry, SessionStore, VALID_KEY_CHARS};

use crate::db::now;
use crate::error::ApiError;
use crate::request::{BoxFuture, Request};
use crate::response::Response;

/// What Django's `CsrfViewMiddleware` and `SessionMiddleware` do to the response: the
/// `csrftoken` cookie when the secret is new or was used, then the session: saved (unless the
/// answer is a 5xx) with its cookie when modified, or its cookie deleted when the request
/// carried one and the session is empty; `Vary: Cookie` when the session was read.
///
/// Returns that work, whose output is true when the response varies on `Cookie` (the session
/// was read); `None` when there is none to do: a request with no cookie whose view never
/// touched the session (every API request without a browser), whose answer then varies on
/// `Cookie` only if the view read the session ([`Request::session_accessed`]). The work is
/// boxed, so that every view's dispatch future stays small.
pub(crate) fn finish_response<'a>(
    req: &'a Request,
    resp: &'a mut Response,
) -> Option<BoxFuture<'a, bool>> {
    let touched = req
        .local_if_set::<SessionState>()
        .is_some_and(SessionState::is_touched);
    if !touched && !req.headers().contains_key(http::header::COOKIE) {
        return None;
    }
    Some(Box::pin(finish_with_cookies(req, resp)))
}

async fn finish_with_cookies(req: &Request, resp: &mut Response) -> bool {
    let state = state(req);
    let app = req.app();
    let cfg = app.config();
    let mut cookies = Vec::new();
    let mut vary = false;

    if let Some(secret) = {
        let csrf = state.csrf.lock().unwrap_or_else(|p| p.into_inner());
        csrf.needs_update.then(|| csrf.secret.clone()).flatten()
    } {
        cookies.push(csrf::csrf_cookie(cfg, &secret));
        vary = true;
    }

    let s = &cfg.session;
    let had_cookie = state.cookie(req, &s.cookie_name).is_some();
    let mut st = SessionStore::new(req).lock().await;
    let empty = st.is_empty();
    if had_cookie && empty {
        cookies.push(SetCookie::delete(
            &s.cookie_name,
            &s.cookie_path,
            s.cookie_domain.as_deref(),
            s.cookie_samesite.map(SameSite::as_str),
        ));
        vary = true;
    } else {
        vary |= st.accessed;
        if st.modified && !empty {
            let data = st.cache.clone().unwrap_or_default();
            let max_age = (!store::expire_at_browser_close(&data, s.expire_at_browser_close))
                .then(|| store::expiry_age(&data, now(), s.cookie_age));
            if resp.status().as_u16() < 500 {
                match st.save(app).await {
                    Ok(()) => {
                        let key = st.key.clone().unwrap_or_default();
                        let mut c = SetCookie::new(&s.cookie_name, &key, max_age);
                        c.path = Some(s.cookie_path.clone());
                        c.domain = s.cookie_domain.clone();
                        c.secure = s.cookie_secure;
                        c.httponly = s.cookie_httponly;
                        c.samesite = s.cookie_samesite.map(|s| s.as_str().to_owned());
                        cookies.push(c);
                        vary = true;
                    }
                    Err(e) => {
                        *resp = ApiError::from(e).into_response_with(None);
                    }
                }
            }
        }
    }
    drop(st);

    let headers = resp.headers_mut();
    for c in cookies {
        match HeaderValue::from_str(&c.to_header_string()) {
            Ok(v) => {
                headers.append(SET_COOKIE, v);
            }
            Err(_) => tracing::warn!(cookie = %c.name, "cookie not representable in a header"),
        }
    }
    if vary {
        req.mark_session_accessed();
    }
    req.session_accessed()
}

/// The session and CSRF state of `req`, created on first use.
pub(crate) fn state(req: &Request) -> &SessionState {
    req.local::<SessionState>()
}

/// The session middleware's side of the request.
impl Request {
    /// The Django session of this request (`request.session`), loaded on first use and saved
    /// when the response leaves. See [`crate::sessions`].
    pub fn session(&self) -> SessionStore<'_> {
        SessionStore::new(self)
    }

    /// Records that the session was read, so the response varies on `Cookie` (Django's
    /// session middleware adds `Vary: Cookie` then).
    pub fn mark_session_accessed(&self) {
        state(self).accessed.store(true, Ordering::Relaxed);
    }

    /// True when the session was read while answering this request.
    pub fn session_accessed(&self) -> bool {
        self.local_if_set::<SessionState>()
            .is_some_and(|s| s.accessed.load(Ordering::Relaxed))
    }
}
