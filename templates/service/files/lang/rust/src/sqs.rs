//! The SQS client behind [`Queue`]. The endpoint and credentials come from the
//! AWS SDK's usual sources: the ECS task role in AWS; locally
//! `AWS_ENDPOINT_URL_SQS` (ElasticMQ) and `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`.

use anyhow::{Result, anyhow};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_smithy_http_client::tls;

use crate::worker::{Message, Queue};

/// Long-poll wait: an empty queue costs one request per 20 s.
const WAIT_TIME_SECONDS: i32 = 20;
/// The most SQS returns per receive.
const MAX_MESSAGES: i32 = 10;

pub struct SqsQueue {
    client: Client,
    queue_url: String,
}

impl SqsQueue {
    pub async fn connect(queue_url: String) -> Self {
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http_client)
            .load()
            .await;
        Self { client: Client::new(&config), queue_url }
    }
}

impl Queue for SqsQueue {
    async fn receive(&self) -> Result<Vec<Message>> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .wait_time_seconds(WAIT_TIME_SECONDS)
            .max_number_of_messages(MAX_MESSAGES)
            .send()
            .await
            .map_err(|err| anyhow!("receiving from SQS: {}", DisplayErrorContext(err)))?;
        Ok(output
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|message| {
                Some(Message {
                    id: message.message_id?,
                    receipt_handle: message.receipt_handle?,
                    body: message.body.unwrap_or_default(),
                })
            })
            .collect())
    }

    async fn delete(&self, receipt_handle: &str) -> Result<()> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|err| anyhow!("deleting from SQS: {}", DisplayErrorContext(err)))?;
        Ok(())
    }
}
