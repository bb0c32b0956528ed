//! The column types whose stored formats differ between SQLite and PostgreSQL, with sqlx's
//! `Type`, `Encode` and `Decode` for each: [`DjangoDateTime`] (Django's datetime text on SQLite,
//! `timestamptz` on PostgreSQL) and [`Id`] (`integer` or `bigint` keys on PostgreSQL).
//!
//! Booleans need no newtype: sqlx's `bool` writes SQLite's `0`/`1` (what Django stores in its
//! `bool` columns) and reads any integer, and is PostgreSQL's `boolean`.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

use super::datetime::{format_django_datetime, parse_django_datetime};

// ---- DjangoDateTime ------------------------------------------------------------------------

/// A Django `DateTimeField` (with `USE_TZ = True`, Django's default), in UTC.
///
/// SQLite stores it as TEXT in Python's `str(datetime)` format, `YYYY-MM-DD HH:MM:SS[.ffffff]`
/// (see [`format_django_datetime`](crate::db::format_django_datetime)); Django compares these
/// as strings, so bind this type rather than a chrono value. PostgreSQL stores a
/// `timestamp with time zone`. Reading SQLite text accepts what Django accepts
/// ([`parse_django_datetime`](crate::db::parse_django_datetime)) and fails on anything else.
/// Sub-microsecond precision is dropped on write, as Django keeps microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DjangoDateTime(pub DateTime<Utc>);

impl DjangoDateTime {
    /// The naive UTC datetime (what [`crate::user::User`]'s datetime fields hold).
    pub fn naive_utc(self) -> NaiveDateTime {
        self.0.naive_utc()
    }
}

impl From<DateTime<Utc>> for DjangoDateTime {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl From<NaiveDateTime> for DjangoDateTime {
    /// A naive datetime taken as UTC.
    fn from(at: NaiveDateTime) -> Self {
        Self(at.and_utc())
    }
}

impl From<DjangoDateTime> for DateTime<Utc> {
    fn from(at: DjangoDateTime) -> Self {
        at.0
    }
}

impl From<DjangoDateTime> for NaiveDateTime {
    fn from(at: DjangoDateTime) -> Self {
        at.naive_utc()
    }
}

impl Type<Sqlite> for DjangoDateTime {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <&str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for DjangoDateTime {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(format_django_datetime(self.naive_utc()), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DjangoDateTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        parse_django_datetime(text)
            .map(Self::from)
            .ok_or_else(|| format!("not a Django datetime: {text:?}").into())
    }
}

impl Type<Postgres> for DjangoDateTime {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for DjangoDateTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DjangoDateTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(Self)
    }
}

/// A datetime column of the auth tables, read leniently: SQLite text that is not a datetime
/// is kept (for a warning) instead of failing the whole row, as Django's own rows are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoredDateTime {
    Valid(NaiveDateTime),
    Unparseable(String),
}

impl StoredDateTime {
    /// The datetime of column `column`, `None` if NULL or unparseable (with a warning).
    pub(crate) fn read(value: Option<Self>, column: usize) -> Option<NaiveDateTime> {
        match value? {
            Self::Valid(at) => Some(at),
            Self::Unparseable(text) => {
                tracing::warn!(
                    value = text,
                    column = column,
                    "unparseable datetime in SQLite row"
                );
                None
            }
        }
    }
}

impl Type<Sqlite> for StoredDateTime {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <&str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for StoredDateTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(parse_django_datetime(text)
            .map_or_else(|| Self::Unparseable(text.to_owned()), Self::Valid))
    }
}

impl Type<Postgres> for StoredDateTime {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for StoredDateTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(|at| Self::Valid(at.naive_utc()))
    }
}

// ---- Id --------------------------------------------------------------------------------------

/// An integer key column, as `i64`: Django's `AutoField` and the foreign keys to it are
/// `integer` on PostgreSQL, `BigAutoField` and its foreign keys `bigint`; SQLite has one
/// `integer`. Reads either width; binds a 64-bit integer (PostgreSQL converts it for an
/// `integer` column).
///
/// With `#[derive(sqlx::FromRow)]`, `#[sqlx(try_from = "Id")]` reads it into an `i64` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub i64);

impl From<i64> for Id {
    fn from(id: i64) -> Self {
        Self(id)
    }
}

impl From<Id> for i64 {
    fn from(id: Id) -> Self {
        id.0
    }
}

