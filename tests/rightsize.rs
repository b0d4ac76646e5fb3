//! Acceptance tests of `newsvc rightsize` (issue 6) through the real binary:
//! a table of sizing cases, invalid inputs, and `--apply` rewriting an
//! environment's terraform.tfvars while keeping every other byte.

#[path = "common/bin.rs"]
mod bin;
use bin::newsvc_bin;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn newsvc(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(newsvc_bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The `result` line's new cpu and memory.
fn result(run: &Run) -> (u64, u64) {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("result"))
        .unwrap_or_else(|| panic!("no result line:\n{}\n{}", run.stdout, run.stderr));
    // result  cpu = 1024 → 512, memory = 2048 → 2048 (...)
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let cpu = numbers[1];
    let memory =
        if line.contains("memory = ") && line.split("memory = ").nth(1).unwrap().contains('→') {
            numbers[3]
        } else {
            numbers[2]
        };
    (cpu, memory)
}

#[test]
fn table_of_cases() {
    let dir = TempDir::new().unwrap();
    // (arguments, cpu, memory)
    let cases: &[(&[&str], u64, u64)] = &[
        // The talk's example: 1024 units at 30% with a 60% target → 512.
        (
            &["--cpu", "1024", "--cpu-util", "30", "--target", "60"],
            512,
            1024,
        ),
        (&["--cpu", "1024", "--cpu-util", "30"], 512, 1024),
        (&["--cpu", "512", "--cpu-util", "85"], 1024, 2048),
        (
            &[
                "--cpu",
                "256",
                "--cpu-util",
                "12.5",
                "--memory",
                "512",
                "--memory-util",
                "20",
            ],
            256,
            512,
        ),
        (
            &[
                "--cpu",
                "2048",
                "--cpu-util",
                "20",
                "--memory",
                "8192",
                "--memory-util",
                "30",
            ],
            1024,
            4096,
        ),
        (
            &[
                "--cpu",
                "1024",
                "--cpu-util",
                "30",
                "--memory",
                "8192",
                "--memory-util",
                "50",
                "--memory-target",
                "70",
            ],
            1024,
            6144,
        ),
        (&["--cpu", "4096", "--cpu-util", "95"], 4096, 8192),
        (
            &[
                "--cpu",
                "1024",
                "--cpu-util",
                "60%",
                "--target",
                "60%",
                "--memory",
                "2048",
                "--memory-util",
                "70%",
            ],
            1024,
            2048,
        ),
    ];
    for (args, cpu, memory) in cases {
        let mut all = vec!["rightsize"];
        all.extend_from_slice(args);
        let run = newsvc(dir.path(), &all);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(result(&run), (*cpu, *memory), "{args:?}:\n{}", run.stdout);
    }
    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "1024",
            "--cpu-util",
            "30",
            "--target",
            "60",
        ],
    );
    assert!(
        run.stdout
            .contains("cpu     1024 units × 30% used ÷ 60% target = 512 units → 512"),
        "the arithmetic is shown:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("expected utilisation after the change: cpu 60%"),
        "{}",
        run.stdout
    );
}

#[test]
fn invalid_inputs_exit_2_with_clear_errors() {
    let dir = TempDir::new().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--cpu", "1024", "--cpu-util", "0"],
            "invalid --cpu-util `0`: 0% means no load was observed",
        ),
        (
            &["--cpu", "1024", "--cpu-util", "130"],
            "invalid --cpu-util `130`: a utilisation above 100% is not possible",
        ),
        (
            &["--cpu", "1024", "--cpu-util", "30", "--target", "0"],
            "invalid --target `0`",
        ),
        (
            &["--cpu", "1024", "--cpu-util", "lots"],
            "invalid --cpu-util `lots`",
        ),
        (
            &["--cpu", "1000", "--cpu-util", "30"],
            "invalid --cpu `1000`: not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096",
        ),
        (
            &[
                "--cpu",
                "1024",
                "--cpu-util",
                "30",
                "--memory",
                "3000",
                "--memory-util",
                "50",
            ],
            "invalid --memory `3000` MiB: is not a Fargate memory size; with 1024 CPU units use one of 2048, 3072, 4096",
        ),
        (
            &[
                "--cpu",
                "256",
                "--cpu-util",
                "30",
                "--memory",
                "4096",
                "--memory-util",
                "50",
            ],
            "is not valid with 256 CPU units on Fargate",
        ),
        (
            &["--cpu", "1024", "--cpu-util", "30", "--memory", "2048"],
            "--memory needs --memory-util",
        ),
        (
            &["--cpu", "1024", "--cpu-util", "30", "--memory-util", "50"],
            "--memory-util needs --memory",
        ),
        (
            &[
                "--cpu",
                "1024",
                "--cpu-util",
                "30",
                "--memory",
                "2048",
                "--memory-util",
                "101",
            ],
            "invalid --memory-util `101`",
        ),
        (
            &["--cpu", "1024", "--cpu-util", "30", "--apply", "qa"],
            "terraform/qa/terraform.tfvars` does not exist",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["rightsize"];
        all.extend_from_slice(args);
        let run = newsvc(dir.path(), &all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(
            run.stderr.contains(expected),
            "{args:?}: expected `{expected}` in:\n{}",
            run.stderr
        );
    }
}

