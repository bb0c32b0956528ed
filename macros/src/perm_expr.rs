//! Permission expressions: `A & B | !C` with parentheses, DRF's composition with Rust's
//! operators. `!` binds tightest, then `&`, then `|` (as `~`, `&`, `|` in Python); both binary
//! operators are left-associative. A list is a comma-separated sequence of expressions.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::parse::ParseStream;
use syn::{Token, token};

use crate::classes::{self, ClassRef};
use crate::diag::{Msg, describe_next, found};
use crate::names::Kind;
use crate::paths;

/// A permission expression whose leaves are `L` (paths when parsed, [`ClassRef`] resolved).
pub(crate) enum PermExpr<L> {
    /// A name.
    Leaf(L),
    /// `!expr`.
    Not(Token![!], Box<PermExpr<L>>),
    /// `lhs & rhs`.
    And(Box<PermExpr<L>>, Token![&], Box<PermExpr<L>>),
    /// `lhs | rhs`.
    Or(Box<PermExpr<L>>, Token![|], Box<PermExpr<L>>),
    /// `(expr)`.
    Paren(token::Paren, Box<PermExpr<L>>),
}

impl<L> PermExpr<L> {
    /// The same expression with every leaf mapped; `None` if any leaf maps to `None` (every
    /// leaf is still visited, so every error is reported).
    pub(crate) fn try_map<M>(&self, f: &mut impl FnMut(&L) -> Option<M>) -> Option<PermExpr<M>> {
        Some(match self {
            Self::Leaf(l) => PermExpr::Leaf(f(l)?),
            Self::Not(bang, e) => PermExpr::Not(*bang, Box::new(e.try_map(f)?)),
            Self::And(a, amp, b) => {
                let (a, b) = (a.try_map(f), b.try_map(f));
                PermExpr::And(Box::new(a?), *amp, Box::new(b?))
            }
            Self::Or(a, pipe, b) => {
                let (a, b) = (a.try_map(f), b.try_map(f));
                PermExpr::Or(Box::new(a?), *pipe, Box::new(b?))
            }
            Self::Paren(p, e) => PermExpr::Paren(*p, Box::new(e.try_map(f)?)),
        })
    }

    /// Every leaf, left to right.
    pub(crate) fn leaves(&self) -> Vec<&L> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a L>) {
        match self {
            Self::Leaf(l) => out.push(l),
            Self::Not(_, e) | Self::Paren(_, e) => e.collect_leaves(out),
            Self::And(a, _, b) | Self::Or(a, _, b) => {
                a.collect_leaves(out);
                b.collect_leaves(out);
            }
        }
    }

    /// The expression as written, with `leaf` printing each leaf.
    pub(crate) fn text(&self, leaf: &impl Fn(&L) -> String) -> String {
        match self {
            Self::Leaf(l) => leaf(l),
            Self::Not(_, e) => format!("!{}", e.text(leaf)),
            Self::And(a, _, b) => format!("{} & {}", a.text(leaf), b.text(leaf)),
            Self::Or(a, _, b) => format!("{} | {}", a.text(leaf), b.text(leaf)),
            Self::Paren(_, e) => format!("({})", e.text(leaf)),
        }
    }

    /// The structure without parentheses or spellings, for duplicate detection.
    pub(crate) fn key(&self, leaf: &impl Fn(&L) -> String) -> String {
        match self {
            Self::Leaf(l) => leaf(l),
            Self::Not(_, e) => format!("!{}", e.key(leaf)),
            Self::And(a, _, b) => format!("&({},{})", a.key(leaf), b.key(leaf)),
            Self::Or(a, _, b) => format!("|({},{})", a.key(leaf), b.key(leaf)),
            Self::Paren(_, e) => e.key(leaf),
        }
    }
}

impl<L: ToTokens> ToTokens for PermExpr<L> {
    /// Writes the expression back (for spans over a whole expression).
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Self::Leaf(l) => l.to_tokens(tokens),
            Self::Not(bang, e) => {
                bang.to_tokens(tokens);
                e.to_tokens(tokens);
            }
            Self::And(a, amp, b) => {
                a.to_tokens(tokens);
                amp.to_tokens(tokens);
                b.to_tokens(tokens);
            }
            Self::Or(a, pipe, b) => {
                a.to_tokens(tokens);
                pipe.to_tokens(tokens);
                b.to_tokens(tokens);
            }
            Self::Paren(p, e) => p.surround(tokens, |t| e.to_tokens(t)),
        }
    }
}

