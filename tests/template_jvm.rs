//! The Java and Scala applications of the default template, verified without
//! Maven Central or the sbt repositories (neither is reachable where this
//! runs). Every Java and Scala snapshot case is rendered with the real
//! binary, plus two answer sets of our own per language (a web service with
//! every datastore, a queue worker with `DynamoDB`), and then:
//!
//! - `pom.xml` goes through Maven's own strict model reader (Debian's
//!   maven-model, which rejects any element outside the 4.0.0 model; the
//!   4.0.0 XSD itself is not shipped by any Debian package) and its
//!   coordinates and dependencies are compared with what the answers call for;
//! - every Java file is parsed by javac's parser (package matches folder,
//!   public type matches file name), then the whole tree is type-checked by
//!   javac with Spring, the AWS SDK, resilience4j, SLF4J and Mockito absent:
//!   an error is tolerated only when it is about a symbol imported from one of
//!   those libraries, so every use of the JDK, `JUnit` and the service's own
//!   classes is checked for real;
//! - the framework-free Java classes (no import from those libraries) are
//!   compiled with their `JUnit` 5 tests and the tests run (Debian's junit5
//!   console launcher);
//! - every Scala file and the sbt build files are parsed by Debian's scalac
//!   2.11; the framework-free Scala core is compiled with its munit suites
//!   against a minimal stand-in for `munit.FunSuite` and the suites run;
//! - `application.yaml`, `build.sbt`, `logback.xml` and the Dockerfiles are
//!   checked against the runtime contract (hadolint runs in `template_lint.rs`).
//!
//! Not verified here: anything that needs the libraries themselves (Spring
//! Boot tests, http4s/cats-effect code and suites, SQS/DynamoDB clients),
//! dependency resolution and the container builds.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{Case, cases_where, files_under, render_case, tool};
use serde_norway::Value;

/// Packages of the libraries that cannot be downloaded here.
const EXTERNAL_JAVA: &[&str] = &[
    "org.springframework.",
    "software.amazon.awssdk.",
    "io.github.resilience4j.",
    "org.slf4j.",
    "org.mockito.",
];

/// Imports that make a Scala file depend on a library scalac 2.11 cannot see.
const EXTERNAL_SCALA: &[&str] = &[
    "cats",
    "org.http4s",
    "org.typelevel",
    "software.amazon",
    "io.chrisdavenport",
    "com.comcast",
    "munit.CatsEffectSuite",
    "scala.jdk",
];

const JUNIT_JARS: &[&str] = &[
    "/usr/share/java/junit-jupiter-api.jar",
    "/usr/share/java/apiguardian-api.jar",
    "/usr/share/java/opentest4j.jar",
    "/usr/share/java/junit-platform-commons.jar",
];
const JUNIT_LAUNCHER: &str = "/usr/share/java/junit-platform-console-standalone.jar";
const MAVEN_MODEL_JARS: &[&str] = &[
    "/usr/share/maven/lib/maven-model-3.x.jar",
    "/usr/share/maven/lib/plexus-utils.jar",
];

/// Parses Java sources with javac's parser only (no symbol resolution) and
/// checks that package and folder, public type and file name agree.
const PARSE_JAVA: &str = r#"
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public class ParseJava {
    public static void main(String[] args) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null);
        List<File> sources = new ArrayList<>();
        for (String arg : args) {
            sources.add(new File(arg));
        }
        JavacTask task = (JavacTask) compiler.getTask(null, files, diagnostics,
                List.of("-proc:none", "--release", "17"), null, files.getJavaFileObjectsFromFiles(sources));
        int units = 0;
        for (CompilationUnitTree unit : task.parse()) {
            units++;
            Path path = Path.of(unit.getSourceFile().toUri());
            String pkg = unit.getPackageName() == null ? "" : unit.getPackageName().toString();
            if (!path.getParent().endsWith(pkg.replace('.', File.separatorChar))) {
                System.out.println(path + ": package " + pkg + " does not match its folder");
            }
            String name = path.getFileName().toString().replaceFirst("\\.java$", "");
            for (Tree type : unit.getTypeDecls()) {
                if (type instanceof ClassTree cls && cls.getModifiers().getFlags().contains(Modifier.PUBLIC)
                        && !cls.getSimpleName().contentEquals(name)) {
                    System.out.println(path + ": public type " + cls.getSimpleName() + " in " + name + ".java");
                }
            }
        }
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING) {
                System.out.println(d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(null));
            }
        }
        System.out.println("parsed " + units + " files");
    }
}
"#;

/// Reads each pom with Maven's strict model reader (unknown elements fail).
const POM_CHECK: &str = r#"
import java.io.FileReader;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;

public class PomCheck {
    public static void main(String[] args) throws Exception {
        for (String path : args) {
            try (FileReader reader = new FileReader(path)) {
                new MavenXpp3Reader().read(reader, true);
                System.out.println("valid " + path);
            } catch (Exception e) {
                System.out.println("invalid " + path + ": " + e.getMessage());
            }
        }
    }
}
"#;

/// Compiles every given file in one javac run and prints each error as
/// `path:line: code: message`, the message's lines joined with ` | `.
const TYPE_CHECK: &str = r#"
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public class TypeCheck {
    public static void main(String[] args) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null);
        List<File> sources = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            sources.add(new File(args[i]));
        }
        List<String> options = List.of("-XDshould-stop.ifError=FLOW", "-proc:none", "--release", "17",
                "-Xmaxerrs", "100000", "-d", args[0], "-cp", args[1]);
        compiler.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromFiles(sources)).call();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                String source = d.getSource() == null ? "-" : new File(d.getSource().toUri()).getPath();
                System.out.println(source + ":" + d.getLineNumber() + ": " + d.getCode() + ": "
                        + d.getMessage(Locale.ROOT).replace("\n", " | "));
            }
        }
        System.out.println("checked " + sources.size() + " files");
    }
}
"#;

