//! The repository's documentation stands on its own: run by `cargo test --workspace`, so CI
//! fails when
//!
//! - a file refers to a Markdown file (a path ending in `.md`) that is not a file of the
//!   repository, the path read relative to the referring file's directory or to the repository
//!   root (a path starting with `/` is read from the root, as GitHub reads links); a bare file
//!   name passes only if that file exists next to the referrer or at the root;
//! - a file names an absolute path under a home or work directory of some machine: a path that
//!   starts with `home`, `root`, `work` or `Users` at the root of the file system.
//!
//! Failures name the file and line. URLs (`scheme://…`) are not references.
//!
//! The files checked are those git would commit: `git ls-files --cached --others
//! --exclude-standard` (tracked files, plus new files not ignored), so a fresh checkout in CI
//! sees exactly the tracked files and a working tree sees its new ones before they are added,
//! while `target/`, virtual environments and other ignored files never count. Without git (an
//! unpacked source archive) the directory is walked instead, skipping `.git/`, `target/` and
//! the directories `.gitignore` files name (`venv/`, `__pycache__/`, `wip/`). Files that are not
//! UTF-8 (the SQLite fixture) are skipped.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Directories at the root of a file system that belong to one machine's users or checkouts.
const MACHINE_DIRS: [&str; 4] = ["home", "root", "work", "Users"];

/// Names the fallback walk never lists or enters (`.git` is a file in a git worktree).
const IGNORED_DIRS: [&str; 6] = [
    ".git",
    "target",
    "venv",
    "__pycache__",
    "wip",
    "node_modules",
];

#[test]
fn markdown_references_resolve_and_no_machine_paths() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (files, source) = repository_files(root);
    assert!(
        files.iter().any(|f| f == "Cargo.toml"),
        "no Cargo.toml among the {} files listed by {source}",
        files.len()
    );
    let mut problems = Vec::new();
    let mut scanned = 0;
    for file in &files {
        let Ok(bytes) = std::fs::read(root.join(file)) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        scanned += 1;
        problems.extend(check_text(file, &text, &files));
    }
    assert!(scanned > 0, "no text files found by {source}");
    assert!(
        problems.is_empty(),
        "{} problem(s) in the repository's files (listed by {source}):\n{}\n\n\
         Point references at files of the repository by a path relative to the root or to the \
         referring file (docs/django-compat.md, examples/conformance/README.md), and write paths \
         relative to the repository instead of a machine's absolute paths.",
        problems.len(),
        problems.join("\n")
    );
}

/// The repository's files, as paths relative to `root` with `/` separators, and how they were
/// listed.
fn repository_files(root: &Path) -> (BTreeSet<String>, &'static str) {
    let listed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output();
    match listed {
        Ok(out) if out.status.success() => {
            let files = out
                .stdout
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                // A tracked file deleted in the working tree is not there to be referred to.
                .filter(|p| root.join(p).is_file())
                .collect();
            (files, "git ls-files")
        }
        _ => {
            let mut files = BTreeSet::new();
            walk(root, "", &mut files);
            (files, "a directory walk (git unavailable)")
        }
    }
}

fn walk(root: &Path, rel: &str, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if IGNORED_DIRS.contains(&name.as_str()) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(root, &path, out),
            Ok(t) if t.is_file() => {
                out.insert(path);
            }
            _ => {}
        }
    }
}

/// Every problem of one file's text, as `file:line: message`.
fn check_text(file: &str, text: &str, files: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for target in markdown_references(line) {
            if !resolves(file, target, files) {
                problems.push(format!(
                    "{file}:{}: refers to `{target}`, which is not a file of the repository",
                    n + 1
                ));
            }
        }
        for path in machine_paths(line) {
            problems.push(format!(
                "{file}:{}: names `{path}`, an absolute path of one machine",
                n + 1
            ));
        }
    }
    problems
}

/// Characters that end a word in which a reference is looked for.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "`\"'()<>[]{},;|*=".contains(c)
}

