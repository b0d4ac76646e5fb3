package com.payments.scqueue.worker

import com.payments.scqueue.Breaker
import cats.effect.{ExitCode, IO}
import org.typelevel.log4cats.slf4j.Slf4jLogger

/** Wires the worker: SQS client, circuit breaker around the handler, logger. */
object WorkerApp {
  private val logger = Slf4jLogger.getLogger[IO]

  def run(env: Map[String, String]): IO[ExitCode] =
    for {
      queueUrl <- IO.fromOption(env.get("QUEUE_URL").filter(_.trim.nonEmpty))(
        new IllegalStateException("QUEUE_URL is not set")
      )
      breaker <- Breaker.downstream
      region = env.getOrElse("AWS_REGION", "us-east-1")
      _ <- SqsQueue.resource(region, queueUrl).use { queue =>
        val worker = new Worker(queue, message => breaker.protect(MessageHandler.handle(message)), logger)
        logger.info(s"polling $queueUrl") *> worker.run
      }
    } yield ExitCode.Success
}
