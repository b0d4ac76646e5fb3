package com.payments.sccronstores

import cats.effect.IO
import io.chrisdavenport.circuit.CircuitBreaker
import scala.concurrent.duration._

/** Circuit breaker for calls to other services and AWS APIs: after 5 failures
  * in a row it opens and fails fast (`CircuitBreaker.RejectedExecution`) for
  * 30 s, doubling up to 5 min while trial calls keep failing. Wrap a call
  * with `breaker.protect(call)`; share one breaker per downstream.
  */
object Breaker {
  val downstream: IO[CircuitBreaker[IO]] =
    CircuitBreaker.of[IO](
      maxFailures = 5,
      resetTimeout = 30.seconds,
      exponentialBackoffFactor = 2.0,
      maxResetTimeout = 5.minutes
    )
}
