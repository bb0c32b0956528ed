//! Django's `ModelBackend.authenticate`: username and password against `auth_user`.

use super::limiter;
use crate::app::App;
use crate::error::ApiError;
use crate::request::Request;
use crate::user::User;

/// Checks a username and password as Django's `authenticate()` with the `ModelBackend` does.
///
/// - An unknown username runs the password hasher once anyway, so it costs the same time as a
///   wrong password and does not reveal which usernames exist.
/// - A correct password whose stored hash is outdated (another algorithm or iteration count) is
///   rehashed and saved, as Django's `check_password` does; this happens for inactive users too.
///   The new hash is written only over the one just verified, so that a password changed by
///   someone else in the meantime is not undone (Django's unconditional save would undo it).
/// - Inactive users are refused (`Ok(None)`), as `user_can_authenticate`.
///
/// Database failures are errors (a 503 when the database is unreachable), and so is a check
/// the hashers' queue refused ([`HashQueue`](crate::hashers::HashQueue): a 503 with
/// `Retry-After`).
///
/// Before any of this, the failed-login limiter looks at the client's failures
/// ([`LoginFailureRates`](crate::config::LoginFailureRates): `LOGIN_FAILURE_RATE` per client
/// and username, `LOGIN_FAILURE_RATE_PER_CLIENT` per client). A client over either limit is
/// answered DRF's throttle error (`429 {"detail": "Request was throttled. Expected available
/// in N seconds."}` with `Retry-After`) at once: no query, no hash. A failed login (wrong
/// password, unknown username, inactive user) is counted; a successful one clears the
/// client's count for that username; one that checked no password (a 503) is not counted.
/// The client is the address `TRUSTED_PROXIES` or `NUM_PROXIES` find, else the peer's: behind
/// a proxy, set one of them, or every client counts as the proxy.
///
/// Basic authentication, [`obtain_auth_token`](crate::views::obtain_auth_token) and your own
/// login views all come through here.
pub async fn authenticate_credentials(
    req: &Request,
    username: &str,
    password: &str,
) -> Result<Option<User>, ApiError> {
    let app = req.app();
    let rates = &app.config().login_failures;
    if rates.is_off() {
        return check_credentials(app, username, password).await;
    }
    let client = req.client();
    let attempt = match limiter::begin(app.throttle_store(), rates, &client, username).await {
        Ok(attempt) => attempt,
        Err(e) => {
            if let ApiError::Throttled { wait } = e {
                crate::audit::throttled(req, Some("login"), wait);
            }
            return Err(e);
        }
    };
    let checked = check_credentials(app, username, password).await;
    match &checked {
        Ok(Some(_)) => attempt.succeeded().await,
        Ok(None) => attempt.failed().await,
        // No password was checked (the hashers' queue was full, the database failed).
        Err(_) => {}
    }
    checked
}

/// [`authenticate_credentials`] without the failed-login limiter.
pub(crate) async fn check_credentials(
    app: &App,
    username: &str,
    password: &str,
) -> Result<Option<User>, ApiError> {
    let found = if username.contains('\0') {
        // PostgreSQL cannot store NUL; no user can have such a name.
        None
    } else {
        app.db().user_by_username(username).await?
    };
    let Some(mut user) = found else {
        app.passwords().burn(password.to_owned()).await?;
        return Ok(None);
    };
    let check = app
        .passwords()
        .check(password.to_owned(), user.password.clone())
        .await?;
    if !check.ok {
        return Ok(None);
    }
    if check.must_update {
        let encoded = app.passwords().make(password.to_owned()).await;
        if let Some(id) = user.id {
            // Only over the hash just verified: a password changed meanwhile stays changed.
            match app
                .db()
                .replace_password(id, &user.password, &encoded)
                .await
            {
                Ok(true) => user.password = encoded,
                Ok(false) => tracing::info!(
                    user_id = id,
                    "the password changed while its hash was upgraded; the new one is kept"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, user_id = id, "could not upgrade a password hash")
                }
            }
        }
    }
    Ok(user.is_active.then_some(user))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_user, test_app};

    #[tokio::test]
    async fn unknown_username_costs_one_hash_like_a_wrong_password() {
        let app = test_app().await;
        create_user(&app, "alice", "pw").await;
        let jobs = || app.passwords().jobs();

        let before = jobs();
        assert!(
            check_credentials(&app, "nobody", "pw")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            jobs() - before,
            1,
            "an unknown username runs the hasher once"
        );

        let before = jobs();
        assert!(
            check_credentials(&app, "alice", "wrong")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(jobs() - before, 1, "a wrong password runs the hasher once");

        let before = jobs();
        assert!(
            check_credentials(&app, "alice", "pw")
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            jobs() - before,
            1,
            "a current hash is checked, not rewritten"
        );

        // A NUL in the username (no such user can exist) still costs a hash.
        let before = jobs();
        assert!(
            check_credentials(&app, "al\0ice", "pw")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(jobs() - before, 1);
    }

    #[tokio::test]
    async fn corrupt_stored_hashes_are_failed_logins() {
        let app = test_app().await;
        for (i, corrupt) in [
            "",
            "garbage",
            "pbkdf2_sha256$x",
            "argon2$argon2id$v=19$m=1",
            "unknown$1$2",
        ]
        .iter()
        .enumerate()
        {
            let name = format!("user{i}");
            let user = create_user(&app, &name, "pw").await;
            app.db()
                .set_password(user.id.unwrap(), corrupt)
                .await
                .unwrap();
            let before = app.passwords().jobs();
            assert!(
                check_credentials(&app, &name, "pw")
                    .await
                    .unwrap()
                    .is_none(),
                "{corrupt:?}"
            );
            assert_eq!(app.passwords().jobs() - before, 1);
        }
    }
}
