//! The Python application of the default template, run for real: for one
//! Python snapshot case of each kind (web, queue worker, cron worker) and for
//! `python-web-all-datastores`, the rendered repository gets a fresh
//! virtualenv, installs its locked `requirements-dev.txt` from the package index (pip's
//! download cache is kept under `CARGO_TARGET_TMPDIR`), passes `ruff check`,
//! `ruff format --check` and its own pytest suite. Then:
//!
//! - the web service is started as its container starts it
//!   (`python -m <package>`) on a free port, answers `/health` and `/ready`,
//!   and exits 0 within 25 s of SIGTERM;
//! - the cron worker runs once as `python -m <package> cron`, exits 0 and
//!   prints a JSON line with `"event": "cron.completed"`; with a malformed
//!   setting it exits 2 instead;
//! - the longest allowed names (20-character service, long region, every
//!   datastore) still render to ruff-clean code for every kind.
//!
//! hadolint runs on every Dockerfile in `template_lint.rs`. Not verified here:
//! the container build itself (no Docker engine) and the datastore clients
//! against real servers (the generated tests use moto and closed ports).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{Case, cases_where, newsvc_bin, render_case, render_root};

/// A Python interpreter able to create virtualenvs: 3.12 (the image's
/// version) when it is installed, else the machine's `python3` (3.11+).
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        ["python3.12", "python3"]
            .into_iter()
            .map(PathBuf::from)
            .find(|candidate| {
                Command::new(candidate)
                    .args([
                        "-c",
                        "import sys, venv; sys.exit(sys.version_info < (3, 11))",
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .expect("no Python 3.11+ with the venv module on PATH")
    })
}

fn pip_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("pip-cache")
}

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Creates `<repo>/.venv` and installs the repo's development lock into it.
fn install(repo: &Path) -> PathBuf {
    let venv = repo.join(".venv");
    run(Command::new(python()).args(["-m", "venv"]).arg(&venv));
    let py = venv.join("bin/python");
    run(Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "requirements-dev.txt",
        ])
        .current_dir(repo)
        .env("PIP_CACHE_DIR", pip_cache()));
    py
}

/// Lints with the repo's own ruff configuration and runs its pytest suite;
/// returns pytest's output.
fn lint_and_test(repo: &Path, py: &Path) -> String {
    let ruff = py.with_file_name("ruff");
    run(Command::new(&ruff)
        .args(["check", "--no-cache", "."])
        .current_dir(repo));
    run(Command::new(&ruff)
        .args(["format", "--check", "--no-cache", "--diff", "."])
        .current_dir(repo));
    let output = run(Command::new(py)
        .args(["-m", "pytest", "-q", "-rp", "-p", "no:cacheprovider"])
        .current_dir(repo));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        text.contains(" passed") && !text.contains("skipped"),
        "pytest ran no tests or skipped some:\n{text}"
    );
    text
}

fn package(repo: &Path) -> String {
    let pyproject = std::fs::read_to_string(repo.join("pyproject.toml")).unwrap();
    let name = pyproject
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("pyproject.toml names the project");
    name.replace('-', "_")
}

fn first_case(filter: impl Fn(&Case) -> bool) -> Case {
    cases_where(|c| c.language() == "python" && filter(c))
        .into_iter()
        .next()
        .expect("template.yaml has a Python case of this kind")
}

fn python_files(repo: &Path) -> Vec<String> {
    common::files_under(repo)
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| Path::new(p).extension().is_some_and(|e| e == "py"))
        .collect()
}

