//! DRF's built-in throttles.

use super::{Decision, Throttle, ThrottleContext};
use crate::error::ApiError;

/// DRF's `AnonRateThrottle`: anonymous callers, by identity (the `anon` rate); authenticated
/// users pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnonRate;

/// DRF's `UserRateThrottle`: users by id, whichever scheme authenticated them, and anonymous
/// callers by identity (the `user` rate).
#[derive(Debug, Clone, Copy, Default)]
pub struct UserRate;

/// DRF's `ScopedRateThrottle`: the rate of the view's `#[throttle_scope("...")]`, per user id
/// or anonymous identity; a view without a scope is not throttled by it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScopedRate;

impl Throttle for AnonRate {
    async fn allow_request(cx: &ThrottleContext<'_>) -> Result<Decision, ApiError> {
        // DRF reads the rate first: a missing scope is an error even for users.
        let Some(rate) = cx.rate("anon")? else {
            return Ok(Decision::Allow);
        };
        if cx.request().user().is_authenticated() {
            return Ok(Decision::Allow);
        }
        let key = format!("ident:{}", cx.ident());
        cx.record("anon", rate, &key).await
    }

    fn scope(_: Option<&'static str>) -> Option<&'static str> {
        Some("anon")
    }
}

impl Throttle for UserRate {
    async fn allow_request(cx: &ThrottleContext<'_>) -> Result<Decision, ApiError> {
        match cx.rate("user")? {
            Some(rate) => cx.record("user", rate, &cx.caller()).await,
            None => Ok(Decision::Allow),
        }
    }

    fn scope(_: Option<&'static str>) -> Option<&'static str> {
        Some("user")
    }
}

impl Throttle for ScopedRate {
    async fn allow_request(cx: &ThrottleContext<'_>) -> Result<Decision, ApiError> {
        let Some(scope) = cx.view_scope().filter(|s| !s.is_empty()) else {
            return Ok(Decision::Allow);
        };
        match cx.rate(scope)? {
            Some(rate) => cx.record(scope, rate, &cx.caller()).await,
            None => Ok(Decision::Allow),
        }
    }

    fn scope(view_scope: Option<&'static str>) -> Option<&'static str> {
        view_scope.filter(|s| !s.is_empty())
    }
}
