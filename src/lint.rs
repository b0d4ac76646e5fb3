//! The template linter (`newsvc templates validate`), pure: takes a template
//! set as read from its source, before its manifest is accepted, and returns
//! findings, each with its kind and its place (`template.yaml:LINE` or
//! `files/PATH[:LINE]`):
//!
//! - the manifest's own problems, parsed leniently so that a `when` naming an
//!   unknown question is a finding, not a load error;
//! - tera syntax errors in files, paths and defaults;
//! - variables used in files, paths, defaults or computed values that no
//!   question or computed value defines (loop and `set` variables excluded);
//! - questions nothing uses (files, paths, conditions, defaults, computed);
//! - file rules that match no file;
//! - snapshot cases whose answers fail validation, and the renders of every
//!   case: colliding paths and any other render error.
//!
//! When the manifest itself has problems, cases are not rendered (their
//! errors would only repeat them); the report says so.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::error::Error;
use crate::expr;
use crate::manifest::{FileRule, MANIFEST_FILE, Manifest, Problem, line_of};
use crate::snapshot;
use crate::source::{FILES_DIR, RawTemplateSet, TemplateSet};
use crate::validate::NamedValidator;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The manifest does not parse or does not make sense.
    Manifest,
    /// A tera syntax error.
    Syntax,
    /// A variable that no question or computed value defines.
    UndefinedVariable,
    /// A question nothing uses.
    UnusedQuestion,
    /// A `when` naming an unknown (or later) question.
    UnknownInWhen,
    /// A file rule that matches no template file.
    UnmatchedRule,
    /// The template declares no snapshot cases.
    NoCases,
    /// A case whose answers fail validation.
    InvalidCase,
    /// Two template files rendering to the same path.
    Collision,
    /// Any other error rendering a case.
    Render,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Manifest => "manifest",
            Kind::Syntax => "syntax",
            Kind::UndefinedVariable => "undefined-variable",
            Kind::UnusedQuestion => "unused-question",
            Kind::UnknownInWhen => "unknown-in-when",
            Kind::UnmatchedRule => "unmatched-rule",
            Kind::NoCases => "no-cases",
            Kind::InvalidCase => "invalid-case",
            Kind::Collision => "collision",
            Kind::Render => "render",
        }
    }
}

/// One problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    /// `template.yaml:LINE`, `files/PATH:LINE` or `files/PATH`.
    pub place: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.place,
            self.kind.as_str(),
            self.message
        )
    }
}

/// What the linter found and did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Cases the template declares.
    pub cases: usize,
    /// Cases rendered without error.
    pub cases_rendered: usize,
    /// Files in those renders.
    pub files_rendered: usize,
    /// Why cases were not rendered, when they were not.
    pub cases_skipped: Option<String>,
}

/// Names newsvc itself reads, so a question with one of them is used even
/// when no template mentions it: `service_name` names the output folder.
const READ_BY_NEWSVC: &[&str] = &["service_name"];

/// Variables tera defines itself inside templates.
const TERA_BUILTINS: &[&str] = &["loop"];

/// Lints `raw`.
pub fn lint(raw: &RawTemplateSet) -> Report {
    let mut report = Report::default();
    let (manifest, problems) = match Manifest::parse_lenient(&raw.manifest_text, MANIFEST_FILE) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.findings.push(manifest_finding(Kind::Manifest, &e));
            report.cases_skipped = Some("the manifest does not parse".into());
            return report;
        }
    };
    for p in &problems {
        let kind = match p {
            Problem::UnknownInWhen(_) => Kind::UnknownInWhen,
            Problem::Invalid(_) => Kind::Manifest,
        };
        report.findings.push(manifest_finding(kind, p.error()));
    }
    let mut linter = Linter {
        raw,
        manifest: &manifest,
        used: BTreeSet::new(),
        findings: Vec::new(),
    };
    linter.files();
    linter.manifest_expressions();
    linter.unused_questions();
    linter.unmatched_rules();
    report.findings.append(&mut linter.findings);

    report.cases = manifest.cases.len();
    if manifest.cases.is_empty() {
        report.findings.push(Finding {
            kind: Kind::NoCases,
            place: format!("{MANIFEST_FILE}:1"),
            message: "no snapshot cases: add named answer sets under `cases:` so every kind of repository is rendered, checked and snapshotted".into(),
        });
    } else if problems.is_empty() {
        render_cases(raw, manifest, &mut report);
        // A file with a syntax error or an undefined variable also fails to
        // render: say it once.
        let reported: BTreeSet<String> = report
            .findings
            .iter()
            .filter(|f| matches!(f.kind, Kind::Syntax | Kind::UndefinedVariable))
            .map(|f| f.place.split(':').next().unwrap_or_default().to_string())
            .collect();
        report
            .findings
            .retain(|f| f.kind != Kind::Render || !reported.contains(&f.place));
    } else {
        report.cases_skipped = Some("the manifest has problems; fix them first".into());
    }
    report
}

