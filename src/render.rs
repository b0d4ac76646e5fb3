//! The renderer: a pure function from a template set and resolved answers to
//! an in-memory `FileTree`, deterministic to the byte. Applies file rules
//! (conditions, folder mapping, copy, executable, skip-if-exists), renders
//! paths and contents with tera, and refuses paths that leave the target.

use std::cell::Cell;
use std::fmt::Write as _;

use crate::answers::{Answers, Resolved, Value};
use crate::error::{Error, Result};
use crate::expr;
use crate::manifest::FileRule;
use crate::record::{RECORD_FILE, Record, TemplateRef};
use crate::source::{FILES_DIR, TemplateFile, TemplateSet};
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
    Glob(RuleGlob),
    Folder(String),
}

/// A rule's glob. Matched by `fast_glob`, which interprets the pattern as it
/// goes: compiling globs to regexes (globset) cost more than rendering the
/// files they select.
struct RuleGlob {
    glob: String,
    /// Every path the glob matches starts with this text: a cheap first test.
    literal_prefix: String,
}

impl RuleGlob {
    fn new(glob: &str) -> RuleGlob {
        let literal_prefix = if glob.starts_with('!') {
            String::new()
        } else {
            glob.split(['*', '?', '[', '{', '\\'])
                .next()
                .unwrap_or_default()
                .to_string()
        };
        RuleGlob {
            glob: glob.to_string(),
            literal_prefix,
        }
    }

    fn is_match(&self, path: &str) -> bool {
        path.starts_with(&self.literal_prefix) && fast_glob::glob_match(&self.glob, path)
    }
}

struct CompiledRule<'a> {
    rule: &'a FileRule,
    matcher: Matcher,
    index: usize,
    /// The rule's `when`, evaluated once (the context is the same for every
    /// file): all together up front, or on the first file the rule matches.
    on: Cell<Option<bool>>,
}

impl CompiledRule<'_> {
    fn applies_to(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Glob(glob) => glob.is_match(path),
            Matcher::Folder(f) => path
                .strip_prefix(f.as_str())
                .is_some_and(|rest| rest.starts_with('/')),
        }
    }
}

/// The file rules, in manifest order.
struct Rules<'a> {
    rules: Vec<CompiledRule<'a>>,
}

impl Rules<'_> {
    /// The rules that apply to `path`, in manifest order, matched lazily: a
    /// file excluded by an early rule is not matched against later ones.
    fn matching<'r>(&'r self, path: &'r str) -> impl Iterator<Item = &'r CompiledRule<'r>> {
        self.rules.iter().filter(move |r| r.applies_to(path))
    }

    /// Evaluates every rule's `when` with one render of one template rather
    /// than a template per rule. Leaves them unevaluated (each is then
    /// evaluated on its own when a file needs it, so an error names its
    /// rule) if any fails or one could break out of its `if` tag.
    fn evaluate_conditions(&self, tera: &tera::Tera, ctx: &tera::Context) {
        let conditions: Vec<(&CompiledRule<'_>, &str)> = self
            .rules
            .iter()
            .filter_map(|r| r.rule.when.as_deref().map(|w| (r, w)))
            .collect();
        if conditions.is_empty()
            || conditions
                .iter()
                .any(|(_, w)| w.contains("%}") || w.contains("{{") || w.contains("{%"))
        {
            return;
        }
        let mut template = String::new();
        for (_, w) in &conditions {
            let _ = write!(template, "{{% if {w} %}}1{{% else %}}0{{% endif %}}");
        }
        let Ok(out) = tera.render_str(&template, ctx, false) else {
            return;
        };
        if out.len() == conditions.len() && out.bytes().all(|b| b == b'0' || b == b'1') {
            for ((rule, _), bit) in conditions.iter().zip(out.bytes()) {
                rule.on.set(Some(bit == b'1'));
            }
        }
    }
}

/// Renders the full context: every answer plus computed values, in order.
pub fn context(set: &TemplateSet, resolved: &Resolved) -> Result<Answers> {
    let tera = expr::engine();
    let mut all = resolved.all.clone();
    for (name, template) in &set.manifest.computed {
        let value =
            expr::render_str(&tera, template, &all.to_context()).map_err(|m| Error::Manifest {
                file: set.manifest_name(),
                line: crate::manifest::line_of(&set.manifest_text, &format!("{name}:")),
                message: format!("computed value `{name}` fails to render: {m}"),
            })?;
        all.insert(name.clone(), Value::Str(value));
    }
    Ok(all)
}

/// Renders the template files of `set` with `resolved` answers.
pub fn render(set: &TemplateSet, resolved: &Resolved) -> Result<FileTree> {
    render_in(set, &context(set, resolved)?)
}

