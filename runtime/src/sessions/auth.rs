//! `django.contrib.auth`'s session functions: the session auth hash, `get_user`, `login` and
//! `logout` (docs/django-compat.md §4.2, §4.3).

use serde_json::Value;

use super::csrf::rotate_token;
use crate::error::ApiError;
use crate::request::Request;
use crate::signing::{Algorithm, constant_time_eq, salted_hmac, to_hex};
use crate::user::User;

/// `SESSION_KEY`: the user's primary key, as a string.
pub const SESSION_KEY: &str = "_auth_user_id";
/// `BACKEND_SESSION_KEY`: the dotted path of the backend that authenticated the user.
pub const BACKEND_SESSION_KEY: &str = "_auth_user_backend";
/// `HASH_SESSION_KEY`: the session auth hash at login.
pub const HASH_SESSION_KEY: &str = "_auth_user_hash";

const HASH_SALT: &str = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash";

/// Backends whose `get_user` returns inactive users too (the others refuse them).
const ALLOW_INACTIVE_BACKENDS: [&str; 2] = [
    "django.contrib.auth.backends.AllowAllUsersModelBackend",
    "django.contrib.auth.backends.AllowAllUsersRemoteUserBackend",
];

/// `AbstractBaseUser.get_session_auth_hash()` under `secret`: the hex HMAC-SHA256 of the
/// encoded password, so that changing the password logs the user out everywhere.
///
/// ```
/// use drf_runtime::sessions::session_auth_hash;
/// let pw = "pbkdf2_sha256$1500000$Z7yq2bT9cLwX4mN8pR1sVd$BR5z0Oo2OXyB1k/HYYUEb3rdlF04w+ms2tMU7qaro08=";
/// assert_eq!(
///     session_auth_hash(pw, "test-secret-key-for-vectors"),
///     "d623c2d35e0a1a54646b520e43626dd3531606a93aaf6df19c8e6d2a8945545b"
/// );
/// ```
pub fn session_auth_hash(password: &str, secret: &str) -> String {
    to_hex(&salted_hmac(
        HASH_SALT,
        password.as_bytes(),
        secret,
        Algorithm::Sha256,
    ))
}

/// The user id stored in a session, as `AutoField.to_python` reads it (`int(value)`); `None`
/// when it is not an integer (Django would fail with a 500).
fn stored_user_id(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let t = s.trim();
            let t = t.strip_prefix('+').unwrap_or(t);
            let digits: String = t.chars().filter(|&c| c != '_').collect();
            if t.starts_with('_') || t.ends_with('_') || t.contains("__") {
                return None;
            }
            digits.parse().ok()
        }
        _ => None,
    }
}

/// Django's `get_user(request)`: the session's user, or `None` (anonymous).
///
/// The backend must be listed in `AUTHENTICATION_BACKENDS`; the user must exist (and be
/// active, for the backends that refuse inactive users); the stored hash must match the
/// password's, under `SECRET_KEY` or one of `SECRET_KEY_FALLBACKS` (then the key is cycled and
/// the hash updated). A mismatch flushes the session.
pub async fn get_user(req: &Request) -> Result<Option<User>, ApiError> {
    let cfg = req.app().config();
    let session = req.session();
    let data = {
        let mut st = session.lock().await;
        let data = st.load(req.app()).await?;
        (
            data.get(SESSION_KEY).cloned(),
            data.get(BACKEND_SESSION_KEY).cloned(),
            data.get(HASH_SESSION_KEY).cloned(),
        )
    };
    let (Some(id), Some(backend)) = (data.0, data.1) else {
        return Ok(None);
    };
    let Some(backend) = backend
        .as_str()
        .filter(|b| cfg.authentication_backends.iter().any(|a| a == b))
    else {
        return Ok(None);
    };
    let Some(id) = stored_user_id(&id) else {
        tracing::warn!("session holds a user id that is not an integer");
        return Ok(None);
    };
    let Some(user) = req.app().db().user_by_id(id).await? else {
        return Ok(None);
    };
    if !user.is_active && !ALLOW_INACTIVE_BACKENDS.contains(&backend) {
        return Ok(None);
    }
    let stored = data.2.as_ref().and_then(Value::as_str).unwrap_or_default();
    let current = session_auth_hash(&user.password, &cfg.secret_key);
    if !stored.is_empty() && constant_time_eq(stored.as_bytes(), current.as_bytes()) {
        return Ok(Some(user));
    }
    let mut fallback_match = false;
    for secret in &cfg.secret_key_fallbacks {
        let old = session_auth_hash(&user.password, secret);
        fallback_match |= !stored.is_empty() && constant_time_eq(stored.as_bytes(), old.as_bytes());
    }
    if fallback_match {
        session.cycle_key().await?;
        session.insert(HASH_SESSION_KEY, current).await?;
        Ok(Some(user))
    } else {
        session.flush().await?;
        Ok(None)
    }
}

