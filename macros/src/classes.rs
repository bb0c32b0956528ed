//! Class lists shared by the view attributes and `settings!`: parsing names, resolving them
//! against the built-in table, duplicate detection, and the span of the generated list type.
//! Both macros go through here, so their checks and messages are identical.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::ParseStream;
use syn::{LitStr, Token};

use crate::diag::{Ctxt, Msg, describe_next, found, list_code, path_text};
use crate::names::{self, Entry, Kind};
use crate::paths;

/// Where a list is written; it decides where a misplaced name should go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `#[authentication_classes(...)]` & co.
    Attribute,
    /// `DEFAULT_AUTHENTICATION_CLASSES = [...]` & co. in `settings!`.
    Settings,
}

impl Place {
    /// Where a `name` of `kind` belongs, as code: `#[permission_classes(IsAuthenticated)]`.
    fn home(self, kind: Kind, name: &str) -> String {
        match self {
            Self::Attribute => format!("`#[{}({name})]`", kind.attribute()),
            Self::Settings => format!("`{}`", kind.setting()),
        }
    }
}

/// A list as written in one place.
pub(crate) struct List<T> {
    /// What introduced it (the attribute's name, the setting's key): the span of the generated
    /// `type … = …;` item, where rustc reports a type the impl cannot name.
    pub(crate) span: Span,
    /// The written list, delimiters included.
    pub(crate) delim: Span,
    /// The entries.
    pub(crate) items: Vec<T>,
}

/// The span generated list types take, so that an unsatisfied bound (a user type that is not
/// of the list's kind) is reported once, at the user's code: a single user type's name, or
/// the whole written list when it names several; built-ins cannot fail.
///
/// rustc checks the bound at the span of the whole associated type; a separate spanned
/// assertion would report the same mistake a second time.
pub(crate) fn type_span<'a>(
    user_paths: impl IntoIterator<Item = &'a syn::Path>,
    delim: Span,
) -> Span {
    let mut paths = user_paths.into_iter();
    match (paths.next(), paths.next()) {
        (None, _) => Span::call_site(),
        (Some(path), None) => path.segments.last().map_or(delim, |s| s.ident.span()),
        (Some(_), Some(_)) => delim,
    }
}

/// A name in a class list, resolved: a built-in, or a user type (`builtin` is `None`).
#[derive(Clone)]
pub(crate) struct ClassRef {
    /// The path as the user wrote it (its tokens keep their spans).
    pub(crate) written: syn::Path,
    /// The table entry, for built-ins.
    pub(crate) builtin: Option<&'static Entry>,
}

impl ClassRef {
    /// What duplicates are compared by: the short name of a built-in, the path of a user type.
    pub(crate) fn key(&self) -> String {
        match self.builtin {
            Some(e) => e.canonical.to_owned(),
            None => path_text(&self.written),
        }
    }

    /// The type the class expands to: a built-in at `span`, a user path as written.
    pub(crate) fn to_type(&self, span: Span) -> TokenStream {
        match self.builtin {
            Some(e) => paths::builtin(e, span),
            None => self.written.to_token_stream(),
        }
    }

    /// The user's path, if the class is not a built-in.
    pub(crate) fn user_path(&self) -> Option<&syn::Path> {
        self.builtin.is_none().then_some(&self.written)
    }
}

/// One name of a list: a path. A string literal (DRF's dotted strings) is an error with the
/// name to write instead.
pub(crate) fn parse_name(input: ParseStream<'_>, kind: Kind) -> syn::Result<syn::Path> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        let value = lit.value();
        let bare = value.rsplit('.').next().unwrap_or(&value).trim();
        let mut msg = Msg::new(format!(
            "expected {}, found `{}`",
            kind.a_noun(),
            lit.token()
        ));
        if syn::parse_str::<syn::Ident>(bare).is_ok() {
            msg = msg.help(format!("write the name without quotes: `{bare}`"));
        }
        return Err(msg.at(lit.span()));
    }
    let starts_path = input.peek(syn::Ident)
        || input.peek(Token![::])
        || input.peek(Token![self])
        || input.peek(Token![crate])
        || input.peek(Token![super]);
    if !starts_path {
        let (span, text) = describe_next(input);
        return Err(Msg::new(format!("expected {}, {}", kind.a_noun(), found(&text))).at(span));
    }
    input.parse()
}

/// A comma-separated list of names (trailing comma allowed). Schemes and throttles are listed,
/// never combined, so an operator here is an error.
pub(crate) fn parse_names(input: ParseStream<'_>, kind: Kind) -> syn::Result<Vec<syn::Path>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(parse_name(input, kind)?);
        if input.is_empty() {
            break;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            continue;
        }
        let (span, text) = describe_next(input);
        let mut msg = Msg::new(format!(
            "expected `,` between {}, {}",
            kind.plural(),
            found(&text)
        ));
        if matches!(text.as_str(), "|" | "&" | "||" | "&&") {
            msg = msg.note(format!(
                "{} are listed, not combined: each is tried in order",
                kind.plural()
            ));
        }
        return Err(msg.at(span));
    }
    Ok(out)
}

