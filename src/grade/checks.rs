//! The check kinds: each takes a prepared rubric check and a `RepoView` (and
//! the injected date and latest template version) and returns pass, fail or
//! skip with a one-line summary and findings (`file:line` where there is one).
//! Pure: no disk, no clock, no network. A check never errors: anything it
//! cannot read is a failing finding that says why.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use hcl::{Block, Body, Expression, ObjectKey};
use serde::Serialize;

use super::date::Date;
use super::dockerfile;
use super::rubric::{Check, Kind, PathGlob, PathStep, Pattern, Require};
use super::secrets;
use super::view::RepoView;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Not applicable to this repository (`when` / `unless`).
    Skip,
}

/// One concrete problem (or, for passing checks, nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl Finding {
    fn new(message: impl Into<String>) -> Finding {
        Finding {
            file: None,
            line: None,
            message: message.into(),
        }
    }
    fn at(file: &str, line: Option<usize>, message: impl Into<String>) -> Finding {
        Finding {
            file: Some(file.to_string()),
            line,
            message: message.into(),
        }
    }

    /// `file:line: message`, `file: message` or `message`.
    pub fn display(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}: {}", self.message),
            (Some(f), None) => format!("{f}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    pub status: Status,
    pub summary: String,
    pub findings: Vec<Finding>,
}

impl CheckOutcome {
    fn pass(summary: impl Into<String>) -> CheckOutcome {
        CheckOutcome {
            status: Status::Pass,
            summary: summary.into(),
            findings: Vec::new(),
        }
    }
    fn fail(summary: impl Into<String>, findings: Vec<Finding>) -> CheckOutcome {
        CheckOutcome {
            status: Status::Fail,
            summary: summary.into(),
            findings,
        }
    }
    fn from_findings(
        findings: Vec<Finding>,
        pass: impl Into<String>,
        fail: impl FnOnce(usize) -> String,
    ) -> CheckOutcome {
        match findings.as_slice() {
            [] => CheckOutcome::pass(pass),
            // One problem says it best itself.
            [only] => CheckOutcome::fail(only.display(), findings),
            _ => {
                let summary = fail(findings.len());
                CheckOutcome::fail(summary, findings)
            }
        }
    }
}

/// Runs one check.
pub fn run(
    check: &Check,
    view: &RepoView,
    today: Date,
    latest: Option<&semver::Version>,
) -> CheckOutcome {
    if let Some(reason) = not_applicable(check, view) {
        return CheckOutcome {
            status: Status::Skip,
            summary: format!("not applicable: {reason}"),
            findings: Vec::new(),
        };
    }
    match &check.kind {
        Kind::FileExists { globs } => file_exists(view, globs),
        Kind::FileContains {
            glob,
            patterns,
            require,
            what,
        } => file_contains(view, glob, patterns, *require, what.as_deref()),
        Kind::FileLacks {
            glob,
            patterns,
            what,
            max_findings,
        } => file_lacks(view, glob, patterns, what.as_deref(), *max_findings),
        Kind::DataPath {
            file,
            path,
            path_text,
            equals,
            pattern,
        } => data_path(
            view,
            file,
            path,
            path_text,
            equals.as_deref(),
            pattern.as_ref(),
        ),
        Kind::AlarmPlaybooks {
            terraform,
            playbooks,
            marker,
            min_alarms,
        } => alarm_playbooks(view, terraform, playbooks, marker, *min_alarms),
        Kind::Environments {
            dir,
            names,
            provider,
            tags,
            environment_tag,
            distinct_state_keys,
            backend,
        } => environments(
            view,
            &EnvSpec {
                dir,
                names,
                provider,
                tags,
                environment_tag: environment_tag.as_deref(),
                distinct_state_keys: *distinct_state_keys,
                backend,
            },
        ),
        Kind::Dockerfile {
            path,
            non_root,
            pinned_base,
            require_digest,
            healthcheck,
        } => dockerfile_check(
            view,
            path,
            &DockerSpec {
                non_root: *non_root,
                pinned_base: *pinned_base,
                require_digest: *require_digest,
                healthcheck: *healthcheck,
            },
        ),
        Kind::NoSecrets {
            allow_file,
            exclude,
            max_findings,
        } => no_secrets(view, allow_file, exclude, *max_findings),
        Kind::TemplateCurrency {
            max_minor_behind,
            require_latest,
        } => template_currency(view, latest, *max_minor_behind, *require_latest),
        Kind::TestsPresent { globs, min_files } => tests_present(view, globs, *min_files),
        Kind::Attestation { .. } => attestation(view, &check.id, today),
    }
}

/// Why `when` / `unless` rule the check out, if they do.
fn not_applicable(check: &Check, view: &RepoView) -> Option<String> {
    for (name, allowed) in &check.when {
        let actual = view.answer(name).unwrap_or_default();
        if !actual.iter().any(|a| allowed.contains(a)) {
            let shown = if actual.is_empty() {
                "unset".to_string()
            } else {
                format!("`{}`", actual.join(","))
            };
            return Some(format!(
                "{name} is {shown}, the check applies when it is {}",
                allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        }
    }
    for (name, excluded) in &check.unless {
        let actual = view.answer(name).unwrap_or_default();
        if let Some(hit) = actual.iter().find(|a| excluded.contains(a)) {
            return Some(format!("{name} is `{hit}`"));
        }
    }
    None
}

/// A Terraform file (terraform itself reads only the lower-case extension).
#[allow(clippy::case_sensitive_file_extension_comparisons)]
fn is_tf(path: &str) -> bool {
    path.ends_with(".tf")
}

fn matching<'a>(view: &'a RepoView, glob: &'a PathGlob) -> impl Iterator<Item = &'a str> + 'a {
    view.paths().filter(move |p| glob.is_match(p))
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = items
        .iter()
        .take(SHOWN)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        let _ = write!(text, " and {} more", items.len() - SHOWN);
    }
    text
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|b| *b == b'\n').count() + 1
}

// --- file_exists, file_contains, file_lacks ---------------------------------

