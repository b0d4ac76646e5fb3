//! The Rust application of the default template, built and run for real. Every
//! Rust snapshot case is rendered and, with one shared `CARGO_TARGET_DIR` under
//! `CARGO_TARGET_TMPDIR` (the dependencies compile once and stay cached), must
//! be `cargo fmt` clean, build with its committed Cargo.lock (`--locked`), pass
//! `cargo clippy --all-targets -- -D warnings` and its own unit tests. Then:
//!
//! - the web service starts as its container starts it, on a free port,
//!   answers `/health` and `/ready`, passes its own `healthcheck` probe (the
//!   image's HEALTHCHECK) and exits 0 within 25 s of SIGTERM;
//! - the cron worker runs once as `<bin> cron`, exits 0 and prints a JSON line
//!   with `"event": "cron.completed"`;
//! - the queue worker consumes a real SQS API (moto's server): the messages it
//!   handled are deleted, the one it failed stays on the queue, and SIGTERM in
//!   the middle of a 20 s long poll stops it with exit 0;
//! - the Cargo.lock template puts the service's own entry where Cargo sorts it
//!   for any service name (so no build rewrites the file), refuses names that
//!   would clash with a locked crate, and is exactly what the generator below
//!   makes of a real lock file.
//!
//! After changing the Rust template's dependencies, regenerate the lock file:
//! `cargo test --test template_rust -- --ignored regenerate_cargo_lock`.
//!
//! hadolint runs on every Dockerfile in `template_lint.rs`. Not verified here:
//! the container build itself (no Docker engine), and the image tags, which are
//! pinned by tag only.

mod common;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Case, cases_where, newsvc_bin, render_case, tool};

/// The Rust snapshot cases.
fn rust_cases() -> Vec<Case> {
    let cases = cases_where(|c| c.language() == "rust");
    assert!(!cases.is_empty(), "template.yaml has no Rust case");
    cases
}

/// The first Rust case of `kind` (and `trigger` for workers).
fn rust_case(kind: &str, trigger: &str) -> Case {
    rust_cases()
        .into_iter()
        .find(|c| {
            c.kind() == kind
                && (kind == "web" || c.trigger() == trigger)
                && c.get("datastores").is_none()
        })
        .unwrap_or_else(|| panic!("no Rust {kind} {trigger} case in template.yaml"))
}

/// One target directory for every generated service: their dependencies
/// compile once, and stay cached from one test run to the next.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-services")
}

fn cargo(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_TERM_COLOR", "never");
    cmd
}

