//! [`UserModel`]: the layout of the user table (Django's `AUTH_USER_MODEL`), and the SQL built
//! from it once, when the application starts.
//!
//! Django's stock `auth.User` is `auth_user` with a `username` column. A project with a custom
//! user model may use another table, log in with another column (`USERNAME_FIELD = "email"`),
//! lack some of `AbstractUser`'s columns (an `AbstractBaseUser` subclass has only `password` and
//! `last_login` of them) and add its own. Describe it here and every query (authentication,
//! tokens, sessions, management commands) uses it; the token query stays one join.
//!
//! ```
//! use drf_runtime::db::UserModel;
//!
//! // class Member(AbstractBaseUser, PermissionsMixin): email = EmailField(unique=True); ...
//! // USERNAME_FIELD = "email"; class Meta: db_table = "accounts_member"
//! let model = UserModel::custom("accounts_member", "email")
//!     .with_email("email")
//!     .with_flags(true, true, true)
//!     .with_extra(["display_name", "tier"])
//!     .with_dependent("accounts_member_groups", "member_id")
//!     .with_dependent("accounts_member_user_permissions", "member_id");
//! assert_eq!(model.table, "accounts_member");
//! ```

use std::fmt::Write as _;

use super::dialect::Dialect;
use super::{Pool, with_pool};

/// The user table of a Django project (`AUTH_USER_MODEL`): which table, which column is the
/// `USERNAME_FIELD`, which of `AbstractUser`'s optional columns exist, and which other columns
/// to load into [`crate::user::User::extra`]. [`UserModel::default`] is Django's `auth_user`.
///
/// Column names are database column names (Django's field names unless `db_column` says
/// otherwise). Names are quoted in SQL, so any name is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserModel {
    /// `db_table` (`auth_user`).
    pub table: String,
    /// The primary key column (`id`), an integer.
    pub pk: String,
    /// `USERNAME_FIELD`: the column logins look up exactly (`username`, or e.g. `email`).
    /// [`crate::user::User::username`] holds its value (Django's `get_username()`).
    pub username_field: String,
    /// `EMAIL_FIELD`, if the table has one (`email`); `User::email` is `""` without.
    pub email: Option<String>,
    /// `first_name`, if the table has it.
    pub first_name: Option<String>,
    /// `last_name`, if the table has it.
    pub last_name: Option<String>,
    /// `is_active`; without it every user is active (`AbstractBaseUser.is_active = True`).
    pub is_active: Option<String>,
    /// `is_staff`; without it nobody is staff.
    pub is_staff: Option<String>,
    /// `is_superuser` (`PermissionsMixin`); without it nobody is a superuser.
    pub is_superuser: Option<String>,
    /// `last_login` (`AbstractBaseUser` has it unless the model sets it to `None`).
    pub last_login: Option<String>,
    /// `date_joined`, if the table has it (written as now by `create_user`).
    pub date_joined: Option<String>,
    /// Other columns loaded into `User::extra` (JSON values: numbers, strings, booleans,
    /// null; PostgreSQL dates and other types as PostgreSQL's JSON renders them) and written
    /// from `NewUser::extra` by `create_user`.
    pub extra: Vec<String>,
    /// Tables whose rows reference the user without ON DELETE (Django cascades in the ORM),
    /// as `(table, column)`: `delete_user` deletes their rows first, skipping tables that do
    /// not exist. The token table and `django_admin_log` are always handled.
    pub dependents: Vec<(String, String)>,
}

impl Default for UserModel {
    /// Django's `auth.User`: `auth_user`, `username`, every `AbstractUser` column, and its
    /// many-to-many tables `auth_user_groups` / `auth_user_user_permissions`.
    fn default() -> Self {
        let col = |c: &str| Some(c.to_owned());
        Self {
            table: "auth_user".to_owned(),
            pk: "id".to_owned(),
            username_field: "username".to_owned(),
            email: col("email"),
            first_name: col("first_name"),
            last_name: col("last_name"),
            is_active: col("is_active"),
            is_staff: col("is_staff"),
            is_superuser: col("is_superuser"),
            last_login: col("last_login"),
            date_joined: col("date_joined"),
            extra: Vec::new(),
            dependents: vec![
                ("auth_user_groups".to_owned(), "user_id".to_owned()),
                (
                    "auth_user_user_permissions".to_owned(),
                    "user_id".to_owned(),
                ),
            ],
        }
    }
}

