//! The conformance app against Django REST Framework's own answers.
//!
//! `tests/fixtures/drf_cases.jsonl` holds requests sent to a real DRF 3.18.3 / Django 5.2
//! server running the same endpoints (see `tests/fixtures/DRF_RECORDING.md`), with DRF's exact
//! answers. This test starts `examples/conformance` over real HTTP on a copy of a database that
//! Django's own `migrate` created (`tests/fixtures/django52.sqlite3`, users and tokens made by
//! Django), replays every case in order, and compares status, body, `WWW-Authenticate`,
//! `Allow` (as a set, since DRF's order comes from a Python set), `Content-Type`, `Vary`,
//! `Location`, `Retry-After` and `Set-Cookie` (names, values through placeholders, and
//! attributes; the `expires` date only by shape).
//!
//! The `throttle` group counts against one-minute windows that start at its first request:
//! DRF's `Retry-After: 60` becomes 59 if the group takes more than a second to replay, so a
//! 59 is accepted then (and only then).

#[path = "../examples/conformance/settings.rs"]
mod settings;
#[path = "../examples/conformance/views.rs"]
mod views;

mod common;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;

use common::{RawResponse, fixture_app, raw_request, start_server};

/// Endpoints whose issues are still open: their cases are not replayed yet.
const NOT_YET: [&str; 0] = [];
/// Recorded groups that need features of open issues, on any endpoint.
const NOT_YET_GROUPS: [&str; 0] = [];

/// Cases where DRF's answer came from Django's development server rather than from DRF, with
/// the reason we answer differently. The test fails if any of them starts matching, so the
/// list stays honest.
const SERVER_DIVERGENCES: [(&str, &str); 7] = [
    (
        "token_raw_vertical_tab_separator",
        "a vertical tab in a header value is rejected by the HTTP parser (400), as RFC 9110 requires",
    ),
    (
        "token_raw_form_feed_separator",
        "a form feed in a header value is rejected by the HTTP parser (400)",
    ),
    (
        "token_raw_byte_85_in_key",
        "runserver strips \\x85 (a Unicode space once latin-1 decoded) from header values",
    ),
    (
        "double_slash",
        "runserver collapses '//' in the path; a path is routed as sent here",
    ),
    (
        "token_raw_control_byte_01",
        "control bytes in a header value are rejected by the HTTP parser (400), as RFC 9110 requires",
    ),
    (
        "token_raw_control_byte_7f",
        "DEL in a header value is rejected by the HTTP parser (400)",
    ),
    (
        "token_raw_nul_byte",
        "NUL in a header value is rejected by the HTTP parser (400)",
    ),
];

#[derive(Clone)]
struct Case {
    name: String,
    group: String,
    method: String,
    path: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
    status: u16,
    response_headers: HashMap<String, String>,
    set_cookies: Vec<String>,
    response_body: String,
}

