//! The interactive path of `newsvc new`, driven through a pseudo-terminal
//! (expectrl): every kind of prompt answered by typing, bad answers refused
//! with their reason and asked again, the summary confirmed or declined.

#![cfg(unix)]

#[path = "common/bin.rs"]
mod bin;
use bin::newsvc_bin;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::{Signal, WaitStatus};
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use tempfile::TempDir;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

/// A `newsvc` process on a pseudo-terminal, with a transcript of what it drew.
struct Pty {
    session: OsSession,
    transcript: String,
}

impl Pty {
    fn spawn(world: &World, args: &[&str]) -> Pty {
        let mut cmd = Command::new(newsvc_bin());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("GIT_") || key.starts_with("NEWSVC_") || key.starts_with("XDG_") {
                cmd.env_remove(&*key);
            }
        }
        cmd.current_dir(world.cwd())
            .env("HOME", world.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", world.dir.path().join("config"))
            .env("XDG_CACHE_HOME", world.dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .env("TERM", "xterm")
            .args(args);
        let mut session = Session::spawn(cmd).expect("spawn newsvc on a pty");
        session.get_process_mut().set_window_size(120, 40).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Pty {
            session,
            transcript: String::new(),
        }
    }

    /// Waits until `text` is drawn.
    fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => {
                self.transcript
                    .push_str(&String::from_utf8_lossy(found.as_bytes()));
            }
            Err(e) => panic!(
                "waiting for {text:?}: {e}\ntranscript so far:\n{}",
                self.transcript
            ),
        }
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).unwrap();
    }

    /// Reads to the end and returns the exit code.
    fn finish(&mut self) -> i32 {
        match self.session.expect(Eof) {
            Ok(found) => self
                .transcript
                .push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => panic!("waiting for the end: {e}\ntranscript:\n{}", self.transcript),
        }
        match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!(
                "newsvc did not exit normally: {other:?}\ntranscript:\n{}",
                self.transcript
            ),
        }
    }
}

/// A temporary `HOME`, config, cache and working folder.
struct World {
    dir: TempDir,
}

impl World {
    fn new() -> World {
        let dir = tempfile::Builder::new()
            .prefix("newsvc-pty-")
            .tempdir()
            .unwrap();
        for d in ["home", "config", "cache", "work"] {
            fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        fs::write(
            dir.path().join("home/.gitconfig"),
            "[user]\n\tname = Ada Tester\n\temail = ada@example.com\n",
        )
        .unwrap();
        World { dir }
    }

    fn cwd(&self) -> PathBuf {
        self.dir.path().join("work")
    }
}

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/new/basic")
        .to_string_lossy()
        .into_owned()
}

/// Answers the prompts of the `basic` fixture up to the summary, with a bad
/// service name and an out-of-range port on the way.
fn answer_everything(pty: &mut Pty) {
    pty.expect("Service name");
    pty.send("Billing");
    pty.send(ENTER);
    pty.expect("`Billing` has uppercase letters");
    pty.expect("Service name");
    pty.send("internal-x");
    pty.send(ENTER);
    pty.expect("starts with `internal`");
    pty.expect("Service name");
    pty.send("abc-svc");
    pty.send(ENTER);

    pty.expect("Flavour");
    pty.send(DOWN); // plain → fancy
    pty.send(ENTER);

    pty.expect("Include docs");
    pty.send("y");

    pty.expect("Docs title");
    pty.send(ENTER); // keep the default rendered from the service name

    pty.expect("Extras");
    pty.send(" "); // toggle the first choice (metrics)
    pty.send(ENTER);

    pty.expect("Port");
    pty.send("80");
    pty.send(ENTER);
    pty.expect("is below the minimum 1024");
    pty.expect("Port");
    pty.send("9000");
    pty.send(ENTER);
}

#[test]
fn answers_typed_at_the_prompts_produce_the_repo() {
    let world = World::new();
    let mut pty = Pty::spawn(&world, &["new", "--template", &fixture()]);
    answer_everything(&mut pty);

    // The summary shows every answer, then asks to confirm.
    pty.expect("New repository from fixture@0.3.1");
    pty.expect("abc-svc");
    pty.expect("fancy");
    pty.expect("Docs for abc-svc");
    pty.expect("metrics");
    pty.expect("9000");
    pty.expect("Generate with these answers?");
    pty.send("y");
    pty.expect("created abc-svc");
    let code = pty.finish();
    assert_eq!(code, 0, "transcript:\n{}", pty.transcript);

    let dir = world.cwd().join("abc-svc");
    let record = fs::read_to_string(dir.join(".newsvc.yml")).unwrap();
    for line in [
        "service_name: abc-svc",
        "flavour: fancy",
        "with_docs: true",
        "docs_title: Docs for abc-svc",
        "- metrics",
        "port: 9000",
    ] {
        assert!(
            record.lines().any(|l| l.trim() == line),
            "`{line}` not recorded:\n{record}"
        );
    }
    assert_eq!(
        fs::read_to_string(dir.join("style.txt")).unwrap(),
        "fancy AbcSvc\n"
    );
    assert!(dir.join("docs/index.md").is_file());
    assert!(dir.join("metrics.yml").is_file());
    let repo = git2::Repository::open(&dir).unwrap();
    let message = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .message()
        .unwrap()
        .to_string();
    assert!(
        message.contains("Newsvc-Template: fixture@0.3.1"),
        "{message}"
    );
}