impl UserModel {
    /// A custom user table as `AbstractBaseUser` leaves it: `id`, `password`, `last_login` and
    /// the `USERNAME_FIELD` column, nothing else. Add the rest with the `with_*` methods.
    pub fn custom(table: impl Into<String>, username_field: impl Into<String>) -> Self {
        Self {
            table: table.into(),
            username_field: username_field.into(),
            email: None,
            first_name: None,
            last_name: None,
            is_active: None,
            is_staff: None,
            is_superuser: None,
            date_joined: None,
            dependents: Vec::new(),
            ..Self::default()
        }
    }

    /// Sets `EMAIL_FIELD` (may be the username column itself).
    pub fn with_email(mut self, column: impl Into<String>) -> Self {
        self.email = Some(column.into());
        self
    }

    /// Declares the `is_active`, `is_staff` and `is_superuser` columns (with those names) as
    /// present or absent.
    pub fn with_flags(mut self, is_active: bool, is_staff: bool, is_superuser: bool) -> Self {
        let col = |on: bool, c: &str| on.then(|| c.to_owned());
        self.is_active = col(is_active, "is_active");
        self.is_staff = col(is_staff, "is_staff");
        self.is_superuser = col(is_superuser, "is_superuser");
        self
    }

    /// Declares `first_name`, `last_name` and `date_joined` (`AbstractUser`'s) as present.
    pub fn with_names_and_date_joined(mut self) -> Self {
        self.first_name = Some("first_name".to_owned());
        self.last_name = Some("last_name".to_owned());
        self.date_joined = Some("date_joined".to_owned());
        self
    }

    /// Adds columns loaded into `User::extra`.
    pub fn with_extra<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extra.extend(columns.into_iter().map(Into::into));
        self
    }

    /// Adds a table whose rows referencing the user are deleted with it (a many-to-many table
    /// such as `accounts_member_groups` with column `member_id`, or a model of the project).
    pub fn with_dependent(mut self, table: impl Into<String>, column: impl Into<String>) -> Self {
        self.dependents.push((table.into(), column.into()));
        self
    }

    /// Whether this is Django's stock `auth_user`.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// The optional columns, by the names `AUTH_USER_COLUMNS` lists.
const OPTIONAL_COLUMNS: [&str; 8] = [
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "last_login",
    "date_joined",
];

