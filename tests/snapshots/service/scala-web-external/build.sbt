// Build of sc-web-ext: Scala 2.13 on Java 21.
//   sbt test       runs the unit tests (munit)
//   sbt assembly   builds target/app.jar (one runnable jar)

ThisBuild / scalaVersion := "2.13.16"
ThisBuild / organization := "com.payments"
ThisBuild / version := "0.1.0-SNAPSHOT"

val catsEffectVersion = "3.6.3"
val http4sVersion = "0.23.30"
val awsSdkVersion = "2.33.9"

lazy val root = (project in file("."))
  .settings(
    name := "sc-web-ext",
    scalacOptions ++= Seq("-deprecation", "-feature", "-unchecked", "-Xlint"),
    libraryDependencies ++= Seq(
      "org.typelevel" %% "cats-effect" % catsEffectVersion,
      "org.http4s" %% "http4s-ember-server" % http4sVersion,
      "org.http4s" %% "http4s-dsl" % http4sVersion,
      // Circuit breaker around calls to other services: see Breaker.scala.
      "io.chrisdavenport" %% "circuit" % "0.5.1",
      // JSON log lines on stdout: src/main/resources/logback.xml.
      "org.typelevel" %% "log4cats-slf4j" % "2.7.1",
      "ch.qos.logback" % "logback-classic" % "1.5.18",
      "net.logstash.logback" % "logstash-logback-encoder" % "8.1",
      "org.scalameta" %% "munit" % "1.1.0" % Test,
      "org.typelevel" %% "munit-cats-effect" % "2.1.0" % Test
    ),
    // Run in a forked JVM so SIGTERM and exit codes behave as in the container.
    run / fork := true,
    Test / fork := true,
    assembly / mainClass := Some("com.payments.scwebext.Main"),
    assembly / assemblyJarName := "app.jar",
    assembly / assemblyMergeStrategy := {
      case PathList("META-INF", "io.netty.versions.properties") => MergeStrategy.first
      case PathList(parts @ _*) if parts.lastOption.contains("module-info.class") => MergeStrategy.discard
      case "mime.types" => MergeStrategy.first
      case other =>
        val previous = (assembly / assemblyMergeStrategy).value
        previous(other)
    }
  )
