//! Python's behaviour where Django's or DRF's answers depend on it, byte for byte: JSON
//! decoding with CPython's error messages, the text codecs a request's `charset` names, `json.dumps` as Django signs it, `repr(float)`,
//! non-strict `base64.b64decode`, `urllib.parse.urlsplit`, and the `Cookie` header as
//! Django's `parse_cookie` reads it.
//!
//! These are written here rather than taken from a crate because the answers must match the
//! Python stack exactly (error texts, quirks of the non-strict decoders); each file says which
//! Python function it follows.

pub(crate) mod base64;
pub(crate) mod codecs;
pub mod cookies;
pub(crate) mod json_decode;
pub(crate) mod json_encode;
pub(crate) mod repr;
pub(crate) mod urllib;

pub use base64::b64decode;
pub use json_encode::json_dumps;
pub(crate) use repr::float_repr;
