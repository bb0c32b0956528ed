//! The quickstart: a small notes API on SQLite (or PostgreSQL, by `DATABASE_URL`).
//!
//! `cargo run --example quickstart` migrates `db.sqlite3` (or `DATABASE_URL`), creates the notes table,
//! prints how to get a token and serves on 127.0.0.1:8000. With arguments it is the
//! management command line: `cargo run --example quickstart -- createuser alice --password-stdin`.

mod notes;
mod settings;
mod views;

use std::process::ExitCode;

use drf::{App, Config};

use settings::Settings;

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        return drf::management::main::<Settings>(views::router);
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env::<Settings>()?;
    // Logging and start-up warnings as `runserver` has them.
    drf::server::start_up(&config);
    let app = App::connect(config).await?;
    let report = app.db().migrate().await?;
    if !report.is_noop() {
        eprintln!("Created Django's tables in {}", app.config().database_url);
    }
    notes::create_table(&app).await?;
    let addr = app.config().bind;
    eprintln!(
        "\nThe quickstart API is starting. In another terminal:\n\n  \
         echo 's3cret-pass' | cargo run --example quickstart -- createuser alice --password-stdin\n  \
         curl -s -X POST -d username=alice -d password=s3cret-pass http://{addr}/api-token-auth/\n  \
         curl -s -H 'Authorization: Token <token>' -H 'Content-Type: application/json' \\\n       \
         -d '{{\"title\": \"first\", \"body\": \"hello\"}}' http://{addr}/notes/\n  \
         curl -s -H 'Authorization: Token <token>' http://{addr}/notes/\n\n\
         Or open http://{addr}/notes/ in a browser: the browsable API, with a login page.\n",
    );
    drf::server::run(views::router(), app, addr).await?;
    Ok(())
}
