//! Syntax only: the `KEY = value;` entries of `settings!`. Each entry fails fast on its own;
//! its error goes into the [`Ctxt`] and parsing of the others goes on. The key decides the
//! grammar of its value, so an unknown or repeated key is reported here and its value skipped.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::{LitBool, LitInt, LitStr, Token};

use crate::classes::{self, List};
use crate::diag::{Ctxt, Msg, closest, describe_next, found, list_code};
use crate::names::Kind;
use crate::perm_expr::{self, PermExpr};

/// The settings `settings!` knows, in documentation order.
pub(crate) const KEYS: [&str; 12] = [
    "DEFAULT_AUTHENTICATION_CLASSES",
    "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_THROTTLE_CLASSES",
    "DEFAULT_RENDERER_CLASSES",
    "DEFAULT_THROTTLE_RATES",
    "TOKEN_KEYWORD",
    "PASSWORD_ITERATIONS",
    "UNAUTHENTICATED_USER",
    "UNAUTHENTICATED_TOKEN",
    "APPEND_SLASH",
    "LOGIN_FAILURE_RATE",
    "LOGIN_FAILURE_RATE_PER_CLIENT",
];

/// What `settings!` says, before any meaning is given to names: the valid entries, in the
/// order written.
pub(crate) struct Input {
    pub(crate) entries: Vec<Entry>,
}

/// One `KEY = value;` whose key is known and whose value has the key's shape.
pub(crate) struct Entry {
    /// The key as written: lists' generated items are spanned here.
    pub(crate) key: Ident,
    /// The value.
    pub(crate) value: Value,
}

/// A value of the shape its key expects.
pub(crate) enum Value {
    /// `DEFAULT_AUTHENTICATION_CLASSES` (`Kind::Scheme`), `DEFAULT_THROTTLE_CLASSES`
    /// (`Kind::Throttle`) or `DEFAULT_RENDERER_CLASSES` (`Kind::Renderer`).
    Classes(Kind, List<syn::Path>),
    /// `DEFAULT_PERMISSION_CLASSES`.
    Permissions(List<PermExpr<syn::Path>>),
    /// `DEFAULT_THROTTLE_RATES`.
    ThrottleRates(Vec<RateEntry>),
    /// `TOKEN_KEYWORD`.
    TokenKeyword(LitStr),
    /// `PASSWORD_ITERATIONS`.
    PasswordIterations(LitInt),
    /// `UNAUTHENTICATED_USER`.
    UnauthenticatedUser(syn::Path),
    /// `UNAUTHENTICATED_TOKEN`.
    UnauthenticatedToken(syn::Path),
    /// `APPEND_SLASH` (Django's).
    AppendSlash(LitBool),
    /// `LOGIN_FAILURE_RATE` or `LOGIN_FAILURE_RATE_PER_CLIENT`: `"N/PERIOD"`, or `None`
    /// (the ident, kept for its span).
    LoginFailureRate(Result<LitStr, Ident>),
}

/// `scope: "N/PERIOD"` or `scope: None` in `DEFAULT_THROTTLE_RATES`.
pub(crate) struct RateEntry {
    /// The scope's name (an identifier's text or a string's value).
    pub(crate) scope: String,
    /// The scope as written: a repeated scope is reported there.
    pub(crate) scope_tokens: TokenStream,
    /// The rate as written: `Some("N/PERIOD")`, or `None` for DRF's `None`.
    pub(crate) rate: Option<LitStr>,
}

impl Input {
    /// Reads every entry of `settings! { input }`.
    pub(crate) fn from_syn(cx: &Ctxt, input: TokenStream) -> Self {
        let mut seen: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        for tokens in split_entries(input) {
            let parser = |input: ParseStream<'_>| parse_entry(cx, &mut seen, input);
            match parser.parse2(tokens) {
                Ok(Some(entry)) => entries.push(entry),
                Ok(None) => {}
                Err(e) => cx.syn_error(e),
            }
        }
        Self { entries }
    }
}

