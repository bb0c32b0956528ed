//! `#[authentication_classes]`, `#[permission_classes]` and `#[throttle_classes]` expanding by
//! themselves. Under `#[api_view]` they are drained before they can expand, so reaching here
//! means one is above `#[api_view]` or has no `#[api_view]` at all. The item passes through
//! unchanged, so a following `#[api_view]` still expands and nothing cascades.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Attribute;
use syn::parse::{ParseStream, Parser};

use crate::diag::Msg;
use crate::names::Kind;
use crate::view::{API_VIEW, attr_name};

/// The error for a sibling attribute of `kind` that expanded itself, and `item` unchanged.
pub(crate) fn misplaced(kind: Kind, item: TokenStream) -> TokenStream {
    let name = kind.attribute();
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
    quote!(#error #item)
}

fn outer_attributes(input: ParseStream<'_>) -> syn::Result<Vec<Attribute>> {
    let attrs = input.call(Attribute::parse_outer)?;
    input.parse::<TokenStream>()?;
    Ok(attrs)
}
