//! Request paths: percent-decoding, the router's match of Django's path converters (`int`,
//! `str`, `slug`, `uuid`, `path`), the `APPEND_SLASH` redirect, and `Path<T>`'s
//! deserialization of the parameters.
//!
//! Input: the request target (path and query). Properties: a matched parameter fits its
//! converter; a redirect's `Location` ends with `/` before any query.
#![no_main]

use drf_runtime::__fuzz::{Resolved, path_params, resolve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(resolved) = resolve(data) else {
        return;
    };
    match resolved {
        Resolved::Route(pattern, params) => {
            for (name, value) in &params {
                let conv = pattern
                    .split('<')
                    .skip(1)
                    .find_map(|spec| {
                        let spec = spec.split('>').next()?;
                        let (conv, n) = spec.split_once(':').unwrap_or(("str", spec));
                        (n == name).then_some(conv)
                    })
                    .expect("a parameter of the pattern");
                match conv {
                    "int" => {
                        assert!(value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty())
                    }
                    "str" => assert!(!value.is_empty() && !value.contains('/')),
                    "slug" => assert!(
                        value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    ),
                    "uuid" => assert_eq!(value.len(), 36),
                    _ => assert!(!value.is_empty()),
                }
            }
            let _ = path_params::<i64>(&params);
            let _ = path_params::<u8>(&params);
            let _ = path_params::<String>(&params);
            let _ = path_params::<(i64, String)>(&params);
            let _ = path_params::<std::collections::HashMap<String, String>>(&params);
            if let ([(_, v)], Ok(n)) = (&params[..], path_params::<u64>(&params)) {
                assert_eq!(v.trim_start_matches('0').parse::<u64>().unwrap_or(0), n);
            }
        }
        Resolved::Redirect(location) => {
            let path = location.split('?').next().unwrap_or("");
            assert!(path.ends_with('/'), "{location:?}");
        }
        Resolved::NotFound => {}
    }
});
