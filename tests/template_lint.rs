//! Lint tests over the template matrix: every snapshot case of the default
//! template is rendered with the real binary, and its files go through the
//! validators a generated repository's own pipeline uses: shellcheck,
//! hadolint, yamllint, `docker-compose config` and npm-groovy-lint. A failure
//! names the case, the file and the tool's output.
//!
//! The compose test also checks the runtime contract of the local stack (the
//! environment variables and start-up order every language relies on).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Case, cases, files_under, render_case, tool};
use serde_norway::Value;

/// Every snapshot case with the folder it renders to.
fn rendered() -> Vec<(Case, PathBuf)> {
    cases()
        .into_iter()
        .map(|case| {
            let dir = render_case(&case);
            (case, dir)
        })
        .collect()
}

/// Runs `cmd`; `None` when it succeeds, its output when it fails.
fn failure_of(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (!out.status.success()).then(|| {
        format!(
            "{}{}({})",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            out.status
        )
    })
}

fn assert_clean(tool: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{tool} failed on {} file(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

/// A `*.sh` file, or any file whose shebang runs a POSIX-family shell
/// (`#!/bin/sh`, `#!/usr/bin/env bash`, ...).
fn is_shell_script(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "sh") {
        return true;
    }
    let Ok(text) = std::fs::read(path) else {
        return false;
    };
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let Some(shebang) = std::str::from_utf8(first)
        .ok()
        .and_then(|l| l.strip_prefix("#!"))
    else {
        return false;
    };
    let mut words = shebang.split_whitespace();
    let mut interpreter = words.next().map(|w| w.rsplit('/').next().unwrap_or(w));
    if interpreter == Some("env") {
        interpreter = words.find(|w| !w.starts_with('-'));
    }
    matches!(interpreter, Some("sh" | "bash" | "dash" | "ksh"))
}

fn is_dockerfile(path: &Path) -> bool {
    let name = file_name(path);
    name == "Dockerfile" || name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile")
}

fn is_yaml(path: &Path) -> bool {
    // `.newsvc.yml`, which newsvc writes itself, included.
    path.extension().is_some_and(|e| e == "yml" || e == "yaml")
}

#[test]
fn shell_scripts_pass_shellcheck() {
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let scripts: Vec<PathBuf> = files_under(&dir)
            .into_iter()
            .filter(|f| is_shell_script(&dir.join(f)))
            .collect();
        assert!(
            scripts.iter().any(|s| s == Path::new("run.sh")),
            "case {}: run.sh is missing or not seen as a shell script",
            case.name
        );
        for script in scripts {
            if let Some(out) = failure_of(Command::new(&shellcheck).arg(&script).current_dir(&dir))
            {
                failures.push(format!("case {}, {}:\n{out}", case.name, script.display()));
            }
        }
    }
    assert_clean("shellcheck", &failures);
}

#[test]
fn dockerfiles_pass_hadolint() {
    let Some(hadolint) = tool("hadolint") else {
        return;
    };
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let dockerfiles: Vec<PathBuf> = files_under(&dir)
            .into_iter()
            .filter(|f| is_dockerfile(f))
            .collect();
        assert!(
            !dockerfiles.is_empty(),
            "case {}: no Dockerfile rendered",
            case.name
        );
        for dockerfile in dockerfiles {
            let mut cmd = Command::new(&hadolint);
            cmd.args(["--no-color", "--failure-threshold", "warning"])
                .arg(&dockerfile)
                .current_dir(&dir);
            if let Some(out) = failure_of(&mut cmd) {
                failures.push(format!(
                    "case {}, {}:\n{out}",
                    case.name,
                    dockerfile.display()
                ));
            }
        }
    }
    assert_clean("hadolint", &failures);
}

