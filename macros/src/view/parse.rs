//! Syntax only: the arguments of `#[api_view]` and of the sibling attributes it drains from
//! the function. Each attribute fails fast on its own; its error goes into the [`Ctxt`] and
//! parsing of the others goes on.

use proc_macro2::{Ident, Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, ItemFn, LitStr, Meta, Token};

use crate::classes::{self, List};
use crate::diag::{Ctxt, Msg, describe_next, found};
use crate::names::Kind;
use crate::perm_expr::{self, PermExpr};

/// The attributes `#[api_view]` reads, by the last segment of their path.
pub(crate) const API_VIEW: &str = "api_view";
/// The sibling attributes `#[api_view]` drains.
const SIBLINGS: [Kind; 4] = [
    Kind::Scheme,
    Kind::Permission,
    Kind::Throttle,
    Kind::Renderer,
];
/// The sibling attribute naming the view's throttle scope.
pub(crate) const THROTTLE_SCOPE: &str = "throttle_scope";

/// The sibling attribute adding to the view's OpenAPI description (drf-spectacular's name).
pub(crate) const EXTEND_SCHEMA: &str = "extend_schema";

/// `#[extend_schema(request = T, responses(201 = Note, 400, 403))]`: what the handler's types
/// do not say.
#[derive(Clone, Default)]
pub(crate) struct SchemaExt {
    /// The body the handler reads by hand.
    pub(crate) request: Option<syn::Type>,
    /// Answers: status, and the JSON body's type if given.
    pub(crate) responses: Vec<(u16, Option<syn::Type>)>,
}

/// `#[throttle_scope("burst")]` (or `#[throttle_scope(burst)]`): DRF's `throttle_scope`.
#[derive(Clone)]
pub(crate) struct Scope {
    /// The scope's name.
    pub(crate) value: String,
    /// Where it is written: errors about it, and the check of its rate, point here.
    pub(crate) span: Span,
}

/// What `#[api_view]` and its siblings say, before any meaning is given to names.
pub(crate) struct Input {
    /// The function, without the drained attributes.
    pub(crate) func: ItemFn,
    /// The methods as written; `None` for a bare `#[api_view]` (GET, as DRF).
    pub(crate) methods: Option<Vec<Ident>>,
    /// `#[authentication_classes(...)]`, if given.
    pub(crate) authentication: Option<List<syn::Path>>,
    /// `#[permission_classes(...)]`, if given.
    pub(crate) permission: Option<List<PermExpr<syn::Path>>>,
    /// `#[throttle_classes(...)]`, if given.
    pub(crate) throttle: Option<List<syn::Path>>,
    /// `#[renderer_classes(...)]`, if given.
    pub(crate) renderer: Option<List<syn::Path>>,
    /// `#[throttle_scope(...)]`, if given and valid.
    pub(crate) throttle_scope: Option<Scope>,
    /// A `#[throttle_scope]` was written (valid or not): checks about a missing scope are moot.
    pub(crate) throttle_scope_written: bool,
    /// `#[extend_schema(...)]`, if given and valid.
    pub(crate) extend_schema: Option<SchemaExt>,
    /// The paths of the drained attributes, as written (see [`uses`]).
    pub(crate) drained: Vec<syn::Path>,
}

/// The last segment of an attribute's path (`drf::permission_classes` → `permission_classes`).
pub(crate) fn attr_name(attr: &Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}

