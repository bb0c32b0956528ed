//! The failed-login limiter: how many failed password logins a client may make, per username
//! and in all, before it is answered 429 without a password check (`LOGIN_FAILURE_RATE`,
//! `LOGIN_FAILURE_RATE_PER_CLIENT`). Django and DRF have none; this is the framework's own.
//!
//! Failures live in the throttle store (process memory, or Redis when `REDIS_URL` is set, so
//! that every instance counts together). An attempt first looks whether either count is full
//! (recording nothing, so a client's concurrent correct logins never limit each other); a
//! failed attempt is then recorded in both, and a successful one clears the count for its
//! username. Attempts already in flight when a count fills are still checked, so a burst can
//! pass the limit by at most what the hashers' queue lets wait at once
//! (`PASSWORD_HASH_MAX_WAITING`); the next attempt after it is refused.

use crate::config::LoginFailureRates;
use crate::error::ApiError;
use crate::throttling::rate::Rate;
use crate::throttling::store::Store;

/// One login attempt that passed the limiter: settle it with
/// [`succeeded`](Attempt::succeeded) or [`failed`](Attempt::failed).
#[derive(Debug)]
#[must_use = "an attempt is settled by succeeded or failed"]
pub(crate) struct Attempt<'a> {
    store: &'a Store,
    /// The counts this attempt falls under: (store key, rate), per client then per username.
    counts: Vec<(String, Rate, Kind)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Client,
    Username,
}

/// `login-failures:<kind>:<first 16 bytes of SHA-256 in hex>` over the length-prefixed parts,
/// so that no (client, username) pair shares a key with another, and a key costs the same
/// whatever the client sent.
fn store_key(kind: &str, parts: &[&str]) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    format!(
        "login-failures:{kind}:{}",
        crate::signing::to_hex(&digest[..16])
    )
}

/// Lets a login attempt of `username` by the client `ident` through, or refuses it with DRF's
/// throttle answer (`ApiError::Throttled`: 429, `Retry-After`) when either count of failures
/// is full. Nothing is recorded yet. A Redis failure follows `THROTTLE_REDIS_FAILURE`: 503, or
/// the attempt goes uncounted.
pub(crate) async fn begin<'a>(
    store: &'a Store,
    rates: &LoginFailureRates,
    ident: &str,
    username: &str,
) -> Result<Attempt<'a>, ApiError> {
    let mut counts = Vec::with_capacity(2);
    if let Some(rate) = rates.per_client {
        counts.push((store_key("client", &[ident]), rate, Kind::Client));
    }
    if let Some(rate) = rates.per_username {
        counts.push((
            store_key("username", &[ident, username]),
            rate,
            Kind::Username,
        ));
    }
    let mut longest: Option<f64> = None;
    let mut refused = false;
    for (key, rate, _) in &counts {
        let Some(hit) = store.peek(key, *rate).await? else {
            continue;
        };
        if !hit.allowed {
            refused = true;
            if let Some(w) = hit.wait(*rate) {
                longest = Some(longest.map_or(w, |l| l.max(w)));
            }
        }
    }
    if refused {
        return Err(ApiError::Throttled {
            wait: longest.map(|w| w.ceil().max(0.0) as u64),
        });
    }
    Ok(Attempt { store, counts })
}

