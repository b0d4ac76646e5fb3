//! Settings, read from the environment variables every newsvc service shares
//! (set by docker-compose locally and by the ECS task definition in AWS).

use anyhow::{Context, Result};

use crate::dependencies::{self, Dependency};

/// Looks a variable up: the process environment, or a map in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SERVICE_NAME`
    pub service_name: String,
    /// `ENVIRONMENT`: local, dev, staging or prod.
    pub environment: String,
    /// `QUEUE_URL`: the SQS queue this worker consumes.
    pub queue_url: String,
    /// The datastores this service uses.
    pub dependencies: Vec<Dependency>,
}

impl Config {
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: Lookup<'_>) -> Result<Self> {
        Ok(Self {
            service_name: lookup("SERVICE_NAME")
                .unwrap_or_else(|| env!("CARGO_PKG_NAME").to_owned()),
            environment: lookup("ENVIRONMENT").unwrap_or_else(|| "local".to_owned()),
            queue_url: lookup("QUEUE_URL")
                .filter(|url| !url.is_empty())
                .context("QUEUE_URL is not set: it names the SQS queue to consume")?,
            dependencies: dependencies::from_lookup(lookup)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A value for each variable without a default.
    fn required() -> HashMap<&'static str, &'static str> {
        let mut vars = HashMap::new();
        vars.insert("QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/queue");
        vars.insert("AWS_REGION", "us-east-1");
        vars
    }

    fn read(vars: &HashMap<&str, &str>) -> Result<Config> {
        Config::from_lookup(&|name| vars.get(name).map(|value| (*value).to_owned()))
    }

    /// The config read from [`required`] with `changes` applied.
    fn config(changes: &[(&'static str, &'static str)]) -> Result<Config> {
        let mut vars = required();
        vars.extend(changes.iter().copied());
        read(&vars)
    }

    #[test]
    fn defaults_apply_to_unset_variables() {
        let config = config(&[]).unwrap();
        assert_eq!(config.service_name, env!("CARGO_PKG_NAME"));
        assert_eq!(config.environment, "local");
    }

    #[test]
    fn set_variables_win() {
        let changes = [("SERVICE_NAME", "renamed"), ("ENVIRONMENT", "prod")];
        let config = config(&changes).unwrap();
        assert_eq!(config.service_name, "renamed");
        assert_eq!(config.environment, "prod");
    }

    #[test]
    fn each_required_variable_is_named_when_missing() {
        for name in required().keys() {
            let mut vars = required();
            vars.remove(name);
            let err = read(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}: {err:#}");
        }
    }
}
