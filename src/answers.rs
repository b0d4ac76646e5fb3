//! Answers: their values, how raw input (flags, files, config, prompts)
//! becomes a typed, validated answer, and the resolution of every question
//! of a manifest in order, honouring precedence and `when` conditions.
//! Pure: prompting is behind the `Asker` trait, supplied by the edge.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::expr;
use crate::manifest::{Manifest, Question, QuestionType};
use crate::source::TemplateSet;
use crate::validate::NamedValidator;

/// A typed answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<String>),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Str(_) => "string",
            Value::List(_) => "list",
        }
    }

    /// The value as a user would type it (lists comma-separated).
    pub fn display(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Str(s) => s.clone(),
            Value::List(items) => items.join(","),
        }
    }

    /// The empty value of a question type, used for hidden questions without a default.
    pub fn zero(kind: QuestionType) -> Value {
        match kind {
            QuestionType::String | QuestionType::Choice => Value::Str(String::new()),
            QuestionType::Multi => Value::List(Vec::new()),
            QuestionType::Bool => Value::Bool(false),
            QuestionType::Integer => Value::Int(0),
        }
    }
}

/// Named answers, in question order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(IndexMap<String, Value>);

impl Answers {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.0.insert(name.into(), value);
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// A tera context holding every answer.
    pub fn to_context(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        for (k, v) in &self.0 {
            ctx.insert(k.clone(), v);
        }
        ctx
    }
}

/// An answer as it arrived, before it is typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// Text from a flag or a prompt (`--set k=v`; multi as `a,b`).
    Text(String),
    /// A YAML value from a file.
    Yaml(serde_norway::Value),
}

/// A raw answer and where it came from, for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Provided {
    pub raw: Raw,
    pub origin: String,
}

/// Raw answers keyed by question name, highest precedence already applied.
pub type ProvidedAnswers = IndexMap<String, Provided>;

/// Merges layers of provided answers: later layers override earlier ones.
pub fn layer(layers: Vec<ProvidedAnswers>) -> ProvidedAnswers {
    let mut merged = ProvidedAnswers::new();
    for l in layers {
        for (k, v) in l {
            merged.insert(k, v);
        }
    }
    merged
}

/// Turns raw input into a value of the question's type and checks it fully.
pub fn accept(question: &Question, raw: &Raw, earlier: &Answers) -> Result<Value> {
    let value = parse(question, raw)?;
    check(question, &value, earlier)
        .map_err(|reason| invalid(question, &value.display(), reason))?;
    Ok(value)
}

fn invalid(question: &Question, value: &str, reason: String) -> Error {
    Error::InvalidAnswer {
        question: question.name.clone(),
        value: value.to_string(),
        reason,
    }
}

