//! Acceptance tests of `newsvc grade` and `newsvc grade attest` (issue 6)
//! through the real binary, on repositories rendered from this working
//! tree's default template (`--template templates/service`).
//!
//! Every run has its own `HOME`, `XDG_CONFIG_HOME`, `NO_COLOR=1`, a fixed
//! date (`NEWSVC_TODAY`) and a timeout, so results do not depend on the
//! machine, the clock or the developer's config.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

mod common;
use common::newsvc_bin;
use tempfile::TempDir;

const TODAY: &str = "2026-01-10";

/// A temporary world to render and grade in.
struct World {
    root: TempDir,
}

/// What a run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: not JSON:\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

impl World {
    fn new() -> World {
        let root = tempfile::Builder::new()
            .prefix("newsvc-grade-")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(root.path().join("home")).unwrap();
        std::fs::write(
            root.path().join("home/.gitconfig"),
            "[user]\n\tname = Ada Tester\n\temail = ada@example.com\n",
        )
        .unwrap();
        World { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(newsvc_bin());
        cmd.current_dir(self.root.path())
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("NO_COLOR", "1")
            .env("NEWSVC_TODAY", TODAY)
            .env_remove("NEWSVC_RUBRIC")
            .env_remove("NEWSVC_TEMPLATE")
            .timeout(Duration::from_secs(120));
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Renders a service into `name/` from the working tree's template.
    fn render(&self, name: &str, language: &str, kind: &str, trigger: Option<&str>) -> PathBuf {
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/service");
        let out = self.path(name);
        let mut args = vec![
            "new",
            name,
            "--template",
            template.to_str().unwrap(),
            "--lang",
            language,
            "--kind",
            kind,
            "--set",
            "owner=payments",
            "--defaults",
            "-o",
            out.to_str().unwrap(),
        ];
        let trigger_set = trigger.map(|t| format!("trigger={t}"));
        if let Some(t) = &trigger_set {
            args.extend(["--set", t]);
        }
        let run = self.run(&args);
        assert_eq!(run.code, 0, "newsvc new failed:\n{}", run.stderr);
        out
    }

    fn grade_json(&self, repo: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
        let mut args = vec!["grade", repo.to_str().unwrap(), "--format", "json"];
        args.extend(extra);
        let run = self.run(&args);
        assert_eq!(run.code, 0, "grade failed:\n{}", run.stderr);
        let json = run.json();
        (run, json)
    }
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check `{id}`"))
}

fn category<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no category `{id}`"))
}

/// The checks below platinum that fail, with their summaries.
fn failing_below_platinum(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail" && c["level"] != "platinum")
        .map(|c| {
            format!(
                "{}: {}",
                c["id"].as_str().unwrap(),
                c["summary"].as_str().unwrap()
            )
        })
        .collect()
}

fn attestation_checks(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "attestation")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/grade.schema.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("docs/grade.schema.json is a valid JSON Schema")
}

#[track_caller]
fn assert_valid(report: &serde_json::Value) {
    let errors: Vec<String> = validator()
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match docs/grade.schema.json:\n{}",
        errors.join("\n")
    );
}

// --- a fresh repository reaches gold ------------------------------------------------

#[test]
fn every_language_and_kind_grades_gold_when_fresh() {
    let world = World::new();
    for language in ["python", "java", "scala", "rust"] {
        for (kind, trigger) in [
            ("web", None),
            ("worker", Some("queue")),
            ("worker", Some("cron")),
        ] {
            let name = format!(
                "{}-{kind}{}",
                &language[..2],
                trigger.map_or(String::new(), |t| format!("-{t}"))
            );
            let repo = world.render(&name, language, kind, trigger);
            let (_, report) = world.grade_json(&repo, &[]);
            assert_eq!(
                failing_below_platinum(&report),
                Vec::<String>::new(),
                "{name}: fresh repositories pass every check below platinum"
            );
            assert_eq!(report["level"], "gold", "{name}");
            assert_eq!(report["next"]["level"], "platinum", "{name}");
            assert_eq!(
                report["template"]["version"], report["template"]["latest"],
                "{name}"
            );
            assert_valid(&report);
            let healthcheck = check(&report, "docker-healthcheck");
            assert_eq!(
                healthcheck["status"],
                if kind == "web" { "pass" } else { "skip" },
                "{name}: {healthcheck}"
            );
        }
    }
}

