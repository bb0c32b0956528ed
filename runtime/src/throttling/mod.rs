//! Throttling (DRF's third policy): the [`Throttle`] trait, the built-in [`AnonRate`],
//! [`UserRate`] and [`ScopedRate`], and the [`Store`]s that keep request histories.
//!
//! A view's throttles run after its permissions and before the method check, so a 405 uses
//! quota and a failed authentication does not (DRF's `APIView.initial`). Every throttle of the
//! list is checked, each recording the request only when it allows it; if any refuses, the
//! answer is 429 with the longest of the refusing throttles' waits, rounded up
//! (`Request was throttled. Expected available in N seconds.` and `Retry-After: N`).
//!
//! Rates come from `DEFAULT_THROTTLE_RATES` in `settings!`, overridden at start-up by
//! `THROTTLE_RATE_<SCOPE>` (`THROTTLE_RATE_ANON=10/min`; see [`ThrottleConfig`]). Histories
//! live in process memory ([`MemoryStore`]) or, when `REDIS_URL` is set, in Redis
//! ([`RedisStore`]), where several processes share them exactly.
//!
//! A throttle of your own implements [`Throttle`], usually through
//! [`ThrottleContext::check_rate`], which does what DRF's `SimpleRateThrottle` does for a
//! scope and a key:
//!
//! ```
//! # use drf::prelude::*;
//! /// 100 uploads a day per API key (rate: `DEFAULT_THROTTLE_RATES = { uploads: "100/day" }`).
//! struct PerApiKey;
//!
//! impl Throttle for PerApiKey {
//!     async fn allow_request(cx: &ThrottleContext<'_>) -> Result<Decision, ApiError> {
//!         match cx.request().headers().get("x-api-key").and_then(|k| k.to_str().ok()) {
//!             Some(key) => cx.check_rate("uploads", key).await,
//!             None => Ok(Decision::Allow),
//!         }
//!     }
//!     fn scope(_: Option<&'static str>) -> Option<&'static str> {
//!         Some("uploads")
//!     }
//! }
//! ```

mod builtin;
mod hit;
pub mod ident;
mod memory;
pub(crate) mod rate;
mod redis;
pub(crate) mod store;

use std::borrow::Cow;
use std::future::Future;

pub use crate::config::{RedisFailure, ThrottleConfig};
pub use builtin::{AnonRate, ScopedRate, UserRate};
pub use ident::{Cidr, ClientIdentity};
pub use memory::MemoryStore;
pub use rate::{PERIODS, Rate};
pub use redis::RedisStore;
pub use store::Store;

use crate::error::ApiError;
use crate::request::Request;

/// What a throttle decides about one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The request may proceed (and was counted, if the throttle counts).
    Allow,
    /// The request is refused; `wait` is DRF's recommended wait in seconds (`None`: unknown).
    Throttle {
        /// Seconds until a request may succeed, before rounding up.
        wait: Option<f64>,
    },
}

/// A throttle (DRF's `BaseThrottle`): decides whether a request may proceed, after
/// authentication and permissions.
///
/// Implement it for your own throttles and name them in `#[throttle_classes(...)]` or
/// `DEFAULT_THROTTLE_CLASSES` by path. Rate-based throttles call
/// [`ThrottleContext::check_rate`] with a scope (whose rate comes from the settings) and a key
/// (who is counted).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a throttle",
    label = "expected a type implementing `Throttle`",
    note = "built-in throttles are `AnonRate`, `UserRate` and `ScopedRate`; authentication schemes belong in `#[authentication_classes(...)]`, permissions in `#[permission_classes(...)]`"
)]
pub trait Throttle: Send + Sync + 'static {
    /// DRF's `allow_request` and `wait`: allow, or refuse with a wait.
    fn allow_request(
        cx: &ThrottleContext<'_>,
    ) -> impl Future<Output = Result<Decision, ApiError>> + Send;

    /// The scope whose rate the throttle reads, given the view's `throttle_scope`, if it is
    /// known without a request. The router checks at start-up that the settings give it a
    /// rate. The default: none.
    fn scope(view_scope: Option<&'static str>) -> Option<&'static str> {
        let _ = view_scope;
        None
    }
}