fn load_cases() -> Vec<Case> {
    let text = include_str!("fixtures/drf_cases.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("fixture line is JSON");
            let headers = v["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let name = h[0].as_str().unwrap().to_owned();
                    let value = match &h[1] {
                        Value::String(s) => s.as_bytes().to_vec(),
                        other => hex(other["latin1_bytes_hex"].as_str().unwrap()),
                    };
                    (name, value)
                })
                .collect();
            let body = match (&v["body"], v.get("body_b64")) {
                (_, Some(Value::String(b))) => {
                    Some(base64::engine::general_purpose::STANDARD.decode(b).unwrap())
                }
                (Value::String(s), _) => Some(s.as_bytes().to_vec()),
                _ => None,
            };
            Case {
                name: v["name"].as_str().unwrap().to_owned(),
                group: v["group"].as_str().unwrap().to_owned(),
                method: v["method"].as_str().unwrap().to_owned(),
                path: v["path"].as_str().unwrap().to_owned(),
                headers,
                body,
                content_type: v["content_type"].as_str().map(str::to_owned),
                status: v["status"].as_u64().unwrap() as u16,
                response_headers: v["response_headers"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect(),
                set_cookies: v["response_headers"]["set-cookie"]
                    .as_array()
                    .map(|a| a.iter().map(|c| c.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default(),
                response_body: v["response_body"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The address the recording was made against (in `Origin` headers), bound to ours.
const RECORDED_HOST: &str = "127.0.0.1:18765";

/// Placeholders in the recording (`<KEY>`: a token DRF generated; `<SESSIONID>`,
/// `<CSRFSECRET>`: cookie values set at login) bound to our values.
#[derive(Default)]
struct Bindings(HashMap<String, String>);

impl Bindings {
    /// Binds the cookie-value placeholders of DRF's `Set-Cookie` headers to the values of
    /// ours with the same cookie name.
    fn learn_cookies(&mut self, expected: &[String], ours: &[String]) {
        for e in expected {
            let Some((name, value)) = e.split(';').next().and_then(|nv| nv.split_once('=')) else {
                continue;
            };
            if !(value.starts_with('<') && value.ends_with('>')) || self.0.contains_key(value) {
                continue;
            }
            let found = ours.iter().find_map(|o| {
                o.split(';')
                    .next()
                    .and_then(|nv| nv.split_once('='))
                    .filter(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_owned())
            });
            if let Some(v) = found {
                self.0.insert(value.to_owned(), v);
            }
        }
    }

    fn apply(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (k, v) in &self.0 {
            out = out.replace(k.as_str(), v);
        }
        out
    }

    /// Binds placeholders of `expected` to the 40-hex keys found at the same place in `actual`.
    fn learn(&mut self, expected: &str, actual: &str) {
        for ph in ["<KEY>", "<UNI_KEY>"] {
            if self.0.contains_key(ph) {
                continue;
            }
            if let Some(pos) = expected.find(ph) {
                if actual.len() >= pos + 40 && expected[..pos] == actual[..pos] {
                    self.0
                        .insert(ph.to_owned(), actual[pos..pos + 40].to_owned());
                }
            }
        }
    }
}

fn allow_set(s: &str) -> BTreeSet<String> {
    s.split(',').map(|m| m.trim().to_owned()).collect()
}

/// Compares `Set-Cookie` headers in order: same name and value (placeholders bound), same
/// attributes; an `expires=<EXPIRES>` of DRF's matches any HTTP date.
fn compare_cookies(expected: &[String], ours: &[String]) -> Option<String> {
    let same = expected.len() == ours.len()
        && expected.iter().zip(ours).all(|(e, o)| {
            let (e, o): (Vec<&str>, Vec<&str>) = (e.split("; ").collect(), o.split("; ").collect());
            e.len() == o.len()
                && e.iter().zip(&o).all(|(ea, oa)| {
                    if *ea == "expires=<EXPIRES>" {
                        oa.strip_prefix("expires=")
                            .is_some_and(|d| d.len() == 29 && d.ends_with(" GMT"))
                    } else {
                        ea == oa
                    }
                })
        });
    (!same).then(|| format!("set-cookie {ours:?} (DRF: {expected:?})"))
}

fn compare(case: &Case, expected_body: &str, got: &RawResponse) -> Vec<String> {
    let mut problems = Vec::new();
    if got.status != case.status {
        problems.push(format!("status {} (DRF: {})", got.status, case.status));
    }
    let body = String::from_utf8_lossy(&got.body);
    if body != expected_body {
        problems.push(format!("body {body:?} (DRF: {expected_body:?})"));
    }
    for name in [
        "www-authenticate",
        "content-type",
        "vary",
        "location",
        "retry-after",
    ] {
        let ours = got.header(name);
        let theirs = case.response_headers.get(name).map(String::as_str);
        if ours != theirs {
            problems.push(format!("{name} {ours:?} (DRF: {theirs:?})"));
        }
    }
    let ours = got.header("allow").map(allow_set);
    let theirs = case.response_headers.get("allow").map(|a| allow_set(a));
    if ours != theirs {
        problems.push(format!("allow {ours:?} (DRF: {theirs:?})"));
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_app_answers_as_drf_does() {
    let (app, _dir) = fixture_app("conformance").await;
    let server = start_server(views::router(), app).await;
    let mut bindings = Bindings::default();
    bindings
        .0
        .insert(RECORDED_HOST.to_owned(), server.addr.to_string());
    let mut failures = Vec::new();
    let mut divergent = Vec::new();
    let mut replayed = 0;
    let mut throttle_started: Option<Instant> = None;
    let cases = load_cases();
    assert!(cases.len() > 500, "the recording has {} cases", cases.len());
    for case in &cases {
        if NOT_YET.iter().any(|p| case.path.starts_with(p))
            || NOT_YET_GROUPS.contains(&case.group.as_str())
        {
            continue;
        }
        let headers: Vec<(String, Vec<u8>)> = case
            .headers
            .iter()
            .map(|(k, v)| {
                let v = bindings.apply(&String::from_utf8_lossy(v));
                let raw = if v.contains('\u{FFFD}') {
                    // Raw bytes: keep them exactly.
                    case.headers.iter().find(|(n, _)| n == k).unwrap().1.clone()
                } else {
                    v.into_bytes()
                };
                (k.clone(), raw)
            })
            .collect();
        let body = case.body.as_ref().map(|b| match std::str::from_utf8(b) {
            Ok(text) => bindings.apply(text).into_bytes(),
            Err(_) => b.clone(),
        });
        if case.group == "throttle" && throttle_started.is_none() {
            throttle_started = Some(Instant::now());
        }
        let got = raw_request(
            server.addr,
            &case.method,
            &case.path,
            &headers,
            case.content_type.as_deref(),
            body.as_deref(),
        )
        .await;
        bindings.learn(&case.response_body, &String::from_utf8_lossy(&got.body));
        let our_cookies: Vec<String> = got
            .headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.clone())
            .collect();
        bindings.learn_cookies(&case.set_cookies, &our_cookies);
        let expected = bindings.apply(&case.response_body);
        let mut problems = compare(case, &expected, &got);
        let slow = throttle_started.is_some_and(|t| t.elapsed() > Duration::from_secs(1));
        if !problems.is_empty() && slow && case.response_headers.contains_key("retry-after") {
            // The window started over a second ago: DRF itself would say 59.
            let mut late = case.clone();
            late.response_headers
                .insert("retry-after".to_owned(), "59".to_owned());
            let body = expected.replace("in 60 seconds", "in 59 seconds");
            late.response_body = body.clone();
            if compare(&late, &body, &got).is_empty() {
                problems.clear();
            }
        }
        let expected_cookies: Vec<String> =
            case.set_cookies.iter().map(|c| bindings.apply(c)).collect();
        problems.extend(compare_cookies(&expected_cookies, &our_cookies));
        replayed += 1;
        match SERVER_DIVERGENCES.iter().find(|(n, _)| *n == case.name) {
            Some((name, why)) => {
                if problems.is_empty() {
                    failures.push(format!(
                        "{name}: listed as a divergence but now matches DRF"
                    ));
                } else {
                    divergent.push(format!("{name}: {why}"));
                }
            }
            None if !problems.is_empty() => {
                failures.push(format!("{}: {}", case.name, problems.join("; ")))
            }
            None => {}
        }
    }
    server.stop().await;
    let sessionid = bindings.0.get("<SESSIONID>").cloned().unwrap_or_default();
    assert!(
        sessionid.len() == 32
            && sessionid
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "session key {sessionid:?} is not 32 characters of a-z0-9"
    );
    let csrf = bindings.0.get("<CSRFSECRET>").cloned().unwrap_or_default();
    assert!(
        csrf.len() == 32 && csrf.bytes().all(|b| b.is_ascii_alphanumeric()),
        "CSRF secret {csrf:?} is not 32 characters of a-zA-Z0-9"
    );
    eprintln!(
        "conformance: {replayed} cases replayed, {} known server divergences:",
        divergent.len()
    );
    for d in &divergent {
        eprintln!("  {d}");
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} cases differ from DRF:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(divergent.len(), SERVER_DIVERGENCES.len());
}
