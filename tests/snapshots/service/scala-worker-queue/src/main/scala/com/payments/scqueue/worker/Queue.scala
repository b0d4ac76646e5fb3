package com.payments.scqueue.worker

import cats.effect.{IO, Resource}
import scala.jdk.CollectionConverters._
import software.amazon.awssdk.regions.Region
import software.amazon.awssdk.services.sqs.SqsClient
import software.amazon.awssdk.services.sqs.model.{
  DeleteMessageBatchRequest,
  DeleteMessageBatchRequestEntry,
  ReceiveMessageRequest
}

/** Where messages come from; `SqsQueue` in production, a fake in tests. */
trait Queue {

  /** Waits for up to one batch of messages (may return none). */
  def receive: IO[List[Message]]

  /** Deletes messages that were handled. */
  def delete(handled: List[Message]): IO[Unit]
}

/** `Queue` on SQS: long polling, batches of up to 10. */
final class SqsQueue(sqs: SqsClient, queueUrl: String) extends Queue {

  // Interruptible: SIGTERM during the 20 s wait does not wait for it to end.
  def receive: IO[List[Message]] =
    IO.interruptible {
      val request = ReceiveMessageRequest
        .builder()
        .queueUrl(queueUrl)
        .waitTimeSeconds(Batch.WaitTimeSeconds)
        .maxNumberOfMessages(Batch.MaxMessages)
        .build()
      sqs.receiveMessage(request).messages().asScala.toList.map { m =>
        Message(m.messageId(), m.receiptHandle(), m.body())
      }
    }

  def delete(handled: List[Message]): IO[Unit] =
    if (handled.isEmpty) IO.unit
    else
      IO.blocking {
        val entries = Batch.deleteEntries(handled).map { case (id, receipt) =>
          DeleteMessageBatchRequestEntry.builder().id(id).receiptHandle(receipt).build()
        }
        val request = DeleteMessageBatchRequest.builder().queueUrl(queueUrl).entries(entries.asJava).build()
        val failed = sqs.deleteMessageBatch(request).failed().asScala.toList
        if (failed.nonEmpty) {
          val reasons = failed.map(f => handled(f.id().toInt).id + ": " + f.message())
          throw new IllegalStateException("could not delete " + reasons.mkString(", "))
        }
      }
}

object SqsQueue {

  /** Credentials come from the task role; locally `AWS_ENDPOINT_URL_SQS` points the SDK at ElasticMQ. */
  def resource(region: String, queueUrl: String): Resource[IO, SqsQueue] =
    Resource
      .fromAutoCloseable(IO.blocking(SqsClient.builder().region(Region.of(region)).build()))
      .map(new SqsQueue(_, queueUrl))
}
