//! One request from head to answer: the body, the router behind a panic guard, the access
//! log line. Shared by the server's connections and by [`RouterService`](super::RouterService).

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt;
use http_body_util::Full;
use hyper::body::Body;
use tokio::time::Instant;

use super::body::read_body;
use super::{ACCESS_LOG_TARGET, BoxError, HttpResponse, ScriptName};
use crate::app::App;
use crate::error::ApiError;
use crate::response::Response;
use crate::router::Router;
use crate::settings::Settings;

/// The text of a panic's payload, when it is a string.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "panic"
    }
}

/// [`Router::handle`], with a panic answered as DRF's 500.
pub(crate) async fn handle_guarded<S: Settings>(
    router: &Router<S>,
    app: &App,
    req: http::Request<Bytes>,
    peer: Option<SocketAddr>,
) -> Response {
    let handled = AssertUnwindSafe(router.handle(app, req, peer))
        .catch_unwind()
        .await;
    handled.unwrap_or_else(|payload| {
        ApiError::Internal(format!("panic in router: {}", panic_text(&*payload)))
            .into_response_with(None)
    })
}

/// Reads the body, lets the router answer and writes the access log line. The flag is true
/// when the answer was sent in place of a body left (partly) unread.
pub(super) async fn respond<S, B>(
    router: &Router<S>,
    app: &App,
    req: http::Request<B>,
    peer: Option<SocketAddr>,
) -> (HttpResponse, bool)
where
    S: Settings,
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    // Only what the log line needs, and only when it is going to be written.
    let logged = tracing::enabled!(target: ACCESS_LOG_TARGET, tracing::Level::INFO).then(|| {
        let prefix = req.extensions().get::<ScriptName>().cloned();
        (
            req.method().clone(),
            req.uri().clone(),
            prefix,
            Instant::now(),
        )
    });
    let (parts, body) = req.into_parts();
    let (resp, unread) = match read_body(body, app.config()).await {
        Ok(bytes) => {
            let req = http::Request::from_parts(parts, bytes);
            (handle_guarded(router, app, req, peer).await, false)
        }
        Err(refusal) => (refusal, true),
    };
    if let Some((method, uri, prefix, started)) = logged {
        // The path the client asked for: under a mount, the prefix in front.
        let path: std::borrow::Cow<'_, str> = match prefix {
            Some(prefix) => format!("{}{}", prefix.as_str(), uri.path()).into(),
            None => uri.path().into(),
        };
        let status = resp.status().as_u16();
        tracing::info!(
            target: ACCESS_LOG_TARGET,
            method = %method,
            path = &*path,
            status,
            elapsed = ?started.elapsed(),
            "{} {} {}",
            method,
            path,
            status,
        );
    }
    (resp.map(Full::new), unread)
}
