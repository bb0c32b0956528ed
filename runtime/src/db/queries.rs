//! Reads and writes of `auth_user` and `authtoken_token`, one statement per call where the
//! operation allows it, with explicit column lists (SQLite and PostgreSQL order columns
//! differently, §1.2/§1.3).

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgConnection, Row as _, SqliteConnection};

use super::datetime::{format_django_datetime, now, parse_django_datetime};
use super::{Db, DbError, Pool, is_unique_violation};
use crate::hashers::new_token_key;
use crate::user::{Token, User};

/// How many times a token insert is retried after a key collision or a concurrent insert.
const TOKEN_ATTEMPTS: usize = 5;

// ---- SQL ------------------------------------------------------------------------------------
//
// SQLite takes `?N` placeholders, PostgreSQL `$N`. The user columns are always selected in the
// order of `USER_COLUMNS` so one decoder per backend serves every query.

macro_rules! user_columns {
    ($t:literal) => {
        concat!(
            $t,
            ".\"id\", ",
            $t,
            ".\"password\", ",
            $t,
            ".\"last_login\", ",
            $t,
            ".\"is_superuser\", ",
            $t,
            ".\"username\", ",
            $t,
            ".\"first_name\", ",
            $t,
            ".\"last_name\", ",
            $t,
            ".\"email\", ",
            $t,
            ".\"is_staff\", ",
            $t,
            ".\"is_active\", ",
            $t,
            ".\"date_joined\""
        )
    };
}

const SQLITE_USER_BY_USERNAME: &str = concat!(
    "SELECT ",
    user_columns!("\"auth_user\""),
    " FROM \"auth_user\" WHERE \"auth_user\".\"username\" = ?1"
);
const PG_USER_BY_USERNAME: &str = concat!(
    "SELECT ",
    user_columns!("\"auth_user\""),
    " FROM \"auth_user\" WHERE \"auth_user\".\"username\" = $1"
);
const SQLITE_USER_BY_ID: &str = concat!(
    "SELECT ",
    user_columns!("\"auth_user\""),
    " FROM \"auth_user\" WHERE \"auth_user\".\"id\" = ?1"
);
const PG_USER_BY_ID: &str = concat!(
    "SELECT ",
    user_columns!("\"auth_user\""),
    " FROM \"auth_user\" WHERE \"auth_user\".\"id\" = $1"
);
const SQLITE_TOKEN_WITH_USER: &str = concat!(
    "SELECT \"authtoken_token\".\"key\", \"authtoken_token\".\"created\", \"authtoken_token\".\"user_id\", ",
    user_columns!("\"auth_user\""),
    " FROM \"authtoken_token\" INNER JOIN \"auth_user\" ON (\"authtoken_token\".\"user_id\" = \"auth_user\".\"id\")",
    " WHERE \"authtoken_token\".\"key\" = ?1"
);
const PG_TOKEN_WITH_USER: &str = concat!(
    "SELECT \"authtoken_token\".\"key\", \"authtoken_token\".\"created\", \"authtoken_token\".\"user_id\", ",
    user_columns!("\"auth_user\""),
    " FROM \"authtoken_token\" INNER JOIN \"auth_user\" ON (\"authtoken_token\".\"user_id\" = \"auth_user\".\"id\")",
    " WHERE \"authtoken_token\".\"key\" = $1"
);
const SQLITE_TOKEN_FOR_USER: &str =
    r#"SELECT "key", "created", "user_id" FROM "authtoken_token" WHERE "user_id" = ?1"#;
const PG_TOKEN_FOR_USER: &str =
    r#"SELECT "key", "created", "user_id" FROM "authtoken_token" WHERE "user_id" = $1"#;
