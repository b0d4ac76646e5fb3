//! Settings, read from the environment variables every newsvc service shares
//! (set by docker-compose locally and by the ECS task definition in AWS).

use anyhow::{Context, Result};

/// Looks a variable up: the process environment, or a map in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SERVICE_NAME`
    pub service_name: String,
    /// `ENVIRONMENT`: local, dev, staging or prod.
    pub environment: String,
    /// `PORT`: where the HTTP server listens.
    pub port: u16,
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
            port: port(lookup)?,
        })
    }
}

/// `PORT`, or 8080 when it is not set.
pub fn port(lookup: Lookup<'_>) -> Result<u16> {
    match lookup("PORT") {
        None => Ok(8080),
        Some(value) => value.parse().with_context(|| format!("PORT={value} is not a port number")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A value for each variable without a default.
    fn required() -> HashMap<&'static str, &'static str> {
        HashMap::new()
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
        assert_eq!(config.port, 8080);
    }

    #[test]
    fn set_variables_win() {
        let changes = [("SERVICE_NAME", "renamed"), ("ENVIRONMENT", "prod"), ("PORT", "9000")];
        let config = config(&changes).unwrap();
        assert_eq!(config.service_name, "renamed");
        assert_eq!(config.environment, "prod");
        assert_eq!(config.port, 9000);
    }

    #[test]
    fn a_port_that_is_not_a_number_is_refused() {
        let err = config(&[("PORT", "http")]).unwrap_err();
        assert!(err.to_string().contains("PORT=http"), "{err}");
    }
}
