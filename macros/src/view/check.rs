//! Every rule of a view, across attributes: the handler's signature, the methods, and the
//! names of each list. Each independent error is recorded; nothing is emitted here.

use syn::ext::IdentExt;
use syn::{FnArg, ItemFn};

use crate::classes::{self, ClassRef, List, MAX_TUPLE, Place, Seen};
use crate::diag::{Ctxt, Msg, closest, list_code, path_text};
use crate::names::Kind;
use crate::perm_expr::PermExpr;
use crate::view::parse::{Input, Scope};
use crate::view::spec::{METHODS, Shell, ViewSpec};
use crate::view::text;

/// Checks everything `input` says; the spec is meaningful only if `cx` holds no error.
pub(crate) fn check(cx: &Ctxt, input: Input) -> ViewSpec {
    signature(cx, &input.func);
    let methods = methods(cx, input.methods.as_deref());
    let authentication = input
        .authentication
        .map(|list| class_list(cx, &list, Kind::Scheme));
    let permission = input.permission.map(|list| {
        let items = permissions(cx, &list.items, Place::Attribute);
        classes::check_len(cx, &list.items, Kind::Permission);
        List {
            span: list.span,
            delim: list.delim,
            items,
        }
    });
    let throttle = input
        .throttle
        .map(|list| class_list(cx, &list, Kind::Throttle));
    let renderer = input.renderer.map(|list| {
        classes::check_not_empty(cx, &list, Place::Attribute);
        class_list(cx, &list, Kind::Renderer)
    });
    if input.throttle_scope.is_some() || !input.throttle_scope_written {
        throttle_scope(cx, throttle.as_ref(), input.throttle_scope.as_ref());
    }
    let fn_name = input.func.sig.ident.unraw().to_string();
    let drained = input.drained;
    let shell = Shell::new(input.func);
    let description = text::description(&shell.doc_lines());
    ViewSpec {
        shell,
        name: text::view_name(&fn_name),
        description,
        methods,
        authentication,
        permission,
        throttle,
        renderer,
        throttle_scope: input.throttle_scope,
        extend_schema: input.extend_schema,
        drained,
    }
}

/// A list of one attribute's names, resolved as `kind` (errors recorded in `cx`).
fn class_list(cx: &Ctxt, list: &List<syn::Path>, kind: Kind) -> List<ClassRef> {
    let items = classes::resolve_list(cx, &list.items, kind, Place::Attribute);
    classes::check_len(cx, &list.items, kind);
    List {
        span: list.span,
        delim: list.delim,
        items,
    }
}

/// `ScopedRate` needs a scope, and a scope needs a throttle that reads it. Known only when the
/// view lists its throttles: with the settings' list, a scope alone is DRF's opt-in.
fn throttle_scope(cx: &Ctxt, throttles: Option<&List<ClassRef>>, scope: Option<&Scope>) {
    let Some(list) = throttles else {
        return;
    };
    let scoped = list
        .items
        .iter()
        .find(|c| c.builtin.is_some_and(|e| e.canonical == "ScopedRate"));
    let user_types = list.items.iter().any(|c| c.builtin.is_none());
    match (scope, scoped) {
        (None, Some(class)) => cx.error_spanned_by(
            &class.written,
            Msg::new(format!(
                "`{}` needs the view's throttle scope",
                path_text(&class.written)
            ))
            .help("add `#[throttle_scope(\"burst\")]` below `#[throttle_classes(...)]`, with a rate for `burst` in `DEFAULT_THROTTLE_RATES`"),
        ),
        (Some(scope), None) if !user_types => cx.error_at(
            scope.span,
            Msg::new(format!(
                "the throttle scope `{}` has no effect: no throttle of this view reads it",
                scope.value
            ))
            .help("add `ScopedRate` to `#[throttle_classes(...)]`"),
        ),
        _ => {}
    }
}

/// The handler must be a plain `async fn`: no `self`, no generics, not `unsafe`, at most
/// [`MAX_TUPLE`] arguments.
fn signature(cx: &Ctxt, func: &ItemFn) {
    let sig = &func.sig;
    let name = &sig.ident;
    if sig.asyncness.is_none() {
        cx.error_at(
            sig.fn_token.span,
            Msg::new("`#[api_view]` handlers must be `async fn`")
                .help(format!("write `async fn {name}(...)`")),
        );
    }
    if let Some(FnArg::Receiver(receiver)) = sig.inputs.first() {
        cx.error_spanned_by(
            receiver,
            Msg::new("`#[api_view]` handlers cannot take `self`")
                .help("make it a free function, outside any `impl` block"),
        );
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            Msg::new("`#[api_view]` handlers cannot be generic")
                .note("the view is one type with one handler; arguments are taken from the request by their concrete types"),
        );
    } else if let Some(where_clause) = &sig.generics.where_clause {
        cx.error_at(
            where_clause.where_token.span,
            Msg::new("`#[api_view]` handlers cannot have a `where` clause"),
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(
            unsafety,
            Msg::new("`#[api_view]` handlers cannot be `unsafe`")
                .help("call unsafe code from inside a safe handler"),
        );
    }
    if let Some(first_extra) = sig.inputs.iter().nth(MAX_TUPLE) {
        cx.error_spanned_by(
            first_extra,
            Msg::new(format!(
                "too many handler arguments: at most {MAX_TUPLE} are supported"
            ))
            .help("group arguments in a type of your own implementing `FromRequest`, or take `Request` and extract the rest in the body"),
        );
    }
}

/// The methods as `Method` constants: upper case, known, not repeated. A bare `#[api_view]`
/// answers GET, as DRF's `@api_view()`.
fn methods(cx: &Ctxt, written: Option<&[syn::Ident]>) -> Vec<&'static str> {
    let Some(written) = written else {
        return vec!["GET"];
    };
    let mut out: Vec<&'static str> = Vec::new();
    for ident in written {
        let name = ident.unraw().to_string();
        let Some(method) = METHODS.iter().find(|m| **m == name) else {
            let upper = name.to_uppercase();
            let msg = Msg::new(format!("unknown HTTP method `{name}`"));
            let msg = if METHODS.contains(&upper.as_str()) {
                msg.help(format!("write `{upper}`"))
            } else if let Some(near) = closest(&upper, METHODS) {
                msg.help(format!("did you mean `{near}`?"))
            } else {
                msg.note(format!("the methods are {}", list_code(METHODS)))
            };
            cx.error_spanned_by(ident, msg);
            continue;
        };
        if out.contains(method) {
            cx.error_spanned_by(
                ident,
                Msg::new(format!("duplicate HTTP method `{name}`"))
                    .note(format!("`{name}` is already listed")),
            );
            continue;
        }
        out.push(method);
    }
    out
}

/// Resolves every name of a permission list, and reports an expression listed twice.
pub(crate) fn permissions(
    cx: &Ctxt,
    list: &[PermExpr<syn::Path>],
    place: Place,
) -> Vec<PermExpr<ClassRef>> {
    let mut seen = Seen::new(Kind::Permission);
    let mut out = Vec::new();
    for expr in list {
        let resolved =
            expr.try_map(&mut |path| classes::resolve(cx, path, Kind::Permission, place));
        if let Some(resolved) = resolved {
            let written = expr.text(&path_text);
            let key = resolved.key(&ClassRef::key);
            seen.check(cx, key, written, expr);
            out.push(resolved);
        }
    }
    out
}