const SQLITE_CREATE_USER: &str = r#"INSERT INTO "auth_user" ("password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined") VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING "id""#;
const PG_CREATE_USER: &str = r#"INSERT INTO "auth_user" ("password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined") VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING "id""#;
const SQLITE_SET_PASSWORD: &str = r#"UPDATE "auth_user" SET "password" = ?1 WHERE "id" = ?2"#;
const PG_SET_PASSWORD: &str = r#"UPDATE "auth_user" SET "password" = $1 WHERE "id" = $2"#;
const SQLITE_SET_LAST_LOGIN: &str = r#"UPDATE "auth_user" SET "last_login" = ?1 WHERE "id" = ?2"#;
const PG_SET_LAST_LOGIN: &str = r#"UPDATE "auth_user" SET "last_login" = $1 WHERE "id" = $2"#;
// Inserts only if the user exists and has no token yet; returns a row only when it inserted.
// (The WHERE clause also keeps SQLite's parser from reading ON CONFLICT as a join constraint.)
const SQLITE_INSERT_TOKEN_IF_ABSENT: &str = r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") SELECT ?1, ?2, "id" FROM "auth_user" WHERE "id" = ?3 ON CONFLICT ("user_id") DO NOTHING RETURNING "key""#;
const PG_INSERT_TOKEN_IF_ABSENT: &str = r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") SELECT $1, $2, "id" FROM "auth_user" WHERE "id" = $3 ON CONFLICT ("user_id") DO NOTHING RETURNING "key""#;
const SQLITE_INSERT_TOKEN: &str =
    r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (?1, ?2, ?3)"#;
const PG_INSERT_TOKEN: &str =
    r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES ($1, $2, $3)"#;
const SQLITE_USER_EXISTS: &str = r#"SELECT 1 FROM "auth_user" WHERE "id" = ?1"#;
const PG_USER_EXISTS: &str = r#"SELECT 1 FROM "auth_user" WHERE "id" = $1"#;
const SQLITE_ADMIN_LOG_EXISTS: &str =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_admin_log'";
const PG_ADMIN_LOG_EXISTS: &str =
    "SELECT 1 WHERE pg_catalog.to_regclass('\"django_admin_log\"') IS NOT NULL";

/// Rows that reference `auth_user` without ON DELETE, deleted before the user (Django
/// emulates CASCADE in the ORM, §1.3). `django_admin_log` is handled separately because it
/// exists only when Django's admin is installed.
const SQLITE_DELETE_DEPENDENTS: &[&str] = &[
    r#"DELETE FROM "authtoken_token" WHERE "user_id" = ?1"#,
    r#"DELETE FROM "auth_user_groups" WHERE "user_id" = ?1"#,
    r#"DELETE FROM "auth_user_user_permissions" WHERE "user_id" = ?1"#,
];
const PG_DELETE_DEPENDENTS: &[&str] = &[
    r#"DELETE FROM "authtoken_token" WHERE "user_id" = $1"#,
    r#"DELETE FROM "auth_user_groups" WHERE "user_id" = $1"#,
    r#"DELETE FROM "auth_user_user_permissions" WHERE "user_id" = $1"#,
];
const SQLITE_DELETE_ADMIN_LOG: &str = r#"DELETE FROM "django_admin_log" WHERE "user_id" = ?1"#;
const PG_DELETE_ADMIN_LOG: &str = r#"DELETE FROM "django_admin_log" WHERE "user_id" = $1"#;
const SQLITE_DELETE_USER: &str = r#"DELETE FROM "auth_user" WHERE "id" = ?1"#;
const PG_DELETE_USER: &str = r#"DELETE FROM "auth_user" WHERE "id" = $1"#;

// ---- NewUser --------------------------------------------------------------------------------

/// The fields of a new `auth_user` row ([`Db::create_user`]).
///
/// [`NewUser::new`] gives Django's `create_user` defaults: active, not staff, not superuser,
/// empty names and email. The username is stored as given: apply Django's NFKC normalization
/// (and the email's domain lowercasing) before, if the caller wants Django's exact behaviour.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    /// `username` (at most 150 characters in Django's schema).
    pub username: String,
    /// `email` (`""` when none).
    pub email: String,
    /// The encoded password (`hashers::make_password` or `hashers::make_unusable_password`).
    pub password_hash: String,
    /// `is_staff`.
    pub is_staff: bool,
    /// `is_superuser`.
    pub is_superuser: bool,
    /// `is_active`.
    pub is_active: bool,
    /// `first_name`.
    pub first_name: String,
    /// `last_name`.
    pub last_name: String,
}

