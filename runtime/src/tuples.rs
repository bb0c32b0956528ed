//! `all_the_tuples!`: every tuple ladder of the runtime written once (as axum does). A ladder
//! is a `macro_rules!` implementing a trait for one tuple of type parameters, and
//! `all_the_tuples!(impl_x)` invokes it for `(T1,)` up to `(T1, …, T16)`:
//!
//! - `AuthenticationList` (`#[authentication_classes]`, `DEFAULT_AUTHENTICATION_CLASSES`),
//! - `PermissionList` (`#[permission_classes]`, `DEFAULT_PERMISSION_CLASSES`),
//! - `ThrottleList` (`#[throttle_classes]`, `DEFAULT_THROTTLE_CLASSES`),
//! - `Handler` (a handler's arguments).
//!
//! The empty tuple (no classes, no arguments) is each trait's own case, written beside it.
//!
//! The macros know the limit: `drf-macros` rejects a longer list or handler with an error
//! naming it (its `MAX_TUPLE`), at the first entry past it, rather than let rustc say that a
//! 17-tuple implements no trait. Raise both together.
//!
//! No impl here is `#[diagnostic::do_not_recommend]`, as axum's handler impls are. On a list
//! it would hide the useful error: rustc would stop at "`(AllowAny, ApiKey)` does not
//! implement `PermissionList`" instead of going through the impl to "`ApiKey` is not a
//! permission" at the user's type. On `Handler` it changes nothing: the arguments are inferred
//! (`Handler<_>`), so rustc never picks one impl to look into, and already reports the
//! function as "not a valid handler".

/// Invokes `$name!(T1, …, Tn)` for n = 1 to 16.
#[rustfmt::skip]
macro_rules! all_the_tuples {
    ($name:ident) => {
        $name!(T1);
        $name!(T1, T2);
        $name!(T1, T2, T3);
        $name!(T1, T2, T3, T4);
        $name!(T1, T2, T3, T4, T5);
        $name!(T1, T2, T3, T4, T5, T6);
        $name!(T1, T2, T3, T4, T5, T6, T7);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15);
        $name!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16);
    };
}

pub(crate) use all_the_tuples;

#[cfg(test)]
mod tests {
    use crate::authentication::{AuthenticationList, Basic};
    use crate::extract::Handler;
    use crate::permissions::{AllowAny, PermissionList};
    use crate::request::Request;
    use crate::throttling::{AnonRate, ThrottleList};
    use crate::user::User;

    type Sixteen<X> = (X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X);

    fn permission_list<P: PermissionList>() {}
    fn handler<Args, H: Handler<Args>>(_: H) {}

    #[allow(clippy::too_many_arguments)]
    async fn sixteen(
        _: Request,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
        _: User,
    ) -> http::StatusCode {
        http::StatusCode::OK
    }

    #[test]
    fn every_ladder_reaches_sixteen() {
        assert_eq!(<Sixteen<Basic> as AuthenticationList>::LEN, 16);
        assert_eq!(<Sixteen<Basic> as AuthenticationList>::names().len(), 16);
        assert_eq!(<Sixteen<AnonRate> as ThrottleList>::LEN, 16);
        permission_list::<Sixteen<AllowAny>>();
        handler(sixteen);
    }
}
