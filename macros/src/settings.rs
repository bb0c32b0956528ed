//! `settings!`: DRF's `REST_FRAMEWORK` settings as `KEY = value;` entries, checked with the same
//! code as the view attributes ([`crate::classes`], [`crate::perm_expr`]), expanded to
//! `pub struct Settings` implementing the runtime's `Settings` trait.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{LitInt, LitStr, Token};

use crate::classes::{self, ClassRef, List, Place};
use crate::diag::{Ctxt, Msg, closest, describe_next, found, list_code};
use crate::names::Kind;
use crate::paths;
use crate::perm_expr::{self, PermExpr};
use crate::view;

/// The settings `settings!` knows, in documentation order.
const KEYS: [&str; 8] = [
    "DEFAULT_AUTHENTICATION_CLASSES",
    "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_THROTTLE_CLASSES",
    "DEFAULT_THROTTLE_RATES",
    "TOKEN_KEYWORD",
    "PASSWORD_ITERATIONS",
    "UNAUTHENTICATED_USER",
    "UNAUTHENTICATED_TOKEN",
];

/// Throttle periods: DRF reads only the first letter; these are the spellings its docs and
/// users write.
const PERIODS: [&str; 10] = [
    "s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day",
];

/// One entry of `DEFAULT_THROTTLE_RATES`: the scope, and its rate as (requests, seconds).
struct ScopeRate {
    scope: String,
    rate: Option<(u32, u32)>,
}

/// The checked settings; `None` leaves a setting to DRF's default.
#[derive(Default)]
struct Spec {
    authentication: Option<List<ClassRef>>,
    permission: Option<List<PermExpr<ClassRef>>>,
    throttle: Option<List<ClassRef>>,
    throttle_rates: Option<Vec<ScopeRate>>,
    token_keyword: Option<LitStr>,
    password_iterations: Option<(u32, Span)>,
    unauthenticated_user: Option<syn::Path>,
    unauthenticated_token: Option<syn::Path>,
}

/// `settings! { ... }`.
pub(crate) fn settings(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let mut spec = Spec::default();
    let mut seen: Vec<String> = Vec::new();
    for entry in split_entries(input) {
        if let Err(e) = parse_entry(&cx, &mut spec, &mut seen, entry) {
            cx.syn_error(e);
        }
    }
    check_rates_of_classes(&cx, &spec);
    match cx.check() {
        Ok(()) => expand(&spec),
        Err(e) => {
            let error = e.to_compile_error();
            let fallback = expand(&Spec::default());
            quote!(#error #fallback)
        }
    }
}

/// The entries: the tokens between top-level `;`s (empty ones dropped).
fn split_entries(input: TokenStream) -> Vec<TokenStream> {
    let mut entries = vec![TokenStream::new()];
    for tt in input {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ';' => entries.push(TokenStream::new()),
            _ => entries.last_mut().expect("never empty").extend([tt]),
        }
    }
    entries.retain(|e| !e.is_empty());
    entries
}

/// `KEY = value` (the tokens of one entry).
fn parse_entry(
    cx: &Ctxt,
    spec: &mut Spec,
    seen: &mut Vec<String>,
    entry: TokenStream,
) -> syn::Result<()> {
    let parser = |input: ParseStream<'_>| {
        let key = parse_key(input)?;
        let name = key.to_string();
        if !KEYS.contains(&name.as_str()) {
            cx.error_spanned_by(&key, unknown_key(&name));
            input.parse::<TokenStream>()?;
            return Ok(());
        }
        if seen.contains(&name) {
            cx.error_spanned_by(
                &key,
                Msg::new(format!("duplicate setting `{name}`"))
                    .note(format!("`{name}` is already set above")),
            );
            input.parse::<TokenStream>()?;
            return Ok(());
        }
        seen.push(name.clone());
        if !input.peek(Token![=]) || input.peek(Token![==]) {
            let (span, text) = describe_next(input);
            let mut msg = Msg::new(format!("expected `=` after `{name}`, {}", found(&text)));
            if text == ":" {
                msg = msg.help("settings are written `KEY = value;`");
            }
            return Err(msg.at(span));
        }
        let eq: Token![=] = input.parse()?;
        if input.is_empty() {
            return Err(expects(&name).at(eq.span));
        }
        parse_value(cx, spec, &key, input)?;
        if !input.is_empty() {
            let (span, text) = describe_next(input);
            return Err(Msg::new(format!(
                "expected `;` after the value of `{name}`, {}",
                found(&text)
            ))
            .at(span));
        }
        Ok(())
    };
    parser.parse2(entry)
}

