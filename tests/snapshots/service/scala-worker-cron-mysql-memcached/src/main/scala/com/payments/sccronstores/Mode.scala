package com.payments.sccronstores

/** How the process was started. The container command decides: no argument
  * serves HTTP, `worker` consumes the queue, `cron` runs the scheduled job
  * once. Arguments starting with `--` are skipped.
  */
sealed abstract class Mode(val argument: String) {
  def usage: String = if (argument.isEmpty) "a web service (no argument)" else "`" + argument + "`"
}

object Mode {
  case object Web extends Mode("")
  case object Worker extends Mode("worker")
  case object Cron extends Mode("cron")

  val all: List[Mode] = List(Web, Worker, Cron)

  /** The mode selected by `args`, or a message naming the unknown command. */
  def parse(args: List[String]): Either[String, Mode] =
    args.filterNot(_.startsWith("--")) match {
      case Nil => Right(Web)
      case first :: _ =>
        all.find(mode => mode.argument.nonEmpty && mode.argument == first) match {
          case Some(mode) => Right(mode)
          case None => Left("unknown command `" + first + "`: expected `worker`, `cron` or no argument")
        }
    }

  /** None when `args` select `expected`, otherwise the message to print before exiting with 2. */
  def mismatch(expected: Mode, args: List[String]): Option[String] =
    parse(args) match {
      case Right(mode) if mode == expected => None
      case Right(mode) => Some("this image runs as " + expected.usage + ", not " + mode.usage)
      case Left(message) => Some(message)
    }
}
