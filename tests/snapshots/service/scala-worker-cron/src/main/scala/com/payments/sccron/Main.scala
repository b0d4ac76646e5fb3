package com.payments.sccron

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console

/** Entry point of sc-cron.
  * With the `cron` argument (the image's default command) it runs the
  * scheduled job once and exits with its status; see cron.CronApp.
  * SIGTERM cancels `run`: resources are released in reverse order, which is
  * the graceful shutdown.
  */
object Main extends IOApp {
  def run(args: List[String]): IO[ExitCode] =
    Mode.mismatch(Mode.Cron, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => cron.CronApp.run(cron.Job.run)
    }
}
