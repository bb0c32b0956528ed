//! Django's `ModelBackend.authenticate`: username and password against `auth_user`.

use crate::app::App;
use crate::error::ApiError;
use crate::user::User;

/// Checks a username and password as Django's `authenticate()` with the `ModelBackend` does.
///
/// - An unknown username runs the password hasher once anyway, so it costs the same time as a
///   wrong password and does not reveal which usernames exist.
/// - A correct password whose stored hash is outdated (another algorithm or iteration count) is
///   rehashed and saved, as Django's `check_password` does; this happens for inactive users too.
/// - Inactive users are refused (`Ok(None)`), as `user_can_authenticate`.
///
/// Database failures are errors (a 503 when the database is unreachable).
pub async fn authenticate_credentials(
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
        app.passwords().burn(password.to_owned()).await;
        return Ok(None);
    };
    let check = app
        .passwords()
        .check(password.to_owned(), user.password.clone())
        .await;
    if !check.ok {
        return Ok(None);
    }
    if check.must_update {
        let encoded = app.passwords().make(password.to_owned()).await;
        if let Some(id) = user.id {
            match app.db().set_password(id, &encoded).await {
                Ok(()) => user.password = encoded,
                Err(e) => {
                    tracing::warn!(error = %e, user_id = id, "could not upgrade a password hash")
                }
            }
        }
    }
    Ok(user.is_active.then_some(user))
}
