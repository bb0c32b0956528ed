//! Audit events: one `tracing` event, target `drf::audit`, for every decision about who a
//! caller is and what they may do.
//!
//! | `event` | when | fields beside route, method and client |
//! | --- | --- | --- |
//! | `authentication` | each scheme a view tried, in order | `scheme`, `outcome` (`success`, `no_credentials`, `failure`), `user_id` on success, `message` (DRF's) on failure |
//! | `permission_denied` | a permission refused the view or an object | `permission`, `answer` (`not_authenticated`: an anonymous caller, 401 or 403; `permission_denied`: 403), `user_id` |
//! | `throttled` | a throttle list, or the failed-login limiter, refused | `scope` (`login` for the limiter), `wait` (seconds) |
//! | `login`, `logout` | a session login or logout | `user_id` |
//!
//! Every event has `route` (the pattern of the route, as given to `Router::route`), `method`
//! and `client` (the address `TRUSTED_PROXIES` or `NUM_PROXIES` find, else the peer's). An
//! event never holds a password, token key, session key, cookie or CSRF value: only user ids,
//! scheme and permission names, and DRF's messages, which name none of them.
//!
//! They are ordinary `tracing` events at level INFO (WARN for a throttled request): filter
//! them with `RUST_LOG=drf::audit=info`, or off with `RUST_LOG=info,drf::audit=off`; with
//! `LOG_FORMAT=json` every log line is a JSON object (see
//! [`server::init_tracing`](crate::server::init_tracing)). When no subscriber wants them they
//! cost one check per event: their fields are not even computed.

use crate::error::ApiError;
use crate::request::Request;
use crate::user::{Auth, User};

/// The target of every audit event.
pub const TARGET: &str = "drf::audit";

/// An audit event of `req` at `$level`, with the fields every event has (route, method,
/// client) before the event's own. `tracing` evaluates the fields only when a subscriber
/// wants the event, so none of this costs anything otherwise.
macro_rules! audit {
    ($level:ident, $req:expr, $($fields:tt)*) => {
        tracing::$level!(
            target: TARGET,
            route = $req.route(),
            method = $req.method().as_str(),
            client = &*$req.client(),
            $($fields)*
        )
    };
}

/// One scheme's outcome.
pub(crate) fn authentication(
    req: &Request,
    scheme: &str,
    outcome: &Result<Option<(User, Auth)>, ApiError>,
) {
    let (outcome, user_id, message) = match outcome {
        Ok(Some((user, _))) => ("success", user.id, None),
        Ok(None) => ("no_credentials", None, None),
        Err(e) => ("failure", None, Some(e.detail())),
    };
    audit!(
        info,
        req,
        event = "authentication",
        scheme,
        outcome,
        user_id,
        message = message.as_deref(),
    );
}

/// `std::any::type_name` without module paths: `And<IsAuthenticated, Not<IsAdminUser>>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word.rsplit("::").next().unwrap_or(""));
        word.clear();
    };
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A permission's refusal, and the answer it became.
pub(crate) fn permission_denied(req: &Request, permission: &'static str, answer: &ApiError) {
    audit!(
        info,
        req,
        event = "permission_denied",
        permission = short_type_name(permission),
        answer = match answer {
            ApiError::NotAuthenticated => "not_authenticated",
            _ => "permission_denied",
        },
        user_id = req.user().id,
    );
}

/// A refusal by a throttle list (`scope`: the view's scope, if any) or by the failed-login
/// limiter (`scope` `login`).
pub(crate) fn throttled(req: &Request, scope: Option<&str>, wait: Option<u64>) {
    audit!(warn, req, event = "throttled", scope, wait);
}

/// A session login (`login`) or logout (`logout`) of `user_id`.
pub(crate) fn session(req: &Request, event: &'static str, user_id: Option<i64>) {
    audit!(info, req, event, user_id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_lose_their_paths() {
        assert_eq!(
            short_type_name(
                "drf_runtime::permissions::And<drf_runtime::permissions::builtin::IsAuthenticated, drf_runtime::permissions::Not<app::IsOwner>>"
            ),
            "And<IsAuthenticated, Not<IsOwner>>"
        );
        assert_eq!(short_type_name("IsAdminUser"), "IsAdminUser");
    }
}