fn manifest_finding(kind: Kind, e: &Error) -> Finding {
    match e {
        Error::Manifest {
            file,
            line,
            message,
        } => Finding {
            kind,
            place: format!("{file}:{line}"),
            message: message.clone(),
        },
        other => Finding {
            kind,
            place: MANIFEST_FILE.into(),
            message: other.to_string(),
        },
    }
}

struct Linter<'a> {
    raw: &'a RawTemplateSet,
    manifest: &'a Manifest,
    /// Every variable some file, path, condition, default or computed value uses.
    used: BTreeSet<String>,
    findings: Vec<Finding>,
}

impl Linter<'_> {
    fn manifest_line(&self, needle: &str) -> String {
        format!(
            "{MANIFEST_FILE}:{}",
            line_of(&self.raw.manifest_text, needle)
        )
    }

    /// The line of a file rule: the first `path:` or `folder:` line naming it.
    fn rule_line(&self, rule: &FileRule) -> String {
        let needle = rule
            .path
            .as_deref()
            .or(rule.folder.as_deref())
            .unwrap_or("files:");
        let text = &self.raw.manifest_text;
        let line = text
            .lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches("- ");
                (l.starts_with("path:") || l.starts_with("folder:")) && l.contains(needle)
            })
            .map_or_else(|| line_of(text, needle), |i| i + 1);
        format!("{MANIFEST_FILE}:{line}")
    }

    /// Reports the variables of `vars` that are not in `known`.
    fn undefined(
        &mut self,
        vars: &[String],
        known: &[&str],
        place: impl Fn(&str) -> String,
        what: &str,
    ) {
        for v in vars {
            if known.contains(&v.as_str()) || TERA_BUILTINS.contains(&v.as_str()) {
                continue;
            }
            let hint =
                closest(v, known).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            self.findings.push(Finding {
                kind: Kind::UndefinedVariable,
                place: place(v),
                message: format!(
                    "{what} uses `{v}`, which no question or computed value defines{hint}"
                ),
            });
        }
    }

    /// Template files: path components and contents.
    fn files(&mut self) {
        let (raw, manifest) = (self.raw, self.manifest);
        let known = manifest.variable_names();
        let mut tera = expr::engine();
        let mut parsed = Vec::new();
        for file in &raw.files {
            let place = format!("{FILES_DIR}/{}", file.path);
            for component in file.path.split('/').filter(|c| expr::is_template(c)) {
                match expr::variables_of_template(component) {
                    Ok(vars) => {
                        self.undefined(&vars, &known, |_| place.clone(), "its path");
                        self.used.extend(vars);
                    }
                    Err(e) => self.findings.push(Finding {
                        kind: Kind::Syntax,
                        place: place.clone(),
                        message: format!("its path `{component}` does not parse: {e}"),
                    }),
                }
            }
            let Ok(text) = std::str::from_utf8(&file.bytes) else {
                continue;
            };
            if copied(&manifest.files, &file.path) {
                continue;
            }
            match tera.add_raw_template(&place, text) {
                Ok(()) => parsed.push((place, text)),
                Err(e) => {
                    self.findings.push(syntax_finding(&place, &e));
                    // Its variables are unknown: count every name it mentions
                    // as used, so the syntax error is not also reported as
                    // unused questions.
                    for name in &known {
                        if word_line(text, name) > 0 {
                            self.used.insert((*name).to_string());
                        }
                    }
                }
            }
        }
        for (place, text) in parsed {
            let vars: Vec<String> = match tera.get_template_variables(&place) {
                Ok(vars) => vars.into_iter().map(str::to_string).collect(),
                Err(e) => {
                    self.findings.push(syntax_finding(&place, &e));
                    continue;
                }
            };
            let mut vars = vars;
            vars.sort();
            self.undefined(
                &vars,
                &known,
                |v| match word_line(text, v) {
                    0 => place.clone(),
                    line => format!("{place}:{line}"),
                },
                "this file",
            );
            self.used.extend(vars);
        }
    }

    /// Defaults, conditions and computed values in the manifest.
    fn manifest_expressions(&mut self) {
        let m = self.manifest;
        let mut earlier: Vec<&str> = Vec::new();
        for q in &m.questions {
            let here = self.manifest_line(&format!("name: {}", q.name));
            if let Some(when) = &q.when {
                self.used
                    .extend(expr::variables_of_expression(when).unwrap_or_default());
            }
            if let Some(serde_norway::Value::String(default)) = &q.default {
                if expr::is_template(default) {
                    match expr::variables_of_template(default) {
                        Ok(vars) => {
                            let what = format!(
                                "the default of question `{}` (defaults can use earlier questions only)",
                                q.name
                            );
                            self.undefined(&vars, &earlier, |_| here.clone(), &what);
                            self.used.extend(vars);
                        }
                        Err(e) => self.findings.push(Finding {
                            kind: Kind::Syntax,
                            place: here.clone(),
                            message: format!(
                                "the default of question `{}` does not parse: {e}",
                                q.name
                            ),
                        }),
                    }
                }
            }
            if q.validate.as_deref().and_then(NamedValidator::from_name)
                == Some(NamedValidator::FargateMemory)
            {
                // The memory validator reads the `cpu` answer.
                self.used.insert("cpu".into());
            }
            earlier.push(&q.name);
        }
        let mut known: Vec<&str> = m.questions.iter().map(|q| q.name.as_str()).collect();
        for (name, template) in &m.computed {
            // A computed value that does not parse is a manifest problem already.
            if let Ok(vars) = expr::variables_of_template(template) {
                let here = self.manifest_line(&format!("{name}:"));
                self.undefined(
                    &vars,
                    &known,
                    |_| here.clone(),
                    &format!("computed value `{name}`"),
                );
                self.used.extend(vars);
            }
            known.push(name);
        }
        let whens = m
            .files
            .iter()
            .filter_map(|r| r.when.as_deref())
            .chain(m.hooks.iter().filter_map(|h| h.when.as_deref()));
        for when in whens {
            self.used
                .extend(expr::variables_of_expression(when).unwrap_or_default());
        }
    }

    fn unused_questions(&mut self) {
        for q in &self.manifest.questions {
            if self.used.contains(&q.name) || READ_BY_NEWSVC.contains(&q.name.as_str()) {
                continue;
            }
            self.findings.push(Finding {
                kind: Kind::UnusedQuestion,
                place: self.manifest_line(&format!("name: {}", q.name)),
                message: format!(
                    "question `{}` is asked but never used: no file, path, condition, default or computed value mentions it; use it or remove it",
                    q.name
                ),
            });
        }
    }

    fn unmatched_rules(&mut self) {
        for (i, rule) in self.manifest.files.iter().enumerate() {
            if self.raw.files.iter().any(|f| matches(rule, &f.path)) {
                continue;
            }
            self.findings.push(Finding {
                kind: Kind::UnmatchedRule,
                place: self.rule_line(rule),
                message: format!("file rule #{} ({}) matches no file under {FILES_DIR}/; fix its pattern or remove it", i + 1, rule.describe()),
            });
        }
    }
}

