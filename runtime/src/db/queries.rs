//! Reads and writes of the user table (`auth_user`, or the configured [`super::UserModel`]) and
//! `authtoken_token`, one statement per call where the operation allows it, with explicit
//! column lists (SQLite and PostgreSQL order columns differently, docs/django-compat.md §1.2/§1.3).

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgConnection, Row as _, SqliteConnection};

use super::datetime::{format_django_datetime, now, parse_django_datetime};
use super::user_model::{InsertColumn, Layout};
use super::{Db, DbError, Pool, is_unique_violation};
use crate::hashers::new_token_key;
use crate::user::{Token, User};

/// How many times a token insert is retried after a key collision or a concurrent insert.
const TOKEN_ATTEMPTS: usize = 5;

// ---- SQL ------------------------------------------------------------------------------------
//
// SQLite takes `?N` placeholders, PostgreSQL `$N`. Statements that touch the user table are built
// from the configured [`super::UserModel`] once ([`super::user_model::UserSql`]); those of the
// token table are fixed.

const SQLITE_TOKEN_FOR_USER: &str =
    r#"SELECT "key", "created", "user_id" FROM "authtoken_token" WHERE "user_id" = ?1"#;
const PG_TOKEN_FOR_USER: &str =
    r#"SELECT "key", "created", "user_id" FROM "authtoken_token" WHERE "user_id" = $1"#;
const SQLITE_INSERT_TOKEN: &str =
    r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (?1, ?2, ?3)"#;
const PG_INSERT_TOKEN: &str =
    r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES ($1, $2, $3)"#;
const SQLITE_DELETE_TOKEN: &str = r#"DELETE FROM "authtoken_token" WHERE "user_id" = ?1"#;
const PG_DELETE_TOKEN: &str = r#"DELETE FROM "authtoken_token" WHERE "user_id" = $1"#;
const SQLITE_TABLE_EXISTS: &str = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";
const PG_TABLE_EXISTS: &str = "SELECT 1 WHERE pg_catalog.to_regclass(quote_ident($1)) IS NOT NULL";
const SQLITE_DELETE_ADMIN_LOG: &str = r#"DELETE FROM "django_admin_log" WHERE "user_id" = ?1"#;
const PG_DELETE_ADMIN_LOG: &str = r#"DELETE FROM "django_admin_log" WHERE "user_id" = $1"#;

// ---- NewUser --------------------------------------------------------------------------------

/// The fields of a new user row ([`Db::create_user`]).
///
/// [`NewUser::new`] gives Django's `create_user` defaults: active, not staff, not superuser,
/// empty names and email. The username is stored as given: apply Django's NFKC normalization
/// (and the email's domain lowercasing) before, if the caller wants Django's exact behaviour.
/// Fields whose column the [`super::UserModel`] lacks are ignored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The `USERNAME_FIELD` value (`username`: at most 150 characters in Django's schema).
    pub username: String,
    /// `email` (`""` when none). Ignored when the email column is the username column.
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
    /// Values of the model's extra columns, by column name (missing ones are NULL). On
    /// PostgreSQL they are converted to the columns' types as `jsonb_populate_record` does.
    pub extra: serde_json::Map<String, Value>,
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
            extra: serde_json::Map::new(),
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

/// An extra SQLite column as JSON: by the value's storage class, booleans by the declared type.
fn sqlite_value(row: &SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
    use sqlx::{Column as _, TypeInfo as _, ValueRef as _};
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let declared = row.column(i).type_info().name().to_ascii_uppercase();
    let class = raw.type_info().name().to_owned();
    Ok(match class.as_str() {
        "INTEGER" | "BOOLEAN" if declared == "BOOLEAN" => {
            Value::Bool(row.try_get::<i64, _>(i)? != 0)
        }
        "INTEGER" | "BOOLEAN" => Value::from(row.try_get::<i64, _>(i)?),
        "REAL" => serde_json::Number::from_f64(row.try_get::<f64, _>(i)?)
            .map_or(Value::Null, Value::Number),
        "BLOB" => {
            use base64::Engine as _;
            Value::String(
                base64::engine::general_purpose::STANDARD.encode(row.try_get::<Vec<u8>, _>(i)?),
            )
        }
        _ => Value::String(row.try_get::<String, _>(i)?),
    })
}

