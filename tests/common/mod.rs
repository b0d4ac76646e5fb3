//! Shared helpers for the template-matrix tests: the snapshot cases of the
//! default template, each rendered once per test run through the real binary.
#![allow(dead_code, unreachable_pub)]

mod bin;

pub use bin::newsvc_bin;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The default template set in this repository.
pub fn default_template_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/service")
}

/// One snapshot case of the default template: its name and answers.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub answers: Vec<(String, String)>,
}

impl Case {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.answers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn language(&self) -> &str {
        self.get("language").unwrap_or("python")
    }
    pub fn kind(&self) -> &str {
        self.get("kind").unwrap_or("web")
    }
    pub fn trigger(&self) -> &str {
        self.get("trigger").unwrap_or("queue")
    }
}

/// Every case declared in `templates/service/template.yaml`, in order.
pub fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(default_template_dir().join("template.yaml")).unwrap();
    let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    doc["cases"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|case| {
            let answers = case["answers"]
                .as_mapping()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let value = match v {
                        serde_norway::Value::Sequence(items) => items
                            .iter()
                            .map(|i| i.as_str().unwrap().to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                        serde_norway::Value::String(s) => s.clone(),
                        serde_norway::Value::Number(n) => n.to_string(),
                        serde_norway::Value::Bool(b) => b.to_string(),
                        other => panic!("unexpected answer {other:?}"),
                    };
                    (k.as_str().unwrap().to_string(), value)
                })
                .collect();
            Case {
                name: case["name"].as_str().unwrap().to_string(),
                answers,
            }
        })
        .collect()
}

/// Cases whose answers satisfy `filter`.
pub fn cases_where(filter: impl Fn(&Case) -> bool) -> Vec<Case> {
    cases().into_iter().filter(|c| filter(c)).collect()
}

/// Where rendered cases are kept for the duration of one test run.
pub fn render_root() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("matrix");
    std::fs::create_dir_all(&root).unwrap();
    root
}

/// Renders `case` (once per process) with the real binary and returns the repo folder.
pub fn render_case(case: &Case) -> PathBuf {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    let _guard = LOCK
        .get_or_init(|| Mutex::new(()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = render_root().join(format!("{}-{}", case.name, std::process::id()));
    if out.exists() {
        return out;
    }
    let mut cmd = Command::new(newsvc_bin());
    cmd.arg("new")
        .arg("--template")
        .arg(default_template_dir())
        .arg("--defaults")
        .arg("--no-git")
        .arg("-o")
        .arg(&out)
        .env("XDG_CONFIG_HOME", render_root().join("no-config"))
        .env("NO_COLOR", "1");
    for (k, v) in &case.answers {
        cmd.arg("--set").arg(format!("{k}={v}"));
    }
    let output = cmd.output().expect("run newsvc");
    assert!(
        output.status.success(),
        "rendering case {} failed:\n{}",
        case.name,
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Finds an external tool on PATH. When `NEWSVC_REQUIRE_TOOLS=1` (set by
/// tests/run.sh) a missing tool fails the test; otherwise the test is skipped
/// with a message, so `cargo test` still works on a machine without them.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("NEWSVC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "`{name}` is not installed; tests/run.sh installs it"
        );
        eprintln!("skipping: `{name}` not on PATH (run tests/run.sh to install it)");
    }
    found
}

/// Every file under `dir` (relative paths, sorted), skipping build output.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| {
            let n = e.file_name().to_string_lossy();
            !(n == "target" || n == ".venv" || n == "node_modules" || n == ".git")
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}
