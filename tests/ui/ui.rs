//! Compile-time diagnostics of the macros, pinned by trybuild: one mistake per `fail/*.rs`
//! (each `.stderr` shows exactly one error, at the offending token), and `pass/*.rs` cases
//! that must compile. Regenerate with `TRYBUILD=overwrite cargo test -p drf-ui-tests` and review the
//! diff. The E0277/E0446 cases are rendered by rustc, so they are pinned to the CI toolchain.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("*/fail/*.rs");
    t.pass("*/pass/*.rs");
}
