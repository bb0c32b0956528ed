//! The unit tests that need PostgreSQL run only where `DRF_TEST_POSTGRES_URL` is set when
//! they are built, and are otherwise reported by `cargo test` as ignored, with the reason,
//! never as passed (`#[cfg_attr(not(drf_test_postgres), ignore = ..)]`). Nothing else in
//! the crate depends on the cfg.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=DRF_TEST_POSTGRES_URL");
    println!("cargo::rustc-check-cfg=cfg(drf_test_postgres)");
    if std::env::var_os("DRF_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=drf_test_postgres");
    }
}
