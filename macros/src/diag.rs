//! Diagnostics: the serde-style error accumulator [`Ctxt`], rustc-style messages with folded
//! `= help:` / `= note:` lines ([`Msg`]), and [`closest`] for "did you mean" suggestions.

use std::cell::RefCell;
use std::fmt;

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::ParseStream;

/// Collects every independent error of one macro invocation, so one compile shows them all.
///
/// Dropping a `Ctxt` without calling [`Ctxt::check`] is a bug in the macro and panics, so an
/// error can never be lost silently.
pub(crate) struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Self {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error spanned over `tokens` (first to last token).
    pub(crate) fn error_spanned_by<T: ToTokens>(&self, tokens: T, msg: impl fmt::Display) {
        self.push(syn::Error::new_spanned(tokens.into_token_stream(), msg));
    }

    /// Records an error at `span`.
    pub(crate) fn error_at(&self, span: Span, msg: impl fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Records a parse error.
    pub(crate) fn syn_error(&self, err: syn::Error) {
        self.push(err);
    }

    fn push(&self, err: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt used after check")
            .push(err);
    }

    /// Consumes the context: all recorded errors, combined into one.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut iter = errors.into_iter();
        match iter.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(iter);
                Err(first)
            }
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("drf-macros: Ctxt dropped without check()");
        }
    }
}

/// A rustc-style message: lowercase, code in backticks, no final period; help and notes are
/// folded into the text as `= help: …` lines, so stable and nightly render it alike.
#[derive(Debug, Clone)]
pub(crate) struct Msg(String);

impl Msg {
    pub(crate) fn new(text: impl fmt::Display) -> Self {
        Self(text.to_string())
    }

    /// Adds a `= help: …` line (what to write instead).
    #[must_use]
    pub(crate) fn help(mut self, text: impl fmt::Display) -> Self {
        self.0.push_str(&format!("\n= help: {text}"));
        self
    }

    /// Adds a `= note: …` line (why, or what is known).
    #[must_use]
    pub(crate) fn note(mut self, text: impl fmt::Display) -> Self {
        self.0.push_str(&format!("\n= note: {text}"));
        self
    }

    /// A `syn::Error` at `span` (a token, or a run of joint punctuation) with this message.
    pub(crate) fn at(self, span: impl Into<SpanRange>) -> syn::Error {
        let SpanRange { first, last } = span.into();
        let ends: TokenStream = [first, last]
            .into_iter()
            .map(|s| TokenTree::from(proc_macro2::Ident::new("x", s)))
            .collect();
        syn::Error::new_spanned(ends, self)
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// From one token's span to another's: an error underlines both and what lies between (a span
/// cannot be joined on stable).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpanRange {
    first: Span,
    last: Span,
}

impl From<Span> for SpanRange {
    fn from(span: Span) -> Self {
        Self {
            first: span,
            last: span,
        }
    }
}

/// `a`, `b` and `c`: code items in backticks joined as an English list.
pub(crate) fn list_code<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The candidate a misspelled `word` most likely meant: one equal ignoring case, else the
/// nearest within edit distance 2 (ties go to the earlier candidate).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for cand in candidates {
        if cand == word {
            continue;
        }
        let distance = if cand.to_lowercase() == lower {
            0
        } else {
            edit_distance(word, cand)
        };
        if distance <= 2 && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, cand));
        }
    }
    best.map(|(_, cand)| cand)
}

/// Levenshtein distance over chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The next token of `input` as rustc would quote it in "found `…`", with its span. Joint
/// punctuation is taken whole (`&&`, `||`, `!=`); a group is named by its opening delimiter.
pub(crate) fn describe_next(input: ParseStream<'_>) -> (SpanRange, String) {
    let cursor = input.cursor();
    if let Some((punct, mut rest)) = cursor.punct() {
        let mut text = punct.as_char().to_string();
        let mut spacing = punct.spacing();
        let mut last = punct.span();
        while spacing == proc_macro2::Spacing::Joint {
            match rest.punct() {
                Some((next, after)) => {
                    text.push(next.as_char());
                    spacing = next.spacing();
                    last = next.span();
                    rest = after;
                }
                None => break,
            }
        }
        let range = SpanRange {
            first: punct.span(),
            last,
        };
        return (range, text);
    }
    let (span, text) = match cursor.token_tree() {
        Some((TokenTree::Group(group), _)) => match group.delimiter() {
            Delimiter::Parenthesis => (group.span_open(), "(".to_owned()),
            Delimiter::Bracket => (group.span_open(), "[".to_owned()),
            Delimiter::Brace => (group.span_open(), "{".to_owned()),
            Delimiter::None => (group.span(), group.stream().to_string()),
        },
        Some((tt, _)) => (tt.span(), tt.to_string()),
        None => (input.span(), "end of input".to_owned()),
    };
    (span.into(), text)
}

/// `found `x`` for a token, or `found end of input`.
pub(crate) fn found(text: &str) -> String {
    if text == "end of input" {
        "found end of input".to_owned()
    } else {
        format!("found `{text}`")
    }
}

/// Writes a path as a user wrote it (`crate::auth::Bearer`, `Custom<u8>`), without the spaces
/// token printing inserts.
pub(crate) fn path_text(path: &syn::Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, seg) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&seg.ident.to_string());
        match &seg.arguments {
            syn::PathArguments::None => {}
            args => out.push_str(&compact(args.to_token_stream())),
        }
    }
    out
}

fn compact(tokens: TokenStream) -> String {
    let text = tokens.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.peek().copied();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if word(prev) && word(next) {
                out.push(' ');
            } else if next == Some(',') || prev != Some(',') {
                continue;
            } else {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions() {
        assert_eq!(edit_distance("Tokn", "Token"), 1);
        assert_eq!(edit_distance("GETT", "GET"), 1);
        assert_eq!(edit_distance("Basci", "Basic"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_prefers_case_insensitive_then_nearest() {
        let names = ["Basic", "Token", "Session"];
        assert_eq!(closest("Tokn", names), Some("Token"));
        assert_eq!(closest("token", names), Some("Token"));
        assert_eq!(closest("SESSION", names), Some("Session"));
        assert_eq!(closest("Bearer", names), None);
        assert_eq!(
            closest("Token", names),
            None,
            "an exact match is not a near miss"
        );
        assert_eq!(
            closest("POT", ["PUT", "POST"]),
            Some("PUT"),
            "ties go to the first"
        );
    }

    #[test]
    fn list_code_joins_in_english() {
        assert_eq!(list_code([]), "");
        assert_eq!(list_code(["a"]), "`a`");
        assert_eq!(list_code(["a", "b", "c"]), "`a`, `b` and `c`");
    }

    #[test]
    fn messages_fold_help_and_note() {
        let m = Msg::new("unknown x `y`")
            .help("did you mean `z`?")
            .note("n");
        assert_eq!(
            m.to_string(),
            "unknown x `y`\n= help: did you mean `z`?\n= note: n"
        );
    }

    #[test]
    fn paths_print_as_written() {
        let p: syn::Path = syn::parse_quote!(crate::auth::Bearer);
        assert_eq!(path_text(&p), "crate::auth::Bearer");
        let p: syn::Path = syn::parse_quote!(::x::Custom<u8, Vec<String>>);
        assert_eq!(path_text(&p), "::x::Custom<u8, Vec<String>>");
    }

    #[test]
    #[should_panic(expected = "without check")]
    fn unchecked_ctxt_panics() {
        let _cx = Ctxt::new();
    }
}