/// Django's `login(request, user)`: keeps the user logged in through the session.
///
/// As Django: a session of another user (or with another password hash) is flushed, any other
/// session gets a new key (against fixation) and keeps its data; the session stores
/// `_auth_user_id`, `_auth_user_backend` (the first of `AUTHENTICATION_BACKENDS`, `ModelBackend`
/// by default) and `_auth_user_hash`; the CSRF secret is rotated; `last_login` is updated. The
/// response then carries the `csrftoken` and `sessionid` cookies.
///
/// The request's own `user` does not change (the pipeline authenticated it before the handler
/// ran); the next request authenticates with the cookie.
pub async fn login(req: &Request, user: &User) -> Result<(), ApiError> {
    let cfg = req.app().config();
    let Some(user_id) = user.id else {
        return Err(ApiError::Internal(
            "login() of the anonymous user".to_owned(),
        ));
    };
    let hash = session_auth_hash(&user.password, &cfg.secret_key);
    let session = req.session();
    {
        let mut st = session.lock().await;
        let data = st.load(req.app()).await?;
        match data.get(SESSION_KEY) {
            Some(stored) => {
                let stored_hash = data
                    .get(HASH_SESSION_KEY)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if stored_user_id(stored) != Some(user_id)
                    || !constant_time_eq(stored_hash.as_bytes(), hash.as_bytes())
                {
                    st.flush(req.app()).await?;
                }
            }
            None => st.cycle_key(req.app()).await?,
        }
    }
    let backend = cfg
        .authentication_backends
        .first()
        .map_or(super::MODEL_BACKEND, String::as_str);
    session.insert(SESSION_KEY, user_id.to_string()).await?;
    session.insert(BACKEND_SESSION_KEY, backend).await?;
    session.insert(HASH_SESSION_KEY, hash).await?;
    rotate_token(req);
    req.app().db().update_last_login(user_id).await?;
    crate::audit::session(req, "login", Some(user_id));
    Ok(())
}

/// Django's `logout(request)`: flushes the session (its row is deleted and, if the request
/// carried the cookie, the response deletes it).
pub async fn logout(req: &Request) -> Result<(), ApiError> {
    req.session().flush().await?;
    crate::audit::session(req, "logout", req.user().id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn hash_vectors() {
        // docs/django-compat.md §4.3
        let pw = "pbkdf2_sha256$1500000$Z7yq2bT9cLwX4mN8pR1sVd$BR5z0Oo2OXyB1k/HYYUEb3rdlF04w+ms2tMU7qaro08=";
        assert_eq!(
            session_auth_hash(pw, "test-secret-key-for-vectors"),
            "d623c2d35e0a1a54646b520e43626dd3531606a93aaf6df19c8e6d2a8945545b"
        );
        assert_eq!(
            session_auth_hash(pw, "old-secret"),
            "aac587587c73664fb58c7f6a4dc059a5d02130983a21c09857f1a6e7b64e1928"
        );
    }

    #[test]
    fn user_ids_as_python_int() {
        assert_eq!(stored_user_id(&json!("2")), Some(2));
        assert_eq!(stored_user_id(&json!(" 2 ")), Some(2));
        assert_eq!(stored_user_id(&json!("+2")), Some(2));
        assert_eq!(stored_user_id(&json!("1_0")), Some(10));
        assert_eq!(stored_user_id(&json!(7)), Some(7));
        for bad in [
            json!("x"),
            json!(""),
            json!("_1"),
            json!("1__0"),
            json!(1.5),
            json!(null),
            json!([1]),
        ] {
            assert_eq!(stored_user_id(&bad), None, "{bad}");
        }
    }
}