/// Renders every case; invalid answers, collisions and render errors become
/// findings (one per distinct problem, naming the cases it appears in).
fn render_cases(raw: &RawTemplateSet, manifest: Manifest, report: &mut Report) {
    let set = snapshot::for_snapshots(&TemplateSet {
        manifest,
        manifest_text: raw.manifest_text.clone(),
        files: raw.files.clone(),
        changelog: raw.changelog.clone(),
        origin: raw.origin.clone(),
    });
    let outcomes: Vec<(String, Result<usize, Finding>)> = set
        .manifest
        .cases
        .par_iter()
        .map(|case| {
            let outcome = match snapshot::resolve_case(&set, case) {
                Err(e) => Err(Finding {
                    kind: Kind::InvalidCase,
                    place: format!(
                        "{MANIFEST_FILE}:{}",
                        line_of(&raw.manifest_text, &format!("name: {}", case.name))
                    ),
                    message: format!("case `{}`: {}", case.name, inner(e)),
                }),
                Ok(resolved) => crate::render::render_repo(&set, &resolved)
                    .map(|tree| tree.len())
                    .map_err(|e| match e {
                        Error::PathCollision {
                            first,
                            second,
                            path,
                        } => Finding {
                            kind: Kind::Collision,
                            place: first.clone(),
                            message: format!("`{first}` and `{second}` both render to `{path}`"),
                        },
                        Error::Template { file, report } => Finding {
                            kind: Kind::Render,
                            place: file,
                            message: format!("does not render: {report}"),
                        },
                        other => Finding {
                            kind: Kind::Render,
                            place: MANIFEST_FILE.into(),
                            message: other.to_string(),
                        },
                    }),
            };
            (case.name.clone(), outcome)
        })
        .collect();
    let mut merged: Vec<(Finding, Vec<String>)> = Vec::new();
    for (case, outcome) in outcomes {
        match outcome {
            Ok(files) => {
                report.cases_rendered += 1;
                report.files_rendered += files;
            }
            Err(f) if f.kind == Kind::InvalidCase => report.findings.push(f),
            Err(f) => match merged.iter_mut().find(|(m, _)| *m == f) {
                Some((_, cases)) => cases.push(case),
                None => merged.push((f, vec![case])),
            },
        }
    }
    for (mut f, cases) in merged {
        f.message = format!(
            "{} (case{} {})",
            f.message,
            if cases.len() == 1 { "" } else { "s" },
            cases.join(", ")
        );
        report.findings.push(f);
    }
}