/// Types a raw answer for `question` (choices are checked here too).
pub fn parse(question: &Question, raw: &Raw) -> Result<Value> {
    // The value as the user wrote it, for an error message only (serialising
    // YAML on every answer cost more than the rest of parsing it).
    let shown = || match raw {
        Raw::Text(t) => t.clone(),
        Raw::Yaml(v) => serde_norway::to_string(v)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    let value = match (question.kind, raw) {
        (QuestionType::String | QuestionType::Choice, Raw::Text(t)) => Value::Str(t.clone()),
        (QuestionType::String | QuestionType::Choice, Raw::Yaml(v)) => match v {
            serde_norway::Value::String(s) => Value::Str(s.clone()),
            serde_norway::Value::Number(n) => Value::Str(n.to_string()),
            serde_norway::Value::Bool(b) => Value::Str(b.to_string()),
            _ => return Err(invalid(question, &shown(), "is not a string".into())),
        },
        (QuestionType::Bool, Raw::Text(t)) => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => Value::Bool(true),
            "false" | "no" | "n" | "0" | "off" => Value::Bool(false),
            _ => {
                return Err(invalid(
                    question,
                    &shown(),
                    "is not a yes/no value; use true or false".into(),
                ));
            }
        },
        (QuestionType::Bool, Raw::Yaml(v)) => match v {
            serde_norway::Value::Bool(b) => Value::Bool(*b),
            serde_norway::Value::String(s) => return parse(question, &Raw::Text(s.clone())),
            _ => return Err(invalid(question, &shown(), "is not true or false".into())),
        },
        (QuestionType::Integer, Raw::Text(t)) => Value::Int(
            t.trim()
                .parse()
                .map_err(|_| invalid(question, &shown(), "is not a whole number".into()))?,
        ),
        (QuestionType::Integer, Raw::Yaml(v)) => match v {
            serde_norway::Value::Number(n) if n.as_i64().is_some() => {
                Value::Int(n.as_i64().unwrap_or_default())
            }
            serde_norway::Value::String(s) => return parse(question, &Raw::Text(s.clone())),
            _ => return Err(invalid(question, &shown(), "is not a whole number".into())),
        },
        (QuestionType::Multi, Raw::Text(t)) => Value::List(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        (QuestionType::Multi, Raw::Yaml(v)) => match v {
            serde_norway::Value::Sequence(items) => Value::List(
                items
                    .iter()
                    .map(|i| match i {
                        serde_norway::Value::String(s) => Ok(s.clone()),
                        _ => Err(invalid(
                            question,
                            &shown(),
                            "must be a list of strings".into(),
                        )),
                    })
                    .collect::<Result<_>>()?,
            ),
            serde_norway::Value::String(s) => return parse(question, &Raw::Text(s.clone())),
            serde_norway::Value::Null => Value::List(Vec::new()),
            _ => return Err(invalid(question, &shown(), "must be a list".into())),
        },
    };
    match (&value, question.kind) {
        (Value::Str(s), QuestionType::Choice) if !question.choices.contains(s) => Err(invalid(
            question,
            s,
            format!("is not one of the choices: {}", question.choices.join(", ")),
        )),
        (Value::List(items), QuestionType::Multi) => {
            if let Some(bad) = items.iter().find(|i| !question.choices.contains(i)) {
                return Err(invalid(
                    question,
                    bad,
                    format!("is not one of the choices: {}", question.choices.join(", ")),
                ));
            }
            let mut seen = Vec::new();
            for i in items {
                if seen.contains(i) {
                    return Err(invalid(question, i, "is listed twice".into()));
                }
                seen.push(i.clone());
            }
            Ok(value)
        }
        _ => Ok(value),
    }
}

/// Checks a typed value against the question's rules (regex, bounds, named
/// validator, required). `Err` is the reason, phrased to follow the value.
pub fn check(
    question: &Question,
    value: &Value,
    earlier: &Answers,
) -> std::result::Result<(), String> {
    if let Value::Str(s) = value {
        if s.is_empty() && !question.is_required() {
            return Ok(());
        }
        if s.is_empty() && question.validate.is_none() && question.regex.is_none() {
            return Err("is empty; an answer is required".into());
        }
    }
    if let (Some(re), Value::Str(s)) = (&question.regex, value) {
        let re = regex_lite::Regex::new(re).map_err(|e| e.to_string())?;
        if !re.is_match(s) {
            return Err(match &question.regex_message {
                Some(m) => format!("is not valid: expected {m}"),
                None => format!("does not match `{}`", re.as_str()),
            });
        }
    }
    if let Value::Int(i) = value {
        if let Some(min) = question.min.filter(|m| i < m) {
            return Err(format!("is below the minimum {min}"));
        }
        if let Some(max) = question.max.filter(|m| i > m) {
            return Err(format!("is above the maximum {max}"));
        }
    }
    if let Some(v) = question
        .validate
        .as_deref()
        .and_then(NamedValidator::from_name)
    {
        v.check(value, earlier)?;
    }
    Ok(())
}

/// Asks the user for an answer; implemented by the interactive edge.
pub trait Asker {
    /// Prompts for `question` with `default` pre-filled; the returned value
    /// must already have passed `accept` (the asker re-asks until it does).
    fn ask(
        &mut self,
        question: &Question,
        default: Option<&Value>,
        earlier: &Answers,
    ) -> Result<Value>;
}

/// The outcome of resolution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The answers to the visible questions: what `.newsvc.yml` records.
    pub recorded: Answers,
    /// Every question's value, hidden ones at their default: the render context.
    pub all: Answers,
}

