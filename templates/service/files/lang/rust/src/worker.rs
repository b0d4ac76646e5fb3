//! The queue worker: long-polls SQS, handles each message and deletes only the
//! ones handled successfully. A failed message becomes visible again after the
//! queue's visibility timeout and moves to the dead-letter queue after 5
//! receives. On SIGTERM the worker stops polling, finishes the batch in hand
//! and exits 0.

use std::pin::pin;
use std::time::Duration;

use anyhow::{Context, Result};
use failsafe::futures::CircuitBreaker as _;
use serde_json::Value;
use tracing::{debug, info, warn};

use crate::breaker;
use crate::config::Config;
{% if datastores -%}
use crate::dependencies;
{% endif -%}
use crate::shutdown::Shutdown;
use crate::sqs::SqsQueue;

/// Pause before polling again after a failed receive (or while the circuit is open).
const RETRY_DELAY: Duration = Duration::from_secs(1);

/// A received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub receipt_handle: String,
    pub body: String,
}

/// The queue operations the worker needs (SQS in production, a fake in tests).
pub trait Queue {
    /// Waits for up to a batch of messages; may return none.
    fn receive(&self) -> impl Future<Output = Result<Vec<Message>>> + Send;
    /// Removes a handled message from the queue.
    fn delete(&self, receipt_handle: &str) -> impl Future<Output = Result<()>> + Send;
}

/// The work for one message: replace the body of this function. An `Err`
/// leaves the message on the queue to be retried. A message can be delivered
/// more than once, so handling must be idempotent.
pub async fn handle(message: &Message) -> Result<()> {
    serde_json::from_str::<Value>(&message.body).context("the message body is not JSON")?;
    info!(event = "message.processed", message_id = %message.id, "handled");
    Ok(())
}

/// `{{ service_name }} worker`: consumes `QUEUE_URL` until SIGTERM or Ctrl-C.
pub async fn serve() -> Result<()> {
    let config = Config::from_env()?;
    let {% if datastores %}mut {% endif %}stop = pin!(Shutdown::install()?.wait());
    let queue = SqsQueue::connect(config.queue_url.clone()).await;
    info!(
        event = "service.started",
        service = %config.service_name,
        environment = %config.environment,
        queue_url = %config.queue_url,
        "consuming"
    );
{%- if datastores %}
    tokio::select! {
        () = &mut stop => return Ok(()),
        () = dependencies::wait_until_reachable(&config.dependencies) => {}
    }
{%- endif %}
    run(&queue, handle, stop).await;
    Ok(())
}

/// Polls `queue` and hands each message to `handler` until `stop` completes;
/// a receive waiting when `stop` completes is abandoned (its messages, if any,
/// reappear after the visibility timeout).
pub async fn run<Q: Queue>(
    queue: &Q,
    handler: impl AsyncFn(&Message) -> Result<()>,
    stop: impl Future<Output = ()>,
) {
    let breaker = breaker::new("sqs");
    let mut stop = pin!(stop);
    loop {
        let received = tokio::select! {
            biased;
            () = &mut stop => break,
            received = breaker.call(queue.receive()) => received,
        };
        let pause = match received {
            Ok(messages) => {
                let outcome = process_batch(queue, messages, &handler).await;
                debug!(
                    event = "batch.processed",
                    deleted = outcome.deleted,
                    failed = outcome.failed,
                    "batch done"
                );
                false
            }
            Err(failsafe::Error::Inner(err)) => {
                warn!(event = "queue.receive_failed", error = %format!("{err:#}"), "cannot receive");
                true
            }
            Err(failsafe::Error::Rejected) => true,
        };
        if pause {
            tokio::select! {
                biased;
                () = &mut stop => break,
                () = tokio::time::sleep(RETRY_DELAY) => {}
            }
        }
    }
    info!(event = "worker.stopped", "stopped polling");
}

/// What happened to a batch.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Handled and deleted.
    pub deleted: usize,
    /// Left on the queue: the handler failed, or the delete did.
    pub failed: usize,
}

