//! Acceptance tests of `newsvc new` (issue 2) through the real binary.
//!
//! Every run gets its own temporary world: `HOME` (with a `.gitconfig`
//! holding a known identity, or none), `XDG_CONFIG_HOME`, `XDG_CACHE_HOME`
//! and a working folder, `NO_COLOR=1`, stdin closed and a timeout, so a run
//! can neither read the developer's config nor hang. Failing runs must exit
//! 2, say what is wrong, and leave the working folder exactly as it was.

#[path = "common/bin.rs"]
mod bin;
use bin::newsvc_bin;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;

const AUTHOR_NAME: &str = "Ada Tester";
const AUTHOR_EMAIL: &str = "ada@example.com";

// --- the builder -------------------------------------------------------------

/// One invocation of `newsvc` in a temporary world.
struct Test {
    root: TempDir,
    args: Vec<OsString>,
    env: Vec<(String, OsString)>,
}

/// The outcome of a run.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Test {
    fn new() -> Test {
        let root = tempfile::Builder::new()
            .prefix("newsvc-cli-")
            .tempdir()
            .unwrap();
        for dir in ["home", "config", "cache", "work/here"] {
            fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        fs::write(
            root.path().join("home/.gitconfig"),
            format!("[user]\n\tname = {AUTHOR_NAME}\n\temail = {AUTHOR_EMAIL}\n"),
        )
        .unwrap();
        Test {
            root,
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Adds arguments (after `newsvc`).
    fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// `--template <fixture>` from `tests/fixtures/new/`.
    fn fixture(self, name: &str) -> Test {
        let dir = fixture_dir(name);
        self.args([OsString::from("--template"), dir.into_os_string()])
    }

    fn env(mut self, key: &str, value: impl Into<OsString>) -> Test {
        self.env.push((key.to_string(), value.into()));
        self
    }

    /// Writes the user config (`$XDG_CONFIG_HOME/newsvc/config.yaml`).
    fn config(self, yaml: &str) -> Test {
        let dir = self.root.path().join("config/newsvc");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("config.yaml"), yaml).unwrap();
        self
    }

    /// Writes a file relative to the working folder.
    fn file(self, path: &str, content: &str) -> Test {
        let full = self.cwd().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, content).unwrap();
        self
    }

    /// Appends to `$HOME/.gitconfig`.
    fn gitconfig(self, text: &str) -> Test {
        let path = self.root.path().join("home/.gitconfig");
        let mut config = fs::read_to_string(&path).unwrap_or_default();
        config.push_str(text);
        fs::write(path, config).unwrap();
        self
    }

    /// A `HOME` without any git identity.
    fn without_git_identity(self) -> Test {
        fs::remove_file(self.root.path().join("home/.gitconfig")).unwrap();
        self
    }

    /// The folder the command runs in.
    fn cwd(&self) -> PathBuf {
        self.root.path().join("work/here")
    }

    /// The world around the working folder (so `../x` targets stay observable).
    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.cwd().join(relative)
    }

    fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// The command, with the temporary world's environment and nothing
    /// inherited that could change newsvc's or git's behaviour.
    fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(newsvc_bin());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("GIT_") || key.starts_with("NEWSVC_") || key.starts_with("XDG_") {
                cmd.env_remove(&*key);
            }
        }
        cmd.current_dir(self.cwd())
            .env("HOME", self.root.path().join("home"))
            .env("XDG_CONFIG_HOME", self.root.path().join("config"))
            .env("XDG_CACHE_HOME", self.root.path().join("cache"))
            .env("NO_COLOR", "1")
            .env("RUST_BACKTRACE", "1")
            .args(&self.args)
            .stdin(Stdio::null());
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        cmd
    }

    fn run(&self) -> Run {
        let cmd = self.command();
        let output = assert_cmd::Command::from_std(cmd)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs, expecting success.
    fn succeeds(&self) -> Run {
        self.run().code(0)
    }

    /// Runs, expecting exit 2 with every `needle` in stderr, no panic, and
    /// the working world exactly as it was before.
    fn fails(&self, needles: &[&str]) -> Run {
        let before = snapshot(&self.work());
        let run = self.run().code(2);
        for needle in needles {
            run.assert_stderr(needle);
        }
        assert!(
            !run.stderr.contains("panicked") && !run.stderr.contains("stack backtrace"),
            "a user error must not panic:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.starts_with("error: "),
            "errors start with `error: `:\n{}",
            run.stderr
        );
        assert_eq!(
            snapshot(&self.work()),
            before,
            "a failed run changed the working folder\nstderr:\n{}",
            run.stderr
        );
        run
    }
}

impl Run {
    fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code (None = killed by the timeout)\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn assert_stderr(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    fn assert_stdout(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }
}

// --- helpers -----------------------------------------------------------------

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/new")
        .join(name)
}

/// Every file and folder under `dir` (`.git` included): path → (bytes, mode).
/// Folders map to `None` contents, so empty folders count too.
fn snapshot(dir: &Path) -> BTreeMap<String, (Option<Vec<u8>>, u32)> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = entry.path().symlink_metadata().unwrap();
        let bytes = meta.is_file().then(|| fs::read(entry.path()).unwrap());
        out.insert(rel, (bytes, mode(&meta)));
    }
    out
}

/// The files of a generated repository, without `.git`: path → (bytes, executable).
fn files(dir: &Path) -> BTreeMap<String, (Vec<u8>, bool)> {
    assert!(dir.is_dir(), "{} is not a folder", dir.display());
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let meta = e.metadata().unwrap();
            (rel, (fs::read(e.path()).unwrap(), mode(&meta) & 0o111 != 0))
        })
        .collect()
}

