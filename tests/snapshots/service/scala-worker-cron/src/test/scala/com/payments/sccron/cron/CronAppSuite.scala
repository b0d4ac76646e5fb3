package com.payments.sccron.cron

import cats.effect.{ExitCode, IO}
import munit.CatsEffectSuite

class CronAppSuite extends CatsEffectSuite {

  test("a successful run exits 0") {
    CronApp.run(IO.unit).assertEquals(ExitCode.Success)
  }

  test("a failed run exits 1") {
    CronApp.run(IO.raiseError(new IllegalStateException("boom"))).assertEquals(ExitCode(1))
  }

  test("the default job succeeds") {
    CronApp.run(Job.run).assertEquals(ExitCode.Success)
  }
}
