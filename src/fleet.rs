//! Fleet operations: status, upgrade and grade over many local clones in
//! parallel (rayon), one repository's failure never stopping the others.
//! Upgrades never touch a checked-out branch or working tree: the pristine
//! commit and the merge are built in git objects and put on a new branch.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::answers::{self, ProvidedAnswers};
use crate::error::{Error, Result};
use crate::grade::{self, GradeContext, Rubric};
use crate::source::{TemplateSet, git::FetchOptions};
use crate::upgrade::{self, Managed, Target};

/// Reads a list file: one path per line, `#` comments and blank lines ignored;
/// relative paths are relative to the list file's folder.
pub fn parse_list(text: &str, base: &Path) -> Vec<PathBuf> {
    text.lines()
        .map(|l| l.split_once('#').map_or(l, |(before, _)| before).trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            if Path::new(l).is_absolute() {
                PathBuf::from(l)
            } else {
                base.join(l)
            }
        })
        .collect()
}

/// Templates loaded once per source for the whole run.
#[derive(Default)]
pub struct TemplateCache {
    loaded: Mutex<HashMap<String, std::result::Result<Arc<TemplateSet>, String>>>,
}

impl TemplateCache {
    /// The template at `source` (at version `to` if given), loading it on first use.
    pub fn get(
        &self,
        source: &str,
        to: Option<&semver::Version>,
        fetch: &FetchOptions,
    ) -> std::result::Result<Arc<TemplateSet>, String> {
        let key = format!(
            "{source}\u{0}{}",
            to.map(ToString::to_string).unwrap_or_default()
        );
        if let Some(hit) = self.loaded.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let result = upgrade::load_version(source, to, fetch)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(key, result.clone());
        }
        result
    }
}

/// How one repository's upgrade ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpgradeOutcome {
    Upgraded,
    Exists,
    Conflicts,
    UpToDate,
    Skipped,
    Failed,
}

impl UpgradeOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Upgraded => "upgraded",
            Self::Exists => "branch exists",
            Self::Conflicts => "conflicts",
            Self::UpToDate => "up-to-date",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
    /// Sort order of the summary: what needs people first.
    fn rank(&self) -> u8 {
        match self {
            Self::Failed => 0,
            Self::Conflicts => 1,
            Self::Skipped => 2,
            Self::Upgraded => 3,
            Self::Exists => 4,
            Self::UpToDate => 5,
        }
    }
}

/// One repository's upgrade result.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeRow {
    pub repo: String,
    pub outcome: UpgradeOutcome,
    pub from: Option<String>,
    pub to: Option<String>,
    pub branch: Option<String>,
    /// Conflicted files, the reason for a skip or failure, or the new commit.
    pub detail: String,
    pub conflicts: Vec<String>,
}

/// Options of `fleet upgrade`: the target (without answer changes: a fleet
/// upgrade keeps each repository's answers) and the branch to create.
#[derive(Debug, Clone, Default)]
pub struct UpgradeOptions {
    pub target: Target,
    /// Branch name; `{version}` is replaced by the target version.
    pub branch: String,
}

/// Upgrades one repository onto a new branch, in git objects only.
pub fn upgrade_one(path: &Path, options: &UpgradeOptions, cache: &TemplateCache) -> UpgradeRow {
    let mut row = UpgradeRow {
        repo: path.display().to_string(),
        outcome: UpgradeOutcome::Failed,
        from: None,
        to: None,
        branch: None,
        detail: String::new(),
        conflicts: Vec::new(),
    };
    let managed = match upgrade::open_managed(path) {
        Ok(m) => m,
        Err(e) => {
            row.outcome = UpgradeOutcome::Skipped;
            row.detail = format!("not a newsvc repository: {}", first_line(&e.to_string()));
            return row;
        }
    };
    row.from = Some(managed.record.template.version.to_string());
    match try_upgrade(&managed, options, cache, &mut row) {
        Ok(()) => {}
        Err(e) => {
            row.outcome = UpgradeOutcome::Failed;
            row.detail = first_line(&e.to_string());
        }
    }
    row
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

fn try_upgrade(
    managed: &Managed,
    options: &UpgradeOptions,
    cache: &TemplateCache,
    row: &mut UpgradeRow,
) -> Result<()> {
    let dirty = upgrade::dirty_files(&managed.repo)?;
    if !dirty.is_empty() {
        row.outcome = UpgradeOutcome::Skipped;
        row.detail = format!(
            "dirty working tree ({} file(s), e.g. {})",
            dirty.len(),
            dirty[0]
        );
        return Ok(());
    }
    let target = &options.target;
    let source = target
        .template
        .clone()
        .unwrap_or_else(|| managed.record.template.source.clone());
    let set = cache
        .get(&source, target.to.as_ref(), &target.fetch)
        .map_err(Error::Other)?;
    upgrade::check_target(&managed.record, &set, &source)?;
    let version = set.manifest.version.clone();
    row.to = Some(version.to_string());
    if version == managed.record.template.version {
        row.outcome = UpgradeOutcome::UpToDate;
        return Ok(());
    }
    let branch = options.branch.replace("{version}", &version.to_string());
    row.branch = Some(branch.clone());
    let repo = &managed.repo;
    if let Ok(existing) = repo.find_branch(&branch, git2::BranchType::Local) {
        let tip = existing
            .get()
            .peel_to_commit()
            .map_err(Error::git("read the existing upgrade branch"))?;
        let pristine_version = tip
            .parent(1)
            .ok()
            .and_then(|p| crate::repo::parse_trailer(p.message().unwrap_or_default()));
        if pristine_version.is_some_and(|(_, v)| v == version) {
            row.outcome = UpgradeOutcome::Exists;
            row.detail = format!(
                "{branch} already holds the upgrade ({})",
                &tip.id().to_string()[..10]
            );
            return Ok(());
        }
        return Err(Error::Other(format!(
            "branch `{branch}` exists and is not a newsvc upgrade to {version}; delete or rename it"
        )));
    }
    let prepared = upgrade::prepare_with(managed, (*set).clone(), target, &mut |s, provided| {
        answers::resolve_set(s, provided, &ProvidedAnswers::new(), None)
    })?;
    let commits = upgrade::write_pristine(repo, &prepared)?;
    let (mut index, conflicts) = upgrade::merge_index(repo, &prepared, prepared.head, &commits)?;
    if !conflicts.is_empty() {
        row.outcome = UpgradeOutcome::Conflicts;
        row.detail = format!(
            "{} conflicted file(s): {}",
            conflicts.len(),
            conflicts.join(", ")
        );
        row.conflicts = conflicts;
        row.branch = None;
        return Ok(());
    }
    let message = upgrade::merge_message(&prepared, "newsvc fleet upgrade");
    let merge = upgrade::commit_merge(
        repo,
        &mut index,
        &prepared,
        commits.pristine,
        None,
        &message,
    )?;
    let merge_commit = repo.find_commit(merge).map_err(Error::git("read merge"))?;
    repo.branch(&branch, &merge_commit, false)
        .map_err(Error::git(format!("create branch `{branch}`")))?;
    row.outcome = UpgradeOutcome::Upgraded;
    row.detail = format!("{branch} at {}", &merge.to_string()[..10]);
    Ok(())
}

/// One repository's status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub repo: String,
    /// `behind`, `current`, or `failed`.
    pub state: String,
    pub template: Option<String>,
    pub recorded: Option<String>,
    pub latest: Option<String>,
    pub owner: Option<String>,
    pub detail: String,
}

