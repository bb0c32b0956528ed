//! What differs between SQLite and PostgreSQL, written once for each: the [`Dialect`] trait,
//! implemented for [`sqlx::Sqlite`] and [`sqlx::Postgres`]. (The column types whose stored
//! formats differ are in `types.rs`.)
//!
//! Everything else is the same text on both: sqlx's SQLite driver takes PostgreSQL's `$N`
//! placeholders, so a query is written once and run by a body that [`with_pool!`] compiles
//! once per backend.
//!
//! [`with_pool!`]: crate::db::with_pool

use std::future::Future;

use serde_json::{Map, Value};
use sqlx::postgres::PgRow;
use sqlx::query::QueryScalar;
use sqlx::sqlite::SqliteRow;
use sqlx::{
    Database, IntoArguments, PgConnection, Pool, Postgres, Row as _, Sqlite, SqliteConnection,
    Transaction,
};

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
}

/// A value for each dialect, for the few things that cannot be one text (DDL, mostly):
/// [`Dialect::pick`] takes the one of the database in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerDialect<T> {
    /// The SQLite value.
    pub sqlite: T,
    /// The PostgreSQL value.
    pub postgres: T,
}

/// A database `drf` runs on: [`sqlx::Sqlite`] or [`sqlx::Postgres`] (sealed).
///
/// The items below are the real differences between the two, each written once per dialect;
/// everything else is one text run by a body of [`with_pool!`](crate::db::with_pool), which
/// names the dialect `D` in its `for<D>` form.
///
/// The bounds: a dialect is a `sqlx::Database` whose `Arguments` are `IntoArguments` (what
/// `query(..).bind(..)` needs to run), stated as supertraits so that `D: Dialect` implies them.
/// The rest of what a query needs (`&mut D::Connection: Executor`, `String: Decode<'_, D>`, the
/// `FromRow` of a row type…) bounds other types than `D`, which Rust does not carry from a
/// trait to its users; in a [`with_pool!`](crate::db::with_pool) body `D` is the concrete
/// driver, so sqlx's own impls provide all of it and nothing needs restating.
pub trait Dialect:
    Database + sealed::Sealed + for<'q> Database<Arguments<'q>: IntoArguments<'q, Self>>
{
    /// One row when the table named by `$1` exists (on PostgreSQL: is visible on the
    /// `search_path`), none otherwise.
    const TABLE_EXISTS: &'static str;

    /// The column definition Django's `migrate` writes for an `AutoField` primary key
    /// (`id = models.AutoField(primary_key=True)`), after the column name.
    const AUTO_FIELD: &'static str;

    /// The column definition Django's `migrate` writes for a `BigAutoField` primary key (the
    /// default `DEFAULT_AUTO_FIELD` of new projects), after the column name.
    const BIG_AUTO_FIELD: &'static str;

    /// The column type of a Django `DateTimeField` (read and write it as
    /// [`DjangoDateTime`](super::DjangoDateTime)).
    const DATETIME_FIELD: &'static str;

    /// The column type of a Django `BooleanField` (read and write it as `bool`).
    const BOOLEAN_FIELD: &'static str;

    /// `values.sqlite` or `values.postgres`, whichever is this dialect's.
    fn pick<T>(values: PerDialect<T>) -> T;

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that concurrent writers wait for each other (up to the busy
    /// timeout) instead of failing when a read transaction tries to become a write one.
    fn begin_write(
        pool: &Pool<Self>,
    ) -> impl Future<Output = Result<Transaction<'static, Self>, sqlx::Error>> + Send + '_;

    // ---- used by the runtime's own queries; not part of the API ----------------------------

    /// Every relation a Django `migrate` would see, as one text column.
    #[doc(hidden)]
    const LIST_TABLES: &'static str;

    /// Serializes concurrent `migrate`s inside the transaction `begin_write` opened.
    #[doc(hidden)]
    fn lock_migrations(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send + '_;

    /// The SELECT expression of an extra user column (`column` quoted, qualified), decoded
    /// by [`Dialect::extra_value`].
    #[doc(hidden)]
    fn select_extra(column: &str) -> String;

    /// The source of `INSERT INTO table (..) <source>` for a user row: `values` (the
    /// placeholders and literals of the fixed columns) followed by the `extras` (quoted
    /// column names), whose values [`Dialect::bind_extras`] binds from parameter `$next` on.
    #[doc(hidden)]
    fn insert_source(table: &str, values: &str, extras: &[String], next: usize) -> String;

    /// Binds the values of the extra columns `names` as [`Dialect::insert_source`] expects.
    #[doc(hidden)]
    fn bind_extras<'q, O>(
        query: QueryScalar<'q, Self, O, Self::Arguments<'q>>,
        names: &[String],
        values: &Map<String, Value>,
    ) -> QueryScalar<'q, Self, O, Self::Arguments<'q>>;

    /// An extra user column as JSON.
    #[doc(hidden)]
    fn extra_value(row: &Self::Row, i: usize) -> Result<Value, sqlx::Error>;
}

/// Key of the transaction-scoped advisory lock that serializes concurrent `migrate`s on
/// PostgreSQL.
const MIGRATE_LOCK_KEY: i64 = 0x0064_7266_6d69_6772; // "drfmigr"

impl Dialect for Sqlite {
    const TABLE_EXISTS: &'static str =
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1";
    const AUTO_FIELD: &'static str = "integer NOT NULL PRIMARY KEY AUTOINCREMENT";
    const BIG_AUTO_FIELD: &'static str = "integer NOT NULL PRIMARY KEY AUTOINCREMENT";
    const DATETIME_FIELD: &'static str = "datetime";
    const BOOLEAN_FIELD: &'static str = "bool";
    const LIST_TABLES: &'static str = "SELECT name FROM sqlite_master WHERE type = 'table'";

    fn pick<T>(values: PerDialect<T>) -> T {
        values.sqlite
    }

    fn begin_write(
        pool: &Pool<Self>,
    ) -> impl Future<Output = Result<Transaction<'static, Self>, sqlx::Error>> + Send + '_ {
        pool.begin_with("BEGIN IMMEDIATE")
    }

    fn lock_migrations(
        _conn: &mut SqliteConnection,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send + '_ {
        // BEGIN IMMEDIATE already holds the database's write lock.
        std::future::ready(Ok(()))
    }

    fn select_extra(column: &str) -> String {
        column.to_owned()
    }

    fn insert_source(_table: &str, values: &str, extras: &[String], next: usize) -> String {
        let params: Vec<String> = (next..next + extras.len())
            .map(|n| format!("${n}"))
            .collect();
        format!("VALUES ({values}, {})", params.join(", "))
    }

    fn bind_extras<'q, O>(
        mut query: QueryScalar<'q, Self, O, Self::Arguments<'q>>,
        names: &[String],
        values: &Map<String, Value>,
    ) -> QueryScalar<'q, Self, O, Self::Arguments<'q>> {
        // Each value as its natural SQLite type.
        for name in names {
            query = match values.get(name) {
                None | Some(Value::Null) => query.bind(None::<String>),
                Some(Value::Bool(b)) => query.bind(*b),
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(i) => query.bind(i),
                    None => query.bind(n.as_f64()),
                },
                Some(Value::String(s)) => query.bind(s.clone()),
                Some(other) => query.bind(other.to_string()),
            };
        }
        query
    }

    /// By the value's storage class; booleans by the column's declared type.
    fn extra_value(row: &SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
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
}