fn inner(e: Error) -> Error {
    match e {
        Error::Case { source, .. } => *source,
        other => other,
    }
}

fn syntax_finding(place: &str, e: &tera::Error) -> Finding {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Finding {
            kind: Kind::Syntax,
            place: format!("{place}:{}", r.span().start_line),
            message: r.message().to_string(),
        },
        _ => Finding {
            kind: Kind::Syntax,
            place: place.to_string(),
            message: expr::flatten(e),
        },
    }
}

/// Whether a file rule applies to a template path (as the renderer decides).
fn matches(rule: &FileRule, path: &str) -> bool {
    match (&rule.path, &rule.folder) {
        (Some(glob), _) => fast_glob::glob_match(glob, path),
        (None, Some(folder)) => path
            .strip_prefix(folder.trim_matches('/'))
            .is_some_and(|rest| rest.starts_with('/')),
        (None, None) => false,
    }
}

/// Whether the rules copy `path` without rendering (first rule that says wins).
fn copied(rules: &[FileRule], path: &str) -> bool {
    rules
        .iter()
        .filter(|r| matches(r, path))
        .find_map(|r| r.copy)
        .unwrap_or(false)
}

/// The 1-based line where `word` first appears as a whole identifier (0: nowhere).
fn word_line(text: &str, word: &str) -> usize {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(word) {
            let start = from + at;
            let end = start + word.len();
            let before = line[..start].chars().next_back().is_some_and(is_ident);
            let after = line[end..].chars().next().is_some_and(is_ident);
            if !before && !after {
                return i + 1;
            }
            from = end;
        }
    }
    0
}