/// The entries: the tokens between top-level `;`s (empty ones dropped).
pub(crate) fn split_entries(input: TokenStream) -> Vec<TokenStream> {
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

/// `KEY = value` (the tokens of one entry); `None` for a key already reported in `cx`.
fn parse_entry(
    cx: &Ctxt,
    seen: &mut Vec<String>,
    input: ParseStream<'_>,
) -> syn::Result<Option<Entry>> {
    let key = parse_key(input)?;
    let name = key.to_string();
    if !KEYS.contains(&name.as_str()) {
        cx.error_spanned_by(&key, unknown_key(&name));
        input.parse::<TokenStream>()?;
        return Ok(None);
    }
    if seen.contains(&name) {
        cx.error_spanned_by(
            &key,
            Msg::new(format!("duplicate setting `{name}`"))
                .note(format!("`{name}` is already set above")),
        );
        input.parse::<TokenStream>()?;
        return Ok(None);
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
    let value = parse_value(&key, input)?;
    if !input.is_empty() {
        let (span, text) = describe_next(input);
        return Err(Msg::new(format!(
            "expected `;` after the value of `{name}`, {}",
            found(&text)
        ))
        .at(span));
    }
    Ok(Some(Entry { key, value }))
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

pub(crate) fn unknown_key(name: &str) -> Msg {
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
pub(crate) fn expects(name: &str) -> Msg {
    let what = match name {
        "DEFAULT_AUTHENTICATION_CLASSES" => "a list, as in `[Session, Basic]`",
        "DEFAULT_PERMISSION_CLASSES" => "a list, as in `[IsAuthenticated]`",
        "DEFAULT_THROTTLE_CLASSES" => "a list, as in `[AnonRate, UserRate]`",
        "DEFAULT_THROTTLE_RATES" => "a map, as in `{ anon: \"100/day\", user: \"1000/day\" }`",
        "TOKEN_KEYWORD" => "a string, as in `\"Bearer\"`",
        "PASSWORD_ITERATIONS" => "an integer from 1 to 4294967295, as in `1_500_000`",
        "APPEND_SLASH" => "`true` or `false`",
        "LOGIN_FAILURE_RATE" | "LOGIN_FAILURE_RATE_PER_CLIENT" => {
            "a rate such as `\"5/min\"`, or `None`"
        }
        "UNAUTHENTICATED_USER" => {
            "a path to a function returning `User`, as in `crate::users::anonymous`"
        }
        _ => "a path to a function returning `Auth`, as in `crate::auth::no_auth`",
    };
    Msg::new(format!("`{name}` expects {what}"))
}

/// The value of the known setting `key`, in the shape the key expects.
fn parse_value(key: &Ident, input: ParseStream<'_>) -> syn::Result<Value> {
    let name = key.to_string();
    let name = name.as_str();
    let span = describe_next(input).0;
    Ok(match name {
        "DEFAULT_AUTHENTICATION_CLASSES"
        | "DEFAULT_THROTTLE_CLASSES"
        | "DEFAULT_RENDERER_CLASSES" => {
            let kind = match name {
                "DEFAULT_THROTTLE_CLASSES" => Kind::Throttle,
                "DEFAULT_RENDERER_CLASSES" => Kind::Renderer,
                _ => Kind::Scheme,
            };
            let group = list_group(input, name)?;
            let paths =
                (|i: ParseStream<'_>| classes::parse_names(i, kind)).parse2(group.stream())?;
            Value::Classes(kind, list(key, &group, paths))
        }
        "DEFAULT_PERMISSION_CLASSES" => {
            let group = list_group(input, name)?;
            let exprs = perm_expr::parse_list.parse2(group.stream())?;
            Value::Permissions(list(key, &group, exprs))
        }
        "DEFAULT_THROTTLE_RATES" => {
            let group = match input.parse::<TokenTree>()? {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => g,
                _ => return Err(expects(name).at(span)),
            };
            Value::ThrottleRates(throttle_rates.parse2(group.stream())?)
        }
        "TOKEN_KEYWORD" => Value::TokenKeyword(input.parse().map_err(|_| expects(name).at(span))?),
        "PASSWORD_ITERATIONS" => {
            Value::PasswordIterations(input.parse().map_err(|_| expects(name).at(span))?)
        }
        "APPEND_SLASH" => Value::AppendSlash(input.parse().map_err(|_| expects(name).at(span))?),
        "LOGIN_FAILURE_RATE" | "LOGIN_FAILURE_RATE_PER_CLIENT" => {
            if input.peek(LitStr) {
                Value::LoginFailureRate(Ok(input.parse()?))
            } else if input.peek(syn::Ident) && input.fork().parse::<Ident>()? == "None" {
                Value::LoginFailureRate(Err(input.parse()?))
            } else {
                return Err(expects(name).at(span));
            }
        }
        _ => {
            let path: syn::Path = input.parse().map_err(|_| expects(name).at(span))?;
            if name == "UNAUTHENTICATED_USER" {
                Value::UnauthenticatedUser(path)
            } else {
                Value::UnauthenticatedToken(path)
            }
        }
    })
}

/// A list introduced by `key`, written as `group`.
fn list<T>(key: &Ident, group: &Group, items: Vec<T>) -> List<T> {
    List {
        span: key.span(),
        delim: group.span(),
        items,
    }
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

/// `{ scope: "N/period", other: None, ... }`. The rates and the scopes' uniqueness are
/// checked later.
fn throttle_rates(input: ParseStream<'_>) -> syn::Result<Vec<RateEntry>> {
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
        if !input.peek(Token![:]) || input.peek(Token![::]) {
            let (span, text) = describe_next(input);
            return Err(
                Msg::new(format!("expected `:` after `{scope}`, {}", found(&text))).at(span),
            );
        }
        input.parse::<Token![:]>()?;
        let rate = if input.peek(LitStr) {
            Some(input.parse::<LitStr>()?)
        } else if input.peek(syn::Ident) && input.fork().parse::<Ident>()? == "None" {
            input.parse::<Ident>()?;
            None
        } else {
            let (span, text) = describe_next(input);
            return Err(Msg::new(format!(
                "expected a rate such as `\"100/day\"`, or `None`, {}",
                found(&text)
            ))
            .at(span));
        };
        out.push(RateEntry {
            scope,
            scope_tokens,
            rate,
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

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
}
