package com.payments.scwebext.health

import java.net.{URI, URISyntaxException}

/** A datastore's address as the readiness check sees it. */
final case class Endpoint(name: String, host: String, port: Int) {
  require(host.trim.nonEmpty, name + ": empty host")
  require(port >= 1 && port <= 65535, name + ": port " + port + " is out of range")
}

/** Where the datastores of this service are, read from the environment
  * variables that docker-compose and the ECS task definition set. A missing
  * variable is a configuration error reported at startup, naming it.
  */
object Datastores {

  /** The datastores this service was generated with. */
  val configured: List[String] = List()

  /** The endpoints to probe for `stores`, looking variables up with `env`.
    * Throws IllegalStateException naming a missing or malformed variable.
    */
  def endpoints(stores: List[String], env: String => Option[String]): List[Endpoint] =
    stores.flatMap {
      case "postgres" => List(hostAndPort("postgres", env, "POSTGRES_HOST", "POSTGRES_PORT", 5432))
      case "mysql" => List(hostAndPort("mysql", env, "MYSQL_HOST", "MYSQL_PORT", 3306))
      case "redis" => List(fromUrl("redis", required(env, "REDIS_URL"), "REDIS_URL"))
      case "memcached" => serverList(required(env, "MEMCACHED_SERVERS"))
      case "dynamodb" =>
        val url = nonBlank(env("AWS_ENDPOINT_URL_DYNAMODB"))
          .getOrElse("https://dynamodb." + required(env, "AWS_REGION") + ".amazonaws.com")
        List(fromUrl("dynamodb", url, "AWS_ENDPOINT_URL_DYNAMODB"))
      case other => throw new IllegalStateException("unknown datastore `" + other + "`")
    }

  private def nonBlank(value: Option[String]): Option[String] = value.map(_.trim).filter(_.nonEmpty)

  private def required(env: String => Option[String], name: String): String =
    nonBlank(env(name)).getOrElse(throw new IllegalStateException(name + " is not set"))

  private def hostAndPort(
      store: String,
      env: String => Option[String],
      hostVar: String,
      portVar: String,
      defaultPort: Int
  ): Endpoint = {
    val port = nonBlank(env(portVar)).map(parsePort(portVar, _)).getOrElse(defaultPort)
    Endpoint(store, required(env, hostVar), port)
  }

  private def fromUrl(store: String, url: String, variable: String): Endpoint = {
    val uri =
      try new URI(url)
      catch {
        case e: URISyntaxException => throw new IllegalStateException(variable + " is not a URL: `" + url + "`", e)
      }
    if (uri.getHost == null) throw new IllegalStateException(variable + " has no host: `" + url + "`")
    val port =
      if (uri.getPort != -1) uri.getPort
      else
        Option(uri.getScheme).getOrElse("") match {
          case "redis" | "rediss" => 6379
          case "http" => 80
          case "https" => 443
          case _ => throw new IllegalStateException(variable + " has no port: `" + url + "`")
        }
    Endpoint(store, uri.getHost, port)
  }

  private def serverList(servers: String): List[Endpoint] = {
    val endpoints = servers.split(",").toList.map(_.trim).filter(_.nonEmpty).map { entry =>
      entry.lastIndexOf(':') match {
        case -1 => Endpoint("memcached", entry, 11211)
        case colon =>
          Endpoint("memcached", entry.substring(0, colon), parsePort("MEMCACHED_SERVERS", entry.substring(colon + 1)))
      }
    }
    if (endpoints.isEmpty) throw new IllegalStateException("MEMCACHED_SERVERS lists no server")
    endpoints
  }

  private def parsePort(variable: String, value: String): Int =
    try value.trim.toInt
    catch {
      case e: NumberFormatException =>
        throw new IllegalStateException(variable + " is not a port number: `" + value + "`", e)
    }
}
