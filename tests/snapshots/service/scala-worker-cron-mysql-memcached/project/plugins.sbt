// `sbt assembly` builds one runnable jar for the container image.
addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "2.3.1")
