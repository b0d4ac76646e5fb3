package com.payments.scwebext.health

import cats.effect.{ExitCode, IO, Resource}
import com.comcast.ip4s.{Host, Port}
import org.http4s.ember.server.EmberServerBuilder
import org.http4s.implicits._
import org.http4s.server.Server
import org.typelevel.log4cats.slf4j.Slf4jLogger
import scala.concurrent.duration._

/** The HTTP server. On SIGTERM the resources below are released in reverse
  * order: first `/ready` starts answering 503, then Ember stops accepting
  * connections and gives in-flight requests up to 20 s.
  */
object WebServer {
  private val logger = Slf4jLogger.getLogger[IO]

  def resource(port: Port, readiness: Readiness): Resource[IO, Server] =
    for {
      server <- EmberServerBuilder
        .default[IO]
        .withHost(Host.fromString("0.0.0.0").get)
        .withPort(port)
        .withHttpApp(Routes(readiness).orNotFound)
        .withShutdownTimeout(20.seconds)
        .build
      _ <- Resource.eval(logger.info(s"listening on ${server.address}"))
      _ <- Resource.onFinalize(
        IO(readiness.startDraining()) *> logger.info("shutting down: /ready answers 503 from now on")
      )
    } yield server

  def run(env: Map[String, String]): IO[ExitCode] =
    for {
      port <- IO.fromOption(Port.fromString(env.getOrElse("PORT", "8080")))(
        new IllegalStateException("PORT is not a port number")
      )
      endpoints <- IO(Datastores.endpoints(Datastores.configured, env.get))
      readiness = new Readiness(endpoints, Readiness.tcpProbe(500))
      _ <- resource(port, readiness).useForever
    } yield ExitCode.Success
}
