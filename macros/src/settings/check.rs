//! Every rule of `settings!`: the names of each list (with the same code as the view
//! attributes), the throttle rates, the token keyword, the iteration count, and the scopes the
//! listed throttles read. Each independent error is recorded; nothing is emitted here.

use proc_macro2::Span;
use syn::LitStr;

use crate::classes::{self, ClassRef, List, Place};
use crate::diag::{Ctxt, Msg, list_code, path_text};
use crate::names::Kind;
use crate::perm_expr::PermExpr;
use crate::rate_grammar;
use crate::settings::parse::{Input, RateEntry, Value, expects};
use crate::view;

/// One entry of `DEFAULT_THROTTLE_RATES`: the scope, and its rate as (requests, seconds).
pub(crate) struct ScopeRate {
    pub(crate) scope: String,
    pub(crate) rate: Option<(u32, u32)>,
}

/// The checked settings; `None` leaves a setting to DRF's default. Meaningful only if the
/// [`Ctxt`] holds no error.
#[derive(Default)]
pub(crate) struct Spec {
    pub(crate) authentication: Option<List<ClassRef>>,
    pub(crate) permission: Option<List<PermExpr<ClassRef>>>,
    pub(crate) throttle: Option<List<ClassRef>>,
    pub(crate) renderer: Option<List<ClassRef>>,
    pub(crate) throttle_rates: Option<Vec<ScopeRate>>,
    pub(crate) token_keyword: Option<LitStr>,
    pub(crate) password_iterations: Option<(u32, Span)>,
    pub(crate) unauthenticated_user: Option<syn::Path>,
    pub(crate) unauthenticated_token: Option<syn::Path>,
    pub(crate) append_slash: Option<syn::LitBool>,
    /// `LOGIN_FAILURE_RATE`: the rate (`None` for DRF-style `None`), spanned at the value.
    pub(crate) login_failure_rate: Option<(Option<(u32, u32)>, Span)>,
    /// `LOGIN_FAILURE_RATE_PER_CLIENT`, likewise.
    pub(crate) login_failure_rate_per_client: Option<(Option<(u32, u32)>, Span)>,
}

/// Checks every entry of `input`, in the order written.
pub(crate) fn check(cx: &Ctxt, input: Input) -> Spec {
    let mut spec = Spec::default();
    for entry in input.entries {
        let name = entry.key.to_string();
        match entry.value {
            Value::Classes(kind, list) => {
                if kind == Kind::Renderer {
                    classes::check_not_empty(cx, &list, Place::Settings);
                }
                let items = classes::resolve_list(cx, &list.items, kind, Place::Settings);
                classes::check_len(cx, &list.items, kind);
                let list = List {
                    span: list.span,
                    delim: list.delim,
                    items,
                };
                match kind {
                    Kind::Scheme => spec.authentication = Some(list),
                    Kind::Renderer => spec.renderer = Some(list),
                    _ => spec.throttle = Some(list),
                }
            }
            Value::Permissions(list) => {
                let items = view::permissions(cx, &list.items, Place::Settings);
                classes::check_len(cx, &list.items, Kind::Permission);
                spec.permission = Some(List {
                    span: list.span,
                    delim: list.delim,
                    items,
                });
            }
            Value::ThrottleRates(rates) => spec.throttle_rates = Some(throttle_rates(cx, rates)),
            Value::TokenKeyword(lit) => {
                let value = lit.value();
                if value.is_empty() || !value.bytes().all(is_tchar) {
                    cx.syn_error(Msg::new(format!("invalid `TOKEN_KEYWORD` `{}`", lit.token()))
                        .note("the keyword is the scheme word of the `Authorization` header: no spaces, quotes or separators")
                        .at(lit.span()));
                }
                spec.token_keyword = Some(lit);
            }
            Value::PasswordIterations(lit) => {
                let n = match lit.suffix() {
                    "" | "u32" => lit.base10_parse::<u32>().ok().filter(|n| *n > 0),
                    _ => None,
                };
                match n {
                    Some(n) => spec.password_iterations = Some((n, lit.span())),
                    None => cx.syn_error(expects(&name).at(lit.span())),
                }
            }
            Value::UnauthenticatedUser(path) => spec.unauthenticated_user = Some(path),
            Value::UnauthenticatedToken(path) => spec.unauthenticated_token = Some(path),
            Value::AppendSlash(lit) => spec.append_slash = Some(lit),
            Value::LoginFailureRate(value) => {
                let checked = match value {
                    Ok(lit) => {
                        let checked = rate(cx, &lit);
                        if checked.is_some_and(|(n, _)| n == 0) {
                            cx.syn_error(
                                Msg::new(format!(
                                    "`{name}` must allow at least one failed login per period"
                                ))
                                .help("a rate of 0 would refuse every login; write `None` to turn the limit off")
                                .at(lit.span()),
                            );
                        }
                        (checked, lit.span())
                    }
                    Err(none) => (None, none.span()),
                };
                if name == "LOGIN_FAILURE_RATE" {
                    spec.login_failure_rate = Some(checked);
                } else {
                    spec.login_failure_rate_per_client = Some(checked);
                }
            }
        }
    }
    rates_of_classes(cx, &spec);
    spec
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A rate in the runtime's grammar (the one `Rate::parse` reads), or the error at `lit`.
fn rate(cx: &Ctxt, lit: &LitStr) -> Option<(u32, u32)> {
    let rate = rate_grammar::parse(&lit.value());
    if rate.is_none() {
        let periods = list_code(rate_grammar::PERIODS.iter().map(|(p, _)| *p));
        cx.syn_error(
            Msg::new(format!("invalid throttle rate `{}`", lit.token()))
                .help(format!(
                    "write `\"N/PERIOD\"` with PERIOD one of {}, as in `\"100/day\"`",
                    periods.replace(" and ", " or ")
                ))
                .at(lit.span()),
        );
    }
    rate
}

/// Each scope once, each rate in the runtime's grammar (the one `Rate::parse` reads). A scope
/// with an invalid rate is still listed, so that no "has none" follows from it.
fn throttle_rates(cx: &Ctxt, written: Vec<RateEntry>) -> Vec<ScopeRate> {
    let mut out: Vec<ScopeRate> = Vec::new();
    for entry in written {
        if out.iter().any(|r| r.scope == entry.scope) {
            let scope = &entry.scope;
            cx.error_spanned_by(
                &entry.scope_tokens,
                Msg::new(format!("duplicate throttle scope `{scope}`"))
                    .note(format!("`{scope}` already has a rate")),
            );
            continue;
        }
        let rate = entry.rate.as_ref().and_then(|lit| rate(cx, lit));
        out.push(ScopeRate {
            scope: entry.scope,
            rate,
        });
    }
    out
}

/// `AnonRate` and `UserRate` in `DEFAULT_THROTTLE_CLASSES` read the scopes `anon` and `user`:
/// when `DEFAULT_THROTTLE_RATES` is given, it must have them (DRF's defaults do).
fn rates_of_classes(cx: &Ctxt, spec: &Spec) {
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
                    path_text(&class.written)
                ))
                .help(format!(
                    "add `{scope}: \"100/day\"` (or `{scope}: None` for no limit) to `DEFAULT_THROTTLE_RATES`"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_rate(rate: &str) -> bool {
        rate_grammar::parse(rate).is_some()
    }

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
}