/// An extra PostgreSQL column, selected as `to_jsonb(col)::text`.
fn pg_value(row: &PgRow, i: usize) -> Result<Value, sqlx::Error> {
    let Some(text) = row.try_get::<Option<String>, _>(i)? else {
        return Ok(Value::Null);
    };
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The parts of a user row common to both backends, decoded.
struct Fields {
    id: i64,
    password: String,
    username: Option<String>,
    last_login: Option<NaiveDateTime>,
    date_joined: Option<NaiveDateTime>,
}

fn assemble(
    f: Fields,
    l: &Layout,
    text: impl Fn(Option<usize>) -> Result<Option<String>, sqlx::Error>,
    flag: impl Fn(Option<usize>, bool) -> Result<bool, sqlx::Error>,
    extra: impl Fn(usize) -> Result<Value, sqlx::Error>,
) -> Result<User, sqlx::Error> {
    let username = f.username.unwrap_or_default();
    let email = if l.email_is_username {
        username.clone()
    } else {
        text(l.email)?.unwrap_or_default()
    };
    let mut extras = serde_json::Map::new();
    for (name, i) in &l.extra {
        extras.insert(name.clone(), extra(*i)?);
    }
    Ok(User {
        id: Some(f.id),
        password: f.password,
        last_login: f.last_login,
        is_superuser: flag(l.is_superuser, false)?,
        username,
        first_name: text(l.first_name)?.unwrap_or_default(),
        last_name: text(l.last_name)?.unwrap_or_default(),
        email,
        is_staff: flag(l.is_staff, false)?,
        // AbstractBaseUser.is_active is True when the model has no such column.
        is_active: flag(l.is_active, true)?,
        date_joined: f.date_joined,
        extra: extras,
    })
}

fn sqlite_user(row: &SqliteRow, at: usize, l: &Layout) -> Result<User, sqlx::Error> {
    let fields = Fields {
        id: row.try_get(at)?,
        password: row.try_get(at + 1)?,
        username: row.try_get(at + 2)?,
        last_login: l
            .last_login
            .map(|i| sqlite_datetime(row, at + i))
            .transpose()?
            .flatten(),
        date_joined: l
            .date_joined
            .map(|i| sqlite_datetime(row, at + i))
            .transpose()?
            .flatten(),
    };
    assemble(
        fields,
        l,
        |i| {
            Ok(i.map(|i| row.try_get::<Option<String>, _>(at + i))
                .transpose()?
                .flatten())
        },
        |i, default| {
            Ok(i.map(|i| row.try_get::<Option<bool>, _>(at + i))
                .transpose()?
                .flatten()
                .unwrap_or(default))
        },
        |i| sqlite_value(row, at + i),
    )
}

fn pg_user(row: &PgRow, at: usize, l: &Layout) -> Result<User, sqlx::Error> {
    let fields = Fields {
        id: pg_int(row, at)?,
        password: row.try_get(at + 1)?,
        username: row.try_get(at + 2)?,
        last_login: l
            .last_login
            .map(|i| pg_datetime(row, at + i))
            .transpose()?
            .flatten(),
        date_joined: l
            .date_joined
            .map(|i| pg_datetime(row, at + i))
            .transpose()?
            .flatten(),
    };
    assemble(
        fields,
        l,
        |i| {
            Ok(i.map(|i| row.try_get::<Option<String>, _>(at + i))
                .transpose()?
                .flatten())
        },
        |i, default| {
            Ok(i.map(|i| row.try_get::<Option<bool>, _>(at + i))
                .transpose()?
                .flatten()
                .unwrap_or(default))
        },
        |i| pg_value(row, at + i),
    )
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

/// Binds a JSON value to a SQLite statement as its natural SQLite type.
fn bind_sqlite_value<'q>(
    q: sqlx::query::QueryScalar<'q, sqlx::Sqlite, i64, sqlx::sqlite::SqliteArguments<'q>>,
    v: Option<&Value>,
) -> sqlx::query::QueryScalar<'q, sqlx::Sqlite, i64, sqlx::sqlite::SqliteArguments<'q>> {
    match v {
        None | Some(Value::Null) => q.bind(None::<String>),
        Some(Value::Bool(b)) => q.bind(*b),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.as_f64()),
        },
        Some(Value::String(s)) => q.bind(s.clone()),
        Some(other) => q.bind(other.to_string()),
    }
}

// ---- queries --------------------------------------------------------------------------------

