//! Terraform, alarms, dashboards and playbooks of the default template, over
//! every snapshot case rendered with the real binary:
//!
//! - `terraform fmt -check` is clean and every `.tf`/`.tfvars` parses as HCL;
//! - checkov finds no failed check, and every skipped check is skipped inline
//!   (`#checkov:skip=ID:reason`) with a reason, never globally;
//! - every alarm's description links `<playbook_base_url>/<slug>.md`, the page
//!   exists in `docs/playbooks/`, and every page there is linked by an alarm;
//! - the environments keep the contract (state keys, module source, billing
//!   tags, sizes in `terraform.tfvars`) and `atlantis.yaml` lists them all.
//!
//! A failure names the case and the file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Case, cases, files_under, render_case, render_root, tool};
use hcl::{Block, Body, Expression};

const ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];

/// Alarm slugs of each kind of service (the contract shared with the README
/// and the grading rubric).
const WEB_SLUGS: &[&str] = &[
    "p99-latency",
    "service-5xx-rate",
    "load-balancer-5xx",
    "no-healthy-targets",
    "unhealthy-targets",
    "too-few-tasks",
    "cpu-high",
    "memory-high",
];
const QUEUE_SLUGS: &[&str] = &[
    "too-few-tasks",
    "cpu-high",
    "memory-high",
    "oldest-message-age",
    "queue-backlog",
    "dead-letter-queue",
];
const CRON_SLUGS: &[&str] = &["cron-missed", "schedule-failures"];

/// Every snapshot case with the folder it renders to.
fn rendered() -> Vec<(Case, PathBuf)> {
    cases()
        .into_iter()
        .map(|case| {
            let dir = render_case(&case);
            (case, dir)
        })
        .collect()
}

fn assert_clean(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn service_name(case: &Case) -> &str {
    case.get("service_name")
        .expect("every case sets service_name")
}

fn answer_number(case: &Case, key: &str, default: i64) -> i64 {
    case.get(key).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("case {}: {key} is not a number", case.name))
    })
}

fn expected_slugs(case: &Case) -> BTreeSet<&'static str> {
    let slugs = match (case.kind(), case.trigger()) {
        ("web", _) => WEB_SLUGS,
        (_, "cron") => CRON_SLUGS,
        _ => QUEUE_SLUGS,
    };
    slugs.iter().copied().collect()
}

/// `playbook_base_url` as the manifest's defaults compute it for `case`.
fn playbook_base_url(case: &Case) -> String {
    if let Some(url) = case.get("playbook_base_url") {
        return url.to_string();
    }
    let repo_url = case.get("repo_url").map_or_else(
        || {
            format!(
                "https://github.com/{}/{}",
                case.get("owner").expect("every case sets owner"),
                service_name(case)
            )
        },
        str::to_string,
    );
    format!("{repo_url}/blob/main/docs/playbooks")
}

/// The Terraform sources of a rendered repo (`.tf` and `.tfvars`), relative.
fn terraform_sources(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|f| f.starts_with("terraform"))
        .filter(|f| f.extension().is_some_and(|e| e == "tf" || e == "tfvars"))
        .collect()
}

fn parse(case: &Case, dir: &Path, rel: &Path) -> Body {
    let text = std::fs::read_to_string(dir.join(rel))
        .unwrap_or_else(|e| panic!("case {}: cannot read {}: {e}", case.name, rel.display()));
    hcl::parse(&text).unwrap_or_else(|e| {
        panic!(
            "case {}: {} is not valid HCL: {e}",
            case.name,
            rel.display()
        )
    })
}

/// Blocks `ident "label0" ...` of `body`.
fn blocks<'a>(body: &'a Body, ident: &'a str, label0: &'a str) -> impl Iterator<Item = &'a Block> {
    body.blocks().filter(move |b| {
        b.identifier() == ident && b.labels().first().is_some_and(|l| l.as_str() == label0)
    })
}

fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key() == key)
        .map(hcl::Attribute::expr)
}