const TFVARS: &str = "# billing-api in dev: small and cheap, one task is enough.\n\
# Billing tags (mandatory on every resource).\n\
environment = \"dev\"\n\
owner       = \"payments\"\n\
\n\
# Task size, a valid Fargate pair: CPU units (1024 = 1 vCPU) and memory (MiB).\n\
cpu    = 1024 # raised for the launch\n\
memory = 2048\n\
\n\
min_count = 1   # keep\n";

fn repo_with_tfvars() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let env = dir.path().join("svc/terraform/dev");
    std::fs::create_dir_all(&env).unwrap();
    std::fs::create_dir_all(dir.path().join("svc/terraform/prod")).unwrap();
    std::fs::write(
        dir.path().join("svc/terraform/prod/terraform.tfvars"),
        "cpu = 1024\nmemory = 2048\n",
    )
    .unwrap();
    let file = env.join("terraform.tfvars");
    std::fs::write(&file, TFVARS).unwrap();
    (dir, file)
}

#[test]
fn apply_round_trip_keeps_comments() {
    let (dir, file) = repo_with_tfvars();
    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "1024",
            "--cpu-util",
            "30",
            "--memory",
            "2048",
            "--memory-util",
            "35",
            "--apply",
            "dev",
            "svc",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("updated "), "{}", run.stdout);
    assert!(
        run.stdout.contains("cpu 1024 → 512, memory 2048 → 1024"),
        "{}",
        run.stdout
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        TFVARS
            .replace("cpu    = 1024 #", "cpu    = 512 #")
            .replace("memory = 2048\n", "memory = 1024\n")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("svc/terraform/prod/terraform.tfvars")).unwrap(),
        "cpu = 1024\nmemory = 2048\n",
        "other environments untouched"
    );

    // Back up again: byte for byte the original.
    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "512",
            "--cpu-util",
            "60",
            "--target",
            "30",
            "--memory",
            "1024",
            "--memory-util",
            "70",
            "--memory-target",
            "35",
            "--apply",
            "dev",
            "svc",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TFVARS);

    // Nothing to change: the file is not rewritten.
    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "1024",
            "--cpu-util",
            "60",
            "--memory",
            "2048",
            "--memory-util",
            "70",
            "--apply",
            "dev",
            "svc",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("nothing to change"), "{}", run.stdout);
}

#[test]
fn apply_without_memory_keeps_the_files_memory_when_it_fits() {
    let (dir, file) = repo_with_tfvars();
    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "1024",
            "--cpu-util",
            "45",
            "--apply",
            "dev",
            "svc",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("keeps 2048 MiB"), "{}", run.stdout);
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.contains("cpu    = 1024 # raised") && after.contains("memory = 2048\n"),
        "{after}"
    );

    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "1024",
            "--cpu-util",
            "20",
            "--apply",
            "dev",
            "svc",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("cpu    = 512 # raised for the launch\nmemory = 2048\n")
    );
}

#[test]
fn apply_refuses_a_file_it_cannot_rewrite() {
    let (dir, file) = repo_with_tfvars();
    std::fs::write(
        &file,
        "# sizes come from the module defaults\nenvironment = \"dev\"\n",
    )
    .unwrap();
    let run = newsvc(
        dir.path(),
        &[
            "rightsize",
            "--cpu",
            "1024",
            "--cpu-util",
            "30",
            "--apply",
            "dev",
            "svc",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("has no `cpu = <number>` line to rewrite"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "# sizes come from the module defaults\nenvironment = \"dev\"\n"
    );
}
