//! The stop signals: SIGTERM (what ECS and `docker stop` send) and SIGINT (Ctrl-C).

use tokio::signal::unix::{Signal, SignalKind, signal};
use tracing::info;

/// Stop-signal handlers, registered when created so that a signal arriving
/// while the service starts up is not lost.
pub struct Shutdown {
    terminate: Signal,
    interrupt: Signal,
}

impl Shutdown {
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// Completes when the process is asked to stop.
    pub async fn wait(mut self) {
        let name = tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        };
        info!(event = "shutdown.started", signal = name, "stop requested");
    }
}