fn parse_key(input: ParseStream<'_>) -> syn::Result<Ident> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Err(
            Msg::new(format!("expected a setting name, found `{}`", lit.token()))
                .help(format!("write the name without quotes: `{}`", lit.value()))
                .at(lit.span()),
        );
    }
    if !input.peek(syn::Ident) {
        let (span, text) = describe_next(input);
        return Err(Msg::new(format!("expected a setting name, {}", found(&text))).at(span));
    }
    input.parse()
}

fn unknown_key(name: &str) -> Msg {
    let msg = Msg::new(format!("unknown setting `{name}`"));
    let near = closest(name, KEYS).or_else(|| {
        let upper = name.to_uppercase();
        KEYS.iter()
            .copied()
            .find(|k| upper.len() >= 8 && (k.ends_with(&upper) || upper.ends_with(k)))
    });
    match near {
        Some(near) => msg.help(format!("did you mean `{near}`?")),
        None => msg.note(format!("the settings are {}", list_code(KEYS))),
    }
}

/// "`KEY` expects …, as in …": the shape of every wrong value.
fn expects(name: &str) -> Msg {
    let what = match name {
        "DEFAULT_AUTHENTICATION_CLASSES" => "a list, as in `[Session, Basic]`",
        "DEFAULT_PERMISSION_CLASSES" => "a list, as in `[IsAuthenticated]`",
        "DEFAULT_THROTTLE_CLASSES" => "a list, as in `[AnonRate, UserRate]`",
        "DEFAULT_THROTTLE_RATES" => "a map, as in `{ anon: \"100/day\", user: \"1000/day\" }`",
        "TOKEN_KEYWORD" => "a string, as in `\"Bearer\"`",
        "PASSWORD_ITERATIONS" => "an integer from 1 to 4294967295, as in `1_500_000`",
        "UNAUTHENTICATED_USER" => {
            "a path to a function returning `User`, as in `crate::users::anonymous`"
        }
        _ => "a path to a function returning `Auth`, as in `crate::auth::no_auth`",
    };
    Msg::new(format!("`{name}` expects {what}"))
}

