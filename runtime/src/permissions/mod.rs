//! Permission policies: the [`Permission`] trait, the built-ins, and composition with
//! [`And`], [`Or`] and [`Not`] (what `A & B`, `A | B` and `!A` in `#[permission_classes]`
//! become).

mod builtin;

use std::any::Any;
use std::borrow::Cow;
use std::future::Future;

pub use builtin::{AllowAny, IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly};

use http::Method;

use crate::error::ApiError;
use crate::openapi::Anonymous;
use crate::request::Request;

/// An object under an object-level permission check.
pub type Object<'a> = &'a (dyn Any + Send + Sync);

/// A permission policy (DRF's `BasePermission`).
///
/// `has_permission` runs for every request after authentication; `has_object_permission` runs
/// when a handler calls [`Request::check_object_permissions`] (DRF's `check_object_permissions`).
///
/// ```
/// # use drf::prelude::*;
/// # struct Note { owner_id: i64 }
/// struct IsOwner;
/// impl Permission for IsOwner {
///     async fn has_object_permission(req: &Request, obj: Object<'_>) -> bool {
///         obj.downcast_ref::<Note>().is_some_and(|n| Some(n.owner_id) == req.user().id)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a permission",
    label = "expected a type implementing `Permission`",
    note = "built-in permissions are `AllowAny`, `IsAuthenticated`, `IsAdminUser` and `IsAuthenticatedOrReadOnly`; authentication schemes belong in `#[authentication_classes(...)]`"
)]
pub trait Permission: Send + Sync + 'static {
    /// View-level check. The default allows.
    fn has_permission(req: &Request) -> impl Future<Output = bool> + Send {
        let _ = req;
        std::future::ready(true)
    }

    /// Object-level check. The default allows.
    fn has_object_permission(req: &Request, obj: Object<'_>) -> impl Future<Output = bool> + Send {
        let _ = (req, obj);
        std::future::ready(true)
    }

    /// The message of a denial (DRF's `message`); `None` is DRF's default text.
    fn message() -> Option<Cow<'static, str>> {
        None
    }

    /// Whether `has_permission` lets an anonymous caller through for `method`: what the
    /// OpenAPI document's empty security requirement `{}` says. The built-ins declare it
    /// (`IsAuthenticatedOrReadOnly` admits GET, HEAD and OPTIONS); the default is
    /// [`Anonymous::Undeclared`], which the document treats as "may admit". A permission that
    /// only checks objects admits anonymous callers at the view level:
    ///
    /// ```
    /// # use drf::prelude::*;
    /// # use drf::openapi::Anonymous;
    /// struct IsOwner;
    /// impl Permission for IsOwner {
    ///     fn admits_anonymous(_: &Method) -> Anonymous {
    ///         Anonymous::Admitted
    ///     }
    /// }
    /// ```
    fn admits_anonymous(method: &Method) -> Anonymous {
        let _ = method;
        Anonymous::Undeclared
    }
}

/// Both must allow (`A & B`).
#[derive(Debug, Clone, Copy, Default)]
pub struct And<A, B>(A, B);
/// Either may allow (`A | B`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Or<A, B>(A, B);
/// Inverts (`!A`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Not<A>(A);

impl<A: Permission, B: Permission> Permission for And<A, B> {
    async fn has_permission(req: &Request) -> bool {
        A::has_permission(req).await && B::has_permission(req).await
    }
    async fn has_object_permission(req: &Request, obj: Object<'_>) -> bool {
        A::has_object_permission(req, obj).await && B::has_object_permission(req, obj).await
    }
    fn admits_anonymous(method: &Method) -> Anonymous {
        A::admits_anonymous(method).and(B::admits_anonymous(method))
    }
}

impl<A: Permission, B: Permission> Permission for Or<A, B> {
    async fn has_permission(req: &Request) -> bool {
        A::has_permission(req).await || B::has_permission(req).await
    }
    // DRF 3.14+: an operand counts for the object only if it also allows the view.
    async fn has_object_permission(req: &Request, obj: Object<'_>) -> bool {
        (A::has_permission(req).await && A::has_object_permission(req, obj).await)
            || (B::has_permission(req).await && B::has_object_permission(req, obj).await)
    }
    fn admits_anonymous(method: &Method) -> Anonymous {
        A::admits_anonymous(method).or(B::admits_anonymous(method))
    }
}

impl<A: Permission> Permission for Not<A> {
    async fn has_permission(req: &Request) -> bool {
        !A::has_permission(req).await
    }
    async fn has_object_permission(req: &Request, obj: Object<'_>) -> bool {
        !A::has_object_permission(req, obj).await
    }
    fn admits_anonymous(method: &Method) -> Anonymous {
        !A::admits_anonymous(method)
    }
}

/// A permission's refusal: which permission (its type's name), and its message (DRF's
/// `message`; `None` for DRF's default text).
#[derive(Debug, Clone)]
pub struct Denial {
    /// `std::any::type_name` of the permission that refused.
    pub permission: &'static str,
    /// Its message.
    pub message: Option<Cow<'static, str>>,
}

/// A view's permission list: `()` or a tuple of [`Permission`]s, checked in order; the first
/// denial decides (DRF's `check_permissions`).
pub trait PermissionList: Send + Sync + 'static {
    /// The refusal of the first permission that denies.
    fn check(req: &Request) -> impl Future<Output = Result<(), Denial>> + Send;

    /// The refusal of the first permission that denies `obj`.
    fn check_object(
        req: &Request,
        obj: Object<'_>,
    ) -> impl Future<Output = Result<(), Denial>> + Send;

    /// Whether every permission admits an anonymous caller for `method` (the OpenAPI
    /// document's `{}`).
    fn admits_anonymous(method: &Method) -> Anonymous;
}

impl PermissionList for () {
    fn admits_anonymous(_: &Method) -> Anonymous {
        Anonymous::Admitted
    }
    async fn check(_: &Request) -> Result<(), Denial> {
        Ok(())
    }
    async fn check_object(_: &Request, _: Object<'_>) -> Result<(), Denial> {
        Ok(())
    }
}

macro_rules! impl_permission_list {
    ($($p:ident),+) => {
        impl<$($p: Permission),+> PermissionList for ($($p,)+) {
            async fn check(req: &Request) -> Result<(), Denial> {
                $(
                    if !$p::has_permission(req).await {
                        return Err(Denial { permission: std::any::type_name::<$p>(), message: $p::message() });
                    }
                )+
                Ok(())
            }
            async fn check_object(req: &Request, obj: Object<'_>) -> Result<(), Denial> {
                $(
                    if !$p::has_object_permission(req, obj).await {
                        return Err(Denial { permission: std::any::type_name::<$p>(), message: $p::message() });
                    }
                )+
                Ok(())
            }
            fn admits_anonymous(method: &Method) -> Anonymous {
                Anonymous::Admitted$(.and($p::admits_anonymous(method)))+
            }
        }
    };
}

crate::tuples::all_the_tuples!(impl_permission_list);

/// DRF's `permission_denied`: an anonymous caller of a view with schemes is "not
/// authenticated"; anyone else gets `PermissionDenied` with the policy's message.
pub(crate) fn denied(req: &Request, has_schemes: bool, denial: Denial) -> ApiError {
    let answer = if has_schemes && !req.is_authenticated_by_scheme() {
        ApiError::NotAuthenticated
    } else {
        match denial.message {
            Some(m) => ApiError::PermissionDenied(m),
            None => ApiError::permission_denied(),
        }
    };
    crate::audit::permission_denied(req, denial.permission, &answer);
    answer
}
