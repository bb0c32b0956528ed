//! `multipart/form-data` bodies as Django's `MultiPartParser` reads them: boundaries, part
//! headers, `Content-Disposition` parameters, base64 parts, file names, the field and file
//! limits.
//!
//! Input: the boundary, a `\n`, then the body (no `\n`: boundary `XyZ`). Properties: every
//! file's size is at most the body's, the field count within Django's limit, and the answer
//! does not depend on a second read.
#![no_main]

use drf_runtime::__fuzz::parse_body;
use drf_runtime::parsers::PARSES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (boundary, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b"XyZ"[..], data),
    };
    let content_type = [&b"multipart/form-data; boundary="[..], boundary].concat();
    match parse_body(Some(&content_type), body, &PARSES) {
        Ok(parsed) => {
            for (_, _, _, size) in &parsed.files {
                // Base64 parts decode to fewer bytes than they take.
                assert!(*size <= body.len());
            }
            assert!(parsed.files.len() <= 100);
            if let Some(form) = &parsed.form {
                assert!(form.len() <= 1002);
            }
            let again = parse_body(Some(&content_type), body, &PARSES).expect("parses twice");
            assert_eq!(again.data, parsed.data);
        }
        Err(e) => {
            let status = e.status(false).as_u16();
            assert!((400..500).contains(&status), "{status} {e:?}");
        }
    }
});