impl Input {
    /// Reads `#[api_view(args)]` and drains the siblings from `func`.
    pub(crate) fn from_syn(cx: &Ctxt, args: TokenStream, mut func: ItemFn) -> Self {
        let methods = if args.is_empty() {
            None
        } else {
            parse_methods.parse2(args).map_err(|e| cx.syn_error(e)).ok()
        };
        let mut input = Self {
            func: ItemFn {
                attrs: Vec::new(),
                ..func.clone()
            },
            methods,
            authentication: None,
            permission: None,
            throttle: None,
            renderer: None,
            throttle_scope: None,
            throttle_scope_written: false,
            extend_schema: None,
            drained: Vec::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        for attr in std::mem::take(&mut func.attrs) {
            let name = attr_name(&attr).unwrap_or_default();
            let kind = SIBLINGS.into_iter().find(|k| k.attribute() == name);
            let is_scope = name == THROTTLE_SCOPE;
            let is_schema = name == EXTEND_SCHEMA;
            if kind.is_none() && name != API_VIEW && !is_scope && !is_schema {
                input.func.attrs.push(attr);
                continue;
            }
            if name == API_VIEW || seen.contains(&name) {
                let help = match kind {
                    Some(k) => format!("merge the lists into one `#[{}(...)]`", k.attribute()),
                    None if is_scope => "a view has one throttle scope".to_owned(),
                    None if is_schema => "merge them into one `#[extend_schema(...)]`".to_owned(),
                    None => "list every method in one `#[api_view(...)]`".to_owned(),
                };
                cx.error_spanned_by(
                    attr.path(),
                    Msg::new(format!("duplicate `#[{name}]` attribute")).help(help),
                );
                continue;
            }
            seen.push(name);
            if is_scope {
                input.drained.push(attr.path().clone());
                input.throttle_scope_written = true;
                input.throttle_scope = parse_scope(&attr).map_err(|e| cx.syn_error(e)).ok();
                continue;
            }
            if is_schema {
                input.drained.push(attr.path().clone());
                input.extend_schema = parse_schema_ext(&attr).map_err(|e| cx.syn_error(e)).ok();
                continue;
            }
            let Some(kind) = kind else { continue };
            input.drained.push(attr.path().clone());
            let Some((tokens, delim)) = list_tokens(cx, &attr, kind) else {
                continue;
            };
            let span = attr
                .path()
                .segments
                .last()
                .map_or_else(Span::call_site, |s| s.ident.span());
            let list = |items| List { span, delim, items };
            match kind {
                Kind::Scheme => {
                    input.authentication = parse_classes(cx, tokens, kind).map(list);
                }
                Kind::Throttle => {
                    input.throttle = parse_classes(cx, tokens, kind).map(list);
                }
                Kind::Renderer => {
                    input.renderer = parse_classes(cx, tokens, kind).map(list);
                }
                Kind::Permission => {
                    input.permission = perm_expr::parse_list
                        .parse2(tokens)
                        .map_err(|e| cx.syn_error(e))
                        .ok()
                        .map(|items| List { span, delim, items });
                }
            }
        }
        input
    }
}

fn parse_classes(cx: &Ctxt, tokens: TokenStream, kind: Kind) -> Option<Vec<syn::Path>> {
    (|input: ParseStream<'_>| classes::parse_names(input, kind))
        .parse2(tokens)
        .map_err(|e| cx.syn_error(e))
        .ok()
}

/// The tokens inside `#[x(...)]` and the span of the parentheses; any other form is an error.
fn list_tokens(cx: &Ctxt, attr: &Attribute, kind: Kind) -> Option<(TokenStream, Span)> {
    if let Meta::List(list) = &attr.meta {
        if let syn::MacroDelimiter::Paren(paren) = &list.delimiter {
            return Some((list.tokens.clone(), paren.span.join()));
        }
    }
    let name = kind.attribute();
    let example = match kind {
        Kind::Scheme => "Token, Basic",
        Kind::Permission => "IsAuthenticated",
        Kind::Throttle => "UserRate",
        Kind::Renderer => "JSONRenderer",
    };
    cx.error_spanned_by(
        attr,
        Msg::new(format!(
            "`#[{name}]` expects a parenthesized list of {}",
            kind.plural()
        ))
        .help(if kind == Kind::Renderer {
            format!("write `#[{name}({example})]`")
        } else {
            format!("write `#[{name}({example})]`, or `#[{name}()]` for none")
        }),
    );
    None
}

/// The scope of `#[throttle_scope("burst")]`: one string literal or identifier in parentheses.
fn parse_scope(attr: &Attribute) -> syn::Result<Scope> {
    let usage = || {
        Msg::new("`#[throttle_scope]` expects the name of a scope in parentheses")
            .help("write `#[throttle_scope(\"burst\")]`, with a rate for `burst` in `DEFAULT_THROTTLE_RATES`")
    };
    let tokens = match &attr.meta {
        Meta::List(list) if matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) => {
            list.tokens.clone()
        }
        _ => return Err(syn::Error::new_spanned(attr, usage())),
    };
    let parser = |input: ParseStream<'_>| {
        let scope = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if lit.value().is_empty() {
                return Err(Msg::new("empty throttle scope")
                    .help("name a scope that has a rate in `DEFAULT_THROTTLE_RATES`, as in `#[throttle_scope(\"burst\")]`")
                    .at(lit.span()));
            }
            Scope {
                value: lit.value(),
                span: lit.span(),
            }
        } else if input.peek(syn::Ident) {
            let ident: Ident = input.parse()?;
            Scope {
                value: syn::ext::IdentExt::unraw(&ident).to_string(),
                span: ident.span(),
            }
        } else if input.is_empty() {
            return Err(syn::Error::new_spanned(attr, usage()));
        } else {
            let (span, text) = describe_next(input);
            return Err(
                Msg::new(format!("expected a throttle scope, {}", found(&text)))
                    .help("write `#[throttle_scope(\"burst\")]`")
                    .at(span),
            );
        };
        if !input.is_empty() {
            let (span, text) = describe_next(input);
            return Err(Msg::new(format!(
                "expected `)` after the throttle scope, {}",
                found(&text)
            ))
            .note("a view has one throttle scope")
            .at(span));
        }
        Ok(scope)
    };
    parser.parse2(tokens)
}

