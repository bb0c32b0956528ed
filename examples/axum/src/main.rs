//! `cargo run -p drf-example-axum` serves the axum application of this package on `BIND`
//! (127.0.0.1:8000 by default) until Ctrl-C; with arguments it is the management command line:
//! `cargo run -p drf-example-axum -- createuser alice --password-stdin`.

use std::net::SocketAddr;
use std::process::ExitCode;

use drf::{App, Config};
use drf_example_axum::{Options, api, app, settings::Settings};

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        return drf::management::execute(api()).await;
    }
    match serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::from_env()?;
    let config = Config::from_env::<Settings>()?;
    // The tracing subscriber and the start-up warnings, as `runserver` has them.
    drf::server::start_up(&config);
    let drf = App::connect(config).await?;
    drf.db().migrate().await?;
    let listener = tokio::net::TcpListener::bind(drf.config().bind).await?;
    let local = listener.local_addr()?;
    // What the framework's own server checks before it listens.
    drf.config().check_listen(local)?;
    eprintln!("Starting server at http://{local}/");
    let service = app(drf, &options).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