/// The text of a string or template expression (interpolations kept raw).
fn text(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.clone()),
        Expression::TemplateExpr(t) => Some(match t.as_ref() {
            hcl::TemplateExpr::QuotedString(s) => s.clone(),
            hcl::TemplateExpr::Heredoc(h) => h.template.clone(),
        }),
        _ => None,
    }
}

fn number(expr: &Expression) -> Option<i64> {
    match expr {
        Expression::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Valid Fargate task sizes (CPU units, memory MiB).
fn valid_fargate(cpu: i64, memory: i64) -> bool {
    let gib = memory % 1024 == 0;
    match cpu {
        256 => [512, 1024, 2048].contains(&memory),
        512 => gib && (1024..=4096).contains(&memory),
        1024 => gib && (2048..=8192).contains(&memory),
        2048 => gib && (4096..=16384).contains(&memory),
        4096 => gib && (8192..=30720).contains(&memory),
        _ => false,
    }
}

fn checkov_env(cmd: &mut Command) -> &mut Command {
    // Offline: no platform mapping download, no package scan.
    cmd.env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
}

fn copy_tree(from: &Path, to: &Path) {
    for rel in files_under(from) {
        let dest = to.join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), &dest).unwrap();
    }
}

// --- formatting and parsing ---------------------------------------------------

