//! [`Rate`]: DRF's `"N/period"` throttle rates.

use std::fmt;
use std::time::Duration;

/// A throttle rate: at most `num_requests` in any window of `duration_secs` seconds (DRF's
/// `SimpleRateThrottle.num_requests` and `.duration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Requests allowed per window.
    pub num_requests: u32,
    /// The window, in seconds: 1, 60, 3600 or 86400.
    pub duration_secs: u32,
}

// The grammar is shared with `settings!`, which compiles `grammar.rs` by path (see there).
#[path = "grammar.rs"]
mod grammar;

pub use grammar::PERIODS;

impl Rate {
    /// `num_requests` per `duration_secs` seconds.
    pub const fn new(num_requests: u32, duration_secs: u32) -> Self {
        Self {
            num_requests,
            duration_secs,
        }
    }

    /// The window as a [`Duration`].
    pub const fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_secs as u64)
    }

    /// Parses `"N/PERIOD"` (PERIOD one of [`PERIODS`]); `"None"` (any case) is no rate, as
    /// DRF's `None`. The same grammar `settings!` checks at compile time.
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        let (num_requests, duration_secs) = grammar::parse(text).ok_or_else(|| {
            let periods: Vec<&str> = PERIODS.iter().map(|(p, _)| *p).collect();
            format!(
                "invalid throttle rate {text:?}: write N/PERIOD with PERIOD one of {}, as in 100/day; or None",
                periods.join(", ")
            )
        })?;
        Ok(Some(Self::new(num_requests, duration_secs)))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = match self.duration_secs {
            1 => "s",
            60 => "min",
            3600 => "hour",
            86400 => "day",
            other => return write!(f, "{}/{other}s", self.num_requests),
        };
        write!(f, "{}/{period}", self.num_requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_as_drf_reads_them() {
        assert_eq!(Rate::parse("3/min").unwrap(), Some(Rate::new(3, 60)));
        assert_eq!(Rate::parse("100/day").unwrap(), Some(Rate::new(100, 86400)));
        assert_eq!(Rate::parse("1/s").unwrap(), Some(Rate::new(1, 1)));
        assert_eq!(Rate::parse("5/hour").unwrap(), Some(Rate::new(5, 3600)));
        assert_eq!(Rate::parse("0/second").unwrap(), Some(Rate::new(0, 1)));
        assert_eq!(Rate::parse(" 10/m ").unwrap(), Some(Rate::new(10, 60)));
        assert_eq!(Rate::parse("None").unwrap(), None);
        for bad in [
            "",
            "3",
            "/min",
            "x/min",
            "3/",
            "3/fortnight",
            "-1/s",
            "3/MIN",
            "1/2/s",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rate::new(2, 60).to_string(), "2/min");
        assert_eq!(
            Rate::parse("3/fortnight").unwrap_err(),
            "invalid throttle rate \"3/fortnight\": write N/PERIOD with PERIOD one of s, sec, second, m, min, minute, h, hour, d, day, as in 100/day; or None"
        );
        assert!(Rate::parse("99999999999/s").is_err(), "more than u32::MAX");
    }
}
