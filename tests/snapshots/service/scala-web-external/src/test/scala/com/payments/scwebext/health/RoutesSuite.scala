package com.payments.scwebext.health

import cats.effect.IO
import com.comcast.ip4s.Port
import munit.CatsEffectSuite
import org.http4s.{Method, Request, Status, Uri}
import org.http4s.implicits._

class RoutesSuite extends CatsEffectSuite {

  private def get(readiness: Readiness, path: String) =
    Routes(readiness).orNotFound.run(Request[IO](Method.GET, Uri.unsafeFromString(path)))

  test("/health answers ok") {
    val readiness = new Readiness(Nil, _ => true)
    get(readiness, "/health").flatMap { response =>
      assertEquals(response.status, Status.Ok)
      response.as[String].assertEquals("{\"status\":\"ok\"}")
    }
  }

  test("/ready answers 200, then 503 once draining") {
    val readiness = new Readiness(List(Endpoint("postgres", "db", 5432)), _ => true)
    for {
      ready <- get(readiness, "/ready")
      _ = assertEquals(ready.status, Status.Ok)
      _ <- IO(readiness.startDraining())
      draining <- get(readiness, "/ready")
      _ = assertEquals(draining.status, Status.ServiceUnavailable)
      body <- draining.as[String]
    } yield assert(body.contains("\"status\":\"draining\""), body)
  }

  test("/ready answers 503 when a datastore is unreachable") {
    val readiness = new Readiness(List(Endpoint("redis", "cache", 6379)), _ => false)
    get(readiness, "/ready").map(response => assertEquals(response.status, Status.ServiceUnavailable))
  }

  test("stopping the server starts draining") {
    val readiness = new Readiness(Nil, _ => true)
    WebServer
      .resource(Port.fromInt(0).get, readiness)
      .use(_ => IO(assert(!readiness.draining)))
      .map(_ => assert(readiness.draining))
  }
}
