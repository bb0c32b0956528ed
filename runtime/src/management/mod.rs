//! Management commands: what Django's `manage.py` and DRF's commands do, for the application's
//! binary.
//!
//! ```no_run
//! # mod views { pub fn routes() -> drf_runtime::Router { drf_runtime::Router::new() } }
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     drf_runtime::management::execute(views::routes()).await
//! }
//! ```
//!
//! | command | does |
//! | --- | --- |
//! | `migrate` | creates the tables of auth, authtoken, contenttypes and sessions that are missing |
//! | `runserver [ADDRPORT]` | serves until SIGINT/SIGTERM, then drains in-flight requests |
//! | `createuser USERNAME [--email E] [--password PW \| --password-stdin] [--staff] [--superuser] [--inactive]` | creates a user |
//! | `createsuperuser [--username U] [--email E] [--noinput]` | Django's, prompting on a terminal |
//! | `changepassword [USERNAME]` | Django's, three attempts |
//! | `clearsessions` | Django's: deletes the `django_session` rows that have expired |
//! | `drf_create_token [-r] USERNAME` | DRF's: prints `Generated token KEY for user USERNAME` |
//!
//! Texts and exit codes are Django's: success 0; a failure prints `CommandError: …` on
//! standard error and exits 1; a bad command line prints clap's message and exits 2 (as
//! Django's argparse does). Every command takes `-v/--verbosity 0-3`.
//!
//! Configuration comes from the environment ([`Config::from_lookup`]); with SQLite every
//! command but `migrate` first creates the tables that are missing, so a new database file
//! works at once. PostgreSQL databases are changed only by `migrate`.
//!
//! Passwords are hashed on the blocking pool ([`Passwords::make`](crate::hashers::Passwords::make))
//! and never printed. On a terminal they are read with echo off; when standard input is not a
//! terminal, `changepassword` reads them as lines of standard input (so scripts can drive it)
//! and `createsuperuser` declines to prompt, as Django does.

mod clearsessions;
mod cli;
mod io;
mod runserver;
mod users;
mod validation;

use std::fmt;
use std::process::ExitCode;

use clap::Parser as _;
use clap::error::ErrorKind;

use crate::app::App;
use crate::config::Config;
use crate::db::DbError;
use crate::router::Router;
use crate::settings::Settings;

use self::cli::{Cli, Command};
pub use self::io::{CaptureBuilder, Captured, CommandIo};

/// How a command failed.
#[derive(Debug)]
enum Failure {
    /// Django's `CommandError`: `CommandError: <message>` on standard error, exit 1.
    Command(String),
    /// Already reported on standard error: exit with this code.
    Exit(u8),
}

impl Failure {
    fn command(message: impl fmt::Display) -> Self {
        Self::Command(message.to_string())
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        Self::Command(e.to_string())
    }
}

/// What a command returns.
type Outcome = Result<(), Failure>;

/// An application's whole `main`: starts the async runtime and runs the management command
/// named on the command line (Django's `manage.py`).
///
/// ```no_run
/// # mod settings { drf::settings! {} }
/// # mod views { pub fn router() -> drf::Router<crate::settings::Settings> { drf::Router::new() } }
/// fn main() -> std::process::ExitCode {
///     drf::management::main::<settings::Settings>(views::router)
/// }
/// ```
pub fn main<S: Settings>(router: impl FnOnce() -> Router<S>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(execute(router())),
        Err(e) => {
            eprintln!("CommandError: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the management command named on the process's command line, with its standard streams
/// and environment, and returns the exit status for `main` to return.
///
/// Also installs a `tracing` subscriber writing to standard error (filter from `RUST_LOG`,
/// `info` by default) unless one is installed already: see
/// [`server::init_tracing`](crate::server::init_tracing).
pub async fn execute<S: Settings>(router: Router<S>) -> ExitCode {
    crate::server::init_tracing();
    let args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    execute_from(router, args, CommandIo::process()).await
}

/// Runs the management command given by `args` (program name first, as `std::env::args()`
/// gives them) with the streams and environment of `io`: what [`execute`] does, testable.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::process::ExitCode;
/// use drf_runtime::management::{execute_from, CommandIo};
/// use drf_runtime::Router;
///
/// let (io, out) = CommandIo::memory("")
///     .env("DATABASE_URL", "sqlite::memory:")
///     .env("SECRET_KEY", "test")
///     .build();
/// let args = ["manage", "migrate"].map(String::from);
/// let code = execute_from(Router::<drf_runtime::DefaultSettings>::new(), args, io).await;
/// assert_eq!(code, ExitCode::SUCCESS);
/// assert!(out.stdout().contains("Applying auth.0001_initial... OK"));
/// # });
/// ```
pub async fn execute_from<S, I>(router: Router<S>, args: I, mut io: CommandIo) -> ExitCode
where
    S: Settings,
    I: IntoIterator<Item = String>,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let text = text.trim_end();
            return if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                io.out(text);
                ExitCode::SUCCESS
            } else {
                io.err(text);
                ExitCode::from(2)
            };
        }
    };
    if let Command::ShowUrls { format, strict } = &cli.command {
        // Needs no configuration and no database.
        return match show_urls(&router, format, *strict, &mut io) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                io.err(format_args!("CommandError: {message}"));
                ExitCode::FAILURE
            }
        };
    }
    if let Command::Spectacular { file } = &cli.command {
        // Needs the configuration (the Token keyword, the cookie names), not the database.
        return match spectacular(&router, file.as_deref(), &mut io) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                io.err(format_args!("CommandError: {message}"));
                ExitCode::FAILURE
            }
        };
    }
    let outcome = match Config::from_lookup::<S>(|name| io.var(name)) {
        Ok(config) => {
            for warning in config.warnings() {
                io.err(warning);
            }
            run(router, config, cli, &mut io).await
        }
        Err(e) => Err(Failure::Command(e.to_string())),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Command(message)) => {
            io.err(format_args!("CommandError: {message}"));
            ExitCode::FAILURE
        }
        Err(Failure::Exit(code)) => ExitCode::from(code),
    }
}