/// Renders the template files of `set` in `all`, the full context (see
/// `context`), for callers that need the context too.
pub fn render_in(set: &TemplateSet, all: &Answers) -> Result<FileTree> {
    let ctx = all.to_context();
    let rules = compile_rules(set)?;
    let tera = expr::engine();
    rules.evaluate_conditions(&tera, &ctx);

    // Decide each file's treatment first, so only included files are parsed.
    let mut plan = Vec::new();
    for file in &set.files {
        let t = treatment(set, &rules, &file.path, &tera, &ctx)?;
        if t.included {
            plan.push((file, t));
        }
    }
    let rendered = render_planned(&plan, &ctx)?;

    let mut tree = FileTree::default();
    let mut origins: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for ((file, t), output) in plan.iter().zip(rendered) {
        let Some((path, bytes)) = output else {
            continue;
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

/// An included template file and what the rules say about it.
type Planned<'a> = (&'a TemplateFile, Treatment);
/// A rendered file: its output path and bytes, or `None` when its path
/// renders empty (the file is dropped).
type Output = Option<(String, Vec<u8>)>;

/// Below this much template text, one thread renders everything: starting a
/// second costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 64 * 1024;
/// Template text that composes templates (include, extends, import) needs
/// every template in one engine.
const COMPOSING_TAGS: [&str; 3] = ["include", "extends", "import"];

/// Renders the planned files, in plan order. Parsing the templates is most of
/// a render's cost, so on a machine with several cores the plan is cut into
/// contiguous runs of about equal size, each parsed and rendered by its own
/// engine on its own thread. The output, and which error is reported, do not
/// depend on the number of threads: each run is processed in file order, and
/// a syntax error anywhere wins over a rendering error, the earliest first.
fn render_planned(plan: &[Planned<'_>], ctx: &tera::Context) -> Result<Vec<Output>> {
    let text_bytes: usize = plan.iter().map(|(f, _)| f.bytes.len()).sum();
    let composes = plan
        .iter()
        .filter_map(template_text)
        .any(composes_templates);
    let workers = if composes || text_bytes < PARALLEL_MIN_BYTES {
        1
    } else {
        crate::cores()
    };
    let runs = split_evenly(plan, workers);
    let results: Vec<std::result::Result<Vec<Output>, Failure>> = if runs.len() == 1 {
        vec![render_run(plan, ctx)]
    } else {
        std::thread::scope(|scope| {
            let others: Vec<_> = runs[1..]
                .iter()
                .map(|run| scope.spawn(move || render_run(run, ctx)))
                .collect();
            let mut results = vec![render_run(runs[0], ctx)];
            results.extend(
                others
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
            );
            results
        })
    };
    let mut outputs = Vec::with_capacity(plan.len());
    let mut first_render_error = None;
    for result in results {
        match result {
            Ok(run) => outputs.extend(run),
            Err(Failure::Syntax(e)) => return Err(e),
            Err(Failure::Render(e)) => {
                first_render_error.get_or_insert(e);
            }
        }
    }
    match first_render_error {
        Some(e) => Err(e),
        None => Ok(outputs),
    }
}

/// Why a run of templates failed: a template does not parse, or it parses
/// but fails to render.
enum Failure {
    Syntax(Error),
    Render(Error),
}

/// Parses then renders one run of planned files with an engine of its own.
fn render_run(
    run: &[Planned<'_>],
    ctx: &tera::Context,
) -> std::result::Result<Vec<Output>, Failure> {
    let texts: Vec<Option<&str>> = run.iter().map(template_text).collect();
    let mut tera = expr::engine();
    let sources = run
        .iter()
        .zip(&texts)
        .filter_map(|((f, _), text)| text.map(|text| (template_name(&f.path), text)));
    tera.add_raw_templates(sources)
        .map_err(|e| Failure::Syntax(template_error(&e)))?;
    run.iter()
        .zip(&texts)
        .map(|((file, t), text)| {
            let Some(path) =
                render_path(&tera, &t.output_path, ctx, &file.path).map_err(Failure::Render)?
            else {
                return Ok(None);
            };
            let bytes = match text {
                Some(_) => tera
                    .render(&template_name(&file.path), ctx)
                    .map_err(|e| Failure::Render(template_error(&e)))?
                    .into_bytes(),
                None => file.bytes.to_vec(),
            };
            Ok(Some((path, bytes)))
        })
        .collect()
}

/// A planned file's text when tera renders it: UTF-8 and not copied as is.
fn template_text<'a>((file, t): &Planned<'a>) -> Option<&'a str> {
    if t.copy {
        None
    } else {
        std::str::from_utf8(&file.bytes).ok()
    }
}

/// Whether a template's text uses a tag that pulls in another template.
fn composes_templates(text: &str) -> bool {
    let bytes = text.as_bytes();
    // memchr's vectorised search: this runs over every byte of every
    // template before anything is parsed.
    memchr::memmem::find_iter(bytes, b"{%").any(|at| {
        let tag = bytes[at + 2..].trim_ascii_start();
        let tag = tag
            .strip_prefix(b"-")
            .or_else(|| tag.strip_prefix(b"+"))
            .unwrap_or(tag);
        let tag = tag.trim_ascii_start();
        COMPOSING_TAGS.iter().any(|name| {
            tag.strip_prefix(name.as_bytes())
                .is_some_and(|rest| rest.first().is_some_and(u8::is_ascii_whitespace))
        })
    })
}

/// Cuts `plan` into at most `parts` contiguous, non-empty runs of about
/// equal text size: each file goes to the run its midpoint falls in.
fn split_evenly<'p, 'a>(plan: &'p [Planned<'a>], parts: usize) -> Vec<&'p [Planned<'a>]> {
    let total: usize = plan.iter().map(|(f, _)| f.bytes.len()).sum();
    let parts = parts.max(1);
    let mut runs = Vec::with_capacity(parts);
    let (mut start, mut current, mut before) = (0, 0, 0);
    for (i, (file, _)) in plan.iter().enumerate() {
        let midpoint = before + file.bytes.len() / 2;
        let run = (midpoint * parts)
            .checked_div(total)
            .unwrap_or(0)
            .min(parts - 1);
        if run != current && i > start {
            runs.push(&plan[start..i]);
            start = i;
        }
        current = run;
        before += file.bytes.len();
    }
    runs.push(&plan[start..]);
    runs
}

