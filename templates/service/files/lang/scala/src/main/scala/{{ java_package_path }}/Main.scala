package {{ java_package }}

import cats.effect.{ExitCode, IO, IOApp}
import cats.effect.std.Console

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
      case None => health.WebServer.run(sys.env)
    }
{%- elif trigger == "queue" %}
    Mode.mismatch(Mode.Worker, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => worker.WorkerApp.run(sys.env)
    }
{%- else %}
    Mode.mismatch(Mode.Cron, args) match {
      case Some(message) => Console[IO].errorln(message).as(ExitCode(2))
      case None => cron.CronApp.run(cron.Job.run)
    }
{%- endif %}
}
