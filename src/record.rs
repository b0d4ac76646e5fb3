//! `.newsvc.yml`: what produced a repository (template source, name,
//! version, git commit of the source) and the answers. Written by newsvc
//! into every render, read by upgrade, status, grade and fleet.

use serde::{Deserialize, Serialize};

use crate::answers::Answers;
use crate::error::{Error, Result};

/// The record's file name at the repository root.
pub const RECORD_FILE: &str = ".newsvc.yml";

/// The template half of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateRef {
    /// How to find the template again: `service` (embedded), a folder, or `URL@REF[//SUBDIR]`.
    pub source: String,
    pub name: String,
    pub version: semver::Version,
    /// The resolved commit, for git sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub template: TemplateRef,
    pub answers: Answers,
}

/// The document start and the comment above the record: yamllint's default
/// preset asks for `---`.
const HEADER: &str = "---\n\
# Written by newsvc: the template and answers behind this repository.\n\
# `newsvc upgrade` reads it; change an answer with\n\
# `newsvc upgrade --set KEY=VALUE`.\n";

impl Record {
    /// The YAML text, deterministic for equal records, in the layout
    /// yamllint's default preset checks (document start, lists indented
    /// below their key).
    pub fn to_yaml(&self) -> String {
        let body = indent_sequences(&serde_norway::to_string(self).unwrap_or_default());
        // The layout changes no value: the property test below reads back
        // thousands of records of YAML-like text, and every debug build
        // (the test suite) checks each record it writes. Reading it back
        // on every render cost 0.04 ms of `newsvc new`.
        debug_assert_eq!(
            serde_norway::from_str::<Record>(&body).ok().as_ref(),
            Some(self),
            "{body}"
        );
        format!("{HEADER}{body}")
    }

    /// Parses a record; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Record> {
        serde_norway::from_str(text).map_err(|e| Error::yaml(file, &e))
    }
}

/// Indents each block sequence two spaces below the key that holds it
/// (`key:\n  - a` rather than `serde_norway`'s `key:\n- a`), with everything
/// inside its items. Block scalars (`|-` text) are content, left as they are.
fn indent_sequences(yaml: &str) -> String {
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let is_item = |line: &str, at: usize| {
        let rest = &line[at..];
        rest == "-" || rest.starts_with("- ")
    };
    // `key: |-`, `- >`, `key: |2+`: the lines below, indented more, are text.
    let opens_block = |line: &str| {
        let last = line.trim_end().rsplit(' ').next().unwrap_or_default();
        let mut rest = last.chars();
        matches!(rest.next(), Some('|' | '>'))
            && rest.clone().count() <= 2
            && rest.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
    };
    let mut out = String::with_capacity(yaml.len() + 64);
    // The indentation of the sequence being shifted, of the last key line,
    // and of the line that opened the block scalar being read.
    let (mut sequence, mut key_line, mut block): (Option<usize>, Option<usize>, Option<usize>) =
        (None, None, None);
    for line in yaml.lines() {
        let at = indent_of(line);
        if let Some(opened) = block {
            if line.is_empty() || at > opened {
                if sequence.is_some() && !line.is_empty() {
                    out.push_str("  ");
                }
                out.push_str(line);
                out.push('\n');
                continue;
            }
            block = None;
        }
        if let Some(n) = sequence {
            if !(at > n || (at == n && is_item(line, at))) {
                sequence = None;
            }
        } else if key_line == Some(at) && is_item(line, at) {
            sequence = Some(at);
        }
        if sequence.is_some() {
            out.push_str("  ");
        }
        key_line = line.trim_end().ends_with(':').then_some(at);
        if opens_block(line) {
            block = Some(at);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Value;
    use proptest::prelude::*;

    #[test]
    fn round_trips() {
        let mut answers = Answers::default();
        answers.insert("service_name", Value::Str("billing-api".into()));
        answers.insert("datastores", Value::List(vec!["redis".into()]));
        answers.insert("min_count", Value::Int(2));
        let record = Record {
            template: TemplateRef {
                source: "service".into(),
                name: "service".into(),
                version: "1.2.3".parse().unwrap(),
                commit: None,
            },
            answers,
        };
        let text = record.to_yaml();
        assert!(text.contains("version: 1.2.3"), "{text}");
        assert_eq!(Record::parse(&text, RECORD_FILE).unwrap(), record);
    }

    fn record_with(answers: Answers) -> Record {
        Record {
            template: TemplateRef {
                source: "service".into(),
                name: "service".into(),
                version: "1.0.0".parse().unwrap(),
                commit: Some("abc123".into()),
            },
            answers,
        }
    }

    #[test]
    fn lists_are_indented_below_their_key_after_a_document_start() {
        let mut answers = Answers::default();
        answers.insert(
            "datastores",
            Value::List(vec!["postgres".into(), "redis".into()]),
        );
        answers.insert("none", Value::List(vec![]));
        answers.insert("owner", Value::Str("payments".into()));
        let record = record_with(answers);
        let text = record.to_yaml();
        assert!(text.starts_with("---\n# Written by newsvc"), "{text}");
        assert!(
            text.ends_with(
                "answers:\n  datastores:\n    - postgres\n    - redis\n  none: []\n  owner: payments\n"
            ),
            "{text}"
        );
        assert_eq!(Record::parse(&text, RECORD_FILE).unwrap(), record);
    }

    #[test]
    fn text_that_looks_like_yaml_stays_text() {
        let mut answers = Answers::default();
        let description = "Notes:\n- first\n\n  - nested: x\nkey:\n- y";
        answers.insert("description", Value::Str(description.into()));
        answers.insert("tags", Value::List(vec!["a\n- b".into(), "c:".into()]));
        answers.insert("after", Value::Str("z".into()));
        let record = record_with(answers);
        let text = record.to_yaml();
        assert_eq!(Record::parse(&text, RECORD_FILE).unwrap(), record, "{text}");
        assert!(text.contains("\n  tags:\n    - "), "{text}");
        assert!(
            !text.lines().any(|l| l.ends_with(' ')),
            "trailing spaces:\n{text}"
        );
    }

    /// Text made of what YAML gives meaning to: indicators, quotes, line
    /// breaks, leading and trailing spaces, block scalar headers.
    fn yaml_like() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "([a-z0-9]|[ :#|>'\"\\-]|\\[|\\]|[{},&*!?%@`\n\t]|- |: |\\|-|>\\+){0,14}",
        )
        .unwrap()
    }

    fn answer_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            yaml_like().prop_map(Value::Str),
            proptest::collection::vec(yaml_like(), 0..4).prop_map(Value::List),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The list layout `to_yaml` writes changes no value.
        #[test]
        fn records_read_back_as_written(
            entries in proptest::collection::vec(("[a-z_][a-z0-9_ -]{0,8}", answer_value()), 0..6),
            commit in proptest::option::of("[0-9a-f]{7}"),
        ) {
            let mut answers = Answers::default();
            for (key, value) in entries {
                answers.insert(&key, value);
            }
            let mut record = record_with(answers);
            record.template.commit = commit;
            let text = record.to_yaml();
            prop_assert_eq!(Record::parse(&text, RECORD_FILE).unwrap(), record, "{}", text);
        }
    }

    #[test]
    fn block_scalar_headers_are_recognised() {
        let out = indent_sequences("a: |-\n  x:\n  - y\nb:\n- c\n");
        assert_eq!(out, "a: |-\n  x:\n  - y\nb:\n  - c\n");
        let out = indent_sequences("a: |2+\n   - y\nb:\n- c\n");
        assert_eq!(out, "a: |2+\n   - y\nb:\n  - c\n");
    }
}