fn parse_value(cx: &Ctxt, spec: &mut Spec, key: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
    let name = key.to_string();
    let name = name.as_str();
    let span = describe_next(input).0;
    match name {
        "DEFAULT_AUTHENTICATION_CLASSES" | "DEFAULT_THROTTLE_CLASSES" => {
            let kind = if name == "DEFAULT_THROTTLE_CLASSES" {
                Kind::Throttle
            } else {
                Kind::Scheme
            };
            let group = list_group(input, name)?;
            let paths =
                (|i: ParseStream<'_>| classes::parse_names(i, kind)).parse2(group.stream())?;
            let list = classes::resolve_list(cx, &paths, kind, Place::Settings);
            let list = Some(List {
                span: key.span(),
                delim: group.span(),
                items: list,
            });
            if kind == Kind::Scheme {
                spec.authentication = list;
            } else {
                spec.throttle = list;
            }
        }
        "DEFAULT_PERMISSION_CLASSES" => {
            let group = list_group(input, name)?;
            let list = perm_expr::parse_list.parse2(group.stream())?;
            spec.permission = Some(List {
                span: key.span(),
                delim: group.span(),
                items: view::permissions(cx, &list, Place::Settings),
            });
        }
        "DEFAULT_THROTTLE_RATES" => {
            let group = match input.parse::<TokenTree>()? {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => g,
                _ => return Err(expects(name).at(span)),
            };
            spec.throttle_rates = Some(throttle_rates.parse2(group.stream())?);
        }
        "TOKEN_KEYWORD" => {
            let lit: LitStr = input.parse().map_err(|_| expects(name).at(span))?;
            let value = lit.value();
            if value.is_empty() || !value.bytes().all(is_tchar) {
                return Err(Msg::new(format!("invalid `TOKEN_KEYWORD` `{}`", lit.token()))
                    .note("the keyword is the scheme word of the `Authorization` header: no spaces, quotes or separators")
                    .at(lit.span()));
            }
            spec.token_keyword = Some(lit);
        }
        "PASSWORD_ITERATIONS" => {
            let lit: LitInt = input.parse().map_err(|_| expects(name).at(span))?;
            let n = match lit.suffix() {
                "" | "u32" => lit.base10_parse::<u32>().ok().filter(|n| *n > 0),
                _ => None,
            };
            let n = n.ok_or_else(|| expects(name).at(lit.span()))?;
            spec.password_iterations = Some((n, lit.span()));
        }
        _ => {
            let path: syn::Path = input.parse().map_err(|_| expects(name).at(span))?;
            if name == "UNAUTHENTICATED_USER" {
                spec.unauthenticated_user = Some(path);
            } else {
                spec.unauthenticated_token = Some(path);
            }
        }
    }
    Ok(())
}

/// `[...]` or `(...)` (DRF writes lists and tuples alike).
fn list_group(input: ParseStream<'_>, name: &str) -> syn::Result<Group> {
    let span = describe_next(input).0;
    match input.parse::<TokenTree>()? {
        TokenTree::Group(g)
            if matches!(g.delimiter(), Delimiter::Bracket | Delimiter::Parenthesis) =>
        {
            Ok(g)
        }
        _ => Err(expects(name).at(span)),
    }
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `{ scope: "N/period", other: None, ... }`.
fn throttle_rates(input: ParseStream<'_>) -> syn::Result<Vec<ScopeRate>> {
    let mut scopes: Vec<String> = Vec::new();
    let mut out = Vec::new();
    while !input.is_empty() {
        let (scope, scope_tokens) = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            (lit.value(), lit.to_token_stream())
        } else if input.peek(syn::Ident) {
            let ident: Ident = input.parse()?;
            (ident.to_string(), ident.to_token_stream())
        } else {
            let (span, text) = describe_next(input);
            return Err(Msg::new(format!("expected a throttle scope, {}", found(&text))).at(span));
        };
        if scopes.contains(&scope) {
            return Err(syn::Error::new_spanned(
                scope_tokens,
                Msg::new(format!("duplicate throttle scope `{scope}`"))
                    .note(format!("`{scope}` already has a rate")),
            ));
        }
        scopes.push(scope.clone());
        if !input.peek(Token![:]) || input.peek(Token![::]) {
            let (span, text) = describe_next(input);
            return Err(
                Msg::new(format!("expected `:` after `{scope}`, {}", found(&text))).at(span),
            );
        }
        input.parse::<Token![:]>()?;
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let rate = parse_rate(&lit.value());
            out.push(ScopeRate {
                scope: scope.clone(),
                rate,
            });
            if rate.is_none() {
                return Err(Msg::new(format!("invalid throttle rate `{}`", lit.token()))
                    .help(format!(
                        "write `\"N/PERIOD\"` with PERIOD one of {}, as in `\"100/day\"`",
                        list_code(PERIODS).replace(" and ", " or ")
                    ))
                    .at(lit.span()));
            }
        } else if input.peek(syn::Ident) && input.fork().parse::<Ident>()? == "None" {
            input.parse::<Ident>()?;
            out.push(ScopeRate {
                scope: scope.clone(),
                rate: None,
            });
        } else {
            let (span, text) = describe_next(input);
            return Err(Msg::new(format!(
                "expected a rate such as `\"100/day\"`, or `None`, {}",
                found(&text)
            ))
            .at(span));
        }
        if input.is_empty() {
            break;
        }
        if !input.peek(Token![,]) {
            let (span, text) = describe_next(input);
            return Err(Msg::new(format!(
                "expected `,` between throttle rates, {}",
                found(&text)
            ))
            .at(span));
        }
        input.parse::<Token![,]>()?;
    }
    Ok(out)
}

