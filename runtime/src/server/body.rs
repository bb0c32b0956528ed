//! Reading a request body into memory, within [`Config::max_body_size`] and
//! [`Config::body_timeout`], and the answers sent when that fails.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;

use super::BoxError;
use crate::config::Config;
use crate::error::ApiError;
use crate::response::Response;

/// `None` for a zero duration, which disables the timeout it configures.
pub(super) fn nonzero(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

/// The answer sent instead of reading the rest of the body: it asks for the connection to be
/// closed after it.
fn refuse(err: ApiError) -> Response {
    let mut resp = err.into_response_with(None);
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

fn timed_out() -> ApiError {
    ApiError::Custom {
        status: StatusCode::REQUEST_TIMEOUT,
        detail: Cow::Borrowed("Request timeout."),
    }
}

/// The whole of `body`, or the answer to send in its place (413, 408 or 400, each with
/// `Connection: close`).
///
/// An announced length above the limit is refused before anything is read; a body without
/// one is refused as soon as it crosses the limit.
pub(super) async fn read_body<B>(body: B, config: &Config) -> Result<Bytes, Response>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let max = config.max_body_size;
    if body.size_hint().lower() > u64::try_from(max).unwrap_or(u64::MAX) {
        return Err(refuse(ApiError::PayloadTooLarge));
    }
    let collecting = Limited::new(body, max).collect();
    let collected = match nonzero(config.body_timeout) {
        Some(limit) => tokio::time::timeout(limit, collecting)
            .await
            .map_err(|_| refuse(timed_out()))?,
        None => collecting.await,
    };
    match collected {
        Ok(all) => Ok(all.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(refuse(ApiError::PayloadTooLarge)),
        Err(e) => {
            tracing::debug!(error = %e, "could not read the request body");
            Err(refuse(ApiError::ParseError(
                "Malformed request body.".to_owned(),
            )))
        }
    }
}
