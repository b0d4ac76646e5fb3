//! `newsvc templates list|show|validate`: what templates exist, what they
//! ask, and the template linter's report (exit 1 on findings).

use std::fmt::Write as _;

use crate::Outcome;
use crate::cli::{TemplateArgs, TemplatesCommand};
use crate::config::UserConfig;
use crate::error::Result;
use crate::source;

pub(super) fn run(command: TemplatesCommand) -> Result<Outcome> {
    let config = UserConfig::load()?;
    match command {
        TemplatesCommand::List => {
            for name in source::embedded_names() {
                let set = source::load_embedded(&name)?;
                println!(
                    "{name:<12} {:<8} (built in) {}",
                    set.manifest.version,
                    set.manifest.description.as_deref().unwrap_or("").trim()
                );
            }
            let default =
                super::template_source(std::env::var("NEWSVC_TEMPLATE").ok().as_deref(), &config);
            println!("\ndefault template: {default}");
            Ok(Outcome::Ok)
        }
        TemplatesCommand::Show { source, offline } => {
            let set = super::load_template(
                &TemplateArgs {
                    template: source,
                    offline,
                },
                &config,
            )?;
            let m = &set.manifest;
            println!("{} {}", m.name, m.version);
            println!(
                "source: {}{}",
                set.origin.source,
                set.origin
                    .commit
                    .as_ref()
                    .map_or(String::new(), |c| format!(" ({c})"))
            );
            if let Some(d) = &m.description {
                println!("{}", d.trim());
            }
            println!("\nquestions:");
            for q in &m.questions {
                let mut line = format!("  {:<26} {:<8}", q.name, q.kind.as_str());
                if !q.choices.is_empty() {
                    let _ = write!(line, " [{}]", q.choices.join("|"));
                }
                if let Some(d) = &q.default {
                    let d = serde_norway::to_string(d).unwrap_or_default();
                    let _ = write!(line, " default: {}", d.trim());
                }
                if let Some(w) = &q.when {
                    let _ = write!(line, " when: {w}");
                }
                println!("{line}");
                if let Some(p) = &q.prompt {
                    println!("  {:<26} {p}", "");
                }
            }
            if !m.computed.is_empty() {
                println!(
                    "\ncomputed: {}",
                    m.computed.keys().cloned().collect::<Vec<_>>().join(", ")
                );
            }
            if !m.cases.is_empty() {
                println!(
                    "cases: {}",
                    m.cases
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Ok(Outcome::Ok)
        }
        TemplatesCommand::Validate { source, offline } => {
            validate(source.as_deref(), offline, &config)
        }
    }
}

/// Lints the template at `source` and prints the findings.
fn validate(source: Option<&str>, offline: bool, config: &UserConfig) -> Result<Outcome> {
    let source = super::template_source(source, config);
    let raw = source::load_raw(
        &source,
        &source::git::FetchOptions {
            offline,
            cache_dir: None,
        },
    )?;
    let report = crate::lint::lint(&raw);
    let name = crate::manifest::Manifest::parse_lenient(&raw.manifest_text, &raw.manifest_file)
        .map_or_else(
            |_| "template".to_string(),
            |(m, _)| format!("template `{}` {}", m.name, m.version),
        );
    let rendered = format!(
        "{} of {} case{} rendered ({} files)",
        report.cases_rendered,
        report.cases,
        if report.cases == 1 { "" } else { "s" },
        report.files_rendered
    );
    if report.findings.is_empty() {
        println!("{name} ({}): no problems; {rendered}", raw.origin.source);
        return Ok(Outcome::Ok);
    }
    for finding in &report.findings {
        println!("{finding}");
    }
    let count = report.findings.len();
    let mut summary = format!(
        "\n{name} ({}): {count} problem{}",
        raw.origin.source,
        if count == 1 { "" } else { "s" }
    );
    let _ = match &report.cases_skipped {
        Some(why) => write!(summary, "; cases not rendered: {why}"),
        None => write!(summary, "; {rendered}"),
    };
    println!("{summary}");
    Ok(Outcome::Found)
}