impl NewUser {
    /// An active, non-staff user with no names or email.
    pub fn new(username: impl Into<String>, password_hash: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            email: String::new(),
            password_hash: password_hash.into(),
            is_staff: false,
            is_superuser: false,
            is_active: true,
            first_name: String::new(),
            last_name: String::new(),
        }
    }
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("is_staff", &self.is_staff)
            .field("is_superuser", &self.is_superuser)
            .field("is_active", &self.is_active)
            .finish_non_exhaustive()
    }
}

// ---- decoding -------------------------------------------------------------------------------

/// A SQLite datetime column (TEXT in Django's format) as naive UTC. Unparseable text reads as
/// `None` (with a warning) rather than failing the whole row.
fn sqlite_datetime(row: &SqliteRow, i: usize) -> Result<Option<NaiveDateTime>, sqlx::Error> {
    let Some(text) = row.try_get::<Option<&str>, _>(i)? else {
        return Ok(None);
    };
    let parsed = parse_django_datetime(text);
    if parsed.is_none() {
        tracing::warn!(
            value = text,
            column = i,
            "unparseable datetime in SQLite row"
        );
    }
    Ok(parsed)
}

fn pg_datetime(row: &PgRow, i: usize) -> Result<Option<NaiveDateTime>, sqlx::Error> {
    Ok(row
        .try_get::<Option<DateTime<Utc>>, _>(i)?
        .map(|d| d.naive_utc()))
}

/// An integer column: `integer` in Django's schema, `bigint` in some.
fn pg_int(row: &PgRow, i: usize) -> Result<i64, sqlx::Error> {
    row.try_get::<i32, _>(i)
        .map(i64::from)
        .or_else(|_| row.try_get::<i64, _>(i))
}

fn sqlite_user(row: &SqliteRow, at: usize) -> Result<User, sqlx::Error> {
    Ok(User {
        id: Some(row.try_get(at)?),
        password: row.try_get(at + 1)?,
        last_login: sqlite_datetime(row, at + 2)?,
        is_superuser: row.try_get(at + 3)?,
        username: row.try_get(at + 4)?,
        first_name: row.try_get(at + 5)?,
        last_name: row.try_get(at + 6)?,
        email: row.try_get(at + 7)?,
        is_staff: row.try_get(at + 8)?,
        is_active: row.try_get(at + 9)?,
        date_joined: sqlite_datetime(row, at + 10)?,
    })
}

fn pg_user(row: &PgRow, at: usize) -> Result<User, sqlx::Error> {
    Ok(User {
        id: Some(pg_int(row, at)?),
        password: row.try_get(at + 1)?,
        last_login: pg_datetime(row, at + 2)?,
        is_superuser: row.try_get(at + 3)?,
        username: row.try_get(at + 4)?,
        first_name: row.try_get(at + 5)?,
        last_name: row.try_get(at + 6)?,
        email: row.try_get(at + 7)?,
        is_staff: row.try_get(at + 8)?,
        is_active: row.try_get(at + 9)?,
        date_joined: pg_datetime(row, at + 10)?,
    })
}

fn sqlite_token(row: &SqliteRow) -> Result<Token, sqlx::Error> {
    Ok(Token {
        key: row.try_get(0)?,
        created: sqlite_datetime(row, 1)?,
        user_id: row.try_get(2)?,
    })
}

fn pg_token(row: &PgRow) -> Result<Token, sqlx::Error> {
    Ok(Token {
        key: row.try_get(0)?,
        created: pg_datetime(row, 1)?,
        user_id: pg_int(row, 2)?,
    })
}

/// PostgreSQL rejects NUL in text; no stored value can contain one.
fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

// ---- queries --------------------------------------------------------------------------------

