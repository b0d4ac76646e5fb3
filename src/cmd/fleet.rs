//! `newsvc fleet status|upgrade|grade`: many repositories in parallel, a
//! progress bar on a terminal, and a summary table sorted by outcome.

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ParallelProgressIterator, ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::Outcome;
use crate::cli::{FleetArgs, FleetCommand};
use crate::error::{Error, Result};
use crate::fleet::{self, TemplateCache, UpgradeOutcome};
use crate::grade;
use crate::scorecard;
use crate::source::git::FetchOptions;

fn repos(args: &FleetArgs) -> Result<Vec<PathBuf>> {
    let mut repos = args.repos.clone();
    if let Some(list) = &args.list {
        let text =
            std::fs::read_to_string(list).map_err(Error::io("cannot read the list file", list))?;
        repos.extend(fleet::parse_list(
            &text,
            list.parent().unwrap_or(std::path::Path::new(".")),
        ));
    }
    if repos.is_empty() {
        return Err(Error::Usage(
            "no repositories: give folders (e.g. `repos/*`) or --list FILE".into(),
        ));
    }
    Ok(repos)
}

fn progress(len: usize) -> ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(len as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} repos {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    }
}

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        if n == 0 {
            return Err(Error::Usage("--jobs must be at least 1".into()));
        }
        builder = builder.num_threads(n);
    }
    builder
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let last = cells.len() - 1;
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c.clone()
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(header.iter().map(|h| (*h).to_string()).collect());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

pub(crate) fn run(args: &FleetArgs) -> Result<Outcome> {
    let repos = repos(args)?;
    let pool = pool(args.jobs)?;
    let fetch = FetchOptions {
        offline: args.offline,
        cache_dir: None,
    };
    let cache = TemplateCache::default();
    let bar = progress(repos.len());
    let json = args.format == "json";
    match &args.command {
        FleetCommand::Status => {
            let mut rows: Vec<fleet::StatusRow> = pool.install(|| {
                repos
                    .par_iter()
                    .progress_with(bar.clone())
                    .map(|r| fleet::status_one(r, args.template.as_deref(), &fetch, &cache))
                    .collect()
            });
            bar.finish_and_clear();
            let rank = |s: &str| match s {
                "failed" => 0,
                "behind" => 1,
                _ => 2,
            };
            rows.sort_by(|a, b| {
                rank(&a.state)
                    .cmp(&rank(&b.state))
                    .then_with(|| a.repo.cmp(&b.repo))
            });
            let behind = rows.iter().filter(|r| r.state == "behind").count();
            let failed = rows.iter().filter(|r| r.state == "failed").count();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.repo.clone(),
                            r.state.clone(),
                            r.recorded.clone().unwrap_or_default(),
                            r.latest.clone().unwrap_or_default(),
                            r.owner.clone().unwrap_or_default(),
                            r.detail.clone(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(
                        &["repo", "state", "recorded", "latest", "owner", "detail"],
                        &cells
                    )
                );
                println!(
                    "\n{} repos: {} current, {behind} behind, {failed} failed",
                    rows.len(),
                    rows.len() - behind - failed
                );
            }
            Ok(if behind + failed > 0 {
                Outcome::Found
            } else {
                Outcome::Ok
            })
        }
        FleetCommand::Upgrade { to, branch } => {
            let to = to
                .as_deref()
                .map(|v| {
                    semver::Version::parse(v.trim_start_matches('v')).map_err(|e| {
                        Error::Usage(format!("--to `{v}` is not a version like 1.4.0: {e}"))
                    })
                })
                .transpose()?;
            let options = fleet::UpgradeOptions {
                target: crate::upgrade::Target {
                    template: args.template.clone(),
                    to,
                    overrides: crate::answers::ProvidedAnswers::new(),
                    fetch,
                },
                branch: branch.clone(),
            };
            let mut rows: Vec<fleet::UpgradeRow> = pool.install(|| {
                repos
                    .par_iter()
                    .progress_with(bar.clone())
                    .map(|r| fleet::upgrade_one(r, &options, &cache))
                    .collect()
            });
            bar.finish_and_clear();
            fleet::sort_upgrades(&mut rows);
            let count = |o: UpgradeOutcome| rows.iter().filter(|r| r.outcome == o).count();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.repo.clone(),
                            r.outcome.label().to_string(),
                            format!(
                                "{} → {}",
                                r.from.clone().unwrap_or_else(|| "?".into()),
                                r.to.clone().unwrap_or_else(|| "?".into())
                            ),
                            r.detail.clone(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["repo", "outcome", "version", "detail"], &cells)
                );
                println!(
                    "\n{} repos: {} upgraded, {} already had the branch, {} conflicts, {} up-to-date, {} skipped, {} failed",
                    rows.len(),
                    count(UpgradeOutcome::Upgraded),
                    count(UpgradeOutcome::Exists),
                    count(UpgradeOutcome::Conflicts),
                    count(UpgradeOutcome::UpToDate),
                    count(UpgradeOutcome::Skipped),
                    count(UpgradeOutcome::Failed)
                );
                let to_push: Vec<&fleet::UpgradeRow> = rows
                    .iter()
                    .filter(|r| {
                        matches!(r.outcome, UpgradeOutcome::Upgraded | UpgradeOutcome::Exists)
                    })
                    .collect();
                if !to_push.is_empty() {
                    println!("\npush the upgrade branches:");
                    for r in to_push {
                        println!(
                            "  git -C {} push -u origin {}",
                            super::shell_word(&r.repo),
                            r.branch.clone().unwrap_or_default()
                        );
                    }
                }
            }
            Ok(
                if count(UpgradeOutcome::Conflicts) + count(UpgradeOutcome::Failed) > 0 {
                    Outcome::Found
                } else {
                    Outcome::Ok
                },
            )
        }
        FleetCommand::Grade {
            rubric,
            html,
            today,
        } => {
            let rubric = super::grade::load_rubric(rubric.as_deref())?;
            let today = super::grade::today(today.as_deref())?;
            let mut rows: Vec<fleet::GradeRow> = pool.install(|| {
                repos
                    .par_iter()
                    .progress_with(bar.clone())
                    .map(|r| fleet::grade_one(r, &rubric, today, &fetch, &cache))
                    .collect()
            });
            bar.finish_and_clear();
            let level_rank = |r: &fleet::GradeRow| {
                r.report
                    .as_ref()
                    .and_then(|r| r.level)
                    .map_or(0, |l| l as usize + 1)
            };
            rows.sort_by(|a, b| {
                level_rank(a)
                    .cmp(&level_rank(b))
                    .then_with(|| a.service.cmp(&b.service))
            });
            if let Some(file) = html {
                let page = scorecard::render(&rows, "Service scorecard");
                std::fs::write(file, page)
                    .map_err(Error::io("cannot write the scorecard", file))?;
                eprintln!("wrote {}", file.display());
            }
            let failed = rows.iter().filter(|r| r.report.is_none()).count();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.service.clone(),
                            r.owner.clone().unwrap_or_default(),
                            r.template_version.clone().unwrap_or_default(),
                            r.report.as_ref().map_or_else(
                                || format!("not graded: {}", r.error.clone().unwrap_or_default()),
                                |rep| grade::report::level_name(rep.level).to_string(),
                            ),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(&["service", "owner", "template", "level"], &cells)
                );
                println!("\n{} repos graded, {failed} failed", rows.len() - failed);
            }
            Ok(if failed > 0 {
                Outcome::Found
            } else {
                Outcome::Ok
            })
        }
    }
}
