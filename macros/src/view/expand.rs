//! The expansion of a valid view: a braced struct named like the function (type namespace
//! only), a `const fn` of the same name returning it (what the router takes), the function as
//! its hidden `handler`, and a small `View` impl delegating to the runtime. A pure function of the
//! spec: it never fails.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::classes::{self, ClassRef};
use crate::paths;
use crate::view::parse::{self, SchemaExt, Scope};
use crate::view::spec::{Shell, ViewSpec};

/// The tokens of a valid view.
pub(crate) fn expand(spec: &ViewSpec) -> TokenStream {
    let shell = &spec.shell;
    let cfgs = &shell.cfgs;
    let ident = &shell.func.sig.ident;
    let view = paths::view();
    let from_settings = paths::from_settings();
    let method = paths::method();
    let (name, description) = (&spec.name, &spec.description);
    let methods = spec.methods.iter().map(|m| {
        let m = Ident::new(m, Span::call_site());
        quote!(#method::#m)
    });
    // Each `type … = …;` item is spanned at its attribute (where rustc reports a private type
    // in a public view), and its type at the user's code (where it reports a user type that is
    // not of the list's kind).
    let authentication = match &spec.authentication {
        None => quote!(type Authentication = #from_settings;),
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = explicit(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Authentication = #ty;)
        }
    };
    let permission = match &spec.permission {
        None => quote!(type Permission = #from_settings;),
        Some(list) => {
            let users = list
                .items
                .iter()
                .flat_map(|e| e.leaves())
                .filter_map(|c| c.user_path());
            let span = classes::type_span(users, list.delim);
            let ty = explicit(list.items.iter().map(|e| e.to_type(span)), span);
            quote_spanned!(list.span=> type Permission = #ty;)
        }
    };
    let throttle = match &spec.throttle {
        None => quote!(type Throttle = #from_settings;),
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = explicit(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Throttle = #ty;)
        }
    };
    let renderer = match &spec.renderer {
        None => quote!(type Renderer = #from_settings;),
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = explicit(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Renderer = #ty;)
        }
    };
    let (scope_const, scope_check) = match &spec.throttle_scope {
        None => (TokenStream::new(), TokenStream::new()),
        Some(scope) => {
            let option = paths::option();
            let value = &scope.value;
            (
                quote!(const THROTTLE_SCOPE: #option<&'static str> = #option::Some(#value);),
                scope_check(scope, cfgs),
            )
        }
    };
    let (handle, required_states) = handler_calls(&shell.func.sig, spec.extend_schema.as_ref());
    let uses = parse::uses(&spec.drained, cfgs);
    let items = shell_items(shell, false);
    quote! {
        #items

        #(#cfgs)*
        #[automatically_derived]
        impl #view for #ident {
            const NAME: &'static str = #name;
            const DESCRIPTION: &'static str = #description;
            const METHODS: &'static [#method] = &[#(#methods),*];
            #authentication
            #permission
            #throttle
            #renderer
            #scope_const
            #handle
            #required_states
        }

        #scope_check
        #uses
    }
}

/// A constant evaluated at compile time, spanned at the scope: it fails, with a message
/// saying what to add, when `crate::settings::Settings` has no rate entry for the scope.
fn scope_check(scope: &Scope, cfgs: &[syn::Attribute]) -> TokenStream {
    let span = scope.span;
    let value = &scope.value;
    let settings = paths::crate_settings(span);
    let (trait_path, has_scope) = (
        paths::respan(paths::settings(), span),
        paths::respan(paths::has_scope(), span),
    );
    let entry = if syn::parse_str::<Ident>(value).is_ok() {
        format!("{value}: \"100/day\"")
    } else {
        format!("{value:?}: \"100/day\"")
    };
    let message = format!(
        "no throttle rate for the scope `{value}` in `crate::settings::Settings`\n= help: add `{entry}` (or `None` for no limit) to `DEFAULT_THROTTLE_RATES` in settings.rs, or name a scope that has a rate"
    )
    .replace('{', "{{")
    .replace('}', "}}");
    quote_spanned! {span=>
        #(#cfgs)*
        const _: () = if !#has_scope(<#settings as #trait_path>::THROTTLE_RATES, #value) {
            ::core::panic!(#message)
        };
    }
}

/// `Explicit<(A, B,)>`, its tokens at `span`.
fn explicit(types: impl Iterator<Item = TokenStream>, span: Span) -> TokenStream {
    let explicit = paths::respan(paths::explicit(), span);
    let tuple = classes::tuple(types, span);
    quote_spanned!(span=> #explicit<#tuple>)
}

/// `handle` extracts each argument by its type and converts the return value, each step
/// spanned at the user's token (an argument that cannot be extracted is reported at that
/// argument, a return type that is not a response at the return type); `required_states`
/// lists the `State<T>` arguments for the router's start-up check.
fn handler_calls(sig: &syn::Signature, ext: Option<&SchemaExt>) -> (TokenStream, TokenStream) {
    let ident = &sig.ident;
    let (from_request, into_response) = (paths::from_request(), paths::into_response());
    let types: Vec<&syn::Type> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => Some(&*t.ty),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let args: Vec<Ident> = (0..types.len())
        .map(|i| Ident::new(&format!("__arg{i}"), Span::mixed_site()))
        .collect();
    let handle = handle_fn(ident.span(), |req| {
        let extract = types.iter().zip(&args).map(|(ty, arg)| {
            let span = syn::spanned::Spanned::span(ty);
            let from_request = paths::respan(from_request.clone(), span);
            quote_spanned!(span=> let #arg = <#ty as #from_request>::from_request(&#req)?;)
        });
        let (ret_span, ret_ty) = match &sig.output {
            syn::ReturnType::Type(_, ty) => (syn::spanned::Spanned::span(&**ty), quote!(#ty)),
            syn::ReturnType::Default => (ident.span(), quote!(())),
        };
        let into_response = paths::respan(into_response.clone(), ret_span);
        let call = quote_spanned!(ident.span()=> Self::handler(#(#args),*).await);
        let out = Ident::new("__out", Span::mixed_site());
        let convert = quote_spanned! {ret_span=>
            {
                let #out = #call;
                <#ret_ty as #into_response>::try_into_response(#out)
            }
        };
        quote_spanned! {ident.span()=>
            async move {
                #(#extract)*
                ::core::mem::drop(#req);
                #convert
            }
        }
    });
    let state_need = paths::state_need();
    let needs = types.iter().map(|ty| {
        let span = syn::spanned::Spanned::span(ty);
        let from_request = paths::respan(from_request.clone(), span);
        quote_spanned!(span=> <#ty as #from_request>::required_states(__needs);)
    });
    let required_states = quote! {
        fn required_states(__needs: &mut ::std::vec::Vec<#state_need>) {
            #(#needs)*
        }
    };
    let openapi = openapi_fn(&types, &sig.output, ext);
    (handle, quote!(#required_states #openapi))
}

/// `fn openapi`: the body of the first argument that reads one and the answer of the return
/// type, each with a schema when the type has one (the probes' autoref specialization).
fn openapi_fn(
    types: &[&syn::Type],
    output: &syn::ReturnType,
    ext: Option<&SchemaExt>,
) -> TokenStream {
    let (doc, schemas, probe) = (paths::handler_doc(), paths::schemas(), paths::probe());
    let traits = [
        paths::typed_body(),
        paths::any_body(),
        paths::typed_answer(),
        paths::any_answer(),
    ];
    let s = Ident::new("__schemas", Span::mixed_site());
    let d = Ident::new("__doc", Span::mixed_site());
    let bodies = types.iter().map(|ty| {
        quote! {
            if #d.body.is_none() {
                #d.body = (&#probe::<#ty>::new()).body(#s);
            }
        }
    });
    let ret = match output {
        syn::ReturnType::Type(_, ty) => quote!(#ty),
        syn::ReturnType::Default => quote!(()),
    };
    let json = paths::json();
    let request = ext.and_then(|e| e.request.as_ref()).map(|ty| {
        let span = syn::spanned::Spanned::span(ty);
        quote_spanned!(span=> #d.body = (&#probe::<#json<#ty>>::new()).body(#s);)
    });
    let responses = ext
        .into_iter()
        .flat_map(|e| &e.responses)
        .map(|(status, ty)| {
            let schema = match ty {
                Some(ty) => {
                    let span = syn::spanned::Spanned::span(ty);
                    quote_spanned!(span=> (&#probe::<#json<#ty>>::new()).answer(#s).schema)
                }
                None => quote!(::core::option::Option::None),
            };
            quote!(#d.responses.push((#status, #schema));)
        });
    quote! {
        fn openapi(#s: &mut #schemas) -> #doc {
            #(#[allow(unused_imports)] use #traits as _;)*
            let mut #d = <#doc as ::core::default::Default>::default();
            #(#bodies)*
            #request
            #d.answer = (&#probe::<#ret>::new()).answer(#s);
            #(#responses)*
            #d
        }
    }
}

/// `fn handle(__req: Request) -> impl Future<…> + Send { body(__req) }`; the local is
/// mixed-site, so no user name can capture it.
pub(crate) fn handle_fn(span: Span, body: impl FnOnce(&Ident) -> TokenStream) -> TokenStream {
    let req = Ident::new("__req", Span::mixed_site().located_at(span));
    let at = |path: TokenStream| paths::respan(path, span);
    let (request, response, api_error) = (
        at(paths::request()),
        at(paths::response()),
        at(paths::api_error()),
    );
    let (future, result, send) = (at(paths::future()), at(paths::result()), at(paths::send()));
    let body = body(&req);
    // Spanned at the user's name, the function reads to clippy as hand-written; it must
    // stay `-> impl Future + Send` to match the trait's signature and its errors.
    quote_spanned! {span=>
        #[allow(clippy::manual_async_fn)]
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
        #vis struct #ident {}

        // The value the router takes. A function, not a unit struct: `let` bindings and
        // patterns in the module may still use the view's name.
        #(#cfgs)*
        #[doc(hidden)]
        #allow_dead
        #vis const fn #ident() -> #ident {
            #ident {}
        }

        #(#cfgs)*
        impl #ident {
            #[doc(hidden)]
            #allow_dead
            #(#handler_attrs)*
            #vis #sig #block
        }
    }
}