impl Db {
    /// The user with exactly this `USERNAME_FIELD` value (case-sensitive, no normalization:
    /// Django's login lookup).
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, DbError> {
        if has_nul(username) {
            return Ok(None);
        }
        let sql = &self.users;
        let user = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(&sql.by_username)
                .bind(username)
                .fetch_optional(p)
                .await?
                .map(|r| sqlite_user(&r, 0, &sql.layout))
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(&sql.by_username)
                .bind(username)
                .fetch_optional(p)
                .await?
                .map(|r| pg_user(&r, 0, &sql.layout))
                .transpose()?,
        };
        Ok(user)
    }

    /// The user with this primary key.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, DbError> {
        let sql = &self.users;
        let user = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(&sql.by_id)
                .bind(id)
                .fetch_optional(p)
                .await?
                .map(|r| sqlite_user(&r, 0, &sql.layout))
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(&sql.by_id)
                .bind(id)
                .fetch_optional(p)
                .await?
                .map(|r| pg_user(&r, 0, &sql.layout))
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
        let sql = &self.users;
        let found = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(&sql.token_with_user)
                .bind(key)
                .fetch_optional(p)
                .await?
                .map(|r| {
                    Ok::<_, sqlx::Error>((sqlite_token(&r)?, sqlite_user(&r, 3, &sql.layout)?))
                })
                .transpose()?,
            Pool::Postgres(p) => sqlx::query(&sql.token_with_user)
                .bind(key)
                .fetch_optional(p)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((pg_token(&r)?, pg_user(&r, 3, &sql.layout)?)))
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

    /// Inserts a user row (`date_joined` = now, `last_login` NULL) and returns it as stored.
    ///
    /// [`DbError::UsernameTaken`] if the username exists (exact match, as the UNIQUE
    /// constraint compares).
    pub async fn create_user(&self, new: NewUser) -> Result<User, DbError> {
        let joined = now();
        let sql = &self.users;
        let result = match &self.pool {
            Pool::Sqlite(p) => {
                let mut q = sqlx::query_scalar::<_, i64>(&sql.create_user)
                    .bind(&new.password_hash)
                    .bind(&new.username);
                for c in &sql.insert_columns {
                    q = match c {
                        InsertColumn::IsSuperuser => q.bind(new.is_superuser),
                        InsertColumn::FirstName => q.bind(&new.first_name),
                        InsertColumn::LastName => q.bind(&new.last_name),
                        InsertColumn::Email => q.bind(&new.email),
                        InsertColumn::IsStaff => q.bind(new.is_staff),
                        InsertColumn::IsActive => q.bind(new.is_active),
                        InsertColumn::DateJoined => {
                            q.bind(format_django_datetime(joined.naive_utc()))
                        }
                    };
                }
                for name in &sql.extra {
                    q = bind_sqlite_value(q, new.extra.get(name));
                }
                q.fetch_one(p).await
            }
            Pool::Postgres(p) => {
                let mut q = sqlx::query(&sql.create_user)
                    .bind(&new.password_hash)
                    .bind(&new.username);
                for c in &sql.insert_columns {
                    q = match c {
                        InsertColumn::IsSuperuser => q.bind(new.is_superuser),
                        InsertColumn::FirstName => q.bind(&new.first_name),
                        InsertColumn::LastName => q.bind(&new.last_name),
                        InsertColumn::Email => q.bind(&new.email),
                        InsertColumn::IsStaff => q.bind(new.is_staff),
                        InsertColumn::IsActive => q.bind(new.is_active),
                        InsertColumn::DateJoined => q.bind(joined),
                    };
                }
                if !sql.extra.is_empty() {
                    let values: serde_json::Map<String, Value> = sql
                        .extra
                        .iter()
                        .map(|name| {
                            (
                                name.clone(),
                                new.extra.get(name).cloned().unwrap_or(Value::Null),
                            )
                        })
                        .collect();
                    q = q.bind(Value::Object(values).to_string());
                }
                q.fetch_one(p).await.and_then(|row| pg_int(&row, 0))
            }
        };
        let id = match result {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => return Err(DbError::UsernameTaken),
            Err(e) => return Err(e.into()),
        };
        // Read it back: columns the model lacks take Django's defaults, extras their stored
        // form.
        self.user_by_id(id).await?.ok_or(DbError::UserNotFound)
    }

    /// `UPDATE <user table> SET password = … WHERE id = …` (a password change or a rehash on
    /// login). A missing user is not an error.
    pub async fn set_password(&self, user_id: i64, encoded: &str) -> Result<(), DbError> {
        let sql = &self.users.set_password;
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query(sql)
                    .bind(encoded)
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query(sql)
                    .bind(encoded)
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
        }
        Ok(())
    }

    /// Sets `last_login` to now (what Django's `login()` does) and returns the value written.
    /// A missing user, or a model without `last_login`, is not an error.
    pub async fn update_last_login(&self, user_id: i64) -> Result<NaiveDateTime, DbError> {
        let at = now();
        let Some(sql) = &self.users.set_last_login else {
            return Ok(at.naive_utc());
        };
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query(sql)
                    .bind(format_django_datetime(at.naive_utc()))
                    .bind(user_id)
                    .execute(p)
                    .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query(sql).bind(at).bind(user_id).execute(p).await?;
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
        let sql = &self.users.insert_token_if_absent;
        for _ in 0..TOKEN_ATTEMPTS {
            if let Some(token) = self.token_for_user(user_id).await? {
                return Ok(token);
            }
            let key = new_token_key();
            let created = now();
            let inserted = match &self.pool {
                Pool::Sqlite(p) => sqlx::query(sql)
                    .bind(&key)
                    .bind(format_django_datetime(created.naive_utc()))
                    .bind(user_id)
                    .fetch_optional(p)
                    .await
                    .map(|row| row.is_some()),
                Pool::Postgres(p) => sqlx::query(sql)
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
        let exists = &self.users.user_exists;
        for _ in 0..TOKEN_ATTEMPTS {
            let key = new_token_key();
            let created = now();
            let result = match &self.pool {
                Pool::Sqlite(p) => {
                    let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                    match sqlite_reset_token(&mut tx, exists, user_id, &key, created).await {
                        Ok(true) => tx.commit().await.map(|()| true),
                        other => other, // dropping `tx` rolls back
                    }
                }
                Pool::Postgres(p) => {
                    let mut tx = p.begin().await?;
                    match pg_reset_token(&mut tx, exists, user_id, &key, created).await {
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

    /// Deletes a user and the rows that reference it (its token, the model's dependent tables
    /// such as the group and permission links, and its `django_admin_log` entries), in one
    /// transaction, as Django's ORM cascade does. Tables that do not exist are skipped.
    /// Returns whether the user existed.
    ///
    /// Rows of other tables that reference the user (the project's own models, unless listed
    /// in [`super::UserModel::dependents`]) make this fail with [`DbError::Other`] and change
    /// nothing.
    pub async fn delete_user(&self, user_id: i64) -> Result<bool, DbError> {
        let sql = &self.users;
        let admin_log = ("django_admin_log".to_owned(), String::new());
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::query(SQLITE_DELETE_TOKEN)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                for (table, stmt) in sql.delete_dependents.iter().chain([&admin_log]) {
                    let exists = sqlx::query(SQLITE_TABLE_EXISTS)
                        .bind(table)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if exists {
                        let stmt = if stmt.is_empty() {
                            SQLITE_DELETE_ADMIN_LOG
                        } else {
                            stmt
                        };
                        sqlx::query(stmt).bind(user_id).execute(&mut *tx).await?;
                    }
                }
                let deleted = sqlx::query(&sql.delete_user)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(deleted > 0)
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query(PG_DELETE_TOKEN)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                for (table, stmt) in sql.delete_dependents.iter().chain([&admin_log]) {
                    let exists = sqlx::query(PG_TABLE_EXISTS)
                        .bind(table)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if exists {
                        let stmt = if stmt.is_empty() {
                            PG_DELETE_ADMIN_LOG
                        } else {
                            stmt
                        };
                        sqlx::query(stmt).bind(user_id).execute(&mut *tx).await?;
                    }
                }
                let deleted = sqlx::query(&sql.delete_user)
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
        let sql = &self.users.user_exists;
        let found = match &self.pool {
            Pool::Sqlite(p) => sqlx::query(sql)
                .bind(user_id)
                .fetch_optional(p)
                .await?
                .is_some(),
            Pool::Postgres(p) => sqlx::query(sql)
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
    user_exists: &str,
    user_id: i64,
    key: &str,
    created: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(SQLITE_DELETE_TOKEN)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let exists = sqlx::query(user_exists)
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
    user_exists: &str,
    user_id: i64,
    key: &str,
    created: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query(PG_DELETE_TOKEN)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let exists = sqlx::query(user_exists)
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
        assert!(u.extra.is_empty());
        assert!(!format!("{u:?}").contains("!x"), "no hash in Debug");
    }
}