/// What a throttle sees: the request, the view's throttle scope, the rates.
#[derive(Debug)]
pub struct ThrottleContext<'a> {
    request: &'a Request,
    view_scope: Option<&'static str>,
    rates: &'static [(&'static str, Option<Rate>)],
}

impl<'a> ThrottleContext<'a> {
    /// The context of `request` for a view with `view_scope`, under the settings' `rates`.
    pub fn new(
        request: &'a Request,
        view_scope: Option<&'static str>,
        rates: &'static [(&'static str, Option<Rate>)],
    ) -> Self {
        Self {
            request,
            view_scope,
            rates,
        }
    }

    /// The request, authenticated (`request().user()`).
    pub fn request(&self) -> &'a Request {
        self.request
    }

    /// The view's `throttle_scope` (`#[throttle_scope("burst")]`).
    pub fn view_scope(&self) -> Option<&'static str> {
        self.view_scope
    }

    /// The rate of `scope`: the environment's `THROTTLE_RATE_<SCOPE>`, else
    /// `DEFAULT_THROTTLE_RATES`. `Ok(None)` means "not throttled" (DRF's `None`); a scope with
    /// no entry is DRF's `ImproperlyConfigured` (a 500, logged).
    pub fn rate(&self, scope: &str) -> Result<Option<Rate>, ApiError> {
        let config = &self.request.app().config().throttle;
        if let Some((_, rate)) = config.rates.iter().find(|(s, _)| s == scope) {
            return Ok(*rate);
        }
        self.rates
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, rate)| *rate)
            .ok_or_else(|| {
                ApiError::Internal(format!(
                    "ImproperlyConfigured: No default throttle rate set for '{scope}' scope"
                ))
            })
    }

    /// The anonymous caller's identity (DRF's `get_ident`): an address, as configured by
    /// `NUM_PROXIES` or `TRUSTED_PROXIES` (see [`ClientIdentity`]).
    pub fn ident(&self) -> Cow<'a, str> {
        let req = self.request;
        req.app()
            .config()
            .throttle
            .identity
            .ident(req.headers(), req.peer_addr())
    }

    /// Who is counted: `id:<pk>` for an authenticated user (the same whatever the scheme),
    /// else `ident:<ident>`.
    pub fn caller(&self) -> String {
        let user = self.request.user();
        match user.id {
            Some(id) if user.is_authenticated() => format!("id:{id}"),
            _ => format!("ident:{}", self.ident()),
        }
    }

    /// DRF's `SimpleRateThrottle.allow_request` for `scope` and `key`: no rate allows;
    /// otherwise the history of (`scope`, `key`) is checked and, when there is room, the
    /// request is recorded, atomically.
    pub async fn check_rate(&self, scope: &str, key: &str) -> Result<Decision, ApiError> {
        match self.rate(scope)? {
            Some(rate) => self.record(scope, rate, key).await,
            None => Ok(Decision::Allow),
        }
    }

    /// [`ThrottleContext::check_rate`] with the rate already looked up.
    pub(crate) async fn record(
        &self,
        scope: &str,
        rate: Rate,
        key: &str,
    ) -> Result<Decision, ApiError> {
        let store_key = store_key(scope, key);
        let store = self.request.app().throttle_store();
        Ok(match store.hit(&store_key, rate).await? {
            None => Decision::Allow,
            Some(hit) if hit.allowed => Decision::Allow,
            Some(hit) => Decision::Throttle {
                wait: hit.wait(rate),
            },
        })
    }
}

/// `throttle:<scope>:<digest of key>`, with `%` and `:` of the scope escaped so that no two
/// (scope, key) pairs share a key. The key (a client identity: whatever `X-Forwarded-For`
/// said, a user id, your own throttle's key) is stored as the first 16 bytes of its SHA-256,
/// in hex, so that a hostile header cannot make the stores hold large keys: every history
/// costs the same whatever the client sent.
fn store_key(scope: &str, key: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(key.as_bytes());
    let mut out = String::with_capacity(10 + scope.len() + 32);
    out.push_str("throttle:");
    for c in scope.chars() {
        match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            c => out.push(c),
        }
    }
    out.push(':');
    out.push_str(&crate::signing::to_hex(&digest[..16]));
    out
}