/// `N/PERIOD`: a whole number of requests per period, as (requests, seconds of the period).
fn parse_rate(rate: &str) -> Option<(u32, u32)> {
    let (n, period) = rate.split_once('/')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || !PERIODS.contains(&period) {
        return None;
    }
    let seconds = match period.as_bytes()[0] {
        b's' => 1,
        b'm' => 60,
        b'h' => 3600,
        _ => 86400,
    };
    Some((n.parse::<u32>().ok()?, seconds))
}

#[cfg(test)]
fn valid_rate(rate: &str) -> bool {
    parse_rate(rate).is_some()
}

/// `AnonRate` and `UserRate` in `DEFAULT_THROTTLE_CLASSES` read the scopes `anon` and `user`:
/// when `DEFAULT_THROTTLE_RATES` is given, it must have them (DRF's defaults do).
fn check_rates_of_classes(cx: &Ctxt, spec: &Spec) {
    let (Some(list), Some(rates)) = (&spec.throttle, &spec.throttle_rates) else {
        return;
    };
    for class in &list.items {
        let scope = match class.builtin.map(|e| e.canonical) {
            Some("AnonRate") => "anon",
            Some("UserRate") => "user",
            _ => continue,
        };
        if rates.iter().all(|r| r.scope != scope) {
            cx.error_spanned_by(
                &class.written,
                Msg::new(format!(
                    "`{}` needs a rate for the scope `{scope}`, and `DEFAULT_THROTTLE_RATES` has none",
                    crate::diag::path_text(&class.written)
                ))
                .help(format!(
                    "add `{scope}: \"100/day\"` (or `{scope}: None` for no limit) to `DEFAULT_THROTTLE_RATES`"
                )),
            );
        }
    }
}

