//! A circuit breaker for outbound calls (the `failsafe` crate): after 3
//! consecutive failures a dependency's circuit opens and calls to it fail fast
//! instead of piling up; after a pause growing from 1 s to 30 s one call is let
//! through to see whether the dependency is back.
//!
//! ```ignore
//! use failsafe::futures::CircuitBreaker as _;
//! match breaker.call(outbound_call()).await {
//!     Ok(value) => …,
//!     Err(failsafe::Error::Inner(err)) => …, // the call failed
//!     Err(failsafe::Error::Rejected) => …,   // the circuit is open
//! }
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use failsafe::backoff::{self, Exponential};
use failsafe::failure_policy::{self, ConsecutiveFailures};
use failsafe::{Config, Instrument, StateMachine};
use tracing::{info, warn};

/// Cheap to clone: clones share one circuit.
pub type Breaker = StateMachine<ConsecutiveFailures<Exponential>, LogTransitions>;

/// Consecutive failures that open the circuit.
const FAILURES_TO_OPEN: u32 = 3;

/// A breaker for calls to `dependency` (the name used in its log lines).
pub fn new(dependency: &'static str) -> Breaker {
    let backoff = backoff::exponential(Duration::from_secs(1), Duration::from_secs(30));
    Config::new()
        .failure_policy(failure_policy::consecutive_failures(FAILURES_TO_OPEN, backoff))
        .instrument(LogTransitions { dependency, opened: AtomicBool::new(false) })
        .build()
}

/// Logs the circuit's state changes.
#[derive(Debug)]
pub struct LogTransitions {
    dependency: &'static str,
    /// Whether the circuit has opened since it last closed.
    opened: AtomicBool,
}

impl Instrument for LogTransitions {
    fn on_call_rejected(&self) {}

    fn on_open(&self) {
        self.opened.store(true, Ordering::Relaxed);
        warn!(
            event = "circuit.open",
            dependency = self.dependency,
            "failing fast after repeated failures"
        );
    }

    fn on_half_open(&self) {
        info!(event = "circuit.half_open", dependency = self.dependency, "letting a call through");
    }

    fn on_closed(&self) {
        if self.opened.swap(false, Ordering::Relaxed) {
            info!(event = "circuit.closed", dependency = self.dependency, "calls succeed again");
        }
    }
}

#[cfg(test)]
mod tests {
    use failsafe::futures::CircuitBreaker as _;

    use super::*;

    #[tokio::test]
    async fn opens_after_consecutive_failures_and_then_rejects_calls() {
        let breaker = new("test");
        for _ in 0..FAILURES_TO_OPEN {
            let result = breaker.call(async { Err::<(), _>("down") }).await;
            assert!(matches!(result, Err(failsafe::Error::Inner("down"))));
        }
        let result = breaker.call(async { Ok::<_, &str>(()) }).await;
        assert!(matches!(result, Err(failsafe::Error::Rejected)), "an open circuit let a call in");
    }

    #[tokio::test]
    async fn a_success_resets_the_failure_count() {
        let breaker = new("test");
        for _ in 0..FAILURES_TO_OPEN - 1 {
            let _ = breaker.call(async { Err::<(), _>("down") }).await;
        }
        assert!(breaker.call(async { Ok::<_, &str>(()) }).await.is_ok());
        let _ = breaker.call(async { Err::<(), _>("down") }).await;
        assert!(breaker.is_call_permitted());
    }
}