#[cfg(unix)]
fn mode(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
fn mode(_: &fs::Metadata) -> u32 {
    0
}

/// The `.newsvc.yml` of a generated repository, parsed.
fn record(dir: &Path) -> serde_norway::Value {
    let text = fs::read_to_string(dir.join(".newsvc.yml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn answer<'a>(record: &'a serde_norway::Value, key: &str) -> &'a serde_norway::Value {
    record
        .get("answers")
        .and_then(|a| a.get(key))
        .unwrap_or_else(|| panic!("no answer `{key}` in {record:?}"))
}

fn answer_str<'a>(record: &'a serde_norway::Value, key: &str) -> &'a str {
    answer(record, key)
        .as_str()
        .unwrap_or_else(|| panic!("answer `{key}` is not a string"))
}

/// Asserts that the repository at `dir` has exactly one commit, the pristine
/// render of `template@version`, whose tree is the working tree, and that
/// index and working tree are clean. Returns the commit's tree id.
fn assert_pristine_repo(dir: &Path, home: &Path, template: &str, version: &str) -> git2::Oid {
    let repo = git2::Repository::open(dir).unwrap();
    let head = repo.head().unwrap();
    assert_eq!(
        head.shorthand().ok(),
        Some("main"),
        "the first branch is `main` without init.defaultBranch"
    );
    let commit = head.peel_to_commit().unwrap();
    assert_eq!(
        commit.parent_count(),
        0,
        "the pristine render is the first commit"
    );
    let message = commit.message().unwrap();
    let trailer = format!("Newsvc-Template: {template}@{version}");
    assert!(
        message.lines().any(|l| l == trailer),
        "no `{trailer}` trailer in:\n{message}"
    );

    // The commit holds exactly the files on disk, with their modes.
    let tree = commit.tree().unwrap();
    let mut committed = BTreeMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |prefix, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let blob = repo.find_blob(entry.id()).unwrap();
            committed.insert(
                format!("{prefix}{}", entry.name().unwrap()),
                (blob.content().to_vec(), entry.filemode() == 0o100_755),
            );
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    assert_eq!(
        committed,
        files(dir),
        "the first commit differs from the files written"
    );

    // Nothing staged, modified or untracked, as git2 and as the git CLI see it.
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .include_ignored(false)
        .recurse_untracked_dirs(true);
    let statuses = repo.statuses(Some(&mut options)).unwrap();
    let dirty: Vec<String> = statuses
        .iter()
        .map(|s| format!("{:?} {}", s.status(), s.path().unwrap_or("?")))
        .collect();
    assert!(dirty.is_empty(), "git2 sees a dirty repository: {dirty:?}");
    match std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["status", "--porcelain"])
        .env("HOME", home)
        .env_remove("GIT_DIR")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "git status failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                "",
                "`git status --porcelain` is not empty"
            );
        }
        Err(e) => {
            eprintln!("note: no git CLI ({e}); checked with git2 only");
            return tree.id();
        }
    }
    // git itself reads every object back.
    let fsck = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fsck", "--full", "--strict", "--no-dangling"])
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        fsck.status.success() && fsck.stdout.is_empty(),
        "git fsck: {}{}",
        String::from_utf8_lossy(&fsck.stdout),
        String::from_utf8_lossy(&fsck.stderr)
    );
    tree.id()
}

// --- generation --------------------------------------------------------------

#[test]
fn new_with_defaults_generates_the_standard_repo_with_its_first_commit() {
    let t = Test::new().args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--defaults",
    ]);
    let run = t.succeeds();
    run.assert_stderr("created billing-api")
        .assert_stderr("next steps:\n  cd billing-api && ./run.sh\n");
    let dir = t.path("billing-api");
    let files = files(&dir);
    for common in [
        ".newsvc.yml",
        "README.md",
        "CODEOWNERS",
        ".gitignore",
        ".editorconfig",
        "catalog-info.yaml",
    ] {
        assert!(
            files.contains_key(common),
            "the default template must produce {common}; got {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        t.read("billing-api/CODEOWNERS").contains("payments"),
        "CODEOWNERS names the owner:\n{}",
        t.read("billing-api/CODEOWNERS")
    );
    assert!(
        t.read("billing-api/catalog-info.yaml")
            .contains("billing-api")
    );

    assert_pristine_repo(
        &dir,
        &t.root.path().join("home"),
        "service",
        default_template_version().as_str(),
    );
    let repo = git2::Repository::open(&dir).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(
        commit.author().name().ok(),
        Some(AUTHOR_NAME),
        "the user's git identity is used"
    );
    assert_eq!(commit.author().email().ok(), Some(AUTHOR_EMAIL));
    assert!(
        !run.stderr.contains("user.name"),
        "no identity note when git has one:\n{}",
        run.stderr
    );
    // Nothing else appeared next to the repository (no staging leftovers).
    let siblings: Vec<_> = fs::read_dir(t.cwd())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![OsString::from("billing-api")]);
}

/// The version of the embedded default template, read from its manifest.
fn default_template_version() -> String {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/service/template.yaml"),
    )
    .unwrap();
    let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    doc["version"].as_str().unwrap().to_string()
}

