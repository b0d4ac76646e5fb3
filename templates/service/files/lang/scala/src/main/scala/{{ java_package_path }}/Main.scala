package {{ java_package }}

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console
{%- if kind == "web" or trigger == "queue" %}
import sun.misc.Signal
{%- endif %}

/** Entry point of {{ service_name }}.
{%- if kind == "web" %}
  * Without arguments it serves HTTP on `PORT`: `/health` (liveness) and
  * `/ready` (datastores reachable, not draining); see health.WebServer.
{%- elif trigger == "queue" %}
  * With the `worker` argument (the image's default command) it long-polls
  * `QUEUE_URL` until SIGTERM; see worker.WorkerApp.
{%- else %}
  * With the `cron` argument (the image's default command) it runs the
  * scheduled job once and exits with its status; see cron.CronApp.
{%- endif %}
  * SIGTERM cancels `run`: resources are released in reverse order, which is
  * the graceful shutdown.
  */
object Main extends IOApp {
  def run(args: List[String]): IO[ExitCode] =
{%- if kind == "web" %}
    Mode.mismatch(Mode.Web, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => IO(exitZeroOnSigterm()) *> health.WebServer.run(sys.env)
    }
{%- elif trigger == "queue" %}
    Mode.mismatch(Mode.Worker, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => IO(exitZeroOnSigterm()) *> worker.WorkerApp.run(sys.env)
    }
{%- else %}
    Mode.mismatch(Mode.Cron, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => cron.CronApp.run(cron.Job.run)
    }
{%- endif %}
{%- if kind == "web" or trigger == "queue" %}

  /** ECS stops a task with SIGTERM. Leaving through `sys.exit(0)` runs the
    * shutdown hooks (IOApp's cancels `run`, which releases its resources) as
    * the JVM's own handler does, but the task ends with 0 instead of 143.
    */
  private def exitZeroOnSigterm(): Unit = {
    Signal.handle(new Signal("TERM"), (_: Signal) => sys.exit(0))
    ()
  }
{%- endif %}
}
