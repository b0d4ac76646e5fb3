package com.payments.scwebint.health

import java.net.{InetAddress, ServerSocket}

class ReadinessSuite extends munit.FunSuite {

  private val probe: Endpoint => Boolean = Readiness.tcpProbe(500)

  private def withServer[A](body: Int => A): A = {
    val server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress)
    try body(server.getLocalPort)
    finally server.close()
  }

  test("ready when every datastore accepts") {
    withServer { port =>
      val report = new Readiness(List(Endpoint("postgres", "127.0.0.1", port)), probe).check()
      assertEquals(report, Readiness.Report(ready = true, "ready", List("postgres" -> "ok")))
      assertEquals(report.json, "{\"status\":\"ready\",\"checks\":{\"postgres\":\"ok\"}}")
    }
  }

  test("unavailable when one datastore refuses") {
    val closedPort = withServer(port => port)
    withServer { port =>
      val readiness = new Readiness(
        List(Endpoint("postgres", "127.0.0.1", port), Endpoint("redis", "127.0.0.1", closedPort)),
        probe
      )
      val report = readiness.check()
      assertEquals(report.ready, false)
      assertEquals(report.status, "unavailable")
      assertEquals(report.checks, List("postgres" -> "ok", "redis" -> "unreachable"))
    }
  }

  test("ready without datastores") {
    assert(new Readiness(Nil, probe).check().ready)
  }

  test("draining is not ready and probes nothing") {
    var probes = 0
    val readiness = new Readiness(List(Endpoint("redis", "redis", 6379)), _ => { probes += 1; true })
    assert(readiness.check().ready)
    readiness.startDraining()
    val report = readiness.check()
    assertEquals(report.ready, false)
    assertEquals(report.status, "draining")
    assert(readiness.draining)
    assertEquals(probes, 1)
    assertEquals(report.json, "{\"status\":\"draining\",\"checks\":{}}")
  }
}
