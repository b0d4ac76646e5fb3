package com.payments.scqueue

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console

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
      case None => worker.WorkerApp.run(sys.env)
    }
}