/// A view's throttle list: `()` or a tuple of [`Throttle`]s. All are checked (none is skipped
/// because an earlier one refused, as DRF's `check_throttles`).
pub trait ThrottleList: Send + Sync + 'static {
    /// How many throttles; a view with none skips throttling entirely.
    const LEN: usize;

    /// Runs every throttle; refused by any, `Throttled` with the longest wait.
    fn check(cx: &ThrottleContext<'_>) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// The scopes known without a request (see [`Throttle::scope`]).
    fn scopes(view_scope: Option<&'static str>, out: &mut Vec<&'static str>);
}

impl ThrottleList for () {
    const LEN: usize = 0;
    async fn check(_: &ThrottleContext<'_>) -> Result<(), ApiError> {
        Ok(())
    }
    fn scopes(_: Option<&'static str>, _: &mut Vec<&'static str>) {}
}

/// DRF's `Throttled(wait)`: the wait rounded up (`math.ceil`).
fn throttled(refused: bool, wait: Option<f64>) -> Result<(), ApiError> {
    if !refused {
        return Ok(());
    }
    Err(ApiError::Throttled {
        wait: wait.map(|w| w.ceil().max(0.0) as u64),
    })
}

macro_rules! impl_throttle_list {
    ($($t:ident),+) => {
        impl<$($t: Throttle),+> ThrottleList for ($($t,)+) {
            const LEN: usize = [$(stringify!($t)),+].len();

            async fn check(cx: &ThrottleContext<'_>) -> Result<(), ApiError> {
                let mut refused = false;
                let mut longest: Option<f64> = None;
                $(
                    if let Decision::Throttle { wait } = $t::allow_request(cx).await? {
                        refused = true;
                        if let Some(w) = wait {
                            longest = Some(longest.map_or(w, |l| l.max(w)));
                        }
                    }
                )+
                let answer = throttled(refused, longest);
                if let Err(ApiError::Throttled { wait }) = answer {
                    crate::audit::throttled(cx.request(), cx.view_scope(), wait);
                }
                answer
            }

            fn scopes(view_scope: Option<&'static str>, out: &mut Vec<&'static str>) {
                $( out.extend($t::scope(view_scope)); )+
            }
        }
    };
}

crate::tuples::all_the_tuples!(impl_throttle_list);

/// True when `rates` has an entry for `scope` (used by the compile-time check that
/// `#[throttle_scope]` expands to).
#[doc(hidden)]
pub const fn has_scope(rates: &[(&str, Option<Rate>)], scope: &str) -> bool {
    let mut i = 0;
    while i < rates.len() {
        let (a, b) = (rates[i].0.as_bytes(), scope.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return true;
            }
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_keys_cannot_collide() {
        // SHA-256("ident:1.2.3.4"), its first 16 bytes (Python's hashlib).
        let ip = store_key("anon", "ident:1.2.3.4");
        assert_eq!(ip, "throttle:anon:ac91184f995e3488e0cdc76fbec74207");
        assert_eq!(ip.len(), "throttle:anon:".len() + 32);
        // A hostile identity costs the same as any other.
        assert_eq!(store_key("anon", &"x".repeat(100_000)).len(), ip.len());
        assert_ne!(store_key("a:b", "c"), store_key("a", "b:c"));
        assert_eq!(
            store_key("50%:x", "k"),
            "throttle:50%25%3Ax:8254c329a92850f6d539dd376f4816ee"
        );
    }

    #[test]
    fn the_longest_wait_is_rounded_up() {
        assert_eq!(throttled(false, None), Ok(()));
        assert_eq!(
            throttled(true, Some(59.01)),
            Err(ApiError::Throttled { wait: Some(60) })
        );
        assert_eq!(
            throttled(true, Some(0.2)),
            Err(ApiError::Throttled { wait: Some(1) })
        );
        assert_eq!(
            throttled(true, None),
            Err(ApiError::Throttled { wait: None })
        );
    }

    #[test]
    fn scopes_are_found_in_const_context() {
        const RATES: &[(&str, Option<Rate>)] = &[("anon", None), ("burst", Some(Rate::new(2, 60)))];
        const { assert!(has_scope(RATES, "burst")) };
        assert!(!has_scope(RATES, "burs"));
        assert!(!has_scope(RATES, "bursty"));
        assert_eq!(<(AnonRate, UserRate)>::LEN, 2);
    }
}