impl Dialect for Postgres {
    const TABLE_EXISTS: &'static str =
        "SELECT 1 WHERE pg_catalog.to_regclass(quote_ident($1)) IS NOT NULL";
    const AUTO_FIELD: &'static str =
        "integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY";
    const BIG_AUTO_FIELD: &'static str =
        "bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY";
    const DATETIME_FIELD: &'static str = "timestamp with time zone";
    const BOOLEAN_FIELD: &'static str = "boolean";
    // Django's introspection: relations visible on the search_path.
    const LIST_TABLES: &'static str = "SELECT c.relname::text FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v') \
         AND n.nspname NOT IN ('pg_catalog', 'pg_toast') \
         AND pg_catalog.pg_table_is_visible(c.oid)";

    fn pick<T>(values: PerDialect<T>) -> T {
        values.postgres
    }

    fn begin_write(
        pool: &Pool<Self>,
    ) -> impl Future<Output = Result<Transaction<'static, Self>, sqlx::Error>> + Send + '_ {
        pool.begin()
    }

    async fn lock_migrations(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATE_LOCK_KEY)
            .execute(conn)
            .await
            .map(drop)
    }

    /// Any PostgreSQL type, as JSON text (decoded with serde_json).
    fn select_extra(column: &str) -> String {
        format!("to_jsonb({column})::text")
    }

    /// The extras arrive as one JSON object, typed by the table's own column types.
    fn insert_source(table: &str, values: &str, extras: &[String], next: usize) -> String {
        let columns: Vec<String> = extras.iter().map(|c| format!("r.{c}")).collect();
        format!(
            "SELECT {values}, {} FROM jsonb_populate_record(NULL::{table}, ${next}::jsonb) r",
            columns.join(", ")
        )
    }

    fn bind_extras<'q, O>(
        query: QueryScalar<'q, Self, O, Self::Arguments<'q>>,
        names: &[String],
        values: &Map<String, Value>,
    ) -> QueryScalar<'q, Self, O, Self::Arguments<'q>> {
        let object: Map<String, Value> = names
            .iter()
            .map(|name| {
                (
                    name.clone(),
                    values.get(name).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        query.bind(Value::Object(object).to_string())
    }

    /// Selected as `to_jsonb(col)::text`.
    fn extra_value(row: &PgRow, i: usize) -> Result<Value, sqlx::Error> {
        let Some(text) = row.try_get::<Option<String>, _>(i)? else {
            return Ok(Value::Null);
        };
        serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}
