//! `newsvc fleet` over a fleet of 50 generated repositories: every outcome
//! of `fleet upgrade`, no checked-out branch or working tree touched, the
//! merges on the upgrade branches, idempotence, `fleet status`, and the
//! HTML scorecard loaded in headless Chromium.

mod common;

use common::newsvc_bin;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Fleet {
    tmp: tempfile::TempDir,
    repos: Vec<PathBuf>,
}

const NOTE: &str = "Template 1.1.0 note.";

fn newsvc(tmp: &Path, args: &[&str]) -> Output {
    Command::new(newsvc_bin())
        .args(args)
        .current_dir(tmp)
        .env("HOME", tmp.join("home"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("NO_COLOR", "1")
        .env("NEWSVC_TODAY", "2026-11-30")
        .env_remove("NEWSVC_TEMPLATE")
        .output()
        .unwrap()
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The template v1.0.0 (this repository's) and a v1.1.0 copy that appends a
/// line to README.md.
fn templates(tmp: &Path) -> (PathBuf, PathBuf) {
    let v1 = tmp.join("tpl-1.0");
    let v2 = tmp.join("tpl-1.1");
    for (dir, version) in [(&v1, None), (&v2, Some("1.1.0"))] {
        for entry in walkdir::WalkDir::new(common::default_template_dir())
            .into_iter()
            .filter_map(Result::ok)
        {
            let rel = entry
                .path()
                .strip_prefix(common::default_template_dir())
                .unwrap();
            let to = dir.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        if let Some(v) = version {
            let manifest = std::fs::read_to_string(dir.join("template.yaml")).unwrap();
            let bumped = manifest.replacen(
                &format!("version: {}", current_version(&manifest)),
                &format!("version: {v}"),
                1,
            );
            std::fs::write(dir.join("template.yaml"), bumped).unwrap();
            let readme = dir.join("files/README.md");
            let text = std::fs::read_to_string(&readme).unwrap();
            std::fs::write(&readme, format!("{text}\n{NOTE}\n")).unwrap();
        }
    }
    (v1, v2)
}

fn current_version(manifest: &str) -> String {
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version: "))
        .unwrap()
        .trim()
        .to_string()
}

/// What each repository is made to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Behind,
    LocalEdit,
    Current,
    Dirty,
    NotNewsvc,
    Conflicting,
}

fn build() -> (Fleet, BTreeMap<PathBuf, Role>) {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Team\n\temail = team@example.com\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let (v1, v2) = templates(tmp.path());
    let langs = ["python", "java", "scala", "rust"];
    let shapes: [&[&str]; 4] = [
        &["--kind", "web"],
        &["--kind", "web", "--set", "exposure=external"],
        &["--kind", "worker"],
        &["--kind", "worker", "--set", "trigger=cron"],
    ];
    let mut roles = BTreeMap::new();
    let mut repos = Vec::new();
    for i in 0..50 {
        let role = match i {
            0..=9 => Role::LocalEdit,
            10..=14 => Role::Current,
            15 => Role::Dirty,
            16 => Role::NotNewsvc,
            17 => Role::Conflicting,
            _ => Role::Behind,
        };
        let name = format!("svc-{i:02}");
        let dir = tmp.path().join("repos").join(&name);
        if role == Role::NotNewsvc {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("README.md"), "hand-made\n").unwrap();
            git(&dir, &home, &["init", "-q"]);
            git(&dir, &home, &["add", "."]);
            git(&dir, &home, &["commit", "-qm", "hand-made"]);
        } else {
            let template = if role == Role::Current { &v2 } else { &v1 };
            let mut args = vec![
                "new",
                name.as_str(),
                "--template",
                template.to_str().unwrap(),
                "--defaults",
                "--set",
                "owner=payments",
                "--lang",
                langs[i % 4],
                "-o",
            ];
            let out_dir = dir.to_str().unwrap().to_string();
            args.push(&out_dir);
            args.extend_from_slice(shapes[(i / 4) % 4]);
            let out = newsvc(tmp.path(), &args);
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        match role {
            Role::LocalEdit => {
                let f = dir.join(".editorconfig");
                let text = std::fs::read_to_string(&f).unwrap();
                std::fs::write(&f, format!("# team setting\n{text}")).unwrap();
                git(&dir, &home, &["commit", "-qam", "team edit"]);
            }
            Role::Conflicting => {
                let f = dir.join("README.md");
                let text = std::fs::read_to_string(&f).unwrap();
                std::fs::write(&f, format!("{text}\nThe team's own closing line.\n")).unwrap();
                git(
                    &dir,
                    &home,
                    &["commit", "-qam", "team edit at the end of the README"],
                );
            }
            Role::Dirty => std::fs::write(dir.join("scratch.txt"), "uncommitted\n").unwrap(),
            _ => {}
        }
        roles.insert(dir.clone(), role);
        repos.push(dir);
    }
    (Fleet { tmp, repos }, roles)
}

/// Every file outside .git, HEAD, the checked-out branch and the status.
fn state(dir: &Path, home: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.push((
        "HEAD".into(),
        git(dir, home, &["rev-parse", "HEAD"]).into_bytes(),
    ));
    out.push((
        "branch".into(),
        git(dir, home, &["symbolic-ref", "HEAD"]).into_bytes(),
    ));
    out.push((
        "status".into(),
        git(dir, home, &["status", "--porcelain"]).into_bytes(),
    ));
    out.push((
        "index".into(),
        git(dir, home, &["ls-files", "--stage"]).into_bytes(),
    ));
    out
}

#[test]
fn fleet_upgrade_status_grade_and_scorecard() {
    let (fleet, roles) = build();
    let tmp = fleet.tmp.path();
    let home = tmp.join("home");
    let v2 = tmp.join("tpl-1.1");
    let before: Vec<_> = fleet.repos.iter().map(|r| state(r, &home)).collect();
    let list = tmp.join("fleet.txt");
    let listing: String = fleet
        .repos
        .iter()
        .map(|r| r.strip_prefix(tmp).unwrap().display().to_string() + "\n")
        .collect();
    std::fs::write(&list, format!("# the whole fleet\n{listing}")).unwrap();

    // Status: behind vs current, with owners.
    let out = newsvc(
        tmp,
        &[
            "fleet",
            "status",
            "--list",
            list.to_str().unwrap(),
            "--template",
            v2.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "behind repos → exit 1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status.len(), 50);
    for row in &status {
        let role = roles[&PathBuf::from(row["repo"].as_str().unwrap())];
        let expected = match role {
            Role::Current => "current",
            Role::NotNewsvc => "failed",
            _ => "behind",
        };
        assert_eq!(row["state"], expected, "{row}");
    }

    // Upgrade.
    let args = [
        "fleet",
        "upgrade",
        "--list",
        list.to_str().unwrap(),
        "--template",
        v2.to_str().unwrap(),
        "--format",
        "json",
        "--jobs",
        "2",
    ];
    let out = newsvc(tmp, &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a conflict → exit 1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 50);
    for row in &rows {
        let repo = PathBuf::from(row["repo"].as_str().unwrap());
        let role = roles[&repo];
        let expected = match role {
            Role::Behind | Role::LocalEdit => "upgraded",
            Role::Current => "up-to-date",
            Role::Dirty | Role::NotNewsvc => "skipped",
            Role::Conflicting => "conflicts",
        };
        assert_eq!(row["outcome"], expected, "{role:?}: {row}");
        if role == Role::Conflicting {
            assert_eq!(row["conflicts"], serde_json::json!(["README.md"]), "{row}");
        }
        if matches!(role, Role::Dirty | Role::NotNewsvc) {
            assert!(
                !row["detail"].as_str().unwrap().is_empty(),
                "a skip says why: {row}"
            );
        }
    }
    // The sorted summary puts what needs people first.
    assert_eq!(rows[0]["outcome"], "conflicts");

    // No checked-out branch or working tree changed.
    let after: Vec<_> = fleet.repos.iter().map(|r| state(r, &home)).collect();
    assert!(
        before == after,
        "fleet upgrade changed a working tree or checked-out branch"
    );

    // The upgrade branches hold the expected merges.
    for (repo, role) in &roles {
        let git_repo = git2::Repository::open(repo).unwrap();
        let branch = git_repo.find_branch("newsvc/upgrade-1.1.0", git2::BranchType::Local);
        if !matches!(role, Role::Behind | Role::LocalEdit) {
            assert!(
                branch.is_err(),
                "{role:?} {} must have no upgrade branch",
                repo.display()
            );
            continue;
        }
        let tip = branch.unwrap().get().peel_to_commit().unwrap();
        let head = git_repo.head().unwrap().peel_to_commit().unwrap();
        assert_eq!(tip.parent_count(), 2);
        assert_eq!(
            tip.parent_id(0).unwrap(),
            head.id(),
            "first parent: the team's branch"
        );
        let pristine = tip.parent(1).unwrap();
        assert!(
            pristine
                .message()
                .unwrap()
                .contains("Newsvc-Template: service@1.1.0")
        );
        let tree = tip.tree().unwrap();
        let blob = |path: &str| {
            String::from_utf8(
                git_repo
                    .find_blob(tree.get_path(Path::new(path)).unwrap().id())
                    .unwrap()
                    .content()
                    .to_vec(),
            )
            .unwrap()
        };
        assert!(
            blob("README.md").contains(NOTE),
            "the template change arrived"
        );
        assert!(blob(".newsvc.yml").contains("version: 1.1.0"));
        if *role == Role::LocalEdit {
            assert!(
                blob(".editorconfig").starts_with("# team setting\n"),
                "the local edit is kept"
            );
        }
    }

    // Idempotence: a second run reports the existing branches.
    let out = newsvc(tmp, &args);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    for row in &rows {
        let role = roles[&PathBuf::from(row["repo"].as_str().unwrap())];
        if matches!(role, Role::Behind | Role::LocalEdit) {
            assert_eq!(row["outcome"], "exists", "{row}");
        }
    }
    let text = newsvc(tmp, &args[..args.len() - 4]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("push -u origin newsvc/upgrade-1.1.0"),
        "ends with the push command"
    );

    // Grade and the scorecard page.
    let html = tmp.join("scorecard.html");
    let out = newsvc(
        tmp,
        &[
            "fleet",
            "grade",
            "--list",
            list.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let graded: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(graded.len(), 50);
    let with_report = graded.iter().filter(|g| !g["report"].is_null()).count();
    assert_eq!(
        with_report, 49,
        "all but the hand-made repository are graded"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("src=\"http") && !page.contains("<link") && !page.contains("<script src"),
        "self-contained: no external assets"
    );
    assert_eq!(page.matches("<tr data-owner=").count(), 50);

    if let Some(chromium) = common::tool("chromium") {
        let profile = tmp.join("chromium-profile");
        let url = format!("file://{}", html.display());
        let flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--enable-logging=stderr",
            "--v=0",
        ];
        let dom = Command::new(&chromium)
            .args(flags)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .unwrap();
        let dumped = String::from_utf8_lossy(&dom.stdout);
        let log = String::from_utf8_lossy(&dom.stderr);
        assert!(
            dumped.contains("data-ready=\"yes\""),
            "the inline script ran to the end:\n{log}"
        );
        assert!(!log.contains("Uncaught"), "script errors:\n{log}");
        assert_eq!(
            dumped.matches("<tr data-owner=").count(),
            50,
            "one row per service"
        );
        let png = tmp.join("scorecard.png");
        let shot = Command::new(&chromium)
            .args(flags)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=1400,1000")
            .arg(&url)
            .output()
            .unwrap();
        assert!(
            png.exists(),
            "screenshot written: {}",
            String::from_utf8_lossy(&shot.stderr)
        );
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
        if let Ok(dir) = std::env::var("NEWSVC_ARTIFACTS") {
            let _ = std::fs::copy(&png, Path::new(&dir).join("scorecard.png"));
        }
    }
}

#[test]
fn fleet_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let no_repos = newsvc(tmp.path(), &["fleet", "status"]);
    assert_eq!(no_repos.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_repos.stderr).contains("no repositories"));
    let missing_list = newsvc(tmp.path(), &["fleet", "status", "--list", "nope.txt"]);
    assert_eq!(missing_list.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing_list.stderr).contains("nope.txt"));
    let zero_jobs = newsvc(tmp.path(), &["fleet", "status", ".", "--jobs", "0"]);
    assert_eq!(zero_jobs.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero_jobs.stderr).contains("--jobs must be at least 1"));
    let bad_today = newsvc(tmp.path(), &["fleet", "grade", ".", "--today", "yesterday"]);
    assert_eq!(bad_today.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_today.stderr).contains("invalid --today"));
}