#[test]
fn yaml_files_pass_yamllint() {
    let Some(yamllint) = tool("yamllint") else {
        return;
    };
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yamllint.yaml");
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let files: Vec<PathBuf> = files_under(&dir)
            .into_iter()
            .filter(|f| is_yaml(f))
            .collect();
        assert!(
            files.iter().any(|f| f == Path::new("docker-compose.yml")),
            "case {}: docker-compose.yml is missing",
            case.name
        );
        // Parsable output puts `file:line:column` on every problem.
        let mut cmd = Command::new(&yamllint);
        cmd.args(["--strict", "--format", "parsable", "--config-file"])
            .arg(&config)
            .args(&files)
            .current_dir(&dir);
        if let Some(out) = failure_of(&mut cmd) {
            failures.push(format!("case {}:\n{out}", case.name));
        }
    }
    assert_clean("yamllint", &failures);
}

#[test]
fn compose_files_pass_docker_compose_config() {
    let Some(compose) = tool("docker-compose") else {
        return;
    };
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let mut cmd = Command::new(&compose);
        cmd.args(["--file", "docker-compose.yml", "config", "--quiet"])
            .current_dir(&dir);
        if let Some(out) = failure_of(&mut cmd) {
            failures.push(format!("case {}, docker-compose.yml:\n{out}", case.name));
        }
    }
    assert_clean("docker-compose config", &failures);
}