/// Runs `cmd` and fails the test with its output unless it succeeds.
fn run(mut cmd: Command) -> Output {
    let shown = format!("{cmd:?}");
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Renders `case` and builds its binary; returns the repository and the binary.
fn build(case: &Case) -> (PathBuf, PathBuf) {
    let repo = render_case(case);
    run(cargo(&repo, &["build", "--locked"]));
    let name = case.get("service_name").unwrap();
    (repo, target_dir().join("debug").join(name))
}

/// A TCP port nothing listens on (right now).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on localhost:`port`: the status code, or `None` when nothing answers.
fn http_get(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

/// Sends SIGTERM to `child` and returns its exit status, failing after `limit`.
fn terminate(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    run({
        let mut kill = Command::new("kill");
        kill.args(["-TERM", &child.id().to_string()]);
        kill
    });
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running {limit:?} after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills the process when dropped, so a failing test leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The JSON log lines in `text` (other lines are ignored).
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn count_events(lines: &[serde_json::Value], event: &str) -> usize {
    lines.iter().filter(|line| line["event"] == event).count()
}

#[test]
fn every_rust_case_is_formatted_lint_free_locked_and_passes_its_own_tests() {
    for case in rust_cases() {
        let (repo, _) = build(&case);
        run(cargo(&repo, &["fmt", "--check"]));
        run(cargo(
            &repo,
            &[
                "clippy",
                "--locked",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ));
        let tests = run(cargo(&repo, &["test", "--locked"]));
        let report = String::from_utf8_lossy(&tests.stdout);
        assert!(
            report.contains("test result: ok."),
            "{}: no test ran:\n{report}",
            case.name
        );
        assert!(
            !report.contains(" 0 passed"),
            "{}: no test ran:\n{report}",
            case.name
        );
    }
}

#[test]
fn the_web_service_serves_probes_and_stops_cleanly_on_sigterm() {
    let case = rust_case("web", "");
    let (repo, binary) = build(&case);
    let port = free_port();
    let child = Command::new(&binary)
        .current_dir(&repo)
        .env("PORT", port.to_string())
        .env("LOG_LEVEL", "INFO")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut service = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while http_get(port, "/health") != Some(200) {
        assert!(Instant::now() < deadline, "/health never answered 200");
        assert!(
            service.0.try_wait().unwrap().is_none(),
            "the service exited"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(http_get(port, "/ready"), Some(200));
    assert_eq!(http_get(port, "/nope"), Some(404));
    let probe = Command::new(&binary)
        .arg("healthcheck")
        .env("PORT", port.to_string())
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "healthcheck failed: {}",
        String::from_utf8_lossy(&probe.stderr)
    );

    let status = terminate(&mut service.0, Duration::from_secs(25));
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
    let mut stdout = String::new();
    service
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let lines = json_lines(&stdout);
    for event in ["service.started", "shutdown.started", "shutdown.completed"] {
        assert_eq!(count_events(&lines, event), 1, "{event} in:\n{stdout}");
    }
    let probe = Command::new(&binary)
        .arg("healthcheck")
        .env("PORT", port.to_string())
        .output()
        .unwrap();
    assert!(
        !probe.status.success(),
        "healthcheck passed with the service stopped"
    );
}

#[test]
fn the_cron_job_runs_once_and_logs_cron_completed() {
    let case = rust_case("worker", "cron");
    let (repo, binary) = build(&case);
    let output = Command::new(&binary)
        .arg("cron")
        .current_dir(&repo)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        count_events(&json_lines(&stdout), "cron.completed"),
        1,
        "{stdout}"
    );
    let usage = Command::new(&binary).arg("web").output().unwrap();
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a cron image must refuse other commands"
    );
}

/// Creates, fills and inspects SQS queues through boto3 (installed with moto).
const SQS_SCRIPT: &str = r#"
import json, sys
import boto3
endpoint, command = sys.argv[1], sys.argv[2]
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="local", aws_secret_access_key="local")
if command == "create":
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    for body in sys.argv[3:]:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    print(url)
else:
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    print(int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"]))
"#;

#[test]
fn the_queue_worker_deletes_what_it_handled_and_leaves_failures_on_the_queue() {
    let Some(moto_server) = tool("moto_server") else {
        return;
    };
    // boto3 comes with moto: use the Python of moto's virtualenv.
    let python = std::fs::canonicalize(&moto_server)
        .unwrap()
        .with_file_name("python");
    let case = rust_case("worker", "queue");
    let (repo, binary) = build(&case);

    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let _moto = Running(
        Command::new(&moto_server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let sqs = |args: &[&str]| {
        let mut cmd = Command::new(&python);
        cmd.args(["-c", SQS_SCRIPT, &endpoint]).args(args);
        String::from_utf8(run(cmd).stdout)
            .unwrap()
            .trim()
            .to_owned()
    };
    let queue_url = sqs(&["create", r#"{"order": 1}"#, "not json", r#"{"order": 2}"#]);

    let log_path = repo.join("worker.log");
    let child = Command::new(&binary)
        .arg("worker")
        .current_dir(&repo)
        .env("QUEUE_URL", &queue_url)
        .env("AWS_ENDPOINT_URL_SQS", &endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .stdout(File::create(&log_path).unwrap())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut worker = Running(child);
    // The failed message comes back after its 1 s visibility timeout and fails again.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let lines = json_lines(&std::fs::read_to_string(&log_path).unwrap());
        if count_events(&lines, "message.processed") == 2
            && count_events(&lines, "message.failed") >= 2
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not handle the messages:\n{lines:#?}"
        );
        assert!(
            worker.0.try_wait().unwrap().is_none(),
            "the worker exited:\n{lines:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Let it settle into an empty long poll, then stop it in the middle of it.
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let status = terminate(&mut worker.0, Duration::from_secs(25));
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "SIGTERM waited for the long poll"
    );
    let lines = json_lines(&std::fs::read_to_string(&log_path).unwrap());
    assert_eq!(count_events(&lines, "worker.stopped"), 1, "{lines:#?}");
    assert_eq!(
        sqs(&["count"]),
        "1",
        "only the failed message should be left on the queue"
    );
}

/// The header and the package entries of a Cargo.lock.
fn lock_entries(lock: &str) -> (&str, Vec<&str>) {
    let (header, body) = lock.split_once("\n\n").expect("a Cargo.lock header");
    (header, body.trim_end().split("\n\n").collect())
}

fn entry_name(entry: &str) -> &str {
    entry
        .lines()
        .find_map(|line| line.strip_prefix("name = \"")?.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no name in {entry}"))
}

/// Whether `name` is a valid service name (the manifest's `service_name` rule).
fn is_service_name(name: &str) -> bool {
    (3..=20).contains(&name.len())
        && !name.starts_with("internal")
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Turns a Cargo.lock whose own package is `root` into the template: the
/// entry is rendered for the service, and placed where Cargo sorts it
/// (packages are ordered by name; the service's version 0.1.0 sorts before a
/// crate of the same name, and such a name is refused anyway).
fn lock_template(lock: &str, root: &str) -> String {
    let (header, entries) = lock_entries(lock);
    let (own, others): (Vec<&str>, Vec<&str>) =
        entries.into_iter().partition(|e| entry_name(e) == root);
    assert_eq!(own.len(), 1, "no single entry named {root}");
    let own = own[0].replace(
        &format!("name = \"{root}\""),
        "name = \"{{ service_name }}\"",
    );
    let mut clashing: Vec<&str> = others
        .iter()
        .map(|e| entry_name(e))
        .filter(|n| is_service_name(n))
        .collect();
    clashing.dedup();
    let listed = clashing
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");

    let mut out = String::new();
    out.push_str(concat!(
        "{#- Cargo.lock for every kind of Rust service: the dependencies of all kinds are\n",
        "    listed (the kind-specific ones are optional, see Cargo.toml). The service's own\n",
        "    entry is placed where Cargo sorts it, so a build never rewrites this file.\n",
        "    Generated: cargo test --test template_rust -- --ignored regenerate_cargo_lock -#}\n",
    ));
    writeln!(out, "{{%- if service_name in [{listed}] -%}}").unwrap();
    out.push_str(concat!(
        "{{ throw(message=\"a Rust service cannot be named `\" ~ service_name ~ \"`: ",
        "Cargo.lock holds a crate of that name; choose another service name\") }}\n",
        "{%- endif -%}\n",
    ));
    write!(out, "{{%- set own -%}}\n{own}\n{{%- endset -%}}\n{header}").unwrap();
    let insert = |out: &mut String, condition: &str| {
        write!(
            out,
            "\n{{%- if {condition} %}}\n\n{{{{ own }}}}\n{{%- endif %}}"
        )
        .unwrap();
    };
    let mut previous: Option<&str> = None;
    for entry in &others {
        let name = entry_name(entry);
        match previous {
            None => insert(&mut out, &format!("service_name <= \"{name}\"")),
            Some(p) if p != name => {
                insert(
                    &mut out,
                    &format!("service_name > \"{p}\" and service_name <= \"{name}\""),
                );
            }
            Some(_) => {}
        }
        out.push_str("\n\n");
        out.push_str(entry);
        previous = Some(name);
    }
    insert(
        &mut out,
        &format!("service_name > \"{}\"", previous.expect("locked crates")),
    );
    out.push('\n');
    out
}

fn lock_template_path() -> PathBuf {
    common::default_template_dir().join("files/lang/rust/Cargo.lock")
}

/// A web case of the Rust template named `name`.
fn named_case(name: &str) -> Case {
    let answers = [
        ("service_name", name),
        ("owner", "payments"),
        ("language", "rust"),
        ("kind", "web"),
    ];
    Case {
        name: format!("rust-lock-{name}"),
        answers: answers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[test]
fn the_lock_file_is_written_as_cargo_writes_it_for_any_service_name() {
    // Before every locked crate, after the last, next to crates sharing a
    // prefix, and the longest name allowed.
    for name in [
        "aaa",
        "axum-gateway",
        "tokio-jobs",
        "serdes",
        "zzz-last",
        "abcdefghij-klmnopqrs",
    ] {
        let repo = render_case(&named_case(name));
        let rendered = std::fs::read_to_string(repo.join("Cargo.lock")).unwrap();
        run(cargo(&repo, &["update", "--workspace"]));
        let rewritten = std::fs::read_to_string(repo.join("Cargo.lock")).unwrap();
        assert!(
            rendered == rewritten,
            "cargo rewrites the Cargo.lock of `{name}`:\n{}",
            diff(&rendered, &rewritten)
        );
    }
}

fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .to_string()
}

#[test]
fn a_rust_service_named_like_a_locked_crate_is_refused() {
    let out = common::render_root().join(format!("rust-named-tokio-{}", std::process::id()));
    let output = Command::new(newsvc_bin())
        .args(["new", "--template"])
        .arg(common::default_template_dir())
        .args(["--defaults", "--no-git", "-o"])
        .arg(&out)
        .args([
            "--set",
            "service_name=tokio",
            "--set",
            "owner=payments",
            "--set",
            "language=rust",
        ])
        .env("XDG_CONFIG_HOME", common::render_root().join("no-config"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "rendered a Rust service named tokio"
    );
    assert!(
        stderr.contains("Cargo.lock holds a crate of that name"),
        "{stderr}"
    );
    assert!(!out.exists(), "a failed render left {}", out.display());
}

#[test]
fn the_lock_template_is_what_the_generator_makes_of_a_rendered_lock() {
    let case = named_case("lock-roundtrip");
    let repo = render_case(&case);
    let rendered = std::fs::read_to_string(repo.join("Cargo.lock")).unwrap();
    let committed = std::fs::read_to_string(lock_template_path()).unwrap();
    let regenerated = lock_template(&rendered, "lock-roundtrip");
    assert!(
        committed == regenerated,
        "the committed Cargo.lock template differs from its generator's output:\n{}",
        diff(&committed, &regenerated)
    );
}

/// Resolves the Rust template's dependencies afresh (crates.io) and rewrites
/// `templates/service/files/lang/rust/Cargo.lock`. Run it after changing the
/// template's Cargo.toml, then review the diff and run this file's tests.
#[test]
#[ignore = "rewrites the Cargo.lock template from crates.io; run it by hand"]
fn regenerate_cargo_lock() {
    let case = named_case("lock-regenerate");
    let repo = render_case(&case);
    std::fs::remove_file(repo.join("Cargo.lock")).unwrap();
    run(cargo(&repo, &["generate-lockfile"]));
    let lock = std::fs::read_to_string(repo.join("Cargo.lock")).unwrap();
    std::fs::write(
        lock_template_path(),
        lock_template(&lock, "lock-regenerate"),
    )
    .unwrap();
}
