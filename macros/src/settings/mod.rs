//! `settings!`: DRF's `REST_FRAMEWORK` settings as `KEY = value;` entries. The entries →
//! [`parse::Input`] → [`check`] into a [`check::Spec`] (with the same code as the view
//! attributes: [`crate::classes`], [`crate::perm_expr`]) → [`expand`] to `pub struct Settings`
//! implementing the runtime's `Settings` trait, or [`expand::fallback`] on any error.

mod check;
mod expand;
mod parse;

use proc_macro2::TokenStream;

use crate::diag::Ctxt;

/// `settings! { ... }`.
pub(crate) fn settings(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let input = parse::Input::from_syn(&cx, input);
    let spec = check::check(&cx, input);
    match cx.check() {
        Ok(()) => expand::expand(&spec),
        Err(error) => expand::fallback(&error),
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn all_errors_of_one_invocation_are_reported() {
        let out = settings(quote! {
            DEFAULT_AUTHENTICATION_CLASSES = [Tokn];
            TOKEN_KEYWORDS = "Bearer";
            PASSWORD_ITERATIONS = 0;
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
        assert!(
            out.contains("pub struct Settings"),
            "fallback settings: {out}"
        );
    }

    #[test]
    fn an_invalid_rate_is_not_also_a_missing_one() {
        let out = settings(quote! {
            DEFAULT_THROTTLE_CLASSES = [AnonRate, UserRate];
            DEFAULT_THROTTLE_RATES = { anon: "3/fortnight", user: "1/week" };
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert_eq!(out.matches("invalid throttle rate").count(), 2, "{out}");
    }

    #[test]
    fn a_list_past_the_limit_is_one_error() {
        let names = (1..=17).map(|i| quote::format_ident!("S{i}"));
        let out = settings(quote! {
            DEFAULT_AUTHENTICATION_CLASSES = [#(#names),*];
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 1, "{out}");
        assert!(
            out.contains("too many authentication schemes: at most 16 are supported"),
            "{out}"
        );
        let names = (1..=16).map(|i| quote::format_ident!("S{i}"));
        let out = settings(quote! {
            DEFAULT_AUTHENTICATION_CLASSES = [#(#names),*];
        })
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
    }
}
