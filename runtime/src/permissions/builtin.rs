//! DRF's built-in permissions.

use http::Method;

use super::Permission;
use crate::openapi::Anonymous;
use crate::request::Request;

/// Allows every request (DRF's default).
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAny;

impl Permission for AllowAny {
    fn admits_anonymous(_: &Method) -> Anonymous {
        Anonymous::Admitted
    }
}

/// Allows authenticated users only.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsAuthenticated;

impl Permission for IsAuthenticated {
    async fn has_permission(req: &Request) -> bool {
        req.user().is_authenticated()
    }
    fn admits_anonymous(_: &Method) -> Anonymous {
        Anonymous::Refused
    }
}

/// Allows staff users only (`is_staff`).
#[derive(Debug, Clone, Copy, Default)]
pub struct IsAdminUser;

impl Permission for IsAdminUser {
    async fn has_permission(req: &Request) -> bool {
        req.user().is_staff
    }
    fn admits_anonymous(_: &Method) -> Anonymous {
        Anonymous::Refused
    }
}

/// Allows safe methods (GET, HEAD, OPTIONS) to anyone, the others to authenticated users.
#[derive(Debug, Clone, Copy, Default)]
pub struct IsAuthenticatedOrReadOnly;

/// DRF's `SAFE_METHODS`.
pub(crate) fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl Permission for IsAuthenticatedOrReadOnly {
    async fn has_permission(req: &Request) -> bool {
        is_safe(req.method()) || req.user().is_authenticated()
    }
    fn admits_anonymous(method: &Method) -> Anonymous {
        Anonymous::from_bool(is_safe(method))
    }
}
