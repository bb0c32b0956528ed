//! The reference application held against Django REST Framework (see examples/conformance/README.md).
//!
//! ```text
//! cargo run --release --example conformance -- migrate
//! cargo run --release --example conformance -- runserver 127.0.0.1:8000
//! ```

mod settings;
mod views;

fn main() -> std::process::ExitCode {
    drf::management::main::<settings::Settings>(views::router)
}