/// The status of one repository against its (or the given) template.
pub fn status_one(
    path: &Path,
    template: Option<&str>,
    fetch: &FetchOptions,
    cache: &TemplateCache,
) -> StatusRow {
    let mut row = StatusRow {
        repo: path.display().to_string(),
        state: "failed".into(),
        template: None,
        recorded: None,
        latest: None,
        owner: None,
        detail: String::new(),
    };
    let managed = match upgrade::open_managed(path) {
        Ok(m) => m,
        Err(e) => {
            row.detail = first_line(&e.to_string());
            return row;
        }
    };
    let record = &managed.record;
    row.template = Some(record.template.name.clone());
    row.recorded = Some(record.template.version.to_string());
    if let Some(answers::Value::Str(o)) = record.answers.get("owner") {
        row.owner = Some(o.clone());
    }
    let source = template.map_or_else(|| record.template.source.clone(), str::to_string);
    match cache.get(&source, None, fetch) {
        Ok(set) => {
            row.latest = Some(set.manifest.version.to_string());
            row.state = if set.manifest.version > record.template.version {
                "behind"
            } else {
                "current"
            }
            .into();
        }
        Err(e) => row.detail = first_line(&e),
    }
    row
}

/// One repository's grade (or why it could not be graded).
#[derive(Debug, Clone, Serialize)]
pub struct GradeRow {
    pub repo: String,
    pub service: String,
    pub owner: Option<String>,
    pub template_version: Option<String>,
    pub report: Option<grade::report::Report>,
    pub error: Option<String>,
}

/// Grades one repository.
pub fn grade_one(
    path: &Path,
    rubric: &Rubric,
    today: grade::date::Date,
    fetch: &FetchOptions,
    cache: &TemplateCache,
) -> GradeRow {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut row = GradeRow {
        repo: path.display().to_string(),
        service: name,
        owner: None,
        template_version: None,
        report: None,
        error: None,
    };
    let view = match grade::read_repo(path) {
        Ok(v) => v,
        Err(e) => {
            row.error = Some(first_line(&e.to_string()));
            return row;
        }
    };
    let latest = view.record().ok().and_then(|r| {
        row.template_version = Some(r.template.version.to_string());
        if let Some(answers::Value::Str(o)) = r.answers.get("owner") {
            row.owner = Some(o.clone());
        }
        cache
            .get(&r.template.source, None, fetch)
            .ok()
            .map(|s| s.manifest.version.clone())
    });
    let context = GradeContext {
        today,
        latest_version: latest,
    };
    let report = grade::evaluate(
        &view,
        rubric,
        context.today,
        context.latest_version.as_ref(),
    );
    row.service.clone_from(&report.service);
    row.report = Some(report);
    row
}

/// Sorts upgrade rows by outcome (what needs people first), then path.
pub fn sort_upgrades(rows: &mut [UpgradeRow]) {
    rows.sort_by(|a, b| {
        a.outcome
            .rank()
            .cmp(&b.outcome.rank())
            .then_with(|| a.repo.cmp(&b.repo))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_files() {
        let got = parse_list(
            "# fleet\n/abs/a\nrel/b  # comment\n\n   \n",
            Path::new("/base"),
        );
        assert_eq!(
            got,
            vec![PathBuf::from("/abs/a"), PathBuf::from("/base/rel/b")]
        );
    }
}
