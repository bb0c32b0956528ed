//! [`Hit`]: what a store found when it checked and recorded one request, and DRF's `wait()`.

use super::rate::Rate;

/// What one atomic check-and-record found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// The request was recorded.
    pub(crate) allowed: bool,
    /// Requests in the window before this one (DRF's `len(self.history)` after expiry).
    pub(crate) count: usize,
    /// The store's clock at the check, in microseconds.
    pub(crate) now_us: u64,
    /// The oldest request still in the window (DRF's `self.history[-1]`), when refused.
    pub(crate) oldest_us: Option<u64>,
}

impl Hit {
    /// DRF's `SimpleRateThrottle.wait()` for a refused request, in seconds (before rounding
    /// up): the time left in the window spread over the requests that will become available.
    pub(crate) fn wait(&self, rate: Rate) -> Option<f64> {
        let duration = f64::from(rate.duration_secs);
        let remaining = match self.oldest_us {
            Some(oldest) => duration - self.now_us.saturating_sub(oldest) as f64 / 1e6,
            None => duration,
        };
        let available = i64::from(rate.num_requests) - self.count as i64 + 1;
        (available > 0).then(|| remaining / available as f64)
    }
}