#[test]
fn newsvc_yml_records_source_version_and_every_visible_answer() {
    let t = Test::new().args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--lang",
        "java",
        "--kind",
        "worker",
        "--set",
        "trigger=cron",
        "--defaults",
        "--no-git",
    ]);
    t.succeeds();
    let rec = record(&t.path("billing-api"));
    assert_eq!(rec["template"]["source"].as_str(), Some("service"));
    assert_eq!(rec["template"]["name"].as_str(), Some("service"));
    assert_eq!(
        rec["template"]["version"].as_str(),
        Some(default_template_version().as_str())
    );
    assert_eq!(answer_str(&rec, "service_name"), "billing-api");
    assert_eq!(answer_str(&rec, "owner"), "payments");
    assert_eq!(answer_str(&rec, "language"), "java");
    assert_eq!(answer_str(&rec, "kind"), "worker");
    assert_eq!(answer_str(&rec, "trigger"), "cron");
    // Defaults are recorded too, typed, so an upgrade renders the same repo.
    assert_eq!(answer(&rec, "min_count").as_i64(), Some(2));
    assert_eq!(
        answer(&rec, "datastores").as_sequence().map(Vec::len),
        Some(0)
    );
    assert_eq!(
        answer_str(&rec, "product"),
        "billing-api",
        "a default rendered from earlier answers"
    );
    // Hidden questions (web-only) are not recorded.
    let answers = rec["answers"].as_mapping().unwrap();
    for hidden in ["exposure", "container_port", "base_domain"] {
        assert!(
            !answers.contains_key(hidden),
            "`{hidden}` is not asked for a worker and must not be recorded"
        );
    }
    // The answers keep the manifest's question order.
    let keys: Vec<&str> = answers.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(&keys[..2], ["service_name", "owner"]);
}

#[test]
fn answers_file_is_used_and_set_overrides_it() {
    let t = Test::new()
        .file("answers.yml", "service_name: ledger\nowner: payments\nlanguage: rust\ndatastores: [postgres, redis]\nmin_count: 3\n")
        .args(["new", "--answers", "answers.yml", "--set", "owner=growth", "--set", "min_count=4", "--defaults", "--no-git"]);
    t.succeeds();
    let rec = record(&t.path("ledger"));
    assert_eq!(
        answer_str(&rec, "service_name"),
        "ledger",
        "the folder and name come from the file"
    );
    assert_eq!(answer_str(&rec, "language"), "rust", "from the file");
    let stores: Vec<&str> = answer(&rec, "datastores")
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(stores, ["postgres", "redis"], "a YAML list from the file");
    assert_eq!(
        answer_str(&rec, "owner"),
        "growth",
        "--set beats the answers file"
    );
    assert_eq!(
        answer(&rec, "min_count").as_i64(),
        Some(4),
        "--set beats the answers file"
    );
    assert!(t.read("ledger/CODEOWNERS").contains("growth"));
}

#[test]
fn multi_choice_from_set_is_comma_separated() {
    let t = Test::new().args([
        "new",
        "ledger",
        "--set",
        "owner=payments",
        "--set",
        "datastores=dynamodb,redis",
        "--defaults",
        "--no-git",
    ]);
    t.succeeds();
    let rec = record(&t.path("ledger"));
    let stores: Vec<&str> = answer(&rec, "datastores")
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(stores, ["dynamodb", "redis"]);
}

#[test]
fn user_config_supplies_defaults_below_files_and_flags() {
    let config =
        "owner: platform\nanswers:\n  aws_region: eu-west-1\n  min_count: 3\n  max_count: 9\n";
    // Config alone.
    let t = Test::new()
        .config(config)
        .args(["new", "ledger", "--defaults", "--no-git"]);
    t.succeeds();
    let rec = record(&t.path("ledger"));
    assert_eq!(
        answer_str(&rec, "owner"),
        "platform",
        "owner from the user config"
    );
    assert_eq!(answer_str(&rec, "aws_region"), "eu-west-1");
    assert_eq!(answer(&rec, "min_count").as_i64(), Some(3));
    assert_eq!(
        answer_str(&rec, "repo_url"),
        "https://github.com/platform/ledger",
        "later defaults see config answers"
    );

    // An answers file beats the config; a flag beats both.
    let t = Test::new()
        .config(config)
        .file("a.yml", "owner: payments\nmin_count: 5\n")
        .args([
            "new",
            "ledger",
            "--answers",
            "a.yml",
            "--set",
            "max_count=7",
            "--defaults",
            "--no-git",
        ]);
    t.succeeds();
    let rec = record(&t.path("ledger"));
    assert_eq!(answer_str(&rec, "owner"), "payments");
    assert_eq!(answer(&rec, "min_count").as_i64(), Some(5));
    assert_eq!(answer(&rec, "max_count").as_i64(), Some(7));
    assert_eq!(
        answer_str(&rec, "aws_region"),
        "eu-west-1",
        "the config still fills what nothing else gives"
    );
}

#[test]
fn user_config_values_are_validated_like_any_answer() {
    Test::new()
        .config("answers:\n  aws_region: Mars\n")
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--defaults",
            "--no-git",
        ])
        .fails(&["`aws_region`", "`Mars`", "user config"]);
}

/// `newsvc new billing-api --set owner=payments --defaults --dry-run`.
fn dry_run_of_the_default_template() -> Test {
    Test::new().args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--defaults",
        "--dry-run",
    ])
}

#[test]
fn dry_run_lists_files_with_sizes_and_writes_nothing() {
    let t = dry_run_of_the_default_template();
    let before = snapshot(&t.work());
    let run = t.succeeds();
    assert_eq!(snapshot(&t.work()), before, "--dry-run wrote something");
    assert!(
        snapshot(&t.root.path().join("cache")).is_empty(),
        "--dry-run of the embedded template touched the cache"
    );
    run.assert_stdout("would write")
        .assert_stdout("billing-api")
        .assert_stdout(".newsvc.yml")
        .assert_stdout("CODEOWNERS");
    // Every listed file line carries a size.
    let listed: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(listed.len() > 5, "{}", run.stdout);
    for line in listed {
        assert!(
            line.contains(" B ") || line.contains(" KiB ") || line.contains(" MiB "),
            "no size in `{line}`"
        );
    }
}

