//! The scheduled job. EventBridge Scheduler starts a task with the `cron`
//! argument on every tick; it runs the job once and exits. A successful run
//! logs `"event": "cron.completed"` (the `cron-missed` alarm counts those
//! lines); a failed one logs `"event": "cron.failed"` and exits 1.

use std::time::Instant;

use anyhow::Result;
use tracing::{error, info};

use crate::config::Config;
{% if datastores -%}
use crate::dependencies;
{% endif -%}

/// `{{ service_name }} cron`: runs the job once.
pub async fn run() -> Result<()> {
    run_once(job()).await
}

/// The job: replace the body of this function. Return `Err` to fail the run.
async fn job() -> Result<()> {
    let config = Config::from_env()?;
    info!(
        event = "cron.started",
        service = %config.service_name,
        environment = %config.environment,
        "running the scheduled job"
    );
{%- if datastores %}
    dependencies::ensure_reachable(&config.dependencies).await?;
{%- endif %}
    Ok(())
}

/// Runs `job` and logs how it went.
pub async fn run_once(job: impl Future<Output = Result<()>>) -> Result<()> {
    let started = Instant::now();
    let outcome = job.await;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match &outcome {
        Ok(()) => info!(event = "cron.completed", elapsed_ms, "job completed"),
        Err(err) => {
            error!(event = "cron.failed", elapsed_ms, error = %format!("{err:#}"), "job failed");
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use anyhow::anyhow;

    use super::*;
    use crate::telemetry::{self, tests::Captured};

    /// Runs `job` through `run_once` and returns its outcome and log lines.
    async fn logged(job: impl Future<Output = Result<()>>) -> (Result<()>, Vec<serde_json::Value>) {
        let captured = Captured::default();
        let subscriber = telemetry::subscriber(telemetry::filter("info").0, captured.clone());
        let _guard = tracing::subscriber::set_default(subscriber);
        let outcome = run_once(job).await;
        (outcome, captured.lines())
    }

    #[tokio::test]
    async fn a_successful_run_logs_cron_completed() {
        let (outcome, lines) = logged(async { Ok(()) }).await;
        outcome.unwrap();
        let events: Vec<_> = lines.iter().map(|line| line["event"].clone()).collect();
        assert_eq!(events, ["cron.completed"]);
    }

    #[tokio::test]
    async fn a_failed_run_logs_cron_failed_with_the_error_and_never_cron_completed() {
        let (outcome, lines) = logged(async { Err(anyhow!("the export bucket is missing")) }).await;
        assert!(outcome.is_err());
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["event"], "cron.failed");
        assert_eq!(lines[0]["level"], "ERROR");
        assert!(lines[0]["error"].as_str().unwrap().contains("export bucket"), "{lines:?}");
    }
}
