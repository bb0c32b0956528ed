//! The tests that need a server run only where its address is set, and are otherwise
//! reported by `cargo test` as ignored, with the reason, never as passed: each variable
//! below, set when the tests are built, turns on a cfg that `#[cfg_attr(not(..), ignore)]`
//! reads. Nothing else in the crate depends on them.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in [
        ("DRF_TEST_POSTGRES_URL", "drf_test_postgres"),
        ("DRF_TEST_REDIS_URL", "drf_test_redis"),
        ("DRF_DJANGO_PYTHON", "drf_test_django"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
