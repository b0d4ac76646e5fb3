//! The default template's committed snapshots (`tests/snapshots/service/`,
//! one folder per case of `templates/service/template.yaml`) must match what
//! the template renders today. They live outside `templates/` because that
//! folder is compiled into the binary.
//!
//! When this fails after an intended template change, refresh and review:
//!
//! ```text
//! cargo run -- snapshot update --template templates/service --dir tests/snapshots/service
//! git diff tests/snapshots/service
//! ```

use std::path::Path;
use std::process::Command;

use crate::{World, run};

const REFRESH: &str =
    "cargo run -- snapshot update --template templates/service --dir tests/snapshots/service";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_default_template_matches_its_committed_snapshots() {
    let w = World::new();
    let ran = run(w
        .newsvc(&[
            "snapshot",
            "check",
            "--template",
            "templates/service",
            "--dir",
            "tests/snapshots/service",
        ])
        .current_dir(root()));
    assert!(
        ran.code == 0,
        "the default template's snapshots drifted (exit {}).\n\
         If the change is intended, refresh them and review the diff:\n\n    {REFRESH}\n    git diff tests/snapshots/service\n\n\
         --- stdout\n{}\n--- stderr\n{}",
        ran.code,
        ran.stdout,
        ran.stderr
    );
    assert!(
        ran.stdout
            .contains("identical to the snapshots in tests/snapshots/service"),
        "{}",
        ran.stdout
    );
}

#[test]
fn the_built_in_copy_matches_the_same_snapshots() {
    // Snapshots record the template by name, so the embedded copy of
    // templates/service (as compiled into this binary) checks against them too.
    let w = World::new();
    let ran = run(w
        .newsvc(&[
            "snapshot",
            "check",
            "--template",
            "service",
            "--dir",
            "tests/snapshots/service",
        ])
        .current_dir(root()));
    assert_eq!(
        ran.code, 0,
        "refresh with `{REFRESH}`\n{}\n{}",
        ran.stdout, ran.stderr
    );
}

#[test]
fn every_case_is_committed_and_no_snapshot_file_is_ignored_by_git() {
    let cases_dir = root().join("tests/snapshots/service");
    let manifest = std::fs::read_to_string(root().join("templates/service/template.yaml")).unwrap();
    let doc: serde_norway::Value = serde_norway::from_str(&manifest).unwrap();
    let cases = doc["cases"]
        .as_sequence()
        .expect("the default template declares cases");
    assert!(
        cases.len() >= 16,
        "every language x kind x exposure/trigger, plus datastore cases"
    );
    for case in cases {
        let name = case["name"].as_str().unwrap();
        assert!(
            cases_dir.join(name).join(".newsvc.yml").is_file(),
            "case `{name}` has no committed snapshot; run `{REFRESH}`"
        );
    }
    // A rendered repository brings its own .gitignore; a snapshot file it
    // ignores would never reach the repository and CI would see it missing.
    if !root().join(".git").exists() {
        return;
    }
    let files = crate::files_under(&cases_dir);
    let mut child = Command::new("git")
        .args(["check-ignore", "--no-index", "--stdin"])
        .current_dir(&cases_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run git");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for f in &files {
            writeln!(stdin, "{f}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let ignored = String::from_utf8_lossy(&out.stdout);
    assert!(
        ignored.trim().is_empty(),
        "git ignores these snapshot files, so they cannot be committed:\n{ignored}"
    );
}
