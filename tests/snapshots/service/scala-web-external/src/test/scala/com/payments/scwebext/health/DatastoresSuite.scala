package com.payments.scwebext.health

class DatastoresSuite extends munit.FunSuite {

  private val all = List("postgres", "mysql", "redis", "memcached", "dynamodb")

  private val local = Map(
    "POSTGRES_HOST" -> "postgres",
    "POSTGRES_PORT" -> "5433",
    "MYSQL_HOST" -> "mysql",
    "REDIS_URL" -> "rediss://cache.example.internal:6380/0",
    "MEMCACHED_SERVERS" -> "mc1:11211, mc2",
    "AWS_ENDPOINT_URL_DYNAMODB" -> "http://dynamodb:8000",
    "AWS_REGION" -> "eu-west-1"
  )

  test("reads every kind of datastore") {
    assertEquals(
      Datastores.endpoints(all, local.get),
      List(
        Endpoint("postgres", "postgres", 5433),
        Endpoint("mysql", "mysql", 3306),
        Endpoint("redis", "cache.example.internal", 6380),
        Endpoint("memcached", "mc1", 11211),
        Endpoint("memcached", "mc2", 11211),
        Endpoint("dynamodb", "dynamodb", 8000)
      )
    )
  }

  test("default ports and the regional DynamoDB endpoint") {
    val env = local + ("REDIS_URL" -> "redis://redis") - "AWS_ENDPOINT_URL_DYNAMODB"
    assertEquals(
      Datastores.endpoints(List("redis", "dynamodb"), env.get),
      List(Endpoint("redis", "redis", 6379), Endpoint("dynamodb", "dynamodb.eu-west-1.amazonaws.com", 443))
    )
  }

  test("a missing variable is named") {
    val error = intercept[IllegalStateException](Datastores.endpoints(all, (local - "MYSQL_HOST").get))
    assertEquals(error.getMessage, "MYSQL_HOST is not set")
  }

  test("a malformed port is named") {
    val error = intercept[IllegalStateException](
      Datastores.endpoints(List("postgres"), (local + ("POSTGRES_PORT" -> "five")).get)
    )
    assert(error.getMessage.startsWith("POSTGRES_PORT"), error.getMessage)
  }

  test("every configured datastore is checked") {
    val names = Datastores.endpoints(Datastores.configured, local.get).map(_.name)
    Datastores.configured.foreach(store => assert(names.contains(store), store))
  }
}