impl Type<Sqlite> for Id {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Id {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Id {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        <i64 as Decode<Sqlite>>::decode(value).map(Self)
    }
}

impl Type<Postgres> for Id {
    fn type_info() -> PgTypeInfo {
        <i64 as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <i32 as Type<Postgres>>::compatible(ty) || <i64 as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Id {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Id {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        use sqlx::ValueRef as _;
        if <i32 as Type<Postgres>>::compatible(&value.type_info()) {
            <i32 as Decode<Postgres>>::decode(value).map(|id| Self(i64::from(id)))
        } else {
            <i64 as Decode<Postgres>>::decode(value).map(Self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, format_django_datetime, now, with_pool};

    /// The newtypes through one text on a backend: written, read back, and read from what
    /// the other columns of Django's schema hold.
    async fn round_trip(db: &Db) {
        let at = DjangoDateTime(now());
        let got: (DjangoDateTime, Id, Id, bool) = with_pool!(db, |pool| {
            sqlx::query_as("SELECT $1, CAST($2 AS integer), CAST($3 AS bigint), $4")
                .bind(at)
                .bind(Id(7))
                .bind(i64::MAX)
                .bind(true)
                .fetch_one(pool)
                .await
        })
        .expect("round trip");
        assert_eq!(got, (at, Id(7), Id(i64::MAX), true));
        let lenient: Option<StoredDateTime> = with_pool!(db, |pool| {
            sqlx::query_scalar("SELECT $1")
                .bind(at)
                .fetch_one(pool)
                .await
        })
        .expect("lenient");
        assert_eq!(lenient, Some(StoredDateTime::Valid(at.naive_utc())));
    }

    #[tokio::test]
    async fn sqlite_columns() {
        let db = Db::connect("sqlite::memory:").await.expect("connect");
        round_trip(&db).await;
        let crate::db::Pool::Sqlite(pool) = &db.pool else {
            unreachable!("a SQLite URL")
        };
        // Bound as Django's text, which compares as Django compares it.
        let at = DjangoDateTime::from(
            chrono::NaiveDate::from_ymd_opt(2030, 1, 2)
                .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 60))
                .expect("valid"),
        );
        let (kind, text): (String, String) = sqlx::query_as("SELECT typeof($1), $1")
            .bind(at)
            .fetch_one(pool)
            .await
            .expect("text");
        assert_eq!(
            (kind.as_str(), text.as_str()),
            ("text", "2030-01-02 03:04:05.000060")
        );
        assert_eq!(text, format_django_datetime(at.naive_utc()));
        // What Django may have written reads; anything else fails strictly or leniently.
        let read: DjangoDateTime = sqlx::query_scalar("SELECT '2030-01-02T05:04:05.00006+02:00'")
            .fetch_one(pool)
            .await
            .expect("offset");
        assert_eq!(read, at);
        let bad = sqlx::query_scalar::<_, DjangoDateTime>("SELECT 'yesterday'")
            .fetch_one(pool)
            .await
            .expect_err("not a datetime");
        assert!(bad.to_string().contains("not a Django datetime"), "{bad}");
        let lenient: StoredDateTime = sqlx::query_scalar("SELECT 'yesterday'")
            .fetch_one(pool)
            .await
            .expect("lenient");
        assert_eq!(lenient, StoredDateTime::Unparseable("yesterday".into()));
        assert_eq!(StoredDateTime::read(Some(lenient), 3), None);
        // Booleans are 0/1 integers, as Django stores them.
        let (one, zero): (i64, i64) = sqlx::query_as("SELECT $1, $2")
            .bind(true)
            .bind(false)
            .fetch_one(pool)
            .await
            .expect("bools");
        assert_eq!((one, zero), (1, 0));
    }

    /// On the server of `DRF_TEST_POSTGRES_URL` (no table is touched).
    #[cfg_attr(
        not(drf_test_postgres),
        ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
    )]
    #[tokio::test]
    async fn postgres_columns() {
        let url = crate::testing::postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
        let db = Db::connect(&url).await.expect("connect");
        round_trip(&db).await;
        let small = with_pool!(db, |pool| {
            sqlx::query_scalar::<_, Id>("SELECT CAST(1 AS smallint)")
                .fetch_one(pool)
                .await
        });
        assert!(small.is_err(), "integer and bigint only, as before");
        db.close().await;
    }
}
