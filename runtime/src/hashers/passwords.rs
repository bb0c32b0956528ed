//! [`Passwords`]: password hashing for async code, off the reactor and bounded.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, mpsc};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::{HasherConfig, PasswordCheck, check_password, make_password};

/// The password hashers for async code: a cheap-to-clone handle holding the [`HasherConfig`]
/// and a semaphore that bounds concurrent hashing to the number of CPUs.
///
/// Every hash runs off the reactor. The checks a client can start ([`Passwords::check`],
/// [`Passwords::burn`]: every login attempt) run on threads of the handle's own (as many as
/// the bound, started on first use) at the lowest CPU priority the system has (`SCHED_IDLE`
/// on Linux, else nice 19): a check gets the CPU that requests leave, so a burst of logins
/// queues up instead of slowing the other requests, and on an idle machine it runs at full
/// speed. On a machine kept busy by requests, logins wait, and past the queue's wait they
/// are answered 503 (see [`HashQueue`]). [`Passwords::make`] (commands, rehashes) runs on
/// tokio's blocking pool at the normal priority.
/// The permit is held by the job itself: dropping a `check` future early does not let more
/// hashes run than the bound.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use drf_runtime::hashers::{HasherConfig, Passwords};
///
/// let passwords = Passwords::new(HasherConfig::with_iterations(1000));
/// let encoded = passwords.make("s3cret".to_owned()).await;
/// assert!(passwords.check("s3cret".to_owned(), encoded).await.unwrap().ok);
/// # });
/// ```
#[derive(Clone)]
pub struct Passwords {
    cfg: Arc<HasherConfig>,
    permits: Arc<Semaphore>,
    concurrency: usize,
    jobs: Arc<AtomicU64>,
    queue: HashQueue,
    waiting: Arc<AtomicUsize>,
    threads: Arc<HashThreads>,
}

/// The queue in front of the hashers, for the checks a client can start ([`Passwords::check`],
/// [`Passwords::burn`]: every login attempt): at most `max_waiting` wait for a hashing slot,
/// each for at most `max_wait`. Past either, the check is refused at once with [`Busy`] (a
/// 503 with `Retry-After`), so that a flood of wrong passwords cannot make a correct login
/// wait without bound. Hashes made by commands and rehashes ([`Passwords::make`]) wait as
/// long as it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashQueue {
    /// How many checks may wait for a slot (`PASSWORD_HASH_MAX_WAITING`, default 256).
    pub max_waiting: usize,
    /// How long a check may wait for a slot (`PASSWORD_HASH_MAX_WAIT_MS`, default 1000 ms).
    pub max_wait: Duration,
}

impl Default for HashQueue {
    fn default() -> Self {
        Self {
            max_waiting: 256,
            max_wait: Duration::from_secs(1),
        }
    }
}

/// A password check refused because every hashing slot stayed busy (see [`HashQueue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks are in progress")]
pub struct Busy {
    /// When to try again: the queue's wait, rounded up to a second.
    pub retry_after_secs: u64,
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
            queue: HashQueue::default(),
            waiting: Arc::new(AtomicUsize::new(0)),
            threads: Arc::new(HashThreads::new(n)),
        }
    }

    /// The same hashers behind `queue` (see [`HashQueue`]).
    pub fn with_queue(mut self, queue: HashQueue) -> Self {
        self.queue = queue;
        self
    }

    /// The queue in front of the hashers.
    pub fn queue(&self) -> HashQueue {
        self.queue
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

    /// [`check_password`] on a hashing thread, behind the [`HashQueue`]. A failure of the
    /// job (a panic) counts as a failed check.
    ///
    /// # Errors
    ///
    /// [`Busy`] when no hashing slot came free in time, or too many checks were waiting.
    pub async fn check(&self, password: String, encoded: String) -> Result<PasswordCheck, Busy> {
        let cfg = Arc::clone(&self.cfg);
        let result = self
            .run_queued(move || check_password(&password, &encoded, &cfg))
            .await?;
        Ok(result.unwrap_or_else(|e| {
            tracing::error!(error = %e, "password check task failed");
            PasswordCheck::default()
        }))
    }

    /// [`make_password`] on tokio's blocking pool, at the normal CPU priority: the hashes
    /// that commands and rehashes make are not a client's to flood, and should not wait for an
    /// idle CPU. Bounded with the others.
    ///
    /// If the job fails (the runtime is shutting down), the hash is computed on the current
    /// thread instead.
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
    /// Behind the [`HashQueue`], as [`Passwords::check`] is.
    ///
    /// # Errors
    ///
    /// [`Busy`], as [`Passwords::check`].
    pub async fn burn(&self, password: String) -> Result<(), Busy> {
        let cfg = Arc::clone(&self.cfg);
        if let Err(e) = self
            .run_queued(move || {
                let _ = make_password(&password, &cfg);
            })
            .await?
        {
            tracing::error!(error = %e, "password hashing task failed");
        }
        Ok(())
    }

    /// [`Passwords::run`] once a slot is free, if one comes free within the queue's wait and
    /// the queue has room.
    async fn run_queued<T, F>(&self, f: F) -> Result<Result<T, HashTaskFailed>, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let busy = || Busy {
            retry_after_secs: self.queue.max_wait.as_secs_f64().ceil().max(1.0) as u64,
        };
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => {
                let waiting = Waiting::enter(&self.waiting);
                if waiting.position > self.queue.max_waiting {
                    return Err(busy());
                }
                let acquire = Arc::clone(&self.permits).acquire_owned();
                match tokio::time::timeout(self.queue.max_wait, acquire).await {
                    // The semaphore is never closed; should it be, hash unbounded.
                    Ok(permit) => permit.ok(),
                    Err(_) => return Err(busy()),
                }
            }
        };
        Ok(self.spawn(permit, Priority::Lowest, f).await)
    }

    /// Runs `f` on the blocking pool once a permit is free; the permit lives as long as `f`.
    async fn run<T, F>(&self, f: F) -> Result<T, HashTaskFailed>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // The semaphore is never closed, so acquiring only fails if that changes; then the
        // hash runs unbounded rather than not at all.
        let permit: Option<OwnedSemaphorePermit> =
            Arc::clone(&self.permits).acquire_owned().await.ok();
        self.spawn(permit, Priority::Normal, f).await
    }

    /// Runs `f` holding `permit`, counted as a job: on a hashing thread of the lowest
    /// priority, or on the blocking pool.
    async fn spawn<T, F>(
        &self,
        permit: Option<OwnedSemaphorePermit>,
        priority: Priority,
        f: F,
    ) -> Result<T, HashTaskFailed>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.jobs.fetch_add(1, Ordering::Relaxed);
        if priority == Priority::Normal {
            let job = tokio::task::spawn_blocking(move || {
                let out = f();
                drop(permit);
                out
            });
            return job.await.map_err(|_| HashTaskFailed);
        }
        let (answer, answered) = oneshot::channel();
        self.threads.run(Box::new(move || {
            let out = f();
            // Free before the answer: whoever reads it may count on the slot being back.
            drop(permit);
            let _ = answer.send(out);
        }));
        answered.await.map_err(|_| HashTaskFailed)
    }
}

