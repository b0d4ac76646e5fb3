//! rs-web-int: The rs-web-int service.
//!
//! `rs-web-int` (or `rs-web-int web`) serves HTTP on `PORT`;
//! `rs-web-int healthcheck` probes it for the container's HEALTHCHECK.

mod config;
mod healthcheck;
mod shutdown;
mod telemetry;
mod web;

use std::process::ExitCode;

const USAGE: &str = "usage: rs-web-int [web|healthcheck]";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("web") => run(web::serve()),
        Some("healthcheck") => healthcheck::run(),
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
        Err(err) => {
            tracing::error!(event = "service.failed", error = %format!("{err:#}"), "stopped on an error");
            ExitCode::FAILURE
        }
    }
}
