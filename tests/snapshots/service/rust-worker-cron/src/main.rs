//! rs-cron: The rs-cron service.
//!
//! `rs-cron` (or `rs-cron cron`) runs the scheduled job once and
//! exits: 0 when it succeeded, 1 when it failed.

mod config;
mod cron;
mod telemetry;

use std::process::ExitCode;

const USAGE: &str = "usage: rs-cron [cron]";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("cron") => run(cron::run()),
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
        // cron::run has logged the failure (`cron.failed`).
        Err(_) => ExitCode::FAILURE,
    }
}