/// Where a hash runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// The checks a client starts (every login attempt): threads of the lowest priority.
    Lowest,
    /// Hashes made by commands and rehashes: the blocking pool.
    Normal,
}

/// A hash that did not finish: it panicked, or no thread could be started to run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the password hashing job panicked or could not start")]
pub(crate) struct HashTaskFailed;

type Job = Box<dyn FnOnce() + Send>;

/// The threads hashes run on: `n`, started with the first job, at the lowest CPU priority
/// ([`lowest_priority`]);
/// they end when the last handle is dropped. Jobs never wait here for long, since the
/// semaphore lets at most `n` run at once.
struct HashThreads {
    n: usize,
    jobs: OnceLock<Option<mpsc::Sender<Job>>>,
}

impl HashThreads {
    fn new(n: usize) -> Self {
        Self {
            n,
            jobs: OnceLock::new(),
        }
    }

    /// Runs `job` on one of the threads; dropped (so its answer is [`HashTaskFailed`]) if
    /// none could be started.
    fn run(&self, job: Job) {
        let jobs = self.jobs.get_or_init(|| start_threads(self.n));
        if let Some(jobs) = jobs {
            let _ = jobs.send(job);
        }
    }
}

/// Puts the calling thread at the lowest CPU priority the system offers: on Linux
/// `SCHED_IDLE`, a thread that runs only when no other wants the CPU and that any thread
/// waking up preempts at once (nice 19 still holds the CPU for a time slice, which shows in
/// the other requests' latency); elsewhere nice 19.
fn lowest_priority() {
    use thread_priority::{ThreadPriority, set_current_thread_priority};
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        if set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle).is_ok() {
            return;
        }
    }
    if let Err(e) = set_current_thread_priority(ThreadPriority::Min) {
        tracing::debug!(error = ?e, "cannot lower the hashing thread's priority");
    }
}

fn start_threads(n: usize) -> Option<mpsc::Sender<Job>> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let mut started = 0;
    for _ in 0..n {
        let queue = Arc::clone(&queue);
        let spawned = std::thread::Builder::new()
            .name("drf-hasher".to_owned())
            .spawn(move || {
                lowest_priority();
                loop {
                    // The lock is released before the job runs.
                    let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = job else { return };
                    // A panicking hasher loses its job (the caller sees HashTaskFailed), not
                    // the thread.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                }
            });
        match spawned {
            Ok(_) => started += 1,
            Err(e) => tracing::error!(error = %e, "cannot start a password hashing thread"),
        }
    }
    (started > 0).then_some(jobs)
}

