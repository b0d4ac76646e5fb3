//! `newsvc snapshot check|update` on a small template built for the test.

use crate::{World, files_under, is_executable, run, set_executable};

const MANIFEST: &str = r#"name: demo
version: 1.0.0
questions:
  - name: service_name
    type: string
    validate: service_name
  - name: kind
    type: choice
    choices: [web, worker]
    default: web
files:
  - path: "**/*.sh"
    executable: true
  - path: web.txt
    when: kind == "web"
cases:
  - name: web
    answers: {service_name: demo-web}
  - name: worker
    answers: {service_name: demo-worker, kind: worker}
"#;

const README: &str = "# {{ service_name }}\n\nKind: {{ kind }}.\nLine four.\n";

/// A world with the demo template at `tpl/` and its snapshots in `snaps/`.
fn demo() -> World {
    let w = World::new();
    w.template(
        "tpl",
        MANIFEST,
        &[
            ("README.md", README),
            ("run.sh", "#!/bin/sh\necho {{ service_name }}\n"),
            ("web.txt", "web only\n"),
        ],
    );
    run(w.newsvc(&[
        "snapshot",
        "update",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
    .expect(0);
    w
}

fn check(w: &World) -> crate::Ran {
    run(w.newsvc(&[
        "snapshot",
        "check",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
}

#[test]
fn update_writes_every_case_with_modes_and_a_stable_record_then_check_passes() {
    let w = World::new();
    w.template(
        "tpl",
        MANIFEST,
        &[
            ("README.md", README),
            ("run.sh", "#!/bin/sh\n"),
            ("web.txt", "web only\n"),
        ],
    );
    let ran = run(w.newsvc(&[
        "snapshot",
        "update",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
    .expect(0);
    assert!(
        ran.stdout.contains("web: created (4 files)"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("worker: created (3 files)"),
        "{}",
        ran.stdout
    );
    assert_eq!(
        files_under(&w.path("snaps/web")),
        vec![".newsvc.yml", "README.md", "run.sh", "web.txt"]
    );
    assert_eq!(
        files_under(&w.path("snaps/worker")),
        vec![".newsvc.yml", "README.md", "run.sh"]
    );
    assert!(is_executable(&w.path("snaps/web/run.sh")));
    assert!(!is_executable(&w.path("snaps/web/README.md")));
    let record = std::fs::read_to_string(w.path("snaps/worker/.newsvc.yml")).unwrap();
    assert!(record.contains("  source: demo\n"), "{record}");
    assert!(
        !record.contains(&w.path("").display().to_string()),
        "machine path in the snapshot: {record}"
    );
    assert!(record.contains("kind: worker"), "{record}");

    let ran = check(&w).expect(0);
    assert_eq!(
        ran.stdout.trim(),
        "2 cases, 7 files: identical to the snapshots in ../snaps"
    );
}

#[test]
fn a_one_line_template_change_is_drift_with_its_unified_diff_until_updated() {
    let w = demo();
    w.write(
        "tpl/files/README.md",
        &README.replace("Kind: {{ kind }}.", "Kind of service: {{ kind }}."),
    );
    let ran = check(&w).expect(1);
    let expected_web = "web: 1 changed
  changed  README.md
--- a/web/README.md
+++ b/web/README.md
@@ -1,4 +1,4 @@
 # demo-web
 
-Kind: web.
+Kind of service: web.
 Line four.
";
    assert!(ran.stdout.contains(expected_web), "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("-Kind: worker.\n+Kind of service: worker.\n"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("snapshot drift in 2 of 2 cases"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("newsvc snapshot update --template ../tpl --dir ../snaps"),
        "{}",
        ran.stdout
    );
    // check changes nothing
    assert_eq!(
        std::fs::read_to_string(w.path("snaps/web/README.md")).unwrap(),
        "# demo-web\n\nKind: web.\nLine four.\n"
    );

    let ran = run(w.newsvc(&[
        "snapshot",
        "update",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
    .expect(0);
    assert!(
        ran.stdout
            .contains("web: updated (1 changed)\n  changed  README.md"),
        "{}",
        ran.stdout
    );
    assert_eq!(
        std::fs::read_to_string(w.path("snaps/web/README.md")).unwrap(),
        "# demo-web\n\nKind of service: web.\nLine four.\n"
    );
    check(&w).expect(0);
}

#[test]
fn update_removes_stale_case_folders_and_stale_files() {
    let w = demo();
    w.write("snaps/retired-case/README.md", "old\n");
    w.write("snaps/retired-case/.newsvc.yml", "template: {}\n");
    w.write(
        "snaps/not-a-snapshot/keep.txt",
        "no .newsvc.yml: never touched\n",
    );
    w.write("snaps/web/docs/stale.md", "gone from the template\n");
    w.write(
        "snaps/notes.txt",
        "plain files beside the case folders are left alone\n",
    );
    let ran = check(&w).expect(1);
    assert!(
        ran.stdout.contains("retired-case: stale snapshot folder"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("web: 1 removed\n  removed  docs/stale.md\n"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("snapshot drift in 1 of 2 cases, 1 stale case folder"),
        "{}",
        ran.stdout
    );

    let ran = run(w.newsvc(&[
        "snapshot",
        "update",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
    .expect(0);
    assert!(
        ran.stdout.contains("retired-case: removed (stale"),
        "{}",
        ran.stdout
    );
    assert!(!w.path("snaps/retired-case").exists());
    assert!(
        !w.path("snaps/web/docs").exists(),
        "the emptied folder is removed too"
    );
    assert!(w.path("snaps/notes.txt").exists());
    assert!(w.path("snaps/not-a-snapshot/keep.txt").exists());
    check(&w).expect(0);
}

#[test]
fn added_files_missing_case_folders_and_executable_bits_are_drift() {
    let w = demo();
    w.write("tpl/files/CHANGES.md", "new file\n");
    set_executable(&w.path("snaps/worker/run.sh"), false);
    std::fs::remove_dir_all(w.path("snaps/web")).unwrap();
    let ran = check(&w).expect(1);
    assert!(
        ran.stdout
            .contains("web: no snapshot folder `../snaps/web` (5 files rendered)"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("worker: 1 changed, 1 added\n  added    CHANGES.md\n  changed  run.sh\n"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("mode worker/run.sh: executable not set in the snapshot, set in the render"),
        "{}",
        ran.stdout
    );

    run(w.newsvc(&[
        "snapshot",
        "update",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
    .expect(0);
    assert!(is_executable(&w.path("snaps/worker/run.sh")));
    check(&w).expect(0);
}

#[test]
fn diffs_are_coloured_only_for_a_colour_terminal_and_never_with_no_color() {
    let w = demo();
    w.write("tpl/files/README.md", "changed\n");
    // CLICOLOR_FORCE stands in for a colour terminal.
    let ran = run(w
        .newsvc(&[
            "snapshot",
            "check",
            "--template",
            "../tpl",
            "--dir",
            "../snaps",
        ])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1"))
    .expect(1);
    assert!(
        ran.stdout.contains("\u{1b}[32m+changed\u{1b}[0m"),
        "{:?}",
        ran.stdout
    );
    let ran = run(w
        .newsvc(&[
            "snapshot",
            "check",
            "--template",
            "../tpl",
            "--dir",
            "../snaps",
        ])
        .env("CLICOLOR_FORCE", "1"))
    .expect(1);
    assert!(
        !ran.stdout.contains('\u{1b}'),
        "NO_COLOR is set: {:?}",
        ran.stdout
    );
    let ran = check(&w).expect(1);
    assert!(
        !ran.stdout.contains('\u{1b}'),
        "not a terminal: {:?}",
        ran.stdout
    );
}

#[test]
fn case_selection_and_unknown_cases() {
    let w = demo();
    w.write("tpl/files/web.txt", "web changed\n");
    let ran = run(w.newsvc(&[
        "snapshot",
        "check",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
        "--case",
        "worker",
    ]))
    .expect(0);
    assert_eq!(
        ran.stdout.trim(),
        "1 case, 3 files: identical to the snapshots in ../snaps"
    );
    let ran = run(w.newsvc(&[
        "snapshot",
        "check",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
        "--case",
        "web",
    ]))
    .expect(1);
    assert!(
        ran.stdout.contains("--case web"),
        "the update hint keeps the selection: {}",
        ran.stdout
    );
    let ran = run(w.newsvc(&[
        "snapshot",
        "check",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
        "--case",
        "mobile",
    ]))
    .expect(2);
    assert!(
        ran.stderr
            .contains("`--case mobile`: template `demo` has no such case; its cases: web, worker"),
        "{}",
        ran.stderr
    );
}

#[test]
fn the_default_folder_is_beside_the_template_and_other_sources_need_dir() {
    let w = World::new();
    w.template("tpl", MANIFEST, &[("README.md", README)]);
    run(w.newsvc(&["snapshot", "update", "--template", "../tpl"])).expect(0);
    assert!(w.path("tpl/snapshots/web/README.md").is_file());
    // the snapshots beside template.yaml are not part of the template
    let ran = run(w.newsvc(&["snapshot", "check", "--template", "../tpl"])).expect(0);
    assert!(ran.stdout.starts_with("2 cases, 4 files"), "{}", ran.stdout);

    let ran = run(w.newsvc(&["snapshot", "check", "--template", "service"])).expect(2);
    assert!(
        ran.stderr.contains("give one with --dir DIR"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_case_with_invalid_answers_is_an_error_naming_the_case() {
    let w = World::new();
    w.template(
        "tpl",
        &MANIFEST.replace("{service_name: demo-web}", "{service_name: Demo_Web}"),
        &[("README.md", README)],
    );
    let ran = run(w.newsvc(&[
        "snapshot",
        "check",
        "--template",
        "../tpl",
        "--dir",
        "../snaps",
    ]))
    .expect(2);
    assert!(
        ran.stderr.contains(
            "case `web` of template `demo`: invalid answer for `service_name`: `Demo_Web`"
        ),
        "{}",
        ran.stderr
    );
    assert!(!w.path("snaps").exists());
}
