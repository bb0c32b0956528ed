//! The expansion of a valid view: a unit struct named like the function, the function as its
//! hidden `handler`, a small `View` impl delegating to the runtime, and one spanned assertion
//! per user type. A pure function of the spec: it never fails.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::classes;
use crate::names::Kind;
use crate::paths;
use crate::view::spec::{Shell, ViewSpec};

/// The tokens of a valid view.
pub(crate) fn expand(spec: &ViewSpec) -> TokenStream {
    let shell = &spec.shell;
    let cfgs: Vec<_> = shell.cfgs.iter().collect();
    let ident = &shell.func.sig.ident;
    let view = paths::view();
    let method = paths::method();
    let (name, description) = (&spec.name, &spec.description);
    let methods = spec.methods.iter().map(|m| {
        let m = Ident::new(m, Span::call_site());
        quote!(#method::#m)
    });
    let authentication = match &spec.authentication {
        None => paths::from_settings(),
        Some(list) => explicit(list.iter().map(classes::ClassRef::to_type)),
    };
    let permission = match &spec.permission {
        None => paths::from_settings(),
        Some(list) => explicit(list.iter().map(|e| e.to_type())),
    };
    let call_handler = paths::call_handler();
    // Spanned at the function's name: a handler the runtime cannot call is reported there,
    // once (the signature's bounds and the call share the span, so rustc merges them).
    let handle = handle_fn(
        ident.span(),
        |req| quote!(#call_handler(Self::handler, #req)),
    );
    let assertions = assertions(spec, &cfgs);
    let uses = crate::view::parse::uses(&spec.drained, &shell.cfgs);
    let items = shell_items(shell, false);
    quote! {
        #items

        #(#cfgs)*
        #[automatically_derived]
        impl #view for #ident {
            const NAME: &'static str = #name;
            const DESCRIPTION: &'static str = #description;
            const METHODS: &'static [#method] = &[#(#methods),*];
            type Authentication = #authentication;
            type Permission = #permission;
            #handle
        }

        #assertions
        #uses
    }
}

/// `Explicit<(A, B,)>`.
fn explicit(types: impl Iterator<Item = TokenStream>) -> TokenStream {
    let explicit = paths::explicit();
    let tuple = classes::tuple(types);
    quote!(#explicit<#tuple>)
}

/// `fn handle(__req: Request) -> impl Future<…> + Send { body(__req) }`; the local is
/// mixed-site, so no user name can capture it.
pub(crate) fn handle_fn(span: Span, body: impl FnOnce(&Ident) -> TokenStream) -> TokenStream {
    let req = Ident::new("__req", Span::mixed_site().located_at(span));
    let (request, response, api_error) = (paths::request(), paths::response(), paths::api_error());
    let (future, result, send) = (paths::future(), paths::result(), paths::send());
    let body = body(&req);
    quote_spanned! {span=>
        fn handle(#req: #request) -> impl #future<Output = #result<#response, #api_error>> + #send {
            #body
        }
    }
}

/// The struct and the handler: shared by the expansion and the fallback (`quiet` silences
/// dead-code lints on items that only exist to keep errors from cascading).
pub(crate) fn shell_items(shell: &Shell, quiet: bool) -> TokenStream {
    let func = &shell.func;
    let (docs, cfgs) = (&shell.docs, &shell.cfgs);
    let (vis, ident) = (&func.vis, &func.sig.ident);
    let handler_attrs = &func.attrs;
    let mut sig = func.sig.clone();
    sig.ident = Ident::new("handler", ident.span());
    let block = &func.block;
    let derives = paths::unit_derives();
    let allow_dead = quiet.then(|| quote!(#[allow(dead_code)]));
    quote! {
        #(#cfgs)*
        #(#docs)*
        #[allow(non_camel_case_types)]
        #allow_dead
        #derives
        #vis struct #ident;

        #(#cfgs)*
        impl #ident {
            #[doc(hidden)]
            #allow_dead
            #(#handler_attrs)*
            #vis #sig #block
        }
    }
}

/// One assertion per user type of every list.
fn assertions(spec: &ViewSpec, cfgs: &[&syn::Attribute]) -> TokenStream {
    let mut out = TokenStream::new();
    for class in spec.authentication.iter().flatten() {
        out.extend(classes::assertion(class, Kind::Scheme, cfgs));
    }
    for expr in spec.permission.iter().flatten() {
        for class in expr.leaves() {
            out.extend(classes::assertion(class, Kind::Permission, cfgs));
        }
    }
    out
}
