//! The notes table and its queries, through the framework's own pool: SQLite or PostgreSQL,
//! whichever `DATABASE_URL` names. Each query is one text (`$N` placeholders serve both) run by
//! `with_pool!`, which compiles its body once per backend.

use drf::ApiError;
use drf::db::{DbError, Dialect, Id, with_pool};
use drf::sqlx;
use serde::Serialize;

/// A note, owned by one user.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Note {
    pub id: i64,
    pub owner: String,
    #[serde(skip)]
    pub owner_id: i64,
    pub title: String,
    pub body: String,
}

/// A row of [`SELECT`]. (With sqlx as a dependency of your crate, `#[derive(sqlx::FromRow)]`
/// on `Note` does the same; see the `drf::db` documentation.) `owner_id` references
/// `auth_user.id`, an `integer` on PostgreSQL: [`Id`] reads either width.
type NoteRow = (i64, Id, String, String, String);

impl From<NoteRow> for Note {
    fn from((id, owner_id, owner, title, body): NoteRow) -> Self {
        Self {
            id,
            owner,
            owner_id: owner_id.into(),
            title,
            body,
        }
    }
}

fn db_error(e: sqlx::Error) -> ApiError {
    ApiError::from(DbError::from(e))
}

/// Creates the notes table if it is missing (beside Django's tables). The primary key is the
/// one place where the two dialects differ, so the dialect supplies it.
pub async fn create_table(app: &drf::App) -> Result<(), ApiError> {
    let ddl = |id: &str| {
        format!(
            r#"CREATE TABLE IF NOT EXISTS "quickstart_note" (
                "id" {id},
                "owner_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED,
                "title" varchar(200) NOT NULL,
                "body" text NOT NULL
            )"#
        )
    };
    with_pool!(app.db(), for<D> |pool| {
        sqlx::query(&ddl(D::BIG_AUTO_FIELD))
            .execute(pool)
            .await
            .map(drop)
    })
    .map_err(db_error)
}

const SELECT: &str = r#"SELECT n."id", n."owner_id", u."username", n."title", n."body"
    FROM "quickstart_note" n JOIN "auth_user" u ON u."id" = n."owner_id""#;

/// The first `limit` notes of one user, oldest first.
pub async fn list(app: &drf::App, owner_id: i64, limit: i64) -> Result<Vec<Note>, ApiError> {
    let sql =
        format!(r#"{SELECT} WHERE n."owner_id" = CAST($1 AS integer) ORDER BY n."id" LIMIT $2"#);
    let rows: Vec<NoteRow> = with_pool!(app.db(), |pool| {
        sqlx::query_as(&sql)
            .bind(owner_id)
            .bind(limit)
            .fetch_all(pool)
            .await
    })
    .map_err(db_error)?;
    Ok(rows.into_iter().map(Note::from).collect())
}

/// One note by id, whoever owns it.
pub async fn get(app: &drf::App, id: i64) -> Result<Option<Note>, ApiError> {
    let sql = format!(r#"{SELECT} WHERE n."id" = $1"#);
    let row: Option<NoteRow> = with_pool!(app.db(), |pool| {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
    })
    .map_err(db_error)?;
    Ok(row.map(Note::from))
}

/// Inserts a note and returns its id.
pub async fn insert(
    app: &drf::App,
    owner_id: i64,
    title: &str,
    body: &str,
) -> Result<i64, ApiError> {
    const INSERT: &str = r#"INSERT INTO "quickstart_note" ("owner_id", "title", "body") VALUES (CAST($1 AS integer), $2, $3) RETURNING "id""#;
    with_pool!(app.db(), |pool| {
        sqlx::query_scalar(INSERT)
            .bind(owner_id)
            .bind(title)
            .bind(body)
            .fetch_one(pool)
            .await
    })
    .map_err(db_error)
}

/// Replaces a note's title and body.
pub async fn update(app: &drf::App, id: i64, title: &str, body: &str) -> Result<(), ApiError> {
    const UPDATE: &str =
        r#"UPDATE "quickstart_note" SET "title" = $1, "body" = $2 WHERE "id" = $3"#;
    with_pool!(app.db(), |pool| {
        sqlx::query(UPDATE)
            .bind(title)
            .bind(body)
            .bind(id)
            .execute(pool)
            .await
            .map(drop)
    })
    .map_err(db_error)
}

/// Deletes a note.
pub async fn delete(app: &drf::App, id: i64) -> Result<(), ApiError> {
    const DELETE: &str = r#"DELETE FROM "quickstart_note" WHERE "id" = $1"#;
    with_pool!(app.db(), |pool| {
        sqlx::query(DELETE).bind(id).execute(pool).await.map(drop)
    })
    .map_err(db_error)
}