/// Reads the user table from the environment (all optional; unset means `auth_user`):
///
/// - `AUTH_USER_TABLE`: the table (`db_table`);
/// - `AUTH_USER_USERNAME_FIELD`: the login column (`USERNAME_FIELD`, default `username`);
/// - `AUTH_USER_COLUMNS`: which of `email, first_name, last_name, is_active, is_staff,
///   is_superuser, last_login, date_joined` exist (comma-separated; default all);
/// - `AUTH_USER_EMAIL_FIELD`: `EMAIL_FIELD` (default `email` when listed);
/// - `AUTH_USER_EXTRA_COLUMNS`: columns loaded into `User::extra` (comma-separated);
/// - `AUTH_USER_DEPENDENTS`: `table.column` pairs deleted with a user (comma-separated;
///   default: Django's for `auth_user`, none for another table).
pub(crate) fn apply_env(
    model: &mut UserModel,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let list = |name: &str| {
        get(name).map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    let nonempty = |name: &str| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(table) = nonempty("AUTH_USER_TABLE") {
        if table != model.table {
            model.table = table;
            model.dependents.clear();
        }
    }
    if let Some(field) = nonempty("AUTH_USER_USERNAME_FIELD") {
        model.username_field = field;
    }
    if let Some(columns) = list("AUTH_USER_COLUMNS") {
        if let Some(bad) = columns
            .iter()
            .find(|c| !OPTIONAL_COLUMNS.contains(&c.as_str()))
        {
            return Err(format!(
                "AUTH_USER_COLUMNS: unknown column {bad:?} (known: {})",
                OPTIONAL_COLUMNS.join(", ")
            ));
        }
        let has = |c: &str| columns.iter().any(|x| x == c).then(|| c.to_owned());
        model.email = has("email");
        model.first_name = has("first_name");
        model.last_name = has("last_name");
        model.is_active = has("is_active");
        model.is_staff = has("is_staff");
        model.is_superuser = has("is_superuser");
        model.last_login = has("last_login");
        model.date_joined = has("date_joined");
    }
    if let Some(field) = nonempty("AUTH_USER_EMAIL_FIELD") {
        model.email = Some(field);
    }
    if let Some(extra) = list("AUTH_USER_EXTRA_COLUMNS") {
        model.extra = extra;
    }
    if let Some(pairs) = list("AUTH_USER_DEPENDENTS") {
        model.dependents = pairs
            .iter()
            .map(|p| match p.split_once('.') {
                Some((t, c)) if !t.is_empty() && !c.is_empty() => Ok((t.to_owned(), c.to_owned())),
                _ => Err(format!("AUTH_USER_DEPENDENTS: {p:?} is not table.column")),
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// A double-quoted SQL identifier (`"` doubled).
pub(crate) fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Where each field of a user row is in a SELECT built by [`UserSql`], relative to its first
/// user column.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    /// Number of user columns selected.
    pub len: usize,
    pub last_login: Option<usize>,
    pub is_superuser: Option<usize>,
    pub first_name: Option<usize>,
    pub last_name: Option<usize>,
    pub email: Option<usize>,
    pub is_staff: Option<usize>,
    pub is_active: Option<usize>,
    pub date_joined: Option<usize>,
    /// Whether the email column is the username column (then `email` is `None` and the
    /// username is copied).
    pub email_is_username: bool,
    /// `(name, index)` of each extra column.
    pub extra: Vec<(String, usize)>,
}

/// Every statement that touches the user table, built once per model (and dialect: the
/// extra columns are selected and inserted in each dialect's way).
#[derive(Debug, Clone)]
pub(crate) struct UserSql {
    pub layout: Layout,
    pub by_username: String,
    pub by_id: String,
    pub token_with_user: String,
    pub create_user: String,
    /// The optional columns `create_user` binds, in order after password and username.
    pub insert_columns: Vec<InsertColumn>,
    pub set_password: String,
    /// `set_password` only while the stored hash is still the one given (`$3`).
    pub replace_password: String,
    pub set_last_login: Option<String>,
    pub user_exists: String,
    pub insert_token_if_absent: String,
    pub delete_user: String,
    /// `(table, DELETE statement)`; run when the table exists.
    pub delete_dependents: Vec<(String, String)>,
    pub extra: Vec<String>,
}

/// What `create_user` binds after password and username, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InsertColumn {
    IsSuperuser,
    FirstName,
    LastName,
    Email,
    IsStaff,
    IsActive,
    DateJoined,
}

impl UserSql {
    /// The statements for `model` on the backend of `pool`.
    pub(crate) fn for_pool(pool: &Pool, model: &UserModel) -> Self {
        with_pool!(pool, for<D> |_pool| Self::new::<D>(model))
    }

    pub(crate) fn new<D: Dialect>(model: &UserModel) -> Self {
        let t = quote(&model.table);
        let p = |n: usize| format!("${n}");
        let col = |c: &str| format!("{t}.{}", quote(c));

        // SELECT list: pk, password, username, then the optional columns, then extras.
        let mut select = vec![col(&model.pk), col("password"), col(&model.username_field)];
        let mut layout = Layout::default();
        let add = |c: &Option<String>, slot: &mut Option<usize>, select: &mut Vec<String>| {
            if let Some(c) = c {
                *slot = Some(select.len());
                select.push(col(c));
            }
        };
        add(&model.last_login, &mut layout.last_login, &mut select);
        add(&model.is_superuser, &mut layout.is_superuser, &mut select);
        add(&model.first_name, &mut layout.first_name, &mut select);
        add(&model.last_name, &mut layout.last_name, &mut select);
        layout.email_is_username = model.email.as_deref() == Some(&model.username_field);
        if !layout.email_is_username {
            add(&model.email, &mut layout.email, &mut select);
        }
        add(&model.is_staff, &mut layout.is_staff, &mut select);
        add(&model.is_active, &mut layout.is_active, &mut select);
        add(&model.date_joined, &mut layout.date_joined, &mut select);
        for name in &model.extra {
            layout.extra.push((name.clone(), select.len()));
            select.push(D::select_extra(&col(name)));
        }
        layout.len = select.len();
        let select = select.join(", ");
        let pk = quote(&model.pk);
        let username = quote(&model.username_field);

        let by_username = format!("SELECT {select} FROM {t} WHERE {t}.{username} = {}", p(1));
        let by_id = format!("SELECT {select} FROM {t} WHERE {t}.{pk} = {}", p(1));
        let token_with_user = format!(
            "SELECT \"authtoken_token\".\"key\", \"authtoken_token\".\"created\", \
             \"authtoken_token\".\"user_id\", {select} FROM \"authtoken_token\" INNER JOIN {t} \
             ON (\"authtoken_token\".\"user_id\" = {t}.{pk}) WHERE \"authtoken_token\".\"key\" = {}",
            p(1)
        );

        // INSERT: password, last_login NULL, username, then the optional columns, extras.
        let mut cols = vec![quote("password")];
        let mut values = vec![p(1)];
        if let Some(c) = &model.last_login {
            cols.push(quote(c));
            values.push("NULL".to_owned());
        }
        cols.push(username.clone());
        values.push(p(2));
        let mut insert_columns = Vec::new();
        for (c, what) in [
            (&model.is_superuser, InsertColumn::IsSuperuser),
            (&model.first_name, InsertColumn::FirstName),
            (&model.last_name, InsertColumn::LastName),
            (&model.email, InsertColumn::Email),
            (&model.is_staff, InsertColumn::IsStaff),
            (&model.is_active, InsertColumn::IsActive),
            (&model.date_joined, InsertColumn::DateJoined),
        ] {
            let Some(c) = c else { continue };
            if what == InsertColumn::Email && layout.email_is_username {
                continue;
            }
            cols.push(quote(c));
            values.push(p(insert_columns.len() + 3));
            insert_columns.push(what);
        }
        let values = values.join(", ");
        let source = if model.extra.is_empty() {
            format!("VALUES ({values})")
        } else {
            let next = insert_columns.len() + 3;
            let extras: Vec<String> = model.extra.iter().map(|c| quote(c)).collect();
            cols.extend(extras.iter().cloned());
            D::insert_source(&t, &values, &extras, next)
        };
        let create_user = format!(
            "INSERT INTO {t} ({}) {source} RETURNING {pk}",
            cols.join(", ")
        );

        let set_password = format!(
            "UPDATE {t} SET \"password\" = {} WHERE {pk} = {}",
            p(1),
            p(2)
        );
        let replace_password = format!(
            "UPDATE {t} SET \"password\" = {} WHERE {pk} = {} AND \"password\" = {}",
            p(1),
            p(2),
            p(3)
        );
        let set_last_login = model.last_login.as_ref().map(|c| {
            format!(
                "UPDATE {t} SET {} = {} WHERE {pk} = {}",
                quote(c),
                p(1),
                p(2)
            )
        });
        let user_exists = format!("SELECT 1 FROM {t} WHERE {pk} = {}", p(1));
        // Inserts only if the user exists and has no token yet; returns a row only when it
        // inserted. (The WHERE clause also keeps SQLite's parser from reading ON CONFLICT as a
        // join constraint.)
        let insert_token_if_absent = format!(
            "INSERT INTO \"authtoken_token\" (\"key\", \"created\", \"user_id\") SELECT {}, {}, {pk} \
             FROM {t} WHERE {pk} = {} ON CONFLICT (\"user_id\") DO NOTHING RETURNING \"key\"",
            p(1),
            p(2),
            p(3)
        );
        let delete_user = format!("DELETE FROM {t} WHERE {pk} = {}", p(1));
        let delete_dependents = model
            .dependents
            .iter()
            .map(|(table, column)| {
                let mut sql = String::new();
                let _ = write!(
                    sql,
                    "DELETE FROM {} WHERE {} = {}",
                    quote(table),
                    quote(column),
                    p(1)
                );
                (table.clone(), sql)
            })
            .collect();
        Self {
            layout,
            by_username,
            by_id,
            token_with_user,
            create_user,
            insert_columns,
            set_password,
            replace_password,
            set_last_login,
            user_exists,
            insert_token_if_absent,
            delete_user,
            delete_dependents,
            extra: model.extra.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Postgres, Sqlite};

    use super::*;

    #[test]
    fn default_model_builds_djangos_queries() {
        let sql = UserSql::new::<Sqlite>(&UserModel::default());
        assert_eq!(
            sql.by_username,
            "SELECT \"auth_user\".\"id\", \"auth_user\".\"password\", \"auth_user\".\"username\", \
             \"auth_user\".\"last_login\", \"auth_user\".\"is_superuser\", \"auth_user\".\"first_name\", \
             \"auth_user\".\"last_name\", \"auth_user\".\"email\", \"auth_user\".\"is_staff\", \
             \"auth_user\".\"is_active\", \"auth_user\".\"date_joined\" FROM \"auth_user\" WHERE \
             \"auth_user\".\"username\" = $1"
        );
        assert_eq!(sql.layout.len, 11);
        assert_eq!(
            sql.create_user,
            "INSERT INTO \"auth_user\" (\"password\", \"last_login\", \"username\", \"is_superuser\", \
             \"first_name\", \"last_name\", \"email\", \"is_staff\", \"is_active\", \"date_joined\") \
             VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING \"id\""
        );
        let pg = UserSql::new::<Postgres>(&UserModel::default());
        assert_eq!(
            pg.by_username, sql.by_username,
            "one text for both without extras"
        );
        assert_eq!(pg.create_user, sql.create_user);
        assert!(
            pg.token_with_user
                .ends_with("WHERE \"authtoken_token\".\"key\" = $1")
        );
        assert_eq!(pg.delete_dependents.len(), 2);
    }

    #[test]
    fn custom_model_with_email_username_and_extras() {
        let model = UserModel::custom("accounts_member", "email")
            .with_email("email")
            .with_flags(true, false, false)
            .with_extra(["tier", "we\"ird"]);
        let sql = UserSql::new::<Postgres>(&model);
        assert!(sql.layout.email_is_username && sql.layout.email.is_none());
        assert_eq!(sql.layout.extra.len(), 2);
        assert!(
            sql.by_username
                .contains("to_jsonb(\"accounts_member\".\"we\"\"ird\")::text")
        );
        assert!(
            sql.by_username
                .ends_with("WHERE \"accounts_member\".\"email\" = $1")
        );
        assert_eq!(
            sql.create_user,
            "INSERT INTO \"accounts_member\" (\"password\", \"last_login\", \"email\", \"is_active\", \
             \"tier\", \"we\"\"ird\") SELECT $1, NULL, $2, $3, r.\"tier\", r.\"we\"\"ird\" FROM \
             jsonb_populate_record(NULL::\"accounts_member\", $4::jsonb) r RETURNING \"id\""
        );
        assert_eq!(sql.insert_columns, [InsertColumn::IsActive]);
        let lite = UserSql::new::<Sqlite>(&model);
        assert!(
            lite.create_user
                .ends_with("VALUES ($1, NULL, $2, $3, $4, $5) RETURNING \"id\"")
        );
        assert!(
            lite.by_username
                .contains(", \"accounts_member\".\"we\"\"ird\" FROM")
        );
        assert_eq!(lite.set_password, sql.set_password);
        assert!(!model.is_default());
        assert!(UserModel::default().is_default());
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<UserModel, String> {
        let mut m = UserModel::default();
        apply_env(&mut m, &|k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })?;
        Ok(m)
    }

    #[test]
    fn environment_describes_a_custom_table() {
        assert_eq!(from(&[]), Ok(UserModel::default()));
        let m = from(&[
            ("AUTH_USER_TABLE", "accounts_member"),
            ("AUTH_USER_USERNAME_FIELD", "email"),
            ("AUTH_USER_COLUMNS", "email, is_active, last_login"),
            ("AUTH_USER_EXTRA_COLUMNS", "tier,display_name"),
            ("AUTH_USER_DEPENDENTS", "accounts_member_groups.member_id"),
        ])
        .expect("valid");
        assert_eq!(m.table, "accounts_member");
        assert_eq!(m.username_field, "email");
        assert_eq!(m.email.as_deref(), Some("email"));
        assert!(m.is_staff.is_none() && m.first_name.is_none() && m.date_joined.is_none());
        assert_eq!(m.extra, ["tier", "display_name"]);
        assert_eq!(
            m.dependents,
            [("accounts_member_groups".to_owned(), "member_id".to_owned())]
        );
        assert!(from(&[("AUTH_USER_COLUMNS", "phone")]).is_err());
        assert!(from(&[("AUTH_USER_DEPENDENTS", "nodot")]).is_err());
    }
}