/// Renders the repository as newsvc writes it: the template files plus
/// `.newsvc.yml` recording the template and the answers.
pub fn render_repo(set: &TemplateSet, resolved: &Resolved) -> Result<FileTree> {
    render_repo_in(set, resolved, &context(set, resolved)?)
}

/// `render_repo` in `all`, the full context of `resolved` (see `context`).
pub fn render_repo_in(set: &TemplateSet, resolved: &Resolved, all: &Answers) -> Result<FileTree> {
    let mut tree = render_in(set, all)?;
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
    let mut rules = Vec::with_capacity(set.manifest.files.len());
    for (index, rule) in set.manifest.files.iter().enumerate() {
        let matcher = match (&rule.path, &rule.folder) {
            (Some(glob), _) => {
                crate::manifest::check_glob(glob).map_err(|message| Error::Manifest {
                    file: set.manifest_name(),
                    line: crate::manifest::line_of(&set.manifest_text, glob),
                    message: format!("file rule {}: {message}", rule.describe()),
                })?;
                Matcher::Glob(RuleGlob::new(glob))
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
    Ok(Rules { rules })
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
                    file: set.manifest_name(),
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

    #[test]
    fn runs_are_contiguous_and_balanced() {
        let files: Vec<TemplateFile> = [10, 10, 10, 10, 40, 5, 5]
            .iter()
            .enumerate()
            .map(|(i, n)| TemplateFile {
                path: format!("f{i}"),
                bytes: vec![b'x'; *n].into(),
                executable: false,
            })
            .collect();
        let plan: Vec<Planned<'_>> = files.iter().map(|f| (f, Treatment::default())).collect();
        let sizes = |parts| {
            split_evenly(&plan, parts)
                .iter()
                .map(|run| run.iter().map(|(f, _)| f.bytes.len()).sum::<usize>())
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(1), vec![90]);
        assert_eq!(sizes(2), vec![40, 50]);
        assert_eq!(sizes(3), vec![30, 10, 50]);
        // Never more runs than files, never an empty run.
        assert_eq!(split_evenly(&plan, 50).len(), 7);
        assert_eq!(split_evenly(&plan[..0], 2).len(), 1);
        let joined: Vec<&str> = split_evenly(&plan, 3)
            .concat()
            .iter()
            .map(|(f, _)| f.path.as_str())
            .collect();
        assert_eq!(joined, ["f0", "f1", "f2", "f3", "f4", "f5", "f6"]);
    }

    #[test]
    fn composing_tags_are_recognised() {
        assert!(composes_templates("a {% include \"x\" %}"));
        assert!(composes_templates("{%- extends \"base\" %}"));
        assert!(composes_templates("{% import \"m\" as m %}"));
        assert!(!composes_templates(
            "{% if included %}{{ imports }}{% endif %}"
        ));
        assert!(!composes_templates("plain text with include and extends"));
    }

    #[test]
    fn threads_do_not_change_the_output_or_the_error() {
        // Big enough to be split across threads, with one file per kind of
        // treatment, and the same files rendered on one thread.
        let body = "line {{ name }} {% if lang == \"py\" %}py{% endif %}\n".repeat(400);
        let mut files = vec![("README.md".to_string(), "# {{ name }}".to_string())];
        for i in 0..40 {
            files.push((format!("lang/py/m{i:02}.py"), body.clone()));
        }
        files.push(("raw/keep.txt".to_string(), "{{ not rendered }}".to_string()));
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let s = set(MANIFEST, &borrowed);
        let r = resolved(&[("name", "billing-api")]);
        let ctx = context(&s, &r).unwrap().to_context();
        let plan: Vec<Planned<'_>> = s
            .files
            .iter()
            .map(|f| {
                let copy = f.path.starts_with("raw/");
                (
                    f,
                    Treatment {
                        included: true,
                        output_path: f.path.clone(),
                        copy,
                        ..Treatment::default()
                    },
                )
            })
            .collect();
        let Ok(one) = render_run(&plan, &ctx) else {
            panic!("renders")
        };
        assert_eq!(render_planned(&plan, &ctx).unwrap(), one);
        let tree = render(&s, &r).unwrap();
        assert_eq!(tree.len(), 42);

        // A syntax error late in the plan wins over a rendering error early.
        let mut broken = files.clone();
        broken[2].1 = "{{ missing_variable }}".to_string();
        broken[39].1 = "{% if %}".to_string();
        let borrowed: Vec<(&str, &str)> = broken
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let s = set(MANIFEST, &borrowed);
        let err = render(&s, &r).unwrap_err().to_string();
        assert!(err.contains("m38.py"), "{err}");
    }

    #[test]
    fn rule_globs_match_path_segments() {
        let glob = |g: &str, p: &str| RuleGlob::new(g).is_match(p);
        assert!(glob("**/*.sh", "run.sh"));
        assert!(glob("**/*.sh", "local/bin/init.sh"));
        assert!(!glob("*.sh", "local/init.sh"), "`*` stays within a folder");
        assert!(glob("lang/python/*/web.py", "lang/python/billing/web.py"));
        assert!(!glob("lang/python/*/web.py", "lang/python/a/b/web.py"));
        assert!(glob("docs/{a,b}.md", "docs/b.md"));
        assert!(!glob("docs/{a,b}.md", "docs/c.md"));
        assert!(glob(
            "lang/{java,scala}/src/*/*/**/health/**",
            "lang/scala/src/main/scala/com/x/health/Routes.scala"
        ));
        assert!(glob(
            "terraform/modules/**",
            "terraform/modules/service/main.tf"
        ));
        assert!(!glob("terraform/modules/**", "terraform/dev/main.tf"));
        assert_eq!(RuleGlob::new("docs/{a,b}.md").literal_prefix, "docs/");
        assert!(
            crate::manifest::check_glob("docs/{a,b.md")
                .unwrap_err()
                .contains("never closed")
        );
    }

    #[test]
    fn a_rule_condition_that_fails_is_named_with_its_rule() {
        // The conditions are evaluated together first; when that fails, each
        // is evaluated on its own so the error names the failing rule.
        let manifest = MANIFEST.replace(
            "  - path: \"raw/**\"\n    copy: true",
            "  - path: \"raw/**\"\n    copy: true\n    when: lang + 1 > 2",
        );
        let s = set(
            &manifest,
            &[("README.md", "# {{ name }}"), ("raw/keep.txt", "x")],
        );
        let r = resolved(&[("name", "billing-api")]);
        let err = render(&s, &r).unwrap_err().to_string();
        assert!(err.contains("file rule #4"), "{err}");
        assert!(err.contains("fails to evaluate"), "{err}");
        // Without the failing rule, the batch gives the per-rule answers.
        let s = set(MANIFEST, &[("lang/py/a.py", "a"), ("lang/rs/b.rs", "b")]);
        let tree = render(&s, &r).unwrap();
        assert!(tree.get("a.py").is_some());
        assert!(tree.get("src/b.rs").is_none());
    }

    #[test]
    fn templates_that_include_others_are_rendered_on_one_engine() {
        // Large enough to be split across threads if nothing composed.
        let body = "line {{ name }}\n".repeat(3000);
        // The partial first and its user last: far apart in the plan.
        let mut files = vec![(
            "a-partial.txt".to_string(),
            "from the partial: {{ name }}".to_string(),
        )];
        files.extend((0..20).map(|i| (format!("m{i:02}.txt"), body.clone())));
        files.push((
            "z-user.txt".into(),
            "{% include \"files/a-partial.txt\" %}".into(),
        ));
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        let s = set(MANIFEST, &borrowed);
        let tree = render(&s, &resolved(&[("name", "billing-api")])).unwrap();
        assert_eq!(
            tree.get("z-user.txt").unwrap().bytes,
            b"from the partial: billing-api"
        );
    }
}