fn file_exists(view: &RepoView, globs: &[PathGlob]) -> CheckOutcome {
    let mut found = Vec::new();
    let mut findings = Vec::new();
    for glob in globs {
        match matching(view, glob).next() {
            Some(first) => found.push(first.to_string()),
            None => findings.push(Finding::new(format!("no file matches `{}`", glob.pattern))),
        }
    }
    CheckOutcome::from_findings(findings, format!("found {}", list(&found)), |_| {
        format!(
            "missing: {}",
            globs
                .iter()
                .filter(|g| matching(view, g).next().is_none())
                .map(|g| format!("`{}`", g.pattern))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn describe(pattern: &Pattern, what: Option<&str>) -> String {
    what.map_or_else(
        || format!("a match for `{}`", pattern.source),
        str::to_string,
    )
}

fn file_contains(
    view: &RepoView,
    glob: &PathGlob,
    patterns: &[Pattern],
    require: Require,
    what: Option<&str>,
) -> CheckOutcome {
    let files: Vec<&str> = matching(view, glob).collect();
    if files.is_empty() {
        return CheckOutcome::fail(
            format!("no file matches `{}`", glob.pattern),
            vec![Finding::new(format!("no file matches `{}`", glob.pattern))],
        );
    }
    let has =
        |file: &str, pattern: &Pattern| view.bytes(file).is_some_and(|b| pattern.regex.is_match(b));
    let mut findings = Vec::new();
    for pattern in patterns {
        match require {
            Require::All => findings.extend(
                files
                    .iter()
                    .filter(|f| !has(f, pattern))
                    .map(|f| Finding::at(f, None, format!("lacks {}", describe(pattern, what)))),
            ),
            Require::Any => {
                if !files.iter().any(|f| has(f, pattern)) {
                    findings.push(Finding::new(format!(
                        "no file matching `{}` has {}",
                        glob.pattern,
                        describe(pattern, what)
                    )));
                }
            }
        }
    }
    let subject = if files.len() == 1 {
        format!("`{}`", files[0])
    } else {
        format!(
            "{} matching `{}`",
            plural(files.len(), "file", "files"),
            glob.pattern
        )
    };
    let wanted = what.map_or_else(
        || {
            patterns
                .iter()
                .map(|p| format!("`{}`", p.source))
                .collect::<Vec<_>>()
                .join(" and ")
        },
        str::to_string,
    );
    CheckOutcome::from_findings(findings, format!("{subject} has {wanted}"), |_| {
        format!("{subject} lacks {wanted}")
    })
}

fn file_lacks(
    view: &RepoView,
    glob: &PathGlob,
    patterns: &[Pattern],
    what: Option<&str>,
    max_findings: usize,
) -> CheckOutcome {
    let mut findings = Vec::new();
    let mut total = 0;
    let mut files = 0;
    for path in matching(view, glob) {
        files += 1;
        let Some(text) = view.text(path) else {
            continue;
        };
        for pattern in patterns {
            for m in pattern.regex.find_iter(text.as_bytes()) {
                total += 1;
                if findings.len() < max_findings {
                    let excerpt: String = String::from_utf8_lossy(m.as_bytes())
                        .chars()
                        .take(60)
                        .collect();
                    findings.push(Finding::at(
                        path,
                        Some(line_at(&text, m.start())),
                        format!("has {}: `{}`", describe(pattern, what), excerpt.trim()),
                    ));
                }
            }
        }
    }
    if total > findings.len() {
        findings.push(Finding::new(format!(
            "... and {} more",
            total - findings.len()
        )));
    }
    let wanted = what.map_or_else(
        || {
            patterns
                .iter()
                .map(|p| format!("`{}`", p.source))
                .collect::<Vec<_>>()
                .join(" or ")
        },
        str::to_string,
    );
    CheckOutcome::from_findings(
        findings,
        format!("no {wanted} in {}", plural(files, "file", "files")),
        |_| format!("{} of {wanted}", plural(total, "occurrence", "occurrences")),
    )
}

// --- data_path ----------------------------------------------------------------

fn data_path(
    view: &RepoView,
    file: &str,
    path: &[PathStep],
    path_text: &str,
    equals: Option<&str>,
    pattern: Option<&Pattern>,
) -> CheckOutcome {
    let fail = |message: String| {
        CheckOutcome::fail(message.clone(), vec![Finding::at(file, None, message)])
    };
    let Some(text) = view.text(file) else {
        return CheckOutcome::fail(
            format!("`{file}` is missing"),
            vec![Finding::new(format!("`{file}` is missing"))],
        );
    };
    let parsed: Result<serde_json::Value, String> = if std::path::Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_norway::from_str::<serde_norway::Value>(&text)
            .map_err(|e| e.to_string())
            .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
    };
    let root = match parsed {
        Ok(v) => v,
        Err(e) => return fail(format!("does not parse: {e}")),
    };
    let mut node = &root;
    for step in path {
        let next = match step {
            PathStep::Key(k) => node.get(k.as_str()),
            PathStep::Index(i) => node.get(*i),
        };
        match next {
            Some(n) => node = n,
            None => return fail(format!("has no `{path_text}`")),
        }
    }
    let value = match node {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(a) if a.is_empty() => String::new(),
        serde_json::Value::Object(o) if o.is_empty() => String::new(),
        other => other.to_string(),
    };
    if value.trim().is_empty() {
        return fail(format!("`{path_text}` is empty"));
    }
    if let Some(expected) = equals {
        if value != expected {
            return fail(format!("`{path_text}` is `{value}`, expected `{expected}`"));
        }
    }
    if let Some(p) = pattern {
        if !p.is_match(&value) {
            return fail(format!(
                "`{path_text}` is `{value}`, which does not match `{}`",
                p.source
            ));
        }
    }
    CheckOutcome::pass(format!("`{file}` has `{path_text}` = `{value}`"))
}

// --- terraform helpers ----------------------------------------------------------

/// The text of a literal or template string expression.
fn string_of(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.clone()),
        Expression::TemplateExpr(t) => Some(t.to_string()),
        _ => None,
    }
}

/// A literal scalar as text (strings, numbers, booleans).
fn scalar_of(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.clone()),
        Expression::Bool(b) => Some(b.to_string()),
        Expression::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `var.NAME` → NAME.
fn var_name(expr: &Expression) -> Option<&str> {
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(v) = &t.expr else {
        return None;
    };
    match (v.as_str(), t.operators.as_slice()) {
        ("var", [hcl::expr::TraversalOperator::GetAttr(name)]) => Some(name.as_str()),
        _ => None,
    }
}

fn attribute<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key.as_str() == key)
        .map(|a| &a.expr)
}

fn blocks<'a>(body: &'a Body, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    body.blocks()
        .filter(move |b| b.identifier.as_str() == ident)
}

fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(hcl::BlockLabel::as_str)
}

/// The 1-based line of `resource "TYPE" "NAME"` in `text`.
fn resource_line(text: &str, kind: &str, name: &str) -> Option<usize> {
    let (kind, name) = (format!("\"{kind}\""), format!("\"{name}\""));
    text.lines()
        .position(|l| {
            l.trim_start().starts_with("resource") && l.contains(&kind) && l.contains(&name)
        })
        .map(|i| i + 1)
}

/// The top-level blocks of `path` whose first line starts with one of
/// `openers` (`provider "aws"`, `terraform`, `variable`), parsed on their own:
/// a configuration's other blocks are not parsed. `Ok(None)` when it has
/// none; the whole file is parsed instead when a block cannot be cut out.
fn parse_blocks<'a>(
    view: &'a RepoView,
    path: &str,
    openers: &[&str],
) -> Result<Option<Cow<'a, Body>>, String> {
    let Some(text) = view.text(path) else {
        return Ok(None);
    };
    let mut snippet = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if openers.iter().any(|o| opens(line, o)) {
            match block_len(&text[offset..]) {
                Some(len) => {
                    snippet.push_str(&text[offset..offset + len]);
                    snippet.push('\n');
                }
                None => return whole(view, path),
            }
        }
        offset += line.len();
    }
    // A block opener indented (unformatted code): parse it all.
    let indented = |o: &&str| {
        text.lines().any(|l| {
            let t = l.trim_start();
            t.len() < l.len() && opens(t, o)
        })
    };
    if openers.iter().any(indented) {
        return whole(view, path);
    }
    if snippet.is_empty() {
        return Ok(None);
    }
    match hcl::parse(&snippet) {
        Ok(body) => Ok(Some(Cow::Owned(body))),
        Err(_) => whole(view, path),
    }
}

/// Whether `line` starts a block with `opener` (`terraform {`, `variable "x" {`).
fn opens(line: &str, opener: &str) -> bool {
    line.strip_prefix(opener)
        .is_some_and(|rest| rest.starts_with([' ', '{', '"', '\t']))
}

fn whole<'a>(view: &'a RepoView, path: &str) -> Result<Option<Cow<'a, Body>>, String> {
    match view.hcl(path) {
        Some(Ok(body)) => Ok(Some(Cow::Borrowed(body))),
        Some(Err(e)) => Err(e.clone()),
        None => Ok(None),
    }
}

