//! Token authentication (DRF's `TokenAuthentication`), with a configurable keyword.

use http::HeaderValue;

use super::header::{Credentials, authorization_bytes, credentials_for, split_words};
use super::{AuthResult, Authenticate};
use crate::config::Config;
use crate::error::ApiError;
use crate::openapi::SecurityScheme;
use crate::request::Request;
use crate::user::Auth;

/// `Authorization: Token <key>` (the keyword comes from the settings' `TOKEN_KEYWORD`).
///
/// One query finds the token and its user. Failures are DRF's: `Invalid token header. No
/// credentials provided.`, `… Token string should not contain spaces.`, `… Token string should
/// not contain invalid characters.`, `Invalid token.`, `User inactive or deleted.` Its
/// authenticate header is the keyword.
#[derive(Debug, Clone, Copy, Default)]
pub struct Token;

impl Authenticate for Token {
    const NAME: &'static str = "Token";

    fn security_scheme(config: &Config) -> SecurityScheme {
        SecurityScheme::keyword("tokenAuth", &config.token_keyword)
    }

    async fn authenticate(req: &Request) -> AuthResult {
        authenticate_token_keyword(req, &req.app().config().token_keyword).await
    }

    fn authenticate_header(req: &Request) -> Option<HeaderValue> {
        HeaderValue::from_str(&req.app().config().token_keyword).ok()
    }
}

/// Token authentication with any keyword: the body of [`Token`], for custom schemes such as
/// `Bearer`.
pub async fn authenticate_token_keyword(req: &Request, keyword: &str) -> AuthResult {
    let raw = authorization_bytes(req.headers());
    let words = split_words(&raw);
    let word = match credentials_for(&words, keyword) {
        Credentials::NotMine => return Ok(None),
        Credentials::Missing => {
            return Err(ApiError::authentication_failed(
                "Invalid token header. No credentials provided.",
            ));
        }
        Credentials::HasSpaces => {
            return Err(ApiError::authentication_failed(
                "Invalid token header. Token string should not contain spaces.",
            ));
        }
        Credentials::Word(w) => w,
    };
    let Ok(key) = std::str::from_utf8(word) else {
        return Err(ApiError::authentication_failed(
            "Invalid token header. Token string should not contain invalid characters.",
        ));
    };
    let found = if key.len() > 40 || key.contains('\0') {
        // authtoken_token.key is varchar(40): no longer key can match.
        None
    } else {
        req.app().db().token_with_user(key).await?
    };
    let Some((token, user)) = found else {
        return Err(ApiError::authentication_failed("Invalid token."));
    };
    if !user.is_active {
        return Err(ApiError::authentication_failed("User inactive or deleted."));
    }
    Ok(Some((user, Auth::Token(token))))
}