/// The environment of the started processes: only what a container has.
fn service_command(py: &Path, repo: &Path) -> Command {
    let mut cmd = Command::new(py);
    cmd.current_dir(repo)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("ENVIRONMENT", "local");
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The status line of `GET path`, or `None` while nothing listens.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.lines().next().map(str::to_string)
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// Ends `child` if an assertion fails while it runs.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn web_service_passes_its_tests_serves_probes_and_exits_0_on_sigterm() {
    let case = first_case(|c| c.kind() == "web" && c.get("datastores").is_none_or(str::is_empty));
    let repo = render_case(&case);
    let files = python_files(&repo);
    let pkg = package(&repo);
    assert!(files.contains(&format!("{pkg}/web.py")), "{files:?}");
    for absent in ["worker.py", "cron.py", "datastores.py", "breakers.py"] {
        assert!(
            !files.contains(&format!("{pkg}/{absent}")),
            "{absent} rendered for a web service: {files:?}"
        );
    }

    let py = install(&repo);
    lint_and_test(&repo, &py);

    let port = free_port();
    let child = service_command(&py, &repo)
        .args(["-m", &pkg])
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Reaper(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let health = loop {
        if let Some(status) = get(port, "/health") {
            break status;
        }
        if let Some(status) = server.0.try_wait().unwrap() {
            let mut err = String::new();
            server
                .0
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the web service exited with {status} before answering /health:\n{err}");
        }
        assert!(
            Instant::now() < deadline,
            "no answer on /health within 20 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(health, "HTTP/1.1 200 OK");
    assert_eq!(get(port, "/ready").as_deref(), Some("HTTP/1.1 200 OK"));

    run(Command::new("kill").args(["-TERM", &server.0.id().to_string()]));
    let status = wait_for_exit(&mut server.0, Duration::from_secs(25))
        .expect("still running 25 s after SIGTERM");
    let mut out = String::new();
    server
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}\n{out}"
    );
    assert!(
        get(port, "/health").is_none(),
        "port {port} still answers after exit"
    );

    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"))
        })
        .collect();
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(
        names.contains(&"http.draining") && names.contains(&"http.stopped"),
        "{names:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["service"] == case.get("service_name").unwrap()),
        "{out}"
    );
}

#[test]
fn queue_worker_passes_its_tests() {
    let case = first_case(|c| c.kind() == "worker" && c.trigger() == "queue");
    let repo = render_case(&case);
    let files = python_files(&repo);
    let pkg = package(&repo);
    for present in ["worker.py", "breakers.py"] {
        assert!(files.contains(&format!("{pkg}/{present}")), "{files:?}");
    }
    for absent in ["web.py", "cron.py"] {
        assert!(!files.contains(&format!("{pkg}/{absent}")), "{files:?}");
    }
    let requirements = std::fs::read_to_string(repo.join("requirements.txt")).unwrap();
    assert!(
        requirements.contains("boto3==") && !requirements.contains("fastapi=="),
        "{requirements}"
    );

    let py = install(&repo);
    lint_and_test(&repo, &py);
}

#[test]
fn cron_worker_passes_its_tests_and_runs_once() {
    let case = first_case(|c| c.kind() == "worker" && c.trigger() == "cron");
    let repo = render_case(&case);
    let files = python_files(&repo);
    let pkg = package(&repo);
    assert!(files.contains(&format!("{pkg}/cron.py")), "{files:?}");
    for absent in ["web.py", "worker.py", "breakers.py"] {
        assert!(!files.contains(&format!("{pkg}/{absent}")), "{files:?}");
    }

    let py = install(&repo);
    lint_and_test(&repo, &py);

    let output = service_command(&py, &repo)
        .args(["-m", &pkg, "cron"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let completed: Vec<serde_json::Value> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "cron.completed")
        .collect();
    assert_eq!(
        completed.len(),
        1,
        "one cron.completed line expected:\n{out}"
    );

    let failed = service_command(&py, &repo)
        .args(["-m", &pkg, "cron"])
        .env("ENVIRONMENT", "qa")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&failed.stdout);
    assert_eq!(failed.status.code(), Some(2), "{out}");
    assert!(
        out.contains("settings.invalid") && !out.contains("cron.completed"),
        "{out}"
    );
}

