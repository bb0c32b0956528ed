//! The accept loop and the drain that follows it.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::conn::serve_connection;
use crate::app::App;
use crate::router::Router;
use crate::settings::Settings;

/// Pause after an accept error that is not about one connection (EMFILE, ENFILE, ENOBUFS…).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Errors of `accept` that concern one connection only: carry on at once.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

/// What [`serve`](super::serve) does: accept until `shutdown`, then close the listener and
/// drain for at most [`Config::shutdown_grace`](crate::config::Config::shutdown_grace).
pub(super) async fn accept_then_drain<S: Settings>(
    router: Router<S>,
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    router
        .check_states()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let router = Arc::new(router);
    let grace = app.config().shutdown_grace;
    let max = app.config().max_connections;
    // Tells every connection to finish (`graceful`), and drops those still open after the
    // grace period (`connections`: aborting a task drops its connection).
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(done) = connections.join_next(), if !connections.is_empty() => {
                if let Err(e) = done {
                    tracing::error!(error = %e, "connection task failed");
                }
            }
            // At the cap, new connections wait in the listen backlog until one ends.
            accepted = listener.accept(), if max == 0 || connections.len() < max => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(
                        stream,
                        peer,
                        Arc::clone(&router),
                        app.clone(),
                        graceful.watcher(),
                    ));
                }
                Err(e) if is_connection_error(&e) => {
                    tracing::debug!(error = %e, "accept: connection failed");
                }
                Err(e) => {
                    tracing::error!(error = %e, "accept failed; retrying shortly");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                }
            },
        }
    }

    // Refuse new connections from now on.
    drop(listener);
    if !connections.is_empty() {
        tracing::info!(
            connections = connections.len(),
            grace = ?grace,
            "shutting down: waiting for requests in progress"
        );
    }
    // Signals every connection, then waits until each has ended.
    let drained = tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_ok();
    if !drained {
        // Forget the connections that did end, so that only the others are counted.
        while connections.try_join_next().is_some() {}
        tracing::warn!(
            connections = connections.len(),
            "shutdown grace period over: closing the remaining connections"
        );
        connections.shutdown().await;
    }
    tracing::info!("server stopped");
    Ok(())
}