impl Attempt<'_> {
    /// The password was right: the client's failures for this username are forgotten.
    pub(crate) async fn succeeded(self) {
        for (key, _, kind) in &self.counts {
            if *kind == Kind::Username {
                self.store.clear(key).await;
            }
        }
    }

    /// The login failed (wrong password, unknown username, inactive user): it is recorded in
    /// both counts. A store failure here is logged by the store and otherwise ignored: the
    /// answer is the failed login's either way.
    pub(crate) async fn failed(self) {
        for (key, rate, _) in &self.counts {
            let _ = self.store.hit(key, *rate).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::throttling::MemoryStore;

    fn rates(per_username: u32, per_client: u32) -> LoginFailureRates {
        LoginFailureRates {
            per_username: Some(Rate::new(per_username, 60)),
            per_client: Some(Rate::new(per_client, 3600)),
        }
    }

    async fn fail(store: &Store, rates: &LoginFailureRates, ip: &str, name: &str) {
        begin(store, rates, ip, name).await.unwrap().failed().await;
    }

    #[tokio::test]
    async fn failures_fill_the_username_count_and_a_success_clears_it() {
        let store = Store::Memory(MemoryStore::new(100));
        let rates = rates(2, 100);
        for _ in 0..2 {
            fail(&store, &rates, "1.2.3.4", "alice").await;
        }
        let refused = begin(&store, &rates, "1.2.3.4", "alice").await.unwrap_err();
        assert!(
            matches!(refused, ApiError::Throttled { wait: Some(w) } if (1..=60).contains(&w)),
            "{refused:?}"
        );
        // Another username, another client: their own counts.
        fail(&store, &rates, "1.2.3.4", "bob").await;
        fail(&store, &rates, "5.6.7.8", "alice").await;

        // A failure, then a success: the success clears the count for that username.
        let (ip, name) = ("9.9.9.9", "carol");
        fail(&store, &rates, ip, name).await;
        begin(&store, &rates, ip, name)
            .await
            .unwrap()
            .succeeded()
            .await;
        for _ in 0..2 {
            fail(&store, &rates, ip, name).await;
        }
        assert!(begin(&store, &rates, ip, name).await.is_err());
    }

    #[tokio::test]
    async fn the_client_count_spans_usernames_and_successes_do_not_fill_it() {
        let store = Store::Memory(MemoryStore::new(100));
        let rates = rates(100, 3);
        for _ in 0..10 {
            begin(&store, &rates, "c", "alice")
                .await
                .unwrap()
                .succeeded()
                .await;
        }
        for name in ["a", "b", "c"] {
            fail(&store, &rates, "c", name).await;
        }
        assert!(matches!(
            begin(&store, &rates, "c", "d").await,
            Err(ApiError::Throttled { .. })
        ));
        assert!(begin(&store, &rates, "other", "d").await.is_ok());
    }

    #[tokio::test]
    async fn attempts_in_flight_do_not_limit_each_other_and_refusals_are_not_counted() {
        let store = Store::Memory(MemoryStore::new(100));
        let rates = rates(2, 3);
        // Ten correct logins at once by one client: none is refused.
        let mut in_flight = Vec::new();
        for _ in 0..10 {
            in_flight.push(begin(&store, &rates, "c", "u").await.unwrap());
        }
        for attempt in in_flight {
            attempt.succeeded().await;
        }
        fail(&store, &rates, "c", "u").await;
        fail(&store, &rates, "c", "u").await;
        for _ in 0..5 {
            assert!(begin(&store, &rates, "c", "u").await.is_err());
        }
        let client = store
            .peek(&store_key("client", &["c"]), Rate::new(100, 3600))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            client.count, 2,
            "only the two failures are counted per client"
        );
        // Off: nothing is counted at all.
        for _ in 0..10 {
            fail(&store, &LoginFailureRates::OFF, "c", "v").await;
        }
        assert!(begin(&store, &rates, "c", "v").await.is_ok());
    }

    #[test]
    fn keys_are_fixed_size_and_unambiguous() {
        let a = store_key("username", &["1.2.3.4", "alice"]);
        assert_eq!(a.len(), "login-failures:username:".len() + 32);
        assert_eq!(
            store_key("client", &[&"x".repeat(100_000)]).len(),
            "login-failures:client:".len() + 32
        );
        assert_ne!(
            store_key("username", &["1.2.3.4a", "lice"]),
            a,
            "the parts are length-prefixed"
        );
    }

    #[test]
    fn the_client_is_the_peer_unless_proxies_are_configured() {
        use crate::throttling::ident::ClientIdentity;
        let mut headers = http::HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        let peer = Some("10.0.0.1:5000".parse().unwrap());
        assert_eq!(ClientIdentity::Drf.client(&headers, peer), "10.0.0.1");
        assert_eq!(
            ClientIdentity::NumProxies(1).client(&headers, peer),
            "203.0.113.9"
        );
    }
}
