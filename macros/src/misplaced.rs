//! `#[authentication_classes]`, `#[permission_classes]`, `#[throttle_classes]`,
//! `#[renderer_classes]` and `#[throttle_scope]` expanding by themselves. Under `#[api_view]` they are drained before they can expand, so reaching here
//! means one is above `#[api_view]` or has no `#[api_view]` at all. The item passes through
//! unchanged, so a following `#[api_view]` still expands and nothing cascades.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Attribute;
use syn::parse::{ParseStream, Parser};

use crate::diag::Msg;
use crate::view::{API_VIEW, attr_name};

/// The error for the sibling attribute `name` that expanded itself, and `item` unchanged.
pub(crate) fn misplaced(name: &str, item: TokenStream) -> TokenStream {
    misplaced_with(name, item, None)
}

/// Like [`misplaced`]; when `args` are given and `#[api_view]` follows, the attribute is put
/// back below `#[api_view]` so that the view is built as meant and no second error follows
/// from its absence (`#[throttle_scope]`: "`ScopedRate` needs the view's throttle scope").
pub(crate) fn misplaced_with(
    name: &str,
    item: TokenStream,
    args: Option<TokenStream>,
) -> TokenStream {
    let api_view_follows = outer_attributes.parse2(item.clone()).is_ok_and(|attrs| {
        attrs
            .iter()
            .any(|a| attr_name(a).as_deref() == Some(API_VIEW))
    });
    let msg = if api_view_follows {
        Msg::new(format!("`#[api_view]` must come before `#[{name}]`"))
            .help("put `#[api_view(...)]` first: it reads the attributes below it")
    } else {
        Msg::new(format!("`#[{name}]` has no effect without `#[api_view]`"))
            .help(format!("add `#[api_view(GET)]` above `#[{name}(...)]`"))
    };
    let error = msg.at(Span::call_site()).to_compile_error();
    if let (true, Some(args)) = (api_view_follows, args) {
        if let Ok((attrs, rest)) = split_attributes.parse2(item.clone()) {
            let ident = proc_macro2::Ident::new(name, Span::call_site());
            let moved = quote!(#[::drf::#ident(#args)]);
            let mut out = quote!(#error);
            for attr in attrs {
                let is_api_view = attr_name(&attr).as_deref() == Some(API_VIEW);
                out.extend(quote!(#attr));
                if is_api_view {
                    out.extend(moved.clone());
                }
            }
            out.extend(rest);
            return out;
        }
    }
    quote!(#error #item)
}

fn split_attributes(input: ParseStream<'_>) -> syn::Result<(Vec<Attribute>, TokenStream)> {
    let attrs = input.call(Attribute::parse_outer)?;
    Ok((attrs, input.parse::<TokenStream>()?))
}

fn outer_attributes(input: ParseStream<'_>) -> syn::Result<Vec<Attribute>> {
    let attrs = input.call(Attribute::parse_outer)?;
    input.parse::<TokenStream>()?;
    Ok(attrs)
}