impl ToTokens for ClassRef {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.written.to_tokens(tokens);
    }
}

impl PermExpr<ClassRef> {
    /// The permission type: `And<A, B>`, `Or<A, B>`, `Not<A>`, or the class itself; the
    /// generated tokens at `span` (see [`classes::type_span`]).
    pub(crate) fn to_type(&self, span: Span) -> TokenStream {
        let wrap = |combinator: TokenStream, args: TokenStream| {
            let combinator = paths::respan(combinator, span);
            quote_spanned!(span=> #combinator<#args>)
        };
        match self {
            Self::Leaf(c) => c.to_type(span),
            Self::Not(_, e) => wrap(paths::not(), e.to_type(span)),
            Self::And(a, _, b) => {
                let (a, b) = (a.to_type(span), b.to_type(span));
                wrap(paths::and(), quote_spanned!(span=> #a, #b))
            }
            Self::Or(a, _, b) => {
                let (a, b) = (a.to_type(span), b.to_type(span));
                wrap(paths::or(), quote_spanned!(span=> #a, #b))
            }
            Self::Paren(_, e) => e.to_type(span),
        }
    }
}

/// A comma-separated list of expressions (trailing comma allowed; empty allowed).
pub(crate) fn parse_list(input: ParseStream<'_>) -> syn::Result<Vec<PermExpr<syn::Path>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(parse_expr(input)?);
        if input.is_empty() {
            break;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            continue;
        }
        return Err(after_operand(input));
    }
    Ok(out)
}

fn parse_expr(input: ParseStream<'_>) -> syn::Result<PermExpr<syn::Path>> {
    let mut lhs = parse_and(input)?;
    loop {
        reject_doubled(input)?;
        if !input.peek(Token![|]) {
            return Ok(lhs);
        }
        let pipe: Token![|] = input.parse()?;
        expect_operand(input, "|", pipe.span)?;
        let rhs = parse_and(input)?;
        lhs = PermExpr::Or(Box::new(lhs), pipe, Box::new(rhs));
    }
}

fn parse_and(input: ParseStream<'_>) -> syn::Result<PermExpr<syn::Path>> {
    let mut lhs = parse_unary(input)?;
    loop {
        reject_doubled(input)?;
        if !input.peek(Token![&]) {
            return Ok(lhs);
        }
        let amp: Token![&] = input.parse()?;
        expect_operand(input, "&", amp.span)?;
        let rhs = parse_unary(input)?;
        lhs = PermExpr::And(Box::new(lhs), amp, Box::new(rhs));
    }
}

fn parse_unary(input: ParseStream<'_>) -> syn::Result<PermExpr<syn::Path>> {
    if input.peek(Token![!]) && !input.peek(Token![!=]) {
        let bang: Token![!] = input.parse()?;
        expect_operand(input, "!", bang.span)?;
        return Ok(PermExpr::Not(bang, Box::new(parse_unary(input)?)));
    }
    parse_primary(input)
}

fn parse_primary(input: ParseStream<'_>) -> syn::Result<PermExpr<syn::Path>> {
    if input.peek(token::Paren) {
        let content;
        let paren = syn::parenthesized!(content in input);
        if content.is_empty() {
            return Err(Msg::new("empty parentheses in a permission expression")
                .help("write a permission inside them, or remove them")
                .at(paren.span.join()));
        }
        let expr = parse_expr(&content)?;
        if !content.is_empty() {
            return Err(after_operand(&content));
        }
        return Ok(PermExpr::Paren(paren, Box::new(expr)));
    }
    if let Some(err) = misused_operator(input) {
        return Err(err);
    }
    let (span, text) = describe_next(input);
    if matches!(text.as_str(), "&" | "|") {
        return Err(Msg::new(format!("missing permission before `{text}`")).at(span));
    }
    Ok(PermExpr::Leaf(classes::parse_name(
        input,
        Kind::Permission,
    )?))
}

/// After an operator: there must be an operand, not the end of the list.
fn expect_operand(input: ParseStream<'_>, op: &str, span: Span) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![,]) {
        return Err(Msg::new(format!("missing permission after `{op}`")).at(span));
    }
    Ok(())
}

/// `&&`, `||`, `~` and Python's `and`/`or`/`not`: an operator of another language.
fn misused_operator(input: ParseStream<'_>) -> Option<syn::Error> {
    let (span, text) = describe_next(input);
    let instead = match text.as_str() {
        "&&" | "and" => "&",
        "||" | "or" => "|",
        "~" | "not" => "!",
        _ => return None,
    };
    if instead == "!" {
        return Some(
            Msg::new(format!("`{text}` is not a permission operator"))
                .help("use `!` to negate, as in `!IsAdminUser`")
                .at(span),
        );
    }
    Some(
        Msg::new(format!("`{text}` is not a permission operator"))
            .help(format!("use `{instead}`"))
            .at(span),
    )
}

fn reject_doubled(input: ParseStream<'_>) -> syn::Result<()> {
    let (_, text) = describe_next(input);
    if matches!(text.as_str(), "&&" | "||" | "and" | "or") {
        if let Some(err) = misused_operator(input) {
            return Err(err);
        }
    }
    Ok(())
}

/// Something other than an operator, `,` or the end follows an operand.
fn after_operand(input: ParseStream<'_>) -> syn::Error {
    if let Some(err) = misused_operator(input) {
        return err;
    }
    let (span, text) = describe_next(input);
    Msg::new(format!(
        "expected `,`, `&` or `|` after a permission, {}",
        found(&text)
    ))
    .at(span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::path_text;
    use quote::quote;
    use syn::parse::Parser;

    fn parse(tokens: TokenStream) -> syn::Result<Vec<String>> {
        let list = parse_list.parse2(tokens)?;
        Ok(list.iter().map(|e| e.key(&path_text)).collect())
    }

    fn err(tokens: TokenStream) -> String {
        parse(tokens)
            .map(|ok| panic!("parsed: {ok:?}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(parse(quote!(A & B | !C)).unwrap(), ["|(&(A,B),!C)"]);
        assert_eq!(parse(quote!(A | B & C)).unwrap(), ["|(A,&(B,C))"]);
        assert_eq!(parse(quote!(!A & B)).unwrap(), ["&(!A,B)"]);
        assert_eq!(parse(quote!(!!A)).unwrap(), ["!!A"]);
    }

    #[test]
    fn operators_are_left_associative_and_parentheses_group() {
        assert_eq!(parse(quote!(A & B & C)).unwrap(), ["&(&(A,B),C)"]);
        assert_eq!(parse(quote!(A | (B | C))).unwrap(), ["|(A,|(B,C))"]);
        assert_eq!(parse(quote!((A | B) & !(C))).unwrap(), ["&(|(A,B),!C)"]);
    }

    #[test]
    fn lists_split_at_commas() {
        assert_eq!(parse(quote!()).unwrap(), Vec::<String>::new());
        assert_eq!(
            parse(quote!(IsAuthenticated, crate::perms::IsOwner | IsAdminUser,)).unwrap(),
            ["IsAuthenticated", "|(crate::perms::IsOwner,IsAdminUser)"]
        );
    }

    #[test]
    fn text_keeps_the_written_form() {
        let list = parse_list.parse2(quote!((A | B) & !C)).unwrap();
        assert_eq!(list[0].text(&path_text), "(A | B) & !C");
    }

    #[test]
    fn malformed_expressions_are_clear_errors() {
        assert_eq!(err(quote!(A &)), "missing permission after `&`");
        assert_eq!(err(quote!(A |, B)), "missing permission after `|`");
        assert_eq!(err(quote!(!)), "missing permission after `!`");
        assert_eq!(err(quote!(&A)), "missing permission before `&`");
        assert_eq!(err(quote!(A, | B)), "missing permission before `|`");
        assert_eq!(
            err(quote!(A & ())),
            "empty parentheses in a permission expression\n= help: write a permission inside them, or remove them"
        );
        assert_eq!(
            err(quote!(A && B)),
            "`&&` is not a permission operator\n= help: use `&`"
        );
        assert_eq!(
            err(quote!(A || B)),
            "`||` is not a permission operator\n= help: use `|`"
        );
        assert_eq!(
            err(quote!(A and B)),
            "`and` is not a permission operator\n= help: use `&`"
        );
        assert_eq!(
            err(quote!(~A)),
            "`~` is not a permission operator\n= help: use `!` to negate, as in `!IsAdminUser`"
        );
        assert_eq!(
            err(quote!(A B)),
            "expected `,`, `&` or `|` after a permission, found `B`"
        );
        assert_eq!(
            err(quote!((A B))),
            "expected `,`, `&` or `|` after a permission, found `B`"
        );
        assert_eq!(
            err(quote!(A != B)),
            "expected `,`, `&` or `|` after a permission, found `!=`"
        );
        assert_eq!(err(quote!(A & 1)), "expected a permission, found `1`");
    }
}
