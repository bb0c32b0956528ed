//! Every path generated code names. Runtime items go through `::drf::__private` (hidden,
//! not public API); std items are written `::core::…`. Nothing else in the crate spells a path.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::quote;

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
    /// What a handler argument implements.
    from_request => FromRequest;
    /// What a handler's return type implements.
    into_response => IntoResponse;
    /// A `State<T>` a view needs (`View::required_states`).
    state_need => StateNeed;
    /// A throttle rate (`Rate::new(n, seconds)`).
    rate => Rate;
    /// Whether a rate table has a scope (the compile-time check of `#[throttle_scope]`).
    has_scope => has_scope;
    /// The typed body and answer, `Json<T>`.
    json => Json;
    /// What `View::openapi` returns.
    handler_doc => HandlerDoc;
    /// The schemas `View::openapi` fills.
    schemas => Schemas;
    /// A handler type under inspection for the OpenAPI document.
    probe => Probe;
    /// The probe traits (autoref specialization: a schema when the type has one).
    typed_body => TypedBody;
    any_body => AnyBody;
    typed_answer => TypedAnswer;
    any_answer => AnyAnswer;
}

/// The settings of the crate, against which `#[throttle_scope]` is checked at `span`:
/// `crate::settings::Settings`, where `settings!` in `settings.rs` puts them.
pub(crate) fn crate_settings(span: Span) -> TokenStream {
    quote::quote_spanned!(span=> crate::settings::Settings)
}

/// `::core::option::Option`.
pub(crate) fn option() -> TokenStream {
    quote!(::core::option::Option)
}

/// A built-in class (`Token`, `IsAuthenticated`).
pub(crate) fn builtin(entry: &Entry, span: Span) -> TokenStream {
    let ident = Ident::new(entry.runtime, span);
    respan(quote!(::drf::__private::#ident), span)
}

/// `tokens` with every span (of groups too) set to `span`.
///
/// Generated tokens take the span of the user's code they stand for: rustc reports an
/// unsatisfied bound at the span of the whole type or call, which is then the user's token.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                let mut group = Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = group.into();
            }
            tt.set_span(span);
            tt
        })
        .collect()
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