#[test]
fn every_snapshot_case_of_the_default_template_grades_gold() {
    // Datastores, exposures and triggers too: the template's own case list.
    let world = World::new();
    for case in common::cases() {
        let repo = common::render_case(&case);
        let (_, report) = world.grade_json(&repo, &[]);
        assert_eq!(
            failing_below_platinum(&report),
            Vec::<String>::new(),
            "case {}",
            case.name
        );
        assert_eq!(report["level"], "gold", "case {}", case.name);
    }
}

#[test]
fn min_level_gates_ci() {
    let world = World::new();
    let repo = world.render("gate", "python", "web", None);
    let repo = repo.to_str().unwrap();
    assert_eq!(world.run(&["grade", repo, "--min", "bronze"]).code, 0);
    assert_eq!(world.run(&["grade", repo, "--min", "Gold"]).code, 0);
    let run = world.run(&["grade", repo, "--min", "platinum"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("below --min platinum: gate is gold; failing: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("code-review"), "{}", run.stderr);
    // The report still goes to standard output.
    assert!(run.stdout.contains("gate  GOLD"), "{}", run.stdout);
}

#[test]
fn text_table_without_a_terminal_is_plain() {
    let world = World::new();
    let repo = world.render("plain", "java", "worker", Some("queue"));
    let run = world.run(&["grade", repo.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour without a terminal:\n{}",
        run.stdout
    );
    for expected in [
        "plain  GOLD",
        "category",
        "bronze",
        "platinum",
        "operations",
        "overall",
        "to reach platinum (3 checks):",
        "fix: ",
    ] {
        assert!(
            run.stdout.contains(expected),
            "`{expected}` in:\n{}",
            run.stdout
        );
    }
    // The grader runs from inside the repository too.
    let mut cmd = world.cmd();
    cmd.current_dir(&repo).args(["grade", "--format", "json"]);
    let output = cmd.output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"level\": \"gold\""));
}

/// The text report on a pseudo-terminal: shields in colour, unless `NO_COLOR`.
#[cfg(unix)]
#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    use expectrl::{Eof, Expect, Session};

    let world = World::new();
    let repo = world.render("tty", "python", "web", None);
    let on_pty = |no_color: Option<&str>| -> String {
        let mut cmd = std::process::Command::new(newsvc_bin());
        cmd.args(["grade", repo.to_str().unwrap()])
            .env("HOME", world.path("home"))
            .env("NEWSVC_TODAY", TODAY)
            .env("TERM", "xterm")
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        let mut session = Session::spawn(cmd).expect("spawn newsvc on a pty");
        session.set_expect_timeout(Some(Duration::from_secs(60)));
        let out = session.expect(Eof).expect("newsvc ends");
        String::from_utf8_lossy(out.as_bytes()).into_owned()
    };
    let coloured = on_pty(None);
    assert!(
        coloured.contains("\x1b["),
        "colour on a terminal:\n{coloured}"
    );
    assert!(coloured.contains(" GOLD "), "{coloured}");
    let plain = on_pty(Some("1"));
    assert!(!plain.contains("\x1b["), "NO_COLOR=1:\n{plain}");
    assert!(plain.contains("tty  GOLD"), "{plain}");
    // An empty NO_COLOR does not count (https://no-color.org).
    assert!(on_pty(Some("")).contains("\x1b["));
}

// --- what drops a grade -----------------------------------------------------------------

#[test]
fn removing_a_playbook_drops_operations_below_silver_naming_the_check() {
    let world = World::new();
    let repo = world.render("pages", "python", "web", None);
    std::fs::remove_file(repo.join("docs/playbooks/p99-latency.md")).unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    assert_valid(&report);
    assert_eq!(category(&report, "operations")["level"], "bronze");
    assert_eq!(report["level"], "bronze");
    let alarms = check(&report, "alarm-playbooks");
    assert_eq!(alarms["status"], "fail");
    let finding = &alarms["findings"][0];
    assert_eq!(finding["file"], "terraform/modules/service/alarms.tf");
    assert!(finding["line"].as_u64().unwrap() > 1, "{finding}");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("alarm `p99_latency` links"),
        "{finding}"
    );
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("`docs/playbooks/p99-latency.md` does not exist"),
        "{finding}"
    );

    let run = world.run(&["grade", repo.to_str().unwrap(), "--min", "silver"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("failing: alarm-playbooks"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("to reach silver (1 check):"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("✗ alarm-playbooks (operations, silver)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("terraform/modules/service/alarms.tf:"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_fake_aws_secret_fails_security_with_file_and_line() {
    let world = World::new();
    let repo = world.render("leaky", "java", "worker", Some("queue"));
    let secret = "Zk8v3Qp/2nR+7tYw9LmX4cB1dE6fG0hJ5kS8uV2w";
    std::fs::create_dir_all(repo.join("config")).unwrap();
    std::fs::write(
        repo.join("config/local.env"),
        format!("# local settings\nAWS_REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY={secret}\n"),
    )
    .unwrap();
    let (run, report) = world.grade_json(&repo, &[]);
    assert_valid(&report);
    assert_eq!(category(&report, "security")["level"], "none");
    assert_eq!(report["level"], "none");
    let secrets = check(&report, "no-secrets");
    assert_eq!(secrets["status"], "fail");
    assert_eq!(secrets["findings"][0]["file"], "config/local.env");
    assert_eq!(secrets["findings"][0]["line"], 3);
    assert!(
        secrets["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("AWS secret access key"),
        "{secrets}"
    );
    assert!(
        !run.stdout.contains(secret) && !run.stdout.contains(&secret[..12]),
        "the secret must never be printed"
    );

    let text = world.run(&["grade", repo.to_str().unwrap()]);
    assert!(
        text.stdout
            .contains("config/local.env:3: AWS secret access key `Zk8v…`"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains(secret));

    // Committed or not, it counts; the allow-list file takes it back.
    std::fs::write(
        repo.join(".newsvc-secrets-allow"),
        "# fixtures for the local stack\nconfig/*.env aws-secret-access-key\n",
    )
    .unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    assert_eq!(check(&report, "no-secrets")["status"], "pass");
    assert_eq!(category(&report, "security")["level"], "gold");
}

#[test]
fn ignored_files_are_not_graded() {
    let world = World::new();
    let repo = world.render("ignored", "python", "worker", Some("cron"));
    // `.env` is in the template's .gitignore: it never reaches the repository.
    std::fs::write(
        repo.join(".env"),
        "AWS_ACCESS_KEY_ID=AKIAZ7QK4XQ3JH2LMNOP\n",
    )
    .unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    assert_eq!(
        check(&report, "no-secrets")["status"],
        "pass",
        "{}",
        check(&report, "no-secrets")
    );
    std::fs::write(
        repo.join("notes.txt"),
        "AWS_ACCESS_KEY_ID=AKIAZ7QK4XQ3JH2LMNOP\n",
    )
    .unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    assert_eq!(
        check(&report, "no-secrets")["findings"][0]["file"],
        "notes.txt"
    );
    std::fs::remove_file(repo.join("notes.txt")).unwrap();

    // Force-added (`git add -f .env`), an ignored file is tracked: it counts.
    let git = git2::Repository::open(&repo).unwrap();
    let mut index = git.index().unwrap();
    index.add_path(Path::new(".env")).unwrap();
    index.write().unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    let secrets = check(&report, "no-secrets");
    assert_eq!(secrets["findings"][0]["file"], ".env", "{secrets}");
    assert_eq!(secrets["findings"][0]["line"], 1, "{secrets}");
}

#[test]
fn a_folder_without_git_is_graded_by_its_files() {
    let world = World::new();
    let repo = world.render("plainfolder", "python", "web", None);
    std::fs::remove_dir_all(repo.join(".git")).unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    assert_eq!(report["level"], "gold");
    // .gitignore still says what would never be committed.
    std::fs::write(
        repo.join(".env"),
        "AWS_ACCESS_KEY_ID=AKIAZ7QK4XQ3JH2LMNOP\n",
    )
    .unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    assert_eq!(check(&report, "no-secrets")["status"], "pass");
}

// --- attestations and platinum ---------------------------------------------------------------

#[test]
fn attestations_lift_to_platinum_and_expire() {
    let world = World::new();
    let repo = world.render("proud", "scala", "web", None);
    let path = repo.to_str().unwrap();
    let (_, report) = world.grade_json(&repo, &[]);
    let attestable = attestation_checks(&report);
    assert!(!attestable.is_empty());
    for (i, id) in attestable.iter().enumerate() {
        let mut args = vec![
            "grade",
            "attest",
            id.as_str(),
            "--by",
            "Grace Reviewer",
            "--note",
            "walked through it",
            "-C",
            path,
        ];
        if i == 0 {
            args.extend(["--expires-in", "30"]);
        }
        let run = world.run(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("`{id}` attested by Grace Reviewer on {TODAY}")),
            "{}",
            run.stderr
        );
    }
    let file = std::fs::read_to_string(repo.join(".newsvc/attestations.yaml")).unwrap();
    assert!(
        file.contains("by: Grace Reviewer")
            && file.contains("date: 2026-01-10")
            && file.contains("expires: 2026-02-09"),
        "{file}"
    );

    let (_, report) = world.grade_json(&repo, &[]);
    assert_eq!(report["level"], "platinum", "{:?}", report["next"]);
    assert!(report["next"].is_null());
    assert_valid(&report);

    // Valid through its expiry day, failing the day after.
    let on = world
        .run_with(
            &["grade", path, "--format", "json"],
            &[("NEWSVC_TODAY", "2026-02-09")],
        )
        .json();
    assert_eq!(on["level"], "platinum");
    let after = world
        .run_with(
            &["grade", path, "--format", "json"],
            &[("NEWSVC_TODAY", "2026-02-10")],
        )
        .json();
    assert_eq!(after["level"], "gold");
    let expired = check(&after, &attestable[0]);
    assert_eq!(expired["status"], "fail");
    assert!(
        expired["summary"]
            .as_str()
            .unwrap()
            .contains("expired on 2026-02-09 (1 day ago)"),
        "{expired}"
    );
    let text = world.run_with(&["grade", path], &[("NEWSVC_TODAY", "2026-02-10")]);
    assert!(
        text.stdout.contains(&format!("✗ {}", attestable[0])),
        "{}",
        text.stdout
    );

    // Re-attesting renews it; the history stays in the file.
    let run = world.run_with(
        &["grade", "attest", &attestable[0], "--by", "Lin", "-C", path],
        &[("NEWSVC_TODAY", "2026-02-10")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let renewed = world
        .run_with(
            &["grade", path, "--format", "json"],
            &[("NEWSVC_TODAY", "2026-02-10")],
        )
        .json();
    assert_eq!(renewed["level"], "platinum");
    let file = std::fs::read_to_string(repo.join(".newsvc/attestations.yaml")).unwrap();
    assert_eq!(
        file.matches(&format!("check: {}", attestable[0])).count(),
        2,
        "{file}"
    );

    // Platinum also needs the latest template: a patch behind is gold, two minors silver.
    let version = semver::Version::parse(report["template"]["version"].as_str().unwrap()).unwrap();
    let next_patch = format!("{}.{}.{}", version.major, version.minor, version.patch + 1);
    let renewed_day = [("NEWSVC_TODAY", "2026-02-10")];
    let behind = world
        .run_with(
            &[
                "grade",
                path,
                "--format",
                "json",
                "--latest-version",
                &next_patch,
            ],
            &renewed_day,
        )
        .json();
    assert_eq!(
        behind["level"],
        "gold",
        "{:?}",
        failing_below_platinum(&behind)
    );
    assert_eq!(check(&behind, "template-latest")["status"], "fail");
    let minors = format!("{}.{}.0", version.major, version.minor + 2);
    let behind = world
        .run_with(
            &[
                "grade",
                path,
                "--format",
                "json",
                "--latest-version",
                &minors,
            ],
            &renewed_day,
        )
        .json();
    assert_eq!(
        behind["level"],
        "silver",
        "{:?}",
        failing_below_platinum(&behind)
    );
    assert_eq!(check(&behind, "template-current")["status"], "fail");
}

#[test]
fn attest_refuses_what_it_cannot_record() {
    let world = World::new();
    let repo = world.render("strict", "python", "web", None);
    let path = repo.to_str().unwrap();
    let run = world.run(&["grade", "attest", "code-reviw", "--by", "x", "-C", path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("unknown check `code-reviw` (did you mean `code-review`?)"),
        "{}",
        run.stderr
    );
    let run = world.run(&["grade", "attest", "readme", "--by", "x", "-C", path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("check `readme` is a `file_exists` check"),
        "{}",
        run.stderr
    );
    let run = world.run(&[
        "grade",
        "attest",
        "code-review",
        "--by",
        "x",
        "-C",
        world.path("home").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is not a newsvc repository"),
        "{}",
        run.stderr
    );
    assert!(!repo.join(".newsvc").exists(), "nothing written");
}

// --- formats --------------------------------------------------------------------------------

#[test]
fn svg_badge_is_xml_and_shows_the_level() {
    let world = World::new();
    let repo = world.render("badge", "java", "web", None);
    let run = world.run(&["grade", repo.to_str().unwrap(), "--format", "svg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc =
        roxmltree::Document::parse(&run.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", run.stdout));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        texts.contains(&"gold") && texts.contains(&"grade"),
        "{texts:?}"
    );
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text());
    assert_eq!(title, Some("grade: gold"));

    let out = world.path("badge.svg");
    let run = world.run(&[
        "grade",
        repo.to_str().unwrap(),
        "--format",
        "svg",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    roxmltree::Document::parse(&std::fs::read_to_string(out).unwrap()).unwrap();
}

#[test]
fn markdown_for_a_pull_request_comment() {
    let world = World::new();
    let repo = world.render("mdown", "python", "web", None);
    std::fs::remove_file(repo.join("CODEOWNERS")).unwrap();
    let run = world.run(&["grade", repo.to_str().unwrap(), "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("newsvc grade: **silver** for `mdown`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("| category | bronze | silver | gold | platinum | level |"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("**To reach gold:**"), "{}", run.stdout);
    assert!(
        run.stdout.contains("`codeowners` (docs, gold)"),
        "{}",
        run.stdout
    );
}

// --- bad input: exit 2 with a clear message ---------------------------------------------------

fn write_rubric(world: &World, text: &str) -> String {
    let file = world.path("rubric.yaml");
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_string()
}

const RUBRIC_HEAD: &str = "name: team\ncategories:\n  - id: docs\n    title: Docs\nchecks:\n";

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let world = World::new();
    let repo = world.render("inputs", "python", "worker", Some("queue"));
    let path = repo.to_str().unwrap();

    let rubric = write_rubric(
        &world,
        &format!(
            "{RUBRIC_HEAD}  - id: a\n    title: A\n    level: bronze\n    category: docs\n    kind: file_exist\n    params: {{glob: README.md}}\n    fix: add it\n"
        ),
    );
    let run = world.run(&["grade", path, "--rubric", &rubric]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{rubric}:10:")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("unknown check kind `file_exist` (did you mean `file_exists`?)"),
        "{}",
        run.stderr
    );

    let rubric = write_rubric(
        &world,
        "name: team\ncategories:\n  - id: docs\n    title: [Docs\nchecks: []\n",
    );
    let run = world.run(&["grade", path, "--rubric", &rubric]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let located =
        regex::Regex::new(&format!("{}:[0-9]+:[0-9]+: ", regex::escape(&rubric))).unwrap();
    assert!(
        located.is_match(&run.stderr),
        "line and column: {}",
        run.stderr
    );

    let rubric = write_rubric(
        &world,
        &format!(
            "{RUBRIC_HEAD}  - id: a\n    title: A\n    level: sliver\n    category: docs\n    kind: tests_present\n    fix: add tests\n"
        ),
    );
    let run = world.run(&["grade", path, "--rubric", &rubric]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{rubric}:8:")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("unknown level `sliver` (did you mean `silver`?)"),
        "{}",
        run.stderr
    );

    let run = world.run(&["grade", path, "--min", "glod"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--min: unknown level `glod` (did you mean `gold`?); levels: bronze, silver, gold, platinum"), "{}", run.stderr);

    let run = world.run(&["grade", path, "--today", "2026-02-30"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`2026-02-30` is not a day of the calendar"),
        "{}",
        run.stderr
    );

    let empty = world.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = world.run(&["grade", empty.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is not a newsvc repository: it has no .newsvc.yml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );

    let run = world.run(&["grade", repo.join("terraform").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("its repository root"), "{}", run.stderr);

    let run = world.run(&["grade", world.path("nowhere").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be read"), "{}", run.stderr);

    std::fs::create_dir_all(repo.join(".newsvc")).unwrap();
    std::fs::write(repo.join(".newsvc/attestations.yaml"), "attestations:\n  - check: code-review\n    by: x\n    date: soon\n    expires: 2026-02-01\n").unwrap();
    let run = world.run(&["grade", path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("attestations.yaml:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`soon` is not a date"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_custom_rubric_replaces_the_default() {
    let world = World::new();
    let repo = world.render("custom", "java", "worker", Some("cron"));
    let rubric = write_rubric(
        &world,
        &format!(
            "{RUBRIC_HEAD}  - {{id: readme, title: README, level: bronze, category: docs, kind: file_exists, params: {{glob: README.md}}, fix: write one}}\n  - {{id: changelog, title: CHANGELOG, level: silver, category: docs, kind: file_exists, params: {{glob: CHANGELOG.md}}, fix: keep one}}\n"
        ),
    );
    let (_, report) = world.grade_json(&repo, &["--rubric", &rubric]);
    assert_eq!(report["rubric"]["name"], "team");
    assert_eq!(report["level"], "bronze");
    assert_eq!(report["checks"].as_array().unwrap().len(), 2);
    assert_valid(&report);
}