/// Checks that every provided key names a question of `manifest`.
pub fn check_known_keys(manifest: &Manifest, provided: &ProvidedAnswers) -> Result<()> {
    for (key, p) in provided {
        if manifest.question(key).is_none() {
            return Err(Error::UnknownQuestion {
                key: key.clone(),
                origin: p.origin.clone(),
                template: manifest.name.clone(),
                valid: manifest
                    .questions
                    .iter()
                    .map(|q| q.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(())
}

/// `resolve` for a template set: a question's `when` or default that fails
/// is reported at its line in the set's manifest (`TemplateSet::locate`).
pub fn resolve_set(
    set: &TemplateSet,
    provided: &ProvidedAnswers,
    defaults: &ProvidedAnswers,
    asker: Option<&mut dyn Asker>,
) -> Result<Resolved> {
    resolve(&set.manifest, provided, defaults, asker).map_err(|e| set.locate(e))
}

/// Resolves every question in order. `provided` wins; then `defaults`
/// (e.g. user config), then the manifest default; then `asker` if given
/// (a terminal and no `--defaults`); otherwise the question is missing.
/// Every value is checked the same way whichever way it arrived.
pub fn resolve(
    manifest: &Manifest,
    provided: &ProvidedAnswers,
    defaults: &ProvidedAnswers,
    mut asker: Option<&mut dyn Asker>,
) -> Result<Resolved> {
    check_known_keys(manifest, provided)?;
    // Type-check everything given up front, so a typo fails before any prompt.
    for (key, p) in provided {
        if let Some(q) = manifest.question(key) {
            parse(q, &p.raw).map_err(|e| with_origin(e, &p.origin))?;
        }
    }
    let tera = expr::shared();
    let mut resolved = Resolved::default();
    // `resolved.all` as a tera context, kept in step with it: `when`s and
    // defaults are evaluated against it, and building it afresh for each
    // cost more than evaluating some of them.
    let mut ctx = tera::Context::new();
    let mut missing = Vec::new();
    for q in &manifest.questions {
        // Once an answer is missing, a `when` or a default that fails to
        // evaluate depends on it: the question is settled when that answer
        // is given, so it is neither an error nor listed as missing itself.
        let visible = match &q.when {
            Some(when) => match expr::eval_condition(tera, when, &ctx) {
                Ok(visible) => visible,
                Err(_) if !missing.is_empty() => continue,
                Err(m) => {
                    return Err(Error::QuestionRule {
                        question: q.name.clone(),
                        field: "when",
                        message: format!("`when: {when}` fails to evaluate: {m}"),
                    });
                }
            },
            None => true,
        };
        let mut waits_on_missing = false;
        let default = match defaults.get(&q.name) {
            Some(p) => {
                Some(accept(q, &p.raw, &resolved.all).map_err(|e| with_origin(e, &p.origin))?)
            }
            None => match manifest_default(q, tera, &ctx) {
                Ok(default) => default,
                Err(_) if !missing.is_empty() => {
                    waits_on_missing = true;
                    None
                }
                Err(e) => return Err(e),
            },
        };
        if !visible {
            let value = default.unwrap_or_else(|| Value::zero(q.kind));
            ctx.insert(q.name.clone(), &value);
            resolved.all.insert(q.name.clone(), value);
            continue;
        }
        let value = if let Some(p) = provided.get(&q.name) {
            accept(q, &p.raw, &resolved.all).map_err(|e| with_origin(e, &p.origin))?
        } else if let Some(asker) = asker.as_deref_mut() {
            asker.ask(q, default.as_ref(), &resolved.all)?
        } else if let Some(d) = default {
            check(q, &d, &resolved.all).map_err(|reason| {
                invalid(
                    q,
                    &d.display(),
                    format!(
                        "{reason} (this is the default; set the answer with {})",
                        q.flag()
                    ),
                )
            })?;
            d
        } else if waits_on_missing {
            continue;
        } else if !q.is_required() {
            Value::zero(q.kind)
        } else {
            missing.push(format!(
                "{} ({}): set with {}",
                q.name,
                q.prompt_text(),
                q.flag()
            ));
            continue;
        };
        resolved.recorded.insert(q.name.clone(), value.clone());
        ctx.insert(q.name.clone(), &value);
        resolved.all.insert(q.name.clone(), value);
    }
    if missing.is_empty() {
        Ok(resolved)
    } else {
        Err(Error::MissingAnswers(missing))
    }
}

fn with_origin(err: Error, origin: &str) -> Error {
    match err {
        Error::InvalidAnswer {
            question,
            value,
            reason,
        } => Error::InvalidAnswer {
            question,
            value,
            reason: format!("{reason} (from {origin})"),
        },
        other => other,
    }
}

/// The manifest default of `q`, rendered if it is a tera template against
/// `earlier`, the answers before it (`Answers::to_context`).
pub fn manifest_default(
    q: &Question,
    tera: &tera::Tera,
    earlier: &tera::Context,
) -> Result<Option<Value>> {
    let Some(default) = &q.default else {
        return Ok(None);
    };
    let raw = match default {
        serde_norway::Value::String(s) if expr::is_template(s) => {
            let rendered = expr::render_str(tera, s, earlier).map_err(|m| Error::QuestionRule {
                question: q.name.clone(),
                field: "default",
                message: format!("default `{s}` fails to render: {m}"),
            })?;
            Raw::Text(rendered)
        }
        other => Raw::Yaml(other.clone()),
    };
    parse(q, &raw).map(Some).map_err(|e| match e {
        Error::InvalidAnswer { value, reason, .. } => Error::QuestionRule {
            question: q.name.clone(),
            field: "default",
            message: format!("the default `{value}` {reason}"),
        },
        other => other,
    })
}

/// Parses `KEY=VALUE` from `--set`.
pub fn parse_set(arg: &str) -> Result<(String, String)> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(Error::Usage(format!(
            "`--set {arg}` is not KEY=VALUE; for example `--set owner=payments` or `--set datastores=postgres,redis`"
        ))),
    }
}

/// Reads an answers document (a YAML mapping of question → value).
pub fn from_yaml(text: &str, file: &str) -> Result<ProvidedAnswers> {
    let map: IndexMap<String, serde_norway::Value> = if text.trim().is_empty() {
        IndexMap::new()
    } else {
        serde_norway::from_str(text).map_err(|e| Error::yaml(file, &e))?
    };
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                Provided {
                    raw: Raw::Yaml(v),
                    origin: format!("answers file {file}"),
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest::parse(
            r#"
name: t
version: 1.0.0
questions:
  - name: service_name
    type: string
    validate: service_name
  - name: kind
    type: choice
    choices: [web, worker]
    default: web
  - name: exposure
    type: choice
    choices: [internal, external]
    default: internal
    when: kind == "web"
  - name: stores
    type: multi
    choices: [redis, postgres]
    default: []
  - name: count
    type: integer
    default: 2
    min: 1
  - name: url
    type: string
    default: "https://x/{{ service_name }}"
"#,
            "template.yaml",
        )
        .unwrap()
    }

    fn text(pairs: &[(&str, &str)]) -> ProvidedAnswers {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_string(),
                    Provided {
                        raw: Raw::Text((*v).to_string()),
                        origin: "--set".into(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn defaults_render_over_earlier_answers_and_hidden_questions_are_not_recorded() {
        let r = resolve(
            &manifest(),
            &text(&[("service_name", "billing"), ("kind", "worker")]),
            &text(&[]),
            None,
        )
        .unwrap();
        assert_eq!(
            r.recorded.get("url"),
            Some(&Value::Str("https://x/billing".into()))
        );
        assert_eq!(r.recorded.get("exposure"), None);
        assert_eq!(r.all.get("exposure"), Some(&Value::Str("internal".into())));
        assert_eq!(r.recorded.get("stores"), Some(&Value::List(vec![])));
    }

    #[test]
    fn precedence_provided_over_defaults_layer() {
        let r = resolve(
            &manifest(),
            &text(&[("service_name", "billing"), ("count", "5")]),
            &text(&[("count", "3"), ("url", "https://cfg")]),
            None,
        )
        .unwrap();
        assert_eq!(r.recorded.get("count"), Some(&Value::Int(5)));
        assert_eq!(
            r.recorded.get("url"),
            Some(&Value::Str("https://cfg".into()))
        );
    }

    #[test]
    fn missing_answers_are_all_listed_with_their_flag() {
        let err = resolve(&manifest(), &text(&[]), &text(&[]), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("service_name"), "{err}");
        assert!(err.contains("NAME argument"), "{err}");
        // `url` defaults to a template over service_name: not missing itself.
        assert!(!err.contains("url"), "{err}");
    }

    #[test]
    fn bad_values_are_refused_with_the_valid_ones() {
        let err = resolve(
            &manifest(),
            &text(&[("service_name", "abc"), ("kind", "cron")]),
            &text(&[]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("web, worker"), "{err}");
        let err = resolve(
            &manifest(),
            &text(&[("service_name", "abc"), ("stores", "redis,mongo")]),
            &text(&[]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("`mongo`"), "{err}");
        let err = resolve(
            &manifest(),
            &text(&[("service_name", "abc"), ("count", "0")]),
            &text(&[]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("minimum 1"), "{err}");
        let err = resolve(&manifest(), &text(&[("nope", "1")]), &text(&[]), None).unwrap_err();
        assert!(err.to_string().contains("unknown question `nope`"), "{err}");
        assert!(err.to_string().contains("service_name, kind"), "{err}");
    }

    #[test]
    fn multi_from_text_and_yaml() {
        let m = manifest();
        let q = m.question("stores").unwrap();
        assert_eq!(
            parse(q, &Raw::Text("redis, postgres".into())).unwrap(),
            Value::List(vec!["redis".into(), "postgres".into()])
        );
        assert_eq!(
            parse(q, &Raw::Text(String::new())).unwrap(),
            Value::List(vec![])
        );
        let yaml: serde_norway::Value = serde_norway::from_str("[postgres]").unwrap();
        assert_eq!(
            parse(q, &Raw::Yaml(yaml)).unwrap(),
            Value::List(vec!["postgres".into()])
        );
    }

    #[test]
    fn set_parsing() {
        assert_eq!(parse_set("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_set("novalue").is_err());
    }
}