/// `newsvc ... | head`: the reader goes away before the output ends. The
/// process ends by SIGPIPE, as Unix tools do, without Rust's panic in
/// `println!` ("failed printing to stdout").
#[cfg(unix)]
#[test]
fn output_into_a_pipe_nobody_reads_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let t = dry_run_of_the_default_template();
    // A FIFO whose only reader is closed before newsvc starts, so its first
    // write fails whatever the timing (a real `| head` may read a little).
    let fifo = t.root.path().join("out.fifo");
    let script = r#"mkfifo "$FIFO" && exec 3<>"$FIFO" 4>"$FIFO" && exec 3<&- && exec "$@" >&4"#;
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(script).arg("sh").arg(newsvc_bin());
    let inner = t.command();
    cmd.args(inner.get_args())
        .current_dir(t.cwd())
        .env("FIFO", &fifo)
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(Stdio::null());
    let output = assert_cmd::Command::from_std(cmd)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "nothing to say: {stderr}");
    assert_eq!(
        output.status.signal(),
        Some(13),
        "SIGPIPE: {:?}",
        output.status
    );
}

#[test]
fn no_git_writes_the_files_without_a_repository() {
    let t = Test::new().args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--defaults",
        "--no-git",
    ]);
    t.succeeds();
    let dir = t.path("billing-api");
    assert!(dir.join(".newsvc.yml").is_file());
    assert!(!dir.join(".git").exists(), "--no-git made a repository");
    assert!(git2::Repository::open(&dir).is_err());
}

#[test]
fn output_dir_is_honoured() {
    let t = Test::new().args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--defaults",
        "-o",
        "nested/deeper/svc",
    ]);
    t.succeeds().assert_stderr("cd nested/deeper/svc");
    assert!(t.path("nested/deeper/svc/.newsvc.yml").is_file());
    assert!(!t.path("billing-api").exists());
    assert_pristine_repo(
        &t.path("nested/deeper/svc"),
        &t.root.path().join("home"),
        "service",
        &default_template_version(),
    );
}

#[test]
fn without_a_git_identity_the_fallback_is_used_and_announced() {
    let t = Test::new().without_git_identity().args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--defaults",
    ]);
    let run = t.succeeds();
    run.assert_stderr("no user.name")
        .assert_stderr("newsvc <newsvc@localhost>")
        .assert_stderr("git config --global user.name");
    let repo = git2::Repository::open(t.path("billing-api")).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(commit.author().name().ok(), Some("newsvc"));
    assert_eq!(commit.author().email().ok(), Some("newsvc@localhost"));
    assert_eq!(commit.committer().name().ok(), Some("newsvc"));
}

#[test]
fn the_identity_is_the_one_git_would_use_in_the_new_repository() {
    // A work identity for repositories under `work/`, by a conditional
    // include, as many engineers configure it.
    let t = Test::new();
    let work = t.root.path().join("work");
    fs::create_dir_all(&work).unwrap();
    let include = t.root.path().join("home/work.gitconfig");
    fs::write(&include, "[user]\n\temail = ada@work.example\n").unwrap();
    let t = t
        .gitconfig(&format!(
            "[includeIf \"gitdir:{}/\"]\n\tpath = {}\n",
            work.display(),
            include.display()
        ))
        .args([
            "new",
            "billing-api",
            "--set",
            "owner=payments",
            "--defaults",
            "--output",
            "work/billing-api",
        ]);
    t.succeeds();
    let repo = git2::Repository::open(t.path("work/billing-api")).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(commit.author().name().ok(), Some(AUTHOR_NAME));
    assert_eq!(commit.author().email().ok(), Some("ada@work.example"));
    // git records the first commit in the reflogs, as `git commit` does.
    let reflog = repo.reflog("HEAD").unwrap();
    assert_eq!(reflog.len(), 1);
    let entry = reflog.get(0).unwrap();
    let message = format!("{:?}", entry.message());
    assert!(
        message.contains("commit (initial): Create billing-api"),
        "{message}"
    );
}

#[test]
fn two_renders_with_the_same_inputs_are_byte_identical() {
    let args = [
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--lang",
        "java",
        "--set",
        "datastores=postgres,redis",
        "--defaults",
    ];
    let t = Test::new().args(args).args(["-o", "one"]);
    t.succeeds();
    let t2 = Test::new().args(args).args(["-o", "two"]);
    t2.succeeds();
    let (one, two) = (files(&t.path("one")), files(&t2.path("two")));
    assert!(one.len() > 5);
    assert_eq!(one, two, "two renders differ");
    let home = t.root.path().join("home");
    let v = default_template_version();
    assert_eq!(
        assert_pristine_repo(&t.path("one"), &home, "service", &v),
        assert_pristine_repo(&t2.path("two"), &home, "service", &v),
        "the pristine trees differ"
    );

    // The same for the fixture, which exercises every file rule.
    let fx = |out: &str| {
        Test::new()
            .args([
                "new",
                "abc-svc",
                "--defaults",
                "--no-git",
                "--set",
                "extras=metrics",
                "-o",
                out,
            ])
            .fixture("basic")
    };
    let (a, b) = (fx("a"), fx("b"));
    a.succeeds();
    b.succeeds();
    assert_eq!(files(&a.path("a")), files(&b.path("b")));
}

#[test]
fn force_writes_into_a_non_empty_folder_and_keeps_other_files() {
    let t = Test::new()
        .file("svc/notes.txt", "mine\n")
        .file("svc/README.md", "old readme\n")
        .args([
            "new",
            "billing-api",
            "--set",
            "owner=payments",
            "--defaults",
            "--no-git",
            "--force",
            "-o",
            "svc",
        ]);
    t.succeeds();
    assert_eq!(
        t.read("svc/notes.txt"),
        "mine\n",
        "a file the template does not produce is kept"
    );
    assert_ne!(
        t.read("svc/README.md"),
        "old readme\n",
        "a file the template produces is written"
    );
    assert!(t.path("svc/.newsvc.yml").is_file());
}

