//! The grammar of a throttle rate, `N/PERIOD`: the one both halves of drf read.
//!
//! The runtime's `Rate::parse` reads it at start-up (and from `THROTTLE_RATE_<SCOPE>`);
//! `settings!` checks `DEFAULT_THROTTLE_RATES` against it at compile time. The proc-macro crate
//! does not depend on the runtime, so it compiles this very file through a symbolic link
//! (`macros/src/rate_grammar.rs`): keep it
//! std-only, free of `crate::` paths, and small.

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

/// `N/PERIOD` as (requests, seconds of the period): N a whole number of ASCII digits that fits
/// a `u32`, PERIOD one of [`PERIODS`] exactly (case-sensitive), nothing around them. `None`
/// for anything else; DRF's `None` (no rate) is for the caller.
pub fn parse(text: &str) -> Option<(u32, u32)> {
    let (n, period) = text.split_once('/')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (_, seconds) = PERIODS.iter().find(|(p, _)| *p == period)?;
    Some((n.parse().ok()?, *seconds))
}
