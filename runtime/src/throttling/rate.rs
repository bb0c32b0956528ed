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

/// The periods a rate may name, with their length in seconds. DRF reads only the first letter
/// of the period; these are the spellings its documentation uses.
pub const PERIODS: [(&str, u32); 10] = [
    ("s", 1),
    ("sec", 1),
    ("second", 1),
    ("m", 60),
    ("min", 60),
    ("minute", 60),
    ("h", 3600),
    ("hour", 3600),
    ("d", 86400),
    ("day", 86400),
];

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
        let bad = || {
            format!(
                "invalid throttle rate {text:?}: write N/PERIOD with PERIOD one of s, sec, second, m, min, minute, h, hour, d, day, as in 100/day; or None"
            )
        };
        let (n, period) = text.split_once('/').ok_or_else(bad)?;
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let num_requests: u32 = n.parse().map_err(|_| bad())?;
        let duration_secs = PERIODS
            .iter()
            .find(|(p, _)| *p == period)
            .map(|(_, secs)| *secs)
            .ok_or_else(bad)?;
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
    }
}
