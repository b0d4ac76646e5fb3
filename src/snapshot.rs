//! Template regression snapshots, the pure part. Renders a template's
//! snapshot cases exactly as `newsvc new` renders a repository (the case's
//! answers are validated like any other answers), and compares a rendered
//! case with the files of its committed snapshot folder: files added,
//! removed and changed, with a unified diff per changed text file and the
//! executable bit of every file. Reading and writing snapshot folders is the
//! job of `cmd::snapshot`; nothing here touches the disk.
//!
//! Snapshots must not depend on where the template was loaded from, so the
//! `.newsvc.yml` of a snapshot records the template's *name* as its source
//! and no git commit (see `for_snapshots`).

use similar::TextDiff;

use crate::answers::{self, Provided, ProvidedAnswers, Raw, Resolved};
use crate::error::{Error, Result};
use crate::manifest::{Case, Manifest};
use crate::render;
use crate::source::{Origin, TemplateSet};
use crate::tree::FileTree;

/// Lines of context around each change in a unified diff.
const CONTEXT_LINES: usize = 3;

/// A copy of `set` whose origin is its name, so the `.newsvc.yml` of every
/// snapshot is the same whether the template came from a folder (whose path
/// differs between machines), a git URL (whose commit changes with every
/// commit) or the binary.
pub fn for_snapshots(set: &TemplateSet) -> TemplateSet {
    let mut stable = set.clone();
    stable.origin = Origin {
        source: set.manifest.name.clone(),
        commit: None,
        dir: None,
    };
    stable
}

/// The cases named in `names` (all of them when `names` is empty), in
/// manifest order. An unknown name is an error listing the known ones.
pub fn select_cases<'m>(manifest: &'m Manifest, names: &[String]) -> Result<Vec<&'m Case>> {
    if manifest.cases.is_empty() {
        return Err(Error::Other(format!(
            "template `{}` declares no snapshot cases; add named answer sets under `cases:` in its template.yaml (see docs/templates.md)",
            manifest.name
        )));
    }
    if let Some(unknown) = names.iter().find(|n| manifest.case(n).is_none()) {
        return Err(Error::Usage(format!(
            "`--case {unknown}`: template `{}` has no such case; its cases: {}",
            manifest.name,
            manifest
                .cases
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(manifest
        .cases
        .iter()
        .filter(|c| names.is_empty() || names.contains(&c.name))
        .collect())
}

/// The answers of `case` as provided answers: YAML values from the manifest.
pub fn case_answers(case: &Case) -> ProvidedAnswers {
    // Errors are prefixed with the case's name already (`Error::Case`).
    let origin = "its answers in template.yaml".to_string();
    case.answers
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                Provided {
                    raw: Raw::Yaml(v.clone()),
                    origin: origin.clone(),
                },
            )
        })
        .collect()
}

/// Resolves the answers of `case` the way `newsvc new --defaults` does, but
/// without user config defaults (snapshots must not depend on the machine).
pub fn resolve_case(set: &TemplateSet, case: &Case) -> Result<Resolved> {
    answers::resolve_set(set, &case_answers(case), &ProvidedAnswers::new(), None)
        .map_err(|e| in_case(&set.manifest, case, e))
}

/// Renders `case` of `set` as a repository (files plus `.newsvc.yml`).
/// Pass a set prepared by `for_snapshots`.
pub fn render_case(set: &TemplateSet, case: &Case) -> Result<FileTree> {
    let resolved = resolve_case(set, case)?;
    render::render_repo(set, &resolved).map_err(|e| in_case(&set.manifest, case, e))
}

fn in_case(manifest: &Manifest, case: &Case, source: Error) -> Error {
    Error::Case {
        case: case.name.clone(),
        template: manifest.name.clone(),
        source: Box::new(source),
    }
}

/// How one file's contents differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentDiff {
    /// A unified diff, snapshot (`-`) to render (`+`).
    Text(String),
    /// At least one side is not UTF-8 text.
    Binary {
        snapshot_bytes: usize,
        rendered_bytes: usize,
    },
}

