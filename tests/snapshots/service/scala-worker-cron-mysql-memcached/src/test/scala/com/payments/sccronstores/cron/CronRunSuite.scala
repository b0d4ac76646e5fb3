package com.payments.sccronstores.cron

class CronRunSuite extends munit.FunSuite {

  test("success logs cron.completed and exits 0") {
    val result = CronRun.result(None, 250L)
    assertEquals(result, CronRun.Result("cron.completed", 0, 250L, None))
    assert(result.succeeded)
  }

  test("failure logs cron.failed and exits non-zero") {
    val boom = new IllegalStateException("boom")
    val result = CronRun.result(Some(boom), 10L)
    assertEquals(result.event, "cron.failed")
    assertEquals(result.exitCode, 1)
    assertEquals(result.error, Some(boom))
    assert(!result.succeeded)
  }
}