#[test]
fn force_into_an_existing_repository_writes_files_but_makes_no_commit() {
    let t = Test::new().file("svc/notes.txt", "mine\n");
    let existing = git2::Repository::init(t.path("svc")).unwrap();
    drop(existing);
    let t = t.args([
        "new",
        "billing-api",
        "--set",
        "owner=payments",
        "--defaults",
        "--force",
        "-o",
        "svc",
    ]);
    t.succeeds()
        .assert_stderr("already is a git repository; no commit was made")
        .assert_stderr("newsvc adopt");
    assert!(t.path("svc/.newsvc.yml").is_file());
    assert_eq!(t.read("svc/notes.txt"), "mine\n");
    let repo = git2::Repository::open(t.path("svc")).unwrap();
    assert!(
        repo.head().is_err(),
        "the team's repository keeps its history: no commit was added"
    );
    assert!(
        fs::read_dir(t.path("svc/.git/objects/pack"))
            .unwrap()
            .next()
            .is_none(),
        "no pack was written into the team's repository"
    );
}

// --- a local template folder ---------------------------------------------------

#[test]
fn local_template_with_conditions_computed_values_paths_copy_and_executables() {
    // Defaults: plain flavour, no docs, no extras.
    let t = Test::new()
        .args(["new", "abc-svc", "--defaults"])
        .fixture("basic");
    t.succeeds()
        .assert_stderr("fixture@0.3.1")
        .assert_stderr("next steps:\n  cd abc-svc\n");
    let dir = t.path("abc-svc");
    let got: Vec<String> = files(&dir).into_keys().collect();
    assert_eq!(
        got,
        [
            ".newsvc.yml",
            "README.md",
            "bin/start.sh",
            "raw/literal.j2",
            "src/abc_svc/__init__.py",
            "style.txt",
            "tools/check"
        ]
    );
    assert_eq!(
        t.read("abc-svc/README.md"),
        "# abc-svc\n\nflavour=plain module=abc_svc class=AbcSvc port=8080\n",
        "computed values"
    );
    assert_eq!(
        t.read("abc-svc/style.txt"),
        "plain AbcSvc\n",
        "folder rule `into: \"\"` with its condition"
    );
    assert_eq!(
        t.read("abc-svc/src/abc_svc/__init__.py"),
        "NAME = \"abc-svc\"\n",
        "templated path from a computed value"
    );
    assert_eq!(
        t.read("abc-svc/raw/literal.j2"),
        "{{ not_an_answer }} {% if %} copied as is\n",
        "copied without rendering"
    );
    let modes = files(&dir);
    assert!(modes["bin/start.sh"].1, "executable by file rule");
    assert!(
        modes["tools/check"].1,
        "executable bit kept from the template folder"
    );
    assert!(
        !modes["README.md"].1 && !modes["style.txt"].1,
        "others are not executable"
    );
    assert_pristine_repo(&dir, &t.root.path().join("home"), "fixture", "0.3.1");
    let rec = record(&dir);
    assert_eq!(
        rec["template"]["source"].as_str().map(PathBuf::from),
        Some(fixture_dir("basic").canonicalize().unwrap())
    );
    assert!(
        rec["answers"].get("docs_title").is_none(),
        "a question hidden by `when` is not recorded"
    );

    // The other branches of every condition.
    let t = Test::new()
        .args([
            "new",
            "abc-svc",
            "--defaults",
            "--set",
            "flavour=fancy",
            "--set",
            "with_docs=true",
            "--set",
            "extras=metrics,tracing",
            "--set",
            "port=9000",
        ])
        .fixture("basic");
    t.succeeds();
    let got: Vec<String> = files(&t.path("abc-svc")).into_keys().collect();
    assert_eq!(
        got,
        [
            ".newsvc.yml",
            "README.md",
            "bin/start.sh",
            "docs/index.md",
            "metrics.yml",
            "raw/literal.j2",
            "src/abc_svc/__init__.py",
            "style.txt",
            "tools/check"
        ]
    );
    assert_eq!(t.read("abc-svc/style.txt"), "fancy AbcSvc\n");
    assert_eq!(
        t.read("abc-svc/docs/index.md"),
        "# Docs for abc-svc\n",
        "a default rendered from an earlier answer"
    );
    assert_eq!(
        t.read("abc-svc/metrics.yml"),
        "enabled: true\nservice: abc-svc\n",
        "a path that renders non-empty"
    );
    assert!(
        t.read("abc-svc/README.md")
            .ends_with("port=9000\nextra=metrics\nextra=tracing\n")
    );
    let rec = record(&t.path("abc-svc"));
    assert_eq!(answer(&rec, "with_docs").as_bool(), Some(true));
    assert_eq!(answer_str(&rec, "docs_title"), "Docs for abc-svc");
    assert_eq!(answer(&rec, "port").as_i64(), Some(9000));
}

#[test]
fn dry_run_marks_executables() {
    let t = Test::new()
        .args(["new", "abc-svc", "--defaults", "--dry-run"])
        .fixture("basic");
    let run = t.succeeds();
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("bin/start.sh"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains("executable"), "{line}");
    assert!(!t.path("abc-svc").exists());
}

#[test]
fn templates_show_lists_questions_choices_and_defaults() {
    let run = Test::new()
        .args(["templates", "show"])
        .args([fixture_dir("basic")])
        .succeeds();
    run.assert_stdout("fixture 0.3.1")
        .assert_stdout("flavour")
        .assert_stdout("[plain|fancy]")
        .assert_stdout("default: 8080");
    let run = Test::new().args(["templates", "list"]).succeeds();
    run.assert_stdout("service")
        .assert_stdout(&default_template_version());
}