impl Db {
    /// The user with exactly this username (case-sensitive, no normalization: Django's login
    /// lookup).
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, DbError> {
        if has_nul(username) {
            return Ok(None);
        }
        let user = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(SQLITE_USER_BY_USERNAME)
                .bind(username)
                .fetch_optional(p)
                .await?
                .map(|r| sqlite_user(&r, 0))
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(PG_USER_BY_USERNAME)
                .bind(username)
                .fetch_optional(p)
                .await?
                .map(|r| pg_user(&r, 0))
                .transpose()?,
        };
        Ok(user)
    }

    /// The user with this primary key.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, DbError> {
        let user = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(SQLITE_USER_BY_ID)
                .bind(id)
                .fetch_optional(p)
                .await?
                .map(|r| sqlite_user(&r, 0))
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(PG_USER_BY_ID)
                .bind(id)
                .fetch_optional(p)
                .await?
                .map(|r| pg_user(&r, 0))
                .transpose()?,
        };
        Ok(user)
    }

    /// The token with this key and its user, in one query (the hot path of Token
    /// authentication). Keys are matched exactly.
    pub async fn token_with_user(&self, key: &str) -> Result<Option<(Token, User)>, DbError> {
        if has_nul(key) {
            return Ok(None);
        }
        let found = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(SQLITE_TOKEN_WITH_USER)
                .bind(key)
                .fetch_optional(p)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((sqlite_token(&r)?, sqlite_user(&r, 3)?)))
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(PG_TOKEN_WITH_USER)
                .bind(key)
                .fetch_optional(p)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((pg_token(&r)?, pg_user(&r, 3)?)))
                .transpose()?,
        };
        Ok(found)
    }

    /// The user's token, if it has one.
    pub async fn token_for_user(&self, user_id: i64) -> Result<Option<Token>, DbError> {
        let token = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(SQLITE_TOKEN_FOR_USER)
                .bind(user_id)
                .fetch_optional(p)
                .await?
                .map(|r| sqlite_token(&r))
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(PG_TOKEN_FOR_USER)
                .bind(user_id)
                .fetch_optional(p)
                .await?
                .map(|r| pg_token(&r))
                .transpose()?,
        };
        Ok(token)
    }

    /// Inserts an `auth_user` row (`date_joined` = now, `last_login` NULL) and returns it.
    ///
    /// [`DbError::UsernameTaken`] if the username exists (exact match, as the UNIQUE
    /// constraint compares).
    pub async fn create_user(&self, new: NewUser) -> Result<User, DbError> {
        let joined = now();
        let result = match &self.pool {
            Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>(SQLITE_CREATE_USER)
                .bind(&new.password_hash)
                .bind(new.is_superuser)
                .bind(&new.username)
                .bind(&new.first_name)
                .bind(&new.last_name)
                .bind(&new.email)
                .bind(new.is_staff)
                .bind(new.is_active)
                .bind(format_django_datetime(joined.naive_utc()))
                .fetch_one(p)
                .await
                .map(Some),
            Pool::Postgres(p) => sqlx::query(PG_CREATE_USER)
                .bind(&new.password_hash)
                .bind(new.is_superuser)
                .bind(&new.username)
                .bind(&new.first_name)
                .bind(&new.last_name)
                .bind(&new.email)
                .bind(new.is_staff)
                .bind(new.is_active)
                .bind(joined)
                .fetch_one(p)
                .await
                .and_then(|row| pg_int(&row, 0))
                .map(Some),
        };
        let id = match result {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => return Err(DbError::UsernameTaken),
            Err(e) => return Err(e.into()),
        };
        Ok(User {
            id,
            username: new.username,
            email: new.email,
            first_name: new.first_name,
            last_name: new.last_name,
            is_active: new.is_active,
            is_staff: new.is_staff,
            is_superuser: new.is_superuser,
            password: new.password_hash,
            date_joined: Some(joined.naive_utc()),
            last_login: None,
        })
    }

    /// `UPDATE auth_user SET password = … WHERE id = …` (a password change or a rehash on
    /// login). A missing user is not an error.
    pub async fn set_password(&self, user_id: i64, encoded: &str) -> Result<(), DbError> {
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query(SQLITE_SET_PASSWORD)
                    .bind(encoded)
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query(PG_SET_PASSWORD)
                    .bind(encoded)
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
        }
        Ok(())
    }

    /// Sets `last_login` to now (what Django's `login()` does) and returns the value written.
    /// A missing user is not an error.
    pub async fn update_last_login(&self, user_id: i64) -> Result<NaiveDateTime, DbError> {
        let at = now();
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query(SQLITE_SET_LAST_LOGIN)
                    .bind(format_django_datetime(at.naive_utc()))
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query(PG_SET_LAST_LOGIN)
                    .bind(at)
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
        }
        Ok(at.naive_utc())
    }

    /// DRF's `Token.objects.get_or_create(user=…)`: the user's token, created with a fresh key
    /// if it has none. Safe against concurrent calls: exactly one token per user results, and
    /// every caller gets it.
    ///
    /// [`DbError::UserNotFound`] if the user does not exist.
    pub async fn get_or_create_token(&self, user_id: i64) -> Result<Token, DbError> {
        for _ in 0..TOKEN_ATTEMPTS {
            if let Some(token) = self.token_for_user(user_id).await? {
                return Ok(token);
            }
            let key = new_token_key();
            let created = now();
            let inserted = match &self.pool {
                Pool::Sqlite(p) => sqlx::query(SQLITE_INSERT_TOKEN_IF_ABSENT)
                    .bind(&key)
                    .bind(format_django_datetime(created.naive_utc()))
                    .bind(user_id)
                    .fetch_optional(p)
                    .await
                    .map(|row| row.is_some()),
                Pool::Postgres(p) => sqlx::query(PG_INSERT_TOKEN_IF_ABSENT)
                    .bind(&key)
                    .bind(created)
                    .bind(user_id)
                    .fetch_optional(p)
                    .await
                    .map(|row| row.is_some()),
            };
            match inserted {
                Ok(true) => {
                    return Ok(Token {
                        key,
                        user_id,
                        created: Some(created.naive_utc()),
                    });
                }
                // No row: the user is missing, or another request created the token first.
                Ok(false) => {
                    if !self.user_exists(user_id).await? {
                        return Err(DbError::UserNotFound);
                    }
                }
                // The random key collided with an existing key: draw another.
                Err(e) if is_unique_violation(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(DbError::Other(format!(
            "could not create a token for user {user_id} after {TOKEN_ATTEMPTS} attempts"
        )))
    }

    /// `drf_create_token -r`: deletes the user's token and creates a new one, in one
    /// transaction. [`DbError::UserNotFound`] if the user does not exist (nothing changes).
    pub async fn reset_token(&self, user_id: i64) -> Result<Token, DbError> {
        for _ in 0..TOKEN_ATTEMPTS {
            let key = new_token_key();
            let created = now();
            let result = match &self.pool {
                Pool::Sqlite(p) => {
                    let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                    match sqlite_reset_token(&mut tx, user_id, &key, created).await {
                        Ok(true) => tx.commit().await.map(|()| true),
                        other => other, // dropping `tx` rolls back
                    }
                }
                Pool::Postgres(p) => {
                    let mut tx = p.begin().await?;
                    match pg_reset_token(&mut tx, user_id, &key, created).await {
                        Ok(true) => tx.commit().await.map(|()| true),
                        other => other,
                    }
                }
            };
            match result {
                Ok(true) => {
                    return Ok(Token {
                        key,
                        user_id,
                        created: Some(created.naive_utc()),
                    });
                }
                Ok(false) => return Err(DbError::UserNotFound),
                Err(e) if is_unique_violation(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(DbError::Other(format!(
            "could not create a token for user {user_id} after {TOKEN_ATTEMPTS} attempts"
        )))
    }

    /// Deletes a user and the rows that reference it (its token, group and permission links,
    /// and its `django_admin_log` entries when that table exists), in one transaction, as
    /// Django's ORM cascade does. Returns whether the user existed.
    ///
    /// Rows of other tables that reference `auth_user` (the project's own models) make this
    /// fail with [`DbError::Other`] and change nothing.
    pub async fn delete_user(&self, user_id: i64) -> Result<bool, DbError> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                for stmt in SQLITE_DELETE_DEPENDENTS {
                    sqlx::query(stmt).bind(user_id).execute(&mut *tx).await?;
                }
                let admin = sqlx::query(SQLITE_ADMIN_LOG_EXISTS)
                    .fetch_optional(&mut *tx)
                    .await?;
                if admin.is_some() {
                    sqlx::query(SQLITE_DELETE_ADMIN_LOG)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let deleted = sqlx::query(SQLITE_DELETE_USER)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(deleted > 0)
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                for stmt in PG_DELETE_DEPENDENTS {
                    sqlx::query(stmt).bind(user_id).execute(&mut *tx).await?;
                }
                let admin = sqlx::query(PG_ADMIN_LOG_EXISTS)
                    .fetch_optional(&mut *tx)
                    .await?;
                if admin.is_some() {
                    sqlx::query(PG_DELETE_ADMIN_LOG)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let deleted = sqlx::query(PG_DELETE_USER)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(deleted > 0)
            }
        }
    }

    async fn user_exists(&self, user_id: i64) -> Result<bool, DbError> {
        let found = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(SQLITE_USER_EXISTS)
                .bind(user_id)
                .fetch_optional(p)
                .await?
                .is_some(),
            Pool::Postgres(p) => sqlx::query(PG_USER_EXISTS)
                .bind(user_id)
                .fetch_optional(p)
                .await?
                .is_some(),
        };
        Ok(found)
    }
}

/// Delete + insert inside a transaction; `Ok(false)` if the user does not exist.
async fn sqlite_reset_token(
    conn: &mut SqliteConnection,
    user_id: i64,
    key: &str,
    created: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(SQLITE_DELETE_DEPENDENTS[0])
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let exists = sqlx::query(SQLITE_USER_EXISTS)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !exists {
        return Ok(false);
    }
    sqlx::query(SQLITE_INSERT_TOKEN)
        .bind(key)
        .bind(format_django_datetime(created.naive_utc()))
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

async fn pg_reset_token(
    conn: &mut PgConnection,
    user_id: i64,
    key: &str,
    created: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(PG_DELETE_DEPENDENTS[0])
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let exists = sqlx::query(PG_USER_EXISTS)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !exists {
        return Ok(false);
    }
    sqlx::query(PG_INSERT_TOKEN)
        .bind(key)
        .bind(created)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_columns_are_explicit_and_complete() {
        let cols = user_columns!("\"u\"");
        assert_eq!(cols.split(", ").count(), 11);
        assert!(SQLITE_TOKEN_WITH_USER.starts_with(
            "SELECT \"authtoken_token\".\"key\", \"authtoken_token\".\"created\", \"authtoken_token\".\"user_id\", \"auth_user\".\"id\", \"auth_user\".\"password\""
        ));
        for sql in [
            SQLITE_USER_BY_USERNAME,
            SQLITE_USER_BY_ID,
            SQLITE_TOKEN_WITH_USER,
        ] {
            assert!(sql.contains("?1") && !sql.contains('$'), "{sql}");
        }
        for sql in [PG_USER_BY_USERNAME, PG_USER_BY_ID, PG_TOKEN_WITH_USER] {
            assert!(sql.contains("$1") && !sql.contains('?'), "{sql}");
        }
    }

    #[test]
    fn new_user_defaults_are_djangos() {
        let u = NewUser::new("bob", "!x");
        assert!(u.is_active && !u.is_staff && !u.is_superuser);
        assert_eq!(
            (
                u.email.as_str(),
                u.first_name.as_str(),
                u.last_name.as_str()
            ),
            ("", "", "")
        );
        assert!(!format!("{u:?}").contains("!x"), "no hash in Debug");
    }
}