#[test]
fn terraform_fmt_is_clean_in_every_case() {
    let Some(terraform) = tool("terraform") else {
        return;
    };
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let out = Command::new(&terraform)
            .args([
                "fmt",
                "-check",
                "-recursive",
                "-diff",
                "-no-color",
                "terraform",
            ])
            .current_dir(&dir)
            .output()
            .expect("run terraform fmt");
        if !out.status.success() {
            failures.push(format!(
                "case {}: terraform fmt -check -recursive terraform\n{}{}",
                case.name,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert_clean("terraform fmt", &failures);
}

#[test]
fn terraform_sources_parse_as_hcl_and_are_tidy() {
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let sources = terraform_sources(&dir);
        assert!(
            sources
                .iter()
                .any(|f| f.ends_with("modules/service/main.tf"))
                || case.get("terraform_modules_source").is_some(),
            "case {}: terraform/modules/service/main.tf is missing",
            case.name
        );
        for env in ["shared", "dev", "staging", "prod"] {
            for file in ["backend.tf", "main.tf", "variables.tf", "terraform.tfvars"] {
                let rel = Path::new("terraform").join(env).join(file);
                assert!(
                    sources.contains(&rel),
                    "case {}: {} is missing",
                    case.name,
                    rel.display()
                );
            }
        }
        let playbooks = files_under(&dir.join("docs/playbooks"))
            .into_iter()
            .map(|p| Path::new("docs/playbooks").join(p));
        for rel in sources.iter().cloned().chain(playbooks) {
            let text = std::fs::read_to_string(dir.join(&rel)).unwrap();
            if rel.extension().is_some_and(|e| e != "md")
                && let Err(e) = hcl::parse(&text)
            {
                failures.push(format!("case {}: {}: {e}", case.name, rel.display()));
            }
            // fmt does not catch what template whitespace control leaves behind.
            let where_ = format!("case {}: {}", case.name, rel.display());
            if text.contains("\n\n\n") {
                failures.push(format!("{where_}: two blank lines in a row"));
            }
            if text.starts_with('\n') || !text.ends_with('\n') || text.ends_with("\n\n") {
                failures.push(format!(
                    "{where_}: must start with content and end with exactly one newline"
                ));
            }
            if let Some((n, _)) = text
                .lines()
                .enumerate()
                .find(|(_, l)| l.ends_with(' ') || l.ends_with('\t'))
            {
                failures.push(format!("{where_}:{}: trailing whitespace", n + 1));
            }
            if text.contains("{{") || text.contains("{%") {
                failures.push(format!("{where_}: unrendered template syntax"));
            }
        }
    }
    assert_clean("terraform sources", &failures);
}

// --- checkov --------------------------------------------------------------------

/// One checkov run over the terraform folders of every case, side by side in
/// `<scan>/<case>/terraform`, so each finding's path names its case.
#[test]
fn checkov_finds_no_failed_check_in_any_case() {
    let Some(checkov) = tool("checkov") else {
        return;
    };
    let rendered = rendered();
    let scan = render_root().join(format!("checkov-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scan);
    for (case, dir) in &rendered {
        copy_tree(
            &dir.join("terraform"),
            &scan.join(&case.name).join("terraform"),
        );
    }
    let out = checkov_env(Command::new(&checkov).args([
        "--directory",
        ".",
        "--framework",
        "terraform",
        "--compact",
        "--output",
        "json",
    ]))
    .current_dir(&scan)
    .output()
    .expect("run checkov");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov did not print a JSON report ({e}); exit {}:\n{}\n{}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // One framework gives one report; several give a list of them.
    let report = report.as_array().map_or(&report, |all| {
        all.iter()
            .find(|r| r["check_type"] == "terraform")
            .expect("a terraform report")
    });
    let summary = &report["summary"];
    assert_eq!(
        summary["parsing_errors"], 0,
        "checkov could not parse some files: {summary}"
    );

    let case_of = |check: &serde_json::Value| -> String {
        let path = check["file_path"].as_str().unwrap_or_default();
        path.trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let results = &report["results"];
    let checks = |kind: &str| results[kind].as_array().cloned().unwrap_or_default();

    // Every case was really scanned.
    let scanned: BTreeSet<String> = checks("passed_checks").iter().map(case_of).collect();
    let missing: Vec<&str> = rendered
        .iter()
        .map(|(case, _)| case.name.as_str())
        .filter(|name| !scanned.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "checkov reported nothing for case(s) {missing:?}"
    );

    let mut failures: Vec<String> = checks("failed_checks")
        .iter()
        .map(|c| {
            format!(
                "case {}: {} {} on {} ({}:{})",
                case_of(c),
                c["check_id"].as_str().unwrap_or("?"),
                c["check_name"].as_str().unwrap_or("?"),
                c["resource"].as_str().unwrap_or("?"),
                c["file_path"].as_str().unwrap_or("?"),
                c["file_line_range"]
            )
        })
        .collect();
    // A skip must carry its reason (inline comments are the only way to skip:
    // the run above passes no --skip-check and the repo has no checkov config).
    for c in checks("skipped_checks") {
        let reason = c["check_result"]["suppress_comment"]
            .as_str()
            .unwrap_or_default();
        if reason.split_whitespace().count() < 5 {
            failures.push(format!(
                "case {}: {} on {} is skipped without a reason (`{reason}`)",
                case_of(&c),
                c["check_id"].as_str().unwrap_or("?"),
                c["resource"].as_str().unwrap_or("?"),
            ));
        }
    }
    assert_clean("checkov", &failures);
    let _ = std::fs::remove_dir_all(&scan);
}

#[test]
fn checkov_skips_are_inline_with_a_reason_and_never_global() {
    let skip = regex::Regex::new(r"^\s*#checkov:skip=(CKV2?_AWS_\d+):(.+)$").unwrap();
    let mut failures = Vec::new();
    let mut skips = 0;
    for (case, dir) in rendered() {
        for rel in files_under(&dir) {
            let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with(".checkov") {
                failures.push(format!(
                    "case {}: {} configures checkov globally",
                    case.name,
                    rel.display()
                ));
            }
            let Ok(text) = std::fs::read_to_string(dir.join(&rel)) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                let here = format!("case {}: {}:{}", case.name, rel.display(), n + 1);
                if line.contains("--skip-check") || line.contains("skip-check:") {
                    failures.push(format!("{here}: global checkov skip: {line}"));
                }
                if !line.contains("checkov:skip") {
                    continue;
                }
                skips += 1;
                match skip.captures(line) {
                    Some(c) if c[2].split_whitespace().count() >= 5 => {}
                    Some(_) => failures.push(format!("{here}: the reason is too short: {line}")),
                    None => failures.push(format!(
                        "{here}: not `#checkov:skip=CKV_AWS_<n>:<reason>`: {line}"
                    )),
                }
            }
        }
    }
    assert!(
        skips > 0,
        "no inline skip found: the scan of skip comments is broken"
    );
    assert_clean("checkov skips", &failures);
}

// --- alarms and playbooks ---------------------------------------------------------

struct Alarm {
    resource: String,
    name: String,
    description: String,
}

/// Every `aws_cloudwatch_metric_alarm` of the service module, with the
/// settings every alarm must have checked on the way.
fn alarms(case: &Case, dir: &Path, failures: &mut Vec<String>) -> Vec<Alarm> {
    let mut found = Vec::new();
    for rel in terraform_sources(dir) {
        if rel.extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let body = parse(case, dir, &rel);
        for block in blocks(&body, "resource", "aws_cloudwatch_metric_alarm") {
            let resource = block
                .labels()
                .get(1)
                .map_or("?", |l| l.as_str())
                .to_string();
            let here = format!("case {}: {} alarm {resource}", case.name, rel.display());
            let b = block.body();
            if attr(b, "actions_enabled") != Some(&Expression::Bool(true)) {
                failures.push(format!("{here}: actions_enabled must be true"));
            }
            match (attr(b, "alarm_actions"), attr(b, "ok_actions")) {
                (Some(alarm), Some(ok)) if alarm == ok => {}
                _ => failures.push(format!(
                    "{here}: ok_actions must equal alarm_actions (PagerDuty resolves on OK)"
                )),
            }
            let (Some(name), Some(description)) = (
                attr(b, "alarm_name").and_then(text),
                attr(b, "alarm_description").and_then(text),
            ) else {
                failures.push(format!(
                    "{here}: alarm_name and alarm_description must be strings"
                ));
                continue;
            };
            found.push(Alarm {
                resource,
                name,
                description,
            });
        }
    }
    found
}

#[test]
fn every_alarm_links_its_playbook_and_every_playbook_is_linked() {
    let link =
        regex::Regex::new(r"^(\S.*\S)\. Playbook: (\S+)/([a-z0-9]+(?:-[a-z0-9]+)*)\.md$").unwrap();
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let base = playbook_base_url(&case);
        let mut linked = BTreeMap::new();
        for alarm in alarms(&case, &dir, &mut failures) {
            let here = format!("case {}: alarm {}", case.name, alarm.resource);
            if alarm.description.len() > 1024 {
                failures.push(format!(
                    "{here}: alarm_description is longer than 1024 characters"
                ));
            }
            let Some(parts) = link.captures(&alarm.description) else {
                failures.push(format!(
                    "{here}: alarm_description must be `<what>. Playbook: <url>/<slug>.md`, got `{}`",
                    alarm.description
                ));
                continue;
            };
            let slug = parts[3].to_string();
            if parts[2] != base {
                failures.push(format!(
                    "{here}: playbook link points at {}, not at {base}",
                    &parts[2]
                ));
            }
            if !alarm.name.ends_with(&format!("-{slug}")) {
                failures.push(format!(
                    "{here}: alarm_name `{}` does not end with its slug `{slug}`",
                    alarm.name
                ));
            }
            if !dir
                .join("docs/playbooks")
                .join(format!("{slug}.md"))
                .is_file()
            {
                failures.push(format!(
                    "{here}: links docs/playbooks/{slug}.md, which the rendered repo lacks"
                ));
            }
            if let Some(other) = linked.insert(slug.clone(), alarm.resource.clone()) {
                failures.push(format!("{here}: slug {slug} already used by alarm {other}"));
            }
        }
        let slugs: BTreeSet<&str> = linked.keys().map(String::as_str).collect();
        let expected = expected_slugs(&case);
        if slugs != expected {
            failures.push(format!(
                "case {}: alarm slugs {slugs:?}, expected the contract's {expected:?}",
                case.name
            ));
        }
        for page in files_under(&dir.join("docs/playbooks")) {
            let slug = page
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if !linked.contains_key(slug) {
                failures.push(format!(
                    "case {}: docs/playbooks/{} is linked by no alarm",
                    case.name,
                    page.display()
                ));
            }
        }
    }
    assert_clean("alarm playbook links", &failures);
}

#[test]
fn playbooks_are_specific_to_the_alarm_and_the_service() {
    let local_link = regex::Regex::new(r"\]\(([a-z0-9-]+\.md)\)").unwrap();
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let service = service_name(&case);
        let owner = case.get("owner").unwrap_or_default();
        let pages_dir = dir.join("docs/playbooks");
        for slug in expected_slugs(&case) {
            let rel = format!("docs/playbooks/{slug}.md");
            let Ok(text) = std::fs::read_to_string(dir.join(&rel)) else {
                failures.push(format!("case {}: {rel} is missing", case.name));
                continue;
            };
            let here = format!("case {}: {rel}", case.name);
            if !text.starts_with(&format!("# {slug}: ")) {
                failures.push(format!("{here}: must start with `# {slug}: <what>`"));
            }
            for needle in [
                "## What it means",
                "## First checks",
                "## How to mitigate",
                "## When to escalate",
                &format!("`{service}-<env>-{slug}`"),
                &format!("dashboard `{service}-prd`"),
                &format!("/ecs/{service}/prod"),
                owner,
            ] {
                if !text.contains(needle) {
                    failures.push(format!("{here}: does not mention `{needle}`"));
                }
            }
            for target in local_link.captures_iter(&text) {
                if !pages_dir.join(&target[1]).is_file() {
                    failures.push(format!(
                        "{here}: links {}, which this kind of service lacks",
                        &target[1]
                    ));
                }
            }
        }
    }
    assert_clean("playbooks", &failures);
}

/// The playbooks send the reader to dashboard widgets by title: those
/// widgets must exist on the dashboard of the same kind of service.
#[test]
fn playbooks_name_widgets_of_the_rendered_dashboard() {
    let title = regex::Regex::new(r#"(?m)^\s*title\s*=\s*"([^"]+)""#).unwrap();
    let bold = regex::Regex::new(r"\*\*([^*]+)\*\*").unwrap();
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let rel = Path::new("terraform/modules/service/dashboard.tf");
        let body = parse(&case, &dir, rel);
        let dashboard = blocks(&body, "resource", "aws_cloudwatch_dashboard").next();
        let encoded = dashboard
            .and_then(|d| attr(d.body(), "dashboard_body"))
            .is_some_and(
                |e| matches!(e, Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode"),
            );
        if !encoded {
            failures.push(format!(
                "case {}: {} needs an aws_cloudwatch_dashboard whose body is jsonencode(...)",
                case.name,
                rel.display()
            ));
        }
        let source = std::fs::read_to_string(dir.join(rel)).unwrap();
        let titles: Vec<&str> = title
            .captures_iter(&source)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        let expected: &[&str] = match (case.kind(), case.trigger()) {
            ("web", _) => &[
                "SEARCH('{AWS/ApplicationELB,AvailabilityZone,LoadBalancer,TargetGroup}",
                "HTTPCode_ELB_5XX_Count",
                "HTTPCode_Target_5XX_Count",
                "HTTPCode_ELB_4XX_Count",
                "HTTPCode_Target_4XX_Count",
                "\"p50\"",
                "\"p90\"",
                "\"p99\"",
                "PendingTaskCount",
            ],
            (_, "queue") => &[
                "ApproximateNumberOfMessagesVisible",
                "NumberOfMessagesDeleted",
                "ApproximateAgeOfOldestMessage",
                "aws_sqs_queue.dlq.name",
                "MemoryUtilization",
            ],
            _ => &[
                "CronCompleted",
                "aws_sqs_queue.schedule_dlq.name",
                "AWS/Scheduler",
            ],
        };
        for needle in expected {
            if !source.contains(needle) {
                failures.push(format!(
                    "case {}: {}: the dashboard lacks `{needle}`",
                    case.name,
                    rel.display()
                ));
            }
        }
        for page in files_under(&dir.join("docs/playbooks")) {
            let text = std::fs::read_to_string(dir.join("docs/playbooks").join(&page)).unwrap();
            let checks = text
                .split("## First checks")
                .nth(1)
                .and_then(|rest| rest.split("\n## ").next())
                .unwrap_or_default();
            // A bold name may wrap across lines.
            for name in bold
                .captures_iter(checks)
                .map(|c| c[1].split_whitespace().collect::<Vec<_>>().join(" "))
            {
                if !titles.iter().any(|t| t.starts_with(&name)) {
                    failures.push(format!(
                        "case {}: docs/playbooks/{} names the widget **{name}**, which the dashboard lacks",
                        case.name,
                        page.display()
                    ));
                }
            }
        }
    }
    assert_clean("dashboards", &failures);
}

#[test]
fn alarms_route_by_urgency_to_encrypted_topics() {
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let rel = Path::new("terraform/modules/service/alarms.tf");
        let body = parse(&case, &dir, rel);
        for topic in ["high_urgency", "low_urgency"] {
            let Some(block) = blocks(&body, "resource", "aws_sns_topic")
                .find(|b| b.labels().get(1).is_some_and(|l| l.as_str() == topic))
            else {
                failures.push(format!(
                    "case {}: aws_sns_topic.{topic} is missing",
                    case.name
                ));
                continue;
            };
            if attr(block.body(), "kms_master_key_id").is_none() {
                failures.push(format!(
                    "case {}: aws_sns_topic.{topic} is not encrypted with a customer key",
                    case.name
                ));
            }
        }
        let subscriptions: Vec<&Block> =
            blocks(&body, "resource", "aws_sns_topic_subscription").collect();
        if subscriptions.len() != 2
            || subscriptions
                .iter()
                .any(|s| attr(s.body(), "protocol").and_then(text).as_deref() != Some("https"))
        {
            failures.push(format!(
                "case {}: each topic needs one https (PagerDuty) subscription",
                case.name
            ));
        }
        // cloudwatch.amazonaws.com must be able to use the topics' key, or
        // alarm notifications are dropped silently.
        let main = std::fs::read_to_string(dir.join("terraform/modules/service/main.tf")).unwrap();
        if !main.contains("\"cloudwatch.amazonaws.com\"") {
            failures.push(format!(
                "case {}: the key policy does not let CloudWatch use the key",
                case.name
            ));
        }
    }
    assert_clean("alarm routing", &failures);
}

// --- environments ---------------------------------------------------------------

#[test]
fn environments_keep_their_own_state_tags_and_sizes() {
    let simple_line =
        |key: &str| regex::Regex::new(&format!(r"(?m)^{key} += +\d+( +#.*)?$")).unwrap();
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let service = service_name(&case);
        let module_source = case
            .get("terraform_modules_source")
            .filter(|s| !s.is_empty())
            .unwrap_or("../modules/service");
        let mut sizes = BTreeMap::new();
        for env in ["shared", "dev", "staging", "prod"] {
            let folder = Path::new("terraform").join(env);
            let here = format!("case {}: {}", case.name, folder.display());

            // State: its own key, encrypted, S3-native locking.
            let backend = parse(&case, &dir, &folder.join("backend.tf"));
            let terraform = backend.blocks().find(|b| b.identifier() == "terraform");
            let s3 = terraform.and_then(|t| blocks(t.body(), "backend", "s3").next());
            match s3 {
                Some(s3) => {
                    let key = format!("services/{service}/{env}/terraform.tfstate");
                    if attr(s3.body(), "key").and_then(text).as_deref() != Some(key.as_str()) {
                        failures.push(format!("{here}/backend.tf: state key must be {key}"));
                    }
                    for flag in ["encrypt", "use_lockfile"] {
                        if attr(s3.body(), flag) != Some(&Expression::Bool(true)) {
                            failures.push(format!("{here}/backend.tf: {flag} must be true"));
                        }
                    }
                }
                None => failures.push(format!("{here}/backend.tf: no backend \"s3\" block")),
            }
            if terraform
                .and_then(|t| attr(t.body(), "required_version"))
                .and_then(text)
                .as_deref()
                != Some(">= 1.10")
            {
                failures.push(format!(
                    "{here}/backend.tf: required_version must be >= 1.10 (use_lockfile)"
                ));
            }

            // Billing tags: every one a variable with a non-empty validation.
            let main = parse(&case, &dir, &folder.join("main.tf"));
            let tags = blocks(&main, "provider", "aws")
                .next()
                .and_then(|p| p.body().blocks().find(|b| b.identifier() == "default_tags"))
                .and_then(|d| attr(d.body(), "tags"));
            let tag_keys: BTreeSet<String> = match tags {
                Some(Expression::Object(o)) => o.keys().map(ToString::to_string).collect(),
                _ => BTreeSet::new(),
            };
            for tag in ["environment", "service", "sub-service", "owner"] {
                if !tag_keys.iter().any(|k| k.trim_matches('"') == tag) {
                    failures.push(format!("{here}/main.tf: default_tags lacks `{tag}`"));
                }
            }
            let variables = parse(&case, &dir, &folder.join("variables.tf"));
            for var in ["environment", "service", "sub_service", "owner"] {
                let validated = blocks(&variables, "variable", var)
                    .next()
                    .is_some_and(|v| v.body().blocks().any(|b| b.identifier() == "validation"));
                if !validated {
                    failures.push(format!(
                        "{here}/variables.tf: variable {var} needs a validation"
                    ));
                }
            }
            let tfvars = parse(&case, &dir, &folder.join("terraform.tfvars"));
            let tfvar = |key: &str| attr(&tfvars, key).and_then(text);
            if tfvar("environment").as_deref() != Some(env)
                || tfvar("sub_service").as_deref() != Some(service)
            {
                failures.push(format!(
                    "{here}/terraform.tfvars: environment must be {env} and sub_service {service}"
                ));
            }
            if env == "shared" {
                continue;
            }

            // The environment calls the service module.
            let source = blocks(&main, "module", "service")
                .next()
                .and_then(|m| attr(m.body(), "source"))
                .and_then(text);
            if source.as_deref() != Some(module_source) {
                failures.push(format!("{here}/main.tf: module \"service\" source must be {module_source}, got {source:?}"));
            }

            // Sizes: simple `key = value` lines (rightsize rewrites them) and a valid Fargate size.
            let raw = std::fs::read_to_string(dir.join(folder.join("terraform.tfvars"))).unwrap();
            let mut size = BTreeMap::new();
            for key in ["cpu", "memory", "min_count", "max_count"] {
                if !simple_line(key).is_match(&raw) {
                    failures.push(format!(
                        "{here}/terraform.tfvars: no simple `{key} = <number>` line"
                    ));
                }
                match attr(&tfvars, key).and_then(number) {
                    Some(v) => {
                        size.insert(key, v);
                    }
                    None => {
                        failures.push(format!("{here}/terraform.tfvars: {key} must be a number"));
                    }
                }
            }
            if let (Some(&cpu), Some(&memory), Some(&min), Some(&max)) = (
                size.get("cpu"),
                size.get("memory"),
                size.get("min_count"),
                size.get("max_count"),
            ) {
                if !valid_fargate(cpu, memory) {
                    failures.push(format!(
                        "{here}/terraform.tfvars: cpu {cpu} / memory {memory} is not a Fargate size"
                    ));
                }
                if min < 1 || min > max {
                    failures.push(format!(
                        "{here}/terraform.tfvars: need 1 <= min_count ({min}) <= max_count ({max})"
                    ));
                }
            }
            sizes.insert(env, size);
        }

        // prod takes the answers; dev is never bigger than prod.
        let answers: BTreeMap<&str, i64> = [
            ("cpu", answer_number(&case, "cpu", 512)),
            ("memory", answer_number(&case, "memory", 1024)),
            ("min_count", answer_number(&case, "min_count", 2)),
            ("max_count", answer_number(&case, "max_count", 6)),
        ]
        .into();
        if sizes.get("prod") != Some(&answers) {
            failures.push(format!(
                "case {}: prod sizes {:?} must equal the answers {answers:?}",
                case.name,
                sizes.get("prod")
            ));
        }
        if let (Some(dev), Some(prod)) = (sizes.get("dev"), sizes.get("prod")) {
            for key in ["cpu", "memory", "max_count"] {
                if dev.get(key) > prod.get(key) {
                    failures.push(format!(
                        "case {}: dev {key} is bigger than prod's",
                        case.name
                    ));
                }
            }
        }

        // The image repository is shared by the environments.
        let shared = parse(&case, &dir, Path::new("terraform/shared/main.tf"));
        let ecr = blocks(&shared, "resource", "aws_ecr_repository").next();
        if ecr
            .and_then(|r| attr(r.body(), "image_tag_mutability"))
            .and_then(text)
            .as_deref()
            != Some("IMMUTABLE")
        {
            failures.push(format!(
                "case {}: terraform/shared needs an ECR repository with immutable tags",
                case.name
            ));
        }
    }
    assert_clean("environments", &failures);
}

#[test]
fn atlantis_plans_every_terraform_project() {
    let mut failures = Vec::new();
    for (case, dir) in rendered() {
        let service = service_name(&case);
        let text = std::fs::read_to_string(dir.join("atlantis.yaml"))
            .unwrap_or_else(|e| panic!("case {}: atlantis.yaml: {e}", case.name));
        let doc: serde_norway::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("case {}: atlantis.yaml is not YAML: {e}", case.name));
        let here = format!("case {}: atlantis.yaml", case.name);
        if doc["version"].as_u64() != Some(3) {
            failures.push(format!("{here}: version must be 3"));
        }
        let projects = doc["projects"].as_sequence().cloned().unwrap_or_default();
        let listed: Vec<(String, String)> = projects
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_string(),
                    p["dir"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = ["shared", "dev", "staging", "prod"]
            .iter()
            .map(|env| (format!("{service}-{env}"), format!("terraform/{env}")))
            .collect();
        if listed != expected {
            failures.push(format!(
                "{here}: projects {listed:?}, expected {expected:?}"
            ));
        }
        for project in &projects {
            let name = project["name"].as_str().unwrap_or_default();
            let dir_ok = project["dir"]
                .as_str()
                .is_some_and(|d| dir.join(d).join("main.tf").is_file());
            if !dir_ok {
                failures.push(format!(
                    "{here}: project {name} points at a folder without main.tf"
                ));
            }
            let watched: Vec<&str> = project["autoplan"]["when_modified"]
                .as_sequence()
                .map(|s| s.iter().filter_map(serde_norway::Value::as_str).collect())
                .unwrap_or_default();
            let needs_module = ENVIRONMENTS
                .iter()
                .any(|env| name.ends_with(&format!("-{env}")));
            if !watched.contains(&"*.tf")
                || !watched.contains(&"*.tfvars")
                || (needs_module && !watched.contains(&"../modules/**/*.tf"))
            {
                failures.push(format!(
                    "{here}: project {name} does not autoplan on its sources: {watched:?}"
                ));
            }
            let requirements: Vec<&str> = project["apply_requirements"]
                .as_sequence()
                .map(|s| s.iter().filter_map(serde_norway::Value::as_str).collect())
                .unwrap_or_default();
            if name.ends_with("-prod")
                && !(requirements.contains(&"approved") && requirements.contains(&"mergeable"))
            {
                failures.push(format!(
                    "{here}: prod must require approved and mergeable before apply"
                ));
            }
        }
    }
    assert_clean("atlantis.yaml", &failures);
}
