//! The JSON parser's decoder (Python's `json.loads`, with CPython's errors, depth cap and
//! digit limit) on any text.
//!
//! Property: a document that parses with no Python-only value serializes to JSON that parses
//! back to the same value.
#![no_main]

use drf_runtime::__fuzz::json_loads;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match json_loads(&text) {
        Ok((value, 0)) => {
            let again = serde_json::to_string(&value).expect("a parsed value serializes");
            let (reparsed, exotic) = json_loads(&again).expect("serialized JSON parses");
            assert_eq!(exotic, 0);
            assert_eq!(reparsed, value, "{again}");
        }
        Ok(_) => {}
        Err(message) => assert!(!message.is_empty()),
    }
});
