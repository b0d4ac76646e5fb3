//! The renderer: a pure function from a template set and resolved answers to
//! an in-memory `FileTree`, deterministic to the byte. Applies file rules
//! (conditions, folder mapping, copy, executable, skip-if-exists), renders
//! paths and contents with tera, and refuses paths that leave the target.

use std::cell::Cell;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::answers::{Answers, Resolved, Value};
use crate::error::{Error, Result};
use crate::expr;
use crate::manifest::FileRule;
use crate::record::{RECORD_FILE, Record, TemplateRef};
use crate::source::{FILES_DIR, TemplateSet};
use crate::tree::{FileEntry, FileTree, unsafe_path_reason};

/// What the rules say about one template file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Treatment {
    included: bool,
    output_path: String,
    copy: bool,
    executable: bool,
    skip_if_exists: bool,
}

enum Matcher {
    /// The rule's index in `Rules::globs`.
    Glob(usize),
    Folder(String),
}

struct CompiledRule<'a> {
    rule: &'a FileRule,
    matcher: Matcher,
    index: usize,
    /// The rule's `when`, evaluated once on the first file it matches (the
    /// context is the same for every file).
    on: Cell<Option<bool>>,
}

/// The file rules, with every glob in one `GlobSet` so each path is matched
/// once rather than once per rule.
struct Rules<'a> {
    rules: Vec<CompiledRule<'a>>,
    globs: GlobSet,
}

impl Rules<'_> {
    /// The rules that apply to `path`, in manifest order.
    fn matching(&self, path: &str) -> impl Iterator<Item = &CompiledRule<'_>> {
        let globs = self.globs.matches(path);
        self.rules.iter().filter(move |r| match &r.matcher {
            Matcher::Glob(i) => globs.binary_search(i).is_ok(),
            Matcher::Folder(f) => path
                .strip_prefix(f.as_str())
                .is_some_and(|rest| rest.starts_with('/')),
        })
    }
}

/// Renders the full context: every answer plus computed values, in order.
pub fn context(set: &TemplateSet, resolved: &Resolved) -> Result<Answers> {
    let tera = expr::engine();
    let mut all = resolved.all.clone();
    for (name, template) in &set.manifest.computed {
        let value =
            expr::render_str(&tera, template, &all.to_context()).map_err(|m| Error::Manifest {
                file: manifest_name(set),
                line: crate::manifest::line_of(&set.manifest_text, &format!("{name}:")),
                message: format!("computed value `{name}` fails to render: {m}"),
            })?;
        all.insert(name.clone(), Value::Str(value));
    }
    Ok(all)
}

fn manifest_name(set: &TemplateSet) -> String {
    format!("{}/{}", set.origin.source, crate::manifest::MANIFEST_FILE)
}

/// Renders the template files of `set` with `resolved` answers.
pub fn render(set: &TemplateSet, resolved: &Resolved) -> Result<FileTree> {
    let all = context(set, resolved)?;
    let ctx = all.to_context();
    let rules = compile_rules(set)?;
    let mut tera = expr::engine();

    // Decide each file's treatment first, so only included files are parsed.
    let mut plan = Vec::new();
    for file in &set.files {
        let t = treatment(set, &rules, &file.path, &tera, &ctx)?;
        if t.included {
            plan.push((file, t));
        }
    }
    let to_parse: Vec<(String, String)> = plan
        .iter()
        .filter(|(_, t)| !t.copy)
        .filter_map(|(f, _)| {
            std::str::from_utf8(&f.bytes)
                .ok()
                .map(|text| (template_name(&f.path), text.to_string()))
        })
        .collect();
    tera.add_raw_templates(to_parse)
        .map_err(|e| template_error(&e))?;

    let mut tree = FileTree::default();
    let mut origins: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (file, t) in plan {
        let Some(path) = render_path(&tera, &t.output_path, &ctx, &file.path)? else {
            continue;
        };
        let bytes = if t.copy || std::str::from_utf8(&file.bytes).is_err() {
            file.bytes.clone()
        } else {
            tera.render(&template_name(&file.path), &ctx)
                .map_err(|e| template_error(&e))?
                .into_bytes()
        };
        if let Some(first) = origins.insert(path.clone(), file.path.clone()) {
            return Err(Error::PathCollision {
                first: format!("{FILES_DIR}/{first}"),
                second: format!("{FILES_DIR}/{}", file.path),
                path,
            });
        }
        tree.insert(
            path,
            FileEntry {
                bytes,
                executable: t.executable || file.executable,
                skip_if_exists: t.skip_if_exists,
                origin: file.path.clone(),
            },
        );
    }
    Ok(tree)
}