/// A file present on both sides that differs in contents, mode or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    /// `None` when only the executable bit differs.
    pub content: Option<ContentDiff>,
    /// `(in the snapshot, in the render)` when the executable bit differs.
    pub executable: Option<(bool, bool)>,
}

/// How a committed snapshot differs from the current render of its case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseDiff {
    pub case: String,
    /// Rendered, but not in the snapshot (with their executable bit).
    pub added: Vec<(String, bool)>,
    /// In the snapshot, no longer rendered.
    pub removed: Vec<String>,
    pub changed: Vec<ChangedFile>,
    /// Files in the render.
    pub rendered_files: usize,
}

impl CaseDiff {
    /// Whether the snapshot matches the render exactly.
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// `2 changed, 1 added, 1 removed` (only the non-zero parts), or `identical`.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.changed.len(), "changed"),
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if parts.is_empty() {
            "identical".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Compares the render of `case` with its committed snapshot.
pub fn compare(case: &str, rendered: &FileTree, snapshot: &FileTree) -> CaseDiff {
    let mut diff = CaseDiff {
        case: case.to_string(),
        rendered_files: rendered.len(),
        ..CaseDiff::default()
    };
    for (path, want) in rendered.iter() {
        let Some(have) = snapshot.get(path) else {
            diff.added.push((path.clone(), want.executable));
            continue;
        };
        let content = (have.bytes != want.bytes)
            .then(|| content_diff(&format!("{case}/{path}"), &have.bytes, &want.bytes));
        let executable =
            (have.executable != want.executable).then_some((have.executable, want.executable));
        if content.is_some() || executable.is_some() {
            diff.changed.push(ChangedFile {
                path: path.clone(),
                content,
                executable,
            });
        }
    }
    diff.removed = snapshot
        .paths()
        .filter(|p| rendered.get(p).is_none())
        .cloned()
        .collect();
    diff
}

fn content_diff(name: &str, old: &[u8], new: &[u8]) -> ContentDiff {
    match (std::str::from_utf8(old), std::str::from_utf8(new)) {
        (Ok(old), Ok(new)) => ContentDiff::Text(unified_diff(
            old,
            new,
            &format!("a/{name}"),
            &format!("b/{name}"),
        )),
        _ => ContentDiff::Binary {
            snapshot_bytes: old.len(),
            rendered_bytes: new.len(),
        },
    }
}

/// A unified diff from `old` to `new` with git-style headers.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header(old_name, new_name)
        .to_string()
}

/// Folders in the snapshot directory that belong to no declared case.
pub fn stale_folders(manifest: &Manifest, existing: &[String]) -> Vec<String> {
    existing
        .iter()
        .filter(|name| manifest.case(name).is_none())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::TemplateFile;
    use crate::tree::FileEntry;

    const MANIFEST: &str = r#"
name: demo
version: 1.2.0
questions:
  - name: service_name
    type: string
    validate: service_name
  - name: kind
    type: choice
    choices: [web, worker]
    default: web
files:
  - path: "**/*.sh"
    executable: true
cases:
  - name: web
    answers: {service_name: svc-web}
  - name: worker
    answers: {service_name: svc-worker, kind: worker}
  - name: bad
    answers: {service_name: Bad_Name}
"#;

    fn set() -> TemplateSet {
        TemplateSet {
            manifest: Manifest::parse(MANIFEST, "template.yaml").unwrap(),
            manifest_text: MANIFEST.to_string(),
            files: vec![
                TemplateFile {
                    path: "README.md".into(),
                    bytes: b"# {{ service_name }}\nkind: {{ kind }}\n"
                        .as_slice()
                        .into(),
                    executable: false,
                },
                TemplateFile {
                    path: "run.sh".into(),
                    bytes: b"#!/bin/sh\n".as_slice().into(),
                    executable: false,
                },
            ],
            changelog: None,
            origin: Origin {
                source: "/home/someone/templates/demo".into(),
                commit: Some("abc".into()),
                dir: None,
            },
        }
    }

    fn tree(files: &[(&str, &str, bool)]) -> FileTree {
        let mut t = FileTree::default();
        for (p, c, x) in files {
            let mut e = FileEntry::new(c.as_bytes());
            e.executable = *x;
            t.insert(*p, e);
        }
        t
    }

    #[test]
    fn cases_render_with_a_stable_record() {
        let stable = for_snapshots(&set());
        let case = stable.manifest.case("worker").unwrap().clone();
        let rendered = render_case(&stable, &case).unwrap();
        let record = String::from_utf8(rendered.get(".newsvc.yml").unwrap().bytes.clone()).unwrap();
        assert!(record.contains("source: demo"), "{record}");
        assert!(!record.contains("/home/someone"), "{record}");
        assert!(!record.contains("commit"), "{record}");
        assert_eq!(
            rendered.get("README.md").unwrap().bytes,
            b"# svc-worker\nkind: worker\n"
        );
        assert!(rendered.get("run.sh").unwrap().executable);
    }

    #[test]
    fn invalid_case_answers_name_the_case_and_the_value() {
        let stable = for_snapshots(&set());
        let case = stable.manifest.case("bad").unwrap().clone();
        let err = render_case(&stable, &case).unwrap_err().to_string();
        assert!(err.starts_with("case `bad` of template `demo`"), "{err}");
        assert!(err.contains("`Bad_Name`"), "{err}");
    }

    #[test]
    fn selecting_cases() {
        let s = set();
        assert_eq!(select_cases(&s.manifest, &[]).unwrap().len(), 3);
        let picked = select_cases(&s.manifest, &["worker".to_string()]).unwrap();
        assert_eq!(
            picked.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            vec!["worker"]
        );
        let err = select_cases(&s.manifest, &["nope".to_string()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`--case nope`") && err.contains("web, worker, bad"),
            "{err}"
        );
        assert_eq!(
            stale_folders(&s.manifest, &["web".into(), "old".into()]),
            vec!["old".to_string()]
        );
    }

    #[test]
    fn compare_reports_added_removed_changed_and_modes() {
        let rendered = tree(&[
            ("a.txt", "one\ntwo\nthree\n", false),
            ("new.txt", "n", false),
            ("run.sh", "x", true),
            ("same", "s", false),
        ]);
        let snapshot = tree(&[
            ("a.txt", "one\n2\nthree\n", false),
            ("old.txt", "o", false),
            ("run.sh", "x", false),
            ("same", "s", false),
        ]);
        let d = compare("c", &rendered, &snapshot);
        assert_eq!(d.added, vec![("new.txt".to_string(), false)]);
        assert_eq!(d.removed, vec!["old.txt".to_string()]);
        assert_eq!(d.changed.len(), 2);
        let a = &d.changed[0];
        assert_eq!(a.path, "a.txt");
        let Some(ContentDiff::Text(text)) = &a.content else {
            panic!("{a:?}")
        };
        assert!(
            text.starts_with("--- a/c/a.txt\n+++ b/c/a.txt\n@@ -1,3 +1,3 @@\n"),
            "{text}"
        );
        assert!(text.contains("\n-2\n+two\n"), "{text}");
        assert_eq!(
            d.changed[1],
            ChangedFile {
                path: "run.sh".into(),
                content: None,
                executable: Some((false, true))
            }
        );
        assert_eq!(d.summary(), "2 changed, 1 added, 1 removed");
        assert!(!d.is_clean());
        let same = compare("c", &rendered, &rendered);
        assert!(same.is_clean());
        assert_eq!(same.summary(), "identical");
    }

    #[test]
    fn binary_files_are_not_diffed_as_text() {
        let mut rendered = FileTree::default();
        rendered.insert("logo.png", FileEntry::new(vec![0xff, 0x00, 0x01]));
        let mut snapshot = FileTree::default();
        snapshot.insert("logo.png", FileEntry::new(vec![0xff, 0x00]));
        let d = compare("c", &rendered, &snapshot);
        assert_eq!(
            d.changed[0].content,
            Some(ContentDiff::Binary {
                snapshot_bytes: 2,
                rendered_bytes: 3
            })
        );
    }
}
