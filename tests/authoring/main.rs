//! Acceptance tests of template authoring (issue 5) through the real binary:
//! regression snapshots (`snapshot check|update`, and the committed
//! snapshots of the default template), git template sources (`URL@REF`,
//! cache, `--offline`), the template linter (`templates validate`) and hooks.
//!
//! Every test runs in its own temporary world: `HOME`, `XDG_CONFIG_HOME` and
//! `XDG_CACHE_HOME` point into a temp folder, `NO_COLOR=1`, stdin is closed,
//! so no run can read the developer's config or git cache, or hang.

#[path = "../common/bin.rs"]
mod bin;
mod default_snapshots;
mod git_source;
mod hooks;
mod lint;
mod snapshot;

use bin::newsvc_bin;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

/// A temporary world for `newsvc` runs.
pub(crate) struct World {
    root: TempDir,
}

impl World {
    pub(crate) fn new() -> World {
        let root = tempfile::tempdir().expect("temp dir");
        for d in ["home", "config", "cache", "work"] {
            std::fs::create_dir_all(root.path().join(d)).unwrap();
        }
        World { root }
    }

    /// A path inside the world.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// The git cache folder newsvc uses in this world.
    pub(crate) fn git_cache(&self) -> PathBuf {
        self.path("cache/newsvc/git")
    }

    /// `newsvc ARGS` in the world's `work/` folder.
    pub(crate) fn newsvc(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.newsvc_process(args));
        cmd.timeout(Duration::from_secs(120)).write_stdin("");
        cmd
    }

    /// The same command, to spawn and signal while it runs.
    pub(crate) fn newsvc_process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(newsvc_bin());
        cmd.args(args)
            .current_dir(self.path("work"))
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("NO_COLOR", "1")
            .env_remove("NEWSVC_TEMPLATE")
            .env_remove("CLICOLOR_FORCE")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        cmd
    }

    /// Writes `text` to `rel`, creating folders.
    pub(crate) fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes a template set at `rel`: its manifest and `files/`.
    pub(crate) fn template(&self, rel: &str, manifest: &str, files: &[(&str, &str)]) -> PathBuf {
        self.write(&format!("{rel}/template.yaml"), manifest);
        for (path, text) in files {
            self.write(&format!("{rel}/files/{path}"), text);
        }
        self.path(rel)
    }
}

/// The output of a finished run, as text.
pub(crate) struct Ran {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `cmd` and returns its exit code and output, whatever the code.
pub(crate) fn run(mut cmd: impl std::borrow::BorrowMut<assert_cmd::Command>) -> Ran {
    let out = cmd.borrow_mut().output().expect("run newsvc");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Ran {
    /// Asserts the exit code, showing both streams when it differs.
    pub(crate) fn expect(self, code: i32) -> Ran {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs git in `dir` with a fixed identity and no user or system config;
/// returns its trimmed stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether the file at `path` has an executable bit set.
#[cfg(unix)]
pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o111 != 0
}

/// Sets or clears the executable bits of `path`.
#[cfg(unix)]
pub(crate) fn set_executable(path: &Path, on: bool) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        path,
        std::fs::Permissions::from_mode(if on { 0o755 } else { 0o644 }),
    )
    .unwrap();
}

/// Every file under `dir`, relative and sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}
