pub use drf_runtime::*;