#[test]
fn completions_are_printed() {
    let run = Test::new().args(["completions", "bash"]).succeeds();
    run.assert_stdout("newsvc").assert_stdout("--no-git");
}

// --- bad input: exit 2, a message naming the problem, nothing written -----------

#[test]
fn invalid_service_names_are_refused_with_the_aws_reason() {
    let cases: [(&str, &[&str]); 6] = [
        ("Billing", &["`Billing`", "uppercase", "ECR"]),
        ("billing api", &["`billing api`", "space"]),
        ("../x", &["`../x`", "contains `.`"]),
        (
            "abcdefghijklmnopqrstu",
            &["21 characters", "limit is 20", "32-character"],
        ),
        ("internal-x", &["`internal-x`", "internal-"]),
        ("", &["is empty"]),
    ];
    for (name, needles) in cases {
        let mut all = vec!["`service_name`"];
        all.extend_from_slice(needles);
        // As the NAME argument, through --set and from an answers file.
        Test::new()
            .args(["new", name, "--set", "owner=payments", "--defaults"])
            .fails(&all);
        Test::new()
            .args([
                "new",
                "--set",
                &format!("service_name={name}"),
                "--set",
                "owner=payments",
                "--defaults",
                "--no-git",
            ])
            .fails(&all);
        let yaml = format!(
            "service_name: {}\nowner: payments\n",
            serde_norway::to_string(name).unwrap().trim()
        );
        Test::new()
            .file("a.yml", &yaml)
            .args(["new", "--answers", "a.yml", "--defaults"])
            .fails(&all)
            .assert_stderr("a.yml");
    }
}

#[test]
fn invalid_name_given_with_output_leaves_the_output_untouched() {
    Test::new()
        .file("svc/keep.txt", "x")
        .args([
            "new",
            "Bad",
            "--set",
            "owner=p",
            "--defaults",
            "-o",
            "svc",
            "--force",
        ])
        .fails(&["`Bad`"]);
}

#[test]
fn unknown_set_key_lists_the_valid_questions() {
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--set",
            "colour=red",
            "--defaults",
        ])
        .fails(&[
            "unknown question `colour`",
            "--set colour",
            "service_name, owner, product",
            "datastores",
        ]);
    // The same from an answers file.
    Test::new()
        .file("a.yml", "owner: p\ncolour: red\n")
        .args(["new", "ledger", "--answers", "a.yml", "--defaults"])
        .fails(&["`colour`", "a.yml", "owner"]);
}

#[test]
fn malformed_set_is_refused() {
    Test::new()
        .args(["new", "ledger", "--set", "owner", "--defaults"])
        .fails(&["`--set owner` is not KEY=VALUE"]);
}

#[test]
fn choice_outside_the_list_lists_the_valid_ones() {
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--lang",
            "cobol",
            "--defaults",
        ])
        .fails(&[
            "`language`",
            "`cobol`",
            "python, java, scala, rust",
            "--lang",
        ]);
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--kind",
            "batch",
            "--defaults",
        ])
        .fails(&["`batch`", "web, worker"]);
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--set",
            "datastores=postgres,oracle",
            "--defaults",
        ])
        .fails(&[
            "`datastores`",
            "`oracle`",
            "postgres, mysql, redis, memcached, dynamodb",
        ]);
    Test::new()
        .file("a.yml", "owner: p\nlanguage: cobol\n")
        .args(["new", "ledger", "--answers", "a.yml", "--defaults"])
        .fails(&["`cobol`", "python, java, scala, rust"]);
}

#[test]
fn mistyped_answers_are_refused() {
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--set",
            "min_count=lots",
            "--defaults",
        ])
        .fails(&["`min_count`", "`lots`", "whole number"]);
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--set",
            "min_count=0",
            "--defaults",
        ])
        .fails(&["`min_count`", "minimum 1"]);
    Test::new()
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--set",
            "cpu=512",
            "--set",
            "memory=512",
            "--defaults",
        ])
        .fails(&["`memory`", "1024, 2048"]);
}

#[test]
fn malformed_answers_yaml_shows_line_and_column() {
    Test::new()
        .file("a.yml", "owner: p\nlanguage: [java\nkind: web\n")
        .args(["new", "ledger", "--answers", "a.yml", "--defaults"])
        .fails(&["a.yml:3:5:"]);
    Test::new()
        .file("b.yml", "owner: p\n  kind: web\n")
        .args(["new", "ledger", "--answers", "b.yml", "--defaults"])
        .fails(&["b.yml:2:7:"]);
    Test::new()
        .file("c.yml", "- just\n- a list\n")
        .args(["new", "ledger", "--answers", "c.yml", "--defaults"])
        .fails(&["c.yml:1:1:"]);
    Test::new()
        .args(["new", "ledger", "--answers", "missing.yml", "--defaults"])
        .fails(&["missing.yml"]);
}

#[test]
fn missing_answers_without_a_terminal_are_listed_and_nothing_hangs() {
    // No --defaults and stdin closed: newsvc must not prompt (the timeout
    // of every run turns a hang into a failure).
    let run = Test::new().args(["new"]).fails(&[
        "missing answers",
        "service_name",
        "NAME argument",
        "owner",
        "--set owner=",
    ]);
    assert!(
        !run.stderr.contains("product"),
        "`product` has a default derived from service_name; it is not missing:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("repo_url"),
        "`repo_url` has a default; it is not missing:\n{}",
        run.stderr
    );
    // With the name given, only the owner is missing.
    let run = Test::new()
        .args(["new", "ledger"])
        .fails(&["owner (Owning team): set with --set owner="]);
    assert!(!run.stderr.contains("service_name"), "{}", run.stderr);
    // --defaults never prompts either.
    Test::new()
        .args(["new", "ledger", "--defaults"])
        .fails(&["owner"]);
}