#[test]
fn web_service_with_every_datastore_passes_its_tests() {
    let case = cases_where(|c| c.name == "python-web-all-datastores")
        .pop()
        .expect("the case exists");
    let repo = render_case(&case);
    let requirements = std::fs::read_to_string(repo.join("requirements.txt")).unwrap();
    for pin in [
        "psycopg==",
        "psycopg-binary==",
        "pymysql==",
        "redis==",
        "pymemcache==",
        "boto3==",
        "pybreaker==",
    ] {
        assert!(
            requirements.contains(pin),
            "{pin} missing from requirements.txt:\n{requirements}"
        );
    }
    let py = install(&repo);
    let pytest = lint_and_test(&repo, &py);
    // Each datastore's breaker test ran: four client libraries, one parameter each.
    for store in ["postgres", "mysql", "redis", "memcached"] {
        assert!(pytest.contains(&format!("PASSED tests/test_datastores.py::test_the_breaker_opens_while_a_datastore_is_down[{store}")), "{pytest}");
    }
}

/// Every lock line is an exact pin, sorted and unique, and the dev lock
/// repeats nothing from the runtime lock (pip refuses conflicting doubles).
#[test]
fn requirement_locks_are_exact_sorted_pins() {
    for case in cases_where(|c| c.language() == "python") {
        let repo = render_case(&case);
        let runtime = std::fs::read_to_string(repo.join("requirements.txt")).unwrap();
        let dev = std::fs::read_to_string(repo.join("requirements-dev.txt")).unwrap();
        assert!(
            dev.lines().any(|l| l == "-r requirements.txt"),
            "{}: {dev}",
            case.name
        );
        let pins = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.starts_with("-r") && !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        let (runtime, dev) = (pins(&runtime), pins(&dev));
        for list in [&runtime, &dev] {
            let names: Vec<&str> = list.iter().map(|l| l.split("==").next().unwrap()).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(names, sorted, "{}: not sorted or not unique", case.name);
            for line in list {
                let (name, version) = line
                    .split_once("==")
                    .unwrap_or_else(|| panic!("{}: `{line}` is not an exact pin", case.name));
                assert!(
                    !name.is_empty()
                        && version
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '.'),
                    "{}: `{line}`",
                    case.name
                );
            }
        }
        for line in &dev {
            let name = line.split("==").next().unwrap();
            assert!(
                !runtime.iter().any(|r| r.split("==").next() == Some(name)),
                "{}: {name} is in both locks",
                case.name
            );
        }
    }
}

/// Renders our own answers with the longest names the validators allow: line
/// lengths must still suit ruff for every kind.
#[test]
fn longest_names_still_render_ruff_clean_code() {
    let ruff_venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-ruff");
    let case = first_case(|c| c.kind() == "web");
    let version = std::fs::read_to_string(render_case(&case).join("requirements-dev.txt"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("ruff==").map(str::to_string))
        .expect("requirements-dev.txt pins ruff");
    let ruff = ruff_venv.join("bin/ruff");
    let installed = Command::new(&ruff)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&version));
    if !installed {
        run(Command::new(python())
            .args(["-m", "venv", "--clear"])
            .arg(&ruff_venv));
        run(Command::new(ruff_venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("ruff=={version}"),
            ])
            .env("PIP_CACHE_DIR", pip_cache()));
    }

    let shapes: [&[&str]; 3] = [
        &["kind=web", "exposure=external"],
        &["kind=worker", "trigger=queue"],
        &["kind=worker", "trigger=cron"],
    ];
    for (i, shape) in shapes.iter().enumerate() {
        let out = render_root().join(format!("python-longest-{i}-{}", std::process::id()));
        let mut cmd = Command::new(newsvc_bin());
        cmd.args(["new", "--template"])
            .arg(common::default_template_dir())
            .args(["--defaults", "--no-git", "-o"])
            .arg(&out)
            .env("XDG_CONFIG_HOME", render_root().join("no-config"));
        for answer in [
            "service_name=abcdefghij-klmnopqrs",
            "owner=payments",
            "language=python",
            "aws_region=ap-southeast-2",
            "container_port=65535",
            "datastores=postgres,mysql,redis,memcached,dynamodb",
        ]
        .iter()
        .chain(shape.iter())
        {
            cmd.arg("--set").arg(answer);
        }
        run(&mut cmd);
        run(Command::new(&ruff)
            .args(["check", "--no-cache", "."])
            .current_dir(&out));
        run(Command::new(&ruff)
            .args(["format", "--check", "--no-cache", "--diff", "."])
            .current_dir(&out));
    }
}
