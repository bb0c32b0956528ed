//! Reads and writes of `django_session` (Django's database session backend, docs/django-compat.md §4.1).
//!
//! `expire_date` is written as Django writes it (naive UTC text on SQLite, `timestamptz` on
//! PostgreSQL), so Django's `expire_date > now` lookups and `clearsessions` work on our rows and
//! ours on Django's.

use chrono::{DateTime, Utc};

use super::types::DjangoDateTime;
use super::{Db, DbError, with_pool};

const LOAD: &str = r#"SELECT "session_data" FROM "django_session" WHERE "session_key" = $1 AND "expire_date" > $2"#;
const EXISTS: &str = r#"SELECT 1 FROM "django_session" WHERE "session_key" = $1 LIMIT 1"#;
const INSERT: &str = r#"INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES ($1, $2, $3) ON CONFLICT ("session_key") DO NOTHING"#;
const UPDATE: &str = r#"UPDATE "django_session" SET "session_data" = $2, "expire_date" = $3 WHERE "session_key" = $1"#;
const DELETE: &str = r#"DELETE FROM "django_session" WHERE "session_key" = $1"#;
const CLEAR_EXPIRED: &str = r#"DELETE FROM "django_session" WHERE "expire_date" < $1"#;

impl Db {
    /// The `session_data` of a session that has not expired at `now` (Django's
    /// `Session.objects.get(session_key=…, expire_date__gt=now)`).
    pub async fn session_data(
        &self,
        session_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, DbError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar(LOAD)
                .bind(session_key)
                .bind(DjangoDateTime(now))
                .fetch_optional(pool)
                .await
        })?)
    }

    /// True when a row with this key exists, expired or not (Django's `exists()`).
    pub async fn session_exists(&self, session_key: &str) -> Result<bool, DbError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query(EXISTS)
                .bind(session_key)
                .fetch_optional(pool)
                .await?
                .is_some()
        }))
    }

    /// Inserts a new session row; `false` when the key is taken (Django's `CreateError`).
    pub async fn session_insert(
        &self,
        session_key: &str,
        session_data: &str,
        expire_date: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        self.write_session(INSERT, session_key, session_data, expire_date)
            .await
    }

    /// Rewrites an existing session row; `false` when it no longer exists (Django's
    /// `UpdateError`: another request deleted it).
    pub async fn session_update(
        &self,
        session_key: &str,
        session_data: &str,
        expire_date: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        self.write_session(UPDATE, session_key, session_data, expire_date)
            .await
    }

    /// Runs an insert or update of `(session_key, session_data, expire_date)`; `true` when a
    /// row was written.
    async fn write_session(
        &self,
        sql: &str,
        session_key: &str,
        session_data: &str,
        expire_date: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        let n = with_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(session_key)
                .bind(session_data)
                .bind(DjangoDateTime(expire_date))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Deletes a session row (a missing row is not an error).
    pub async fn session_delete(&self, session_key: &str) -> Result<(), DbError> {
        with_pool!(self, |pool| {
            sqlx::query(DELETE)
                .bind(session_key)
                .execute(pool)
                .await
                .map(drop)
        })?;
        Ok(())
    }

    /// Deletes the sessions that expired before `now` (Django's `clearsessions`); returns how
    /// many rows went.
    pub async fn clear_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, DbError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query(CLEAR_EXPIRED)
                .bind(DjangoDateTime(now))
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::db::datetime::format_django_datetime;
    use crate::db::{Pool, now};

    async fn db() -> Db {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        db.migrate().await.unwrap();
        db
    }

    #[tokio::test]
    async fn insert_load_update_delete() {
        check_round_trip(&db().await).await;
    }

    /// The same on PostgreSQL, in a fresh database made from `DRF_TEST_POSTGRES_URL`.
    #[cfg_attr(
        not(drf_test_postgres),
        ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
    )]
    #[tokio::test]
    async fn postgres_round_trip() {
        use std::str::FromStr as _;

        use sqlx::Connection as _;
        use sqlx::postgres::{PgConnectOptions, PgConnection};

        let url = crate::testing::postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
        let admin = PgConnectOptions::from_str(&url).expect("DRF_TEST_POSTGRES_URL");
        let name = format!(
            "drf_test_sessions_{}",
            crate::hashers::random_string(10, "abcdefghijklmnopqrstuvwxyz")
        );
        let mut conn = PgConnection::connect_with(&admin).await.expect("connect");
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE");
        let db = Db::connect_postgres(
            admin.clone().database(&name),
            std::time::Duration::from_secs(10),
        )
        .await
        .expect("connect to the test database");
        db.migrate().await.expect("migrate");
        check_round_trip(&db).await;
        let t = now();
        db.session_insert("old", "d", t - Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(db.clear_expired_sessions(t).await.unwrap(), 1);
        db.close().await;
        let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }

    async fn check_round_trip(db: &Db) {
        let t = now();
        assert!(
            db.session_insert("k1", "data1", t + Duration::hours(1))
                .await
                .unwrap()
        );
        assert!(
            !db.session_insert("k1", "other", t + Duration::hours(1))
                .await
                .unwrap()
        );
        assert_eq!(
            db.session_data("k1", t).await.unwrap().as_deref(),
            Some("data1")
        );
        assert!(db.session_exists("k1").await.unwrap());
        assert!(
            db.session_update("k1", "data2", t + Duration::hours(2))
                .await
                .unwrap()
        );
        assert_eq!(
            db.session_data("k1", t).await.unwrap().as_deref(),
            Some("data2")
        );
        // Not returned once expired, but still there.
        assert_eq!(
            db.session_data("k1", t + Duration::hours(3)).await.unwrap(),
            None
        );
        assert!(db.session_exists("k1").await.unwrap());
        db.session_delete("k1").await.unwrap();
        db.session_delete("k1").await.unwrap();
        assert!(!db.session_exists("k1").await.unwrap());
        assert!(!db.session_update("k1", "x", t).await.unwrap());
    }

    #[tokio::test]
    async fn clear_expired_deletes_only_expired_rows() {
        let db = db().await;
        let t = now();
        db.session_insert("old", "d", t - Duration::seconds(1))
            .await
            .unwrap();
        db.session_insert("new", "d", t + Duration::seconds(60))
            .await
            .unwrap();
        assert_eq!(db.clear_expired_sessions(t).await.unwrap(), 1);
        assert!(!db.session_exists("old").await.unwrap());
        assert!(db.session_exists("new").await.unwrap());
        // The SQLite text is Django's format.
        let Pool::Sqlite(p) = &db.pool else {
            unreachable!()
        };
        let text: String = sqlx::query_scalar(
            r#"SELECT "expire_date" FROM "django_session" WHERE "session_key" = 'new'"#,
        )
        .fetch_one(p)
        .await
        .unwrap();
        assert_eq!(
            text,
            format_django_datetime((t + Duration::seconds(60)).naive_utc())
        );
    }
}
