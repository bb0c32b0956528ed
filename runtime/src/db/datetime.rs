//! Datetimes as Django stores them (docs/django-compat.md §1.4).
//!
//! - SQLite: TEXT holding the naive UTC time as Python's `str(datetime)` writes it,
//!   `YYYY-MM-DD HH:MM:SS.ffffff`, without the fraction when the microsecond is 0. Django
//!   compares these values as strings (`expire_date > now`), so this exact format matters.
//! - PostgreSQL: `timestamp with time zone`, bound and read as `DateTime<Utc>`.
//!
//! Django keeps microseconds only, so [`now`] truncates to microseconds.

use std::fmt::Write as _;

use chrono::{
    DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound as _,
    Timelike as _, Utc,
};

/// The current time, truncated to microseconds (Django's `timezone.now()` precision).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Formats a naive UTC datetime as Django writes it into SQLite:
/// `YYYY-MM-DD HH:MM:SS.ffffff`, or `YYYY-MM-DD HH:MM:SS` when the microsecond is 0.
/// Sub-microsecond precision is truncated.
///
/// ```
/// use chrono::NaiveDate;
/// use drf_runtime::db::format_django_datetime;
///
/// let d = NaiveDate::from_ymd_opt(2030, 1, 2).unwrap();
/// assert_eq!(format_django_datetime(d.and_hms_opt(3, 4, 5).unwrap()), "2030-01-02 03:04:05");
/// assert_eq!(
///     format_django_datetime(d.and_hms_micro_opt(1, 4, 5, 123).unwrap()),
///     "2030-01-02 01:04:05.000123"
/// );
/// ```
pub fn format_django_datetime(dt: NaiveDateTime) -> String {
    let mut out = String::with_capacity(26);
    let (year, month, day) = (dt.year(), dt.month(), dt.day());
    let (hour, minute, second) = (dt.hour(), dt.minute(), dt.second());
    // A leap second (nanosecond >= 1e9) is written as 59.999999, as Python cannot hold it.
    let micro = (dt.nanosecond() / 1_000).min(999_999);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
    );
    if micro != 0 {
        let _ = write!(out, ".{micro:06}");
    }
    out
}

/// Parses a datetime the way Django reads one from SQLite: ISO 8601 with `T` or a space
/// between date and time, optional seconds and fraction (`.` or `,`, any number of digits,
/// truncated to microseconds), and an optional `Z` or `±HH[[:]MM]` offset. Values with an
/// offset are converted to UTC; naive values are taken as UTC. A bare date is midnight.
///
/// Returns `None` for anything else.
///
/// ```
/// use drf_runtime::db::{format_django_datetime, parse_django_datetime};
///
/// let dt = parse_django_datetime("2030-01-02T03:04:05.000123+02:00").unwrap();
/// assert_eq!(format_django_datetime(dt), "2030-01-02 01:04:05.000123");
/// assert!(parse_django_datetime("yesterday").is_none());
/// ```
pub fn parse_django_datetime(text: &str) -> Option<NaiveDateTime> {
    let mut p = Cursor(text.trim().as_bytes());
    let year = p.digits(4, 4)?;
    p.expect(b'-')?;
    let month = p.digits(1, 2)?;
    p.expect(b'-')?;
    let day = p.digits(1, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    if p.0.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    match p.next()? {
        b'T' | b't' | b' ' => {}
        _ => return None,
    }
    let hour = p.digits(1, 2)?;
    p.expect(b':')?;
    let minute = p.digits(1, 2)?;
    let (mut second, mut micro) = (0, 0);
    if p.peek() == Some(b':') {
        p.next();
        second = p.digits(1, 2)?;
        if matches!(p.peek(), Some(b'.' | b',')) {
            p.next();
            let frac = p.take_while(|b| b.is_ascii_digit());
            if frac.is_empty() {
                return None;
            }
            for i in 0..6 {
                micro = micro * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0'));
            }
        }
    }
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micro)?;
    let naive = date.and_time(time);
    p.take_while(|b| b == b' ');
    let offset_minutes: i64 = match p.next() {
        None => 0,
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = p.digits(2, 2)?;
            if p.peek() == Some(b':') {
                p.next();
            }
            let minutes = if p.0.is_empty() { 0 } else { p.digits(2, 2)? };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = i64::from(hours * 60 + minutes);
            if sign == b'-' { -total } else { total }
        }
        Some(_) => return None,
    };
    if !p.0.is_empty() {
        return None;
    }
    naive.checked_sub_signed(Duration::minutes(offset_minutes))
}

