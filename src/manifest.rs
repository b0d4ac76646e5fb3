//! `template.yaml`: the template set's manifest. Parses it strictly (unknown
//! fields are errors) and checks that it makes sense (unique names, choices,
//! regexes, known validators, `when` expressions over known questions), so
//! every later stage can trust it. Errors name the file, line and field.

use indexmap::IndexMap;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::expr;
use crate::validate::NamedValidator;

/// The file name of a manifest inside a template set.
pub const MANIFEST_FILE: &str = "template.yaml";

/// A parsed, checked manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    pub version: semver::Version,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Values derived from answers: name → tera template, rendered in order.
    #[serde(default)]
    pub computed: IndexMap<String, String>,
    #[serde(default)]
    pub files: Vec<FileRule>,
    #[serde(default)]
    pub cases: Vec<Case>,
    #[serde(default)]
    pub hooks: Vec<Hook>,
}

/// The type of a question's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    String,
    Choice,
    Multi,
    Bool,
    Integer,
}

impl QuestionType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Choice => "choice",
            Self::Multi => "multi",
            Self::Bool => "bool",
            Self::Integer => "integer",
        }
    }
}

/// One question of the template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub name: String,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// A literal of the question's type, or a string holding a tera template
    /// over earlier answers.
    #[serde(default)]
    pub default: Option<serde_norway::Value>,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub regex: Option<String>,
    /// What the regex means, for the error message.
    #[serde(default)]
    pub regex_message: Option<String>,
    /// A named built-in validator (see `validate::NamedValidator`).
    #[serde(default)]
    pub validate: Option<String>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// A tera expression; the question is asked only when it is true.
    #[serde(default)]
    pub when: Option<String>,
    /// Whether an empty answer is refused (strings); defaults to true.
    #[serde(default)]
    pub required: Option<bool>,
}

impl Question {
    /// The text shown at the prompt.
    pub fn prompt_text(&self) -> &str {
        self.prompt.as_deref().unwrap_or(&self.name)
    }

    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(true)
    }

    /// The flag that sets this question, for error messages.
    pub fn flag(&self) -> String {
        match self.name.as_str() {
            "service_name" => "NAME argument or --set service_name=...".to_string(),
            "language" => "--lang".to_string(),
            "kind" => "--kind".to_string(),
            name => format!("--set {name}=..."),
        }
    }
}

/// A file rule: which template files apply, where they go, how they are treated.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    /// A glob over template-relative paths (e.g. `**/*.sh`).
    #[serde(default)]
    pub path: Option<String>,
    /// A folder: the rule applies to everything under it.
    #[serde(default)]
    pub folder: Option<String>,
    /// For a folder rule: where its contents land (`""` = repository root).
    #[serde(default)]
    pub into: Option<String>,
    /// A tera expression; matching files are rendered only when it is true.
    #[serde(default)]
    pub when: Option<String>,
    /// Copy the bytes as they are, without rendering.
    #[serde(default)]
    pub copy: Option<bool>,
    #[serde(default)]
    pub executable: Option<bool>,
    /// Written once by `new`; never overwritten by `new --force` or upgrades.
    #[serde(default)]
    pub skip_if_exists: Option<bool>,
}

impl FileRule {
    /// How the rule is named in messages.
    pub fn describe(&self) -> String {
        match (&self.path, &self.folder) {
            (Some(p), _) => format!("path `{p}`"),
            (None, Some(f)) => format!("folder `{f}`"),
            (None, None) => "rule without path or folder".to_string(),
        }
    }
}

/// A named answer set used by snapshots and the template linter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub answers: IndexMap<String, serde_norway::Value>,
}

/// A command run in the rendered repository before it is moved into place.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    pub run: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub when: Option<String>,
}

/// A problem `Manifest::check` found, sorted by what the linter reports it as.
#[derive(Debug)]
pub enum Problem {
    /// A `when` expression naming a variable that is not (yet) defined.
    UnknownInWhen(Error),
    /// Anything else that makes the manifest unusable.
    Invalid(Error),
}