/// The known name closest to `name`, if it is close enough to be a typo.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(previous + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Origin, TemplateFile};

    const HEAD: &str =
        "name: t\nversion: 1.0.0\nquestions:\n  - name: service_name\n    type: string\n";

    fn raw(manifest: &str, files: &[(&str, &str)]) -> RawTemplateSet {
        RawTemplateSet {
            manifest_text: manifest.to_string(),
            manifest_file: MANIFEST_FILE.into(),
            files: files
                .iter()
                .map(|(p, c)| TemplateFile {
                    path: (*p).into(),
                    bytes: c.as_bytes().to_vec().into(),
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

    fn kinds(report: &Report) -> Vec<(Kind, String)> {
        report
            .findings
            .iter()
            .map(|f| (f.kind, f.place.clone()))
            .collect()
    }

    const CASES: &str = "cases:\n  - name: one\n    answers: {service_name: abc}\n";

    #[test]
    fn a_clean_template_has_no_findings() {
        let r = lint(&raw(
            &format!("{HEAD}{CASES}"),
            &[(
                "README.md",
                "{% for x in [1] %}{{ x }}{{ loop.index }}{% endfor %}{% set y = 1 %}{{ y }} {{ service_name }}",
            )],
        ));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!((r.cases_rendered, r.files_rendered), (1, 2));
    }

    #[test]
    fn syntax_errors_have_file_and_line() {
        let r = lint(&raw(
            &format!("{HEAD}{CASES}"),
            &[("a.txt", "{{ service_name }}\nok\n{% if %}\n")],
        ));
        assert_eq!(
            kinds(&r)[0],
            (Kind::Syntax, "files/a.txt:3".into()),
            "{:?}",
            r.findings
        );
    }

    #[test]
    fn undefined_variables_point_at_their_line_and_suggest() {
        let r = lint(&raw(
            &format!("{HEAD}{CASES}"),
            &[("a.txt", "x\n{{ service_nam }}\n{{ service_name }}")],
        ));
        assert_eq!(
            kinds(&r),
            vec![(Kind::UndefinedVariable, "files/a.txt:2".into())],
            "{:?}",
            r.findings
        );
        assert!(
            r.findings[0]
                .message
                .contains("did you mean `service_name`?"),
            "{}",
            r.findings[0]
        );
    }

    #[test]
    fn unused_questions_and_unmatched_rules() {
        let m = format!(
            "{HEAD}  - name: colour\n    type: string\n    default: red\nfiles:\n  - path: \"*.sh\"\n    executable: true\n{CASES}"
        );
        let r = lint(&raw(&m, &[("a.txt", "{{ service_name }}")]));
        assert_eq!(
            kinds(&r),
            vec![
                (Kind::UnusedQuestion, "template.yaml:6".into()),
                (Kind::UnmatchedRule, "template.yaml:10".into())
            ],
            "{:?}",
            r.findings
        );
    }

    #[test]
    fn unknown_names_in_when_are_findings_not_crashes() {
        let m = format!("{HEAD}files:\n  - path: \"a.txt\"\n    when: flavour == \"x\"\n{CASES}");
        let r = lint(&raw(&m, &[("a.txt", "{{ service_name }}")]));
        assert_eq!(
            kinds(&r),
            vec![(Kind::UnknownInWhen, "template.yaml:7".into())],
            "{:?}",
            r.findings
        );
        assert!(r.cases_skipped.is_some());
    }

    #[test]
    fn invalid_cases_and_collisions() {
        let m = format!(
            "{HEAD}files:\n  - folder: sub\n    into: \"\"\ncases:\n  - name: bad\n    answers: {{service_name: \"\"}}\n  - name: good\n    answers: {{service_name: abc}}\n"
        );
        let r = lint(&raw(
            &m,
            &[("a.txt", "{{ service_name }}"), ("sub/a.txt", "x")],
        ));
        assert_eq!(
            kinds(&r),
            vec![
                (Kind::InvalidCase, "template.yaml:10".into()),
                (Kind::Collision, "files/a.txt".into())
            ],
            "{:?}",
            r.findings
        );
        assert!(
            r.findings[1].message.ends_with("(case good)"),
            "{}",
            r.findings[1]
        );
    }

    #[test]
    fn copied_files_are_not_parsed() {
        let m = format!("{HEAD}files:\n  - path: \"raw/**\"\n    copy: true\n{CASES}");
        let r = lint(&raw(
            &m,
            &[
                ("raw/x.j2", "{{ whatever }} {% if %}"),
                ("a", "{{ service_name }}"),
            ],
        ));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("servce_name", &["service_name", "owner"]),
            Some("service_name")
        );
        assert_eq!(closest("zzz", &["service_name"]), None);
        assert_eq!(
            word_line("a\nservice_name_x service_name", "service_name"),
            2
        );
    }
}
