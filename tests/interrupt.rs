//! Ctrl-C (SIGINT) during `newsvc new` without prompts, through the real
//! binary: whenever it comes, nothing is left behind.
//!
//! Without git, the run defers Ctrl-C once its staging folder exists and
//! stops at the check made before the folder is moved into place; before
//! any hook, it goes back to stopping at once (the handler thread). To land
//! a signal inside the few milliseconds the staging folder exists, one test
//! slows a system call down with `strace`'s fault injection (installed by
//! tests/run.sh).

#![cfg(unix)]

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::newsvc_bin;
use tempfile::TempDir;

/// A temporary world: a `HOME` and config folders of its own, and an empty
/// working folder the command runs in.
struct World {
    root: TempDir,
}

impl World {
    fn new() -> World {
        let root = tempfile::Builder::new()
            .prefix("newsvc-interrupt-")
            .tempdir()
            .unwrap();
        for dir in ["home", "config", "cache", "work"] {
            fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        World { root }
    }

    fn cwd(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// `program args...` in the working folder, in this world's
    /// environment, with stdin closed and stderr captured.
    fn spawn(&self, program: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Child {
        Command::new(program)
            .args(args)
            .current_dir(self.cwd())
            .env("HOME", self.root.path().join("home"))
            .env("XDG_CONFIG_HOME", self.root.path().join("config"))
            .env("XDG_CACHE_HOME", self.root.path().join("cache"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The process id in the name of the staging folder in the working
    /// folder, once there is one (within `within`).
    fn staging_pid(&self, within: Duration) -> u32 {
        let start = Instant::now();
        loop {
            let found = fs::read_dir(self.cwd()).unwrap().find_map(|entry| {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                name.strip_prefix(".newsvc-staging-")
                    .and_then(|pid| pid.parse().ok())
            });
            if let Some(pid) = found {
                return pid;
            }
            assert!(start.elapsed() < within, "no staging folder appeared");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The `basic` fixture with one hook, `run`, in this world.
    fn template_with_hook(&self, run: &str) -> PathBuf {
        let template = self.root.path().join("template");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/new/basic"),
            &template,
        );
        let manifest = template.join("template.yaml");
        let mut text = fs::read_to_string(&manifest).unwrap();
        writeln!(text, "\nhooks:\n  - run: {run:?}").unwrap();
        fs::write(&manifest, text).unwrap();
        template
    }

    /// What the working folder holds.
    fn entries(&self) -> Vec<String> {
        fs::read_dir(self.cwd())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -INT {pid} failed");
}

/// Waits for `child` (at most `within`), returning its status and stderr.
fn finish(mut child: Child, within: Duration) -> (ExitStatus, String) {
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > within {
            let _ = child.kill();
            panic!("still running after {within:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status, stderr)
}

#[test]
fn ctrl_c_while_the_files_are_written_without_git_leaves_nothing() {
    let Some(strace) = common::tool("strace") else {
        return;
    };
    let world = World::new();
    // The default template's one executable file, `run.sh`, is made
    // executable while the staging folder exists: that call takes 2 s.
    let child = world.spawn(
        &strace,
        &with_first_chmod_slowed(&[
            "new",
            "billing-api",
            "--defaults",
            "--set",
            "owner=payments",
            "--no-git",
        ]),
    );
    let pid = world.staging_pid(Duration::from_secs(20));
    interrupt(pid);
    let (status, stderr) = finish(child, Duration::from_secs(30));
    assert_interrupted_cleanly(&world, status, &stderr);
}

#[test]
fn ctrl_c_during_a_hook_stops_at_once_and_leaves_nothing() {
    let world = World::new();
    // The hook says where it is, then takes far longer than the test waits.
    let template = world.template_with_hook("echo $$ > hook.pid && exec sleep 60");
    let child = world.spawn(&newsvc_bin(), &new_with_hook(&template));
    let pid = world.staging_pid(Duration::from_secs(20));
    let hook_pid = world.cwd().join(format!(".newsvc-staging-{pid}/hook.pid"));
    let start = Instant::now();
    let hook = loop {
        if let Some(hook) = fs::read_to_string(&hook_pid)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
        {
            break hook;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the hook never ran"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    interrupt(pid);
    // Not after the hook's 60 s: at once.
    let (status, stderr) = finish(child, Duration::from_secs(20));
    let _ = Command::new("kill").arg(hook.to_string()).status();
    assert_interrupted_cleanly(&world, status, &stderr);
}

#[test]
fn ctrl_c_before_a_hook_runs_stops_the_run_before_the_hook() {
    let Some(strace) = common::tool("strace") else {
        return;
    };
    let world = World::new();
    // Were it run, the hook would leave a file in the working folder.
    let template = world.template_with_hook("touch ../hook-ran");
    let child = world.spawn(&strace, &with_first_chmod_slowed(&new_with_hook(&template)));
    let pid = world.staging_pid(Duration::from_secs(20));
    interrupt(pid);
    let (status, stderr) = finish(child, Duration::from_secs(30));
    assert!(!stderr.contains("running hook"), "stderr:\n{stderr}");
    assert_interrupted_cleanly(&world, status, &stderr);
}

/// The arguments of a `newsvc new` that runs the hook of `template`
/// (trusted), without git or prompts.
fn new_with_hook(template: &Path) -> [&str; 7] {
    [
        "new",
        "abc-svc",
        "--template",
        template.to_str().unwrap(),
        "--defaults",
        "--trust",
        "--no-git",
    ]
}

/// The arguments for `strace` to run `newsvc args...` with its first
/// `chmod` (an executable file made executable, in the staging folder)
/// taking 2 s.
fn with_first_chmod_slowed(args: &[&str]) -> Vec<String> {
    let newsvc = newsvc_bin();
    [
        "-f",
        "-qq",
        "-o",
        "/dev/null",
        "-e",
        "trace=chmod,fchmod,fchmodat",
        "-e",
        "inject=chmod,fchmod,fchmodat:delay_exit=2000000:when=1",
        newsvc.to_str().unwrap(),
    ]
    .into_iter()
    .chain(args.iter().copied())
    .map(str::to_string)
    .collect()
}

#[test]
fn ctrl_c_while_the_answers_are_read_ends_the_run_with_nothing_written() {
    let world = World::new();
    let fifo = world.root.path().join("answers.yml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // Reading the answers waits for a writer that never comes.
    let child = world.spawn(
        &newsvc_bin(),
        &[
            "new",
            "billing-api",
            "--defaults",
            "--set",
            "owner=payments",
            "--answers",
            fifo.to_str().unwrap(),
            "--no-git",
        ],
    );
    // Time to reach the read; a signal that comes earlier ends it the same.
    std::thread::sleep(Duration::from_millis(300));
    interrupt(child.id());
    let (status, stderr) = finish(child, Duration::from_secs(20));
    // No staging folder yet, so no handler: SIGINT's default action.
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(2),
        "not ended by SIGINT: {status}; stderr:\n{stderr}"
    );
    assert!(
        world.entries().is_empty(),
        "left behind: {:?}",
        world.entries()
    );
}

/// The run said it was interrupted, exited 130, and left nothing: no
/// target, no staging folder.
fn assert_interrupted_cleanly(world: &World, status: ExitStatus, stderr: &str) {
    assert_eq!(status.code(), Some(130), "stderr:\n{stderr}");
    assert!(
        stderr.contains("interrupted; nothing was written"),
        "stderr:\n{stderr}"
    );
    assert!(
        world.entries().is_empty(),
        "left behind: {:?}",
        world.entries()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
