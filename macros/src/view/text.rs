//! The OPTIONS name and description of a view, computed at compile time exactly as DRF's
//! `get_view_name` and `get_view_description` do for an `@api_view` function.

/// DRF's `get_view_name` for a function-based view: the function's name, without a trailing
/// `View` / `ViewSet`, through `camelcase_to_spaces` (`token_basic` → `Token Basic`).
pub(crate) fn view_name(fn_name: &str) -> String {
    let name = remove_trailing(fn_name, "View");
    let name = remove_trailing(name, "ViewSet");
    camelcase_to_spaces(name)
}

/// DRF's `remove_trailing_string`: strips `trailing` unless that is the whole name.
fn remove_trailing<'a>(content: &'a str, trailing: &str) -> &'a str {
    match content.strip_suffix(trailing) {
        Some(rest) if !rest.is_empty() => rest,
        _ => content,
    }
}

/// DRF's `camelcase_to_spaces`: a space before every ASCII capital that follows a lowercase
/// ASCII letter or begins a word (`(?<=[a-z])[A-Z]|[A-Z](?![A-Z]|$)`), `.strip()`, `_` → space,
/// then Python's `str.title()`.
fn camelcase_to_spaces(content: &str) -> String {
    let chars: Vec<char> = content.chars().collect();
    let mut spaced = String::with_capacity(content.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let after_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
            let starts_word = chars.get(i + 1).is_some_and(|n| !n.is_ascii_uppercase());
            if after_lower || starts_word {
                spaced.push(' ');
            }
        }
        spaced.push(c);
    }
    python_title(&spaced.trim().replace('_', " "))
}

/// Python's `str.title()`: a cased character is upper-cased after an uncased one and
/// lower-cased after a cased one.
fn python_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for c in s.chars() {
        let cased = c.is_lowercase() || c.is_uppercase();
        if previous_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        previous_cased = cased;
    }
    out
}

/// DRF's `get_view_description` without HTML: the doc text (`#[doc]` lines joined by
/// newlines), through `formatting.dedent`: the smallest indentation of the non-blank lines
/// after the first (spaces, else tabs) is removed from the start of every line, then the text
/// is stripped.
pub(crate) fn description(doc_lines: &[String]) -> String {
    let content = doc_lines.join("\n");
    let rest: Vec<&str> = content
        .lines()
        .skip(1)
        .filter(|l| !python_strip(l).is_empty())
        .collect();
    let mut text = content.clone();
    if !rest.is_empty() {
        let indent = |ch: char| {
            rest.iter()
                .map(|l| l.len() - l.trim_start_matches(ch).len())
                .min()
                .unwrap_or(0)
        };
        let (spaces, tabs) = (indent(' '), indent('\t'));
        let prefix = if spaces > 0 {
            " ".repeat(spaces)
        } else {
            "\t".repeat(tabs)
        };
        if !prefix.is_empty() {
            text = content
                .split('\n')
                .map(|l| l.strip_prefix(prefix.as_str()).unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n");
        }
    }
    python_strip(&text).to_owned()
}

/// Python's `str.strip()` (Unicode whitespace).
fn python_strip(s: &str) -> &str {
    s.trim_matches(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names_become_titles() {
        assert_eq!(view_name("token_basic"), "Token Basic");
        assert_eq!(view_name("admin_only"), "Admin Only");
        assert_eq!(view_name("basic"), "Basic");
        assert_eq!(view_name("add_data"), "Add Data");
        assert_eq!(view_name("v2_api"), "V2 Api");
        assert_eq!(view_name("note_detail2x"), "Note Detail2X");
    }

    #[test]
    fn view_and_viewset_suffixes_are_dropped_case_sensitively() {
        assert_eq!(view_name("notesView"), "Notes");
        assert_eq!(view_name("notes_view"), "Notes View");
        assert_eq!(view_name("NotesViewSet"), "Notes");
        assert_eq!(view_name("View"), "View");
        assert_eq!(view_name("UserViewViewSet"), "User View");
    }

    #[test]
    fn camel_case_is_spaced_as_drf_does() {
        assert_eq!(view_name("getHTTPResponse"), "Get Http Response");
        assert_eq!(view_name("ABC"), "Abc");
        assert_eq!(view_name("_private"), " Private");
        assert_eq!(view_name("a__b"), "A  B");
    }

    #[test]
    fn descriptions_are_dedented_and_stripped() {
        let lines = |ls: &[&str]| ls.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(description(&lines(&[" Doc text."])), "Doc text.");
        assert_eq!(description(&[]), "");
        assert_eq!(
            description(&lines(&[" Notes.", "", " Lists them:", "   - indented"])),
            "Notes.\n\nLists them:\n  - indented"
        );
        assert_eq!(description(&lines(&["First", "\tSecond"])), "First\nSecond");
    }
}