/// A tiny byte cursor for the parser.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &[u8] {
        let n = self.0.iter().take_while(|&&b| f(b)).count();
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    /// Between `min` and `max` ASCII digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self
            .0
            .iter()
            .take(max)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_micro_opt(h, mi, s, us))
            .expect("valid test datetime")
    }

    #[test]
    fn formats_like_python_str() {
        // docs/django-compat.md §1.4 vectors.
        assert_eq!(
            format_django_datetime(dt(2030, 1, 2, 3, 4, 5, 0)),
            "2030-01-02 03:04:05"
        );
        assert_eq!(
            format_django_datetime(dt(2030, 1, 2, 1, 4, 5, 123)),
            "2030-01-02 01:04:05.000123"
        );
        assert_eq!(
            format_django_datetime(dt(2026, 12, 12, 12, 28, 8, 95_352)),
            "2026-12-12 12:28:08.095352"
        );
        assert_eq!(
            format_django_datetime(dt(2026, 11, 28, 12, 28, 8, 74_733)),
            "2026-11-28 12:28:08.074733"
        );
        assert_eq!(
            format_django_datetime(dt(2026, 11, 28, 12, 27, 13, 142_720)),
            "2026-11-28 12:27:13.142720"
        );
        assert_eq!(
            format_django_datetime(dt(999, 1, 1, 0, 0, 0, 1)),
            "0999-01-01 00:00:00.000001"
        );
        // Nanoseconds are truncated, never rounded up.
        let ns = NaiveDate::from_ymd_opt(2030, 1, 2)
            .and_then(|d| d.and_hms_nano_opt(3, 4, 5, 999_999_999))
            .expect("valid");
        assert_eq!(format_django_datetime(ns), "2030-01-02 03:04:05.999999");
        let sub_micro = NaiveDate::from_ymd_opt(2030, 1, 2)
            .and_then(|d| d.and_hms_nano_opt(3, 4, 5, 999))
            .expect("valid");
        assert_eq!(format_django_datetime(sub_micro), "2030-01-02 03:04:05");
    }

    #[test]
    fn parses_what_django_writes_and_reads() {
        let cases = [
            ("2030-01-02 03:04:05", dt(2030, 1, 2, 3, 4, 5, 0)),
            ("2030-01-02 01:04:05.000123", dt(2030, 1, 2, 1, 4, 5, 123)),
            (
                "2026-12-12 12:28:08.095352",
                dt(2026, 12, 12, 12, 28, 8, 95_352),
            ),
            ("2030-01-02T03:04:05", dt(2030, 1, 2, 3, 4, 5, 0)),
            ("2030-01-02T03:04:05Z", dt(2030, 1, 2, 3, 4, 5, 0)),
            (
                "2030-01-02T03:04:05.000123+02:00",
                dt(2030, 1, 2, 1, 4, 5, 123),
            ),
            (
                "2030-01-02 03:04:05.000123+0200",
                dt(2030, 1, 2, 1, 4, 5, 123),
            ),
            ("2030-01-02 03:04:05+02", dt(2030, 1, 2, 1, 4, 5, 0)),
            ("2030-01-02 03:04:05 -05:30", dt(2030, 1, 2, 8, 34, 5, 0)),
            ("2030-01-02 23:30:00-01:00", dt(2030, 1, 3, 0, 30, 0, 0)),
            (
                "2026-12-12 12:29:48.73867+00",
                dt(2026, 12, 12, 12, 29, 48, 738_670),
            ),
            ("2030-01-02 03:04:05.5", dt(2030, 1, 2, 3, 4, 5, 500_000)),
            ("2030-01-02 03:04:05,25", dt(2030, 1, 2, 3, 4, 5, 250_000)),
            (
                "2030-01-02 03:04:05.123456789",
                dt(2030, 1, 2, 3, 4, 5, 123_456),
            ),
            ("2030-01-02 03:04", dt(2030, 1, 2, 3, 4, 0, 0)),
            ("2030-1-2 3:4:5", dt(2030, 1, 2, 3, 4, 5, 0)),
            ("2030-01-02", dt(2030, 1, 2, 0, 0, 0, 0)),
            ("  2030-01-02 03:04:05\n", dt(2030, 1, 2, 3, 4, 5, 0)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_django_datetime(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "",
            "yesterday",
            "2030",
            "2030-01",
            "2030-13-01 00:00:00",
            "2030-02-30 00:00:00",
            "2030-01-02 24:00:00",
            "2030-01-02 03:04:05.",
            "2030-01-02X03:04:05",
            "2030-01-02 03",
            "2030-01-02 03:04:05+2",
            "2030-01-02 03:04:05+24:00",
            "2030-01-02 03:04:05 trailing",
            "20300-01-02 03:04:05",
            "١٢٣٤-01-02 03:04:05",
        ] {
            assert_eq!(parse_django_datetime(text), None, "{text:?}");
        }
    }

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = dt(2026, 11, 28, 12, 28, 8, 0);
        let b = dt(2026, 11, 28, 12, 28, 8, 1);
        let c = dt(2026, 11, 28, 12, 28, 9, 0);
        for x in [a, b, c] {
            assert_eq!(parse_django_datetime(&format_django_datetime(x)), Some(x));
        }
        let (fa, fb, fc) = (
            format_django_datetime(a),
            format_django_datetime(b),
            format_django_datetime(c),
        );
        assert!(fa < fb && fb < fc, "{fa} {fb} {fc}");
    }

    #[test]
    fn now_has_microsecond_precision() {
        let n = now();
        assert_eq!(n.nanosecond() % 1_000, 0);
    }
}
