//! On any error: the `compile_error!`s, plus the function rebuilt as the view would have been
//! (struct + handler, so its body still type-checks) with a stub `View` impl, so a router line
//! naming the view raises nothing further. No cascade: the stub names no user type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::paths;
use crate::view::expand::{handle_fn, shell_items};
use crate::view::spec::Shell;

/// The error and a quiet stand-in for the view.
pub(crate) fn fallback(func: ItemFn, drained: &[syn::Path], error: &syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    // A method (`self` receiver) stays where it was: a struct cannot be declared in an `impl`.
    if func.sig.receiver().is_some() {
        return quote!(#error #func);
    }
    let shell = Shell::new(func);
    let cfgs = &shell.cfgs;
    let ident = &shell.func.sig.ident;
    let (view, method, from_settings) = (paths::view(), paths::method(), paths::from_settings());
    let pending = paths::pending();
    let handle = handle_fn(ident.span(), |req| quote!(let _ = #req; #pending()));
    let items = shell_items(&shell, true);
    let uses = crate::view::parse::uses(drained, cfgs);
    quote! {
        #error
        #items

        #(#cfgs)*
        #[automatically_derived]
        impl #view for #ident {
            const NAME: &'static str = "";
            const METHODS: &'static [#method] = &[];
            type Authentication = #from_settings;
            type Permission = #from_settings;
            type Throttle = #from_settings;
            type Renderer = #from_settings;
            #handle
        }

        #uses
    }
}
