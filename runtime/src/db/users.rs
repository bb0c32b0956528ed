//! Reads and writes of the user table (`auth_user`, or the configured [`super::UserModel`]), one
//! statement per call where the operation allows it, with explicit column lists (SQLite and
//! PostgreSQL order columns differently, docs/django-compat.md §1.2/§1.3). The statements are built from the model
//! once ([`super::user_model::UserSql`]); each runs on either backend through [`with_pool!`].

use std::fmt;

use chrono::NaiveDateTime;
use serde_json::Value;
use sqlx::{ColumnIndex, Decode, Row, Type};

use super::dialect::Dialect;
use super::types::{DjangoDateTime, Id, StoredDateTime};
use super::user_model::{InsertColumn, Layout};
use super::{Db, DbError, is_unique_violation, now, with_pool};
use crate::user::User;

/// Deletes a user's token (`delete_user` and `reset_token`).
pub(super) const DELETE_TOKEN: &str = r#"DELETE FROM "authtoken_token" WHERE "user_id" = $1"#;

const DELETE_ADMIN_LOG: &str = r#"DELETE FROM "django_admin_log" WHERE "user_id" = $1"#;

/// PostgreSQL rejects NUL in text; no stored value can contain one.
pub(super) fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

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

/// The user whose columns start at column `at` of `row`, where `layout` places them.
///
/// Datetimes that SQLite holds as unparseable text read as `None` (with a warning) rather than
/// failing the whole row; columns the model lacks take Django's defaults.
pub(super) fn decode_user<R>(row: &R, at: usize, layout: &Layout) -> Result<User, sqlx::Error>
where
    R: Row,
    R::Database: Dialect<Row = R>,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Id: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> StoredDateTime: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |i: Option<usize>| -> Result<String, sqlx::Error> {
        let value = i.map(|i| row.try_get::<Option<String>, _>(at + i));
        Ok(value.transpose()?.flatten().unwrap_or_default())
    };
    let flag = |i: Option<usize>, default: bool| -> Result<bool, sqlx::Error> {
        let value = i.map(|i| row.try_get::<Option<bool>, _>(at + i));
        Ok(value.transpose()?.flatten().unwrap_or(default))
    };
    let datetime = |i: Option<usize>| -> Result<Option<NaiveDateTime>, sqlx::Error> {
        let Some(i) = i else { return Ok(None) };
        Ok(StoredDateTime::read(row.try_get(at + i)?, at + i))
    };

    let id: Id = row.try_get(at)?;
    let password: String = row.try_get(at + 1)?;
    let username = row
        .try_get::<Option<String>, _>(at + 2)?
        .unwrap_or_default();
    let last_login = datetime(layout.last_login)?;
    let date_joined = datetime(layout.date_joined)?;
    let email = if layout.email_is_username {
        username.clone()
    } else {
        text(layout.email)?
    };
    let mut extra = serde_json::Map::new();
    for (name, i) in &layout.extra {
        extra.insert(name.clone(), R::Database::extra_value(row, at + i)?);
    }
    Ok(User {
        id: Some(id.0),
        password,
        last_login,
        is_superuser: flag(layout.is_superuser, false)?,
        username,
        first_name: text(layout.first_name)?,
        last_name: text(layout.last_name)?,
        email,
        is_staff: flag(layout.is_staff, false)?,
        // AbstractBaseUser.is_active is True when the model has no such column.
        is_active: flag(layout.is_active, true)?,
        date_joined,
        extra,
    })
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
        Ok(with_pool!(self, |pool| {
            sqlx::query(&sql.by_username)
                .bind(username)
                .fetch_optional(pool)
                .await?
                .map(|row| decode_user(&row, 0, &sql.layout))
                .transpose()?
        }))
    }

    /// The user with this primary key.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, DbError> {
        let sql = &self.users;
        Ok(with_pool!(self, |pool| {
            sqlx::query(&sql.by_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .map(|row| decode_user(&row, 0, &sql.layout))
                .transpose()?
        }))
    }

    /// Inserts a user row (`date_joined` = now, `last_login` NULL) and returns it as stored.
    ///
    /// [`DbError::UsernameTaken`] if the username exists (exact match, as the UNIQUE
    /// constraint compares).
    pub async fn create_user(&self, new: NewUser) -> Result<User, DbError> {
        let joined = DjangoDateTime(now());
        let sql = &self.users;
        let result = with_pool!(self, for<D> |pool| {
            let mut q = sqlx::query_scalar::<_, Id>(&sql.create_user)
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
                q = D::bind_extras(q, &sql.extra, &new.extra);
            }
            q.fetch_one(pool).await
        });
        let id = match result {
            Ok(Id(id)) => id,
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
        let written = with_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(encoded)
                .bind(user_id)
                .execute(pool)
                .await
                .map(drop)
        });
        self.forget_user(user_id);
        written?;
        Ok(())
    }

    /// A rehash on login: the password becomes `encoded` only if the stored hash is still
    /// `verified`, the one the password was just checked against, so that a password changed
    /// meanwhile (by another request, process or Django) is never undone. `Ok(false)` when it
    /// was not written (changed meanwhile, or no such user).
    pub async fn replace_password(
        &self,
        user_id: i64,
        verified: &str,
        encoded: &str,
    ) -> Result<bool, DbError> {
        let sql = &self.users.replace_password;
        let written = with_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(encoded)
                .bind(user_id)
                .bind(verified)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        });
        self.forget_user(user_id);
        Ok(written? > 0)
    }

    /// Sets `last_login` to now (what Django's `login()` does) and returns the value written.
    /// A missing user, or a model without `last_login`, is not an error.
    pub async fn update_last_login(&self, user_id: i64) -> Result<NaiveDateTime, DbError> {
        let at = now();
        if let Some(sql) = &self.users.set_last_login {
            let written = with_pool!(self, |pool| {
                sqlx::query(sql)
                    .bind(DjangoDateTime(at))
                    .bind(user_id)
                    .execute(pool)
                    .await
                    .map(drop)
            });
            self.forget_user(user_id);
            written?;
        }
        Ok(at.naive_utc())
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
        let dependents = || {
            let model = sql.delete_dependents.iter();
            let model = model.map(|(table, stmt)| (table.as_str(), stmt.as_str()));
            model.chain([("django_admin_log", DELETE_ADMIN_LOG)])
        };
        // An early return (`?`) drops the transaction, which rolls it back.
        let deleted = with_pool!(self, for<D> |pool| async {
            let mut tx = D::begin_write(pool).await?;
            sqlx::query(DELETE_TOKEN)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for (table, stmt) in dependents() {
                let exists = sqlx::query(D::TABLE_EXISTS)
                    .bind(table)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
                if exists {
                    sqlx::query(stmt).bind(user_id).execute(&mut *tx).await?;
                }
            }
            let deleted = sqlx::query(&sql.delete_user)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok::<_, sqlx::Error>(deleted > 0)
        }
        .await);
        self.forget_user(user_id);
        Ok(deleted?)
    }

    /// Whether the user with this primary key exists.
    pub(super) async fn user_exists(&self, user_id: i64) -> Result<bool, DbError> {
        let sql = &self.users.user_exists;
        Ok(with_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(user_id)
                .fetch_optional(pool)
                .await?
                .is_some()
        }))
    }
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