/// The length of the block starting at `text`, through its closing brace;
/// braces in strings, comments and heredocs do not count.
fn block_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let skip_line = |from: usize| {
        b[from..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(b.len(), |n| from + n)
    };
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let mut interpolation = 0usize;
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                            interpolation += 1;
                            i += 1;
                        }
                        b'}' if interpolation > 0 => interpolation -= 1,
                        b'"' if interpolation == 0 => break,
                        b'\n' => return None,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'#' => i = skip_line(i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map(|n| i + 2 + n + 1)?;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                let rest = &text[i + 2..];
                let rest = rest.strip_prefix('-').unwrap_or(rest);
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if word.is_empty() {
                    i += 1;
                } else {
                    // Through the line holding only the delimiter.
                    let mut at = skip_line(i);
                    loop {
                        if at >= b.len() {
                            return None;
                        }
                        let end = skip_line(at + 1);
                        if text[at + 1..end].trim() == word {
                            i = end;
                            break;
                        }
                        at = end;
                    }
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

// --- alarm_playbooks --------------------------------------------------------------

const ALARM_TYPES: &[&str] = &[
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_composite_alarm",
];

fn alarm_playbooks(
    view: &RepoView,
    terraform: &str,
    playbooks: &str,
    marker: &str,
    min_alarms: usize,
) -> CheckOutcome {
    let base_url = view
        .answer("playbook_base_url")
        .and_then(|v| v.into_iter().next())
        .filter(|s| !s.is_empty());
    let mut findings = Vec::new();
    let mut alarms = 0;
    let files: Vec<&str> = view.under(terraform).filter(|p| is_tf(p)).collect();
    for path in files {
        let text = view.text(path).unwrap_or_default();
        if !ALARM_TYPES.iter().any(|t| text.contains(t)) {
            continue;
        }
        let body = match alarm_descriptions(view, path, &text) {
            Ok(Some(body)) => body,
            Err(e) => {
                findings.push(Finding::at(
                    path,
                    None,
                    format!("does not parse as HCL, so its alarms cannot be checked: {e}"),
                ));
                continue;
            }
            Ok(None) => continue,
        };
        for block in blocks(&body, "resource") {
            let (Some(kind), Some(name)) = (label(block, 0), label(block, 1)) else {
                continue;
            };
            if !ALARM_TYPES.contains(&kind) {
                continue;
            }
            alarms += 1;
            let line = resource_line(&text, kind, name);
            let at = |message: String| Finding::at(path, line, format!("alarm `{name}` {message}"));
            let Some(description) = attribute(&block.body, "alarm_description") else {
                findings.push(at(format!(
                    "has no alarm_description; add \"... {marker} <playbook URL>\""
                )));
                continue;
            };
            let Some(description) = string_of(description) else {
                findings.push(at("has an alarm_description that is not a string, so its playbook link cannot be checked".into()));
                continue;
            };
            let Some(url) = playbook_link(&description, marker) else {
                findings.push(at(format!(
                    "has no `{marker} <URL>` in its alarm_description"
                )));
                continue;
            };
            let candidates = playbook_candidates(&url, base_url.as_deref(), playbooks);
            if !candidates.iter().any(|c| view.contains(c)) {
                let expected = candidates.first().cloned().unwrap_or_default();
                findings.push(at(format!(
                    "links `{url}`, but `{expected}` does not exist"
                )));
            }
        }
    }
    if alarms < min_alarms {
        findings.insert(
            0,
            Finding::new(format!(
                "found {} under `{terraform}/`; expected at least {min_alarms}",
                plural(alarms, "CloudWatch alarm", "CloudWatch alarms")
            )),
        );
    }
    CheckOutcome::from_findings(
        findings,
        format!(
            "{}, each linking an existing page in `{playbooks}/`",
            plural(alarms, "alarm", "alarms")
        ),
        |n| {
            format!(
                "{} of {alarms} alarms lack a playbook that exists",
                n.min(alarms.max(1))
            )
        },
    )
}

/// The alarm resources of a file with only their `alarm_description`,
/// parsed: a synthesised text of each alarm's first line and description
/// (the rest of an alarm is not needed). The whole file is parsed when an
/// alarm cannot be cut out that way.
fn alarm_descriptions<'a>(
    view: &'a RepoView,
    path: &str,
    text: &str,
) -> Result<Option<Cow<'a, Body>>, String> {
    let openers: Vec<String> = ALARM_TYPES
        .iter()
        .map(|t| format!("resource \"{t}\""))
        .collect();
    let mut synthesised = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let is_alarm = openers.iter().any(|o| opens(trimmed, o));
        if !is_alarm {
            continue;
        }
        if trimmed.len() < line.len() {
            return whole(view, path);
        }
        let Some(len) = block_len(&text[here..]) else {
            return whole(view, path);
        };
        let block = &text[here..here + len];
        let Some(head) = block.lines().next().and_then(|l| l.split('{').next()) else {
            return whole(view, path);
        };
        synthesised.push_str(head);
        synthesised.push_str("{\n");
        let mut lines = block.lines().skip(1);
        while let Some(l) = lines.next() {
            let t = l.trim_start();
            let Some(rest) = t.strip_prefix("alarm_description") else {
                continue;
            };
            let rest = rest.trim_start();
            if !rest.starts_with('=') {
                continue;
            }
            synthesised.push_str(l);
            synthesised.push('\n');
            // A heredoc description continues to its delimiter line.
            if let Some(word) = rest[1..].trim_start().strip_prefix("<<") {
                let word = word.trim_start_matches('-').trim();
                for more in lines.by_ref() {
                    synthesised.push_str(more);
                    synthesised.push('\n');
                    if more.trim() == word {
                        break;
                    }
                }
            }
            break;
        }
        synthesised.push_str("}\n");
    }
    if synthesised.is_empty() {
        return Ok(None);
    }
    match hcl::parse(&synthesised) {
        Ok(body) => Ok(Some(Cow::Owned(body))),
        Err(_) => whole(view, path),
    }
}

/// The URL after `marker` in an alarm description.
fn playbook_link(description: &str, marker: &str) -> Option<String> {
    let at = description.find(marker)?;
    let url: String = description[at + marker.len()..]
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let url = url
        .trim_end_matches(['.', ',', ';', ')', '"', '\''])
        .to_string();
    (!url.is_empty()).then_some(url)
}

/// Repository paths a playbook URL may point at, most specific first.
fn playbook_candidates(url: &str, base_url: Option<&str>, playbooks: &str) -> Vec<String> {
    let url = url.split(['#', '?']).next().unwrap_or(url);
    let mut paths = Vec::new();
    if let Some(rest) = base_url.and_then(|b| url.strip_prefix(b)) {
        paths.push(format!("{playbooks}/{}", rest.trim_start_matches('/')));
    }
    for marker in ["/blob/", "/tree/", "/-/blob/"] {
        if let Some(at) = url.find(marker) {
            let after = &url[at + marker.len()..];
            if let Some((_, path)) = after.split_once('/') {
                paths.push(path.to_string());
            }
        }
    }
    if !url.contains("://") && !url.contains("${") {
        paths.push(
            url.trim_start_matches("./")
                .trim_start_matches('/')
                .to_string(),
        );
    }
    if let Some(name) = url.rsplit('/').next().filter(|n| !n.is_empty()) {
        paths.push(format!("{playbooks}/{name}"));
    }
    let mut out = Vec::new();
    for p in paths {
        let has_extension = p.rsplit('/').next().is_some_and(|n| n.contains('.'));
        if !has_extension {
            out.push(format!("{p}.md"));
        }
        out.push(p);
    }
    out.dedup();
    out
}

// --- environments --------------------------------------------------------------------

struct EnvSpec<'a> {
    dir: &'a str,
    names: &'a [String],
    provider: &'a str,
    tags: &'a [String],
    environment_tag: Option<&'a str>,
    distinct_state_keys: bool,
    backend: &'a BTreeMap<String, String>,
}

/// A tag value as far as it can be known without running terraform.
enum Resolved {
    Value(String),
    /// `var.NAME` that nothing sets.
    Unset(String),
    /// Some other expression (locals, functions): trusted.
    Unknown,
}

