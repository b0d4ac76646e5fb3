//! Grading: a rubric of checks at four levels (bronze, silver, gold,
//! platinum) evaluated against a repository, rolled up into a level per
//! category and overall, and rendered as text, JSON, Markdown or an SVG badge.
//!
//! The boundary: `read_repo` (in `load`) is the only I/O here (one pass over
//! the repository's tracked and would-be-tracked files into a `RepoView`);
//! `evaluate` is pure (view, rubric, today, latest template version →
//! `Report`), so tests and `fleet` can grade trees built in memory and many
//! repositories share one prepared `Rubric`.

pub mod attest;
pub mod badge;
pub mod checks;
pub mod date;
pub mod dockerfile;
pub mod load;
pub mod report;
pub mod rubric;
pub mod secrets;
pub mod view;

use std::path::Path;

pub use date::Date;
pub use load::read_repo;
pub use report::Report;
pub use rubric::{Level, Rubric};
pub use view::RepoView;

use crate::error::Result;

/// What grading needs from outside the repository, decided at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeContext {
    /// The day attestations are judged against.
    pub today: Date,
    /// The newest version of the repository's template; `None` when it could
    /// not be read (the currency checks then fail and say so).
    pub latest_version: Option<semver::Version>,
}

/// Reads the repository at `path` once and grades it.
pub fn grade_repo(path: &Path, rubric: &Rubric, context: &GradeContext) -> Result<Report> {
    let view = read_repo(path)?;
    Ok(evaluate(
        &view,
        rubric,
        context.today,
        context.latest_version.as_ref(),
    ))
}

/// Grades a repository held in memory. Pure.
pub fn evaluate(
    view: &RepoView,
    rubric: &Rubric,
    today: Date,
    latest: Option<&semver::Version>,
) -> Report {
    let outcomes = rubric
        .checks
        .iter()
        .map(|check| checks::run(check, view, today, latest))
        .collect();
    let template = view.record().ok().map(|r| report::TemplateInfo {
        name: r.template.name.clone(),
        source: r.template.source.clone(),
        version: r.template.version.to_string(),
        latest: latest.map(ToString::to_string),
    });
    Report::build(rubric, view.name(), today, template, outcomes)
}
