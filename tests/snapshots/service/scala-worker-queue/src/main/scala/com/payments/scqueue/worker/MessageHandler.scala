package com.payments.scqueue.worker

import cats.effect.IO
import org.typelevel.log4cats.slf4j.Slf4jLogger

/** The work of this service, one message at a time. Fail the IO to leave the
  * message on the queue (it is retried, then dead-lettered after 5 receives);
  * succeed and it is deleted. Make it idempotent: SQS may deliver a message
  * more than once.
  */
object MessageHandler {
  private val logger = Slf4jLogger.getLogger[IO]

  def handle(message: Message): IO[Unit] =
    logger.info(Map("message_id" -> message.id))(s"handled message ${message.id} (${message.body.length} characters)")
}