/// Just enough of `munit.FunSuite` to run the framework-free suites with
/// scalac 2.11; prints `N passed, M failed`.
const MUNIT_STAND_IN: &str = r#"
package munit

import scala.collection.mutable.ListBuffer
import scala.reflect.ClassTag

abstract class FunSuite {
  val registered: ListBuffer[(String, () => Any)] = ListBuffer()
  def test(name: String)(body: => Any): Unit = registered += ((name, () => body))
  def assert(cond: => Boolean, clue: => Any = "assertion failed"): Unit =
    if (!cond) throw new AssertionError(String.valueOf(clue))
  def assertEquals[A, B](obtained: A, expected: B, clue: => Any = "values are not the same"): Unit =
    if (obtained != expected) throw new AssertionError(s"$clue: obtained $obtained, expected $expected")
  def fail(message: String): Nothing = throw new AssertionError(message)
  def intercept[T <: Throwable](body: => Any)(implicit tag: ClassTag[T]): T = {
    try body
    catch { case e: Throwable if tag.runtimeClass.isInstance(e) => return e.asInstanceOf[T] }
    throw new AssertionError("expected " + tag.runtimeClass.getName + " to be thrown")
  }
}

object StandInRunner {
  def main(args: Array[String]): Unit = {
    var passed = 0
    var failed = 0
    for (name <- args) {
      val suite = Class.forName(name).getDeclaredConstructor().newInstance().asInstanceOf[FunSuite]
      for ((test, body) <- suite.registered) {
        try { body(); passed += 1 }
        catch { case e: Throwable => failed += 1; println("FAIL " + name + ": " + test + ": " + e) }
      }
    }
    println(s"$passed passed, $failed failed")
  }
}
"#;

// ---------------------------------------------------------------------------
// Rendered cases

/// One rendered case and the values the template computes from its answers.
struct Rendered {
    case: Case,
    dir: PathBuf,
}

impl Rendered {
    fn service_name(&self) -> &str {
        self.case.get("service_name").unwrap()
    }
    fn java_package(&self) -> String {
        format!("com.payments.{}", self.service_name().replace('-', ""))
    }
    fn class_prefix(&self) -> String {
        self.service_name()
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect()
    }
    fn datastores(&self) -> Vec<&str> {
        self.case
            .get("datastores")
            .map(|d| d.split(',').filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }
    fn has(&self, store: &str) -> bool {
        self.datastores().contains(&store)
    }
    fn is_web(&self) -> bool {
        self.case.kind() == "web"
    }
    fn is_queue(&self) -> bool {
        self.case.kind() == "worker" && self.case.trigger() == "queue"
    }
    fn is_cron(&self) -> bool {
        self.case.kind() == "worker" && self.case.trigger() == "cron"
    }
    /// The package folder of this kind: health (web), worker or cron.
    fn kind_package(&self) -> &'static str {
        if self.is_web() {
            "health"
        } else if self.is_queue() {
            "worker"
        } else {
            "cron"
        }
    }
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel))
            .unwrap_or_else(|e| panic!("{}: {rel}: {e}", self.case.name))
    }
    /// Files under `rel` ending in `ext`, as absolute paths.
    fn sources(&self, rel: &str, ext: &str) -> Vec<PathBuf> {
        let root = self.dir.join(rel);
        files_under(&root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .map(|p| root.join(p))
            .collect()
    }
}

fn extra_case(name: &str, answers: &[(&str, &str)]) -> Case {
    Case {
        name: name.to_string(),
        answers: answers
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
    }
}

/// The language's snapshot cases plus answer sets that put every datastore
/// and `DynamoDB` on a worker through the JVM code.
fn render_language(language: &str, prefix: &str) -> Vec<Rendered> {
    let mut cases = cases_where(|c| c.language() == language);
    assert!(
        cases.len() >= 5,
        "expected the four {language} variants and a datastore case in template.yaml"
    );
    let all_stores = format!("{prefix}-all-stores");
    let queue_ddb = format!("{prefix}-queue-ddb");
    cases.push(extra_case(
        &format!("jvm-{all_stores}"),
        &[
            ("service_name", &all_stores),
            ("owner", "payments"),
            ("language", language),
            ("kind", "web"),
            ("exposure", "internal"),
            ("datastores", "postgres,mysql,redis,memcached,dynamodb"),
        ],
    ));
    cases.push(extra_case(
        &format!("jvm-{queue_ddb}"),
        &[
            ("service_name", &queue_ddb),
            ("owner", "payments"),
            ("language", language),
            ("kind", "worker"),
            ("trigger", "queue"),
            ("datastores", "dynamodb"),
        ],
    ));
    cases
        .into_iter()
        .map(|case| {
            let dir = render_case(&case);
            Rendered { case, dir }
        })
        .collect()
}

fn java_cases() -> &'static [Rendered] {
    static CASES: OnceLock<Vec<Rendered>> = OnceLock::new();
    CASES.get_or_init(|| render_language("java", "jv"))
}

fn scala_cases() -> &'static [Rendered] {
    static CASES: OnceLock<Vec<Rendered>> = OnceLock::new();
    CASES.get_or_init(|| render_language("scala", "sc"))
}

// ---------------------------------------------------------------------------
// Helpers

