package com.payments.scqueue

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console
import sun.misc.Signal

/** Entry point of sc-queue.
  * With the `worker` argument (the image's default command) it long-polls
  * `QUEUE_URL` until SIGTERM; see worker.WorkerApp.
  * SIGTERM cancels `run`: resources are released in reverse order, which is
  * the graceful shutdown.
  */
object Main extends IOApp {
  def run(args: List[String]): IO[ExitCode] =
    Mode.mismatch(Mode.Worker, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => IO(exitZeroOnSigterm()) *> worker.WorkerApp.run(sys.env)
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
