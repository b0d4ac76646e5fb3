{%- set queue = kind == "worker" and trigger == "queue" -%}
//! Settings, read from the environment variables every newsvc service shares
//! (set by docker-compose locally and by the ECS task definition in AWS).

use anyhow::{% if kind == "web" or queue %}{Context, Result}{% else %}Result{% endif %};
{%- if datastores %}

use crate::dependencies::{self, Dependency};
{%- endif %}

/// Looks a variable up: the process environment, or a map in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SERVICE_NAME`
    pub service_name: String,
    /// `ENVIRONMENT`: local, dev, staging or prod.
    pub environment: String,
{%- if kind == "web" %}
    /// `PORT`: where the HTTP server listens.
    pub port: u16,
{%- elif queue %}
    /// `QUEUE_URL`: the SQS queue this worker consumes.
    pub queue_url: String,
{%- endif %}
{%- if datastores %}
    /// The datastores this service uses.
    pub dependencies: Vec<Dependency>,
{%- endif %}
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
{%- if kind == "web" %}
            port: port(lookup)?,
{%- elif queue %}
            queue_url: lookup("QUEUE_URL")
                .filter(|url| !url.is_empty())
                .context("QUEUE_URL is not set: it names the SQS queue to consume")?,
{%- endif %}
{%- if datastores %}
            dependencies: dependencies::from_lookup(lookup)?,
{%- endif %}
        })
    }
}
{%- if kind == "web" %}

/// `PORT`, or {{ container_port }} when it is not set.
pub fn port(lookup: Lookup<'_>) -> Result<u16> {
    match lookup("PORT") {
        None => Ok({{ container_port }}),
        Some(value) => value.parse().with_context(|| format!("PORT={value} is not a port number")),
    }
}
{%- endif %}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A value for each variable without a default.
    fn required() -> HashMap<&'static str, &'static str> {
{%- if queue or datastores %}
        let mut vars = HashMap::new();
{%- if queue %}
        vars.insert("QUEUE_URL", "https://sqs.{{ aws_region }}.amazonaws.com/123456789012/queue");
{%- endif %}
{%- if "postgres" in datastores %}
        vars.insert("POSTGRES_HOST", "postgres");
{%- endif %}
{%- if "mysql" in datastores %}
        vars.insert("MYSQL_HOST", "mysql");
{%- endif %}
{%- if "redis" in datastores %}
        vars.insert("REDIS_URL", "redis://redis:6379");
{%- endif %}
{%- if "memcached" in datastores %}
        vars.insert("MEMCACHED_SERVERS", "memcached:11211");
{%- endif %}
{%- if "dynamodb" in datastores %}
        vars.insert("AWS_REGION", "{{ aws_region }}");
{%- endif %}
        vars
{%- else %}
        HashMap::new()
{%- endif %}
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
{%- if kind == "web" %}
        assert_eq!(config.port, {{ container_port }});
{%- endif %}
    }

    #[test]
    fn set_variables_win() {
        let changes = [("SERVICE_NAME", "renamed"), ("ENVIRONMENT", "prod"){% if kind == "web" %}, ("PORT", "9000"){% endif %}];
        let config = config(&changes).unwrap();
        assert_eq!(config.service_name, "renamed");
        assert_eq!(config.environment, "prod");
{%- if kind == "web" %}
        assert_eq!(config.port, 9000);
{%- endif %}
    }
{%- if kind == "web" %}

    #[test]
    fn a_port_that_is_not_a_number_is_refused() {
        let err = config(&[("PORT", "http")]).unwrap_err();
        assert!(err.to_string().contains("PORT=http"), "{err}");
    }
{%- endif %}
{%- if queue or datastores %}

    #[test]
    fn each_required_variable_is_named_when_missing() {
        for name in required().keys() {
            let mut vars = required();
            vars.remove(name);
            let err = read(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}: {err:#}");
        }
    }
{%- endif %}
}
