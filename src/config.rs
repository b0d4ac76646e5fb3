//! The user's config (`$XDG_CONFIG_HOME/newsvc/config.yaml`): default
//! answers (owner, playbook base URL, ...), the default template source and
//! the template sources trusted to run hooks.

use std::path::PathBuf;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::answers::{Provided, ProvidedAnswers, Raw};
use crate::error::{Error, Result};

/// The parsed config; every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Shorthand for `answers.owner`.
    #[serde(default)]
    pub owner: Option<String>,
    /// Shorthand for `answers.playbook_base_url`.
    #[serde(default)]
    pub playbook_base_url: Option<String>,
    /// Default answers for any template that asks these questions.
    #[serde(default)]
    pub answers: IndexMap<String, serde_norway::Value>,
    /// The template source used when `--template` is not given.
    #[serde(default)]
    pub template: Option<String>,
    /// Source prefixes whose hooks run without `--trust`.
    #[serde(default)]
    pub trusted_sources: Vec<String>,
}

impl UserConfig {
    /// Where the config lives.
    pub fn path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("newsvc").join("config.yaml"))
    }

    /// Loads the config; a missing file is an empty config.
    pub fn load() -> Result<UserConfig> {
        let Some(path) = Self::path() else {
            return Ok(UserConfig::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) if text.trim().is_empty() => Ok(UserConfig::default()),
            Ok(text) => {
                serde_norway::from_str(&text).map_err(|e| Error::yaml(path.to_string_lossy(), &e))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UserConfig::default()),
            Err(e) => Err(Error::io("cannot read the user config", path)(e)),
        }
    }

    /// The config's default answers, restricted to questions the template has.
    pub fn default_answers(&self, known: &[&str]) -> ProvidedAnswers {
        let origin = Self::path().map_or_else(
            || "user config".to_string(),
            |p| format!("user config {}", p.display()),
        );
        let mut out = ProvidedAnswers::new();
        let shorthand = [
            ("owner", &self.owner),
            ("playbook_base_url", &self.playbook_base_url),
        ];
        for (k, v) in shorthand {
            if let Some(v) = v {
                out.insert(
                    k.to_string(),
                    Provided {
                        raw: Raw::Text(v.clone()),
                        origin: origin.clone(),
                    },
                );
            }
        }
        for (k, v) in &self.answers {
            out.insert(
                k.clone(),
                Provided {
                    raw: Raw::Yaml(v.clone()),
                    origin: origin.clone(),
                },
            );
        }
        out.retain(|k, _| known.contains(&k.as_str()));
        out
    }

    /// Whether hooks from `source` may run without `--trust`.
    pub fn trusts(&self, source: &str) -> bool {
        self.trusted_sources
            .iter()
            .any(|p| !p.is_empty() && source.starts_with(p.as_str()))
    }
}
