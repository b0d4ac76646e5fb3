package com.payments.scqueue.worker

import cats.effect.IO
import cats.syntax.all._
import org.typelevel.log4cats.StructuredLogger
import scala.concurrent.duration._

/** The poll loop: receive a batch, handle each message, delete only the
  * handled ones. Cancelling it (SIGTERM) interrupts a receive in progress, but
  * a batch in hand is always finished and deleted first.
  */
final class Worker(queue: Queue, handle: Message => IO[Unit], logger: StructuredLogger[IO]) {

  val pollOnce: IO[BatchResult] =
    IO.uncancelable { poll =>
      poll(queue.receive).flatMap { batch =>
        batch
          .traverse(message => handle(message).attempt.map(outcome => (message, outcome.swap.toOption)))
          .map(Batch.result)
          .flatTap(result => result.failed.traverse_ { case (message, error) => messageFailed(message, error) })
          .flatTap(result => queue.delete(result.succeeded))
      }
    }

  /** Polls until cancelled; a receive or delete error is logged, then retried after 5 s. */
  val run: IO[Nothing] =
    pollOnce.void.handleErrorWith { error =>
      logger.error(Map("event" -> "queue.failed"), error)("receiving or deleting failed; retrying in 5 s") *>
        IO.sleep(5.seconds)
    }.foreverM

  private def messageFailed(message: Message, error: Throwable): IO[Unit] =
    logger.warn(Map("event" -> "message.failed", "message_id" -> message.id), error)(
      s"message ${message.id} failed; it will be retried"
    )
}
