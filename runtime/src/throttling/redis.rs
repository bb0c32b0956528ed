//! [`RedisStore`]: throttle histories in Redis, shared by every process that uses it.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::hit::Hit;
use super::rate::Rate;
use crate::config::{RedisFailure, ThrottleConfig};
use crate::error::ApiError;

/// One check, atomically on the server: drop the times that left the window, refuse when the
/// window is full, else (when asked to) record the request. Times come from the server's
/// clock, so every process counts on the same one. A key expires by itself one window after
/// its last recorded request.
///
/// KEYS[1]: the history, a sorted set of request times (microseconds) · ARGV[1]: requests per
/// window · ARGV[2]: the window in microseconds · ARGV[3]: a member name unique to this request
/// · ARGV[4]: `1` to record an allowed request, `0` to only look.
/// Returns {allowed (0|1), requests in the window before this one, now, oldest time or -1}.
const CHECK_AND_RECORD: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local o = -1
  if oldest[2] then o = tonumber(oldest[2]) end
  return {0, count, now, o}
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1)
end
return {1, count, now, -1}
";

/// How often a continuing outage is logged again.
const RELOG_EVERY: Duration = Duration::from_secs(10);

/// Throttle histories in Redis (`REDIS_URL`): one sorted set per scope and caller, checked
/// and recorded by one Lua script per request, so that any number of
/// processes sharing the server admit exactly `N` requests per window between them.
///
/// The connection is made on first use and re-made after any failure, so the server recovers
/// by itself when Redis comes back. While Redis cannot be reached (or answers slower than
/// `THROTTLE_REDIS_TIMEOUT_MS`), throttled requests fail closed with 503 or pass uncounted
/// (`THROTTLE_REDIS_FAILURE=open`); the outage is logged when it starts, every 10 s while it
/// lasts, and when it ends.
pub struct RedisStore {
    client: Result<redis::Client, String>,
    manager: OnceLock<ConnectionManager>,
    script: redis::Script,
    failure: RedisFailure,
    timeout: Duration,
    prefix: String,
    /// Unique per process: with the counter, names each recorded request.
    instance: u64,
    counter: AtomicU64,
    failing: AtomicBool,
    last_logged: AtomicU64,
    epoch: Instant,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("failure", &self.failure)
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .field("failing", &self.failing.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the server at `url` (`redis://host:port/db`); nothing is connected yet.
    pub fn new(url: &str, config: &ThrottleConfig) -> Self {
        let mut seed = [0u8; 8];
        let _ = getrandom::getrandom(&mut seed);
        Self {
            client: redis::Client::open(url).map_err(|e| format!("REDIS_URL: {e}")),
            manager: OnceLock::new(),
            script: redis::Script::new(CHECK_AND_RECORD),
            failure: config.redis_failure,
            timeout: config.redis_timeout,
            prefix: config.redis_prefix.clone(),
            instance: u64::from_le_bytes(seed),
            counter: AtomicU64::new(0),
            failing: AtomicBool::new(false),
            last_logged: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn manager(&self) -> Result<ConnectionManager, String> {
        if let Some(m) = self.manager.get() {
            return Ok(m.clone());
        }
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(200));
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| e.to_string())?;
        Ok(self.manager.get_or_init(|| manager).clone())
    }

    async fn eval(&self, record: bool, key: &str, rate: Rate) -> Result<Hit, String> {
        let mut conn = self.manager()?;
        let member = format!(
            "{:x}-{:x}",
            self.instance,
            self.counter.fetch_add(1, Ordering::Relaxed)
        );
        let mut invocation = self.script.key(format!("{}{key}", self.prefix));
        invocation
            .arg(rate.num_requests)
            .arg(u64::from(rate.duration_secs) * 1_000_000)
            .arg(member)
            .arg(u8::from(record));
        let reply: Vec<i64> =
            tokio::time::timeout(self.timeout, invocation.invoke_async(&mut conn))
                .await
                .map_err(|_| format!("no answer within {} ms", self.timeout.as_millis()))?
                .map_err(|e| e.to_string())?;
        let [allowed, count, now, oldest] = reply[..] else {
            return Err(format!("unexpected reply {reply:?}"));
        };
        Ok(Hit {
            allowed: allowed == 1,
            count: usize::try_from(count).unwrap_or(0),
            now_us: u64::try_from(now).unwrap_or(0),
            oldest_us: u64::try_from(oldest).ok(),
        })
    }

    /// Runs `cmd` on the server within the timeout; a failure is logged and dropped.
    async fn best_effort(&self, what: &str, cmd: redis::Cmd) {
        let run = async {
            let mut conn = self.manager()?;
            tokio::time::timeout(self.timeout, cmd.query_async::<()>(&mut conn))
                .await
                .map_err(|_| format!("no answer within {} ms", self.timeout.as_millis()))?
                .map_err(|e| e.to_string())
        };
        if let Err(error) = run.await {
            tracing::warn!(%error, "Redis: could not {what}");
        }
    }

    /// Deletes the history of `key`.
    pub(crate) async fn clear(&self, key: &str) {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(format!("{}{key}", self.prefix));
        self.best_effort("clear a history", cmd).await;
    }

    /// Checks and records; on failure, logs and applies `THROTTLE_REDIS_FAILURE`.
    pub(crate) async fn hit(&self, key: &str, rate: Rate) -> Result<Option<Hit>, ApiError> {
        self.run(true, key, rate).await
    }

    /// Checks without recording; failures as [`hit`](Self::hit).
    pub(crate) async fn peek(&self, key: &str, rate: Rate) -> Result<Option<Hit>, ApiError> {
        self.run(false, key, rate).await
    }

    async fn run(&self, record: bool, key: &str, rate: Rate) -> Result<Option<Hit>, ApiError> {
        match self.eval(record, key, rate).await {
            Ok(hit) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis is reachable again: throttling is shared again");
                }
                Ok(Some(hit))
            }
            Err(error) => {
                self.log_failure(&error);
                match self.failure {
                    RedisFailure::Open => Ok(None),
                    RedisFailure::Closed => Err(ApiError::ServiceUnavailable(Cow::Borrowed(
                        "The throttle store is unavailable.",
                    ))),
                }
            }
        }
    }

    fn log_failure(&self, error: &str) {
        let policy = match self.failure {
            RedisFailure::Open => "throttled requests pass uncounted",
            RedisFailure::Closed => "throttled requests answer 503",
        };
        let now = self.epoch.elapsed().as_secs() + RELOG_EVERY.as_secs();
        let first = !self.failing.swap(true, Ordering::Relaxed);
        let last = self.last_logged.load(Ordering::Relaxed);
        if first || now.saturating_sub(last) >= RELOG_EVERY.as_secs() {
            self.last_logged.store(now, Ordering::Relaxed);
            if first {
                tracing::error!(%error, "Redis is unreachable: {policy} until it is back");
            } else {
                tracing::error!(%error, "Redis is still unreachable: {policy}");
            }
        }
    }
}