impl Problem {
    pub fn error(&self) -> &Error {
        match self {
            Problem::UnknownInWhen(e) | Problem::Invalid(e) => e,
        }
    }
    pub fn into_error(self) -> Error {
        match self {
            Problem::UnknownInWhen(e) | Problem::Invalid(e) => e,
        }
    }
}

impl Manifest {
    /// Parses and checks a manifest; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Manifest> {
        let (manifest, problems) = Self::parse_lenient(text, file)?;
        match problems.into_iter().next() {
            Some(first) => Err(first.into_error()),
            None => Ok(manifest),
        }
    }

    /// Parses a manifest without checking it: for manifests already known
    /// to pass every check (the embedded ones, checked by the test suite).
    pub fn parse_unchecked(text: &str, file: &str) -> Result<Manifest> {
        Self::deserialize(text, file)
    }

    /// Parses a manifest and returns it with every problem `check` finds,
    /// instead of failing at the first. Only YAML that does not fit the
    /// manifest's shape is an error. For the template linter.
    pub fn parse_lenient(text: &str, file: &str) -> Result<(Manifest, Vec<Problem>)> {
        let manifest = Self::deserialize(text, file)?;
        let problems = manifest.check(text, file);
        Ok((manifest, problems))
    }

    /// The manifest's YAML as a `Manifest`; only a shape error fails.
    fn deserialize(text: &str, file: &str) -> Result<Manifest> {
        serde_norway::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            Error::Manifest {
                file: file.to_string(),
                line,
                message,
            }
        })
    }

    /// The question called `name`.
    pub fn question(&self, name: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.name == name)
    }

    /// Every name a template may use: questions, then computed values.
    pub fn variable_names(&self) -> Vec<&str> {
        self.questions
            .iter()
            .map(|q| q.name.as_str())
            .chain(self.computed.keys().map(String::as_str))
            .collect()
    }

    /// The case called `name`.
    pub fn case(&self, name: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// Every problem with the manifest, in file order.
    fn check(&self, text: &str, file: &str) -> Vec<Problem> {
        let fail = |needle: &str, message: String| Error::Manifest {
            file: file.to_string(),
            line: line_of(text, needle),
            message,
        };
        let mut problems = Vec::new();
        let mut invalid = |e: Error| problems.push(Problem::Invalid(e));
        if self.name.trim().is_empty() {
            invalid(fail("name:", "field `name` is empty".to_string()));
        }
        // `when` problems are collected apart and merged in at the end.
        let mut unknown = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for q in &self.questions {
            let here = format!("name: {}", q.name);
            if !is_identifier(&q.name) {
                invalid(fail(
                    &here,
                    format!(
                        "question name `{}` must be an identifier (letters, digits, `_`)",
                        q.name
                    ),
                ));
            }
            if seen.contains(&q.name.as_str()) {
                invalid(fail(
                    &here,
                    format!("question `{}` is declared twice", q.name),
                ));
            }
            let needs_choices = matches!(q.kind, QuestionType::Choice | QuestionType::Multi);
            if needs_choices && q.choices.is_empty() {
                invalid(fail(
                    &here,
                    format!(
                        "question `{}`: field `choices` is required for type `{}`",
                        q.name,
                        q.kind.as_str()
                    ),
                ));
            }
            if !needs_choices && !q.choices.is_empty() {
                invalid(fail(
                    &here,
                    format!(
                        "question `{}`: field `choices` only applies to choice and multi questions",
                        q.name
                    ),
                ));
            }
            if let Some(re) = &q.regex {
                if let Err(e) = regex_lite::Regex::new(re) {
                    invalid(fail(
                        &here,
                        format!("question `{}`: field `regex` does not compile: {e}", q.name),
                    ));
                }
            }
            if let Some(v) = &q.validate {
                if NamedValidator::from_name(v).is_none() {
                    invalid(fail(
                        &here,
                        format!(
                            "question `{}`: field `validate`: unknown validator `{v}`; known: {}",
                            q.name,
                            NamedValidator::NAMES.join(", ")
                        ),
                    ));
                }
            }
            if let Some(when) = &q.when {
                if let Err(p) =
                    check_expression(when, &seen, &format!("question `{}`: field `when`", q.name))
                {
                    // Point at the `when:` line of this question, not its `name:`.
                    let line = line_of_after(text, &here, "when:");
                    unknown.push(p.map(|message| Error::Manifest {
                        file: file.to_string(),
                        line,
                        message,
                    }));
                }
            }
            if !seen.contains(&q.name.as_str()) {
                seen.push(&q.name);
            }
        }
        let mut known = seen.clone();
        for (name, template) in &self.computed {
            if known.contains(&name.as_str()) {
                invalid(fail(
                    &format!("{name}:"),
                    format!(
                        "computed value `{name}` has the name of a question or another computed value"
                    ),
                ));
            }
            if let Err(m) = expr::variables_of_template(template) {
                invalid(fail(
                    &format!("{name}:"),
                    format!("computed value `{name}`: {m}"),
                ));
            }
            known.push(name);
        }
        for rule in &self.files {
            let here = rule
                .path
                .as_deref()
                .or(rule.folder.as_deref())
                .unwrap_or("files:");
            if rule.path.is_some() == rule.folder.is_some() {
                invalid(fail(
                    here,
                    format!(
                        "file rule {}: give exactly one of `path` or `folder`",
                        rule.describe()
                    ),
                ));
            }
            if rule.into.is_some() && rule.folder.is_none() {
                invalid(fail(
                    here,
                    format!(
                        "file rule {}: `into` only applies to a `folder` rule",
                        rule.describe()
                    ),
                ));
            }
            if let Some(glob) = &rule.path {
                if let Err(message) = check_glob(glob) {
                    invalid(fail(
                        here,
                        format!("file rule {}: {message}", rule.describe()),
                    ));
                }
            }
            if let Some(when) = &rule.when {
                if let Err(p) = check_expression(
                    when,
                    &known,
                    &format!("file rule {}: field `when`", rule.describe()),
                ) {
                    unknown.push(p.map(|m| fail(here, m)));
                }
            }
        }
        for hook in &self.hooks {
            if let Some(when) = &hook.when {
                if let Err(p) =
                    check_expression(when, &known, &format!("hook `{}`: field `when`", hook.run))
                {
                    unknown.push(p.map(|m| fail(&hook.run, m)));
                }
            }
        }
        let mut case_names: Vec<&str> = Vec::new();
        for case in &self.cases {
            let here = format!("name: {}", case.name);
            if case_names.contains(&case.name.as_str()) {
                invalid(fail(
                    &here,
                    format!("case `{}` is declared twice", case.name),
                ));
            }
            if case.name.is_empty() || case.name.contains(['/', '\\']) || case.name.starts_with('.')
            {
                invalid(fail(
                    &here,
                    format!("case name `{}` must be usable as a folder name", case.name),
                ));
            }
            case_names.push(&case.name);
        }
        problems.extend(unknown.into_iter().map(|p| match p {
            WhenProblem::Unknown(e) => Problem::UnknownInWhen(e),
            WhenProblem::Syntax(e) => Problem::Invalid(e),
        }));
        problems.sort_by_key(|p| match p.error() {
            Error::Manifest { line, .. } => *line,
            _ => 0,
        });
        problems
    }
}

