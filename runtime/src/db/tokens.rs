//! Reads and writes of DRF's `authtoken_token`: the Token authentication lookup (one join with
//! the user table) and `Token.objects.get_or_create`, each written once for both backends.

use super::auth_cache::Lookup;
use super::dialect::Dialect;
use super::types::{DjangoDateTime, Id, StoredDateTime};
use super::user_model::UserSql;
use super::users::{DELETE_TOKEN, decode_user, has_nul};
use super::{Db, DbError, is_unique_violation, now, with_pool};
use crate::hashers::new_token_key;
use crate::user::{AuthToken, User};

/// How many times a token insert is retried after a key collision or a concurrent insert.
const TOKEN_ATTEMPTS: usize = 5;

const TOKEN_FOR_USER: &str =
    r#"SELECT "key", "created", "user_id" FROM "authtoken_token" WHERE "user_id" = $1"#;
const INSERT_TOKEN: &str =
    r#"INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES ($1, $2, $3)"#;

/// `key`, `created`, `user_id`: the first three columns of a token query.
type TokenRow = (String, Option<StoredDateTime>, Id);

fn token((key, created, user_id): TokenRow) -> AuthToken {
    AuthToken {
        key,
        created: StoredDateTime::read(created, 1),
        user_id: user_id.0,
    }
}

/// A row of the Token lookup: the token's three columns, then the user's.
fn token_and_user<R>(row: &R, sql: &UserSql) -> Result<(AuthToken, User), sqlx::Error>
where
    R: sqlx::Row,
    R::Database: Dialect<Row = R>,
    usize: sqlx::ColumnIndex<R>,
    TokenRow: for<'r> sqlx::FromRow<'r, R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Id: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> StoredDateTime: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        token(sqlx::FromRow::from_row(row)?),
        decode_user(row, 3, &sql.layout)?,
    ))
}

impl Db {
    /// The token with this key and its user, in one query (the hot path of Token
    /// authentication), or from the token cache when [`Db::with_auth_cache`] turned it on.
    /// Keys are matched exactly.
    pub async fn token_with_user(&self, key: &str) -> Result<Option<(AuthToken, User)>, DbError> {
        if has_nul(key) {
            return Ok(None);
        }
        // The query's future is boxed: it is large, and a cache hit (the common case) would
        // otherwise carry its size in every Token view's dispatch future.
        let Some(cache) = &self.cache else {
            return Box::pin(self.query_token_with_user(key)).await;
        };
        match cache.lookup_fresh(key).await {
            Lookup::Hit(found) => Ok(Some(*found)),
            Lookup::Bypass => Box::pin(self.query_token_with_user(key)).await,
            Lookup::Miss(ticket) => {
                let found = Box::pin(self.query_token_with_user(key)).await?;
                // Unknown keys are not cached: a new token needs no invalidation.
                if let Some((token, user)) = &found {
                    cache.fill(ticket, token, user);
                }
                Ok(found)
            }
        }
    }

    async fn query_token_with_user(&self, key: &str) -> Result<Option<(AuthToken, User)>, DbError> {
        let sql = &self.users;
        if let Some(lookups) = &self.lookups {
            let row = lookups.fetch_optional(&sql.token_with_user, key).await?;
            return Ok(row.map(|r| token_and_user(&r, sql)).transpose()?);
        }
        Ok(with_pool!(self, |pool| {
            sqlx::query(&sql.token_with_user)
                .bind(key)
                .fetch_optional(pool)
                .await?
                .map(|r| token_and_user(&r, sql))
                .transpose()?
        }))
    }

    /// The user's token, if it has one.
    pub async fn token_for_user(&self, user_id: i64) -> Result<Option<AuthToken>, DbError> {
        let row = with_pool!(self, |pool| {
            sqlx::query_as::<_, TokenRow>(TOKEN_FOR_USER)
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(token))
    }

    /// DRF's `Token.objects.get_or_create(user=…)`: the user's token, created with a fresh key
    /// if it has none. Safe against concurrent calls: exactly one token per user results, and
    /// every caller gets it.
    ///
    /// [`DbError::UserNotFound`] if the user does not exist.
    pub async fn get_or_create_token(&self, user_id: i64) -> Result<AuthToken, DbError> {
        let sql = &self.users.insert_token_if_absent;
        for _ in 0..TOKEN_ATTEMPTS {
            if let Some(token) = self.token_for_user(user_id).await? {
                return Ok(token);
            }
            let key = new_token_key();
            let created = now();
            let inserted = with_pool!(self, |pool| {
                sqlx::query(sql)
                    .bind(&key)
                    .bind(DjangoDateTime(created))
                    .bind(user_id)
                    .fetch_optional(pool)
                    .await
                    .map(|row| row.is_some())
            });
            match inserted {
                Ok(true) => {
                    return Ok(AuthToken {
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
    pub async fn reset_token(&self, user_id: i64) -> Result<AuthToken, DbError> {
        let user_exists = &self.users.user_exists;
        for _ in 0..TOKEN_ATTEMPTS {
            let key = new_token_key();
            let created = now();
            // `Ok(false)`: the user does not exist. Returning early drops the transaction,
            // which rolls it back.
            let result = with_pool!(self, for<D> |pool| async {
                let mut tx = D::begin_write(pool).await?;
                sqlx::query(DELETE_TOKEN)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                let exists = sqlx::query(user_exists)
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
                if !exists {
                    return Ok(false);
                }
                sqlx::query(INSERT_TOKEN)
                    .bind(&key)
                    .bind(DjangoDateTime(created))
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(true)
            }
            .await);
            // After the commit (or the rollback): a lookup that ran meanwhile may have
            // cached the old key.
            self.forget_user(user_id);
            match result {
                Ok(true) => {
                    return Ok(AuthToken {
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
}
