package com.payments.sccron.cron

import cats.effect.IO
import org.typelevel.log4cats.slf4j.Slf4jLogger

/** The work done on every schedule tick (the schedule lives in the terraform
  * configuration). Fail the IO to fail the run: the process exits non-zero.
  */
object Job {
  private val logger = Slf4jLogger.getLogger[IO]

  val run: IO[Unit] = logger.info("nothing to do yet: put the scheduled work in Job.run")
}
