//! Built-in views.

mod authtoken;
mod schema;

pub use authtoken::{ObtainAuthToken, obtain_auth_token};
pub use schema::{SchemaView, schema_view};
