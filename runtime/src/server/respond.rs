//! One request from head to answer: the body, the router behind a panic guard, the access
//! log line. Shared by the server's connections and by [`RouterService`](super::RouterService).

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{HeaderValue, header};
use http_body_util::Full;
use hyper::body::Body;
use tokio::time::Instant;

use super::{ACCESS_LOG_TARGET, BoxError, HttpResponse, ScriptName};
use crate::app::App;
use crate::body::Pending;
use crate::error::ApiError;
use crate::request::BodyInput;
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
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn handle_guarded<S: Settings>(
    router: &Router<S>,
    app: &App,
    req: http::Request<Bytes>,
    peer: Option<SocketAddr>,
) -> Response {
    let (parts, body) = req.into_parts();
    guarded(router, app, parts, BodyInput::Read(body), peer).await
}

async fn guarded<S: Settings>(
    router: &Router<S>,
    app: &App,
    parts: http::request::Parts,
    body: BodyInput,
    peer: Option<SocketAddr>,
) -> Response {
    let handled = AssertUnwindSafe(router.handle_body(app, parts, body, peer))
        .catch_unwind()
        .await;
    handled.unwrap_or_else(|payload| {
        ApiError::Internal(format!("panic in router: {}", panic_text(&*payload)))
            .into_response_with(None)
    })
}

/// Lets the router answer (the view reads the body if it gets that far) and writes the access
/// log line. The flag is true when the answer was sent with the body left (partly) unread; a
/// refused body's answer also closes the connection.
pub(super) async fn respond<S, B>(
    router: &Router<S>,
    app: &App,
    req: http::Request<B>,
    peer: Option<SocketAddr>,
) -> (HttpResponse, bool)
where
    S: Settings,
    B: Body<Data = Bytes> + Send + 'static,
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
    let (pending, watch) = Pending::new(body);
    let mut resp = guarded(router, app, parts, BodyInput::Pending(pending), peer).await;
    if watch.refused() {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let unread = !watch.finished();
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
