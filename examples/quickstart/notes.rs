//! The notes table and its queries (SQLite, through the framework's own pool).

use drf::ApiError;
use drf::sqlx::{self, Row, SqlitePool};
use serde::Serialize;

/// A note, owned by one user.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub id: i64,
    pub owner: String,
    #[serde(skip)]
    pub owner_id: i64,
    pub title: String,
    pub body: String,
}

fn pool(app: &drf::App) -> Result<&SqlitePool, ApiError> {
    app.db()
        .as_sqlite()
        .ok_or_else(|| ApiError::Internal("the quickstart stores notes in SQLite".into()))
}

fn db_error(e: sqlx::Error) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Creates the notes table if it is missing (beside Django's tables).
pub async fn create_table(app: &drf::App) -> Result<(), ApiError> {
    sqlx::query(
        r#"CREATE TABLE IF NOT EXISTS "quickstart_note" (
            "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
            "owner_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED,
            "title" varchar(200) NOT NULL,
            "body" text NOT NULL
        )"#,
    )
    .execute(pool(app)?)
    .await
    .map_err(db_error)?;
    Ok(())
}

const SELECT: &str = r#"SELECT n."id", n."owner_id", u."username", n."title", n."body"
    FROM "quickstart_note" n JOIN "auth_user" u ON u."id" = n."owner_id""#;

fn from_row(r: &sqlx::sqlite::SqliteRow) -> Note {
    Note {
        id: r.get(0),
        owner_id: r.get(1),
        owner: r.get(2),
        title: r.get(3),
        body: r.get(4),
    }
}

/// The notes of one user, oldest first.
pub async fn list(app: &drf::App, owner_id: i64) -> Result<Vec<Note>, ApiError> {
    let rows = sqlx::query(&format!(
        r#"{SELECT} WHERE n."owner_id" = ? ORDER BY n."id""#
    ))
    .bind(owner_id)
    .fetch_all(pool(app)?)
    .await
    .map_err(db_error)?;
    Ok(rows.iter().map(from_row).collect())
}

/// One note by id, whoever owns it.
pub async fn get(app: &drf::App, id: i64) -> Result<Option<Note>, ApiError> {
    let row = sqlx::query(&format!(r#"{SELECT} WHERE n."id" = ?"#))
        .bind(id)
        .fetch_optional(pool(app)?)
        .await
        .map_err(db_error)?;
    Ok(row.as_ref().map(from_row))
}

/// Inserts a note and returns its id.
pub async fn insert(
    app: &drf::App,
    owner_id: i64,
    title: &str,
    body: &str,
) -> Result<i64, ApiError> {
    let row = sqlx::query(
        r#"INSERT INTO "quickstart_note" ("owner_id", "title", "body") VALUES (?, ?, ?) RETURNING "id""#,
    )
    .bind(owner_id)
    .bind(title)
    .bind(body)
    .fetch_one(pool(app)?)
    .await
    .map_err(db_error)?;
    Ok(row.get(0))
}

/// Replaces a note's title and body.
pub async fn update(app: &drf::App, id: i64, title: &str, body: &str) -> Result<(), ApiError> {
    sqlx::query(r#"UPDATE "quickstart_note" SET "title" = ?, "body" = ? WHERE "id" = ?"#)
        .bind(title)
        .bind(body)
        .bind(id)
        .execute(pool(app)?)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Deletes a note.
pub async fn delete(app: &drf::App, id: i64) -> Result<(), ApiError> {
    sqlx::query(r#"DELETE FROM "quickstart_note" WHERE "id" = ?"#)
        .bind(id)
        .execute(pool(app)?)
        .await
        .map_err(db_error)?;
    Ok(())
}
