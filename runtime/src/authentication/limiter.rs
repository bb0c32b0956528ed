//! The failed-login limiter: how many failed password logins a client may make, per username
//! and in all, before it is answered 429 without a password check (`LOGIN_FAILURE_RATE`,
//! `LOGIN_FAILURE_RATE_PER_CLIENT`). Django and DRF have none; this is the framework's own.
//!
//! Every attempt is counted when it starts, in the throttle store (process memory, or Redis
//! when `REDIS_URL` is set, so that every instance counts together), atomically with the check
//! that there is room: attempts made at once cannot slip past the limit while their hashes
//! run. A login that succeeds takes its own attempt back from the per-client count and clears
//! the per-username count; one that fails leaves both as they are.

use crate::config::LoginFailureRates;
use crate::error::ApiError;
use crate::throttling::rate::Rate;
use crate::throttling::store::Store;

/// One login attempt, counted: settle it with [`succeeded`](Attempt::succeeded),
/// [`failed`](Attempt::failed) or [`abandoned`](Attempt::abandoned).
#[derive(Debug)]
#[must_use = "an attempt is settled by succeeded, failed or abandoned"]
pub(crate) struct Attempt<'a> {
    store: &'a Store,
    /// Per client: the store key and the mark of the attempt recorded there.
    client: Option<(String, u64)>,
    /// Per client and username.
    username: Option<(String, u64)>,
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

/// Counts one login attempt of `username` by the client `ident`, or refuses it with DRF's
/// throttle answer (`ApiError::Throttled`: 429, `Retry-After`) when either count is full.
/// A refused attempt is not counted. A Redis failure follows `THROTTLE_REDIS_FAILURE`: 503,
/// or the attempt goes uncounted.
pub(crate) async fn begin<'a>(
    store: &'a Store,
    rates: &LoginFailureRates,
    ident: &str,
    username: &str,
) -> Result<Attempt<'a>, ApiError> {
    let mut attempt = Attempt {
        store,
        client: None,
        username: None,
    };
    let checks = [
        (rates.per_client, store_key("client", &[ident])),
        (
            rates.per_username,
            store_key("username", &[ident, username]),
        ),
    ];
    let mut longest: Option<f64> = None;
    let mut refused = false;
    for (i, (rate, key)) in checks.into_iter().enumerate() {
        let Some(rate): Option<Rate> = rate else {
            continue;
        };
        let hit = match store.hit(&key, rate).await {
            Ok(Some(hit)) => hit,
            Ok(None) => continue,
            Err(e) => {
                attempt.abandoned().await;
                return Err(e);
            }
        };
        if hit.allowed {
            let slot = if i == 0 {
                &mut attempt.client
            } else {
                &mut attempt.username
            };
            *slot = Some((key, hit.mark));
        } else {
            refused = true;
            if let Some(w) = hit.wait(rate) {
                longest = Some(longest.map_or(w, |l| l.max(w)));
            }
        }
    }
    if refused {
        attempt.abandoned().await;
        tracing::debug!("a login was refused by the failed-login limiter");
        return Err(ApiError::Throttled {
            wait: longest.map(|w| w.ceil().max(0.0) as u64),
        });
    }
    Ok(attempt)
}

impl Attempt<'_> {
    /// The password was right: the attempt no longer counts against the client, and the
    /// client's failures for this username are forgotten.
    pub(crate) async fn succeeded(self) {
        if let Some((key, mark)) = &self.client {
            self.store.unrecord(key, *mark).await;
        }
        if let Some((key, _)) = &self.username {
            self.store.clear(key).await;
        }
    }

    /// The login failed: the attempt stays counted.
    pub(crate) fn failed(self) {}

    /// No password was checked (the hashers' queue was full, the database failed): the
    /// attempt is taken back.
    pub(crate) async fn abandoned(self) {
        for (key, mark) in self.client.iter().chain(&self.username) {
            self.store.unrecord(key, *mark).await;
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

    #[tokio::test]
    async fn failures_fill_the_username_count_and_a_success_clears_it() {
        let store = Store::Memory(MemoryStore::new(100));
        let rates = rates(2, 100);
        for _ in 0..2 {
            begin(&store, &rates, "1.2.3.4", "alice")
                .await
                .unwrap()
                .failed();
        }
        let refused = begin(&store, &rates, "1.2.3.4", "alice").await.unwrap_err();
        assert!(
            matches!(refused, ApiError::Throttled { wait: Some(w) } if (1..=60).contains(&w)),
            "{refused:?}"
        );
        // Another username, another client: their own counts.
        begin(&store, &rates, "1.2.3.4", "bob")
            .await
            .unwrap()
            .failed();
        begin(&store, &rates, "5.6.7.8", "alice")
            .await
            .unwrap()
            .failed();

        // A failure, then a success: the success clears the count for that username.
        let (ip, name) = ("9.9.9.9", "carol");
        begin(&store, &rates, ip, name).await.unwrap().failed();
        begin(&store, &rates, ip, name)
            .await
            .unwrap()
            .succeeded()
            .await;
        for _ in 0..2 {
            begin(&store, &rates, ip, name).await.unwrap().failed();
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
            begin(&store, &rates, "c", name).await.unwrap().failed();
        }
        assert!(matches!(
            begin(&store, &rates, "c", "d").await,
            Err(ApiError::Throttled { .. })
        ));
        assert!(begin(&store, &rates, "other", "d").await.is_ok());
    }

    #[tokio::test]
    async fn abandoned_attempts_and_refusals_are_not_counted() {
        let store = Store::Memory(MemoryStore::new(100));
        let rates = rates(1, 100);
        begin(&store, &rates, "c", "u")
            .await
            .unwrap()
            .abandoned()
            .await;
        begin(&store, &rates, "c", "u").await.unwrap().failed();
        for _ in 0..5 {
            assert!(begin(&store, &rates, "c", "u").await.is_err());
        }
        // The refusals took back what they had recorded in the per-client count.
        let client = store
            .hit(&store_key("client", &["c"]), Rate::new(100, 3600))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            client.count, 1,
            "only the one failure is counted per client"
        );
        // Off: nothing is counted at all.
        let off = LoginFailureRates::OFF;
        for _ in 0..10 {
            begin(&store, &off, "c", "u").await.unwrap().failed();
        }
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
