//! Django's `clearsessions`: deletes expired rows of `django_session`.

use super::Outcome;
use crate::app::App;
use crate::db::now;

/// Deletes the sessions whose `expire_date` has passed. Prints nothing, as Django; the count
/// is logged at debug level.
pub(crate) async fn clearsessions(app: &App, verbosity: u8) -> Outcome {
    let deleted = app.db().clear_expired_sessions(now()).await?;
    if verbosity >= 2 {
        tracing::info!(deleted, "expired sessions deleted");
    } else {
        tracing::debug!(deleted, "expired sessions deleted");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::process::ExitCode;

    use chrono::Duration;

    use crate::db::{Db, now};
    use crate::management::{CommandIo, execute_from};
    use crate::router::Router;
    use crate::settings::DefaultSettings;

    #[tokio::test]
    async fn deletes_expired_sessions_only() {
        let dir = std::env::temp_dir().join(format!("drf-clearsessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("db.sqlite3").display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let t = now();
        db.session_insert(
            "expired0000000000000000000000000",
            "d",
            t - Duration::seconds(5),
        )
        .await
        .unwrap();
        db.session_insert(
            "live00000000000000000000000000000",
            "d",
            t + Duration::hours(1),
        )
        .await
        .unwrap();
        let (io, out) = CommandIo::memory("")
            .env("DATABASE_URL", &url)
            .env("SECRET_KEY", "k")
            .build();
        let args = ["manage", "clearsessions"].map(String::from);
        let code = execute_from(Router::<DefaultSettings>::new(), args, io).await;
        assert_eq!(code, ExitCode::SUCCESS, "{}", out.stderr());
        assert_eq!(out.stdout(), "", "Django's clearsessions prints nothing");
        assert!(
            !db.session_exists("expired0000000000000000000000000")
                .await
                .unwrap()
        );
        assert!(
            db.session_exists("live00000000000000000000000000000")
                .await
                .unwrap()
        );
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