/// Why a `when` expression was refused.
enum WhenProblem<E> {
    Syntax(E),
    Unknown(E),
}

impl<E> WhenProblem<E> {
    fn map<F>(self, f: impl FnOnce(E) -> F) -> WhenProblem<F> {
        match self {
            WhenProblem::Syntax(e) => WhenProblem::Syntax(f(e)),
            WhenProblem::Unknown(e) => WhenProblem::Unknown(f(e)),
        }
    }
}

/// Checks that a `when` expression parses and names only `known` variables.
fn check_expression(
    expression: &str,
    known: &[&str],
    what: &str,
) -> std::result::Result<(), WhenProblem<String>> {
    let used = expr::variables_of_expression(expression)
        .map_err(|e| WhenProblem::Syntax(format!("{what}: `{expression}` does not parse: {e}")))?;
    let unknown: Vec<&String> = used
        .iter()
        .filter(|v| !known.contains(&v.as_str()))
        .collect();
    if let Some(first) = unknown.first() {
        return Err(WhenProblem::Unknown(format!(
            "{what}: `{expression}` refers to unknown question `{first}`; it can use: {}",
            if known.is_empty() {
                "(no earlier questions)".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    Ok(())
}

/// Checks a file rule's glob (`*`, `?`, `[...]`, `{a,b}`, `**` across
/// folders), so the renderer can trust it.
pub(crate) fn check_glob(glob: &str) -> std::result::Result<(), String> {
    fast_glob::validate(glob).map_err(|e| {
        let what = match e.kind {
            fast_glob::ErrorKind::UnclosedBrace => "a `{` is never closed",
            fast_glob::ErrorKind::UnclosedBracket => "a `[` is never closed",
            fast_glob::ErrorKind::TrailingBackslash => "it ends with a lone `\\`",
            _ => "it has too many or too deeply nested `{...}` groups",
        };
        format!("bad glob `{glob}`: {what} (at character {})", e.index + 1)
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The 1-based line of the first occurrence of `needle` in `text` (1 if absent).
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// The line of question `question`'s `field` (`when`, `default`) in the
/// manifest `text`: the first such field after the question's `name:`.
pub(crate) fn question_field_line(text: &str, question: &str, field: &str) -> usize {
    line_of_after(text, &format!("name: {question}"), &format!("{field}:"))
}

/// The line of the first `needle` after the first `anchor` (the anchor's
/// line if there is none), e.g. a question's `when:` field.
fn line_of_after(text: &str, anchor: &str, needle: &str) -> usize {
    let Some(start) = text.find(anchor) else {
        return 1;
    };
    let at = text[start..].find(needle).map_or(start, |i| start + i);
    text[..at].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name: t\nversion: 1.0.0\nquestions:\n  - name: a\n    type: string\n";

    #[test]
    fn parses_a_minimal_manifest() {
        let m = Manifest::parse(MINIMAL, "template.yaml").unwrap();
        assert_eq!(m.name, "t");
        assert_eq!(m.questions[0].kind, QuestionType::String);
    }

    #[test]
    fn unknown_field_names_file_line_and_field() {
        let text = format!("{MINIMAL}    colour: red\n");
        let err = Manifest::parse(&text, "x/template.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x/template.yaml:6:"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn when_naming_an_unknown_question_is_refused_with_its_line() {
        let text = format!("{MINIMAL}  - name: b\n    type: bool\n    when: flavour == \"x\"\n");
        let err = Manifest::parse(&text, "template.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("template.yaml:8:"), "{err}");
        assert!(err.contains("unknown question `flavour`"), "{err}");
    }

    #[test]
    fn a_malformed_glob_is_refused_with_its_line() {
        let text = "name: t\nversion: 1.0.0\nfiles:\n  - path: \"docs/{a,b.md\"\n    copy: true\n";
        let err = Manifest::parse(text, "template.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("template.yaml:4"), "{err}");
        assert!(err.contains("`{` is never closed"), "{err}");
    }

    #[test]
    fn choice_without_choices_is_refused() {
        let text = "name: t\nversion: 1.0.0\nquestions:\n  - name: c\n    type: choice\n";
        let err = Manifest::parse(text, "template.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`choices` is required"), "{err}");
    }

    #[test]
    fn bad_version_is_refused() {
        let err = Manifest::parse("name: t\nversion: one\n", "template.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("template.yaml:2"), "{err}");
    }
}
