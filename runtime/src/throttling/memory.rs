//! [`MemoryStore`]: throttle histories in process memory.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::Instant;

use super::hit::Hit;
use super::rate::Rate;

/// Most shards; fewer when the key cap is small, so the cap stays close to what was asked.
const MAX_SHARDS: usize = 64;
/// A shard drops expired histories every this many checks.
const SWEEP_EVERY: u32 = 1024;

/// Throttle histories in process memory: one sliding window (a list of request times) per
/// scope and caller, checked and recorded atomically under a lock of one of up to 64 shards.
///
/// Memory is bounded:
/// - a history holds at most `N` times of its rate `N/period` (8 bytes each), because a request
///   is recorded only when allowed;
/// - histories whose every request has left the window are dropped (each shard sweeps itself
///   every 1024 checks, and before it would grow past its cap);
/// - the number of callers remembered is capped (`THROTTLE_MEMORY_MAX_KEYS`, default 100000,
///   rounded up to a multiple of the shard count). When a new caller arrives at a full shard
///   whose histories are all live, the eighth of that shard's callers that were least recently
///   allowed are forgotten: they start again with a full quota. The request being checked is
///   always counted. So a flood of distinct clients costs at most the cap in memory; its price
///   is that idle callers' counts may be reset early. Redis (`REDIS_URL`) has no such limit.
///
/// Histories are per process: several processes behind one load balancer each apply the full
/// rate. Use Redis to share them.
#[derive(Debug)]
pub struct MemoryStore {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    hasher: std::collections::hash_map::RandomState,
    epoch: Instant,
}

#[derive(Debug, Default)]
struct Shard {
    map: HashMap<Box<str>, History>,
    ops: u32,
}

#[derive(Debug)]
struct History {
    /// Request times in microseconds since the store's epoch, oldest first.
    times: VecDeque<u64>,
    /// The window of the rate that recorded them, in microseconds.
    window: u64,
}

impl History {
    /// Drops the times at or before `cutoff`: what has left the window.
    fn expire(&mut self, cutoff: u64) {
        while self.times.front().is_some_and(|t| *t <= cutoff) {
            self.times.pop_front();
        }
    }

    fn newest(&self) -> u64 {
        self.times.back().copied().unwrap_or(0)
    }
}

impl MemoryStore {
    /// A store remembering at most about `max_keys` callers.
    pub fn new(max_keys: usize) -> Self {
        let max_keys = max_keys.max(1);
        let shards = (max_keys / 1024).clamp(1, MAX_SHARDS);
        Self {
            shards: (0..shards).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: max_keys.div_ceil(shards),
            hasher: std::collections::hash_map::RandomState::new(),
            epoch: Instant::now(),
        }
    }

    /// The most callers the store remembers.
    pub fn capacity(&self) -> usize {
        self.per_shard * self.shards.len()
    }

    /// How many callers are remembered now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).map.len())
            .sum()
    }

    /// True when no caller is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX) + 1
    }

    /// DRF's `allow_request` for `key` at `rate`, atomically: drop the times that left the
    /// window, refuse when `num_requests` remain, else record now.
    pub(crate) fn hit(&self, key: &str, rate: Rate) -> Hit {
        let mut shard = self.shard(key);
        let now = self.now_us();
        let window = u64::from(rate.duration_secs) * 1_000_000;
        let cutoff = now.saturating_sub(window);
        let limit = rate.num_requests as usize;
        shard.ops = shard.ops.wrapping_add(1);
        if shard.ops % SWEEP_EVERY == 0 {
            shard.sweep(now);
        }
        if let Some(history) = shard.map.get_mut(key) {
            history.expire(cutoff);
            let count = history.times.len();
            if count >= limit {
                return Hit {
                    allowed: false,
                    count,
                    now_us: now,
                    oldest_us: history.times.front().copied(),
                };
            }
            history.times.push_back(now);
            history.window = window;
            return Hit {
                allowed: true,
                count,
                now_us: now,
                oldest_us: None,
            };
        }
        if limit == 0 {
            return Hit {
                allowed: false,
                count: 0,
                now_us: now,
                oldest_us: None,
            };
        }
        if shard.map.len() >= self.per_shard {
            shard.sweep(now);
            if shard.map.len() >= self.per_shard {
                shard.evict_least_recent(self.per_shard.div_ceil(8));
            }
        }
        let mut times = VecDeque::with_capacity(limit.min(8));
        times.push_back(now);
        shard.map.insert(key.into(), History { times, window });
        Hit {
            allowed: true,
            count: 0,
            now_us: now,
            oldest_us: None,
        }
    }

    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, Shard> {
        let shard = &self.shards[(self.hasher.hash_one(key) as usize) % self.shards.len()];
        shard.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What [`hit`](Self::hit) would find for `key` at `rate`, without recording anything:
    /// `allowed` when there is room in the window.
    pub(crate) fn peek(&self, key: &str, rate: Rate) -> Hit {
        let mut shard = self.shard(key);
        let now = self.now_us();
        let cutoff = now.saturating_sub(u64::from(rate.duration_secs) * 1_000_000);
        let limit = rate.num_requests as usize;
        let (count, oldest_us) = match shard.map.get_mut(key) {
            Some(history) => {
                history.expire(cutoff);
                (history.times.len(), history.times.front().copied())
            }
            None => (0, None),
        };
        Hit {
            allowed: count < limit,
            count,
            now_us: now,
            oldest_us: if count < limit { None } else { oldest_us },
        }
    }

    /// Forgets the history of `key`.
    pub(crate) fn clear(&self, key: &str) {
        self.shard(key).map.remove(key);
    }
}

