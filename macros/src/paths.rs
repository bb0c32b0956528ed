//! Every path generated code names. Runtime items go through `::drf::__private` (hidden,
//! not public API); std items are written `::core::…`. Nothing else in the crate spells a path.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::names::Entry;

/// `::drf::__private`.
fn private() -> TokenStream {
    quote!(::drf::__private)
}

macro_rules! private_items {
    ($($(#[$doc:meta])* $fn_name:ident => $item:ident;)*) => {
        $(
            $(#[$doc])*
            pub(crate) fn $fn_name() -> TokenStream {
                let p = private();
                quote!(#p::$item)
            }
        )*
    };
}

private_items! {
    /// The trait `#[api_view]` implements.
    view => View;
    /// The trait `settings!` implements.
    settings => Settings;
    /// `http::Method`.
    method => Method;
    /// The request handed to `View::handle`.
    request => Request;
    /// The response `View::handle` produces.
    response => Response;
    /// The error `View::handle` produces.
    api_error => ApiError;
    /// The user type of `UNAUTHENTICATED_USER`.
    user => User;
    /// The auth type of `UNAUTHENTICATED_TOKEN`.
    auth => Auth;
    /// "No attribute: use the settings' list."
    from_settings => FromSettings;
    /// "The view names its own list": `Explicit<(A, B,)>`.
    explicit => Explicit;
    /// Permission combinator `A & B`.
    and => And;
    /// Permission combinator `A | B`.
    or => Or;
    /// Permission combinator `!A`.
    not => Not;
    /// Runs a handler with the arguments it asks for.
    call_handler => call_handler;
}

/// A built-in class (`Token`, `IsAuthenticated`), at the span the user wrote it.
pub(crate) fn builtin(entry: &Entry, span: Span) -> TokenStream {
    let ident = Ident::new(entry.runtime, span);
    let p = private();
    quote_spanned!(span=> #p::#ident)
}

/// The checking function for a user type of a kind, spanned at the user's path so that E0277
/// (with the trait's `on_unimplemented`) points at it.
pub(crate) fn assertion(assert_fn: &str, span: Span) -> TokenStream {
    let ident = Ident::new(assert_fn, span);
    let p = private();
    quote_spanned!(span=> #p::#ident)
}

/// `::core::future::Future`.
pub(crate) fn future() -> TokenStream {
    quote!(::core::future::Future)
}

/// `::core::future::pending` (the body of a fallback view's `handle`).
pub(crate) fn pending() -> TokenStream {
    quote!(::core::future::pending)
}

/// `::core::result::Result`.
pub(crate) fn result() -> TokenStream {
    quote!(::core::result::Result)
}

/// `::core::marker::Send`.
pub(crate) fn send() -> TokenStream {
    quote!(::core::marker::Send)
}

/// The derives of generated unit structs.
pub(crate) fn unit_derives() -> TokenStream {
    quote!(#[derive(
        ::core::fmt::Debug,
        ::core::clone::Clone,
        ::core::marker::Copy,
        ::core::default::Default
    )])
}