/// `#[extend_schema(request = T, responses(201 = T, 400))]`: the keys in any order, each once.
fn parse_schema_ext(attr: &Attribute) -> syn::Result<SchemaExt> {
    const EXAMPLE: &str = "write `#[extend_schema(request = NoteIn, responses(201 = Note, 400))]`";
    let tokens = match &attr.meta {
        Meta::List(list) if matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) => {
            list.tokens.clone()
        }
        _ => {
            return Err(syn::Error::new_spanned(
                attr,
                Msg::new("`#[extend_schema]` expects `request = Type` and/or `responses(...)` in parentheses")
                    .help(EXAMPLE),
            ));
        }
    };
    let parser = |input: ParseStream<'_>| {
        let mut ext = SchemaExt::default();
        let (mut request_seen, mut responses_seen) = (false, false);
        while !input.is_empty() {
            if !input.peek(syn::Ident) {
                let (span, text) = describe_next(input);
                return Err(Msg::new(format!(
                    "expected `request` or `responses`, {}",
                    found(&text)
                ))
                .help(EXAMPLE)
                .at(span));
            }
            let key: Ident = input.parse()?;
            let seen = match key.to_string().as_str() {
                "request" => &mut request_seen,
                "responses" => &mut responses_seen,
                other => {
                    return Err(Msg::new(format!("unknown key `{other}` in `#[extend_schema]`"))
                        .help("the keys are `request = Type` and `responses(STATUS = Type, STATUS, ...)`")
                        .at(key.span()));
                }
            };
            if std::mem::replace(seen, true) {
                return Err(Msg::new(format!("`{key}` is given twice"))
                    .help("give each key once")
                    .at(key.span()));
            }
            if key == "request" {
                input.parse::<Token![=]>()?;
                ext.request = Some(input.parse()?);
            } else {
                let content;
                syn::parenthesized!(content in input);
                while !content.is_empty() {
                    let lit: syn::LitInt = content.parse().map_err(|e| {
                        Msg::new("expected an HTTP status code, as `201`")
                            .help(EXAMPLE)
                            .at(e.span())
                    })?;
                    let status = lit
                        .base10_parse::<u16>()
                        .ok()
                        .filter(|s| (100..=599).contains(s))
                        .ok_or_else(|| {
                            Msg::new(format!("`{lit}` is not an HTTP status code"))
                                .help("a status code is between 100 and 599")
                                .at(lit.span())
                        })?;
                    let ty = if content.peek(Token![=]) {
                        content.parse::<Token![=]>()?;
                        Some(content.parse::<syn::Type>()?)
                    } else {
                        None
                    };
                    ext.responses.push((status, ty));
                    if !content.is_empty() {
                        content.parse::<Token![,]>()?;
                    }
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(ext)
    };
    parser.parse2(tokens)
}

/// `GET, POST`: identifiers separated by commas. Their meaning is checked later.
fn parse_methods(input: ParseStream<'_>) -> syn::Result<Vec<Ident>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            return Err(
                Msg::new(format!("expected an HTTP method, found `{}`", lit.token()))
                    .help(format!(
                        "write `{}` without quotes",
                        lit.value().to_uppercase()
                    ))
                    .at(lit.span()),
            );
        }
        if !input.peek(syn::Ident) {
            let (span, text) = describe_next(input);
            let mut msg = Msg::new(format!("expected an HTTP method, {}", found(&text)));
            if text == "[" {
                msg = msg.help("list the methods without brackets: `#[api_view(GET, POST)]`");
            }
            return Err(msg.at(span));
        }
        out.push(input.parse()?);
        if input.is_empty() {
            break;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            continue;
        }
        let (span, text) = describe_next(input);
        return Err(Msg::new(format!(
            "expected `,` between HTTP methods, {}",
            found(&text)
        ))
        .at(span));
    }
    Ok(out)
}

/// `use authentication_classes as _;` for each drained attribute, as written: the attribute
/// never reaches name resolution, and this keeps the user's import of it from being reported
/// unused (and a path to nothing from passing silently).
pub(crate) fn uses(drained: &[syn::Path], cfgs: &[syn::Attribute]) -> TokenStream {
    drained
        .iter()
        .map(|path| {
            let span = syn::spanned::Spanned::span(path);
            quote::quote_spanned! {span=>
                #(#cfgs)*
                #[allow(unused_imports)]
                use #path as _;
            }
        })
        .collect()
}