/// The Markdown files a line refers to: within each word, a path ending in `.md` that is not
/// followed by a character that would continue a name (so `md-5` or `.mdx` are not references),
/// with any `#anchor` or `:line` after it ignored. Words that are URLs are skipped.
fn markdown_references(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for word in line.split(is_delimiter) {
        if word.contains("://") || word.starts_with("mailto:") {
            continue;
        }
        let mut from = 0;
        while let Some(i) = word[from..].find(".md") {
            let end = from + i + 3;
            let continues = word[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
            if !continues {
                let path = word[..end].trim_start_matches("./");
                let stem = path.rsplit('/').next().unwrap_or_default();
                if stem.len() > 3 && !stem.starts_with('.') {
                    found.push(path);
                }
                break;
            }
            from = end;
        }
    }
    found
}

/// Whether `target`, referred to from `referrer`, is one of `files`.
fn resolves(referrer: &str, target: &str, files: &BTreeSet<String>) -> bool {
    let candidates = match target.strip_prefix('/') {
        Some(from_root) => vec![normalize("", from_root)],
        None => {
            let dir = referrer.rsplit_once('/').map_or("", |(d, _)| d);
            vec![normalize(dir, target), normalize("", target)]
        }
    };
    candidates.into_iter().flatten().any(|p| files.contains(&p))
}

/// `base/rel` with `.` and `..` resolved; `None` if it leaves the repository.
fn normalize(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Absolute paths under a machine's home or work directories in a line: `/<dir>/` where `<dir>`
/// is one of [`MACHINE_DIRS`], not preceded by a character that would make it part of a
/// relative path or of a URL's host or path (`src/work/`, `https://host/work/`).
fn machine_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for dir in MACHINE_DIRS {
        let needle = format!("/{dir}/");
        let mut from = 0;
        while let Some(i) = line[from..].find(&needle) {
            let start = from + i;
            let part_of_something = line[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || "._-~$}".contains(c));
            if !part_of_something {
                let end = line[start..]
                    .find(is_delimiter)
                    .map_or(line.len(), |e| start + e);
                found.push(line[start..end].to_owned());
            }
            from = start + needle.len();
        }
    }
    found
}

// ---- the check itself ------------------------------------------------------------------------

fn files(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Joins parts at run time, so that this file never contains the texts it must catch.
fn j(parts: &[&str]) -> String {
    parts.concat()
}

#[test]
fn markdown_references_are_found_in_prose_code_and_links() {
    let md = ".md";
    for (line, want) in [
        (
            j(&["see DJANGO_COMPAT", md, " §4.2"]),
            vec![j(&["DJANGO_COMPAT", md])],
        ),
        (
            j(&["//! (docs/django-compat", md, " §1)"]),
            vec![j(&["docs/django-compat", md])],
        ),
        (
            j(&[
                "[the contract](../../examples/conformance/README",
                md,
                "#endpoints)",
            ]),
            vec![j(&["../../examples/conformance/README", md])],
        ),
        (
            j(&[
                "`tests/fixtures/DRF_RECORDING",
                md,
                "`, and README",
                md,
                ".",
            ]),
            vec![j(&["tests/fixtures/DRF_RECORDING", md]), j(&["README", md])],
        ),
        (
            j(&["readme = \"README", md, "\""]),
            vec![j(&["README", md])],
        ),
        (j(&["see ./NOTES", md, ":12"]), vec![j(&["NOTES", md])]),
        (
            j(&["(see /elsewhere/shared/CONFORMANCE", md, ")"]),
            vec![j(&["/elsewhere/shared/CONFORMANCE", md])],
        ),
        // Not references: URLs, other extensions, names that go on, bare extensions.
        (j(&["https://example.com/x/README", md]), vec![]),
        ("[profile.dev.package.md-5]".to_owned(), vec![]),
        (
            j(&["a.mdx file, a `*", md, "` glob, the `", md, "` extension"]),
            vec![],
        ),
    ] {
        assert_eq!(markdown_references(&line), want, "{line:?}");
    }
}

#[test]
fn references_resolve_against_the_referrer_and_the_root() {
    let md = ".md";
    let readme = j(&["examples/conformance/README", md]);
    let compat = j(&["docs/django-compat", md]);
    let recording = j(&["tests/fixtures/DRF_RECORDING", md]);
    let repo = files(&[&readme, &compat, &recording, "Cargo.toml"]);
    // From the root, from the referrer's directory, with `..`, and GitHub's leading `/`.
    assert!(resolves("runtime/src/db/mod.rs", &compat, &repo));
    assert!(resolves(
        "examples/conformance/main.rs",
        &j(&["README", md]),
        &repo
    ));
    assert!(resolves(&recording, &j(&["../../", &readme]), &repo));
    assert!(resolves(&readme, &j(&["../../", &compat]), &repo));
    assert!(resolves("tests/conformance.rs", &j(&["/", &compat]), &repo));
    // A bare name of a file that does not exist, a path outside the repository, a wrong case.
    assert!(!resolves(
        "runtime/src/db/mod.rs",
        &j(&["DJANGO_COMPAT", md]),
        &repo
    ));
    assert!(!resolves(
        "runtime/src/db/mod.rs",
        &j(&["README", md]),
        &repo
    ));
    assert!(!resolves(
        "x.py",
        &j(&["/elsewhere/CONFORMANCE", md]),
        &repo
    ));
    assert!(!resolves("README.rs", &j(&["../../../", &compat]), &repo));
    assert!(!resolves("x.rs", &j(&["docs/Django-compat", md]), &repo));

    let bad = j(&["//! Django's tables (DJANGO_COMPAT", md, " §1).\nok\n"]);
    assert_eq!(
        check_text("runtime/src/db/mod.rs", &bad, &repo),
        [j(&[
            "runtime/src/db/mod.rs:1: refers to `DJANGO_COMPAT",
            md,
            "`, which is not a file of the repository"
        ])]
    );
    let good = j(&["//! Django's tables (", &compat, " §1)."]);
    assert!(check_text("runtime/src/db/mod.rs", &good, &repo).is_empty());
}

#[test]
fn machine_paths_are_found_and_relative_ones_are_not() {
    let [home, root, work, users] = MACHINE_DIRS.map(|d| format!("/{d}/"));
    let (home, root, work, users) = (&*home, &*root, &*work, &*users);
    for (line, want) in [
        (
            j(&["Rebuild: `bash ", work, "drfref/record.sh`."]),
            vec![j(&[work, "drfref/record.sh"])],
        ),
        (
            j(&["(see ", work, "shared/CONFORMANCE.txt)"]),
            vec![j(&[work, "shared/CONFORMANCE.txt"])],
        ),
        (
            j(&["DATABASE_URL=sqlite://", home, "me/db.sqlite3"]),
            vec![j(&[home, "me/db.sqlite3"])],
        ),
        (
            j(&["\"", root, ".cargo/bin\""]),
            vec![j(&[root, ".cargo/bin"])],
        ),
        (j(&[users, "me/src"]), vec![j(&[users, "me/src"])]),
        // Relative paths, URLs, variables and other absolute paths are fine.
        (j(&["tests", work, "x and src", home, "y"]), vec![]),
        (j(&["https://example.com", users, "x"]), vec![]),
        (j(&["$HOME", work, " and ${DIR}", root]), vec![]),
        (
            "CI_STATE_DIR=\"${CI_STATE_DIR:-/tmp/drf-ci}\"".to_owned(),
            vec![],
        ),
        (
            "/usr/lib/postgresql/*/bin and /homepage/ and /rooted".to_owned(),
            vec![],
        ),
    ] {
        assert_eq!(machine_paths(&line), want, "{line:?}");
    }
    let text = j(&["line one\n  see ", work, "shared/x\n"]);
    assert_eq!(
        check_text("tests/fixtures/notes.txt", &text, &files(&[])),
        [j(&[
            "tests/fixtures/notes.txt:2: names `",
            work,
            "shared/x`, an absolute path of one machine"
        ])]
    );
}

#[test]
fn the_fallback_walk_skips_build_output_and_ignored_directories() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut walked = BTreeSet::new();
    walk(root, "", &mut walked);
    assert!(walked.contains("Cargo.toml") && walked.contains("tests/repo_docs.rs"));
    assert!(
        walked
            .iter()
            .all(|f| !f.split('/').any(|part| IGNORED_DIRS.contains(&part))),
        "the walk entered a skipped directory"
    );
}
