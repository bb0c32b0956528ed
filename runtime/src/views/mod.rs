//! Built-in views.

mod api_auth;
mod authtoken;
mod schema;

pub use api_auth::{LOGIN_PATH, LOGOUT_PATH, LoginView, LogoutView, login, logout};

pub use authtoken::{ObtainAuthToken, obtain_auth_token};
pub use schema::{SchemaView, schema_view};
