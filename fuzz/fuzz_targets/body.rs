//! `request.data` for any `Content-Type` and body: media-type parsing, the parser choice, the
//! request charset's codec, and the JSON, form (`QueryDict`) and multipart parsers behind it.
//!
//! Input: the `Content-Type` value, a `\n`, then the body (no `\n`: no header, all body).
//! Properties: a form's `data` holds the last value of each field; a body that parses once
//! parses again to the same data; a refusal is a 4xx.
#![no_main]

use drf_runtime::__fuzz::{decode_charset, parse_body};
use drf_runtime::parsers::PARSES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (Some(&data[..at]), &data[at + 1..]),
        None => (None, data),
    };
    // DRF's default order, then `obtain_auth_token`'s (form first).
    for parses in [&PARSES[..], &[PARSES[1], PARSES[2], PARSES[0]][..]] {
        match parse_body(content_type, body, parses) {
            Ok(parsed) => {
                if let Some(form) = &parsed.form {
                    for (name, values) in form {
                        let last = values.as_array().and_then(|v| v.last());
                        let is_file = parsed.files.iter().any(|f| &f.0 == name);
                        assert!(is_file || last == parsed.data.get(name), "{name:?}");
                    }
                }
                let again = parse_body(content_type, body, parses).expect("parses twice");
                assert_eq!(again.data, parsed.data);
            }
            Err(e) => {
                let status = e.status(false).as_u16();
                assert!((400..500).contains(&status), "{status} {e:?}");
            }
        }
    }
    // The codec a charset names, on the body.
    if let Some(ct) = content_type {
        let ct = String::from_utf8_lossy(ct);
        if let Some((_, charset)) = ct.split_once("charset=") {
            let name = charset
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if let Some((stream, strict, replaced)) = decode_charset(name, body) {
                if let Some(strict) = strict {
                    assert_eq!(strict, replaced);
                }
                let _ = stream;
            }
        }
    }
});