#[test]
fn missing_answers_with_a_pipe_on_stdin_do_not_prompt() {
    // stdin is a pipe (not a terminal) that never closes before the timeout.
    let t = Test::new().args(["new"]);
    let cmd = t.command();
    let output = assert_cmd::Command::from_std(cmd)
        .write_stdin("billing-api\npayments\n")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing answers"));
    assert!(!t.path("billing-api").exists());
}

#[test]
fn an_existing_non_empty_target_is_refused_and_kept() {
    let t = Test::new()
        .file("billing-api/main.py", "print('mine')\n")
        .args([
            "new",
            "billing-api",
            "--set",
            "owner=payments",
            "--defaults",
        ]);
    t.fails(&["`billing-api` already exists and is not empty", "--force"]);
    assert_eq!(t.read("billing-api/main.py"), "print('mine')\n");
    // A file in the way is refused too.
    Test::new()
        .file("svc", "a file")
        .args([
            "new",
            "ledger",
            "--set",
            "owner=p",
            "--defaults",
            "-o",
            "svc",
        ])
        .fails(&["`svc`", "not a folder"]);
}

#[test]
fn an_existing_empty_target_is_used() {
    let t = Test::new().file("placeholder", "").args([
        "new",
        "ledger",
        "--set",
        "owner=p",
        "--defaults",
        "--no-git",
    ]);
    fs::create_dir(t.path("ledger")).unwrap();
    t.succeeds();
    assert!(t.path("ledger/.newsvc.yml").is_file());
}

