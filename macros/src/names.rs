//! The one table of built-in names: short names, DRF's long names as aliases, what kind of
//! class each is, and the runtime item it stands for.

use crate::diag::closest;

/// What a class list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[authentication_classes]`, `DEFAULT_AUTHENTICATION_CLASSES`.
    Scheme,
    /// `#[permission_classes]`, `DEFAULT_PERMISSION_CLASSES`.
    Permission,
    /// `#[throttle_classes]`, `DEFAULT_THROTTLE_CLASSES`.
    Throttle,
    /// `#[renderer_classes]`, `DEFAULT_RENDERER_CLASSES`.
    Renderer,
}

impl Kind {
    /// `authentication scheme`.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Self::Scheme => "authentication scheme",
            Self::Permission => "permission",
            Self::Throttle => "throttle",
            Self::Renderer => "renderer",
        }
    }

    /// `an authentication scheme`.
    pub(crate) fn a_noun(self) -> &'static str {
        match self {
            Self::Scheme => "an authentication scheme",
            Self::Permission => "a permission",
            Self::Throttle => "a throttle",
            Self::Renderer => "a renderer",
        }
    }

    /// `authentication schemes`.
    pub(crate) fn plural(self) -> &'static str {
        match self {
            Self::Scheme => "authentication schemes",
            Self::Permission => "permissions",
            Self::Throttle => "throttles",
            Self::Renderer => "renderers",
        }
    }

    /// The view attribute holding this kind.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Self::Scheme => "authentication_classes",
            Self::Permission => "permission_classes",
            Self::Throttle => "throttle_classes",
            Self::Renderer => "renderer_classes",
        }
    }

    /// The setting holding this kind.
    pub(crate) fn setting(self) -> &'static str {
        match self {
            Self::Scheme => "DEFAULT_AUTHENTICATION_CLASSES",
            Self::Permission => "DEFAULT_PERMISSION_CLASSES",
            Self::Throttle => "DEFAULT_THROTTLE_CLASSES",
            Self::Renderer => "DEFAULT_RENDERER_CLASSES",
        }
    }
}

/// One built-in name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The name as written (`Token` or DRF's `TokenAuthentication`).
    pub(crate) name: &'static str,
    /// What it is.
    pub(crate) kind: Kind,
    /// The short name it stands for (equal to `name` unless an alias).
    pub(crate) canonical: &'static str,
    /// The item of `::drf::__private` it expands to.
    pub(crate) runtime: &'static str,
}

impl Entry {
    /// True for DRF's long names.
    pub(crate) fn is_alias(&self) -> bool {
        self.name != self.canonical
    }
}

const fn entry(name: &'static str, kind: Kind, canonical: &'static str) -> Entry {
    Entry {
        name,
        kind,
        canonical,
        runtime: canonical,
    }
}

/// Every built-in, short names first within each kind.
pub(crate) static TABLE: &[Entry] = &[
    entry("Basic", Kind::Scheme, "Basic"),
    entry("Session", Kind::Scheme, "Session"),
    entry("Token", Kind::Scheme, "Token"),
    entry("BasicAuthentication", Kind::Scheme, "Basic"),
    entry("SessionAuthentication", Kind::Scheme, "Session"),
    entry("TokenAuthentication", Kind::Scheme, "Token"),
    entry("AllowAny", Kind::Permission, "AllowAny"),
    entry("IsAuthenticated", Kind::Permission, "IsAuthenticated"),
    entry("IsAdminUser", Kind::Permission, "IsAdminUser"),
    entry(
        "IsAuthenticatedOrReadOnly",
        Kind::Permission,
        "IsAuthenticatedOrReadOnly",
    ),
    entry("AnonRate", Kind::Throttle, "AnonRate"),
    entry("ScopedRate", Kind::Throttle, "ScopedRate"),
    entry("UserRate", Kind::Throttle, "UserRate"),
    entry("AnonRateThrottle", Kind::Throttle, "AnonRate"),
    entry("ScopedRateThrottle", Kind::Throttle, "ScopedRate"),
    entry("UserRateThrottle", Kind::Throttle, "UserRate"),
    entry(
        "BrowsableAPIRenderer",
        Kind::Renderer,
        "BrowsableAPIRenderer",
    ),
    entry("JSONRenderer", Kind::Renderer, "JSONRenderer"),
];

/// The built-in spelled exactly `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Entry> {
    TABLE.iter().find(|e| e.name == name)
}

/// The built-in `name` is a near miss of (equal ignoring case, or within edit distance 2),
/// preferring one of `kind` when several are equally close.
pub(crate) fn near_miss(name: &str, kind: Kind) -> Option<&'static Entry> {
    let same_kind = TABLE.iter().filter(|e| e.kind == kind).map(|e| e.name);
    let other_kinds = TABLE.iter().filter(|e| e.kind != kind).map(|e| e.name);
    let best = closest(name, same_kind);
    let other = closest(name, other_kinds);
    let pick = match (best, other) {
        (Some(b), Some(o)) => {
            let d = |c: &str| {
                if c.eq_ignore_ascii_case(name) {
                    0
                } else {
                    crate::diag::edit_distance(name, c)
                }
            };
            if d(o) < d(b) { o } else { b }
        }
        (Some(b), None) => b,
        (None, Some(o)) => o,
        (None, None) => return None,
    };
    lookup(pick)
}

/// The short names of `kind`, for notes.
pub(crate) fn short_names(kind: Kind) -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(move |e| e.kind == kind && !e.is_alias())
        .map(|e| e.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_points_at_a_short_name_of_its_kind() {
        for e in TABLE {
            let canonical = lookup(e.canonical).expect(e.canonical);
            assert!(!canonical.is_alias(), "{}", e.name);
            assert_eq!(canonical.kind, e.kind, "{}", e.name);
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            assert!(
                TABLE[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn drf_long_names_are_aliases() {
        assert_eq!(lookup("TokenAuthentication").unwrap().canonical, "Token");
        assert_eq!(lookup("BasicAuthentication").unwrap().canonical, "Basic");
        assert_eq!(
            lookup("SessionAuthentication").unwrap().canonical,
            "Session"
        );
        assert_eq!(lookup("UserRateThrottle").unwrap().canonical, "UserRate");
        assert_eq!(lookup("IsAdminUser").unwrap().kind, Kind::Permission);
        assert!(lookup("Bearer").is_none());
    }

    #[test]
    fn near_misses_are_found_across_kinds() {
        assert_eq!(near_miss("Tokn", Kind::Scheme).unwrap().name, "Token");
        assert_eq!(near_miss("basic", Kind::Scheme).unwrap().name, "Basic");
        assert_eq!(
            near_miss("IsAuthenticted", Kind::Scheme).unwrap().name,
            "IsAuthenticated"
        );
        assert_eq!(
            near_miss("isadminuser", Kind::Permission).unwrap().name,
            "IsAdminUser"
        );
        assert_eq!(
            near_miss("TokenAuthentiction", Kind::Scheme).unwrap().name,
            "TokenAuthentication"
        );
        assert!(near_miss("Bearer", Kind::Scheme).is_none());
        assert!(near_miss("IsOwner", Kind::Permission).is_none());
        assert!(
            near_miss("Token", Kind::Scheme).is_none(),
            "exact names are not near misses"
        );
    }

    #[test]
    fn short_names_are_listed_per_kind() {
        assert_eq!(
            short_names(Kind::Scheme).collect::<Vec<_>>(),
            ["Basic", "Session", "Token"]
        );
        assert_eq!(short_names(Kind::Permission).count(), 4);
    }
}
