//! HTTP Basic authentication (DRF's `BasicAuthentication`).

use http::HeaderValue;

use super::header::{
    Credentials, authorization_bytes, credentials_for, split_words, utf8_or_latin1,
};
use super::{AuthResult, Authenticate, authenticate_credentials};
use crate::config::Config;
use crate::error::ApiError;
use crate::openapi::SecurityScheme;
use crate::request::Request;
use crate::user::Auth;

/// `Authorization: Basic base64(username:password)`, checked against `auth_user`.
///
/// Failures are DRF's: `Invalid basic header. No credentials provided.`, `… Credentials string
/// should not contain spaces.`, `… Credentials not correctly base64 encoded.`, and
/// `Invalid username/password.` (also for an inactive user with the right password). Its
/// authenticate header is `Basic realm="api"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Basic;

/// Parses a Basic header's credentials word into username and password.
pub(crate) fn decode_basic(word: &[u8]) -> Result<(String, String), ApiError> {
    let bad = || {
        ApiError::authentication_failed(
            "Invalid basic header. Credentials not correctly base64 encoded.",
        )
    };
    let decoded = crate::pycompat::b64decode(word).ok_or_else(bad)?;
    let text = utf8_or_latin1(&decoded);
    let (user, pass) = text.split_once(':').ok_or_else(bad)?;
    Ok((user.to_owned(), pass.to_owned()))
}

impl Authenticate for Basic {
    const NAME: &'static str = "Basic";

    fn security_scheme(_: &Config) -> SecurityScheme {
        SecurityScheme {
            key: "basicAuth".into(),
            scheme: serde_json::json!({"type": "http", "scheme": "basic"}),
        }
    }

    async fn authenticate(req: &Request) -> AuthResult {
        let raw = authorization_bytes(req.headers());
        let words = split_words(&raw);
        let word = match credentials_for(&words, "basic") {
            Credentials::NotMine => return Ok(None),
            Credentials::Missing => {
                return Err(ApiError::authentication_failed(
                    "Invalid basic header. No credentials provided.",
                ));
            }
            Credentials::HasSpaces => {
                return Err(ApiError::authentication_failed(
                    "Invalid basic header. Credentials string should not contain spaces.",
                ));
            }
            Credentials::Word(w) => w,
        };
        let (username, password) = decode_basic(word)?;
        // Boxed: the password check's future is large, and it would make every Basic view's
        // dispatch future as large, whatever credentials its requests carry.
        match Box::pin(authenticate_credentials(req, &username, &password)).await? {
            Some(user) => Ok(Some((user, Auth::None))),
            None => Err(ApiError::authentication_failed(
                "Invalid username/password.",
            )),
        }
    }

    fn authenticate_header(_: &Request) -> Option<HeaderValue> {
        Some(HeaderValue::from_static("Basic realm=\"api\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_splits_on_first_colon() {
        assert_eq!(
            decode_basic(b"YWxpY2U6cDpx").unwrap(),
            ("alice".to_owned(), "p:q".to_owned())
        );
        // No colon at all: DRF reports it as a base64 problem.
        assert!(decode_basic(b"YWxpY2U=").is_err());
        // latin-1 fallback: "\xe9:\xe9"
        assert_eq!(
            decode_basic(b"6Trp").unwrap(),
            ("é".to_owned(), "é".to_owned())
        );
    }
}
