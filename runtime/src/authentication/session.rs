//! Session authentication (DRF's `SessionAuthentication`).

use super::{AuthResult, Authenticate};
use crate::request::Request;

/// Django's session cookie (`sessionid`).
///
/// This release implements DRF's behaviour without a session: the scheme steps aside, and it
/// has no authenticate header, so a view whose first scheme is `Session` answers authentication
/// failures with 403. Reading Django sessions (and CSRF) is the next step.
#[derive(Debug, Clone, Copy, Default)]
pub struct Session;

impl Authenticate for Session {
    const NAME: &'static str = "Session";

    async fn authenticate(req: &Request) -> AuthResult {
        req.mark_session_accessed();
        Ok(None)
    }
}
