//! The runtime's files import each other one way only: no file reaches, through its `crate::`
//! and `super::` paths, a file that reaches it back (ARCHITECTURE.md).
//!
//! The graph is read from the source text: a path `crate::a::b::C` depends on the longest
//! prefix that is a module file (`a/b.rs`, `a/b/mod.rs`, else `a.rs`, `a/mod.rs`), so a
//! re-export through `a/mod.rs` counts as a dependency on `a/mod.rs`. Unit tests (`tests.rs`,
//! `mod tests` at the end of a file) are left out: they may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["throttling", "rate"]`) → file, for every `.rs` file under `root`.
fn modules(root: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable source folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under root");
                let mut parts: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                out.insert(parts, rel.to_path_buf());
            }
        }
    }
    out
}

/// The source of a file without its comments and its trailing `mod tests`.
fn code_of(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i]);
    text.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path the code names after `crate::` or `super::`, resolved against `me`; a group
/// `a::{b, c::d}` names `a::b` and `a::c::d` (one level of braces is enough for this code).
fn named_paths(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                me[..me.len().saturating_sub(1)].to_vec()
            };
            let rest = &code[from..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let mut path = base;
            path.extend(
                rest[..end]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            if rest[..end].ends_with("::") && rest[end..].starts_with('{') {
                let group = &rest[end + 1..rest[end..].find('}').map_or(end, |j| end + j)];
                for item in group.split(',') {
                    let item = item.split_whitespace().next().unwrap_or("");
                    if !item.is_empty() && item != "self" {
                        let mut p = path.clone();
                        p.extend(item.split("::").map(str::to_owned));
                        out.push(p);
                    }
                }
            }
            out.push(path);
        }
    }
    out
}

#[test]
fn runtime_files_import_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/src");
    let mods = modules(&root);
    let file_of = |path: &[String]| (1..=path.len()).rev().find_map(|n| mods.get(&path[..n]));
    let mut edges: BTreeMap<&PathBuf, BTreeSet<&PathBuf>> = BTreeMap::new();
    for (me, file) in &mods {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "tests.rs" || file.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(root.join(file)).expect("readable source");
        for path in named_paths(&code_of(&text), me) {
            if let Some(target) = file_of(&path) {
                if target != file {
                    edges.entry(file).or_default().insert(target);
                }
            }
        }
    }
    // A file on a cycle reaches itself.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&PathBuf> = edges[start].iter().copied().collect();
        while let Some(f) = stack.pop() {
            if f == *start {
                cycles.push(start.display().to_string());
                break;
            }
            if seen.insert(f) {
                stack.extend(edges.get(f).into_iter().flatten().copied());
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "runtime files on an import cycle: {cycles:?}\n(edges: {edges:#?})"
    );
    assert!(
        edges.len() > 20,
        "the graph is read from runtime/src: {edges:#?}"
    );
}
