package com.payments.sccronstores.cron

import cats.effect.{ExitCode, IO}
import org.typelevel.log4cats.slf4j.Slf4jLogger

/** Runs `job` once, logs one JSON line with `"event": "cron.completed"` (or
  * `"cron.failed"`) and returns the exit code.
  */
object CronApp {
  private val logger = Slf4jLogger.getLogger[IO]

  def run(job: IO[Unit]): IO[ExitCode] =
    job.attempt.timed.flatMap { case (took, outcome) =>
      val result = CronRun.result(outcome.swap.toOption, took.toMillis)
      val context = Map("event" -> result.event, "duration_ms" -> result.durationMillis.toString)
      val logged = result.error match {
        case None => logger.info(context)("scheduled run completed")
        case Some(error) => logger.error(context, error)("scheduled run failed")
      }
      logged.as(ExitCode(result.exitCode))
    }
}
