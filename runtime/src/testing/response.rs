//! [`TestResponse`]: what the router answered a test request.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The answer to a test request.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (empty for HEAD).
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON.
    ///
    /// # Panics
    /// If the body is not JSON; the message shows the status and the body.
    pub fn json(&self) -> Value {
        self.json_as()
    }

    /// The body deserialized as `T`.
    ///
    /// # Panics
    /// If the body does not deserialize; the message shows the status and the body.
    pub fn json_as<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "response body is not the expected JSON ({e}); status {}, body: {}",
                self.status,
                self.text()
            )
        })
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