impl Shard {
    /// Drops the histories whose every time has left its window.
    fn sweep(&mut self, now: u64) {
        self.map
            .retain(|_, h| h.newest() > now.saturating_sub(h.window));
    }

    /// Forgets the `n` callers whose last allowed request is the oldest.
    fn evict_least_recent(&mut self, n: usize) {
        let mut by_age: Vec<(u64, Box<str>)> = self
            .map
            .iter()
            .map(|(k, h)| (h.newest(), k.clone()))
            .collect();
        let n = n.clamp(1, by_age.len().max(1));
        if by_age.len() > n {
            by_age.select_nth_unstable_by_key(n - 1, |(t, _)| *t);
        }
        for (_, key) in by_age.into_iter().take(n) {
            self.map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_n_then_refuses_and_records_only_allowed() {
        let store = MemoryStore::new(100);
        let rate = Rate::new(3, 60);
        let hits: Vec<Hit> = (0..5).map(|_| store.hit("k", rate)).collect();
        assert_eq!(
            hits.iter().map(|h| h.allowed).collect::<Vec<_>>(),
            [true, true, true, false, false]
        );
        assert_eq!(hits[2].count, 2);
        assert_eq!(hits[3].count, 3, "a refusal is not recorded");
        assert_eq!(hits[4].count, 3);
        assert!(hits[3].oldest_us.is_some());
        assert!(store.hit("other", rate).allowed, "keys are independent");
        assert!(!store.hit("z", Rate::new(0, 1)).allowed);
        assert_eq!(store.len(), 2, "a zero rate stores nothing");
    }

    #[test]
    fn a_peek_records_nothing_and_a_history_can_be_cleared() {
        let store = MemoryStore::new(100);
        let rate = Rate::new(2, 60);
        let empty = store.peek("k", rate);
        assert!(empty.allowed && empty.count == 0);
        assert!(store.is_empty(), "a peek stores nothing");
        store.hit("k", rate);
        assert_eq!(store.peek("k", rate).count, 1);
        store.hit("k", rate);
        let full = store.peek("k", rate);
        assert!(!full.allowed && full.count == 2 && full.oldest_us.is_some());
        assert!(full.wait(rate).is_some_and(|w| w > 59.0));
        store.clear("k");
        assert!(store.is_empty());
        assert!(!store.peek("z", Rate::new(0, 1)).allowed);
    }

    #[test]
    fn the_window_slides() {
        let store = MemoryStore::new(10);
        let rate = Rate::new(1, 1);
        assert!(store.hit("k", rate).allowed);
        assert!(!store.hit("k", rate).allowed);
        std::thread::sleep(std::time::Duration::from_millis(1010));
        assert!(store.hit("k", rate).allowed);
    }

    #[test]
    fn a_flood_of_callers_stays_within_the_cap() {
        let store = MemoryStore::new(5000);
        let rate = Rate::new(10, 3600);
        for i in 0..50_000 {
            assert!(store.hit(&format!("client-{i}"), rate).allowed);
        }
        assert!(store.len() <= store.capacity(), "{}", store.len());
        assert!(store.capacity() < 5100);
        // A caller active just now survives the flood that follows it.
        assert!(store.hit("fresh", rate).allowed);
        for i in 0..100 {
            store.hit(&format!("late-{i}"), rate);
        }
        assert_eq!(store.hit("fresh", rate).count, 1);
    }

    #[test]
    fn expired_histories_are_swept() {
        let store = MemoryStore::new(10);
        let rate = Rate::new(5, 1);
        for i in 0..10 {
            store.hit(&format!("c{i}"), rate);
        }
        assert_eq!(store.len(), 10);
        std::thread::sleep(std::time::Duration::from_millis(1010));
        store.hit("new", rate);
        assert_eq!(store.len(), 1, "the full shard swept its expired histories");
    }

    #[test]
    fn concurrent_checks_admit_exactly_n() {
        let store = std::sync::Arc::new(MemoryStore::new(100));
        let rate = Rate::new(100, 3600);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let s = store.clone();
                std::thread::spawn(move || (0..50).filter(|_| s.hit("k", rate).allowed).count())
            })
            .collect();
        let admitted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(admitted, 100);
    }
}