#[test]
fn a_rendered_path_escaping_the_target_is_refused_naming_the_template_file() {
    let t = Test::new()
        .args(["new", "abc-svc", "--defaults"])
        .fixture("escape");
    t.fails(&[
        "template file `files/{{ up }}/outside.txt`",
        "`../outside.txt`",
        "inside the generated repository",
    ]);
    assert!(!t.work().join("outside.txt").exists());
    assert!(!t.path("abc-svc").exists());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_a_template_is_refused() {
    let t = Test::new().args(["new", "abc-svc", "--defaults", "--template", "../tpl"]);
    let tpl = t.work().join("tpl");
    fs::create_dir_all(tpl.join("files")).unwrap();
    fs::copy(
        fixture_dir("basic").join("template.yaml"),
        tpl.join("template.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/passwd", tpl.join("files/passwd")).unwrap();
    t.fails(&["files/passwd", "symbolic link"]);
}

#[test]
fn a_tera_syntax_error_names_the_template_file_and_line() {
    let t = Test::new()
        .args(["new", "abc-svc", "--defaults"])
        .fixture("syntax-error");
    let run = t.fails(&[
        "template file `files/README.md` does not render",
        "files/README.md:3:",
        "owner: {{ service_name | }}",
    ]);
    assert_eq!(
        run.stderr.matches("error:").count(),
        1,
        "one `error:` prefix:\n{}",
        run.stderr
    );
}

/// Runs `newsvc new abc-svc --defaults` with `extra` arguments on the
/// fixture template `fixture`, expecting exit 2 with the error at `at` of its
/// `template.yaml` (`LINE:` or `LINE: more`) and every one of `needles`.
fn fails_in_manifest(fixture: &str, extra: &[&str], at: &str, needles: &[&str]) {
    let manifest = fixture_dir(fixture).join("template.yaml");
    let place = format!("{}:{at}", manifest.display());
    let mut all = vec![place.as_str()];
    all.extend_from_slice(needles);
    let mut args = vec!["new", "abc-svc", "--defaults"];
    args.extend_from_slice(extra);
    Test::new().args(args).fixture(fixture).fails(&all);
}

#[test]
fn a_manifest_with_an_unknown_field_is_refused_with_file_line_and_field() {
    fails_in_manifest("unknown-field", &[], "8:", &["unknown field `colour`"]);
}

#[test]
fn a_when_naming_an_unknown_question_is_refused_with_its_line() {
    fails_in_manifest(
        "unknown-when",
        &[],
        "11:",
        &["`when`", "unknown question `flavour`", "service_name"],
    );
}

#[test]
fn a_when_or_default_failing_at_run_time_is_placed_at_its_line() {
    fails_in_manifest(
        "failing-rules",
        &[],
        "13: question `autoscale`",
        &[
            "`when: replicas | int > 2` fails to evaluate",
            "`many` cannot be converted",
        ],
    );
    // With that condition satisfied, the next question's default fails.
    fails_in_manifest(
        "failing-rules",
        &["--set", "replicas=3"],
        "17: question `label`",
        &["default `{{ service_name | int + 1 }}` fails to render"],
    );
}

#[test]
fn a_repository_that_cannot_be_created_leaves_nothing_behind() {
    // A git template folder (init.templateDir) holding a file where git
    // makes its `objects` folder: creating the repository fails. Both ways
    // of creating it are covered: ahead of the render (into an existing
    // folder) and after it (into a folder that does not exist yet).
    for output in [None, Some("new/parent/svc")] {
        let t = Test::new();
        let templates = t.root.path().join("home/git-templates");
        fs::create_dir_all(&templates).unwrap();
        fs::write(templates.join("objects"), "not a folder\n").unwrap();
        let mut args = vec!["new", "abc-svc", "--set", "owner=payments", "--defaults"];
        if let Some(output) = output {
            args.extend(["-o", output]);
        }
        let t = t
            .gitconfig(&format!(
                "[init]\n\ttemplateDir = {}\n",
                templates.display()
            ))
            .args(args);
        let run = t.run().code(2);
        run.assert_stderr("git: init");
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        let mut left: Vec<String> = walkdir::WalkDir::new(t.cwd())
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(t.cwd())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        left.sort();
        // Not even the folders made above the target.
        assert!(left.is_empty(), "{output:?} left {left:?}: {}", run.stderr);
    }
}

#[test]
fn folders_made_above_the_target_are_removed_when_one_cannot_be_made() {
    // `new` can be made, the name below it cannot (too long for the file
    // system): `new` must not stay behind.
    let output = format!("new/{}/svc", "x".repeat(300));
    let run = Test::new()
        .args([
            "new",
            "abc-svc",
            "--set",
            "owner=payments",
            "--defaults",
            "-o",
            &output,
        ])
        .fails(&["cannot create the parent folder"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_missing_template_folder_is_refused() {
    Test::new()
        .args(["new", "abc-svc", "--defaults", "--template", "./nowhere"])
        .fails(&["./nowhere", "cannot open the folder"]);
    let t = Test::new().file("empty/README.md", "x").args([
        "new",
        "abc-svc",
        "--defaults",
        "--template",
        "empty",
    ]);
    t.fails(&["no template.yaml"]);
}

#[test]
fn usage_errors_exit_2() {
    let run = Test::new().args(["new", "--no-such-flag"]).run().code(2);
    run.assert_stderr("--no-such-flag");
    Test::new().args(["--help"]).succeeds().assert_stdout("new");
}

#[test]
fn the_template_comes_from_the_flag_the_environment_or_the_user_config() {
    let basic = fixture_dir("basic");
    let t = Test::new().env("NEWSVC_TEMPLATE", &basic).args([
        "new",
        "abc-svc",
        "--defaults",
        "--no-git",
    ]);
    t.succeeds().assert_stderr("fixture@0.3.1");
    let t = Test::new()
        .config(&format!("template: {}\n", basic.display()))
        .args(["new", "abc-svc", "--defaults", "--no-git"]);
    t.succeeds().assert_stderr("fixture@0.3.1");
    // The flag beats the config.
    let t = Test::new()
        .config(&format!("template: {}\n", basic.display()))
        .args([
            "new",
            "abc-svc",
            "--set",
            "owner=p",
            "--defaults",
            "--no-git",
            "--template",
            "service",
        ]);
    t.succeeds().assert_stderr("service@");
}

#[test]
fn the_users_git_init_settings_are_honoured() {
    let t = Test::new();
    let templates = t.root.path().join("git-templates");
    fs::create_dir_all(templates.join("hooks")).unwrap();
    fs::write(templates.join("hooks/commit-msg"), "#!/bin/sh\nexit 0\n").unwrap();
    let t = t
        .gitconfig(&format!(
            "[init]\n\tdefaultBranch = trunk\n\ttemplateDir = {}\n",
            templates.display()
        ))
        .args([
            "new",
            "billing-api",
            "--set",
            "owner=payments",
            "--defaults",
        ]);
    t.succeeds();
    let dir = t.path("billing-api");
    let repo = git2::Repository::open(&dir).unwrap();
    assert_eq!(
        repo.head().unwrap().shorthand().ok(),
        Some("trunk"),
        "init.defaultBranch"
    );
    assert_eq!(
        fs::read_to_string(dir.join(".git/hooks/commit-msg")).unwrap(),
        "#!/bin/sh\nexit 0\n",
        "the user's init.templateDir is copied, as `git init` does"
    );
    assert!(repo.statuses(None).unwrap().is_empty());
}

/// `newsvc new abc-svc --defaults` (and `--no-git` unless `git`) on a local
/// template at `../big` big enough to be rendered on several threads
/// (files are written as they are rendered), with `extra` files.
fn new_from_big_template(git: bool, extra: &[(&str, &str)]) -> Test {
    let mut args = vec!["new", "abc-svc", "--defaults", "--template", "../big"];
    if !git {
        args.push("--no-git");
    }
    let t = Test::new().args(args);
    let dir = t.work().join("big");
    fs::create_dir_all(dir.join("files/src")).unwrap();
    fs::write(
        dir.join("template.yaml"),
        "name: big\nversion: 1.0.0\nquestions:\n  - name: service_name\n    type: string\n    validate: service_name\n",
    )
    .unwrap();
    let body = "{{ service_name }} line\n".repeat(200);
    for i in 0..40 {
        fs::write(dir.join(format!("files/src/f{i:02}.txt")), &body).unwrap();
    }
    for (path, text) in extra {
        let full = dir.join("files").join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }
    t
}

#[test]
fn a_render_that_fails_after_files_were_written_leaves_nothing_behind() {
    // The files before the failing one are rendered, and written into the
    // staging folder without git, before the failure is known.
    for (broken, needle) in [
        ("{{ no_such_answer }}", "no_such_answer"),
        ("{% if %}", "zz-broken.txt"),
    ] {
        for git in [true, false] {
            new_from_big_template(git, &[("zz-broken.txt", broken)]).fails(&[needle]);
        }
    }
}

#[test]
fn two_files_rendering_to_one_path_leave_nothing_behind() {
    new_from_big_template(
        false,
        &[("{{ service_name }}.txt", "a"), ("abc-svc.txt", "b")],
    )
    .fails(&["abc-svc.txt"]);
}

#[test]
fn the_record_replaces_a_template_s_own_record_file() {
    let t = new_from_big_template(false, &[(".newsvc.yml", "not: the record\n")]);
    t.succeeds();
    let record = t.read("abc-svc/.newsvc.yml");
    assert!(record.contains("service_name: abc-svc"), "{record}");
    assert!(!record.contains("not: the record"), "{record}");
    assert_eq!(t.read("abc-svc/src/f07.txt"), "abc-svc line\n".repeat(200));
}
