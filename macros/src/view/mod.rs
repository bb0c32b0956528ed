//! `#[api_view]`: drain the sibling attributes → [`parse::Input`] → [`check`] into a
//! [`spec::ViewSpec`] → [`expand`], or [`fallback`] on any error.

mod check;
mod expand;
mod fallback;
mod parse;
mod spec;
mod text;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Item;
use syn::spanned::Spanned;

use crate::diag::{Ctxt, Msg};

pub(crate) use check::permissions;
pub(crate) use parse::{API_VIEW, EXTEND_SCHEMA, THROTTLE_SCOPE, attr_name};

/// `#[api_view(args)] item`.
pub(crate) fn api_view(args: TokenStream, item: TokenStream) -> TokenStream {
    let func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            let error = Msg::new("`#[api_view]` can only be used on functions")
                .help("write it on an `async fn`: `#[api_view(GET)] async fn name(...)`")
                .at(item_keyword_span(&other));
            let error = error.to_compile_error();
            return quote!(#error #item);
        }
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#error #item);
        }
    };
    let cx = Ctxt::new();
    let input = parse::Input::from_syn(&cx, args, func);
    let unchanged = input.func.clone();
    let drained = input.drained.clone();
    let spec = check::check(&cx, input);
    match cx.check() {
        Ok(()) => expand::expand(&spec),
        Err(error) => fallback::fallback(unchanged, &drained, &error),
    }
}

/// The keyword that says what an item is (`struct`, `impl`…), else the item's first token.
fn item_keyword_span(item: &Item) -> proc_macro2::Span {
    match item {
        Item::Struct(i) => i.struct_token.span,
        Item::Enum(i) => i.enum_token.span,
        Item::Impl(i) => i.impl_token.span,
        Item::Mod(i) => i.mod_token.span,
        Item::Const(i) => i.const_token.span,
        Item::Static(i) => i.static_token.span,
        Item::Trait(i) => i.trait_token.span,
        Item::Type(i) => i.type_token.span,
        Item::Union(i) => i.union_token.span,
        Item::Use(i) => i.use_token.span,
        other => other.span(),
    }
}
