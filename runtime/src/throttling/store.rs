//! [`Store`]: where throttle histories live (process memory, or Redis when `REDIS_URL` is
//! set), and DRF's `wait()` over what a check found.

use super::hit::Hit;
use super::memory::MemoryStore;
use super::rate::Rate;
use super::redis::RedisStore;
use crate::config::ThrottleConfig;
use crate::error::ApiError;

/// Where throttle histories live.
#[derive(Debug)]
pub enum Store {
    /// Process memory (the default).
    Memory(MemoryStore),
    /// Redis, shared by every process using it (`REDIS_URL`).
    Redis(Box<RedisStore>),
}

impl Store {
    /// Redis when `redis_url` is given, else memory.
    pub fn new(redis_url: Option<&str>, config: &ThrottleConfig) -> Self {
        match redis_url {
            Some(url) => Self::Redis(Box::new(RedisStore::new(url, config))),
            None => Self::Memory(MemoryStore::new(config.memory_max_keys)),
        }
    }

    /// Checks and, when allowed, records a request of `key` at `rate`, atomically. `Ok(None)`:
    /// Redis failed and the configuration fails open.
    pub(crate) async fn hit(&self, key: &str, rate: Rate) -> Result<Option<Hit>, ApiError> {
        match self {
            Self::Memory(m) => Ok(Some(m.hit(key, rate))),
            Self::Redis(r) => r.hit(key, rate).await,
        }
    }

    /// What [`hit`](Self::hit) would find, recording nothing. `Ok(None)`: Redis failed and
    /// the configuration fails open.
    pub(crate) async fn peek(&self, key: &str, rate: Rate) -> Result<Option<Hit>, ApiError> {
        match self {
            Self::Memory(m) => Ok(Some(m.peek(key, rate))),
            Self::Redis(r) => r.peek(key, rate).await,
        }
    }

    /// Forgets the history of `key`. Best effort: a Redis failure is logged, not returned.
    pub(crate) async fn clear(&self, key: &str) {
        match self {
            Self::Memory(m) => m.clear(key),
            Self::Redis(r) => r.clear(key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_is_drfs() {
        let rate = Rate::new(3, 60);
        // Three requests, the oldest 0.5 s ago: 59.5 s left, one request becomes available.
        let hit = Hit {
            allowed: false,
            count: 3,
            now_us: 10_500_000,
            oldest_us: Some(10_000_000),
        };
        assert_eq!(hit.wait(rate), Some(59.5));
        // A lowered rate: more requests in the window than allowed, DRF gives no wait.
        let hit = Hit { count: 5, ..hit };
        assert_eq!(hit.wait(rate), None);
        // A zero rate with an empty history: the whole window.
        let hit = Hit {
            allowed: false,
            count: 0,
            now_us: 1,
            oldest_us: None,
        };
        assert_eq!(hit.wait(Rate::new(0, 60)), Some(60.0));
        // With requests still available after this one the wait is spread out.
        let hit = Hit {
            allowed: false,
            count: 1,
            now_us: 0,
            oldest_us: Some(0),
        };
        assert_eq!(hit.wait(Rate::new(2, 60)), Some(30.0));
    }
}
