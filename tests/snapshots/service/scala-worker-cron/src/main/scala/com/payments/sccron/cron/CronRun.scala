package com.payments.sccron.cron

/** One run of the scheduled job, free of any framework: turns the job's
  * outcome into the event to log and the process exit code. The alarm
  * `cron-missed` counts `cron.completed` lines; EventBridge Scheduler and ECS
  * see a non-zero exit code as a failed run.
  */
object CronRun {

  /** Logged as the `event` field when the job succeeded. */
  val Completed: String = "cron.completed"

  /** Logged as the `event` field when the job failed. */
  val Failed: String = "cron.failed"

  /** The outcome of a run. */
  final case class Result(event: String, exitCode: Int, durationMillis: Long, error: Option[Throwable]) {
    def succeeded: Boolean = exitCode == 0
  }

  def result(error: Option[Throwable], durationMillis: Long): Result =
    error match {
      case None => Result(Completed, 0, durationMillis, None)
      case Some(e) => Result(Failed, 1, durationMillis, Some(e))
    }
}