/// The local stack keeps the runtime contract every language implements:
/// the environment variables of the service, datastores that are healthy
/// before it starts, the worker/cron argument, and bind-mounted files that
/// exist in the rendered repository.
#[test]
fn compose_stack_follows_the_runtime_contract() {
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let text = std::fs::read_to_string(dir.join("docker-compose.yml")).unwrap();
        let doc: Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("case {}: docker-compose.yml: {e}", case.name));
        for problem in contract_problems(&case, &dir, &doc) {
            failures.push(format!("case {}, docker-compose.yml: {problem}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn contract_problems(case: &Case, dir: &Path, doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let services = &doc["services"];
    let app = &services["app"];
    let env = |key: &str| match &app["environment"][key] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let stores: Vec<&str> = case
        .get("datastores")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .collect();
    let queue = case.kind() == "worker" && case.trigger() == "queue";
    let cron = case.kind() == "worker" && case.trigger() == "cron";

    let mut required: Vec<&str> = vec!["SERVICE_NAME", "ENVIRONMENT", "LOG_LEVEL", "AWS_REGION"];
    if case.kind() == "web" {
        required.push("PORT");
    }
    if queue {
        required.extend(["QUEUE_URL", "AWS_ENDPOINT_URL_SQS"]);
    }
    for store in &stores {
        required.extend(match *store {
            "postgres" => &[
                "POSTGRES_HOST",
                "POSTGRES_PORT",
                "POSTGRES_DB",
                "POSTGRES_USER",
                "POSTGRES_PASSWORD",
            ][..],
            "mysql" => &[
                "MYSQL_HOST",
                "MYSQL_PORT",
                "MYSQL_DATABASE",
                "MYSQL_USER",
                "MYSQL_PASSWORD",
            ][..],
            "redis" => &["REDIS_URL"][..],
            "memcached" => &["MEMCACHED_SERVERS"][..],
            "dynamodb" => &["DYNAMODB_TABLE", "AWS_ENDPOINT_URL_DYNAMODB"][..],
            other => panic!("unknown datastore {other}"),
        });
    }
    problems.extend(
        required
            .iter()
            .filter(|k| env(k).is_none())
            .map(|k| format!("app sets no {k}")),
    );
    if env("SERVICE_NAME").as_deref() != case.get("service_name") {
        problems.push(format!("SERVICE_NAME is {:?}", env("SERVICE_NAME")));
    }
    if env("ENVIRONMENT").as_deref() != Some("local") {
        problems.push(format!(
            "ENVIRONMENT is {:?}, not local",
            env("ENVIRONMENT")
        ));
    }
    if let Some(port) = env("PORT") {
        let published = app["ports"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        if !published
            .into_iter()
            .any(|p| p.ends_with(&format!(":{port}:{port}")))
        {
            problems.push(format!("PORT {port} is not published"));
        }
    }

    let command: Vec<&str> = app["command"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let expected: &[&str] = if queue {
        &["worker"]
    } else if cron {
        &["cron"]
    } else {
        &[]
    };
    if command != expected {
        problems.push(format!("app command is {command:?}, expected {expected:?}"));
    }

    let mut dependencies: BTreeMap<&str, &str> = stores
        .iter()
        .filter(|s| **s != "dynamodb")
        .map(|s| (*s, "service_healthy"))
        .collect();
    if stores.contains(&"dynamodb") {
        dependencies.insert("dynamodb-init", "service_completed_successfully");
    }
    if queue {
        dependencies.insert("elasticmq", "service_started");
    }
    for (service, condition) in &dependencies {
        if services[*service].is_null() {
            problems.push(format!("no `{service}` service"));
        }
        if app["depends_on"][*service]["condition"].as_str() != Some(condition) {
            problems.push(format!(
                "app does not wait for `{service}` with condition {condition}"
            ));
        }
    }
    let mut expected_services: Vec<&str> = dependencies.keys().copied().collect();
    expected_services.push("app");
    if stores.contains(&"dynamodb") {
        expected_services.push("dynamodb");
    }
    expected_services.sort_unstable();
    let mut declared: Vec<&str> = services
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.as_str())
        .collect();
    declared.sort_unstable();
    if declared != expected_services {
        problems.push(format!(
            "services are {declared:?}, expected {expected_services:?}"
        ));
    }

    for (name, service) in services.as_mapping().into_iter().flatten() {
        let volumes = service["volumes"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for source in volumes
            .filter_map(|v| v.split(':').next())
            .filter(|s| s.starts_with("./"))
        {
            if !dir.join(source).is_file() {
                problems.push(format!(
                    "{} mounts {source}, which is not rendered",
                    name.as_str().unwrap_or("?")
                ));
            }
        }
    }
    problems
}

/// Free-text answers (names, URLs, regions): two Jenkinsfiles that differ only
/// in these have the same shape.
const NAME_ANSWERS: &[&str] = &[
    "service_name",
    "owner",
    "product",
    "description",
    "aws_region",
    "repo_url",
    "base_domain",
    "playbook_base_url",
    "java_group",
    "schedule",
];

/// npm-groovy-lint takes ~8 s to start, so it runs once, over one Jenkinsfile
/// per distinct shape (see `NAME_ANSWERS`).
#[test]
fn jenkinsfiles_pass_npm_groovy_lint() {
    let Some(groovy_lint) = tool("npm-groovy-lint") else {
        return;
    };
    let mut shapes: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (case, dir) in rendered() {
        let path = dir.join("Jenkinsfile");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("case {}: Jenkinsfile: {e}", case.name));
        let mut shape = text.clone();
        let mut names: Vec<(&str, &str)> = NAME_ANSWERS
            .iter()
            .filter_map(|key| Some((*key, case.get(key)?)))
            .collect();
        names.sort_by_key(|(_, value)| std::cmp::Reverse(value.len()));
        for (key, value) in names {
            shape = shape.replace(value, &format!("<{key}>"));
        }
        shapes.entry(shape).or_insert((case.name.clone(), text));
    }

    let root = common::render_root().join(format!("jenkinsfiles-{}", std::process::id()));
    for (case, text) in shapes.values() {
        std::fs::create_dir_all(root.join(case)).unwrap();
        std::fs::write(root.join(case).join("Jenkinsfile"), text).unwrap();
    }
    let mut cmd = Command::new(groovy_lint);
    cmd.args(["--noserver", "--failon", "warning", "--loglevel", "warning"])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0");
    let failure = failure_of(&mut cmd);
    assert!(
        failure.is_none(),
        "npm-groovy-lint failed on the Jenkinsfile of case(s) {:?} (folder = case):\n{}",
        shapes
            .values()
            .map(|(case, _)| case.as_str())
            .collect::<Vec<_>>(),
        failure.unwrap_or_default()
    );
}

#[test]
fn shell_detection_follows_the_shebang() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("a.sh", "echo hi\n", true),
        ("mvnw", "#!/bin/sh\necho hi\n", true),
        ("tool", "#!/usr/bin/env -S bash -e\necho hi\n", true),
        ("script.py", "#!/usr/bin/env python3\nprint()\n", false),
        ("README", "no shebang\n", false),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        assert_eq!(is_shell_script(&path), expected, "{name}");
    }
}
