package com.payments.scqueue.worker

import cats.effect.{Deferred, IO, Ref}
import munit.CatsEffectSuite
import org.typelevel.log4cats.slf4j.Slf4jLogger
import scala.concurrent.duration._

class WorkerSuite extends CatsEffectSuite {

  private val logger = Slf4jLogger.getLogger[IO]

  private def message(id: String) = Message(id, "receipt-" + id, "body " + id)

  /** Hands out the prepared batches, then waits like an idle long poll. */
  private final class FakeQueue(batches: Ref[IO, List[List[Message]]], val deleted: Ref[IO, List[String]])
      extends Queue {
    def receive: IO[List[Message]] =
      batches.modify {
        case next :: rest => (rest, IO.pure(next))
        case Nil => (Nil, IO.sleep(20.seconds).as(List.empty[Message]))
      }.flatten
    def delete(handled: List[Message]): IO[Unit] = deleted.update(_ ++ handled.map(_.receiptHandle))
  }

  private def fakeQueue(batches: List[Message]*): IO[FakeQueue] =
    for {
      pending <- Ref.of[IO, List[List[Message]]](batches.toList)
      deleted <- Ref.of[IO, List[String]](Nil)
    } yield new FakeQueue(pending, deleted)

  test("deletes only the messages that were handled") {
    for {
      queue <- fakeQueue(List(message("a"), message("bad"), message("c")))
      handle = (m: Message) => if (m.id == "bad") IO.raiseError(new IllegalStateException("boom")) else IO.unit
      result <- new Worker(queue, handle, logger).pollOnce
      deleted <- queue.deleted.get
    } yield {
      assertEquals(deleted, List("receipt-a", "receipt-c"))
      assertEquals(result.failed.map(_._1), List(message("bad")))
    }
  }

  test("cancelling (SIGTERM) finishes and deletes the batch in hand") {
    for {
      queue <- fakeQueue(List(message("slow")), List(message("never")))
      started <- Deferred[IO, Unit]
      handle = (_: Message) => started.complete(()) *> IO.sleep(200.millis)
      fiber <- new Worker(queue, handle, logger).run.start
      _ <- started.get
      _ <- fiber.cancel
      deleted <- queue.deleted.get
    } yield assertEquals(deleted, List("receipt-slow"))
  }
}
