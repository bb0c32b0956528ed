//! Signed values as Django's `django.core.signing` reads them (session data, signed cookies):
//! `Signer::unsign`, `TimestampSigner::unsign` with a maximum age, `signing.loads` (base64,
//! zlib, JSON), and `b64_decode` / `b62_decode` on their own.
//!
//! Forged input almost never carries a valid signature, so the payload decoder is also fed
//! the input signed with the test key (what a holder of the key could store).
//! Properties: sign then unsign gives the value back; base64 and base62 round-trip.
#![no_main]

use std::time::Duration;

use drf_runtime::signing::{
    Signer, TimestampSigner, b62_decode, b62_encode, b64_decode, b64_encode, loads,
};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "test-secret-key-for-vectors";
const SALT: &str = "django.contrib.sessions.SessionStore";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let signer = Signer::new(KEY, SALT).with_fallbacks(vec!["old-key".to_owned()]);
    let ts = TimestampSigner::new(signer.clone());

    // Forged values: refused without a panic.
    let _ = signer.unsign(&text);
    let _ = ts.unsign_at(&text, Some(Duration::from_secs(1_209_600)), 1.7e9);
    let _ = loads(&text, KEY, &[], SALT, None);

    // Round trips.
    let signed = signer.sign(&text);
    assert_eq!(signer.unsign(&signed).expect("own signature"), &*text);
    let stamped = ts.sign_at(&text, 1_700_000_000);
    assert_eq!(
        ts.unsign_at(&stamped, Some(Duration::from_secs(60)), 1_700_000_030.0)
            .expect("fresh"),
        *text
    );
    // The payload decoder on a verified payload (base64, optional zlib, JSON as latin-1).
    let _ = ts.unsign_object(&stamped, None);

    if let Some(bytes) = b64_decode(&text) {
        let enc = b64_encode(&bytes);
        assert_eq!(b64_decode(&enc).as_deref(), Some(&bytes[..]));
    }
    assert_eq!(b64_decode(&b64_encode(data)).as_deref(), Some(data));
    if let Some(n) = b62_decode(&text) {
        assert_eq!(b62_decode(&b62_encode(n)), Some(n));
    }
    if data.len() >= 8 {
        let n = i64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        assert_eq!(b62_decode(&b62_encode(n)), Some(n), "{n}");
    }
});
