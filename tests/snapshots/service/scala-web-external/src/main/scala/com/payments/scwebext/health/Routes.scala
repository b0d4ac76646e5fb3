package com.payments.scwebext.health

import cats.effect.IO
import org.http4s.{HttpRoutes, MediaType, Response, Status}
import org.http4s.dsl.io._
import org.http4s.headers.`Content-Type`

/** Liveness (`/health`) and readiness (`/ready`) for the load balancer and ECS. */
object Routes {
  private val json = `Content-Type`(MediaType.application.json)

  def apply(readiness: Readiness): HttpRoutes[IO] =
    HttpRoutes.of[IO] {
      // Liveness: the process answers. Never checks dependencies.
      case GET -> Root / "health" =>
        IO.pure(Response[IO](Status.Ok).withEntity("{\"status\":\"ok\"}").withContentType(json))
      // Readiness: 200 when every datastore answers, 503 when one does not or when draining.
      case GET -> Root / "ready" =>
        IO.blocking(readiness.check()).map { report =>
          val status = if (report.ready) Status.Ok else Status.ServiceUnavailable
          Response[IO](status).withEntity(report.json).withContentType(json)
        }
    }
}