/// Resolves one name as a `kind`: a built-in of that kind, or a user type. Wrong-kind built-ins
/// and near misses of built-ins are errors (recorded in `cx`, `None` returned).
pub(crate) fn resolve(cx: &Ctxt, path: &syn::Path, kind: Kind, place: Place) -> Option<ClassRef> {
    let Some(ident) = bare_ident(path) else {
        return Some(ClassRef {
            written: path.clone(),
            builtin: None,
        });
    };
    let name = ident.to_string();
    if let Some(entry) = names::lookup(&name) {
        if entry.kind == kind {
            return Some(ClassRef {
                written: path.clone(),
                builtin: Some(entry),
            });
        }
        cx.error_spanned_by(
            ident,
            Msg::new(format!(
                "`{name}` is {}, not {}",
                entry.kind.a_noun(),
                kind.a_noun()
            ))
            .help(format!("move it to {}", place.home(entry.kind, &name))),
        );
        return None;
    }
    if let Some(entry) = names::near_miss(&name, kind) {
        let help = if entry.kind == kind {
            format!("did you mean `{}`?", entry.name)
        } else {
            format!(
                "did you mean `{}`? it is {}, which belongs in {}",
                entry.name,
                entry.kind.a_noun(),
                place.home(entry.kind, entry.name)
            )
        };
        cx.error_spanned_by(
            ident,
            Msg::new(format!("unknown {} `{name}`", kind.noun()))
                .help(help)
                .note(format!(
                    "built-in {} are {}; to use your own type named `{name}`, write it as a path: `self::{name}`",
                    kind.plural(),
                    list_code(names::short_names(kind)),
                )),
        );
        return None;
    }
    Some(ClassRef {
        written: path.clone(),
        builtin: None,
    })
}

/// The single identifier of a path that is only one (no `::`, no generics, not raw): the only
/// form looked up in the table. `r#Token` is the user's own `Token`.
fn bare_ident(path: &syn::Path) -> Option<&syn::Ident> {
    let ident = path.get_ident()?;
    (!ident.to_string().starts_with("r#")).then_some(ident)
}

/// Remembers the classes of one list and reports a repeated one (also through an alias) at
/// the second occurrence, naming the first.
pub(crate) struct Seen {
    kind: Kind,
    first: Vec<(String, String)>,
}

impl Seen {
    pub(crate) fn new(kind: Kind) -> Self {
        Self {
            kind,
            first: Vec::new(),
        }
    }

    /// Records `key` (written as `written`); a repeat is an error spanned over `tokens`.
    pub(crate) fn check(&mut self, cx: &Ctxt, key: String, written: String, tokens: impl ToTokens) {
        let Some((_, first)) = self.first.iter().find(|(k, _)| *k == key) else {
            self.first.push((key, written));
            return;
        };
        let noun = self.kind.noun();
        let alias = names::lookup(&written).filter(|e| e.is_alias());
        let note = if *first == written {
            format!("`{written}` is already listed")
        } else if let Some(e) = alias {
            if *first == e.canonical {
                format!(
                    "`{written}` is DRF's name for `{}`, which is already listed",
                    e.canonical
                )
            } else {
                format!(
                    "`{written}` is DRF's name for `{}`, already listed as `{first}`",
                    e.canonical
                )
            }
        } else {
            format!("`{written}` is already listed as `{first}`")
        };
        cx.error_spanned_by(
            tokens,
            Msg::new(format!("duplicate {noun} `{written}`")).note(note),
        );
    }
}

/// Resolves a list of names: every error is recorded, the valid names are returned.
pub(crate) fn resolve_list(
    cx: &Ctxt,
    paths: &[syn::Path],
    kind: Kind,
    place: Place,
) -> Vec<ClassRef> {
    let mut seen = Seen::new(kind);
    let mut out = Vec::new();
    for path in paths {
        if let Some(class) = resolve(cx, path, kind, place) {
            seen.check(cx, class.key(), path_text(path), path);
            out.push(class);
        }
    }
    out
}

/// The most entries a list may have, and the most arguments a handler may take: the runtime
/// implements its list traits and `Handler` for tuples up to this length (its
/// `all_the_tuples!`). Past it rustc would only say that a long tuple implements no trait.
pub(crate) const MAX_TUPLE: usize = 16;

