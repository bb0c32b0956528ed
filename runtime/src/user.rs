//! The caller's identity: [`User`] (authenticated or anonymous) and [`Auth`] (the credential).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDateTime;

/// A user row of `auth_user` (or of the configured custom user table), or the anonymous user.
///
/// `id` is `None` only for the anonymous user. The password hash is kept (Django's encoded form)
/// because password checks and session auth hashes need it; it is never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Primary key; `None` for the anonymous user.
    pub id: Option<i64>,
    /// `auth_user.username`: the `USERNAME_FIELD` value (Django's `get_username()`; the email
    /// for a model that logs in by email), empty for the anonymous user.
    pub username: String,
    /// `auth_user.email`.
    pub email: String,
    /// `auth_user.first_name`.
    pub first_name: String,
    /// `auth_user.last_name`.
    pub last_name: String,
    /// `auth_user.is_active`.
    pub is_active: bool,
    /// `auth_user.is_staff`.
    pub is_staff: bool,
    /// `auth_user.is_superuser`.
    pub is_superuser: bool,
    /// `auth_user.password`, Django's encoded hash (`algorithm$...`).
    pub password: String,
    /// `auth_user.date_joined` (naive UTC).
    pub date_joined: Option<NaiveDateTime>,
    /// `auth_user.last_login` (naive UTC).
    pub last_login: Option<NaiveDateTime>,
    /// The extra columns of a custom user table ([`crate::db::UserModel::extra`]), by column
    /// name; empty for Django's `auth_user` and the anonymous user.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("is_active", &self.is_active)
            .field("is_staff", &self.is_staff)
            .field("is_superuser", &self.is_superuser)
            .finish_non_exhaustive()
    }
}

impl Default for User {
    fn default() -> Self {
        Self::anonymous()
    }
}

impl User {
    /// Django's `AnonymousUser`: no id, empty username, not staff, not active.
    pub fn anonymous() -> Self {
        Self {
            id: None,
            username: String::new(),
            email: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            is_active: false,
            is_staff: false,
            is_superuser: false,
            password: String::new(),
            date_joined: None,
            last_login: None,
            extra: serde_json::Map::new(),
        }
    }

    /// True for every real user (Django's `is_authenticated`), false for the anonymous one.
    pub fn is_authenticated(&self) -> bool {
        self.id.is_some()
    }

    /// The opposite of [`User::is_authenticated`].
    pub fn is_anonymous(&self) -> bool {
        self.id.is_none()
    }
}

/// A row of `authtoken_token`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken {
    /// The 40-character key (the primary key).
    pub key: String,
    /// The owner's `auth_user.id`.
    pub user_id: i64,
    /// When the token was created (naive UTC).
    pub created: Option<NaiveDateTime>,
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print a whole key into logs.
        let prefix: String = self.key.chars().take(6).collect();
        f.debug_struct("AuthToken")
            .field("key", &format_args!("{prefix}…"))
            .field("user_id", &self.user_id)
            .finish()
    }
}

/// The credential that authenticated the request: DRF's `request.auth`.
///
/// `None` for Basic and Session (and anonymous callers), the token for Token, anything a custom
/// scheme chooses for a custom scheme.
#[derive(Clone, Default)]
pub enum Auth {
    /// No credential object (Basic, Session, anonymous).
    #[default]
    None,
    /// A token of `authtoken_token` (Token, or a custom keyword such as Bearer).
    Token(AuthToken),
    /// A custom scheme's own credential.
    Custom(Arc<dyn Any + Send + Sync>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Token(t) => t.fmt(f),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl Auth {
    /// True when no credential object is attached.
    pub fn is_none(&self) -> bool {
        matches!(self, Self::None)
    }

    /// The token, for Token-authenticated requests.
    pub fn token(&self) -> Option<&AuthToken> {
        match self {
            Self::Token(t) => Some(t),
            _ => None,
        }
    }

    /// The token key, for Token-authenticated requests (what DRF's `str(request.auth)` gives).
    pub fn key(&self) -> Option<&str> {
        self.token().map(|t| t.key.as_str())
    }

    /// A custom scheme's credential, if it has this type.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        match self {
            Self::Custom(a) => a.downcast_ref(),
            _ => None,
        }
    }
}