/// Runs `cmd` and returns (success, stdout + stderr).
fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The jar files, or None (skip) when one is missing and tools are optional.
fn jars(paths: &[&str]) -> Option<String> {
    if let Some(missing) = paths.iter().find(|p| !Path::new(p).is_file()) {
        assert!(
            std::env::var("NEWSVC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{missing} is missing; tests/run.sh installs it"
        );
        eprintln!("skipping: {missing} is missing (run tests/run.sh to install it)");
        return None;
    }
    Some(paths.join(":"))
}

fn has_tools(names: &[&str]) -> bool {
    names.iter().all(|n| tool(n).is_some())
}

fn imports(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("import "))
        .map(|l| l.trim_end_matches(';').trim())
}

fn java_external_imports(text: &str) -> Vec<&str> {
    imports(text)
        .map(|i| i.strip_prefix("static ").unwrap_or(i))
        .filter(|i| EXTERNAL_JAVA.iter().any(|p| i.starts_with(p)))
        .collect()
}

fn scala_is_framework_free(text: &str) -> bool {
    !imports(text).any(|i| {
        EXTERNAL_SCALA
            .iter()
            .any(|p| i == *p || i.starts_with(&format!("{p}.")))
    }) && !text.contains("extends CatsEffectSuite")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Counts `needle` in each file.
fn count_in(files: &[PathBuf], needle: &str) -> usize {
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap().matches(needle).count())
        .sum()
}

