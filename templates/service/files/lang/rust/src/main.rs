{%- set queue = kind == "worker" and trigger == "queue" -%}
{%- set cron = kind == "worker" and trigger == "cron" -%}
//! {{ service_name }}: {{ description }}
//!
{%- if kind == "web" %}
//! `{{ service_name }}` (or `{{ service_name }} web`) serves HTTP on `PORT`;
//! `{{ service_name }} healthcheck` probes it for the container's HEALTHCHECK.
{%- elif queue %}
//! `{{ service_name }}` (or `{{ service_name }} worker`) consumes the SQS queue at
//! `QUEUE_URL` until SIGTERM.
{%- else %}
//! `{{ service_name }}` (or `{{ service_name }} cron`) runs the scheduled job once and
//! exits: 0 when it succeeded, 1 when it failed.
{%- endif %}
{% if (kind == "web" and datastores) or queue %}
mod breaker;
{%- endif %}
mod config;
{%- if cron %}
mod cron;
{%- endif %}
{%- if datastores %}
mod dependencies;
{%- endif %}
{%- if kind == "web" %}
mod healthcheck;
{%- endif %}
{%- if kind == "web" or queue %}
mod shutdown;
{%- endif %}
{%- if queue %}
mod sqs;
{%- endif %}
mod telemetry;
{%- if kind == "web" %}
mod web;
{%- endif %}
{%- if queue %}
mod worker;
{%- endif %}

use std::process::ExitCode;

const USAGE: &str = "usage: {{ service_name }} [{% if kind == "web" %}web|healthcheck{% elif queue %}worker{% else %}cron{% endif %}]";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
{%- if kind == "web" %}
        None | Some("web") => run(web::serve()),
        Some("healthcheck") => healthcheck::run(),
{%- elif queue %}
        None | Some("worker") => run(worker::serve()),
{%- else %}
        None | Some("cron") => run(cron::run()),
{%- endif %}
        Some(other) => {
            eprintln!("unknown command `{other}`; {USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Starts JSON logging and a tokio runtime, runs `task` to completion and
/// turns its outcome into the exit status.
fn run(task: impl Future<Output = anyhow::Result<()>>) -> ExitCode {
    telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!(event = "service.failed", error = %err, "cannot start the tokio runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(task) {
        Ok(()) => ExitCode::SUCCESS,
{%- if cron %}
        // cron::run has logged the failure (`cron.failed`).
        Err(_) => ExitCode::FAILURE,
{%- else %}
        Err(err) => {
            tracing::error!(event = "service.failed", error = %format!("{err:#}"), "stopped on an error");
            ExitCode::FAILURE
        }
{%- endif %}
    }
}
