//! The datastores this service depends on (dynamodb), read from
//! the environment, and whether they are reachable: a TCP connect to each
//! endpoint, which needs no credentials and no client library.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use tokio::net::TcpStream;
use tracing::{info, warn};

use crate::config::Lookup;

/// How long one reachability check may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the worker waits between two rounds of checks while a datastore is unreachable.
const RETRY_DELAY: Duration = Duration::from_secs(5);

/// One datastore endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// Which datastore: `postgres`, `redis`, …
    pub name: &'static str,
    pub host: String,
    pub port: u16,
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}:{}", self.name, self.host, self.port)
    }
}

impl Dependency {
    /// Opens and closes a TCP connection to the endpoint.
    pub async fn check(&self) -> Result<()> {
        let connect = TcpStream::connect((self.host.as_str(), self.port));
        match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(anyhow!(err).context(format!("cannot connect to {self}"))),
            Err(_) => Err(anyhow!("cannot connect to {self}: no answer in {CONNECT_TIMEOUT:?}")),
        }
    }
}

/// Reads the datastores' endpoints from their environment variables.
pub fn from_lookup(lookup: Lookup<'_>) -> Result<Vec<Dependency>> {
    let required = |name: &str| {
        lookup(name).filter(|value| !value.is_empty()).with_context(|| format!("{name} is not set"))
    };
    let mut dependencies = Vec::new();
    // The table is named by DYNAMODB_TABLE; reachability is the endpoint's.
    let endpoint = match lookup("AWS_ENDPOINT_URL_DYNAMODB").filter(|url| !url.is_empty()) {
        Some(url) => url,
        None => format!("https://dynamodb.{}.amazonaws.com", required("AWS_REGION")?),
    };
    let default_port = if endpoint.starts_with("http://") { 80 } else { 443 };
    let (host, port) = url_host_port(&endpoint, default_port).context("the DynamoDB endpoint")?;
    dependencies.push(Dependency { name: "dynamodb", host, port });
    Ok(dependencies)
}

/// Host and port of a URL such as `rediss://user:secret@host:6380/0`.
fn url_host_port(url: &str, default_port: u16) -> Result<(String, u16)> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    host_port(authority, default_port)
}

/// Splits `host[:port]` (or `[v6-address][:port]`).
fn host_port(address: &str, default_port: u16) -> Result<(String, u16)> {
    let (host, port) = if let Some(bracketed) = address.strip_prefix('[') {
        let (host, after) =
            bracketed.split_once(']').with_context(|| format!("`{address}`: missing `]`"))?;
        (host, after.strip_prefix(':'))
    } else {
        match address.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (address, None),
        }
    };
    if host.is_empty() {
        return Err(anyhow!("`{address}` has no host"));
    }
    let port = match port {
        None => default_port,
        Some(port) => port.parse().with_context(|| format!("`{address}`: bad port `{port}`"))?,
    };
    Ok((host.to_owned(), port))
}

/// Returns once every datastore accepts connections, so the worker does not
/// take messages it cannot handle; logs what is still unreachable meanwhile.
pub async fn wait_until_reachable(dependencies: &[Dependency]) {
    loop {
        let mut unreachable = 0;
        for dependency in dependencies {
            if let Err(err) = dependency.check().await {
                unreachable += 1;
                warn!(
                    event = "dependency.unreachable",
                    dependency = dependency.name,
                    error = %format!("{err:#}"),
                    "waiting for it"
                );
            }
        }
        if unreachable == 0 {
            info!(event = "dependencies.reachable", "all datastores accept connections");
            return;
        }
        tokio::time::sleep(RETRY_DELAY).await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tokio::net::TcpListener;

    use super::*;

    /// A value for each variable the datastores need.
    fn vars() -> HashMap<&'static str, &'static str> {
        let mut vars = HashMap::new();
        vars.insert("AWS_REGION", "eu-west-1");
        vars
    }

    fn read_vars(vars: &HashMap<&str, &str>) -> Result<Vec<Dependency>> {
        from_lookup(&|name| vars.get(name).map(|value| (*value).to_owned()))
    }

    /// The dependencies read from [`vars`] with `changes` applied.
    fn read(changes: &[(&'static str, &'static str)]) -> Result<Vec<Dependency>> {
        let mut vars = vars();
        vars.extend(changes.iter().copied());
        read_vars(&vars)
    }

    fn dependency(name: &'static str, host: &str, port: u16) -> Dependency {
        Dependency { name, host: host.to_owned(), port }
    }

    /// A port nothing listens on.
    async fn closed_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn check_passes_when_the_endpoint_accepts_connections() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        dependency("test", "127.0.0.1", port).check().await.unwrap();
    }

    #[tokio::test]
    async fn check_fails_naming_the_endpoint_when_nothing_listens() {
        let err = dependency("test", "127.0.0.1", closed_port().await).check().await.unwrap_err();
        assert!(err.to_string().contains("test at 127.0.0.1:"), "{err:#}");
    }

    #[test]
    fn every_variable_without_a_default_is_required() {
        for name in vars().keys() {
            let mut vars = vars();
            vars.remove(name);
            let err = read_vars(&vars).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}: {err:#}");
        }
    }

    #[test]
    fn dynamodb_is_the_local_endpoint_or_the_regional_one() {
        let regional = dependency("dynamodb", "dynamodb.eu-west-1.amazonaws.com", 443);
        assert!(read(&[]).unwrap().contains(&regional));
        let deps = read(&[("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb:8000")]).unwrap();
        assert!(deps.contains(&dependency("dynamodb", "dynamodb", 8000)), "{deps:?}");
    }

    #[tokio::test]
    async fn wait_until_reachable_returns_once_every_datastore_listens() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let up = dependency("up", "127.0.0.1", listener.local_addr().unwrap().port());
        tokio::time::timeout(Duration::from_secs(5), wait_until_reachable(&[up])).await.unwrap();
    }
}