fn file_stems(files: &[PathBuf]) -> BTreeSet<String> {
    files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

// ---------------------------------------------------------------------------
// Layout

#[test]
fn each_kind_gets_its_own_sources_only() {
    let mut problems = Vec::new();
    for r in java_cases() {
        let pkg = format!("src/main/java/{}", r.java_package().replace('.', "/"));
        let test_pkg = format!("src/test/java/{}", r.java_package().replace('.', "/"));
        let mut expected = vec![
            "pom.xml".to_string(),
            "Dockerfile".to_string(),
            ".dockerignore".to_string(),
            "src/main/resources/application.yaml".to_string(),
            format!("{pkg}/{}Application.java", r.class_prefix()),
            format!("{pkg}/Mode.java"),
            format!("{pkg}/ResilienceConfig.java"),
            format!("{test_pkg}/ModeTest.java"),
        ];
        let kind: &[&str] = if r.is_web() {
            &[
                "health/HealthController.java",
                "health/Readiness.java",
                "health/HealthConfig.java",
            ]
        } else if r.is_queue() {
            &[
                "worker/PollLoop.java",
                "worker/SqsQueue.java",
                "worker/SqsWorker.java",
            ]
        } else {
            &[
                "cron/CronRun.java",
                "cron/CronCommand.java",
                "cron/ScheduledJob.java",
            ]
        };
        expected.extend(kind.iter().map(|k| format!("{pkg}/{k}")));
        if r.has("dynamodb") {
            expected.push(format!("{pkg}/DynamoDbConfig.java"));
        }
        for rel in &expected {
            if !r.dir.join(rel).is_file() {
                problems.push(format!("{}: missing {rel}", r.case.name));
            }
        }
        problems.extend(foreign_sources(r, &pkg, "java"));
        if !r.has("dynamodb") && r.dir.join(format!("{pkg}/DynamoDbConfig.java")).exists() {
            problems.push(format!(
                "{}: DynamoDbConfig.java without dynamodb",
                r.case.name
            ));
        }
    }
    for r in scala_cases() {
        let pkg = format!("src/main/scala/{}", r.java_package().replace('.', "/"));
        let mut expected = vec![
            "build.sbt".to_string(),
            "project/build.properties".to_string(),
            "project/plugins.sbt".to_string(),
            "Dockerfile".to_string(),
            ".dockerignore".to_string(),
            "src/main/resources/logback.xml".to_string(),
            format!("{pkg}/Main.scala"),
            format!("{pkg}/Mode.scala"),
            format!("{pkg}/Breaker.scala"),
        ];
        let kind: &[&str] = if r.is_web() {
            &[
                "health/Routes.scala",
                "health/Readiness.scala",
                "health/WebServer.scala",
            ]
        } else if r.is_queue() {
            &[
                "worker/Batch.scala",
                "worker/Worker.scala",
                "worker/Queue.scala",
            ]
        } else {
            &["cron/CronRun.scala", "cron/CronApp.scala", "cron/Job.scala"]
        };
        expected.extend(kind.iter().map(|k| format!("{pkg}/{k}")));
        for rel in &expected {
            if !r.dir.join(rel).is_file() {
                problems.push(format!("{}: missing {rel}", r.case.name));
            }
        }
        problems.extend(foreign_sources(r, &pkg, "scala"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Sources of another kind's package, or of another language, in `r`.
fn foreign_sources(r: &Rendered, pkg: &str, language: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for other in ["health", "worker", "cron"]
        .into_iter()
        .filter(|p| *p != r.kind_package())
    {
        for root in [pkg.to_string(), pkg.replacen("src/main", "src/test", 1)] {
            if r.dir.join(&root).join(other).exists() {
                problems.push(format!(
                    "{}: {root}/{other}/ rendered for kind {}",
                    r.case.name,
                    r.case.kind()
                ));
            }
        }
    }
    let foreign = if language == "java" {
        ["build.sbt", "pyproject.toml", "Cargo.toml"]
    } else {
        ["pom.xml", "pyproject.toml", "Cargo.toml"]
    };
    for f in foreign {
        if r.dir.join(f).exists() {
            problems.push(format!("{}: {f} in a {language} repository", r.case.name));
        }
    }
    problems
}

#[test]
fn rendered_jvm_files_are_clean_text() {
    let mut problems = Vec::new();
    for r in java_cases().iter().chain(scala_cases()) {
        let mut files: Vec<PathBuf> = files_under(&r.dir.join("src"))
            .into_iter()
            .map(|p| Path::new("src").join(p))
            .collect();
        files.extend(
            [
                "pom.xml",
                "build.sbt",
                "project/plugins.sbt",
                "project/build.properties",
                "Dockerfile",
                ".dockerignore",
            ]
            .iter()
            .map(PathBuf::from)
            .filter(|p| r.dir.join(p).is_file()),
        );
        for rel in files {
            let text = std::fs::read_to_string(r.dir.join(&rel)).unwrap();
            let name = format!("{}: {}", r.case.name, rel.display());
            for marker in ["{{", "{%", "{#"] {
                if text.contains(marker) {
                    problems.push(format!("{name}: leftover template syntax `{marker}`"));
                }
            }
            if !text.ends_with('\n') || text.ends_with("\n\n") {
                problems.push(format!("{name}: must end with exactly one newline"));
            }
            for (n, line) in text.lines().enumerate() {
                if line.ends_with(' ') || line.ends_with('\t') {
                    problems.push(format!("{name}:{}: trailing whitespace", n + 1));
                }
            }
            if text.contains("\n\n\n") {
                problems.push(format!("{name}: two blank lines in a row"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Java

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|n| n.tag_name().name() == name)
}

fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> String {
    child(node, name)
        .and_then(|n| n.text())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// `group:artifact[:scope]` of each `<dependency>` under `parent`.
fn dependencies(parent: Option<roxmltree::Node<'_, '_>>) -> BTreeSet<String> {
    let Some(deps) = parent.and_then(|p| child(p, "dependencies")) else {
        return BTreeSet::new();
    };
    deps.children()
        .filter(|n| n.tag_name().name() == "dependency")
        .map(|d| {
            let scope = text_of(d, "scope");
            let kind = text_of(d, "type");
            let mut id = format!("{}:{}", text_of(d, "groupId"), text_of(d, "artifactId"));
            for extra in [kind, scope].into_iter().filter(|s| !s.is_empty()) {
                id = format!("{id}:{extra}");
            }
            id
        })
        .collect()
}

#[test]
fn java_pom_declares_the_expected_build() {
    let mut problems = Vec::new();
    for r in java_cases() {
        let text = r.read("pom.xml");
        let doc = match roxmltree::Document::parse(&text) {
            Ok(doc) => doc,
            Err(e) => {
                problems.push(format!(
                    "{}: pom.xml is not well-formed XML: {e}",
                    r.case.name
                ));
                continue;
            }
        };
        let project = doc.root_element();
        let name = &r.case.name;
        if project.tag_name().namespace() != Some("http://maven.apache.org/POM/4.0.0") {
            problems.push(format!("{name}: root is not a Maven 4.0.0 <project>"));
        }
        let parent = child(project, "parent").unwrap();
        let parent_id = format!(
            "{}:{}",
            text_of(parent, "groupId"),
            text_of(parent, "artifactId")
        );
        if parent_id != "org.springframework.boot:spring-boot-starter-parent"
            || !text_of(parent, "version").starts_with("3.")
        {
            problems.push(format!(
                "{name}: parent is {parent_id}:{}",
                text_of(parent, "version")
            ));
        }
        let coordinates = (text_of(project, "groupId"), text_of(project, "artifactId"));
        if coordinates != ("com.payments".to_string(), r.service_name().to_string()) {
            problems.push(format!("{name}: coordinates {coordinates:?}"));
        }
        let properties = child(project, "properties").unwrap();
        if text_of(properties, "java.version") != "21" {
            problems.push(format!("{name}: java.version is not 21"));
        }
        let build = child(project, "build").unwrap();
        if text_of(build, "finalName") != "app" {
            problems.push(format!(
                "{name}: finalName is not `app` (the Dockerfile copies target/app.jar)"
            ));
        }
        if !text.contains("<artifactId>spring-boot-maven-plugin</artifactId>") {
            problems.push(format!(
                "{name}: no spring-boot-maven-plugin (no runnable jar)"
            ));
        }

        let boot = |a: &str| format!("org.springframework.boot:{a}");
        let mut expected: BTreeSet<String> = [
            boot("spring-boot-starter-test:test"),
            "io.github.resilience4j:resilience4j-circuitbreaker".to_string(),
        ]
        .into();
        if r.is_web() {
            expected.extend([
                boot("spring-boot-starter-web"),
                boot("spring-boot-starter-actuator"),
            ]);
        } else {
            expected.insert(boot("spring-boot-starter"));
        }
        if r.is_queue() {
            expected.insert("software.amazon.awssdk:sqs".into());
        }
        if r.has("dynamodb") {
            expected.insert("software.amazon.awssdk:dynamodb".into());
        }
        if r.has("postgres") || r.has("mysql") {
            expected.insert(boot("spring-boot-starter-jdbc"));
        }
        if r.has("postgres") {
            expected.insert("org.postgresql:postgresql:runtime".into());
        }
        if r.has("mysql") {
            expected.insert("com.mysql:mysql-connector-j:runtime".into());
        }
        if r.has("redis") {
            expected.insert(boot("spring-boot-starter-data-redis"));
        }
        let actual = dependencies(Some(project));
        if actual != expected {
            problems.push(format!(
                "{name}: dependencies\n  actual   {actual:?}\n  expected {expected:?}"
            ));
        }
        let managed = dependencies(child(project, "dependencyManagement"));
        let expected_managed: BTreeSet<String> = if r.is_queue() || r.has("dynamodb") {
            ["software.amazon.awssdk:bom:pom:import".to_string()].into()
        } else {
            BTreeSet::new()
        };
        if managed != expected_managed {
            problems.push(format!(
                "{name}: dependencyManagement {managed:?}, expected {expected_managed:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn java_pom_passes_mavens_strict_model_reader() {
    let (Some(classpath), true) = (jars(MAVEN_MODEL_JARS), has_tools(&["java"])) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let checker = write(work.path(), "PomCheck.java", POM_CHECK);
    // A pom with a misspelt element proves the reader is strict.
    let good = std::fs::read_to_string(java_cases()[0].dir.join("pom.xml")).unwrap();
    let bad = write(
        work.path(),
        "bad-pom.xml",
        &good.replace("<finalName>app</finalName>", "<finalNam>app</finalNam>"),
    );
    let mut cmd = Command::new("java");
    cmd.arg("-cp").arg(&classpath).arg(&checker);
    for r in java_cases() {
        cmd.arg(r.dir.join("pom.xml"));
    }
    cmd.arg(&bad);
    let (_, out) = run(&mut cmd);
    let valid = out.lines().filter(|l| l.starts_with("valid ")).count();
    let invalid: Vec<&str> = out.lines().filter(|l| l.starts_with("invalid ")).collect();
    assert_eq!(
        valid,
        java_cases().len(),
        "Maven's strict model reader rejected a pom:\n{out}"
    );
    assert!(
        invalid.len() == 1 && invalid[0].contains("bad-pom.xml") && invalid[0].contains("finalNam"),
        "the strict reader did not reject the misspelt element:\n{out}"
    );
}

#[test]
fn java_application_config_follows_the_contract() {
    let mut problems = Vec::new();
    for r in java_cases() {
        let name = &r.case.name;
        let doc: Value =
            serde_norway::from_str(&r.read("src/main/resources/application.yaml")).unwrap();
        let get = |path: &str| -> Option<String> {
            let mut node = &doc;
            for key in path.split('.') {
                node = node.get(key)?;
            }
            match node {
                Value::String(s) => Some(s.clone()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => Some(String::from("<map>")),
            }
        };
        let mut expect = |path: &str, value: Option<&str>| {
            let actual = get(path);
            if actual.as_deref() != value {
                problems.push(format!("{name}: {path} is {actual:?}, expected {value:?}"));
            }
        };
        expect("spring.lifecycle.timeout-per-shutdown-phase", Some("20s"));
        expect("logging.structured.format.console", Some("logstash"));
        expect("logging.level.root", Some("${LOG_LEVEL:INFO}"));
        expect("app.aws-region", Some("${AWS_REGION:us-east-1}"));
        if r.is_web() {
            expect("server.shutdown", Some("graceful"));
            expect("server.port", Some("${PORT:8080}"));
            expect("management.endpoint.health.probes.enabled", Some("true"));
        } else {
            expect("server", None);
            expect("management", None);
        }
        expect("app.queue-url", r.is_queue().then_some("${QUEUE_URL:}"));
        if r.has("postgres") {
            expect(
                "spring.datasource.url",
                Some("jdbc:postgresql://${POSTGRES_HOST:localhost}:${POSTGRES_PORT:5432}/${POSTGRES_DB:".to_string() + &r.service_name().replace('-', "_") + "}")
                    .as_deref(),
            );
        }
        expect(
            "spring.data.redis.url",
            r.has("redis")
                .then_some("${REDIS_URL:redis://localhost:6379/0}"),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn java_sources_parse_with_javac() {
    if !has_tools(&["java"]) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let parser = write(work.path(), "ParseJava.java", PARSE_JAVA);
    let sources: Vec<PathBuf> = java_cases()
        .iter()
        .flat_map(|r| r.sources("src", "java"))
        .collect();
    let (ok, out) = run(Command::new("java").arg(&parser).args(&sources));
    assert!(ok, "{out}");
    assert_eq!(
        out.trim(),
        format!("parsed {} files", sources.len()),
        "javac's parser reported problems:\n{out}"
    );
}

/// Whether javac's error `line` (`path:line: code: message`) is only about a
/// symbol of a library that is not on the classpath.
fn tolerated_javac_error(line: &str) -> bool {
    let Some((location, rest)) = line.split_once(": compiler.err.") else {
        return false;
    };
    let Some((file, line_no)) = location.rsplit_once(':') else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let external = java_external_imports(&text);
    let simple_names: BTreeSet<&str> = external
        .iter()
        .filter_map(|i| i.rsplit('.').next())
        .collect();
    let external_name = |name: &str| {
        EXTERNAL_JAVA
            .iter()
            .any(|p| name.starts_with(p) || name == p.trim_end_matches('.'))
            || simple_names.contains(name.split('.').next().unwrap_or(name))
    };
    let (key, message) = rest.split_once(": ").unwrap_or((rest, ""));
    match key {
        // "package org.slf4j does not exist", "package MDC does not exist" (MDC.MDCCloseable)
        "doesnt.exist" => message
            .strip_prefix("package ")
            .and_then(|m| m.strip_suffix(" does not exist"))
            .is_some_and(external_name),
        // "cannot find symbol |   symbol:   class Component |   location: ..."
        "cant.resolve"
        | "cant.resolve.location"
        | "cant.resolve.args"
        | "cant.resolve.location.args" => message
            .split_once("symbol:")
            .and_then(|(_, s)| s.split_whitespace().nth(1))
            .map(|symbol| symbol.split('(').next().unwrap_or(symbol))
            .is_some_and(external_name),
        "static.imp.only.classes.and.interfaces" => {
            let n: usize = line_no.parse().unwrap_or(0);
            text.lines()
                .nth(n.saturating_sub(1))
                .and_then(|l| l.trim().strip_prefix("import static "))
                .is_some_and(|i| EXTERNAL_JAVA.iter().any(|p| i.starts_with(p)))
        }
        // @Override in a class implementing a library interface.
        "method.does.not.override.superclass" => text.lines().any(|l| {
            let l = l.trim();
            (l.contains(" implements ") || l.contains(" extends "))
                && l.split(|c: char| !c.is_alphanumeric())
                    .any(|w| simple_names.contains(w))
        }),
        _ => false,
    }
}

#[test]
fn java_sources_type_check_apart_from_unavailable_libraries() {
    let (Some(classpath), true) = (jars(JUNIT_JARS), has_tools(&["java"])) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let checker = write(work.path(), "TypeCheck.java", TYPE_CHECK);
    // A file with one tolerated error (a library import) and one real defect
    // (an own class that does not exist) proves the filter is not blind.
    let probe_dir = work.path().join("src/newsvc/probe");
    std::fs::create_dir_all(&probe_dir).unwrap();
    let probe = write(
        &probe_dir,
        "Probe.java",
        "package newsvc.probe;\n\nimport org.springframework.stereotype.Component;\n\n@Component\npublic class Probe {\n    \
         Missing missing;\n}\n",
    );
    let mut sources: Vec<PathBuf> = java_cases()
        .iter()
        .flat_map(|r| r.sources("src", "java"))
        .collect();
    sources.push(probe);
    let (ok, out) = run(Command::new("java")
        .arg(&checker)
        .arg(work.path().join("classes"))
        .arg(&classpath)
        .args(&sources));
    assert!(
        ok && out.lines().last() == Some(format!("checked {} files", sources.len()).as_str()),
        "{out}"
    );
    let errors: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(": compiler.err."))
        .collect();
    let defects: Vec<&str> = errors
        .iter()
        .copied()
        .filter(|l| !tolerated_javac_error(l))
        .collect();
    assert!(
        defects.len() == 1 && defects[0].contains("Probe.java") && defects[0].contains("Missing"),
        "javac found defects in the generated Java (beyond the missing libraries):\n{}",
        defects.join("\n")
    );
    assert!(
        errors
            .iter()
            .any(|l| l.contains("Probe.java") && l.contains("org.springframework.stereotype")),
        "the probe's library import was not reported:\n{out}"
    );
}

#[test]
fn java_framework_free_core_compiles_and_its_tests_pass() {
    let (Some(classpath), Some(_)) = (jars(JUNIT_JARS), jars(&[JUNIT_LAUNCHER])) else {
        return;
    };
    if !has_tools(&["javac", "java"]) {
        return;
    }
    let free = |files: Vec<PathBuf>| -> Vec<PathBuf> {
        files
            .into_iter()
            .filter(|f| java_external_imports(&std::fs::read_to_string(f).unwrap()).is_empty())
            .collect()
    };
    let mut main = Vec::new();
    let mut tests = Vec::new();
    let mut problems = Vec::new();
    for r in java_cases() {
        let case_main = free(r.sources("src/main/java", "java"));
        let case_tests = free(r.sources("src/test/java", "java"));
        let (want_main, want_tests): (&[&str], &[&str]) = if r.is_web() {
            (
                &["Mode", "Endpoint", "Datastores", "Readiness", "TcpProbe"],
                &["ModeTest", "DatastoresTest", "ReadinessTest"],
            )
        } else if r.is_queue() {
            (&["Mode", "PollLoop"], &["ModeTest", "PollLoopTest"])
        } else {
            (&["Mode", "CronRun"], &["ModeTest", "CronRunTest"])
        };
        for (want, got) in [
            (want_main, file_stems(&case_main)),
            (want_tests, file_stems(&case_tests)),
        ] {
            for w in want {
                if !got.contains(*w) {
                    problems.push(format!(
                        "{}: {w}.java is missing or imports a framework",
                        r.case.name
                    ));
                }
            }
        }
        main.extend(case_main);
        tests.extend(case_tests);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let work = tempfile::tempdir().unwrap();
    let classes = work.path().join("classes");
    let (ok, out) = run(Command::new("javac")
        .args([
            "-proc:none",
            "--release",
            "17",
            "-Xlint:all",
            "-Werror",
            "-d",
        ])
        .arg(&classes)
        .arg("-cp")
        .arg(&classpath)
        .args(&main)
        .args(&tests));
    assert!(
        ok,
        "the framework-free Java core or its tests do not compile:\n{out}"
    );

    let (ok, out) = run(Command::new("java")
        .arg("-jar")
        .arg(JUNIT_LAUNCHER)
        .arg("--class-path")
        .arg(&classes)
        .args([
            "--scan-class-path",
            "--disable-banner",
            "--details=tree",
            "--disable-ansi-colors",
        ]));
    let count = |what: &str| -> usize {
        out.lines()
            .find(|l| l.contains(&format!(" tests {what} ")))
            .and_then(|l| {
                l.trim_start_matches('[')
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(usize::MAX)
    };
    let expected = count_in(&tests, "@Test");
    assert!(
        ok && count("failed") == 0,
        "JUnit tests of the framework-free Java core failed:\n{out}"
    );
    assert_eq!(count("successful"), expected, "not every @Test ran:\n{out}");
}

// ---------------------------------------------------------------------------
// Scala

#[test]
fn scala_sources_and_sbt_build_parse_with_scalac() {
    if !has_tools(&["scalac"]) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let mut sources: Vec<PathBuf> = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in scala_cases().iter().enumerate() {
        for f in r.sources("src", "scala") {
            let text = std::fs::read_to_string(&f).unwrap();
            let package = text
                .lines()
                .find_map(|l| l.strip_prefix("package "))
                .unwrap_or_default()
                .trim()
                .to_string();
            if !f.parent().unwrap().ends_with(package.replace('.', "/")) || package.is_empty() {
                problems.push(format!(
                    "{}: package `{package}` does not match its folder",
                    f.display()
                ));
            }
            sources.push(f);
        }
        // sbt files are Scala statements: parse them as the body of an object.
        for sbt in ["build.sbt", "project/plugins.sbt"] {
            let body = r.read(sbt);
            let name = format!("Sbt{i}{}", sbt.replace(['/', '.'], "_"));
            sources.push(write(
                work.path(),
                &format!("{name}.scala"),
                &format!("object {name} {{\n{body}\n}}\n"),
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let (ok, out) = run(Command::new("scalac")
        .args(["-Ystop-after:parser", "-d"])
        .arg(work.path())
        .args(&sources));
    assert!(
        ok && out.trim().is_empty(),
        "scalac's parser rejected the generated Scala:\n{out}"
    );
}

#[test]
fn scala_framework_free_core_compiles_and_its_suites_pass() {
    if !has_tools(&["scalac", "scala"]) {
        return;
    }
    let free = |files: Vec<PathBuf>| -> Vec<PathBuf> {
        files
            .into_iter()
            .filter(|f| scala_is_framework_free(&std::fs::read_to_string(f).unwrap()))
            .collect()
    };
    let mut main = Vec::new();
    let mut suites = Vec::new();
    let mut problems = Vec::new();
    for r in scala_cases() {
        let case_main = free(r.sources("src/main/scala", "scala"));
        let case_suites = free(r.sources("src/test/scala", "scala"));
        let (want_main, want_suites): (&[&str], &[&str]) = if r.is_web() {
            (
                &["Mode", "Datastores", "Readiness"],
                &["ModeSuite", "DatastoresSuite", "ReadinessSuite"],
            )
        } else if r.is_queue() {
            (&["Mode", "Batch"], &["ModeSuite", "BatchSuite"])
        } else {
            (&["Mode", "CronRun"], &["ModeSuite", "CronRunSuite"])
        };
        for (want, got) in [
            (want_main, file_stems(&case_main)),
            (want_suites, file_stems(&case_suites)),
        ] {
            for w in want {
                if !got.contains(*w) {
                    problems.push(format!(
                        "{}: {w}.scala is missing or imports a framework",
                        r.case.name
                    ));
                }
            }
        }
        main.extend(case_main);
        suites.extend(case_suites);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let work = tempfile::tempdir().unwrap();
    let stand_in = write(work.path(), "munit.scala", MUNIT_STAND_IN);
    let classes = work.path().join("classes");
    std::fs::create_dir_all(&classes).unwrap();
    let (ok, out) = run(Command::new("scalac")
        .args(["-deprecation", "-feature", "-Xfatal-warnings", "-d"])
        .arg(&classes)
        .arg(&stand_in)
        .args(&main)
        .args(&suites));
    assert!(
        ok,
        "the framework-free Scala core or its suites do not compile:\n{out}"
    );

    let suite_classes: Vec<String> = suites
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let package = text
                .lines()
                .find_map(|l| l.strip_prefix("package "))
                .unwrap()
                .trim();
            format!("{package}.{}", f.file_stem().unwrap().to_string_lossy())
        })
        .collect();
    let (ok, out) = run(Command::new("scala")
        .arg("-cp")
        .arg(&classes)
        .arg("munit.StandInRunner")
        .args(&suite_classes));
    let expected = count_in(&suites, "  test(\"");
    let summary = format!("{expected} passed, 0 failed");
    assert!(
        ok && out.lines().any(|l| l == summary),
        "munit suites failed (expected `{summary}`):\n{out}"
    );
}

#[test]
fn scala_build_declares_the_expected_dependencies() {
    let mut problems = Vec::new();
    for r in scala_cases() {
        let name = &r.case.name;
        let build = r.read("build.sbt");
        let mut expect = |what: &str, present: bool| {
            if build.contains(what) != present {
                problems.push(format!(
                    "{name}: build.sbt {} `{what}`",
                    if present { "lacks" } else { "has" }
                ));
            }
        };
        expect("ThisBuild / scalaVersion := \"2.13.", true);
        expect("ThisBuild / organization := \"com.payments\"", true);
        expect(&format!("name := \"{}\"", r.service_name()), true);
        expect(
            &format!(
                "assembly / mainClass := Some(\"{}.Main\")",
                r.java_package()
            ),
            true,
        );
        expect("assembly / assemblyJarName := \"app.jar\"", true);
        for always in [
            "\"cats-effect\"",
            "\"circuit\"",
            "\"log4cats-slf4j\"",
            "\"logstash-logback-encoder\"",
            "\"munit\"",
            "\"munit-cats-effect\"",
        ] {
            expect(always, true);
        }
        expect("\"http4s-ember-server\"", r.is_web());
        expect("\"http4s-dsl\"", r.is_web());
        expect("\"software.amazon.awssdk\" % \"sqs\"", r.is_queue());
        expect(
            "\"software.amazon.awssdk\" % \"dynamodb\"",
            r.has("dynamodb"),
        );
        if !r
            .read("project/plugins.sbt")
            .contains("addSbtPlugin(\"com.eed3si9n\" % \"sbt-assembly\" % \"2.")
        {
            problems.push(format!(
                "{name}: project/plugins.sbt lacks sbt-assembly 2.x"
            ));
        }
        if !r
            .read("project/build.properties")
            .starts_with("sbt.version=1.")
        {
            problems.push(format!(
                "{name}: project/build.properties does not pin sbt 1.x"
            ));
        }
        let logback = r.read("src/main/resources/logback.xml");
        match roxmltree::Document::parse(&logback) {
            Ok(doc) => {
                let encoder = doc
                    .descendants()
                    .find(|n| n.has_tag_name("encoder"))
                    .and_then(|n| n.attribute("class"));
                if encoder != Some("net.logstash.logback.encoder.LogstashEncoder") {
                    problems.push(format!("{name}: logback.xml encoder is {encoder:?}"));
                }
            }
            Err(e) => problems.push(format!("{name}: logback.xml is not well-formed XML: {e}")),
        }
        if r.is_web() {
            let server = r.read(&format!(
                "src/main/scala/{}/health/WebServer.scala",
                r.java_package().replace('.', "/")
            ));
            if !server.contains(".withShutdownTimeout(20.seconds)") {
                problems.push(format!(
                    "{name}: the Ember server has no 20 s shutdown timeout"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Dockerfiles

#[test]
fn jvm_dockerfiles_follow_the_image_contract() {
    let mut problems = Vec::new();
    for r in java_cases().iter().chain(scala_cases()) {
        let name = &r.case.name;
        let text = r.read("Dockerfile");
        let lines: Vec<&str> = text.lines().collect();
        let froms: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("FROM "))
            .collect();
        for from in &froms {
            let image = from.split_whitespace().next().unwrap_or_default();
            let local_stage = froms.iter().any(|f| f.ends_with(&format!(" AS {image}")));
            let tag = image.rsplit_once(':').map(|(_, t)| t).unwrap_or_default();
            if !local_stage
                && (tag.is_empty() || tag == "latest" || !tag.chars().any(|c| c.is_ascii_digit()))
            {
                problems.push(format!(
                    "{name}: base image `{image}` is not pinned to a version tag"
                ));
            }
        }
        if !froms.iter().any(|f| f.ends_with(" AS test")) {
            problems.push(format!("{name}: no `test` stage"));
        }
        if froms.last().map(|f| f.split_whitespace().next())
            != Some(Some("eclipse-temurin:21.0.6_7-jre"))
        {
            problems.push(format!(
                "{name}: the runtime stage is not eclipse-temurin 21 JRE: {froms:?}"
            ));
        }
        let runtime = &text[text.rfind("\nFROM ").unwrap()..];
        let has = |needle: &str| runtime.lines().any(|l| l.trim_start().starts_with(needle));
        if !has("USER 10001") {
            problems.push(format!("{name}: the runtime does not run as USER 10001"));
        }
        if !runtime.contains(
            "ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75\", \"-jar\", \"/app/app.jar\"]",
        ) {
            problems.push(format!(
                "{name}: ENTRYPOINT is not the exec-form java launch with MaxRAMPercentage=75"
            ));
        }
        let jar = if r.case.language() == "java" {
            "/src/target/app.jar"
        } else {
            "/src/target/scala-2.13/app.jar"
        };
        if !runtime.contains(&format!("COPY --from=build {jar} /app/app.jar")) {
            problems.push(format!("{name}: the runtime does not copy {jar}"));
        }
        if has("HEALTHCHECK") != r.is_web() {
            problems.push(format!(
                "{name}: HEALTHCHECK must be present exactly for web"
            ));
        }
        if r.is_web()
            && !(runtime.contains("GET /health")
                && runtime.contains("${PORT}")
                && has("ENV PORT=8080"))
        {
            problems.push(format!(
                "{name}: HEALTHCHECK does not probe /health on PORT"
            ));
        }
        let cmd = lines.iter().find(|l| l.starts_with("CMD ")).copied();
        let expected_cmd = if r.is_queue() {
            Some("CMD [\"worker\"]")
        } else if r.is_cron() {
            Some("CMD [\"cron\"]")
        } else {
            None
        };
        if cmd != expected_cmd {
            problems.push(format!(
                "{name}: default command {cmd:?}, expected {expected_cmd:?}"
            ));
        }
        let ignore = r.read(".dockerignore");
        let build_file = if r.case.language() == "java" {
            "!pom.xml"
        } else {
            "!build.sbt"
        };
        if !(ignore.lines().any(|l| l == "*")
            && ignore.lines().any(|l| l == build_file)
            && ignore.lines().any(|l| l == "!src"))
        {
            problems.push(format!(
                "{name}: .dockerignore must allow only the build files and src"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn jvm_healthcheck_probe_reads_the_status_line() {
    if !has_tools(&["bash"]) {
        return;
    }
    for language_cases in [java_cases(), scala_cases()] {
        let r = language_cases.iter().find(|r| r.is_web()).unwrap();
        let dockerfile = r.read("Dockerfile");
        let exec_form = dockerfile
            .lines()
            .skip_while(|l| !l.starts_with("HEALTHCHECK"))
            .find_map(|l| l.trim().strip_prefix("CMD "))
            .unwrap_or_else(|| panic!("{}: no HEALTHCHECK CMD", r.case.name));
        let argv: Vec<String> = serde_json::from_str(exec_form).unwrap();

        // A stand-in for the application: 200 first, then 503.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port().to_string();
        let server = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for status in ["200 OK", "503 Service Unavailable"] {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = Vec::new();
                let mut buf = [0_u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = std::io::Read::read(&mut stream, &mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buf[..n]);
                }
                requests.push(String::from_utf8_lossy(&request).into_owned());
                let response = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
                std::io::Write::write_all(&mut stream, response.as_bytes()).unwrap();
            }
            requests
        });
        let probe = || {
            Command::new(&argv[0])
                .args(&argv[1..])
                .env("PORT", &port)
                .output()
                .unwrap()
                .status
                .success()
        };
        assert!(
            probe(),
            "{}: the HEALTHCHECK fails against a healthy /health",
            r.case.name
        );
        assert!(!probe(), "{}: the HEALTHCHECK passes on a 503", r.case.name);
        let requests = server.join().unwrap();
        assert!(
            requests[0].starts_with("GET /health HTTP/1.0\r\n"),
            "{}: probe sent {:?}",
            r.case.name,
            requests[0]
        );
        assert!(
            !probe(),
            "{}: the HEALTHCHECK passes with nothing listening",
            r.case.name
        );
    }
}