/// Renders the repository as newsvc writes it: the template files plus
/// `.newsvc.yml` recording the template and the answers.
pub fn render_repo(set: &TemplateSet, resolved: &Resolved) -> Result<FileTree> {
    let mut tree = render(set, resolved)?;
    tree.insert(
        RECORD_FILE,
        FileEntry::new(record_for(set, &resolved.recorded).to_yaml()),
    );
    Ok(tree)
}

/// The `.newsvc.yml` record of a render.
pub fn record_for(set: &TemplateSet, answers: &Answers) -> Record {
    Record {
        template: TemplateRef {
            source: set.origin.source.clone(),
            name: set.manifest.name.clone(),
            version: set.manifest.version.clone(),
            commit: set.origin.commit.clone(),
        },
        answers: answers.clone(),
    }
}

fn template_name(path: &str) -> String {
    format!("{FILES_DIR}/{path}")
}

fn template_error(e: &tera::Error) -> Error {
    let report = expr::flatten(e);
    let file = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            r.filename().to_string()
        }
        _ => report
            .split("--> ")
            .nth(1)
            .and_then(|s| s.split(':').next())
            .unwrap_or("?")
            .to_string(),
    };
    // newsvc prints its own `error: ` in front of the whole message.
    let report = report
        .strip_prefix("error: ")
        .map_or(report.clone(), str::to_string);
    Error::Template { file, report }
}

fn compile_rules(set: &TemplateSet) -> Result<Rules<'_>> {
    let mut builder = GlobSetBuilder::new();
    let mut globs = 0;
    let mut rules = Vec::with_capacity(set.manifest.files.len());
    for (index, rule) in set.manifest.files.iter().enumerate() {
        let matcher = match (&rule.path, &rule.folder) {
            (Some(glob), _) => {
                builder.add(Glob::new(glob).map_err(|e| Error::Manifest {
                    file: manifest_name(set),
                    line: 0,
                    message: format!("file rule {}: {e}", rule.describe()),
                })?);
                globs += 1;
                Matcher::Glob(globs - 1)
            }
            (None, Some(folder)) => Matcher::Folder(folder.trim_matches('/').to_string()),
            (None, None) => unreachable!("checked by Manifest::parse"),
        };
        rules.push(CompiledRule {
            rule,
            matcher,
            index,
            on: Cell::new(None),
        });
    }
    let globs = builder.build().map_err(|e| Error::Manifest {
        file: manifest_name(set),
        line: 0,
        message: format!("file rules: {e}"),
    })?;
    Ok(Rules { rules, globs })
}

fn treatment(
    set: &TemplateSet,
    rules: &Rules<'_>,
    path: &str,
    tera: &tera::Tera,
    ctx: &tera::Context,
) -> Result<Treatment> {
    let mut t = Treatment {
        included: true,
        output_path: path.to_string(),
        ..Treatment::default()
    };
    let (mut copy, mut executable, mut skip, mut mapped) = (None, None, None, false);
    for r in rules.matching(path) {
        if let Some(when) = &r.rule.when {
            let on = if let Some(on) = r.on.get() {
                on
            } else {
                let on = expr::eval_condition(tera, when, ctx).map_err(|m| Error::Manifest {
                    file: manifest_name(set),
                    line: crate::manifest::line_of(&set.manifest_text, when),
                    message: format!(
                        "file rule #{} ({}): `when: {when}` fails to evaluate: {m}",
                        r.index + 1,
                        r.rule.describe()
                    ),
                })?;
                r.on.set(Some(on));
                on
            };
            if !on {
                t.included = false;
                return Ok(t);
            }
        }
        copy = copy.or(r.rule.copy);
        executable = executable.or(r.rule.executable);
        skip = skip.or(r.rule.skip_if_exists);
        if let (false, Matcher::Folder(folder), Some(into)) = (mapped, &r.matcher, &r.rule.into) {
            let rest = &path[folder.len() + 1..];
            let into = into.trim_matches('/');
            t.output_path = if into.is_empty() {
                rest.to_string()
            } else {
                format!("{into}/{rest}")
            };
            mapped = true;
        }
    }
    t.copy = copy.unwrap_or(false);
    t.executable = executable.unwrap_or(false);
    t.skip_if_exists = skip.unwrap_or(false);
    Ok(t)
}

