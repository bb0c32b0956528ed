//! The model of a view after checking: every name resolved, every rule satisfied.

use syn::{Attribute, ItemFn};

use crate::classes::{ClassRef, List};
use crate::perm_expr::PermExpr;
use crate::view::parse::{SchemaExt, Scope};

/// DRF's `http_method_names` (upper case), in the order `Allow` lists them.
pub(crate) const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

/// The parts of the function the expansion (and the fallback) rebuild the view from.
pub(crate) struct Shell {
    /// The function: its attributes are those that stay on the handler.
    pub(crate) func: ItemFn,
    /// Doc attributes: they go on the view struct.
    pub(crate) docs: Vec<Attribute>,
    /// `#[cfg]` attributes: they go on every generated item.
    pub(crate) cfgs: Vec<Attribute>,
}

impl Shell {
    /// Sorts the function's attributes into docs, cfgs and the handler's own.
    pub(crate) fn new(mut func: ItemFn) -> Self {
        let (mut docs, mut cfgs, mut rest) = (Vec::new(), Vec::new(), Vec::new());
        for attr in std::mem::take(&mut func.attrs) {
            if attr.path().is_ident("doc") {
                docs.push(attr);
            } else if attr.path().is_ident("cfg") {
                cfgs.push(attr);
            } else {
                rest.push(attr);
            }
        }
        func.attrs = rest;
        Self { func, docs, cfgs }
    }

    /// The text of the `#[doc = "..."]` lines (other forms, such as `include_str!`, are skipped).
    pub(crate) fn doc_lines(&self) -> Vec<String> {
        self.docs
            .iter()
            .filter_map(|attr| match &attr.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}

/// A valid view.
pub(crate) struct ViewSpec {
    /// The function and its attributes.
    pub(crate) shell: Shell,
    /// DRF's view name (OPTIONS `name`).
    pub(crate) name: String,
    /// DRF's view description (OPTIONS `description`).
    pub(crate) description: String,
    /// The methods, in the order written.
    pub(crate) methods: Vec<&'static str>,
    /// The schemes; `None` uses the settings' default.
    pub(crate) authentication: Option<List<ClassRef>>,
    /// The permissions (each entry an expression); `None` uses the settings' default.
    pub(crate) permission: Option<List<PermExpr<ClassRef>>>,
    /// The throttles; `None` uses the settings' default.
    pub(crate) throttle: Option<List<ClassRef>>,
    /// The renderers; `None` uses the settings' default.
    pub(crate) renderer: Option<List<ClassRef>>,
    /// `#[throttle_scope]`.
    pub(crate) throttle_scope: Option<Scope>,
    /// `#[extend_schema]`.
    pub(crate) extend_schema: Option<SchemaExt>,
    /// The paths of the drained sibling attributes.
    pub(crate) drained: Vec<syn::Path>,
}
