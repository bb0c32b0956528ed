//! The expansion of valid settings: `pub struct Settings` and its impl of the runtime's
//! `Settings` trait, one item per given setting (the trait's defaults are DRF's for the rest).
//! A pure function of the spec: it never fails.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::classes::{self, ClassRef};
use crate::paths;
use crate::settings::check::Spec;

/// The tokens of valid settings.
pub(crate) fn expand(spec: &Spec) -> TokenStream {
    let trait_path = paths::settings();
    // Each `type … = …;` item is spanned at its key (where rustc reports a private type in the
    // public `Settings`), and its type at the user's code (where it reports a user type that
    // is not of the list's kind).
    let authentication = match &spec.authentication {
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = classes::tuple(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Authentication = #ty;)
        }
        None => {
            let ty = drf_default(&["Session", "Basic"]);
            quote!(type Authentication = #ty;)
        }
    };
    let permission = match &spec.permission {
        Some(list) => {
            let users = list
                .items
                .iter()
                .flat_map(|e| e.leaves())
                .filter_map(|c| c.user_path());
            let span = classes::type_span(users, list.delim);
            let ty = classes::tuple(list.items.iter().map(|e| e.to_type(span)), span);
            quote_spanned!(list.span=> type Permission = #ty;)
        }
        None => {
            let ty = drf_default(&["AllowAny"]);
            quote!(type Permission = #ty;)
        }
    };
    let throttle = match &spec.throttle {
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = classes::tuple(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Throttle = #ty;)
        }
        None => quote!(
            type Throttle = ();
        ),
    };
    let renderer = match &spec.renderer {
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = classes::tuple(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Renderer = #ty;)
        }
        None => {
            let ty = drf_default(&["JSONRenderer", "BrowsableAPIRenderer"]);
            quote!(type Renderer = #ty;)
        }
    };
    let rates = spec.throttle_rates.as_ref().map(|rates| {
        let (rate, option) = (paths::rate(), paths::option());
        let entries = rates.iter().map(|r| {
            let scope = &r.scope;
            match r.rate {
                Some((n, secs)) => quote!((#scope, #option::Some(#rate::new(#n, #secs)))),
                None => quote!((#scope, #option::None)),
            }
        });
        quote! {
            const THROTTLE_RATES: &'static [(&'static str, #option<#rate>)] = &[#(#entries),*];
        }
    });
    let token_keyword = spec
        .token_keyword
        .as_ref()
        .map(|lit| quote_spanned!(lit.span()=> const TOKEN_KEYWORD: &'static str = #lit;));
    let iterations = spec.password_iterations.map(|(n, span)| {
        let lit = proc_macro2::Literal::u32_unsuffixed(n);
        quote_spanned!(span=> const PASSWORD_ITERATIONS: u32 = #lit;)
    });
    let append_slash = spec
        .append_slash
        .as_ref()
        .map(|lit| quote_spanned!(lit.span()=> const APPEND_SLASH: bool = #lit;));
    let login_rate = |name: &str, value: &Option<(Option<(u32, u32)>, Span)>| {
        value.map(|(rate, span)| {
            let name = Ident::new(name, span);
            let (rate_ty, option) = (paths::rate(), paths::option());
            let value = match rate {
                Some((n, secs)) => quote!(#option::Some(#rate_ty::new(#n, #secs))),
                None => quote!(#option::None),
            };
            quote_spanned!(span=> const #name: #option<#rate_ty> = #value;)
        })
    };
    let login_failure_rate = login_rate("LOGIN_FAILURE_RATE", &spec.login_failure_rate);
    let login_failure_rate_per_client = login_rate(
        "LOGIN_FAILURE_RATE_PER_CLIENT",
        &spec.login_failure_rate_per_client,
    );
    let user = spec.unauthenticated_user.as_ref().map(|path| {
        let ty = paths::user();
        getter("unauthenticated_user", &ty, path)
    });
    let token = spec.unauthenticated_token.as_ref().map(|path| {
        let ty = paths::auth();
        getter("unauthenticated_token", &ty, path)
    });
    let derives = paths::unit_derives();
    quote! {
        /// The application's DRF settings (generated by `drf::settings!`).
        #derives
        pub struct Settings;

        #[automatically_derived]
        impl #trait_path for Settings {
            #authentication
            #permission
            #throttle
            #renderer
            #rates
            #token_keyword
            #iterations
            #append_slash
            #login_failure_rate
            #login_failure_rate_per_client
            #user
            #token
        }
    }
}

/// On any error: the `compile_error!`s, plus DRF's default settings under the same name, so
/// that `Router::<Settings>` and `#[throttle_scope]`'s check raise nothing further. No
/// cascade: the stand-in names no user type.
pub(crate) fn fallback(error: &syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    let settings = expand(&Spec::default());
    quote!(#error #settings)
}

/// DRF's default list (the runtime's `DefaultSettings`), from the table of built-ins.
fn drf_default(names: &[&str]) -> TokenStream {
    let types = names.iter().map(|name| {
        let entry = crate::names::lookup(name).expect("a built-in");
        paths::builtin(entry, Span::call_site())
    });
    classes::tuple(types, Span::call_site())
}

/// `fn name() -> Ty { let f: fn() -> Ty = path; f() }`, spanned at the user's path so a
/// function of the wrong type is reported there.
fn getter(name: &str, ty: &TokenStream, path: &syn::Path) -> TokenStream {
    let name = Ident::new(name, Span::call_site());
    let f = Ident::new("__f", Span::mixed_site());
    let span = path.span();
    let ty = paths::respan(ty.clone(), span);
    let binding = quote_spanned!(span=> let #f: fn() -> #ty = #path;);
    quote! {
        fn #name() -> #ty {
            #binding
            #f()
        }
    }
}
