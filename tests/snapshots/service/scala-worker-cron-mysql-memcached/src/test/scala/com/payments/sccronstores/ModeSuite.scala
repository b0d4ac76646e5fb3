package com.payments.sccronstores

class ModeSuite extends munit.FunSuite {

  test("no argument serves HTTP") {
    assertEquals(Mode.parse(Nil), Right(Mode.Web))
    assertEquals(Mode.parse(List("--verbose")), Right(Mode.Web))
  }

  test("worker and cron arguments") {
    assertEquals(Mode.parse(List("worker")), Right(Mode.Worker))
    assertEquals(Mode.parse(List("cron")), Right(Mode.Cron))
  }

  test("an unknown command is named") {
    assertEquals(Mode.mismatch(Mode.Web, List("serve")).map(_.contains("`serve`")), Some(true))
  }

  test("a command of another kind of service is refused") {
    assertEquals(Mode.mismatch(Mode.Cron, List("cron")), None)
    assertEquals(Mode.mismatch(Mode.Cron, Nil), Some("this image runs as `cron`, not a web service (no argument)"))
  }
}
