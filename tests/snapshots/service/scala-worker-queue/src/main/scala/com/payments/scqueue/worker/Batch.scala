package com.payments.scqueue.worker

/** One received message. */
final case class Message(id: String, receiptHandle: String, body: String)

/** What happened to one batch: the handled messages are deleted, the failed
  * ones stay on the queue (visible again after the visibility timeout, sent
  * to the dead-letter queue after 5 receives).
  */
final case class BatchResult(succeeded: List[Message], failed: List[(Message, Throwable)])

/** The queue consumer's rules, free of any framework. */
object Batch {

  /** Long polling: SQS holds the request until a message arrives or 20 s pass. */
  val WaitTimeSeconds: Int = 20

  /** The most SQS returns at once. */
  val MaxMessages: Int = 10

  /** Splits handled messages by outcome (None = handled, Some(error) = failed). */
  def result(outcomes: List[(Message, Option[Throwable])]): BatchResult =
    BatchResult(
      outcomes.collect { case (message, None) => message },
      outcomes.collect { case (message, Some(error)) => (message, error) }
    )

  /** DeleteMessageBatch entries: an id unique in the request, and the receipt handle. */
  def deleteEntries(handled: List[Message]): List[(String, String)] =
    handled.zipWithIndex.map { case (message, index) => (index.toString, message.receiptHandle) }
}
