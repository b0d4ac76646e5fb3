//! rs-queue: The rs-queue service.
//!
//! `rs-queue` (or `rs-queue worker`) consumes the SQS queue at
//! `QUEUE_URL` until SIGTERM.

mod breaker;
mod config;
mod shutdown;
mod sqs;
mod telemetry;
mod worker;

use std::process::ExitCode;

const USAGE: &str = "usage: rs-queue [worker]";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("worker") => run(worker::serve()),
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
