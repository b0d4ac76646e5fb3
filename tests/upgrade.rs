//! `newsvc upgrade`, `adopt`, `status` and `diff` through the real binary,
//! on real git repositories, with a small template in three versions
//! (tests/fixtures/upgrade/v1 → v2 → v3). v2 adds a file, removes a file,
//! changes lines in files the team also changes, and adds a question.

#[path = "common/bin.rs"]
mod bin;
use bin::newsvc_bin;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("home")).unwrap();
        std::fs::write(
            tmp.path().join("home/.gitconfig"),
            "[user]\n\tname = Team\n\temail = team@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        Env { tmp }
    }

    fn fixture(version: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/upgrade")
            .join(version)
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("svc")
    }

    fn newsvc(&self, args: &[&str]) -> Output {
        Command::new(newsvc_bin())
            .args(args)
            .current_dir(self.tmp.path())
            .env("HOME", self.tmp.path().join("home"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("config"))
            .env("XDG_CACHE_HOME", self.tmp.path().join("cache"))
            .env("NO_COLOR", "1")
            .env_remove("NEWSVC_TEMPLATE")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.repo())
            .env("HOME", self.tmp.path().join("home"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A repo generated from v1 (with `extra` answers).
    fn generated(extra: &[&str]) -> Env {
        let env = Env::new();
        let v1 = Env::fixture("v1");
        let mut args = vec![
            "new",
            "svc-one",
            "--template",
            v1.to_str().unwrap(),
            "--defaults",
            "-o",
            "svc",
        ];
        args.extend_from_slice(extra);
        let out = env.newsvc(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        env
    }

    fn write(&self, path: &str, text: &str) {
        std::fs::write(self.repo().join(path), text).unwrap();
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.repo().join(path)).unwrap_or_default()
    }

    fn exists(&self, path: &str) -> bool {
        self.repo().join(path).exists()
    }

    fn upgrade(&self, version: &str, extra: &[&str]) -> Output {
        let fixture = Env::fixture(version);
        let mut args = vec!["upgrade", "svc", "--template", fixture.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.newsvc(&args)
    }

    /// HEAD, the index and every file of the working tree (including .git state files), hashed.
    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(self.repo())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                // Objects, the index's stat cache, reflogs and ORIG_HEAD are
                // git's bookkeeping (real `git merge --abort` touches them too);
                // HEAD, the staged entries and the status are compared below.
                !e.path().starts_with(self.repo().join(".git/objects"))
                    && !e.path().starts_with(self.repo().join(".git/logs"))
                    && !e.path().ends_with("index")
                    && !e.path().ends_with("ORIG_HEAD")
            })
            .map(|e| {
                (
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        out.push(("HEAD".into(), self.git(&["rev-parse", "HEAD"]).into_bytes()));
        out.push((
            "index".into(),
            self.git(&["ls-files", "--stage"]).into_bytes(),
        ));
        out.push((
            "status".into(),
            self.git(&["status", "--porcelain"]).into_bytes(),
        ));
        out.sort();
        out
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn non_overlapping_edits_merge_cleanly_and_keep_both_sides() {
    let env = Env::generated(&[]);
    env.write(
        "shared.txt",
        "TEAM line1\nline2\nline3\nline4\nline5\nline6\nline7\nline8\n",
    );
    env.git(&["commit", "-qam", "team edit"]);
    let before = env.git(&["rev-parse", "HEAD"]);
    let out = env.upgrade("v2", &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let shared = env.read("shared.txt");
    assert!(
        shared.contains("TEAM line1") && shared.contains("line8 template-v2"),
        "{shared}"
    );
    assert!(env.exists("added.txt"), "a file the template added appears");
    assert!(
        !env.exists("removed.txt"),
        "a file the template removed, unchanged by the team, is removed"
    );
    assert_eq!(
        env.read("added.txt"),
        "added in v2 tier=silver\n",
        "the new question takes its default"
    );
    // A merge commit: first parent the team's HEAD, second the v2 pristine commit.
    let repo = git2::Repository::open(env.repo()).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 2);
    assert_eq!(head.parent_id(0).unwrap().to_string(), before.trim());
    let pristine = head.parent(1).unwrap();
    assert!(
        pristine
            .message()
            .unwrap()
            .contains("Newsvc-Template: mini@2.0.0")
    );
    assert!(
        pristine
            .parent(0)
            .unwrap()
            .message()
            .unwrap()
            .contains("Newsvc-Template: mini@1.0.0"),
        "pristine chain"
    );
    assert!(env.read(".newsvc.yml").contains("version: 2.0.0"));
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "clean after the merge"
    );
}

#[test]
fn overlapping_edits_conflict_like_git_merge_and_abort_restores_everything() {
    let env = Env::generated(&[]);
    env.write("overlap.txt", "a\nB-team\nc\n");
    env.git(&["commit", "-qam", "team edit"]);
    let before = env.snapshot();
    let out = env.upgrade("v2", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("overlap.txt"),
        "conflicted files are listed: {}",
        stdout(&out)
    );
    let status = env.git(&["status", "--porcelain"]);
    assert!(status.contains("UU overlap.txt"), "both modified: {status}");
    let text = env.read("overlap.txt");
    assert!(
        text.contains("<<<<<<<")
            && text.contains("B-team")
            && text.contains("B-template")
            && text.contains(">>>>>>>"),
        "{text}"
    );
    assert!(
        env.git(&["status"]).contains("git merge --abort"),
        "git sees a merge in progress"
    );
    env.git(&["merge", "--abort"]);
    assert_eq!(
        env.snapshot(),
        before,
        "merge --abort restores the previous state exactly"
    );
}

#[test]
fn deletions_by_team_and_template() {
    let env = Env::generated(&[]);
    // The team deletes a file the template never changes, and one the template changes;
    // and changes a file the template removes.
    env.git(&["rm", "-q", "teamdeletes.txt", "moddel.txt"]);
    env.write("removed.txt", "team changed this\n");
    env.git(&["commit", "-qam", "team deletes"]);
    let out = env.upgrade("v2", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        !env.exists("teamdeletes.txt"),
        "a file the team deleted stays deleted when the template did not change it"
    );
    let status = env.git(&["status", "--porcelain"]);
    assert!(
        status.contains("DU moddel.txt"),
        "modify/delete conflict: {status}"
    );
    assert!(
        status.contains("UD removed.txt"),
        "template removed a file the team changed: conflict: {status}"
    );
    assert_eq!(
        env.read("removed.txt"),
        "team changed this\n",
        "the team's version is kept"
    );
    let plan = stdout(&out);
    assert!(
        plan.contains("moddel.txt (changed by the template, deleted by the team)"),
        "{plan}"
    );
    assert!(
        plan.contains("removed.txt (removed by the template, changed by the team)"),
        "{plan}"
    );
}

#[test]
fn set_changes_an_answer_and_the_new_files_arrive() {
    let env = Env::generated(&[]);
    assert!(!env.exists("redis.tf"));
    let out = env.upgrade("v2", &["--set", "datastores=redis"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.read("redis.tf"), "resource \"x\" \"svc-one\" {}\n");
    assert!(env.read(".newsvc.yml").contains("- redis"));
}

#[test]
fn same_version_with_changed_answer_is_an_upgrade_too() {
    let env = Env::generated(&[]);
    let out = env.upgrade("v1", &["--set", "datastores=redis"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.exists("redis.tf"));
    let out = env.upgrade("v1", &[]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("nothing to do"), "{}", stdout(&out));
}

#[test]
fn second_upgrade_uses_the_previous_pristine_as_base() {
    let env = Env::generated(&[]);
    env.write("overlap.txt", "a\nB-team\nc\n");
    env.git(&["commit", "-qam", "team edit"]);
    assert_eq!(env.upgrade("v2", &[]).status.code(), Some(1));
    env.write("overlap.txt", "a\nB-team\nc\n");
    env.git(&["add", "overlap.txt"]);
    env.git(&["commit", "-qm", "resolve"]);
    let out = env.upgrade("v3", &[]);
    assert!(
        out.status.success(),
        "no repeated conflict from v1 → v2: {}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("mini@2.0.0"),
        "base is the v2 pristine: {}",
        stderr(&out)
    );
    assert_eq!(env.read("overlap.txt"), "a\nB-team\nc\n");
    assert!(env.read("added.txt").contains("v3 line"));
    assert!(env.exists("v3-only.txt"));
}

#[test]
fn upgrade_after_a_squash_merge_falls_back_to_a_re_render() {
    let env = Env::generated(&[]);
    env.write(
        "shared.txt",
        "TEAM line1\nline2\nline3\nline4\nline5\nline6\nline7\nline8\n",
    );
    env.git(&["commit", "-qam", "team edit"]);
    let team = env.git(&["rev-parse", "HEAD"]);
    assert!(env.upgrade("v2", &[]).status.success());
    // Squash the upgrade: one commit with the merged tree, on top of the team's commit only.
    let tree = env.git(&["rev-parse", "HEAD^{tree}"]);
    let squashed = env.git(&[
        "commit-tree",
        tree.trim(),
        "-p",
        team.trim(),
        "-m",
        "Upgrade to v2 (squashed)",
    ]);
    env.git(&["reset", "-q", "--hard", squashed.trim()]);
    let out = env.upgrade("v3", &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("re-rendered"),
        "reports which base it used: {}",
        stderr(&out)
    );
    assert!(env.read("shared.txt").contains("TEAM line1"));
    assert!(env.exists("v3-only.txt"));
}

#[test]
fn refusals_leave_the_repo_untouched() {
    let env = Env::generated(&[]);
    let before = env.snapshot();
    // Unknown --set key.
    let out = env.upgrade("v2", &["--set", "colour=red"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown question `colour`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot(), before);
    // Downgrade.
    assert!(env.upgrade("v2", &[]).status.success());
    let before = env.snapshot();
    let out = env.upgrade("v1", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("older than the recorded 2.0.0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot(), before);
    // Dirty tree.
    env.write("shared.txt", "dirty\n");
    env.write("untracked.txt", "new\n");
    let before = env.snapshot();
    let out = env.upgrade("v3", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("shared.txt") && stderr(&out).contains("untracked.txt"),
        "lists the files: {}",
        stderr(&out)
    );
    assert_eq!(env.snapshot(), before);
    // Missing .newsvc.yml.
    env.git(&["checkout", "-q", "--", "shared.txt"]);
    std::fs::remove_file(env.repo().join("untracked.txt")).unwrap();
    env.git(&["rm", "-q", ".newsvc.yml"]);
    env.git(&["commit", "-qm", "drop record"]);
    let before = env.snapshot();
    let out = env.upgrade("v3", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no .newsvc.yml") && stderr(&out).contains("newsvc adopt"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn dry_run_prints_the_plan_and_changelog_and_touches_nothing() {
    let env = Env::generated(&[]);
    env.write("overlap.txt", "a\nB-team\nc\n");
    env.git(&["commit", "-qam", "team edit"]);
    let objects_before = walkdir::WalkDir::new(env.repo().join(".git"))
        .into_iter()
        .count();
    let before = env.snapshot();
    let out = env.upgrade("v3", &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan = stdout(&out);
    for expected in [
        "added                  added.txt",
        "removed                removed.txt",
        "conflict               overlap.txt",
        "updated                moddel.txt",
        "unchanged-by-template",
        "## [2.1.0]",
        "## [2.0.0]",
    ] {
        assert!(plan.contains(expected), "missing `{expected}` in:\n{plan}");
    }
    assert!(
        !plan.contains("## [1.0.0]"),
        "only entries after the recorded version:\n{plan}"
    );
    assert_eq!(env.snapshot(), before);
    assert_eq!(
        walkdir::WalkDir::new(env.repo().join(".git"))
            .into_iter()
            .count(),
        objects_before,
        "no object written"
    );
}

#[test]
fn no_commit_stages_the_merge() {
    let env = Env::generated(&[]);
    let head = env.git(&["rev-parse", "HEAD"]);
    let out = env.upgrade("v2", &["--no-commit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head, "nothing committed");
    let status = env.git(&["status", "--porcelain"]);
    assert!(
        status.contains("A  added.txt") && status.contains("D  removed.txt"),
        "{status}"
    );
    env.git(&["commit", "-qm", "conclude"]);
    assert_eq!(
        env.git(&["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count(),
        3,
        "concluded as a merge"
    );
}

#[test]
fn status_check_and_json() {
    let env = Env::generated(&[]);
    let v2 = Env::fixture("v2");
    let behind = env.newsvc(&[
        "status",
        "svc",
        "--template",
        v2.to_str().unwrap(),
        "--check",
    ]);
    assert_eq!(behind.status.code(), Some(1), "{}", stderr(&behind));
    assert!(stdout(&behind).contains("due (1.0.0 → 2.0.0)"));
    let current = env.newsvc(&["status", "svc", "--check", "--format", "json"]);
    assert_eq!(current.status.code(), Some(0), "{}", stderr(&current));
    let json: serde_json::Value = serde_json::from_slice(&current.stdout).unwrap();
    assert_eq!(json["recorded_version"], "1.0.0");
    assert_eq!(json["upgrade_due"], false);
    assert_eq!(json["customised_files"], 0);
}

#[test]
fn diff_shows_the_team_customisations() {
    let env = Env::generated(&[]);
    env.write("overlap.txt", "a\nB-team\nc\n");
    env.git(&["commit", "-qam", "team edit"]);
    let out = env.newsvc(&["diff", "svc"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(diff.contains("-b\n+B-team"), "{diff}");
    assert!(
        !diff.contains("shared.txt"),
        "unchanged files are not shown: {diff}"
    );
}

#[test]
fn adopt_changes_no_team_file_and_the_next_upgrade_merges() {
    let env = Env::new();
    // A hand-made repository: the v1 files, with the team's own edits and files.
    let repo = env.repo();
    std::fs::create_dir_all(&repo).unwrap();
    for f in [
        "moddel.txt",
        "overlap.txt",
        "removed.txt",
        "shared.txt",
        "teamdeletes.txt",
    ] {
        std::fs::copy(Env::fixture("v1").join("files").join(f), repo.join(f)).unwrap();
    }
    env.write(
        "shared.txt",
        "TEAM line1\nline2\nline3\nline4\nline5\nline6\nline7\nline8\n",
    );
    env.write("own.txt", "the team's own file\n");
    let init = Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .env("HOME", env.tmp.path().join("home"))
        .status()
        .unwrap();
    assert!(init.success());
    env.git(&["add", "."]);
    env.git(&["commit", "-qm", "hand-made"]);
    let before: Vec<(String, String)> = [
        "moddel.txt",
        "overlap.txt",
        "removed.txt",
        "shared.txt",
        "teamdeletes.txt",
        "own.txt",
    ]
    .iter()
    .map(|f| ((*f).to_string(), env.read(f)))
    .collect();
    let v1 = Env::fixture("v1");
    let out = env.newsvc(&[
        "adopt",
        "svc",
        "--template",
        v1.to_str().unwrap(),
        "--defaults",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("service_name = svc"),
        "inferred from the folder: {}",
        stderr(&out)
    );
    let after: Vec<(String, String)> = before
        .iter()
        .map(|(f, _)| (f.clone(), env.read(f)))
        .collect();
    assert_eq!(before, after, "adopt changes no file of the team's");
    assert_eq!(env.git(&["status", "--porcelain"]), "");
    assert!(env.read(".newsvc.yml").contains("name: mini"));
    let out = env.upgrade("v2", &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        env.read("shared.txt").contains("TEAM line1")
            && env.read("shared.txt").contains("template-v2")
    );
    assert!(env.exists("added.txt") && env.exists("own.txt"));
}