#[test]
fn given_answers_are_not_asked_again() {
    let world = World::new();
    let mut pty = Pty::spawn(
        &world,
        &[
            "new",
            "abc-svc",
            "--template",
            &fixture(),
            "--set",
            "flavour=plain",
            "--set",
            "with_docs=false",
            "--set",
            "extras=",
            "--no-git",
        ],
    );
    // Only the port is left to ask.
    pty.expect("Port");
    pty.send(ENTER);
    pty.expect("Generate with these answers?");
    pty.send("y");
    let code = pty.finish();
    assert_eq!(code, 0, "transcript:\n{}", pty.transcript);
    for asked in ["Service name", "Flavour", "Include docs", "Extras"] {
        assert!(
            !pty.transcript.contains(asked),
            "`{asked}` was given and must not be prompted:\n{}",
            pty.transcript
        );
    }
    assert!(
        fs::read_to_string(world.cwd().join("abc-svc/.newsvc.yml"))
            .unwrap()
            .contains("port: 8080")
    );
}

#[test]
fn declining_the_summary_writes_nothing() {
    let world = World::new();
    let mut pty = Pty::spawn(&world, &["new", "--template", &fixture()]);
    answer_everything(&mut pty);
    pty.expect("Generate with these answers?");
    pty.send("n");
    pty.expect("cancelled; nothing was written");
    let code = pty.finish();
    assert_eq!(code, 2, "transcript:\n{}", pty.transcript);
    assert_eq!(
        fs::read_dir(world.cwd()).unwrap().count(),
        0,
        "something was written after declining"
    );
}

#[test]
fn ctrl_c_at_a_prompt_writes_nothing() {
    let world = World::new();
    let mut pty = Pty::spawn(&world, &["new", "--template", &fixture()]);
    pty.expect("Service name");
    pty.send("abc-svc");
    pty.send(ENTER);
    pty.expect("Flavour");
    pty.expect("fancy");
    std::thread::sleep(Duration::from_millis(200));
    pty.send("\x03");
    assert_interrupted(&mut pty, &world);
}

#[test]
fn sigint_at_a_prompt_writes_nothing() {
    let world = World::new();
    let mut pty = Pty::spawn(&world, &["new", "--template", &fixture()]);
    pty.expect("Service name");
    pty.send("abc-svc");
    pty.send(ENTER);
    pty.expect("Flavour");
    pty.expect("fancy");
    pty.session
        .get_process_mut()
        .signal(Signal::SIGINT)
        .unwrap();
    assert_interrupted(&mut pty, &world);
}

/// After Ctrl-C or SIGINT at a prompt: either the prompt's read fails (exit
/// 2, "cancelled") or the signal handler wins (exit 130, "interrupted");
/// either way nothing is written and the cursor the prompt hid is shown.
fn assert_interrupted(pty: &mut Pty, world: &World) {
    let code = pty.finish();
    assert!(
        (code == 2 && pty.transcript.contains("cancelled; nothing was written"))
            || (code == 130 && pty.transcript.contains("interrupted; nothing was written")),
        "exit {code}, transcript:\n{}",
        pty.transcript
    );
    let hidden = pty
        .transcript
        .rfind("\x1b[?25l")
        .expect("the select prompt hides the cursor");
    assert!(
        pty.transcript[hidden..].contains("\x1b[?25h"),
        "the cursor is left hidden:\n{:?}",
        pty.transcript
    );
    assert_eq!(
        fs::read_dir(world.cwd()).unwrap().count(),
        0,
        "something was written after the interrupt"
    );
}

#[test]
fn defaults_flag_never_prompts_even_on_a_terminal() {
    let world = World::new();
    let mut pty = Pty::spawn(
        &world,
        &[
            "new",
            "abc-svc",
            "--template",
            &fixture(),
            "--defaults",
            "--no-git",
        ],
    );
    pty.expect("created abc-svc");
    let code = pty.finish();
    assert_eq!(code, 0, "transcript:\n{}", pty.transcript);
    assert!(
        !pty.transcript.contains("Generate with these answers?"),
        "{}",
        pty.transcript
    );
}
