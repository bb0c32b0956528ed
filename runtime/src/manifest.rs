//! The route manifest: what every registered view declares (methods, schemes, permissions,
//! throttles, scope) and which of it comes from the settings' defaults, as the `show_urls`
//! command prints it.

use serde::Serialize;

use crate::authentication::AuthenticationList;
use crate::settings::Settings;
use crate::view::{
    AuthenticationClasses, PermissionClasses, Perms, Schemes, ThrottleClasses, Throttles, View,
    allowed_methods,
};

/// One route's declarations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteInfo {
    /// The path pattern, as given to `Router::route`.
    pub path: String,
    /// The view's name (DRF's `get_view_name`).
    pub view: &'static str,
    /// The methods it answers, OPTIONS last.
    pub methods: Vec<&'static str>,
    /// The authentication schemes, in order.
    pub schemes: Vec<&'static str>,
    /// The schemes come from `DEFAULT_AUTHENTICATION_CLASSES`.
    pub schemes_from_settings: bool,
    /// The permission list, each an expression (`IsAuthenticated & !IsAdminUser`).
    pub permissions: Vec<String>,
    /// The permissions come from `DEFAULT_PERMISSION_CLASSES`.
    pub permissions_from_settings: bool,
    /// The throttles, in order.
    pub throttles: Vec<String>,
    /// The throttles come from `DEFAULT_THROTTLE_CLASSES`.
    pub throttles_from_settings: bool,
    /// DRF's `throttle_scope`.
    pub throttle_scope: Option<&'static str>,
}

/// The declarations of view `V` under settings `S`, at `path`.
pub(crate) fn describe<V: View, S: Settings>(path: &str) -> RouteInfo {
    RouteInfo {
        path: path.to_owned(),
        view: V::NAME,
        methods: allowed_methods(V::METHODS),
        schemes: <Schemes<V, S> as AuthenticationList>::names(),
        schemes_from_settings: <V::Authentication as AuthenticationClasses>::FROM_SETTINGS,
        permissions: tuple_items(std::any::type_name::<Perms<V, S>>())
            .iter()
            .map(|p| expression(p))
            .collect(),
        permissions_from_settings: <V::Permission as PermissionClasses>::FROM_SETTINGS,
        throttles: tuple_items(std::any::type_name::<Throttles<V, S>>()),
        throttles_from_settings: <V::Throttle as ThrottleClasses>::FROM_SETTINGS,
        throttle_scope: V::THROTTLE_SCOPE,
    }
}

/// The items of a tuple's type name, without module paths: `(a::A, b::B<c::C>)` is
/// `["A", "B<C>"]`; `()` is empty.
fn tuple_items(type_name: &str) -> Vec<String> {
    let short = crate::audit::short_type_name(type_name);
    let inner = short
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(&short);
    split_top(inner, ',')
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `s` split at `sep` outside `<…>`.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A permission type written as `#[permission_classes]` writes it: `And<A, Not<B>>` is
/// `A & !B`, `Or<A, And<B, C>>` is `A | B & C` (`&` binds tighter, as in Python).
fn expression(ty: &str) -> String {
    fn render(ty: &str, parent_and: bool) -> String {
        let ty = ty.trim();
        let (name, args) = match ty.find('<') {
            Some(i) if ty.ends_with('>') => (&ty[..i], split_top(&ty[i + 1..ty.len() - 1], ',')),
            _ => return ty.to_owned(),
        };
        match (name, args.as_slice()) {
            ("Not", [a]) => {
                let inner = render(a, false);
                if a.trim().starts_with("And<") || a.trim().starts_with("Or<") {
                    format!("!({inner})")
                } else {
                    format!("!{inner}")
                }
            }
            ("And", [a, b]) => format!("{} & {}", render(a, true), render(b, true)),
            ("Or", [a, b]) => {
                let text = format!("{} | {}", render(a, false), render(b, false));
                if parent_and {
                    format!("({text})")
                } else {
                    text
                }
            }
            _ => ty.to_owned(),
        }
    }
    render(ty, false)
}

/// The manifest as text: one block per route, `(settings)` after what the defaults gave.
pub fn to_text(routes: &[RouteInfo]) -> String {
    let mut out = String::new();
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let mark = |from_settings: bool| if from_settings { " (settings)" } else { "" };
    for r in routes {
        let schemes: Vec<String> = r.schemes.iter().map(|s| (*s).to_owned()).collect();
        out.push_str(&format!(
            "{}  {}  [{}]\n",
            r.path,
            r.view,
            r.methods.join(", ")
        ));
        out.push_str(&format!(
            "    authentication: {}{}\n",
            list(&schemes),
            mark(r.schemes_from_settings)
        ));
        out.push_str(&format!(
            "    permissions:    {}{}\n",
            list(&r.permissions),
            mark(r.permissions_from_settings)
        ));
        let mut throttles = format!(
            "    throttles:      {}{}",
            list(&r.throttles),
            mark(r.throttles_from_settings)
        );
        if let Some(scope) = r.throttle_scope {
            throttles.push_str(&format!(", scope {scope}"));
        }
        out.push_str(&throttles);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_types_read_as_expressions() {
        assert_eq!(expression("IsAuthenticated"), "IsAuthenticated");
        assert_eq!(
            expression("And<IsAuthenticated, Not<IsAdminUser>>"),
            "IsAuthenticated & !IsAdminUser"
        );
        assert_eq!(expression("Or<A, And<B, C>>"), "A | B & C");
        assert_eq!(expression("And<Or<A, B>, C>"), "(A | B) & C");
        assert_eq!(expression("Not<Or<A, B>>"), "!(A | B)");
        assert_eq!(expression("Not<And<A, B>>"), "!(A & B)");
        assert_eq!(expression("Not<Not<A>>"), "!!A");
        assert_eq!(
            tuple_items("(drf::IsAuthenticated, drf::And<x::A, x::Not<x::B>>)"),
            ["IsAuthenticated", "And<A, Not<B>>"]
        );
        assert!(tuple_items("()").is_empty());
        assert_eq!(tuple_items("(drf::AllowAny,)"), ["AllowAny"]);
    }
}