/// Connects, then runs one command.
async fn run<S: Settings>(
    router: Router<S>,
    mut config: Config,
    cli: Cli,
    io: &mut CommandIo,
) -> Outcome {
    if !matches!(cli.command, Command::Runserver(_)) {
        // A one-shot command reads a token once at most: no token cache, no listener.
        config.auth_cache.enabled = false;
    }
    let app = App::connect(config).await?;
    let is_migrate = matches!(cli.command, Command::Migrate { .. });
    if !is_migrate && !app.db().is_postgres() {
        // The embedded database is created and migrated on first use.
        let report = app.db().migrate().await?;
        if !report.is_noop() {
            tracing::debug!(
                tables = report.created_tables.len(),
                "created the missing tables of the SQLite database"
            );
        }
    }
    let outcome = match cli.command {
        Command::Migrate { noinput: _ } => migrate(&app, io, cli.verbosity).await,
        Command::Runserver(args) => runserver::runserver(router, app.clone(), io, args).await,
        Command::Createuser(args) => users::createuser(&app, io, args).await,
        Command::Createsuperuser(args) => {
            users::createsuperuser(&app, io, args, cli.verbosity).await
        }
        Command::Changepassword { username } => users::changepassword(&app, io, username).await,
        Command::Clearsessions => clearsessions::clearsessions(&app, cli.verbosity).await,
        Command::DrfCreateToken { username, reset } => {
            drf_create_token(&app, io, &username, reset).await
        }
        Command::ShowUrls { .. } | Command::Spectacular { .. } => Ok(()),
    };
    app.db().close().await;
    outcome
}

/// `show_urls [--format text|json] [--strict]`: the route manifest on standard output; with
/// `--strict`, an error naming the views whose permissions are the settings' defaults.
fn show_urls<S: Settings>(
    router: &Router<S>,
    format: &str,
    strict: bool,
    io: &mut CommandIo,
) -> Result<(), String> {
    let routes = router.manifest();
    if format == "json" {
        let text = serde_json::to_string_pretty(&routes).map_err(|e| e.to_string())?;
        io.out(text);
    } else {
        io.out(crate::manifest::to_text(&routes).trim_end());
    }
    let implicit: Vec<String> = routes
        .iter()
        .filter(|r| r.permissions_from_settings)
        .map(|r| format!("{} ({})", r.path, r.view))
        .collect();
    if strict && !implicit.is_empty() {
        return Err(format!(
            "permissions come from DEFAULT_PERMISSION_CLASSES, not the view's own #[permission_classes], for: {}",
            implicit.join(", ")
        ));
    }
    Ok(())
}

/// `spectacular [--file PATH]`: the OpenAPI document, pretty-printed.
fn spectacular<S: Settings>(
    router: &Router<S>,
    file: Option<&std::path::Path>,
    io: &mut CommandIo,
) -> Result<(), String> {
    let config = Config::from_lookup::<S>(|name| io.var(name)).map_err(|e| e.to_string())?;
    let doc = router.openapi(&config);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    match file {
        None => io.out(text),
        Some(path) => std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
    }
    Ok(())
}

/// `migrate`, with Django's output.
async fn migrate(app: &App, io: &mut CommandIo, verbosity: u8) -> Outcome {
    let report = app.db().migrate().await?;
    if verbosity >= 1 {
        io.out(report.to_string().trim_end());
    }
    Ok(())
}

/// DRF's `drf_create_token [-r] USERNAME` (docs/django-compat.md §3.4).
async fn drf_create_token(app: &App, io: &mut CommandIo, username: &str, reset: bool) -> Outcome {
    let missing = || {
        Failure::command(format!(
            "Cannot create the Token: user {username} does not exist"
        ))
    };
    let user = app
        .db()
        .user_by_username(username)
        .await?
        .ok_or_else(missing)?;
    let user_id = user.id.ok_or_else(missing)?;
    let token = if reset {
        app.db().reset_token(user_id).await
    } else {
        app.db().get_or_create_token(user_id).await
    };
    let token = match token {
        Ok(t) => t,
        Err(DbError::UserNotFound) => return Err(missing()),
        Err(e) => return Err(e.into()),
    };
    io.out(format_args!(
        "Generated token {} for user {username}",
        token.key
    ));
    Ok(())
}
