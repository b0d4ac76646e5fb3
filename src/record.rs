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

const HEADER: &str = "# Written by newsvc: the template and answers that produced this repository.\n\
# `newsvc upgrade` reads it; change an answer with `newsvc upgrade --set KEY=VALUE`.\n";

impl Record {
    /// The YAML text, deterministic for equal records.
    pub fn to_yaml(&self) -> String {
        let body = serde_norway::to_string(self).unwrap_or_default();
        format!("{HEADER}{body}")
    }

    /// Parses a record; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Record> {
        serde_norway::from_str(text).map_err(|e| Error::yaml(file, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Value;

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
}
