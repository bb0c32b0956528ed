//! Request bodies: read only when a view wants them, within [`Config::max_body_size`] and
//! [`Config::body_timeout`].
//!
//! The server hands the router the body as a stream ([`Pending`]). Routing, authentication,
//! permissions, throttles and the method check run first; the body is read when the view is
//! about to run its handler, or earlier when something needs it (the CSRF check of a form
//! POST). A request answered before (a 404, a 401, a 429…) never has its body read or held:
//! what a client sends costs memory only once a view has accepted it. The server learns from
//! [`BodyWatch`] whether the body was read to its end, and lingers on the socket when it was
//! not.

use std::borrow::Cow;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Frame, SizeHint};

use crate::config::Config;
use crate::error::ApiError;

/// The error type of the bodies the server and `RouterService` accept.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What happened to one request's body, shared by the server and the request.
#[derive(Debug, Default)]
pub(crate) struct BodyWatch {
    /// The stream ended (or failed): nothing of it is left on the connection.
    finished: AtomicBool,
    /// Reading was refused (too large, too slow, malformed): the answer closes the connection.
    refused: AtomicBool,
}

impl BodyWatch {
    /// True when the body was read to its end.
    pub(crate) fn finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }

    /// True when reading the body was refused.
    pub(crate) fn refused(&self) -> bool {
        self.refused.load(Ordering::Relaxed)
    }
}

/// A body not read yet.
pub(crate) struct Pending(Watched);

impl Pending {
    /// `body`, watched by the returned [`BodyWatch`].
    pub(crate) fn new<B>(body: B) -> (Self, Arc<BodyWatch>)
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let watch = Arc::new(BodyWatch::default());
        if body.is_end_stream() {
            watch.finished.store(true, Ordering::Relaxed);
        }
        let body = Watched {
            inner: body.map_err(Into::into).boxed_unsync(),
            watch: Arc::clone(&watch),
        };
        (Self(body), watch)
    }

    /// The whole body, or the error to answer in its place (413, 408 or 400); a refusal is
    /// noted in the watch, so that the answer closes the connection.
    ///
    /// An announced length above the limit is refused before anything is read; a body
    /// without one is refused as soon as it crosses the limit.
    pub(crate) async fn read(self, config: &Config) -> Result<Bytes, ApiError> {
        let watch = Arc::clone(&self.0.watch);
        let read = read_to_bytes(self.0, config).await;
        if read.is_err() {
            watch.refused.store(true, Ordering::Relaxed);
        }
        read
    }
}

/// Notes the end of the stream in the watch.
struct Watched {
    inner: UnsyncBoxBody<Bytes, BoxError>,
    watch: Arc<BodyWatch>,
}

impl Body for Watched {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) || this.inner.is_end_stream() {
            this.watch.finished.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// `None` for a zero duration, which disables the timeout it configures.
pub(crate) fn nonzero(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

fn timed_out() -> ApiError {
    ApiError::Custom {
        status: StatusCode::REQUEST_TIMEOUT,
        detail: Cow::Borrowed("Request timeout."),
    }
}

/// The whole of `body` within the configured size and time (413, 408, or 400 for a body the
/// client broke off).
pub(crate) async fn read_to_bytes<B>(body: B, config: &Config) -> Result<Bytes, ApiError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let max = config.max_body_size;
    if body.size_hint().lower() > u64::try_from(max).unwrap_or(u64::MAX) {
        return Err(ApiError::PayloadTooLarge);
    }
    let collecting = Limited::new(body, max).collect();
    let collected = match nonzero(config.body_timeout) {
        Some(limit) => tokio::time::timeout(limit, collecting)
            .await
            .map_err(|_| timed_out())?,
        None => collecting.await,
    };
    match collected {
        Ok(all) => Ok(all.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(ApiError::PayloadTooLarge),
        Err(e) => {
            tracing::debug!(error = %e, "could not read the request body");
            Err(ApiError::ParseError("Malformed request body.".to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    #[tokio::test]
    async fn the_watch_sees_a_body_read_to_its_end() {
        let config = Config::with_defaults(&crate::config::ConfigDefaults::DRF);
        let (pending, watch) = Pending::new(Full::new(Bytes::from_static(b"abc")));
        assert!(!watch.finished());
        assert_eq!(pending.read(&config).await.unwrap(), "abc");
        assert!(watch.finished() && !watch.refused());

        let (_, watch) = Pending::new(Full::new(Bytes::new()));
        assert!(watch.finished(), "an empty body is read already");
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused_and_left_unread() {
        let mut config = Config::with_defaults(&crate::config::ConfigDefaults::DRF);
        config.max_body_size = 4;
        let chunks = (0..10).map(|_| Ok::<_, BoxError>(Frame::data(Bytes::from_static(b"xx"))));
        let stream = StreamBody::new(futures_util::stream::iter(chunks));
        let (pending, watch) = Pending::new(stream);
        assert!(matches!(
            pending.read(&config).await,
            Err(ApiError::PayloadTooLarge)
        ));
        assert!(watch.refused() && !watch.finished());
    }
}
