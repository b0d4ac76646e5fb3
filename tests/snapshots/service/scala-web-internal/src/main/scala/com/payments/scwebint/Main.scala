package com.payments.scwebint

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console

/** Entry point of sc-web-int.
  * Without arguments it serves HTTP on `PORT`: `/health` (liveness) and
  * `/ready` (datastores reachable, not draining); see health.WebServer.
  * SIGTERM cancels `run`: resources are released in reverse order, which is
  * the graceful shutdown.
  */
object Main extends IOApp {
  def run(args: List[String]): IO[ExitCode] =
    Mode.mismatch(Mode.Web, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => health.WebServer.run(sys.env)
    }
}
