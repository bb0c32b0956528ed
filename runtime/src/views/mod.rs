//! Built-in views.

mod authtoken;

pub use authtoken::{ObtainAuthToken, obtain_auth_token};