fn expand(spec: &Spec) -> TokenStream {
    let trait_path = paths::settings();
    // Each `type … = …;` item is spanned at its key (where rustc reports a private type in the
    // public `Settings`), and its type at the user's code (where it reports a user type that
    // is not of the list's kind).
    let authentication = match &spec.authentication {
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = classes::tuple(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Authentication = #ty;)
        }
        None => {
            let ty = drf_default(&["Session", "Basic"]);
            quote!(type Authentication = #ty;)
        }
    };
    let permission = match &spec.permission {
        Some(list) => {
            let users = list
                .items
                .iter()
                .flat_map(|e| e.leaves())
                .filter_map(|c| c.user_path());
            let span = classes::type_span(users, list.delim);
            let ty = classes::tuple(list.items.iter().map(|e| e.to_type(span)), span);
            quote_spanned!(list.span=> type Permission = #ty;)
        }
        None => {
            let ty = drf_default(&["AllowAny"]);
            quote!(type Permission = #ty;)
        }
    };
    let throttle = match &spec.throttle {
        Some(list) => {
            let span = classes::type_span(
                list.items.iter().filter_map(ClassRef::user_path),
                list.delim,
            );
            let ty = classes::tuple(list.items.iter().map(|c| c.to_type(span)), span);
            quote_spanned!(list.span=> type Throttle = #ty;)
        }
        None => quote!(
            type Throttle = ();
        ),
    };
    let rates = spec.throttle_rates.as_ref().map(|rates| {
        let (rate, option) = (paths::rate(), paths::option());
        let entries = rates.iter().map(|r| {
            let scope = &r.scope;
            match r.rate {
                Some((n, secs)) => quote!((#scope, #option::Some(#rate::new(#n, #secs)))),
                None => quote!((#scope, #option::None)),
            }
        });
        quote! {
            const THROTTLE_RATES: &'static [(&'static str, #option<#rate>)] = &[#(#entries),*];
        }
    });
    let token_keyword = spec
        .token_keyword
        .as_ref()
        .map(|lit| quote_spanned!(lit.span()=> const TOKEN_KEYWORD: &'static str = #lit;));
    let iterations = spec.password_iterations.map(|(n, span)| {
        let lit = proc_macro2::Literal::u32_unsuffixed(n);
        quote_spanned!(span=> const PASSWORD_ITERATIONS: u32 = #lit;)
    });
    let user = spec.unauthenticated_user.as_ref().map(|path| {
        let ty = paths::user();
        getter("unauthenticated_user", &ty, path)
    });
    let token = spec.unauthenticated_token.as_ref().map(|path| {
        let ty = paths::auth();
        getter("unauthenticated_token", &ty, path)
    });
    let derives = paths::unit_derives();
    quote! {
        /// The application's DRF settings (generated by `drf::settings!`).
        #derives
        pub struct Settings;

        #[automatically_derived]
        impl #trait_path for Settings {
            #authentication
            #permission
            #throttle
            #rates
            #token_keyword
            #iterations
            #user
            #token
        }
    }
}

/// DRF's default list (the runtime's `DefaultSettings`), from the table of built-ins.
fn drf_default(names: &[&str]) -> TokenStream {
    let types = names.iter().map(|name| {
        let entry = crate::names::lookup(name).expect("a built-in");
        paths::builtin(entry, Span::call_site())
    });
    classes::tuple(types, Span::call_site())
}

/// `fn name() -> Ty { let f: fn() -> Ty = path; f() }`, spanned at the user's path so a
/// function of the wrong type is reported there.
fn getter(name: &str, ty: &TokenStream, path: &syn::Path) -> TokenStream {
    let name = Ident::new(name, Span::call_site());
    let f = Ident::new("__f", Span::mixed_site());
    let span = path.span();
    let ty = paths::respan(ty.clone(), span);
    let binding = quote_spanned!(span=> let #f: fn() -> #ty = #path;);
    quote! {
        fn #name() -> #ty {
            #binding
            #f()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_n_per_period() {
        for ok in [
            "3/min", "100/day", "1/s", "5/second", "0/h", "2/minute", "10/sec", "7/hour", "1/d",
            "4/m",
        ] {
            assert!(valid_rate(ok), "{ok}");
        }
        for bad in [
            "3/fortnight",
            "3",
            "/min",
            "x/min",
            "3/",
            "3/min/s",
            "-3/min",
            "3 /min",
            "3/MIN",
            "99999999999/s",
        ] {
            assert!(!valid_rate(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let m = unknown_key("DEFAULT_AUTHENTICATION_CLASS").to_string();
        assert_eq!(
            m,
            "unknown setting `DEFAULT_AUTHENTICATION_CLASS`\n= help: did you mean `DEFAULT_AUTHENTICATION_CLASSES`?"
        );
        let m = unknown_key("PERMISSION_CLASSES").to_string();
        assert!(
            m.ends_with("did you mean `DEFAULT_PERMISSION_CLASSES`?"),
            "{m}"
        );
        let m = unknown_key("PAGE_SIZE").to_string();
        assert!(
            m.contains("= note: the settings are `DEFAULT_AUTHENTICATION_CLASSES`"),
            "{m}"
        );
    }

    #[test]
    fn entries_split_at_top_level_semicolons() {
        let entries = split_entries(quote!(A = [x]; B = { a: "1/s" };; C = 1));
        assert_eq!(entries.len(), 3);
    }

    #[test]
    fn all_errors_of_one_invocation_are_reported() {
        let out = settings(quote! {
            DEFAULT_AUTHENTICATION_CLASSES = [Tokn];
            TOKEN_KEYWORDS = "Bearer";
            PASSWORD_ITERATIONS = 0;
        })
        .to_string();
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
        assert!(
            out.contains("pub struct Settings"),
            "fallback settings: {out}"
        );
    }
}