/// Renders each path component; `None` when a component renders empty (the
/// file is dropped). Errors when the path would leave the target.
fn render_path(
    tera: &tera::Tera,
    path: &str,
    ctx: &tera::Context,
    origin: &str,
) -> Result<Option<String>> {
    let rendered = if expr::is_template(path) {
        let mut parts = Vec::new();
        for component in path.split('/') {
            let part = if expr::is_template(component) {
                expr::render_str(tera, component, ctx).map_err(|report| Error::Template {
                    file: template_name(origin),
                    report: format!("in its path: {report}"),
                })?
            } else {
                component.to_string()
            };
            if part.trim().is_empty() {
                return Ok(None);
            }
            parts.push(part);
        }
        parts.join("/")
    } else {
        path.to_string()
    };
    if let Some(reason) = unsafe_path_reason(&rendered) {
        return Err(Error::UnsafePath {
            file: template_name(origin),
            path: rendered,
            reason: reason.to_string(),
        });
    }
    Ok(Some(rendered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{ProvidedAnswers, resolve};
    use crate::manifest::Manifest;
    use crate::source::{Origin, TemplateFile};

    fn set(manifest: &str, files: &[(&str, &str)]) -> TemplateSet {
        TemplateSet {
            manifest: Manifest::parse(manifest, "template.yaml").unwrap(),
            manifest_text: manifest.to_string(),
            files: files
                .iter()
                .map(|(p, c)| TemplateFile {
                    path: (*p).to_string(),
                    bytes: c.as_bytes().to_vec(),
                    executable: false,
                })
                .collect(),
            changelog: None,
            origin: Origin {
                source: "test".into(),
                commit: None,
                dir: None,
            },
        }
    }

    const MANIFEST: &str = r#"
name: t
version: 1.0.0
questions:
  - name: name
    type: string
  - name: lang
    type: choice
    choices: [py, rs]
    default: py
computed:
  module: "{{ name | snake_case }}"
files:
  - folder: lang/py
    into: ""
    when: lang == "py"
  - folder: lang/rs
    into: src
    when: lang == "rs"
  - path: "**/*.sh"
    executable: true
  - path: "raw/**"
    copy: true
"#;

    fn resolved(pairs: &[(&str, &str)]) -> Resolved {
        let m = Manifest::parse(MANIFEST, "template.yaml").unwrap();
        let provided: ProvidedAnswers = pairs
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_string(),
                    crate::answers::Provided {
                        raw: crate::answers::Raw::Text((*v).to_string()),
                        origin: "t".into(),
                    },
                )
            })
            .collect();
        resolve(&m, &provided, &ProvidedAnswers::new(), None).unwrap()
    }

    #[test]
    fn rules_conditions_paths_and_computed_values() {
        let s = set(
            MANIFEST,
            &[
                ("README.md", "# {{ name }}"),
                ("lang/py/{{ module }}/app.py", "print('{{ module }}')"),
                ("lang/rs/main.rs", "fn main() {}"),
                ("run.sh", "#!/bin/sh"),
                ("raw/keep.txt", "{{ not rendered }}"),
                ("{% if lang == 'rs' %}only-rust.txt{% endif %}", "x"),
            ],
        );
        let tree = render(&s, &resolved(&[("name", "billing-api")])).unwrap();
        let paths: Vec<&String> = tree.paths().collect();
        assert_eq!(
            paths,
            vec!["README.md", "billing_api/app.py", "raw/keep.txt", "run.sh"]
        );
        assert_eq!(
            tree.get("billing_api/app.py").unwrap().bytes,
            b"print('billing_api')"
        );
        assert_eq!(
            tree.get("raw/keep.txt").unwrap().bytes,
            b"{{ not rendered }}"
        );
        assert!(tree.get("run.sh").unwrap().executable);
        assert!(!tree.get("README.md").unwrap().executable);

        let tree = render(&s, &resolved(&[("name", "billing-api"), ("lang", "rs")])).unwrap();
        assert!(tree.get("src/main.rs").is_some());
        assert!(tree.get("only-rust.txt").is_some());
    }

    #[test]
    fn escaping_paths_are_refused_naming_the_template_file() {
        let s = set(MANIFEST, &[("{{ name }}/x.txt", "x")]);
        let err = render(&s, &resolved(&[("name", "..")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("files/{{ name }}/x.txt"), "{err}");
        assert!(err.contains("`..`"), "{err}");
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let s = set(MANIFEST, &[("a.txt", "line1\n{% if %}\n")]);
        let err = render(&s, &resolved(&[("name", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("files/a.txt:2"), "{err}");
    }

    #[test]
    fn rendering_is_deterministic() {
        let s = set(
            MANIFEST,
            &[("a.txt", "{{ name }}"), ("b/c.txt", "{{ module }}")],
        );
        let r = resolved(&[("name", "x-y")]);
        assert_eq!(render_repo(&s, &r).unwrap(), render_repo(&s, &r).unwrap());
    }

    #[test]
    fn collisions_are_refused() {
        let s = set(MANIFEST, &[("lang/py/a.txt", "1"), ("a.txt", "2")]);
        let err = render(&s, &resolved(&[("name", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("both render to `a.txt`"), "{err}");
    }
}
