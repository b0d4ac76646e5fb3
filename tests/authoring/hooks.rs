//! Template hooks in `newsvc new`: skipped (and said so) unless trusted by
//! `--trust` or the user config; run in the staged repository before it is
//! moved into place; a failing hook leaves nothing behind.

use crate::{World, files_under, git, run};

fn manifest(hooks: &str) -> String {
    format!(
        "name: hooked\nversion: 1.0.0\nquestions:\n  - name: service_name\n    type: string\n    validate: service_name\ncases:\n  - name: one\n    answers: {{service_name: hooked-svc}}\nhooks:\n{hooks}"
    )
}

const HOOKS: &str = r#"  - run: echo "made by a hook for $NEWSVC_ANSWER_SERVICE_NAME in $(basename "$PWD")" > hook.txt
    description: writes hook.txt
  - run: touch never.txt
    when: service_name == "nobody"
"#;

fn world(hooks: &str) -> World {
    let w = World::new();
    w.template(
        "tpl",
        &manifest(hooks),
        &[("README.md", "# {{ service_name }}\n")],
    );
    w
}

fn new(w: &World, extra: &[&str]) -> crate::Ran {
    let mut args = vec![
        "new",
        "hooked-svc",
        "--template",
        "../tpl",
        "--defaults",
        "-o",
        "out",
    ];
    args.extend_from_slice(extra);
    run(w.newsvc(&args))
}

#[test]
fn hooks_are_skipped_without_trust_and_the_user_is_told_how_to_trust() {
    let w = world(HOOKS);
    let ran = new(&w, &["--no-git"]).expect(0);
    let tpl = w.path("tpl").canonicalize().unwrap();
    let expected = format!(
        "skipped 1 hook of this template: its source `{}` is not trusted to run commands on this machine:\n  - echo \"made by a hook for $NEWSVC_ANSWER_SERVICE_NAME in $(basename \"$PWD\")\" > hook.txt  (writes hook.txt)\nto run them, read them and then pass --trust, or add the source (or a prefix of it) to `trusted_sources:` in {}",
        tpl.display(),
        w.path("config/newsvc/config.yaml").display()
    );
    assert!(ran.stderr.contains(&expected), "{}", ran.stderr);
    assert_eq!(
        files_under(&w.path("work/out")),
        vec![".newsvc.yml", "README.md"]
    );
}

#[test]
fn trusted_hooks_run_in_the_staged_repository_and_their_changes_are_a_second_commit() {
    let w = world(HOOKS);
    let ran = new(&w, &["--trust"]).expect(0);
    assert!(ran.stderr.contains("running hook: echo"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("skipped"), "{}", ran.stderr);
    let hook_txt = std::fs::read_to_string(w.path("work/out/hook.txt")).unwrap();
    // it ran in the staging folder (a hidden sibling), not in the final one
    assert!(
        hook_txt.starts_with("made by a hook for hooked-svc in .newsvc-staging-"),
        "{hook_txt}"
    );
    assert!(
        !w.path("work/out/never.txt").exists(),
        "its `when` is false"
    );

    let out = w.path("work/out");
    let log = git(&out, &["log", "--format=%s", "--name-only"]);
    assert!(
        log.starts_with("Run the template's hooks\n\nhook.txt\n"),
        "{log}"
    );
    assert_eq!(
        git(&out, &["show", "--format=", "--name-only", "HEAD~1"]),
        ".newsvc.yml\nREADME.md",
        "the pristine commit is the render only"
    );
    assert_eq!(
        git(&out, &["status", "--porcelain"]),
        "",
        "nothing left uncommitted"
    );
}

#[test]
fn a_trusted_source_prefix_in_the_user_config_runs_hooks_without_the_flag() {
    let w = world(HOOKS);
    let prefix = w.path("").canonicalize().unwrap();
    w.write(
        "config/newsvc/config.yaml",
        &format!("trusted_sources:\n  - {}\n", prefix.display()),
    );
    new(&w, &["--no-git"]).expect(0);
    assert!(w.path("work/out/hook.txt").is_file());
}

#[test]
fn a_failing_hook_aborts_with_its_output_and_leaves_no_output_folder() {
    let w = world(
        "  - run: echo made >> made.txt\n  - run: 'echo \"boom: cannot resolve deps\" >&2; exit 3'\n  - run: touch after.txt\n",
    );
    let ran = new(&w, &["--trust"]).expect(2);
    assert!(
        ran.stderr.contains("error: hook `echo \"boom: cannot resolve deps\" >&2; exit 3` failed (exit status: 3); nothing was written. Its output:\nboom: cannot resolve deps"),
        "{}",
        ran.stderr
    );
    assert!(
        !w.path("work/out").exists(),
        "the output folder must not exist"
    );
    assert_eq!(
        std::fs::read_dir(w.path("work")).unwrap().count(),
        0,
        "no staging folder is left behind"
    );
}

#[test]
fn hook_outputs_reach_an_existing_folder_with_force() {
    let w = world(HOOKS);
    w.write("work/out/KEEP.md", "the team's file\n");
    new(&w, &["--trust", "--force", "--no-git"]).expect(0);
    assert_eq!(
        files_under(&w.path("work/out")),
        vec![".newsvc.yml", "KEEP.md", "README.md", "hook.txt"]
    );
}

#[test]
fn dry_run_says_which_hooks_would_run() {
    let w = world(HOOKS);
    let ran = new(&w, &["--dry-run"]).expect(0);
    assert!(
        ran.stdout
            .contains("would skip (untrusted source) hook: echo"),
        "{}",
        ran.stdout
    );
    let ran = new(&w, &["--dry-run", "--trust"]).expect(0);
    assert!(
        ran.stdout.contains("would run hook: echo"),
        "{}",
        ran.stdout
    );
    assert!(!w.path("work/out").exists());
}

#[test]
fn interrupted_during_a_hook_it_removes_the_staging_folder_and_the_folders_made_above() {
    // The hook outlives the interrupt: only newsvc gets the signal, so its
    // Ctrl-C handler (not the hook's failure) does the cleaning.
    let w = world("  - run: touch started.txt; sleep 5\n");
    let child = w
        .newsvc_process(&[
            "new",
            "hooked-svc",
            "--template",
            "../tpl",
            "--defaults",
            "--no-git",
            "--trust",
            "-o",
            "made/above/out",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staged_hook_started = || {
        std::fs::read_dir(w.path("work/made/above")).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().join("started.txt").exists())
        })
    };
    let waited = std::time::Instant::now();
    while !staged_hook_started() {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(30),
            "the hook never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; nothing was written"),
        "{stderr}"
    );
    assert!(
        !w.path("work/made").exists(),
        "the folders made for the output are removed too"
    );
}
