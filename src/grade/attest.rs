//! Attestations: human reviews recorded in the repository
//! (`.newsvc/attestations.yaml`, committed with the code) with who, when,
//! until when and a note. Pure: parsing, adding and serialising; the command
//! layer reads and writes the file.

use serde::{Deserialize, Serialize};

use super::date::Date;
use crate::error::{Error, Result};

/// Where attestations live, relative to the repository root.
pub const ATTESTATIONS_FILE: &str = ".newsvc/attestations.yaml";

/// One human review of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The rubric check it satisfies.
    pub check: String,
    /// Who reviewed.
    pub by: String,
    /// When.
    pub date: Date,
    /// The last day it counts; from the next day on the check fails again.
    pub expires: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Attestation {
    /// Whether it still counts on `today`.
    pub fn is_valid_on(&self, today: Date) -> bool {
        self.date <= today && today <= self.expires
    }
}

/// The whole file: every review ever recorded, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestations {
    #[serde(default)]
    pub attestations: Vec<Attestation>,
}

const HEADER: &str = "# Human reviews for `newsvc grade`, recorded with `newsvc grade attest CHECK --by NAME`.\n\
# Commit this file. An entry counts from its date through its expiry date.\n";

impl Attestations {
    /// Parses the file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Attestations> {
        if text.trim().is_empty()
            || text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Ok(Attestations::default());
        }
        serde_norway::from_str(text).map_err(|e| Error::yaml(file, &e))
    }

    /// The YAML text, with a header saying what the file is.
    pub fn to_yaml(&self) -> String {
        format!(
            "{HEADER}{}",
            serde_norway::to_string(self).unwrap_or_default()
        )
    }

    /// The most recent review of `check` (latest date, then latest expiry).
    pub fn latest_for(&self, check: &str) -> Option<&Attestation> {
        self.attestations
            .iter()
            .filter(|a| a.check == check)
            .max_by_key(|a| (a.date, a.expires))
    }

    /// Appends a review (earlier reviews stay, as history).
    pub fn add(&mut self, attestation: Attestation) {
        self.attestations.push(attestation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn round_trips_and_picks_the_latest() {
        let mut all = Attestations::default();
        all.add(Attestation {
            check: "code-review".into(),
            by: "ana".into(),
            date: day("2025-01-01"),
            expires: day("2025-06-30"),
            note: None,
        });
        all.add(Attestation {
            check: "code-review".into(),
            by: "bo".into(),
            date: day("2025-05-01"),
            expires: day("2025-10-28"),
            note: Some("ok: tidy".into()),
        });
        let text = all.to_yaml();
        assert!(text.starts_with("# Human reviews"), "{text}");
        assert!(text.contains("date: 2025-05-01"), "{text}");
        let back = Attestations::parse(&text, ATTESTATIONS_FILE).unwrap();
        assert_eq!(back, all);
        assert_eq!(back.latest_for("code-review").unwrap().by, "bo");
        assert!(back.latest_for("other").is_none());
        let latest = back.latest_for("code-review").unwrap();
        assert!(latest.is_valid_on(day("2025-10-28")));
        assert!(!latest.is_valid_on(day("2025-10-29")));
        assert!(!latest.is_valid_on(day("2025-04-30")));
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(
            Attestations::parse("# nothing yet\n", "a.yaml").unwrap(),
            Attestations::default()
        );
        let err = Attestations::parse("attestations:\n  - check: x\n    by: a\n    date: 2025-02-30\n    expires: 2025-03-01\n", "a.yaml").unwrap_err().to_string();
        assert!(
            err.starts_with("a.yaml:2:") || err.starts_with("a.yaml:4:"),
            "{err}"
        );
        assert!(err.contains("2025-02-30"), "{err}");
    }
}
