//! Tests of migrate and the queries on SQLite (in memory and a file) and, when
//! `DRF_TEST_POSTGRES_URL` is set, PostgreSQL (each test in a fresh database it creates and
//! drops). Without that variable at build time the `pg_*` tests are reported as ignored.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, PgConnection};

use super::schema::tests::sqlite_create_table;
use super::*;
use crate::hashers::random_string;

// ---- fixtures -------------------------------------------------------------------------------

async fn memory_db() -> Db {
    let db = Db::connect("sqlite::memory:")
        .await
        .expect("connect memory");
    db.migrate().await.expect("migrate");
    db
}

/// A SQLite file in the temp dir, removed (with its WAL files) on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new() -> Self {
        let name = format!(
            "drf-db-test-{}-{}.sqlite3",
            std::process::id(),
            random_string(10, "abcdefghijklmnopqrstuvwxyz")
        );
        Self(std::env::temp_dir().join(name))
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A fresh PostgreSQL database created from `DRF_TEST_POSTGRES_URL`, dropped by `finish`.
struct PgTestDb {
    db: Db,
    admin: PgConnectOptions,
    name: String,
}

async fn pg_test_db() -> PgTestDb {
    let url = crate::testing::postgres_url().expect("DRF_TEST_POSTGRES_URL is set");
    let admin = PgConnectOptions::from_str(&url).expect("DRF_TEST_POSTGRES_URL is a valid URL");
    let name = format!(
        "drf_test_{}",
        random_string(12, "abcdefghijklmnopqrstuvwxyz0123456789")
    );
    let mut conn = PgConnection::connect_with(&admin)
        .await
        .expect("connect to DRF_TEST_POSTGRES_URL");
    sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE (the test role needs CREATEDB)");
    let _ = conn.close().await;
    let db = Db::connect_postgres(admin.clone().database(&name), Duration::from_secs(10))
        .await
        .expect("connect to the test database");
    PgTestDb { db, admin, name }
}

impl PgTestDb {
    /// Another pool on the same database (a second "instance").
    async fn second_pool(&self) -> Db {
        Db::connect_postgres(
            self.admin.clone().database(&self.name),
            Duration::from_secs(10),
        )
        .await
        .expect("second pool")
    }