/// A list longer than [`MAX_TUPLE`] is an error at its first entry past the limit.
pub(crate) fn check_len(cx: &Ctxt, items: &[impl ToTokens], kind: Kind) {
    let Some(first_extra) = items.get(MAX_TUPLE) else {
        return;
    };
    let help = match kind {
        Kind::Scheme => {
            "a scheme of your own (a type implementing `Authenticate`) can try several in turn: list it in their place"
        }
        Kind::Permission => {
            "combine entries with `&`: `A & B` is one entry, which allows when both do"
        }
        Kind::Throttle => {
            "a throttle of your own (a type implementing `Throttle`) can check several rates: list it in their place"
        }
        Kind::Renderer => "negotiation picks one renderer: list the formats the API answers",
    };
    cx.error_spanned_by(
        first_extra,
        Msg::new(format!(
            "too many {}: at most {MAX_TUPLE} are supported",
            kind.plural()
        ))
        .help(help),
    );
}

/// A view answers through one of its renderers: an empty list (as written) is an error at
/// its delimiters.
pub(crate) fn check_not_empty<T>(cx: &Ctxt, list: &List<T>, place: Place) {
    if !list.items.is_empty() {
        return;
    }
    let help = match place {
        Place::Attribute => "list at least one, as in `#[renderer_classes(JSONRenderer)]`",
        Place::Settings => "list at least one, as in `DEFAULT_RENDERER_CLASSES = [JSONRenderer];`",
    };
    cx.error_at(
        list.delim,
        Msg::new("a view needs at least one renderer")
            .help(help)
            .note(
                "negotiation answers with one of the view's renderers, and an empty list has none",
            ),
    );
}

/// `(A, B,)`: a list as a tuple type, its parentheses at `span`.
pub(crate) fn tuple(types: impl IntoIterator<Item = TokenStream>, span: Span) -> TokenStream {
    let types = types.into_iter();
    let mut group = proc_macro2::Group::new(
        proc_macro2::Delimiter::Parenthesis,
        quote::quote_spanned!(span=> #(#types,)*),
    );
    group.set_span(span);
    TokenStream::from(proc_macro2::TokenTree::Group(group))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    fn names(kind: Kind, tokens: TokenStream) -> syn::Result<Vec<String>> {
        let parsed = (|input: ParseStream<'_>| parse_names(input, kind)).parse2(tokens)?;
        Ok(parsed.iter().map(path_text).collect())
    }

    fn errors(f: impl FnOnce(&Ctxt)) -> Vec<String> {
        let cx = Ctxt::new();
        f(&cx);
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn lists_parse_paths_with_trailing_comma() {
        let got = names(Kind::Scheme, quote::quote!(Token, crate::auth::Bearer,)).unwrap();
        assert_eq!(got, ["Token", "crate::auth::Bearer"]);
        assert!(names(Kind::Scheme, quote::quote!()).unwrap().is_empty());
    }

    #[test]
    fn list_syntax_errors_say_what_was_found() {
        let e = names(Kind::Scheme, quote::quote!(Token | Basic)).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("expected `,` between authentication schemes, found `|`")
        );
        let e = names(
            Kind::Scheme,
            quote::quote!("rest_framework.authentication.TokenAuthentication"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("write the name without quotes: `TokenAuthentication`")
        );
        let e = names(Kind::Throttle, quote::quote!(AnonRate, 3)).unwrap_err();
        assert_eq!(e.to_string(), "expected a throttle, found `3`");
    }

    #[test]
    fn resolution_reports_wrong_kind_near_miss_and_duplicates() {
        let list = |t: TokenStream| {
            (|input: ParseStream<'_>| parse_names(input, Kind::Scheme))
                .parse2(t)
                .unwrap()
        };
        let errs = errors(|cx| {
            resolve_list(
                cx,
                &list(quote::quote!(Token, IsAuthenticated)),
                Kind::Scheme,
                Place::Attribute,
            );
        });
        assert_eq!(
            errs,
            [
                "`IsAuthenticated` is a permission, not an authentication scheme\n= help: move it to `#[permission_classes(IsAuthenticated)]`"
            ]
        );
        let errs = errors(|cx| {
            resolve_list(
                cx,
                &list(quote::quote!(Tokn)),
                Kind::Scheme,
                Place::Settings,
            );
        });
        assert!(
            errs[0]
                .starts_with("unknown authentication scheme `Tokn`\n= help: did you mean `Token`?")
        );
        let errs = errors(|cx| {
            resolve_list(
                cx,
                &list(quote::quote!(Token, TokenAuthentication, my::S, my::S)),
                Kind::Scheme,
                Place::Attribute,
            );
        });
        assert_eq!(
            errs,
            [
                "duplicate authentication scheme `TokenAuthentication`\n= note: `TokenAuthentication` is DRF's name for `Token`, which is already listed",
                "duplicate authentication scheme `my::S`\n= note: `my::S` is already listed",
            ]
        );
        let errs = errors(|cx| {
            let got = resolve_list(
                cx,
                &list(quote::quote!(Bearer, self::Tokn, r#Token)),
                Kind::Scheme,
                Place::Attribute,
            );
            assert!(got.iter().all(|c| c.builtin.is_none()));
        });
        assert!(errs.is_empty(), "{errs:?}");
    }
}