/// Handles each message and deletes the ones handled successfully.
pub async fn process_batch<Q: Queue>(
    queue: &Q,
    messages: Vec<Message>,
    handler: &impl AsyncFn(&Message) -> Result<()>,
) -> BatchOutcome {
    let mut outcome = BatchOutcome::default();
    for message in messages {
        if let Err(err) = handler(&message).await {
            warn!(event = "message.failed", message_id = %message.id, error = %format!("{err:#}"), "left on the queue for a retry");
            outcome.failed += 1;
            continue;
        }
        match queue.delete(&message.receipt_handle).await {
            Ok(()) => outcome.deleted += 1,
            Err(err) => {
                warn!(event = "message.delete_failed", message_id = %message.id, error = %format!("{err:#}"), "handled but will be delivered again");
                outcome.failed += 1;
            }
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use anyhow::bail;

    use super::*;

    /// A queue that hands out the given batches, then waits forever.
    #[derive(Default)]
    struct FakeQueue {
        batches: Mutex<VecDeque<Vec<Message>>>,
        deleted: Mutex<Vec<String>>,
        receives: Mutex<usize>,
        fail_deletes: bool,
    }

    impl FakeQueue {
        fn with(batches: Vec<Vec<Message>>) -> Self {
            Self { batches: Mutex::new(batches.into()), ..Self::default() }
        }

        fn deleted(&self) -> Vec<String> {
            self.deleted.lock().unwrap().clone()
        }
    }

    impl Queue for FakeQueue {
        async fn receive(&self) -> Result<Vec<Message>> {
            *self.receives.lock().unwrap() += 1;
            let next = self.batches.lock().unwrap().pop_front();
            match next {
                Some(batch) => Ok(batch),
                None => std::future::pending().await,
            }
        }

        async fn delete(&self, receipt_handle: &str) -> Result<()> {
            if self.fail_deletes {
                bail!("delete refused");
            }
            self.deleted.lock().unwrap().push(receipt_handle.to_owned());
            Ok(())
        }
    }

    fn message(id: &str, body: &str) -> Message {
        Message {
            id: id.to_owned(),
            receipt_handle: format!("receipt-{id}"),
            body: body.to_owned(),
        }
    }

    #[tokio::test]
    async fn handled_messages_are_deleted_and_failed_ones_are_not() {
        let queue = FakeQueue::default();
        let batch =
            vec![message("1", r#"{"id": 1}"#), message("2", "not json"), message("3", "[]")];
        let outcome = process_batch(&queue, batch, &handle).await;
        assert_eq!(outcome, BatchOutcome { deleted: 2, failed: 1 });
        assert_eq!(queue.deleted(), ["receipt-1", "receipt-3"]);
    }

    #[tokio::test]
    async fn a_failed_delete_counts_as_a_failure() {
        let queue = FakeQueue { fail_deletes: true, ..FakeQueue::default() };
        let outcome = process_batch(&queue, vec![message("1", "{}")], &handle).await;
        assert_eq!(outcome, BatchOutcome { deleted: 0, failed: 1 });
    }

    #[tokio::test]
    async fn run_drains_every_batch_then_stops_polling_on_the_stop_signal() {
        let queue = FakeQueue::with(vec![
            vec![message("1", "{}"), message("2", "{}")],
            vec![message("3", "{}"), message("4", "bad")],
        ]);
        let handler = async |message: &Message| {
            if message.body == "bad" {
                bail!("cannot handle {}", message.id)
            }
            Ok(())
        };
        // The fake's third receive waits like an empty long poll; the stop signal must end it.
        let stop = tokio::time::sleep(Duration::from_millis(100));
        tokio::time::timeout(Duration::from_secs(5), run(&queue, handler, stop))
            .await
            .expect("run did not return after the stop signal");
        assert_eq!(queue.deleted(), ["receipt-1", "receipt-2", "receipt-3"]);
        assert_eq!(*queue.receives.lock().unwrap(), 3);
    }

    #[tokio::test]
    async fn run_does_not_poll_once_stopped() {
        let queue = FakeQueue::with(vec![vec![message("1", "{}")]]);
        run(&queue, handle, std::future::ready(())).await;
        assert_eq!(*queue.receives.lock().unwrap(), 0);
        assert!(queue.deleted().is_empty());
    }
}
