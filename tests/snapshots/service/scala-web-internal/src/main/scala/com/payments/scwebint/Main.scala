package com.payments.scwebint

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console
import sun.misc.Signal

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
      case None => IO(exitZeroOnSigterm()) *> health.WebServer.run(sys.env)
    }

  /** ECS stops a task with SIGTERM. Leaving through `sys.exit(0)` runs the
    * shutdown hooks (IOApp's cancels `run`, which releases its resources) as
    * the JVM's own handler does, but the task ends with 0 instead of 143.
    */
  private def exitZeroOnSigterm(): Unit = {
    Signal.handle(new Signal("TERM"), (_: Signal) => sys.exit(0))
    ()
  }
}