    async fn finish(self) {
        self.db.close().await;
        if let Ok(mut conn) = PgConnection::connect_with(&self.admin).await {
            let _ = sqlx::raw_sql(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await;
            let _ = conn.close().await;
        }
    }
}

// ---- raw helpers ----------------------------------------------------------------------------

async fn exec(db: &Db, sql: &str) {
    match &db.pool {
        Pool::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
        Pool::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(db: &Db, sql: &str) -> i64 {
    match &db.pool {
        Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        Pool::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Rows of text columns (cast them to text in the SQL).
async fn texts(db: &Db, sql: &str) -> Vec<Vec<Option<String>>> {
    fn collect<R: sqlx::Row>(rows: Vec<R>) -> Vec<Vec<Option<String>>>
    where
        for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<Option<String>, _>(i).expect("text column"))
                    .collect()
            })
            .collect()
    }
    match &db.pool {
        Pool::Sqlite(p) => sqlx::query(sql).fetch_all(p).await.map(collect),
        Pool::Postgres(p) => sqlx::query(sql).fetch_all(p).await.map(collect),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn is_django_text_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let shape_ok = |pattern: &[u8]| {
        b.len() == pattern.len()
            && b.iter().zip(pattern).all(|(c, p)| {
                if *p == b'9' {
                    c.is_ascii_digit()
                } else {
                    c == p
                }
            })
    };
    shape_ok(b"9999-99-99 99:99:99") || shape_ok(b"9999-99-99 99:99:99.999999")
}

// ---- suites shared by every backend ---------------------------------------------------------

/// Migrate on an empty database, twice.
async fn migrate_suite(db: &Db) {
    let first = db.migrate().await.expect("migrate");
    assert_eq!(
        first.created_tables,
        [
            "django_migrations",
            "django_content_type",
            "auth_permission",
            "auth_group",
            "auth_group_permissions",
            "auth_user",
            "auth_user_groups",
            "auth_user_user_permissions",
            "authtoken_token",
            "django_session",
        ]
    );
    assert_eq!(first.recorded_migrations, MIGRATIONS);
    assert!(first.already_migrated_apps.is_empty());

    let second = db.migrate().await.expect("second migrate");
    assert!(second.is_noop(), "{second:?}");
    assert_eq!(
        second.already_migrated_apps,
        ["contenttypes", "auth", "authtoken", "sessions"]
    );

    let rows = texts(
        db,
        r#"SELECT CAST("app" AS TEXT), CAST("name" AS TEXT) FROM "django_migrations" ORDER BY "id""#,
    )
    .await;
    let rows: Vec<(String, String)> = rows
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].clone().unwrap_or_default(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = MIGRATIONS
        .iter()
        .map(|(a, n)| ((*a).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(rows, want, "django_migrations holds exactly §1.1's rows");
    // Django's own tables are empty: their rows come from Django's post_migrate signal.
    assert_eq!(count(db, r#"SELECT COUNT(*) FROM "auth_user""#).await, 0);
    assert_eq!(
        count(db, r#"SELECT COUNT(*) FROM "django_content_type""#).await,
        0
    );
}

async fn crud_suite(db: &Db) {
    // create
    let alice = db
        .create_user(NewUser {
            email: "alice@example.com".into(),
            first_name: "Alice".into(),
            last_name: "Liddell".into(),
            is_staff: true,
            ..NewUser::new("alice", "pbkdf2_sha256$1000$salt$hash")
        })
        .await
        .expect("create alice");
    let alice_id = alice.id.expect("id");
    assert!(alice_id > 0);
    assert!(alice.is_active && alice.is_staff && !alice.is_superuser);
    assert!(alice.last_login.is_none());
    let joined = alice.date_joined.expect("date_joined");
    assert!(
        (chrono::Utc::now().naive_utc() - joined)
            .num_seconds()
            .abs()
            < 60
    );

    let err = db
        .create_user(NewUser::new("alice", "x"))
        .await
        .expect_err("duplicate");
    assert_eq!(err, DbError::UsernameTaken);
    assert!(!err.is_unavailable());

    let bob = db
        .create_user(NewUser::new("Alice", "!unusable"))
        .await
        .expect("usernames are case-sensitive");
    let bob_id = bob.id.expect("id");
    assert_ne!(bob_id, alice_id);

    // read
    let found = db
        .user_by_username("alice")
        .await
        .expect("query")
        .expect("alice");
    assert_eq!(found, alice, "what create_user returns is what is stored");
    assert_eq!(
        db.user_by_username("Alice")
            .await
            .expect("q")
            .and_then(|u| u.id),
        Some(bob_id)
    );
    assert!(db.user_by_username("ALICE").await.expect("q").is_none());
    assert!(db.user_by_username("alice ").await.expect("q").is_none());
    assert!(db.user_by_username("ali\0ce").await.expect("q").is_none());
    assert!(db.user_by_username("").await.expect("q").is_none());
    assert_eq!(
        db.user_by_id(alice_id).await.expect("q"),
        Some(alice.clone())
    );
    assert!(db.user_by_id(-1).await.expect("q").is_none());
    assert!(db.user_by_id(i64::MAX).await.expect("q").is_none());

    // tokens
    assert!(db.token_for_user(alice_id).await.expect("q").is_none());
    let t1 = db
        .get_or_create_token(alice_id)
        .await
        .expect("create token");
    assert_eq!(t1.key.len(), 40);
    assert_eq!(t1.user_id, alice_id);
    assert!(t1.created.is_some());
    let t2 = db.get_or_create_token(alice_id).await.expect("get token");
    assert_eq!(t2, t1, "an existing key is reused");
    assert_eq!(
        db.token_for_user(alice_id).await.expect("q"),
        Some(t1.clone())
    );

    let (tok, owner) = db
        .token_with_user(&t1.key)
        .await
        .expect("q")
        .expect("token found");
    assert_eq!(tok, t1);
    assert_eq!(owner, alice);
    assert!(
        db.token_with_user(&t1.key.to_uppercase())
            .await
            .expect("q")
            .is_none()
    );
    assert!(db.token_with_user("").await.expect("q").is_none());
    assert!(db.token_with_user("nope\0").await.expect("q").is_none());
    assert!(
        db.token_with_user(&"a".repeat(41))
            .await
            .expect("q")
            .is_none()
    );

    let t3 = db.reset_token(alice_id).await.expect("reset");
    assert_ne!(t3.key, t1.key);
    assert!(
        db.token_with_user(&t1.key).await.expect("q").is_none(),
        "old key revoked"
    );
    assert_eq!(
        db.token_with_user(&t3.key)
            .await
            .expect("q")
            .map(|(t, _)| t),
        Some(t3.clone())
    );
    let bob_token = db
        .reset_token(bob_id)
        .await
        .expect("reset without a token creates one");
    assert_eq!(
        db.get_or_create_token(bob_id).await.expect("get"),
        bob_token
    );

    assert_eq!(
        db.get_or_create_token(999_999).await,
        Err(DbError::UserNotFound)
    );
    assert_eq!(db.reset_token(999_999).await, Err(DbError::UserNotFound));
    assert!(db.token_for_user(999_999).await.expect("q").is_none());

    // updates
    db.set_password(alice_id, "pbkdf2_sha256$2000$salt$new")
        .await
        .expect("set");
    let login_at = db.update_last_login(alice_id).await.expect("last_login");
    let again = db.user_by_id(alice_id).await.expect("q").expect("alice");
    assert_eq!(again.password, "pbkdf2_sha256$2000$salt$new");
    assert_eq!(again.last_login, Some(login_at));
    assert_eq!(again.date_joined, alice.date_joined);
    db.set_password(999_999, "x")
        .await
        .expect("missing user is not an error");
    // A rehash writes only over the hash it verified.
    let stale = "pbkdf2_sha256$1000$salt$old";
    assert!(
        !db.replace_password(alice_id, stale, "pbkdf2_sha256$3000$salt$re")
            .await
            .expect("replace")
    );
    let kept = db.user_by_id(alice_id).await.expect("q").expect("alice");
    assert_eq!(kept.password, "pbkdf2_sha256$2000$salt$new");
    assert!(
        db.replace_password(
            alice_id,
            "pbkdf2_sha256$2000$salt$new",
            "pbkdf2_sha256$3000$salt$re"
        )
        .await
        .expect("replace")
    );
    let re = db.user_by_id(alice_id).await.expect("q").expect("alice");
    assert_eq!(re.password, "pbkdf2_sha256$3000$salt$re");
    assert!(
        !db.replace_password(999_999, "x", "y")
            .await
            .expect("missing user")
    );
    db.update_last_login(999_999)
        .await
        .expect("missing user is not an error");

    // delete, with every kind of dependent row
    exec(
        db,
        &format!(
            r#"INSERT INTO "django_content_type" ("id", "app_label", "model") VALUES (9001, 'auth', 'user');
               INSERT INTO "auth_permission" ("id", "name", "content_type_id", "codename") VALUES (9001, 'Can add user', 9001, 'add_user');
               INSERT INTO "auth_group" ("id", "name") VALUES (9001, 'editors');
               INSERT INTO "auth_user_groups" ("user_id", "group_id") VALUES ({alice_id}, 9001);
               INSERT INTO "auth_user_user_permissions" ("user_id", "permission_id") VALUES ({alice_id}, 9001);
               INSERT INTO "auth_group_permissions" ("group_id", "permission_id") VALUES (9001, 9001);"#
        ),
    )
    .await;
    assert!(db.delete_user(alice_id).await.expect("delete"));
    assert!(db.user_by_id(alice_id).await.expect("q").is_none());
    assert!(db.token_with_user(&t3.key).await.expect("q").is_none());
    for table in [
        "auth_user_groups",
        "auth_user_user_permissions",
        "authtoken_token",
    ] {
        let n = count(
            db,
            &format!(r#"SELECT COUNT(*) FROM "{table}" WHERE "user_id" = {alice_id}"#),
        )
        .await;
        assert_eq!(n, 0, "{table}");
    }
    // The group and its permissions stay.
    assert_eq!(
        count(db, r#"SELECT COUNT(*) FROM "auth_group_permissions""#).await,
        1
    );
    assert!(!db.delete_user(alice_id).await.expect("delete again"));
    // Bob is untouched.
    assert!(
        db.token_with_user(&bob_token.key)
            .await
            .expect("q")
            .is_some()
    );
}

/// `django_admin_log` rows go with the user; rows of unknown tables block the delete, which
/// then changes nothing.
async fn delete_cascade_suite(db: &Db) {
    let datetime_type = if db.is_postgres() {
        "timestamp with time zone"
    } else {
        "datetime"
    };
    exec(
        db,
        &format!(
            r#"CREATE TABLE "django_admin_log" ("id" integer NOT NULL PRIMARY KEY, "action_time" {datetime_type} NOT NULL, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)"#
        ),
    )
    .await;
    let u = db
        .create_user(NewUser::new("carol", "x"))
        .await
        .expect("create");
    let id = u.id.expect("id");
    db.get_or_create_token(id).await.expect("token");
    exec(
        db,
        &format!(
            r#"INSERT INTO "django_admin_log" ("id", "action_time", "user_id") VALUES (1, '2030-01-02 03:04:05', {id})"#
        ),
    )
    .await;
    assert!(db.delete_user(id).await.expect("delete"));
    assert_eq!(
        count(db, r#"SELECT COUNT(*) FROM "django_admin_log""#).await,
        0
    );

    // A project table referencing auth_user without ON DELETE: the delete fails as a whole.
    exec(
        db,
        r#"CREATE TABLE "app_note" ("id" integer NOT NULL PRIMARY KEY, "owner_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)"#,
    )
    .await;
    let d = db
        .create_user(NewUser::new("dave", "x"))
        .await
        .expect("create");
    let id = d.id.expect("id");
    let token = db.get_or_create_token(id).await.expect("token");
    exec(
        db,
        &format!(r#"INSERT INTO "app_note" ("id", "owner_id") VALUES (1, {id})"#),
    )
    .await;
    let err = db.delete_user(id).await.expect_err("blocked by app_note");
    assert!(matches!(err, DbError::Other(_)), "{err:?}");
    assert!(db.user_by_id(id).await.expect("q").is_some(), "rolled back");
    assert!(
        db.token_with_user(&token.key).await.expect("q").is_some(),
        "the token delete was rolled back too"
    );
}

/// Many concurrent `get_or_create_token` calls for one user agree on a single key.
async fn concurrent_tokens_suite(db: &Db) {
    let u = db
        .create_user(NewUser::new("erin", "x"))
        .await
        .expect("create");
    let id = u.id.expect("id");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.get_or_create_token(id).await })
        })
        .collect();
    let mut keys = BTreeSet::new();
    for t in tasks {
        keys.insert(t.await.expect("task").expect("token").key);
    }
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(
        count(
            db,
            &format!(r#"SELECT COUNT(*) FROM "authtoken_token" WHERE "user_id" = {id}"#)
        )
        .await,
        1
    );
}

/// A database Django migrated without DRF's authtoken: only authtoken is added.
async fn partial_django_database_suite(db: &Db) {
    db.migrate().await.expect("migrate");
    exec(
        db,
        r#"DROP TABLE "authtoken_token"; DELETE FROM "django_migrations" WHERE "app" = 'authtoken'; INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('admin', '0001_initial', '2030-01-02 03:04:05');"#,
    )
    .await;
    let report = db.migrate().await.expect("migrate");
    assert_eq!(report.created_tables, ["authtoken_token"]);
    assert_eq!(
        report.recorded_migrations,
        MIGRATIONS
            .iter()
            .copied()
            .filter(|(app, _)| *app == "authtoken")
            .collect::<Vec<_>>()
    );
    assert_eq!(
        report.already_migrated_apps,
        ["contenttypes", "auth", "sessions"]
    );
    assert_eq!(
        count(db, r#"SELECT COUNT(*) FROM "django_migrations""#).await,
        20
    );
    assert!(db.migrate().await.expect("again").is_noop());
}

// ---- SQLite ---------------------------------------------------------------------------------

/// `sqlite_master` of a database made by Django 6.1.3 + DRF 3.18.3 `migrate` (without admin),
/// as (type, name, table, sql).
const DJANGO_SQLITE_MASTER: &[(&str, &str, &str, &str)] = &[
    (
        "table",
        "django_migrations",
        "django_migrations",
        r#"CREATE TABLE "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL)"#,
    ),
    (
        "table",
        "sqlite_sequence",
        "sqlite_sequence",
        "CREATE TABLE sqlite_sequence(name,seq)",
    ),
    (
        "table",
        "django_content_type",
        "django_content_type",
        r#"CREATE TABLE "django_content_type" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app_label" varchar(100) NOT NULL, "model" varchar(100) NOT NULL)"#,
    ),
    (
        "index",
        "django_content_type_app_label_model_76bd3d3b_uniq",
        "django_content_type",
        r#"CREATE UNIQUE INDEX "django_content_type_app_label_model_76bd3d3b_uniq" ON "django_content_type" ("app_label", "model")"#,
    ),
    (
        "table",
        "auth_group_permissions",
        "auth_group_permissions",
        r#"CREATE TABLE "auth_group_permissions" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "group_id" integer NOT NULL REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED, "permission_id" integer NOT NULL REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED)"#,
    ),
    (
        "table",
        "auth_user_groups",
        "auth_user_groups",
        r#"CREATE TABLE "auth_user_groups" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "group_id" integer NOT NULL REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED)"#,
    ),
    (
        "table",
        "auth_user_user_permissions",
        "auth_user_user_permissions",
        r#"CREATE TABLE "auth_user_user_permissions" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "permission_id" integer NOT NULL REFERENCES "auth_permission" ("id") DEFERRABLE INITIALLY DEFERRED)"#,
    ),
    (
        "index",
        "auth_group_permissions_group_id_permission_id_0cd325b0_uniq",
        "auth_group_permissions",
        r#"CREATE UNIQUE INDEX "auth_group_permissions_group_id_permission_id_0cd325b0_uniq" ON "auth_group_permissions" ("group_id", "permission_id")"#,
    ),
    (
        "index",
        "auth_group_permissions_group_id_b120cbf9",
        "auth_group_permissions",
        r#"CREATE INDEX "auth_group_permissions_group_id_b120cbf9" ON "auth_group_permissions" ("group_id")"#,
    ),
    (
        "index",
        "auth_group_permissions_permission_id_84c5c92e",
        "auth_group_permissions",
        r#"CREATE INDEX "auth_group_permissions_permission_id_84c5c92e" ON "auth_group_permissions" ("permission_id")"#,
    ),
    (
        "index",
        "auth_user_groups_user_id_group_id_94350c0c_uniq",
        "auth_user_groups",
        r#"CREATE UNIQUE INDEX "auth_user_groups_user_id_group_id_94350c0c_uniq" ON "auth_user_groups" ("user_id", "group_id")"#,
    ),
    (
        "index",
        "auth_user_groups_user_id_6a12ed8b",
        "auth_user_groups",
        r#"CREATE INDEX "auth_user_groups_user_id_6a12ed8b" ON "auth_user_groups" ("user_id")"#,
    ),
    (
        "index",
        "auth_user_groups_group_id_97559544",
        "auth_user_groups",
        r#"CREATE INDEX "auth_user_groups_group_id_97559544" ON "auth_user_groups" ("group_id")"#,
    ),
    (
        "index",
        "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq",
        "auth_user_user_permissions",
        r#"CREATE UNIQUE INDEX "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq" ON "auth_user_user_permissions" ("user_id", "permission_id")"#,
    ),
    (
        "index",
        "auth_user_user_permissions_user_id_a95ead1b",
        "auth_user_user_permissions",
        r#"CREATE INDEX "auth_user_user_permissions_user_id_a95ead1b" ON "auth_user_user_permissions" ("user_id")"#,
    ),
    (
        "index",
        "auth_user_user_permissions_permission_id_1fbb5f2c",
        "auth_user_user_permissions",
        r#"CREATE INDEX "auth_user_user_permissions_permission_id_1fbb5f2c" ON "auth_user_user_permissions" ("permission_id")"#,
    ),
    (
        "table",
        "auth_permission",
        "auth_permission",
        r#"CREATE TABLE "auth_permission" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "content_type_id" integer NOT NULL REFERENCES "django_content_type" ("id") DEFERRABLE INITIALLY DEFERRED, "codename" varchar(100) NOT NULL, "name" varchar(255) NOT NULL)"#,
    ),
    (
        "index",
        "auth_permission_content_type_id_codename_01ab375a_uniq",
        "auth_permission",
        r#"CREATE UNIQUE INDEX "auth_permission_content_type_id_codename_01ab375a_uniq" ON "auth_permission" ("content_type_id", "codename")"#,
    ),
    (
        "index",
        "auth_permission_content_type_id_2f476e4b",
        "auth_permission",
        r#"CREATE INDEX "auth_permission_content_type_id_2f476e4b" ON "auth_permission" ("content_type_id")"#,
    ),
    (
        "table",
        "auth_group",
        "auth_group",
        r#"CREATE TABLE "auth_group" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(150) NOT NULL UNIQUE)"#,
    ),
    ("index", "sqlite_autoindex_auth_group_1", "auth_group", ""),
    (
        "table",
        "auth_user",
        "auth_user",
        r#"CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)"#,
    ),
    ("index", "sqlite_autoindex_auth_user_1", "auth_user", ""),
    (
        "table",
        "authtoken_token",
        "authtoken_token",
        r#"CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)"#,
    ),
    (
        "index",
        "sqlite_autoindex_authtoken_token_1",
        "authtoken_token",
        "",
    ),
    (
        "index",
        "sqlite_autoindex_authtoken_token_2",
        "authtoken_token",
        "",
    ),
    (
        "table",
        "django_session",
        "django_session",
        r#"CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)"#,
    ),
    (
        "index",
        "sqlite_autoindex_django_session_1",
        "django_session",
        "",
    ),
    (
        "index",
        "django_session_expire_date_a5c62663",
        "django_session",
        r#"CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")"#,
    ),
];

#[tokio::test]
async fn sqlite_migrate_roundtrip() {
    let db = Db::connect("sqlite::memory:").await.expect("connect");
    assert!(!db.is_postgres());
    migrate_suite(&db).await;
}

#[tokio::test]
async fn sqlite_schema_is_djangos_verbatim() {
    let db = memory_db().await;
    let rows = texts(
        &db,
        "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name",
    )
    .await;
    let got: BTreeSet<(String, String, String, String)> = rows
        .into_iter()
        .map(|r| {
            let s = |i: usize| r[i].clone().unwrap_or_default();
            (s(0), s(1), s(2), s(3))
        })
        .collect();
    let want: BTreeSet<(String, String, String, String)> = DJANGO_SQLITE_MASTER
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    // The three tables the runtime reads, spelled out (docs/django-compat.md §1.2).
    for name in ["auth_user", "authtoken_token", "django_session"] {
        let sql = texts(
            &db,
            &format!("SELECT sql FROM sqlite_master WHERE name = '{name}'"),
        )
        .await;
        assert_eq!(
            sql[0][0].as_deref(),
            Some(sqlite_create_table(name)),
            "{name}"
        );
    }
    // Foreign keys are enforced, as Django turns them on.
    assert_eq!(count(&db, "PRAGMA foreign_keys").await, 1);
}

#[tokio::test]
async fn sqlite_stores_django_datetime_text() {
    let db = memory_db().await;
    let u = db
        .create_user(NewUser::new("frank", "x"))
        .await
        .expect("create");
    let id = u.id.expect("id");
    db.update_last_login(id).await.expect("login");
    db.get_or_create_token(id).await.expect("token");
    let rows = texts(
        &db,
        r#"SELECT "date_joined", "last_login", typeof("date_joined"), (SELECT "created" FROM "authtoken_token"), (SELECT "applied" FROM "django_migrations" LIMIT 1), CAST("is_active" AS TEXT), CAST("is_staff" AS TEXT) FROM "auth_user""#,
    )
    .await;
    let r = &rows[0];
    for i in [0, 1, 3, 4] {
        let v = r[i].as_deref().unwrap_or_default();
        assert!(is_django_text_datetime(v), "column {i}: {v:?}");
    }
    assert_eq!(r[2].as_deref(), Some("text"));
    assert_eq!(
        (r[5].as_deref(), r[6].as_deref()),
        (Some("1"), Some("0")),
        "booleans are 0/1"
    );
    let stored = db.user_by_id(id).await.expect("q").expect("user");
    assert_eq!(
        r[0].as_deref(),
        stored.date_joined.map(format_django_datetime).as_deref()
    );
}

#[tokio::test]
async fn sqlite_reads_datetimes_django_may_have_written() {
    let db = memory_db().await;
    exec(
        &db,
        r#"INSERT INTO "auth_user" ("password", "last_login", "is_superuser", "username", "last_name", "email", "is_staff", "is_active", "date_joined", "first_name")
           VALUES ('x', '2030-01-02 03:04:05', 1, 'django', '', '', 1, 0, '2030-01-02T03:04:05.000123+02:00', '')"#,
    )
    .await;
    let u = db
        .user_by_username("django")
        .await
        .expect("q")
        .expect("row");
    assert_eq!(
        u.last_login.map(format_django_datetime).as_deref(),
        Some("2030-01-02 03:04:05")
    );
    assert_eq!(
        u.date_joined.map(format_django_datetime).as_deref(),
        Some("2030-01-02 01:04:05.000123")
    );
    assert!(u.is_superuser && u.is_staff && !u.is_active);
    // Garbage in a datetime column reads as None instead of failing the row.
    exec(&db, r#"UPDATE "auth_user" SET "last_login" = 'not a date'"#).await;
    let u = db
        .user_by_username("django")
        .await
        .expect("q")
        .expect("row");
    assert!(u.last_login.is_none());
}

#[tokio::test]
async fn sqlite_crud() {
    let db = memory_db().await;
    crud_suite(&db).await;
}

#[tokio::test]
async fn sqlite_delete_cascade() {
    let db = memory_db().await;
    delete_cascade_suite(&db).await;
}

#[tokio::test]
async fn sqlite_partial_django_database() {
    let db = Db::connect("sqlite::memory:").await.expect("connect");
    partial_django_database_suite(&db).await;
}

#[tokio::test]
async fn sqlite_existing_tables_are_left_alone() {
    let db = Db::connect("sqlite::memory:").await.expect("connect");
    // A django_session made by something else, and no django_migrations at all.
    let custom = r#"CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL, "extra" text NULL)"#;
    exec(&db, custom).await;
    let report = db.migrate().await.expect("migrate");
    assert!(!report.created_tables.contains(&"django_session"));
    assert!(
        report
            .recorded_migrations
            .contains(&("sessions", "0001_initial"))
    );
    let sql = texts(
        &db,
        "SELECT sql FROM sqlite_master WHERE name = 'django_session'",
    )
    .await;
    assert_eq!(sql[0][0].as_deref(), Some(custom));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_is_created_and_shared() {
    let file = TempFile::new();
    assert!(!file.0.exists());
    let url = file.url();
    let (a, b) = tokio::join!(Db::connect(&url), Db::connect(&url));
    let (a, b) = (a.expect("connect a"), b.expect("connect b"));
    assert!(file.0.exists(), "created if missing");
    // Two instances migrating at once: one creates, the other sees it done.
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    let (ra, rb) = (ra.expect("migrate a"), rb.expect("migrate b"));
    assert!(ra.is_noop() != rb.is_noop(), "{ra:?} {rb:?}");
    assert_eq!(
        count(&a, r#"SELECT COUNT(*) FROM "django_migrations""#).await,
        19
    );
    assert_eq!(
        texts(&a, "PRAGMA journal_mode").await[0][0].as_deref(),
        Some("wal")
    );
    crud_suite(&a).await;
    concurrent_tokens_suite(&a).await;
    // A token created through one pool is visible (and revocable) through the other at once.
    let u = b
        .create_user(NewUser::new("shared", "x"))
        .await
        .expect("create");
    let t = b
        .get_or_create_token(u.id.expect("id"))
        .await
        .expect("token");
    assert!(a.token_with_user(&t.key).await.expect("q").is_some());
    b.reset_token(u.id.expect("id")).await.expect("reset");
    assert!(a.token_with_user(&t.key).await.expect("q").is_none());
    a.close().await;
    b.close().await;
    // Reopening finds everything in place.
    let c = Db::connect(&url).await.expect("reopen");
    assert!(c.migrate().await.expect("migrate").is_noop());
    assert!(c.user_by_username("shared").await.expect("q").is_some());
    c.close().await;
}

#[tokio::test]
async fn sqlite_memory_concurrent_tokens() {
    let db = memory_db().await;
    concurrent_tokens_suite(&db).await;
}

#[tokio::test]
async fn closed_pool_is_unavailable() {
    let db = memory_db().await;
    db.ping().await.expect("ping");
    db.close().await;
    let e = db.ping().await.expect_err("closed");
    assert!(e.is_unavailable(), "{e}");
    let e = db.user_by_username("x").await.expect_err("closed");
    assert!(e.is_unavailable(), "{e}");
}

#[tokio::test]
async fn unmigrated_database_is_an_error_not_a_panic() {
    let db = Db::connect("sqlite::memory:").await.expect("connect");
    let e = db.user_by_username("x").await.expect_err("no table");
    assert!(!e.is_unavailable(), "{e}");
    assert!(e.to_string().contains("auth_user"), "{e}");
}

// ---- PostgreSQL -----------------------------------------------------------------------------

/// Columns of Django 6.1.3's PostgreSQL tables (from `pg_dump --schema-only`), in order, as
/// (table, column, type, nullable).
const DJANGO_PG_COLUMNS: &[(&str, &str, &str, &str)] = &[
    ("auth_group", "id", "integer", "NO"),
    ("auth_group", "name", "character varying(150)", "NO"),
    ("auth_group_permissions", "id", "bigint", "NO"),
    ("auth_group_permissions", "group_id", "integer", "NO"),
    ("auth_group_permissions", "permission_id", "integer", "NO"),
    ("auth_permission", "id", "integer", "NO"),
    ("auth_permission", "name", "character varying(255)", "NO"),
    ("auth_permission", "content_type_id", "integer", "NO"),
    (
        "auth_permission",
        "codename",
        "character varying(100)",
        "NO",
    ),
    ("auth_user", "id", "integer", "NO"),
    ("auth_user", "password", "character varying(128)", "NO"),
    ("auth_user", "last_login", "timestamp with time zone", "YES"),
    ("auth_user", "is_superuser", "boolean", "NO"),
    ("auth_user", "username", "character varying(150)", "NO"),
    ("auth_user", "first_name", "character varying(150)", "NO"),
    ("auth_user", "last_name", "character varying(150)", "NO"),
    ("auth_user", "email", "character varying(254)", "NO"),
    ("auth_user", "is_staff", "boolean", "NO"),
    ("auth_user", "is_active", "boolean", "NO"),
    ("auth_user", "date_joined", "timestamp with time zone", "NO"),
    ("auth_user_groups", "id", "bigint", "NO"),
    ("auth_user_groups", "user_id", "integer", "NO"),
    ("auth_user_groups", "group_id", "integer", "NO"),
    ("auth_user_user_permissions", "id", "bigint", "NO"),
    ("auth_user_user_permissions", "user_id", "integer", "NO"),
    (
        "auth_user_user_permissions",
        "permission_id",
        "integer",
        "NO",
    ),
    ("authtoken_token", "key", "character varying(40)", "NO"),
    (
        "authtoken_token",
        "created",
        "timestamp with time zone",
        "NO",
    ),
    ("authtoken_token", "user_id", "integer", "NO"),
    ("django_content_type", "id", "integer", "NO"),
    (
        "django_content_type",
        "app_label",
        "character varying(100)",
        "NO",
    ),
    (
        "django_content_type",
        "model",
        "character varying(100)",
        "NO",
    ),
    ("django_migrations", "id", "bigint", "NO"),
    ("django_migrations", "app", "character varying(255)", "NO"),
    ("django_migrations", "name", "character varying(255)", "NO"),
    (
        "django_migrations",
        "applied",
        "timestamp with time zone",
        "NO",
    ),
    (
        "django_session",
        "session_key",
        "character varying(40)",
        "NO",
    ),
    ("django_session", "session_data", "text", "NO"),
    (
        "django_session",
        "expire_date",
        "timestamp with time zone",
        "NO",
    ),
];

/// Constraints of Django's PostgreSQL schema: (table, name, definition).
const DJANGO_PG_CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("auth_group", "auth_group_name_key", "UNIQUE (name)"),
    ("auth_group", "auth_group_pkey", "PRIMARY KEY (id)"),
    (
        "auth_group_permissions",
        "auth_group_permissio_permission_id_84c5c92e_fk_auth_perm",
        "FOREIGN KEY (permission_id) REFERENCES auth_permission(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_group_permissions",
        "auth_group_permissions_group_id_b120cbf9_fk_auth_group_id",
        "FOREIGN KEY (group_id) REFERENCES auth_group(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_group_permissions",
        "auth_group_permissions_group_id_permission_id_0cd325b0_uniq",
        "UNIQUE (group_id, permission_id)",
    ),
    (
        "auth_group_permissions",
        "auth_group_permissions_pkey",
        "PRIMARY KEY (id)",
    ),
    (
        "auth_permission",
        "auth_permission_content_type_id_2f476e4b_fk_django_co",
        "FOREIGN KEY (content_type_id) REFERENCES django_content_type(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_permission",
        "auth_permission_content_type_id_codename_01ab375a_uniq",
        "UNIQUE (content_type_id, codename)",
    ),
    (
        "auth_permission",
        "auth_permission_pkey",
        "PRIMARY KEY (id)",
    ),
    ("auth_user", "auth_user_pkey", "PRIMARY KEY (id)"),
    ("auth_user", "auth_user_username_key", "UNIQUE (username)"),
    (
        "auth_user_groups",
        "auth_user_groups_group_id_97559544_fk_auth_group_id",
        "FOREIGN KEY (group_id) REFERENCES auth_group(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_user_groups",
        "auth_user_groups_pkey",
        "PRIMARY KEY (id)",
    ),
    (
        "auth_user_groups",
        "auth_user_groups_user_id_6a12ed8b_fk_auth_user_id",
        "FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_user_groups",
        "auth_user_groups_user_id_group_id_94350c0c_uniq",
        "UNIQUE (user_id, group_id)",
    ),
    (
        "auth_user_user_permissions",
        "auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm",
        "FOREIGN KEY (permission_id) REFERENCES auth_permission(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_user_user_permissions",
        "auth_user_user_permissions_pkey",
        "PRIMARY KEY (id)",
    ),
    (
        "auth_user_user_permissions",
        "auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id",
        "FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "auth_user_user_permissions",
        "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq",
        "UNIQUE (user_id, permission_id)",
    ),
    (
        "authtoken_token",
        "authtoken_token_pkey",
        "PRIMARY KEY (key)",
    ),
    (
        "authtoken_token",
        "authtoken_token_user_id_35299eff_fk_auth_user_id",
        "FOREIGN KEY (user_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED",
    ),
    (
        "authtoken_token",
        "authtoken_token_user_id_key",
        "UNIQUE (user_id)",
    ),
    (
        "django_content_type",
        "django_content_type_app_label_model_76bd3d3b_uniq",
        "UNIQUE (app_label, model)",
    ),
    (
        "django_content_type",
        "django_content_type_pkey",
        "PRIMARY KEY (id)",
    ),
    (
        "django_migrations",
        "django_migrations_pkey",
        "PRIMARY KEY (id)",
    ),
    (
        "django_session",
        "django_session_pkey",
        "PRIMARY KEY (session_key)",
    ),
];

/// Indexes Django creates on PostgreSQL besides those backing constraints: (name, definition).
const DJANGO_PG_INDEXES: &[(&str, &str)] = &[
    (
        "auth_group_name_a6ea08ec_like",
        "CREATE INDEX auth_group_name_a6ea08ec_like ON auth_group USING btree (name varchar_pattern_ops)",
    ),
    (
        "auth_group_permissions_group_id_b120cbf9",
        "CREATE INDEX auth_group_permissions_group_id_b120cbf9 ON auth_group_permissions USING btree (group_id)",
    ),
    (
        "auth_group_permissions_permission_id_84c5c92e",
        "CREATE INDEX auth_group_permissions_permission_id_84c5c92e ON auth_group_permissions USING btree (permission_id)",
    ),
    (
        "auth_permission_content_type_id_2f476e4b",
        "CREATE INDEX auth_permission_content_type_id_2f476e4b ON auth_permission USING btree (content_type_id)",
    ),
    (
        "auth_user_groups_group_id_97559544",
        "CREATE INDEX auth_user_groups_group_id_97559544 ON auth_user_groups USING btree (group_id)",
    ),
    (
        "auth_user_groups_user_id_6a12ed8b",
        "CREATE INDEX auth_user_groups_user_id_6a12ed8b ON auth_user_groups USING btree (user_id)",
    ),
    (
        "auth_user_user_permissions_permission_id_1fbb5f2c",
        "CREATE INDEX auth_user_user_permissions_permission_id_1fbb5f2c ON auth_user_user_permissions USING btree (permission_id)",
    ),
    (
        "auth_user_user_permissions_user_id_a95ead1b",
        "CREATE INDEX auth_user_user_permissions_user_id_a95ead1b ON auth_user_user_permissions USING btree (user_id)",
    ),
    (
        "auth_user_username_6821ab7c_like",
        "CREATE INDEX auth_user_username_6821ab7c_like ON auth_user USING btree (username varchar_pattern_ops)",
    ),
    (
        "authtoken_token_key_10f0b77e_like",
        "CREATE INDEX authtoken_token_key_10f0b77e_like ON authtoken_token USING btree (key varchar_pattern_ops)",
    ),
    (
        "django_session_expire_date_a5c62663",
        "CREATE INDEX django_session_expire_date_a5c62663 ON django_session USING btree (expire_date)",
    ),
    (
        "django_session_session_key_c0390e0f_like",
        "CREATE INDEX django_session_session_key_c0390e0f_like ON django_session USING btree (session_key varchar_pattern_ops)",
    ),
];

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test]
async fn pg_migrate_roundtrip() {
    let pg = pg_test_db().await;
    assert!(pg.db.is_postgres());
    migrate_suite(&pg.db).await;

    let columns = texts(
        &pg.db,
        "SELECT c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), \
         CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END \
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         WHERE c.relkind = 'r' AND pg_catalog.pg_table_is_visible(c.oid) AND a.attnum > 0 AND NOT a.attisdropped \
         AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname, a.attnum",
    )
    .await;
    let got: Vec<(String, String, String, String)> = columns
        .into_iter()
        .map(|r| {
            let s = |i: usize| r[i].clone().unwrap_or_default();
            (s(0), s(1), s(2), s(3))
        })
        .collect();
    let want: Vec<(String, String, String, String)> = DJANGO_PG_COLUMNS
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
    assert_eq!(got, want);

    let constraints = texts(
        &pg.db,
        "SELECT c.conrelid::regclass::text, c.conname::text, pg_catalog.pg_get_constraintdef(c.oid) \
         FROM pg_catalog.pg_constraint c WHERE c.connamespace = 'public'::regnamespace \
         ORDER BY 1, 2",
    )
    .await;
    let got: Vec<(String, String, String)> = constraints
        .into_iter()
        .map(|r| {
            let s = |i: usize| r[i].clone().unwrap_or_default();
            (s(0), s(1), s(2))
        })
        .collect();
    let want: Vec<(String, String, String)> = DJANGO_PG_CONSTRAINTS
        .iter()
        .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
        .collect();
    assert_eq!(got, want);

    let indexes = texts(
        &pg.db,
        "SELECT i.indexname::text, replace(i.indexdef, 'public.', '') FROM pg_catalog.pg_indexes i \
         WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c \
         WHERE c.conname = i.indexname AND c.connamespace = 'public'::regnamespace) ORDER BY 1",
    )
    .await;
    let got: Vec<(String, String)> = indexes
        .into_iter()
        .map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].clone().unwrap_or_default(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = DJANGO_PG_INDEXES
        .iter()
        .map(|(a, b)| ((*a).into(), (*b).into()))
        .collect();
    assert_eq!(got, want);

    // Identity columns, as Django >= 4.1 makes them.
    assert_eq!(
        count(
            &pg.db,
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'public' \
             AND is_identity = 'YES' AND identity_generation = 'BY DEFAULT'"
        )
        .await,
        8
    );
    pg.finish().await;
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test]
async fn pg_crud() {
    let pg = pg_test_db().await;
    pg.db.migrate().await.expect("migrate");
    crud_suite(&pg.db).await;
    pg.finish().await;
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test]
async fn pg_delete_cascade() {
    let pg = pg_test_db().await;
    pg.db.migrate().await.expect("migrate");
    delete_cascade_suite(&pg.db).await;
    pg.finish().await;
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test]
async fn pg_partial_django_database() {
    let pg = pg_test_db().await;
    partial_django_database_suite(&pg.db).await;
    pg.finish().await;
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_two_instances() {
    let pg = pg_test_db().await;
    let other = pg.second_pool().await;
    let (ra, rb) = tokio::join!(pg.db.migrate(), other.migrate());
    let (ra, rb) = (ra.expect("migrate a"), rb.expect("migrate b"));
    assert!(ra.is_noop() != rb.is_noop(), "{ra:?} {rb:?}");
    assert_eq!(
        count(&pg.db, r#"SELECT COUNT(*) FROM "django_migrations""#).await,
        19
    );
    concurrent_tokens_suite(&pg.db).await;
    let u = other
        .create_user(NewUser::new("shared", "x"))
        .await
        .expect("create");
    let id = u.id.expect("id");
    let t = other.get_or_create_token(id).await.expect("token");
    assert_eq!(
        pg.db
            .token_with_user(&t.key)
            .await
            .expect("q")
            .map(|(t, _)| t),
        Some(t.clone())
    );
    other.reset_token(id).await.expect("reset");
    assert!(pg.db.token_with_user(&t.key).await.expect("q").is_none());
    // Datetimes come back as written (microsecond precision, UTC).
    let login = other.update_last_login(id).await.expect("login");
    let u = pg.db.user_by_id(id).await.expect("q").expect("user");
    assert_eq!(u.last_login, Some(login));
    other.close().await;
    pg.finish().await;
}

// ---- custom user tables (AUTH_USER_MODEL) ---------------------------------------------------

/// A Django `AbstractBaseUser` subclass as Django's migrate lays it out: email as the username,
/// extra columns of several types, a many-to-many table of its own, no names or date_joined.
const SQLITE_MEMBER_DDL: &str = r#"
CREATE TABLE "accounts_member" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "email" varchar(254) NOT NULL UNIQUE, "display_name" varchar(100) NOT NULL, "tier" integer NOT NULL, "vip" bool NOT NULL, "score" real NULL, "is_active" bool NOT NULL);
CREATE TABLE "accounts_member_groups" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "member_id" integer NOT NULL REFERENCES "accounts_member" ("id") DEFERRABLE INITIALLY DEFERRED, "group_id" integer NOT NULL REFERENCES "auth_group" ("id") DEFERRABLE INITIALLY DEFERRED);
DROP TABLE "authtoken_token";
CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "accounts_member" ("id") DEFERRABLE INITIALLY DEFERRED);
"#;
const PG_MEMBER_DDL: &str = r#"
CREATE TABLE "accounts_member" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, "email" varchar(254) NOT NULL UNIQUE, "display_name" varchar(100) NOT NULL, "tier" integer NOT NULL, "vip" boolean NOT NULL, "score" double precision NULL, "joined_on" date NULL, "is_active" boolean NOT NULL);
CREATE TABLE "accounts_member_groups" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "member_id" integer NOT NULL, "group_id" integer NOT NULL);
ALTER TABLE "accounts_member_groups" ADD CONSTRAINT "accounts_member_groups_member_fk" FOREIGN KEY ("member_id") REFERENCES "accounts_member" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "authtoken_token" DROP CONSTRAINT "authtoken_token_user_id_35299eff_fk_auth_user_id";
ALTER TABLE "authtoken_token" ADD CONSTRAINT "authtoken_token_user_fk" FOREIGN KEY ("user_id") REFERENCES "accounts_member" ("id") DEFERRABLE INITIALLY DEFERRED;
"#;

async fn custom_model_suite(db: Db, pg: bool) {
    exec(&db, if pg { PG_MEMBER_DDL } else { SQLITE_MEMBER_DDL }).await;
    let mut extra = vec!["display_name", "tier", "vip", "score"];
    if pg {
        extra.push("joined_on");
    }
    let model = UserModel::custom("accounts_member", "email")
        .with_email("email")
        .with_flags(true, false, false)
        .with_extra(extra)
        .with_dependent("accounts_member_groups", "member_id");
    let db = db.with_user_model(&model);
    assert_eq!(db.user_model().table, "accounts_member");

    let mut new = NewUser::new("Ann@example.com", "pbkdf2_sha256$1000$salt$hash");
    new.email = "ignored: the email is the username".into();
    new.is_active = true;
    new.extra
        .insert("display_name".into(), serde_json::json!("Ann"));
    new.extra.insert("tier".into(), serde_json::json!(3));
    new.extra.insert("vip".into(), serde_json::json!(true));
    new.extra.insert("score".into(), serde_json::json!(2.5));
    if pg {
        new.extra
            .insert("joined_on".into(), serde_json::json!("2026-01-02"));
    }
    let ann = db.create_user(new).await.expect("create member");
    let id = ann.id.expect("id");
    assert_eq!(ann.username, "Ann@example.com");
    assert_eq!(ann.email, "Ann@example.com");
    assert!(ann.is_active && !ann.is_staff && !ann.is_superuser);
    assert_eq!(ann.first_name, "");
    assert_eq!(ann.date_joined, None);
    assert_eq!(ann.extra["display_name"], "Ann");
    assert_eq!(ann.extra["tier"], 3);
    assert_eq!(ann.extra["vip"], true);
    assert_eq!(ann.extra["score"], 2.5);
    if pg {
        assert_eq!(ann.extra["joined_on"], "2026-01-02");
    }
    // Missing extras are NULL (a NOT NULL column refuses them).
    let mut bob = NewUser::new("bob@example.com", "x");
    bob.extra
        .insert("display_name".into(), serde_json::json!("Bob"));
    bob.extra.insert("tier".into(), serde_json::json!(0));
    bob.extra.insert("vip".into(), serde_json::json!(false));
    let bob = db.create_user(bob).await.expect("create bob");
    assert_eq!(bob.extra["score"], serde_json::Value::Null);
    assert_eq!(bob.extra["vip"], false);
    let err = db
        .create_user(NewUser::new("carol@example.com", "x"))
        .await
        .expect_err("display_name is NOT NULL");
    assert!(!err.is_unavailable(), "{err}");
    let mut dup = NewUser::new("Ann@example.com", "x");
    dup.extra = bob.extra.clone();
    assert_eq!(db.create_user(dup).await, Err(DbError::UsernameTaken));

    let found = db
        .user_by_username("Ann@example.com")
        .await
        .expect("q")
        .expect("ann");
    assert_eq!(found, ann);
    assert!(
        db.user_by_username("ann@example.com")
            .await
            .expect("q")
            .is_none()
    );
    let token = db.get_or_create_token(id).await.expect("token");
    let (t, u) = db
        .token_with_user(&token.key)
        .await
        .expect("q")
        .expect("found");
    assert_eq!((t, u), (token.clone(), ann.clone()));
    db.set_password(id, "pbkdf2_sha256$1000$salt$new")
        .await
        .expect("set_password");
    let login = db.update_last_login(id).await.expect("last_login");
    let again = db.user_by_id(id).await.expect("q").expect("ann");
    assert_eq!(again.password, "pbkdf2_sha256$1000$salt$new");
    assert_eq!(again.last_login, Some(login));

    exec(
        &db,
        &format!(r#"INSERT INTO "auth_group" ("name") VALUES ('g'); INSERT INTO "accounts_member_groups" ("member_id", "group_id") SELECT {id}, "id" FROM "auth_group""#),
    )
    .await;
    assert!(db.delete_user(id).await.expect("delete"));
    assert!(db.token_with_user(&token.key).await.expect("q").is_none());
    assert_eq!(
        count(&db, r#"SELECT COUNT(*) FROM "accounts_member_groups""#).await,
        0
    );
    assert!(
        db.user_by_id(bob.id.expect("id"))
            .await
            .expect("q")
            .is_some()
    );
}

#[tokio::test]
async fn sqlite_custom_user_table() {
    custom_model_suite(memory_db().await, false).await;
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test]
async fn pg_custom_user_table() {
    let pg = pg_test_db().await;
    pg.db.migrate().await.expect("migrate");
    custom_model_suite(pg.db.clone(), true).await;
    pg.finish().await;
}

// ---- the token cache against writes made elsewhere ------------------------------------------

/// Waits (up to 20 s) for the token cache to serve: at once on SQLite, once the listener
/// listens on PostgreSQL.
async fn wait_until_live(db: &Db) {
    let started = std::time::Instant::now();
    while !db.auth_cache_is_live() {
        assert!(started.elapsed() < Duration::from_secs(20), "never live");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `cached` with the token cache on, against `writer`: another pool on the same database,
/// standing for another instance, Django or psql (plain SQL). Each revocation is refused on
/// the very next lookup, with no waiting.
async fn auth_cache_suite(cached: &Db, writer: &Db) {
    let cached = cached
        .clone()
        .with_auth_cache(&AuthCacheSettings::default());
    wait_until_live(&cached).await;
    let mut users = Vec::new();
    for name in [
        "c-deactivated",
        "c-token-deleted",
        "c-user-deleted",
        "c-token-replaced",
        "c-password",
        "c-untouched",
    ] {
        let u = writer
            .create_user(NewUser::new(name, "old"))
            .await
            .expect("create");
        let id = u.id.expect("id");
        let t = writer.get_or_create_token(id).await.expect("token");
        users.push((id, t.key));
    }
    let lookup = |key: String| {
        let cached = cached.clone();
        async move { cached.token_with_user(&key).await.expect("lookup") }
    };
    for round in 0..2 {
        for (id, key) in &users {
            let (t, u) = lookup(key.clone()).await.expect("found");
            assert_eq!((t.user_id, u.id), (*id, Some(*id)), "round {round}");
        }
        assert_eq!(cached.auth_cache_len(), users.len(), "all cached");
    }
    let [
        deactivated,
        token_deleted,
        user_deleted,
        replaced,
        password,
        untouched,
    ] = <[(i64, String); 6]>::try_from(users).expect("six");

    exec(
        writer,
        &format!(
            r#"UPDATE "auth_user" SET "is_active" = false WHERE "id" = {}"#,
            deactivated.0
        ),
    )
    .await;
    let (_, u) = lookup(deactivated.1.clone()).await.expect("still a token");
    assert!(!u.is_active, "the deactivation is seen at once");

    exec(
        writer,
        &format!(
            r#"DELETE FROM "authtoken_token" WHERE "user_id" = {}"#,
            token_deleted.0
        ),
    )
    .await;
    assert!(lookup(token_deleted.1.clone()).await.is_none());

    exec(
        writer,
        &format!(
            r#"DELETE FROM "authtoken_token" WHERE "user_id" = {id}; DELETE FROM "auth_user" WHERE "id" = {id}"#,
            id = user_deleted.0
        ),
    )
    .await;
    assert!(lookup(user_deleted.1.clone()).await.is_none());

    let new = writer.reset_token(replaced.0).await.expect("reset");
    assert!(lookup(replaced.1.clone()).await.is_none());
    assert!(lookup(new.key.clone()).await.is_some());

    exec(
        writer,
        &format!(
            r#"UPDATE "auth_user" SET "password" = 'new' WHERE "id" = {}"#,
            password.0
        ),
    )
    .await;
    let (_, u) = lookup(password.1.clone())
        .await
        .expect("DRF keeps the token");
    assert_eq!(u.password, "new", "the user row as it is now");

    // A write rolled back changes nothing.
    let (_, u) = lookup(untouched.1.clone()).await.expect("found");
    assert!(u.is_active);
    exec(
        writer,
        &format!(
            r#"BEGIN; UPDATE "auth_user" SET "is_active" = false WHERE "id" = {}; ROLLBACK"#,
            untouched.0
        ),
    )
    .await;
    let (_, u) = lookup(untouched.1.clone()).await.expect("found");
    assert!(u.is_active);

    // Writes through the cached pool itself drop its entries at once.
    cached
        .set_password(untouched.0, "through-us")
        .await
        .expect("set");
    let (_, u) = lookup(untouched.1.clone()).await.expect("found");
    assert_eq!(u.password, "through-us");

    // AUTH_CACHE=off: nothing is held.
    let off = cached.clone().with_auth_cache(&AuthCacheSettings {
        enabled: false,
        ..AuthCacheSettings::default()
    });
    assert!(
        off.token_with_user(&untouched.1)
            .await
            .expect("q")
            .is_some()
    );
    assert_eq!(off.auth_cache_len(), 0);
    assert!(!off.auth_cache_is_live());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_token_cache_sees_every_write_to_the_file() {
    let file = TempFile::new();
    let a = Db::connect(&file.url()).await.expect("connect a");
    a.migrate().await.expect("migrate");
    let b = Db::connect(&file.url()).await.expect("connect b");
    // The file is in WAL mode: the cache's check is the WAL-index header read.
    let cached = a.clone().with_auth_cache(&AuthCacheSettings::default());
    assert!(
        cached
            .cache
            .as_ref()
            .is_some_and(|c| c.reads_the_wal_index())
    );
    auth_cache_suite(&a, &b).await;
    // A database in memory is never cached (one process, nothing to save a query from).
    let memory = memory_db()
        .await
        .with_auth_cache(&AuthCacheSettings::default());
    assert!(!memory.auth_cache_is_live());
    a.close().await;
    b.close().await;
}

/// The Token lookup on a SQLite file runs on connections of its own, given back after each
/// query without the ping sqlx's pool sends, and never given back from a query that was
/// abandoned midway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_token_lookups_reuse_their_connections_and_drop_an_abandoned_one() {
    let file = TempFile::new();
    let db = Db::connect(&file.url()).await.expect("connect");
    db.migrate().await.expect("migrate");
    let user = db
        .create_user(NewUser::new("lookup", "!".to_owned()))
        .await
        .unwrap();
    let token = db.get_or_create_token(user.id.unwrap()).await.unwrap();
    let lookups = db.lookups.clone().expect("a file has lookup connections");
    for _ in 0..3 {
        let (t, u) = db.token_with_user(&token.key).await.unwrap().unwrap();
        assert_eq!((t.key, t.user_id), (token.key.clone(), token.user_id));
        assert_eq!(u.username, "lookup");
    }
    assert_eq!(lookups.idle(), 1);
    assert!(db.token_with_user(&"0".repeat(40)).await.unwrap().is_none());
    // Abandoned after its first poll, with its query out on the connection's worker thread.
    let mut abandoned = Box::pin(db.token_with_user(&token.key));
    assert!(futures_util::FutureExt::now_or_never(&mut abandoned).is_none());
    drop(abandoned);
    assert_eq!(lookups.idle(), 0);
    assert!(db.token_with_user(&token.key).await.unwrap().is_some());
    assert_eq!(lookups.idle(), 1);
    // A write by the pool is seen by the next lookup.
    db.delete_user(user.id.unwrap()).await.unwrap();
    assert!(db.token_with_user(&token.key).await.unwrap().is_none());
    db.close().await;
    assert_eq!(lookups.idle(), 0);
    assert!(db.token_with_user(&token.key).await.is_err());
    // In memory there is one connection, the pool's.
    assert!(memory_db().await.lookups.is_none());
}

#[cfg_attr(
    not(drf_test_postgres),
    ignore = "needs DRF_TEST_POSTGRES_URL: source .ci/services.sh && start_postgres"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_token_cache_sees_every_write_through_its_triggers() {
    let pg = pg_test_db().await;
    let report = pg.db.migrate().await.expect("migrate");
    assert_eq!(report.installed_triggers, ["authtoken_token", "auth_user"]);
    assert!(
        report
            .to_string()
            .contains("Installing the token cache's triggers on authtoken_token, auth_user... OK"),
        "{report}"
    );
    assert!(pg.db.migrate().await.expect("again").is_noop());
    // Without its triggers the cache stays off rather than go stale; `migrate` puts back
    // what is missing.
    exec(
        &pg.db,
        r#"DROP TRIGGER "drf_auth_cache_row" ON "authtoken_token""#,
    )
    .await;
    let early = pg.db.clone().with_auth_cache(&AuthCacheSettings::default());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!early.auth_cache_is_live());
    drop(early);
    let report = pg.db.migrate().await.expect("migrate");
    assert_eq!(report.installed_triggers, ["authtoken_token"]);
    let writer = pg.second_pool().await;
    auth_cache_suite(&pg.db, &writer).await;
    // TRUNCATE empties every instance's cache.
    let cached = pg.db.clone().with_auth_cache(&AuthCacheSettings::default());
    let u = writer
        .create_user(NewUser::new("c-truncated", "x"))
        .await
        .expect("create");
    let t = writer
        .get_or_create_token(u.id.expect("id"))
        .await
        .expect("token");
    wait_until_live(&cached).await;
    assert!(cached.token_with_user(&t.key).await.expect("q").is_some());
    assert_eq!(cached.auth_cache_len(), 1);
    exec(&writer, r#"TRUNCATE "authtoken_token""#).await;
    assert!(cached.token_with_user(&t.key).await.expect("q").is_none());
    drop(cached);
    writer.close().await;
    pg.finish().await;
}