/// A place in the queue, given back when dropped (however the wait ends).
struct Waiting<'a> {
    count: &'a AtomicUsize,
    /// How many were waiting, this one included, when it arrived.
    position: usize,
}

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        let position = count.fetch_add(1, Ordering::SeqCst) + 1;
        Self { count, position }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn make_check_and_burn_on_the_hashing_threads() {
        let p = Passwords::with_concurrency(HasherConfig::with_iterations(1000), 2);
        assert_eq!(p.concurrency(), 2);
        let encoded = p.make("pw".to_owned()).await;
        assert!(encoded.starts_with("pbkdf2_sha256$1000$"));
        let c = p.check("pw".to_owned(), encoded.clone()).await.unwrap();
        assert_eq!(
            c,
            PasswordCheck {
                ok: true,
                must_update: false
            }
        );
        assert!(!p.check("nope".to_owned(), encoded).await.unwrap().ok);
        assert!(
            !p.check("pw".to_owned(), "!unusable".to_owned())
                .await
                .unwrap()
                .ok
        );
        p.burn("pw".to_owned()).await.unwrap();
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
                        // Until another job runs too (the threads are at the lowest priority:
                        // on a busy machine the second may start late), or for long enough.
                        let started = std::time::Instant::now();
                        while running.load(Ordering::SeqCst) < 2
                            && started.elapsed() < Duration::from_millis(500)
                        {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        std::thread::sleep(Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("hashing job");
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(p.permits.available_permits(), 2);
        assert_eq!(
            Passwords::with_concurrency(HasherConfig::default(), 0).concurrency(),
            1
        );
    }

    /// The checks run on threads of their own under `SCHED_IDLE`, which every other thread
    /// preempts.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_run_at_the_lowest_priority() {
        let p = Passwords::with_concurrency(HasherConfig::with_iterations(1000), 2);
        let (name, policy) = p
            .run_queued(|| {
                let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
                // Field 41 of stat(5), the scheduling policy, counted from the one after the
                // command name (field 3), which is in parentheses.
                let after = stat.rsplit(')').next().unwrap().to_owned();
                let policy: i32 = after.split_whitespace().nth(38).unwrap().parse().unwrap();
                (std::thread::current().name().map(str::to_owned), policy)
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(name.as_deref(), Some("drf-hasher"));
        const SCHED_IDLE: i32 = 5;
        assert_eq!(policy, SCHED_IDLE);
        // `make`'s hashes run at the normal priority, off the hashing threads.
        let normal = p
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_ne!(normal.as_deref(), Some("drf-hasher"));
    }

    #[tokio::test]
    async fn a_panicking_task_is_a_failed_check_not_a_panic() {
        let p = Passwords::with_concurrency(HasherConfig::with_iterations(1000), 1);
        let r = p.run(|| -> bool { panic!("boom") }).await;
        assert_eq!(r, Err(HashTaskFailed));
        // The same on a hashing thread, which lives on.
        let r = p.run_queued(|| -> bool { panic!("boom") }).await;
        assert_eq!(r, Ok(Err(HashTaskFailed)));
        // The permit came back even though the tasks panicked.
        assert_eq!(p.permits.available_permits(), 1);
        assert_eq!(p.run(|| 7).await, Ok(7));
        assert_eq!(p.run_queued(|| 7).await, Ok(Ok(7)));
    }

    /// With one slot held, checks queue for `max_wait` at most, and no more than
    /// `max_waiting` of them; the held slot's release lets a waiter through.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_queue_refuses_at_once_past_its_length_and_its_deadline() {
        let queue = HashQueue {
            max_waiting: 2,
            max_wait: Duration::from_millis(300),
        };
        let p =
            Passwords::with_concurrency(HasherConfig::with_iterations(1000), 1).with_queue(queue);
        let held = Arc::clone(&p.permits).acquire_owned().await.unwrap();
        let started = std::time::Instant::now();
        let checks: Vec<_> = (0..3)
            .map(|_| {
                let p = p.clone();
                tokio::spawn(async move {
                    let answer = p.check("pw".to_owned(), "!".to_owned()).await;
                    (answer, started.elapsed())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for c in checks {
            answers.push(c.await.unwrap());
        }
        let busy = Busy {
            retry_after_secs: 1,
        };
        // Two waited out the deadline, the third was refused on arrival.
        assert!(answers.iter().all(|(a, _)| *a == Err(busy)), "{answers:?}");
        let quick = answers
            .iter()
            .filter(|(_, t)| *t < Duration::from_millis(200))
            .count();
        assert_eq!(quick, 1, "{answers:?}");
        assert!(
            answers.iter().all(|(_, t)| *t < Duration::from_secs(2)),
            "{answers:?}"
        );
        assert_eq!(p.waiting.load(Ordering::SeqCst), 0);
        // A waiter gets the slot as soon as it is released.
        let waiter = {
            let p = p.clone();
            tokio::spawn(async move { p.check("pw".to_owned(), "!".to_owned()).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(held);
        assert_eq!(waiter.await.unwrap().map(|c| c.ok), Ok(false));
        // `make` is never refused.
        let _hold = Arc::clone(&p.permits).acquire_owned().await.unwrap();
        let make = {
            let p = p.clone();
            tokio::spawn(async move { p.make("pw".to_owned()).await })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!make.is_finished());
        drop(_hold);
        assert!(make.await.unwrap().starts_with("pbkdf2_sha256$1000$"));
    }
}
