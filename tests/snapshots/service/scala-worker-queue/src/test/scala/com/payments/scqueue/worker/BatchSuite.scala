package com.payments.scqueue.worker

class BatchSuite extends munit.FunSuite {

  private def message(id: String) = Message(id, "receipt-" + id, "body " + id)

  test("only handled messages are deleted") {
    val boom = new IllegalStateException("boom")
    val result = Batch.result(List(message("a") -> None, message("bad") -> Some(boom), message("c") -> None))
    assertEquals(result.succeeded, List(message("a"), message("c")))
    assertEquals(result.failed, List(message("bad") -> boom))
    assertEquals(Batch.deleteEntries(result.succeeded), List("0" -> "receipt-a", "1" -> "receipt-c"))
  }

  test("long polling for batches of ten") {
    assertEquals(Batch.WaitTimeSeconds, 20)
    assertEquals(Batch.MaxMessages, 10)
  }
}
