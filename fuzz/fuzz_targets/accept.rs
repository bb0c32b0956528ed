//! Content negotiation: the `Accept` header (media types, parameters, quoting, `q`, `indent`)
//! and the `format` query parameter, as DRF's `DefaultContentNegotiation` reads them.
//!
//! Input: the `Accept` value, a `\n`, then the query string (no `\n`: no query). Properties:
//! the renderer is one of the two (JSON, browsable); an indent is within DRF's 1..=8; a
//! refusal is a 404 or 406.
#![no_main]

use drf_runtime::__fuzz::negotiate;
use http::header::ACCEPT;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (accept, query) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], std::str::from_utf8(&data[at + 1..]).ok()),
        None => (data, None),
    };
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_bytes(accept) {
        headers.insert(ACCEPT, v);
    }
    match negotiate(&headers, query) {
        Ok((index, indent)) => {
            assert!(index < 2);
            assert!(indent.is_none_or(|i| (1..=8).contains(&i)));
        }
        Err(e) => {
            let status = e.status(false).as_u16();
            assert!(status == 404 || status == 406, "{status}");
        }
    }
});
