package com.payments.scwebext.health

import java.io.IOException
import java.net.{InetSocketAddress, Socket}
import java.util.concurrent.atomic.AtomicBoolean

/** The answer of `/ready`: ready when every datastore answers and the service
  * is not shutting down. Once `startDraining()` has been called (on SIGTERM)
  * it stays not ready, so the load balancer stops sending new requests while
  * in-flight ones finish.
  */
final class Readiness(val endpoints: List[Endpoint], probe: Endpoint => Boolean) {
  private val drainingFlag = new AtomicBoolean(false)

  /** From now on the service reports not ready; there is no way back. */
  def startDraining(): Unit = drainingFlag.set(true)

  def draining: Boolean = drainingFlag.get

  /** Probes every datastore (blocking), unless the service is draining. */
  def check(): Readiness.Report =
    if (draining) Readiness.Report(ready = false, "draining", Nil)
    else {
      val checks = endpoints.map(endpoint => (endpoint, probe(endpoint)))
      val names = checks.map(_._1.name)
      val results = checks.map { case (endpoint, up) =>
        val key =
          if (names.count(_ == endpoint.name) > 1) endpoint.name + " " + endpoint.host + ":" + endpoint.port
          else endpoint.name
        (key, if (up) "ok" else "unreachable")
      }
      val ready = checks.forall(_._2)
      Readiness.Report(ready, if (ready) "ready" else "unavailable", results)
    }
}

object Readiness {

  /** The outcome of one check: `status` is ready, unavailable or draining. */
  final case class Report(ready: Boolean, status: String, checks: List[(String, String)]) {

    /** The JSON body of `/ready`. */
    def json: String =
      "{\"status\":" + quote(status) + ",\"checks\":{" +
        checks.map { case (name, result) => quote(name) + ":" + quote(result) }.mkString(",") + "}}"
  }

  /** A datastore is reachable when a TCP connection to it opens within the timeout. */
  def tcpProbe(timeoutMillis: Int)(endpoint: Endpoint): Boolean = {
    val socket = new Socket()
    try {
      socket.connect(new InetSocketAddress(endpoint.host, endpoint.port), timeoutMillis)
      true
    } catch {
      case _: IOException | _: IllegalArgumentException => false
    } finally socket.close()
  }

  private def quote(text: String): String = {
    val escaped = new StringBuilder
    text.foreach {
      case '"' => escaped.append("\\\"")
      case '\\' => escaped.append("\\\\")
      case c if c < ' ' => escaped.append("\\u%04x".format(c.toInt))
      case c => escaped.append(c)
    }
    "\"" + escaped.toString + "\""
  }
}
