//! [`Passwords`]: password hashing for async code, off the reactor and bounded.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{HasherConfig, PasswordCheck, check_password, make_password};

/// The password hashers for async code: a cheap-to-clone handle holding the [`HasherConfig`]
/// and a semaphore that bounds concurrent hashing to the number of CPUs.
///
/// Every hash runs on tokio's blocking pool (`spawn_blocking`), never on the reactor, so a burst
/// of logins queues up instead of starving other requests. The permit is held by the blocking
/// task itself: dropping a `check` future early does not let more hashes run than the bound.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use drf_runtime::hashers::{HasherConfig, Passwords};
///
/// let passwords = Passwords::new(HasherConfig::with_iterations(1000));
/// let encoded = passwords.make("s3cret".to_owned()).await;
/// assert!(passwords.check("s3cret".to_owned(), encoded).await.ok);
/// # });
/// ```
#[derive(Clone)]
pub struct Passwords {
    cfg: Arc<HasherConfig>,
    permits: Arc<Semaphore>,
    concurrency: usize,
    jobs: Arc<AtomicU64>,
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passwords")
            .field("cfg", &self.cfg)
            .field("concurrency", &self.concurrency)
            .field("available", &self.permits.available_permits())
            .field("jobs", &self.jobs())
            .finish()
    }
}

impl Default for Passwords {
    /// Django 6.1's parameters, one concurrent hash per CPU.
    fn default() -> Self {
        Self::new(HasherConfig::default())
    }
}

impl Passwords {
    /// Hashers with `cfg`, allowing as many concurrent hashes as the machine has CPUs.
    pub fn new(cfg: HasherConfig) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::with_concurrency(cfg, cpus)
    }

    /// Hashers with `cfg`, allowing at most `max_concurrent` (at least 1) concurrent hashes.
    pub fn with_concurrency(cfg: HasherConfig, max_concurrent: usize) -> Self {
        let n = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            cfg: Arc::new(cfg),
            permits: Arc::new(Semaphore::new(n)),
            concurrency: n,
            jobs: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The configuration new hashes are made with.
    pub fn config(&self) -> &HasherConfig {
        &self.cfg
    }

    /// The maximum number of hashes computed at the same time.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// How many hashing jobs ([`Passwords::check`], [`Passwords::make`], [`Passwords::burn`])
    /// have started, across clones: for metrics, and for tests that check an unknown username
    /// costs one hash like a wrong password.
    pub fn jobs(&self) -> u64 {
        self.jobs.load(Ordering::Relaxed)
    }

    /// [`check_password`] on the blocking pool. A failure of the blocking task (a panic, or the
    /// runtime shutting down) counts as a failed check.
    pub async fn check(&self, password: String, encoded: String) -> PasswordCheck {
        let cfg = Arc::clone(&self.cfg);
        let result = self
            .run(move || check_password(&password, &encoded, &cfg))
            .await;
        result.unwrap_or_else(|e| {
            tracing::error!(error = %e, "password check task failed");
            PasswordCheck::default()
        })
    }

    /// [`make_password`] on the blocking pool.
    ///
    /// If the blocking task cannot run (the runtime is shutting down), the hash is computed on
    /// the current thread instead.
    pub async fn make(&self, password: String) -> String {
        let cfg = Arc::clone(&self.cfg);
        let copy = password.clone();
        match self.run(move || make_password(&copy, &cfg)).await {
            Ok(encoded) => encoded,
            Err(e) => {
                tracing::error!(error = %e, "password hashing task failed; hashing inline");
                make_password(&password, &self.cfg)
            }
        }
    }

    /// Runs the default hasher once on `password` and throws the result away: what Django's
    /// `ModelBackend` does for an unknown username, so that it takes as long as a wrong password.
    pub async fn burn(&self, password: String) {
        let cfg = Arc::clone(&self.cfg);
        if let Err(e) = self
            .run(move || {
                let _ = make_password(&password, &cfg);
            })
            .await
        {
            tracing::error!(error = %e, "password hashing task failed");
        }
    }

    /// Runs `f` on the blocking pool once a permit is free; the permit lives as long as `f`.
    async fn run<T, F>(&self, f: F) -> Result<T, tokio::task::JoinError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // The semaphore is never closed, so acquiring only fails if that changes; then the
        // hash runs unbounded rather than not at all.
        let permit: Option<OwnedSemaphorePermit> =
            Arc::clone(&self.permits).acquire_owned().await.ok();
        self.jobs.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn make_check_and_burn_on_the_blocking_pool() {
        let p = Passwords::with_concurrency(HasherConfig::with_iterations(1000), 2);
        assert_eq!(p.concurrency(), 2);
        let encoded = p.make("pw".to_owned()).await;
        assert!(encoded.starts_with("pbkdf2_sha256$1000$"));
        let c = p.check("pw".to_owned(), encoded.clone()).await;
        assert_eq!(
            c,
            PasswordCheck {
                ok: true,
                must_update: false
            }
        );
        assert!(!p.check("nope".to_owned(), encoded).await.ok);
        assert!(!p.check("pw".to_owned(), "!unusable".to_owned()).await.ok);
        p.burn("pw".to_owned()).await;
        assert_eq!(p.permits.available_permits(), 2);
        assert_eq!(p.jobs(), 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrency_is_bounded_by_the_semaphore() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let p = Passwords::with_concurrency(HasherConfig::with_iterations(1000), 2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (p, running, peak) = (p.clone(), Arc::clone(&running), Arc::clone(&peak));
                tokio::spawn(async move {
                    p.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("blocking task");
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(p.permits.available_permits(), 2);
        assert_eq!(
            Passwords::with_concurrency(HasherConfig::default(), 0).concurrency(),
            1
        );
    }

    #[tokio::test]
    async fn a_panicking_task_is_a_failed_check_not_a_panic() {
        let p = Passwords::with_concurrency(HasherConfig::with_iterations(1000), 1);
        let r = p.run(|| -> bool { panic!("boom") }).await;
        assert!(r.is_err());
        // The permit came back even though the task panicked.
        assert_eq!(p.permits.available_permits(), 1);
    }
}