fn environments(view: &RepoView, spec: &EnvSpec<'_>) -> CheckOutcome {
    let mut findings = Vec::new();
    let mut keys: Vec<(String, String, String, Option<usize>)> = Vec::new();
    for env in spec.names {
        let folder = format!("{}/{env}", spec.dir);
        let files: Vec<&str> = view
            .under(&folder)
            .filter(|p| !p[folder.len() + 1..].contains('/'))
            .collect();
        let tf: Vec<&str> = files.iter().copied().filter(|p| is_tf(p)).collect();
        if tf.is_empty() {
            findings.push(Finding::new(format!(
                "environment `{env}`: `{folder}/` has no .tf files"
            )));
            continue;
        }
        // Only the provider and terraform blocks are parsed (not the whole
        // configuration); variable blocks only when a tag needs a default.
        let mut bodies: Vec<(&str, Cow<'_, Body>)> = Vec::new();
        for path in &tf {
            match parse_blocks(
                view,
                path,
                &[&format!("provider \"{}\"", spec.provider), "terraform"],
            ) {
                Ok(Some(body)) => bodies.push((*path, body)),
                Ok(None) => {}
                Err(e) => findings.push(Finding::at(
                    path,
                    None,
                    format!("does not parse as HCL: {e}"),
                )),
            }
        }
        let mut values: BTreeMap<String, Expression> = BTreeMap::new();
        for path in files
            .iter()
            .filter(|p| p.ends_with("/terraform.tfvars") || p.ends_with(".auto.tfvars"))
        {
            match view.hcl(path) {
                Some(Ok(body)) => {
                    for a in body.attributes() {
                        values.insert(a.key.to_string(), a.expr.clone());
                    }
                }
                Some(Err(e)) => findings.push(Finding::at(
                    path,
                    None,
                    format!("does not parse as HCL: {e}"),
                )),
                None => {}
            }
        }
        let unset_vars = bodies.iter().any(|(_, body)| {
            blocks(body, "provider")
                .flat_map(|p| blocks(&p.body, "default_tags"))
                .filter_map(|d| match attribute(&d.body, "tags") {
                    Some(Expression::Object(tags)) => Some(tags),
                    _ => None,
                })
                .flat_map(|tags| tags.values())
                .filter_map(var_name)
                .any(|name| !values.contains_key(name))
        });
        if unset_vars {
            for path in &tf {
                if let Ok(Some(body)) = parse_blocks(view, path, &["variable"]) {
                    for variable in blocks(&body, "variable") {
                        if let (Some(name), Some(default)) =
                            (label(variable, 0), attribute(&variable.body, "default"))
                        {
                            values
                                .entry(name.to_string())
                                .or_insert_with(|| default.clone());
                        }
                    }
                }
            }
        }
        let resolve = |expr: &Expression| -> Resolved {
            if let Some(s) = scalar_of(expr) {
                return Resolved::Value(s);
            }
            match var_name(expr) {
                Some(name) => match values.get(name).and_then(scalar_of) {
                    Some(v) => Resolved::Value(v),
                    None if values.contains_key(name) => Resolved::Unknown,
                    None => Resolved::Unset(name.to_string()),
                },
                None => Resolved::Unknown,
            }
        };
        if !spec.tags.is_empty() {
            let refs: Vec<(&str, &Body)> = bodies.iter().map(|(p, b)| (*p, b.as_ref())).collect();
            environment_tags(view, spec, env, &refs, &resolve, &mut findings);
        }
        if spec.distinct_state_keys || !spec.backend.is_empty() {
            let backend = bodies.iter().find_map(|(path, body)| {
                blocks(body, "terraform")
                    .flat_map(|t| blocks(&t.body, "backend"))
                    .next()
                    .map(|b| (*path, b))
            });
            let Some((path, backend)) = backend else {
                findings.push(Finding::new(format!("environment `{env}`: no `backend` block in `{folder}/`, so its state would be local")));
                continue;
            };
            let line = view.text(path).and_then(|t| {
                t.lines()
                    .position(|l| l.trim_start().starts_with("backend"))
                    .map(|i| i + 1)
            });
            for (key, expected) in spec.backend {
                match attribute(&backend.body, key).and_then(scalar_of) {
                    Some(v) if &v == expected => {}
                    Some(v) => findings.push(Finding::at(
                        path,
                        line,
                        format!("backend sets `{key} = {v}`; expected `{expected}`"),
                    )),
                    None => findings.push(Finding::at(
                        path,
                        line,
                        format!("backend does not set `{key} = {expected}`"),
                    )),
                }
            }
            if spec.distinct_state_keys {
                match attribute(&backend.body, "key") {
                    Some(expr) => {
                        let key = string_of(expr).unwrap_or_else(|| format!("{expr:?}"));
                        let bucket = attribute(&backend.body, "bucket")
                            .and_then(string_of)
                            .unwrap_or_default();
                        keys.push((env.clone(), bucket, key, line));
                        let _ = path;
                    }
                    None => findings.push(Finding::at(
                        path,
                        line,
                        "backend has no `key`; give each environment its own state key".to_string(),
                    )),
                }
            }
        }
    }
    if spec.distinct_state_keys {
        for (i, (env, bucket, key, _)) in keys.iter().enumerate() {
            if let Some((other, ..)) = keys[..i]
                .iter()
                .find(|(_, b, k, _)| k == key && b == bucket)
            {
                findings.push(Finding::new(format!("environments `{other}` and `{env}` share the state key `{key}`; each needs its own")));
            }
        }
    }
    let mut what = Vec::new();
    if !spec.tags.is_empty() {
        what.push(format!(
            "default tags {}",
            spec.tags
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if spec.distinct_state_keys {
        what.push("distinct state keys".into());
    }
    if !spec.backend.is_empty() {
        what.push(format!(
            "backend {}",
            spec.backend
                .iter()
                .map(|(k, v)| format!("`{k} = {v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let envs = spec.names.join(", ");
    CheckOutcome::from_findings(findings, format!("{envs}: {}", what.join("; ")), |n| {
        format!("{} in {envs}", plural(n, "problem", "problems"))
    })
}

fn environment_tags(
    view: &RepoView,
    spec: &EnvSpec<'_>,
    env: &str,
    bodies: &[(&str, &Body)],
    resolve: &dyn Fn(&Expression) -> Resolved,
    findings: &mut Vec<Finding>,
) {
    let providers: Vec<(&str, &Block)> = bodies
        .iter()
        .flat_map(|(path, body)| {
            blocks(body, "provider")
                .filter(|p| label(p, 0) == Some(spec.provider))
                .map(move |p| (*path, p))
        })
        .collect();
    if providers.is_empty() {
        findings.push(Finding::new(format!(
            "environment `{env}`: no `provider \"{}\"` block with default_tags",
            spec.provider
        )));
        return;
    }
    for (path, provider) in providers {
        let line = view.text(path).and_then(|t| {
            t.lines()
                .position(|l| {
                    l.trim_start().starts_with("provider")
                        && l.contains(&format!("\"{}\"", spec.provider))
                })
                .map(|i| i + 1)
        });
        let tags = blocks(&provider.body, "default_tags").find_map(|d| attribute(&d.body, "tags"));
        let Some(Expression::Object(tags)) = tags else {
            findings.push(Finding::at(
                path,
                line,
                format!(
                    "provider `{}` has no `default_tags {{ tags = {{ ... }} }}`",
                    spec.provider
                ),
            ));
            continue;
        };
        for wanted in spec.tags {
            let value = tags.iter().find_map(|(k, v)| {
                let key = match k {
                    ObjectKey::Identifier(i) => i.to_string(),
                    ObjectKey::Expression(e) => string_of(e).unwrap_or_default(),
                    _ => String::new(),
                };
                (key == *wanted).then_some(v)
            });
            let Some(value) = value else {
                findings.push(Finding::at(
                    path,
                    line,
                    format!("default_tags lacks the mandatory tag `{wanted}`"),
                ));
                continue;
            };
            match resolve(value) {
                Resolved::Value(v) if v.trim().is_empty() => findings.push(Finding::at(path, line, format!("tag `{wanted}` is empty"))),
                Resolved::Value(v) if spec.environment_tag == Some(wanted.as_str()) && v != env => {
                    findings.push(Finding::at(path, line, format!("tag `{wanted}` is `{v}` in environment `{env}`")));
                }
                Resolved::Unset(var) => findings.push(Finding::at(path, line, format!("tag `{wanted}` comes from `var.{var}`, which has no value in terraform.tfvars and no default"))),
                _ => {}
            }
        }
    }
}

// --- dockerfile --------------------------------------------------------------------------

struct DockerSpec {
    non_root: bool,
    pinned_base: bool,
    require_digest: bool,
    healthcheck: bool,
}

fn dockerfile_check(view: &RepoView, path: &str, spec: &DockerSpec) -> CheckOutcome {
    let Some(text) = view.text(path) else {
        return CheckOutcome::fail(
            format!("`{path}` is missing"),
            vec![Finding::new(format!("`{path}` is missing"))],
        );
    };
    let instructions = dockerfile::instructions(&text);
    let stages = dockerfile::stages(&instructions);
    let Some(last) = stages.len().checked_sub(1) else {
        return CheckOutcome::fail(
            "no FROM instruction".to_string(),
            vec![Finding::at(path, None, "has no FROM instruction")],
        );
    };
    let mut findings = Vec::new();
    let mut passed = Vec::new();
    if spec.pinned_base {
        let before = findings.len();
        for stage in stages.iter().filter(|s| s.parent.is_none()) {
            if let Some(reason) = dockerfile::unpinned_reason(&stage.image, spec.require_digest) {
                findings.push(Finding::at(
                    path,
                    Some(stage.line),
                    format!("base image {reason}"),
                ));
            }
        }
        if findings.len() == before {
            passed.push(if spec.require_digest {
                "bases pinned by digest"
            } else {
                "bases pinned"
            });
        }
    }
    // The chain of stages the final image is built from, final first.
    let mut chain = vec![last];
    while let Some(parent) = stages[*chain.last().unwrap_or(&last)].parent {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
    }
    if spec.non_root {
        let user = chain.iter().find_map(|&i| stages[i].user.clone());
        let base = &stages[*chain.last().unwrap_or(&last)].image;
        match user {
            Some((user, line)) if dockerfile::is_root_user(&user) => findings.push(Finding::at(
                path,
                Some(line),
                format!("the final stage runs as `{user}`"),
            )),
            Some(_) => passed.push("non-root"),
            None if base.contains("nonroot") => passed.push("non-root"),
            None => findings.push(Finding::at(
                path,
                Some(stages[last].line),
                "the final stage has no USER, so it runs as root",
            )),
        }
    }
    if spec.healthcheck {
        match chain.iter().find_map(|&i| stages[i].healthcheck.clone()) {
            Some((args, line)) if args.trim().eq_ignore_ascii_case("none") => {
                findings.push(Finding::at(
                    path,
                    Some(line),
                    "HEALTHCHECK NONE disables the health check",
                ));
            }
            Some(_) => passed.push("HEALTHCHECK"),
            None => findings.push(Finding::at(
                path,
                Some(stages[last].line),
                "the final stage has no HEALTHCHECK",
            )),
        }
    }
    CheckOutcome::from_findings(findings, format!("`{path}`: {}", passed.join(", ")), |n| {
        format!("`{path}`: {}", plural(n, "problem", "problems"))
    })
}

// --- no_secrets ----------------------------------------------------------------------------

fn no_secrets(
    view: &RepoView,
    allow_file: &str,
    exclude: &[PathGlob],
    max_findings: usize,
) -> CheckOutcome {
    let (allow, problems) = view.text(allow_file).map_or_else(
        || (Vec::new(), Vec::new()),
        |t| secrets::parse_allow_file(&t),
    );
    let mut findings: Vec<Finding> = problems
        .into_iter()
        .map(|(line, message)| Finding::at(allow_file, Some(line), message))
        .collect();
    let mut total = findings.len();
    let mut scanned = 0;
    for (path, bytes) in view.files() {
        if path == allow_file
            || exclude.iter().any(|g| g.is_match(path))
            || bytes[..bytes.len().min(8000)].contains(&0)
        {
            continue;
        }
        scanned += 1;
        for hit in secrets::scan(bytes) {
            if secrets::allowed(&allow, path, hit.rule) {
                continue;
            }
            total += 1;
            if findings.len() < max_findings {
                findings.push(Finding::at(
                    path,
                    Some(hit.line),
                    format!(
                        "{} `{}` (rule `{}`)",
                        hit.description, hit.redacted, hit.rule
                    ),
                ));
            }
        }
    }
    if total > findings.len() {
        findings.push(Finding::new(format!(
            "... and {} more",
            total - findings.len()
        )));
    }
    CheckOutcome::from_findings(
        findings,
        format!(
            "no secret-looking strings in {}",
            plural(scanned, "file", "files")
        ),
        |_| {
            format!(
                "{} found",
                plural(total, "secret-looking string", "secret-looking strings")
            )
        },
    )
}

// --- template_currency ---------------------------------------------------------------------

fn template_currency(
    view: &RepoView,
    latest: Option<&semver::Version>,
    max_minor_behind: u64,
    require_latest: bool,
) -> CheckOutcome {
    let record = match view.record() {
        Ok(r) => r,
        Err(e) => return CheckOutcome::fail(e.to_string(), vec![Finding::new(e.to_string())]),
    };
    let current = &record.template.version;
    let name = &record.template.name;
    let Some(latest) = latest else {
        let message = format!(
            "the latest version of template `{name}` is unknown (its source `{}` could not be read)",
            record.template.source
        );
        return CheckOutcome::fail(message.clone(), vec![Finding::new(message)]);
    };
    let fail = |message: String| {
        CheckOutcome::fail(
            message.clone(),
            vec![Finding::at(crate::record::RECORD_FILE, None, message)],
        )
    };
    if current >= latest {
        return CheckOutcome::pass(format!("on the latest `{name}` {current}"));
    }
    if current.major < latest.major {
        return fail(format!(
            "`{name}` {current} is a major version behind the latest {latest}"
        ));
    }
    if require_latest {
        return fail(format!("`{name}` {current} is behind the latest {latest}"));
    }
    let behind = latest.minor - current.minor;
    if behind > max_minor_behind {
        return fail(format!(
            "`{name}` {current} is {} behind the latest {latest}; at most {max_minor_behind} allowed",
            plural(
                usize::try_from(behind).unwrap_or(usize::MAX),
                "minor version",
                "minor versions"
            )
        ));
    }
    CheckOutcome::pass(format!(
        "`{name}` {current}, {} behind the latest {latest} (at most {max_minor_behind} allowed)",
        plural(
            usize::try_from(behind).unwrap_or(0),
            "minor version",
            "minor versions"
        )
    ))
}

// --- tests_present -------------------------------------------------------------------------

const CODE_EXTENSIONS: &[&str] = &[
    "py", "java", "scala", "kt", "rs", "go", "js", "ts", "jsx", "tsx", "rb", "cs", "php", "ex",
    "exs",
];

/// Whether a path looks like a test by the usual conventions of its language.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
pub fn is_test_file(path: &str, text: impl FnOnce() -> String) -> bool {
    let Some((stem_path, ext)) = path.rsplit_once('.') else {
        return false;
    };
    if !CODE_EXTENSIONS.contains(&ext) {
        return false;
    }
    let components: Vec<&str> = path.split('/').collect();
    if components[..components.len() - 1]
        .iter()
        .any(|c| matches!(*c, "test" | "tests" | "__tests__" | "spec" | "specs"))
    {
        return true;
    }
    let stem = stem_path.rsplit('/').next().unwrap_or(stem_path);
    if stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.ends_with(".test")
        || stem.ends_with(".spec")
        || ["Test", "Tests", "Spec", "Suite"]
            .iter()
            .any(|s| stem.ends_with(s) && stem.len() > s.len())
    {
        return true;
    }
    ext == "rs" && {
        let text = text();
        text.contains("#[test]") || text.contains("#[tokio::test")
    }
}

fn tests_present(view: &RepoView, globs: &[PathGlob], min_files: usize) -> CheckOutcome {
    let tests: Vec<String> = view
        .paths()
        .filter(|p| {
            if globs.is_empty() {
                is_test_file(p, || view.text(p).unwrap_or_default().into_owned())
            } else {
                globs.iter().any(|g| g.is_match(p))
            }
        })
        .map(str::to_string)
        .collect();
    if tests.len() >= min_files {
        CheckOutcome::pass(format!(
            "{}: {}",
            plural(tests.len(), "test file", "test files"),
            list(&tests)
        ))
    } else {
        let message = format!(
            "found {}; expected at least {min_files}",
            plural(tests.len(), "test file", "test files")
        );
        CheckOutcome::fail(message.clone(), vec![Finding::new(message)])
    }
}

// --- attestation -----------------------------------------------------------------------------

fn attestation(view: &RepoView, check: &str, today: Date) -> CheckOutcome {
    let file = super::attest::ATTESTATIONS_FILE;
    let all = match view.attestations() {
        Ok(a) => a,
        Err(e) => {
            return CheckOutcome::fail(
                format!("`{file}` does not parse"),
                vec![Finding::at(file, None, e.to_string())],
            );
        }
    };
    let Some(a) = all.latest_for(check) else {
        let message = format!("not attested yet (no entry for `{check}` in `{file}`)");
        return CheckOutcome::fail(message.clone(), vec![Finding::new(message)]);
    };
    let note = a
        .note
        .as_deref()
        .map_or_else(String::new, |n| format!(": {n}"));
    if a.date > today {
        let message = format!(
            "attested by {} with a date in the future ({})",
            a.by, a.date
        );
        return CheckOutcome::fail(message.clone(), vec![Finding::at(file, None, message)]);
    }
    if today > a.expires {
        let days = today.days() - a.expires.days();
        let message = format!(
            "attested by {} on {}, expired on {} ({} ago)",
            a.by,
            a.date,
            a.expires,
            plural(usize::try_from(days).unwrap_or(0), "day", "days")
        );
        return CheckOutcome::fail(message.clone(), vec![Finding::at(file, None, message)]);
    }
    CheckOutcome::pass(format!(
        "attested by {} on {}, valid through {}{note}",
        a.by, a.date, a.expires
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::rubric::Rubric;

    const RECORD: &str = "template:\n  source: service\n  name: service\n  version: 1.2.0\nanswers:\n  service_name: billing-api\n  kind: web\n  playbook_base_url: https://github.com/acme/billing-api/blob/main/docs/playbooks\n";

    fn view(files: &[(&str, &str)]) -> RepoView {
        RepoView::new(
            "repo",
            files
                .iter()
                .map(|(p, t)| ((*p).to_string(), t.as_bytes().to_vec())),
        )
    }

    /// One check of kind `kind` with `params` (YAML flow or block text).
    fn check(kind: &str, params: &str) -> Check {
        check_with(kind, params, "")
    }

    fn check_with(kind: &str, params: &str, extra: &str) -> Check {
        let params = params.lines().fold(String::new(), |mut text, l| {
            let _ = writeln!(text, "      {l}");
            text
        });
        let text = format!(
            "name: t\ncategories:\n  - id: c\n    title: C\nchecks:\n  - id: the-check\n    title: T\n    level: bronze\n    category: c\n    kind: {kind}\n    fix: fix it\n{extra}    params:\n{params}"
        );
        Rubric::parse(&text, "t.yaml")
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .checks
            .remove(0)
    }

    fn today() -> Date {
        Date::parse("2025-06-01").unwrap()
    }

    fn outcome(c: &Check, v: &RepoView) -> CheckOutcome {
        run(c, v, today(), Some(&semver::Version::new(1, 2, 0)))
    }

    #[track_caller]
    fn passes(c: &Check, v: &RepoView) {
        let o = outcome(c, v);
        assert_eq!(o.status, Status::Pass, "{o:#?}");
    }

    #[track_caller]
    fn fails_with(c: &Check, v: &RepoView, expected: &str) -> CheckOutcome {
        let o = outcome(c, v);
        assert_eq!(o.status, Status::Fail, "{o:#?}");
        let all = format!(
            "{}\n{}",
            o.summary,
            o.findings
                .iter()
                .map(Finding::display)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(all.contains(expected), "expected `{expected}` in:\n{all}");
        o
    }

    #[test]
    fn file_exists_kind() {
        let c = check("file_exists", "glob: [README.md, 'docs/playbooks/*.md']");
        passes(&c, &view(&[("README.md", ""), ("docs/playbooks/a.md", "")]));
        fails_with(
            &c,
            &view(&[("README.md", ""), ("docs/playbooks/sub/a.md", "")]),
            "no file matches `docs/playbooks/*.md`",
        );
    }

    #[test]
    fn file_contains_kind() {
        let c = check(
            "file_contains",
            "glob: README.md\npattern: '(?m)^Owner: \\S+'\nwhat: an `Owner:` line",
        );
        passes(&c, &view(&[("README.md", "# x\nOwner: payments\n")]));
        fails_with(
            &c,
            &view(&[("README.md", "# x\n")]),
            "README.md: lacks an `Owner:` line",
        );
        fails_with(&c, &view(&[]), "no file matches `README.md`");
        let any = check(
            "file_contains",
            "glob: 'terraform/**/*.tf'\npattern: aws_cloudwatch_dashboard\nrequire: any",
        );
        passes(
            &any,
            &view(&[
                ("terraform/a.tf", ""),
                (
                    "terraform/m/b.tf",
                    "resource \"aws_cloudwatch_dashboard\" \"x\" {}",
                ),
            ]),
        );
        fails_with(&any, &view(&[("terraform/a.tf", "")]), "no file matching");
    }

    #[test]
    fn file_lacks_kind() {
        let c = check("file_lacks", "glob: '**/*.tf'\npattern: 'TODO'");
        passes(&c, &view(&[("a.tf", "ok\n")]));
        let o = fails_with(
            &c,
            &view(&[("m/a.tf", "ok\n# TODO fix\n")]),
            "m/a.tf:2: has a match for `TODO`",
        );
        assert_eq!(o.findings[0].line, Some(2));
    }

    #[test]
    fn data_path_kind() {
        let c = check(
            "data_path",
            "file: catalog-info.yaml\npath: spec.owner\npattern: '^group:'",
        );
        passes(
            &c,
            &view(&[("catalog-info.yaml", "---\nspec:\n  owner: group:payments\n")]),
        );
        fails_with(
            &c,
            &view(&[("catalog-info.yaml", "spec:\n  owner: payments\n")]),
            "does not match",
        );
        fails_with(
            &c,
            &view(&[("catalog-info.yaml", "spec: {}\n")]),
            "has no `spec.owner`",
        );
        fails_with(
            &c,
            &view(&[("catalog-info.yaml", "spec: [\n")]),
            "does not parse",
        );
        fails_with(&c, &view(&[]), "`catalog-info.yaml` is missing");
        let json = check("data_path", "file: package.json\npath: 'scripts.test'");
        passes(
            &json,
            &view(&[("package.json", r#"{"scripts": {"test": "jest"}}"#)]),
        );
        fails_with(
            &json,
            &view(&[("package.json", r#"{"scripts": {"test": ""}}"#)]),
            "is empty",
        );
        let eq = check(
            "data_path",
            "file: a.yaml\npath: 'items[1].name'\nequals: b",
        );
        passes(&eq, &view(&[("a.yaml", "items: [{name: a}, {name: b}]\n")]));
        fails_with(
            &eq,
            &view(&[("a.yaml", "items: [{name: a}, {name: c}]\n")]),
            "expected `b`",
        );
    }

    const ALARMS: &str = r#"resource "aws_sns_topic" "t" {
  name = "x"
}

resource "aws_cloudwatch_metric_alarm" "p99_latency" {
  alarm_name        = "${local.name}-p99-latency"
  alarm_description = "p99 of ${var.service_name} above 1s. Playbook: https://github.com/acme/billing-api/blob/main/docs/playbooks/p99-latency.md"
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_description = "CPU high. Playbook: https://wiki.example.com/billing-api/cpu"
}
"#;

    #[test]
    fn alarm_playbooks_kind() {
        let c = check(
            "alarm_playbooks",
            "terraform: terraform\nplaybooks: docs/playbooks",
        );
        let files = [
            (".newsvc.yml", RECORD),
            ("terraform/modules/service/alarms.tf", ALARMS),
            ("docs/playbooks/p99-latency.md", "# p99"),
            ("docs/playbooks/cpu.md", "# cpu"),
        ];
        passes(&c, &view(&files));
        let o = fails_with(
            &c,
            &view(&files[..3]),
            "terraform/modules/service/alarms.tf:10: alarm `cpu` links `https://wiki.example.com/billing-api/cpu`, but `docs/playbooks/cpu.md` does not exist",
        );
        assert_eq!(o.findings.len(), 1);
        fails_with(
            &c,
            &view(&[(
                "terraform/a.tf",
                "resource \"aws_cloudwatch_metric_alarm\" \"x\" {\n  alarm_description = \"no link\"\n}\n",
            )]),
            "has no `Playbook: <URL>`",
        );
        fails_with(
            &c,
            &view(&[(
                "terraform/a.tf",
                "resource \"aws_cloudwatch_metric_alarm\" \"x\" {\n}\n",
            )]),
            "has no alarm_description",
        );
        fails_with(
            &c,
            &view(&[("terraform/a.tf", "# no alarms\n")]),
            "found 0 CloudWatch alarms",
        );
        fails_with(
            &c,
            &view(&[(
                "terraform/a.tf",
                "resource \"aws_cloudwatch_metric_alarm\" \"x\" {\n  = broken\n",
            )]),
            "does not parse as HCL",
        );
    }

    #[test]
    fn alarm_descriptions_in_heredocs_and_unformatted_files() {
        let c = check("alarm_playbooks", "terraform: terraform");
        let heredoc = "resource \"aws_cloudwatch_metric_alarm\" \"cpu\" {\n  alarm_name = \"x\"\n  alarm_description = <<-EOT\n    CPU high.\n    Playbook: docs/playbooks/cpu.md\n  EOT\n  dimensions = { a = \"}\" }\n}\n";
        passes(
            &c,
            &view(&[("terraform/a.tf", heredoc), ("docs/playbooks/cpu.md", "")]),
        );
        fails_with(
            &c,
            &view(&[("terraform/a.tf", heredoc)]),
            "terraform/a.tf:1: alarm `cpu` links `docs/playbooks/cpu.md`",
        );
        let indented = "  resource \"aws_cloudwatch_metric_alarm\" \"cpu\" {\n    alarm_description = \"Playbook: docs/playbooks/cpu.md\"\n  }\n";
        passes(
            &c,
            &view(&[("terraform/a.tf", indented), ("docs/playbooks/cpu.md", "")]),
        );
    }

    #[test]
    fn playbook_urls_resolve() {
        let base = Some("https://git.acme.io/x/blob/main/docs/playbooks");
        assert_eq!(
            playbook_candidates(
                "https://git.acme.io/x/blob/main/docs/playbooks/a.md#top",
                base,
                "docs/playbooks"
            )[0],
            "docs/playbooks/a.md"
        );
        assert!(
            playbook_candidates("https://wiki/svc/high-cpu", None, "docs/playbooks")
                .contains(&"docs/playbooks/high-cpu.md".to_string())
        );
        assert!(
            playbook_candidates("docs/playbooks/a.md", None, "docs/playbooks")
                .contains(&"docs/playbooks/a.md".to_string())
        );
        assert_eq!(
            playbook_link("x. Playbook: https://a/b.md.", "Playbook:").unwrap(),
            "https://a/b.md"
        );
    }

    fn env_files(env: &str, key: &str, owner: &str) -> Vec<(String, String)> {
        vec![
            (
                format!("terraform/{env}/main.tf"),
                format!(
                    "provider \"aws\" {{\n  default_tags {{\n    tags = {{\n      environment = var.environment\n      \"sub-service\" = \"billing-api\"\n      owner = var.owner\n    }}\n  }}\n}}\n\
                     terraform {{\n  backend \"s3\" {{\n    bucket = \"state\"\n    key = \"{key}\"\n    encrypt = true\n  }}\n}}\n\
                     variable \"owner\" {{\n  type = string\n}}\nvariable \"environment\" {{\n  type = string\n}}\n"
                ),
            ),
            (
                format!("terraform/{env}/terraform.tfvars"),
                format!("# {env}\nenvironment = \"{env}\"\nowner = \"{owner}\"\n"),
            ),
        ]
    }

    fn env_view(envs: &[(&str, &str, &str)]) -> RepoView {
        let files: Vec<(String, String)> = envs
            .iter()
            .flat_map(|(e, k, o)| env_files(e, k, o))
            .collect();
        RepoView::new("r", files.into_iter().map(|(p, t)| (p, t.into_bytes())))
    }

    #[test]
    fn environments_kind() {
        let c = check(
            "environments",
            "names: [dev, staging, prod]\ntags: [environment, sub-service, owner]\nenvironment_tag: environment\ndistinct_state_keys: true\nbackend: {encrypt: true}",
        );
        passes(
            &c,
            &env_view(&[
                ("dev", "s/dev", "payments"),
                ("staging", "s/stg", "payments"),
                ("prod", "s/prd", "payments"),
            ]),
        );
        fails_with(
            &c,
            &env_view(&[
                ("dev", "s/dev", "payments"),
                ("staging", "s/dev", "payments"),
                ("prod", "s/prd", "payments"),
            ]),
            "environments `dev` and `staging` share the state key `s/dev`",
        );
        fails_with(
            &c,
            &env_view(&[("dev", "s/dev", "payments"), ("prod", "s/prd", "payments")]),
            "`terraform/staging/` has no .tf files",
        );
        fails_with(
            &c,
            &env_view(&[
                ("dev", "s/dev", ""),
                ("staging", "s/stg", "payments"),
                ("prod", "s/prd", "payments"),
            ]),
            "terraform/dev/main.tf:1: tag `owner` is empty",
        );
        let missing_tag = check("environments", "names: [dev]\ntags: [service]");
        fails_with(
            &missing_tag,
            &env_view(&[("dev", "s/dev", "p")]),
            "lacks the mandatory tag `service`",
        );
        let no_value = RepoView::new(
            "r",
            env_files("dev", "k", "p")
                .into_iter()
                .filter(|(p, _)| is_tf(p))
                .map(|(p, t)| (p, t.into_bytes())),
        );
        fails_with(
            &check("environments", "names: [dev]\ntags: [owner]"),
            &no_value,
            "comes from `var.owner`, which has no value",
        );
        let lock = check(
            "environments",
            "names: [dev]\nbackend: {use_lockfile: true}",
        );
        fails_with(
            &lock,
            &env_view(&[("dev", "k", "p")]),
            "backend does not set `use_lockfile = true`",
        );
    }

    #[test]
    fn blocks_are_cut_out_whole() {
        let text = "provider \"aws\" {\n  # a } in a comment\n  x = \"${var.a}}\"\n  y = <<EOT\n}}}\nEOT\n  /* } */ z = {a = 1}\n}\nresource \"a\" \"b\" {}\n";
        let len = block_len(text).unwrap();
        assert!(text[..len].ends_with("z = {a = 1}\n}"), "{}", &text[..len]);
        assert!(hcl::parse(&text[..len]).is_ok());
        assert_eq!(
            block_len("provider \"aws\" {\n  x = \"unterminated\n}\n"),
            None
        );
        // An indented (unformatted) provider is still found: the whole file is parsed.
        let indented = env_files("dev", "k", "p").into_iter().map(|(p, t)| {
            (
                p,
                t.replace("provider \"aws\"", "  provider \"aws\"")
                    .into_bytes(),
            )
        });
        let v = RepoView::new("r", indented);
        passes(&check("environments", "names: [dev]\ntags: [owner]"), &v);
    }

    #[test]
    fn dockerfile_kind() {
        let all = check(
            "dockerfile",
            "non_root: true\npinned_base: true\nhealthcheck: true",
        );
        let good = "FROM python:3.12.8-slim AS build\nRUN pip install x\nFROM python:3.12.8-slim\nUSER 10001\nHEALTHCHECK CMD [\"python\", \"-c\", \"1\"]\nENTRYPOINT [\"app\"]\n";
        passes(&all, &view(&[("Dockerfile", good)]));
        fails_with(
            &all,
            &view(&[("Dockerfile", &good.replace("USER 10001", "USER root"))]),
            "Dockerfile:4: the final stage runs as `root`",
        );
        fails_with(
            &all,
            &view(&[("Dockerfile", &good.replace("USER 10001\n", ""))]),
            "Dockerfile:3: the final stage has no USER",
        );
        fails_with(
            &all,
            &view(&[(
                "Dockerfile",
                &good.replace("FROM python:3.12.8-slim AS", "FROM python AS"),
            )]),
            "Dockerfile:1: base image `python` has no tag",
        );
        fails_with(
            &all,
            &view(&[(
                "Dockerfile",
                &good.replace(
                    "HEALTHCHECK CMD [\"python\", \"-c\", \"1\"]",
                    "HEALTHCHECK NONE",
                ),
            )]),
            "HEALTHCHECK NONE",
        );
        fails_with(&all, &view(&[]), "`Dockerfile` is missing");
        let distroless = "FROM rust:1.85 AS build\nFROM gcr.io/distroless/cc-debian12:nonroot@sha256:0123\nCOPY --from=build /a /a\n";
        passes(
            &check("dockerfile", "non_root: true\npinned_base: true"),
            &view(&[("Dockerfile", distroless)]),
        );
        fails_with(
            &check("dockerfile", "pinned_base: true"),
            &view(&[("Dockerfile", &distroless.replace("@sha256:0123", ""))]),
            "Dockerfile:2: base image `gcr.io/distroless/cc-debian12:nonroot` uses the moving tag `nonroot`",
        );
        let inherited =
            "FROM python:3.12.8-slim AS base\nUSER app\nFROM base\nHEALTHCHECK CMD true\n";
        passes(&all, &view(&[("Dockerfile", inherited)]));
    }

    #[test]
    fn healthcheck_only_for_web_via_when() {
        let c = check_with("dockerfile", "healthcheck: true", "    when: {kind: web}\n");
        let no_hc = "FROM python:3.12.8-slim\nUSER 1\n";
        fails_with(
            &c,
            &view(&[(".newsvc.yml", RECORD), ("Dockerfile", no_hc)]),
            "no HEALTHCHECK",
        );
        let worker = RECORD.replace("kind: web", "kind: worker");
        let o = outcome(
            &c,
            &view(&[(".newsvc.yml", &worker), ("Dockerfile", no_hc)]),
        );
        assert_eq!(o.status, Status::Skip, "{o:?}");
        assert!(o.summary.contains("kind is `worker`"), "{o:?}");
        let unless = check_with(
            "tests_present",
            "min_files: 1",
            "    unless: {kind: [web]}\n",
        );
        assert_eq!(
            outcome(&unless, &view(&[(".newsvc.yml", RECORD)])).status,
            Status::Skip
        );
    }

    #[test]
    fn no_secrets_kind() {
        let c = check("no_secrets", "allow_file: .newsvc-secrets-allow");
        passes(
            &c,
            &view(&[
                ("README.md", "nothing here\n"),
                ("bin.dat", "\0AKIAZ7QK4XQ3JH2LMNOP"),
            ]),
        );
        let leaked = [
            ("README.md", "ok\n"),
            (
                "config/app.env",
                "A=1\nAWS_ACCESS_KEY_ID=AKIAZ7QK4XQ3JH2LMNOP\n",
            ),
        ];
        let o = fails_with(
            &c,
            &view(&leaked),
            "config/app.env:2: AWS access key id `AKIA…` (rule `aws-access-key-id`)",
        );
        assert!(
            !o.findings.iter().any(|f| f.message.contains("AKIAZ7QK")),
            "values must be redacted"
        );
        let mut allowed = leaked.to_vec();
        allowed.push((".newsvc-secrets-allow", "config/*.env aws-access-key-id\n"));
        passes(&c, &view(&allowed));
        allowed.push((".newsvc-secrets-allow", "config/*.env aws-secret\n"));
        fails_with(
            &c,
            &view(&allowed),
            ".newsvc-secrets-allow:1: unknown rule `aws-secret`",
        );
        let excluded = check("no_secrets", "exclude: ['config/**']");
        passes(&excluded, &view(&leaked));
    }

    #[test]
    fn template_currency_kind() {
        let c = check("template_currency", "max_minor_behind: 2");
        let v = view(&[(".newsvc.yml", RECORD)]);
        let at = |latest: &str| run(&c, &v, today(), Some(&latest.parse().unwrap()));
        assert_eq!(at("1.2.0").status, Status::Pass);
        assert_eq!(at("1.4.9").status, Status::Pass);
        assert!(
            at("1.5.0")
                .summary
                .contains("3 minor versions behind the latest 1.5.0"),
            "{:?}",
            at("1.5.0")
        );
        assert!(at("2.0.0").summary.contains("a major version behind"));
        let latest = check("template_currency", "require_latest: true");
        assert_eq!(
            run(&latest, &v, today(), Some(&"1.2.0".parse().unwrap())).status,
            Status::Pass
        );
        assert_eq!(
            run(&latest, &v, today(), Some(&"1.2.1".parse().unwrap())).status,
            Status::Fail
        );
        let unknown = run(&c, &v, today(), None);
        assert!(unknown.summary.contains("unknown"), "{unknown:?}");
        fails_with(&c, &view(&[]), "no .newsvc.yml");
    }

    #[test]
    fn tests_present_kind() {
        let c = check("tests_present", "min_files: 1");
        for test in [
            "tests/test_app.py",
            "src/test/java/com/x/AppTest.java",
            "src/test/scala/x/AppSuite.scala",
            "src/handler_test.go",
            "web/app.spec.ts",
        ] {
            passes(&c, &view(&[(test, "")]));
        }
        passes(
            &c,
            &view(&[(
                "src/main.rs",
                "#[cfg(test)]\nmod t { #[test]\nfn a() {} }\n",
            )]),
        );
        fails_with(
            &c,
            &view(&[
                ("src/main.rs", "fn main() {}\n"),
                ("tests/README.md", ""),
                ("app/testing.py", ""),
            ]),
            "found 0 test files",
        );
        let custom = check("tests_present", "globs: ['checks/*.sh']\nmin_files: 2");
        fails_with(
            &custom,
            &view(&[("checks/a.sh", "")]),
            "found 1 test file; expected at least 2",
        );
    }

    #[test]
    fn attestation_kind() {
        let c = check("attestation", "valid_days: 90");
        fails_with(&c, &view(&[]), "not attested yet");
        let file = "attestations:\n  - check: the-check\n    by: ana\n    date: 2025-05-01\n    expires: 2025-06-01\n    note: read it all\n";
        let v = view(&[(".newsvc/attestations.yaml", file)]);
        let o = run(&c, &v, today(), None);
        assert_eq!(o.status, Status::Pass, "{o:?}");
        assert!(
            o.summary
                .contains("attested by ana on 2025-05-01, valid through 2025-06-01: read it all"),
            "{o:?}"
        );
        let expired = run(&c, &v, today().add_days(1), None);
        assert_eq!(expired.status, Status::Fail);
        assert!(
            expired
                .summary
                .contains("expired on 2025-06-01 (1 day ago)"),
            "{expired:?}"
        );
        let early = run(&c, &v, Date::parse("2025-04-30").unwrap(), None);
        assert!(early.summary.contains("future"), "{early:?}");
        fails_with(
            &c,
            &view(&[(".newsvc/attestations.yaml", "attestations: [")]),
            "does not parse",
        );
    }
}
