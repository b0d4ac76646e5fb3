//! Upgrades in place: find the previous pristine render in history (by its
//! trailer), render the new one, commit it as the next pristine, and merge
//! it into the team's branch with git's three-way merge (base = previous
//! pristine). Also the pieces `status`, `diff`, `adopt` and `fleet` share:
//! opening a managed repo, dirtiness, the pristine chain, merges built
//! entirely in git objects.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::answers::{self, Provided, ProvidedAnswers, Raw, Resolved};
use crate::error::{Error, Result};
use crate::merge::{self, Action};
use crate::record::{RECORD_FILE, Record};
use crate::render;
use crate::repo;
use crate::source::{self, TemplateSet, git::FetchOptions};
use crate::tree::FileTree;

/// A repository managed by newsvc, opened.
pub struct Managed {
    pub repo: Repository,
    pub workdir: PathBuf,
    pub record: Record,
}

/// Opens the git repository at `path` and reads its `.newsvc.yml`.
pub fn open_managed(path: &Path) -> Result<Managed> {
    let repo = Repository::open(path).map_err(|e| {
        Error::Other(format!("`{}` is not a git repository ({}); run this in a repository made by `newsvc new`, or bring one under management with `newsvc adopt`", path.display(), e.message()))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| {
            Error::Other(format!(
                "`{}` is a bare repository; newsvc needs a working tree",
                path.display()
            ))
        })?
        .to_path_buf();
    let record_path = workdir.join(RECORD_FILE);
    let text = std::fs::read_to_string(&record_path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Other(format!("`{}` has no {RECORD_FILE}, so newsvc does not know its template; bring it under management with `newsvc adopt {}`", workdir.display(), path.display()))
        } else {
            Error::io("cannot read", &record_path)(e)
        }
    })?;
    let record = Record::parse(&text, &record_path.to_string_lossy())?;
    Ok(Managed {
        repo,
        workdir,
        record,
    })
}

/// The files of commit `oid`.
pub fn commit_tree(repo: &Repository, oid: Oid) -> Result<FileTree> {
    let tree = repo
        .find_commit(oid)
        .and_then(|c| c.tree())
        .map_err(Error::git("read commit tree"))?;
    repo::read_tree(repo, &tree)
}

/// Files that make the working tree dirty (modified, staged, untracked; ignored files do not count).
pub fn dirty_files(repo: &Repository) -> Result<Vec<String>> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    let statuses = repo
        .statuses(Some(&mut opts))
        .map_err(Error::git("read status"))?;
    Ok(statuses
        .iter()
        .filter(|s| s.status() != git2::Status::CURRENT)
        .filter_map(|s| s.path().ok().map(str::to_string))
        .collect())
}

/// The most recent pristine commit reachable from `from` for template
/// `name`, at `version` if given.
pub fn find_pristine(
    repo: &Repository,
    from: Oid,
    name: &str,
    version: Option<&semver::Version>,
) -> Result<Option<Oid>> {
    let mut walk = repo.revwalk().map_err(Error::git("walk history"))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
        .map_err(Error::git("walk history"))?;
    walk.push(from).map_err(Error::git("walk history"))?;
    for oid in walk {
        let oid = oid.map_err(Error::git("walk history"))?;
        let commit = repo.find_commit(oid).map_err(Error::git("read commit"))?;
        if let Some((n, v)) = repo::parse_trailer(commit.message().unwrap_or_default()) {
            if n == name && version.is_none_or(|want| *want == v) {
                return Ok(Some(oid));
            }
        }
    }
    Ok(None)
}

/// The recorded answers as provided answers (known questions only), with `set` on top.
pub fn answers_for(
    set_: &TemplateSet,
    record: &Record,
    overrides: &ProvidedAnswers,
) -> ProvidedAnswers {
    let mut provided: ProvidedAnswers = record
        .answers
        .iter()
        .filter(|(k, _)| set_.manifest.question(k).is_some())
        .map(|(k, v)| {
            let yaml = serde_norway::to_value(v).unwrap_or(serde_norway::Value::Null);
            (
                k.clone(),
                Provided {
                    raw: Raw::Yaml(yaml),
                    origin: RECORD_FILE.to_string(),
                },
            )
        })
        .collect();
    for (k, v) in overrides {
        provided.insert(k.clone(), v.clone());
    }
    provided
}

/// Where the merge base came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// The pristine commit of the recorded version, found in history.
    Chain(Oid),
    /// Re-rendered from the template source (the chain was not in history);
    /// `parent` is the latest pristine commit that was found, if any.
    ReRendered { parent: Option<Oid>, source: String },
}

impl Base {
    pub fn describe(&self, name: &str, version: &semver::Version) -> String {
        match self {
            Base::Chain(oid) => format!(
                "pristine commit {} ({name}@{version})",
                &oid.to_string()[..10]
            ),
            Base::ReRendered { source, .. } => {
                format!(
                    "{name}@{version} re-rendered from `{source}` (its pristine commit is not in this history, e.g. after a squash merge)"
                )
            }
        }
    }
}

/// Everything needed to apply (or show) an upgrade; computed without writing.
pub struct Prepared {
    pub from_version: semver::Version,
    pub set: TemplateSet,
    pub resolved: Resolved,
    pub base: Base,
    pub base_tree: FileTree,
    pub new_tree: FileTree,
    pub ours_tree: FileTree,
    pub head: Oid,
}

impl Prepared {
    /// Whether there is nothing to do: same version and the same render.
    pub fn is_current(&self) -> bool {
        self.set.manifest.version == self.from_version
            && self.base_tree.same_content(&self.new_tree)
    }

    /// The per-file plan.
    pub fn plan(&self) -> Result<Vec<(String, Action)>> {
        let keep = |p: &str| self.new_tree.get(p).is_some_and(|e| e.skip_if_exists);
        merge::plan(&self.base_tree, &self.new_tree, &self.ours_tree, &keep)
    }
}

/// What to upgrade to.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Template source; default: the one the repo records.
    pub template: Option<String>,
    /// Exact version wanted.
    pub to: Option<semver::Version>,
    pub overrides: ProvidedAnswers,
    pub fetch: FetchOptions,
}

/// Loads the target template, honouring `--to` (for git sources, the tag
/// `vX.Y.Z` or `X.Y.Z`), and checks it suits the repository.
pub fn load_target(record: &Record, target: &Target) -> Result<TemplateSet> {
    let source_str = target
        .template
        .clone()
        .unwrap_or_else(|| record.template.source.clone());
    let set = load_version(&source_str, target.to.as_ref(), &target.fetch)?;
    check_target(record, &set, &source_str)?;
    Ok(set)
}

/// Loads `source`, at version `to` if given.
pub fn load_version(
    source_str: &str,
    to: Option<&semver::Version>,
    fetch: &FetchOptions,
) -> Result<TemplateSet> {
    let set = match (to, source::SourceSpec::parse(source_str)?) {
        (Some(to), source::SourceSpec::Git { url, subdir, .. }) => {
            let sub = subdir.map(|s| format!("//{s}")).unwrap_or_default();
            source::load(&format!("{url}@v{to}{sub}"), fetch)
                .or_else(|_| source::load(&format!("{url}@{to}{sub}"), fetch))?
        }
        _ => source::load(source_str, fetch)?,
    };
    if let Some(to) = to {
        if set.manifest.version != *to {
            return Err(Error::Other(format!(
                "the template at `{source_str}` is version {}, not the requested --to {to}",
                set.manifest.version
            )));
        }
    }
    Ok(set)
}

/// Refuses a template of another name, or older than the recorded one.
pub fn check_target(record: &Record, set: &TemplateSet, source_str: &str) -> Result<()> {
    if set.manifest.name != record.template.name {
        return Err(Error::Other(format!(
            "the template at `{source_str}` is `{}`, but this repository was made from `{}`",
            set.manifest.name, record.template.name
        )));
    }
    if set.manifest.version < record.template.version {
        return Err(Error::Other(format!(
            "the template at `{source_str}` is version {}, older than the recorded {}; newsvc does not downgrade",
            set.manifest.version, record.template.version
        )));
    }
    Ok(())
}

/// Renders the recorded version again, for a history without the pristine
/// chain: from `target_set` when it is that version, else from the recorded
/// source (a git source at the recorded commit or tag).
pub fn rerender_recorded(
    record: &Record,
    target_set: Option<&TemplateSet>,
    fetch: &FetchOptions,
) -> Result<(FileTree, String)> {
    let wanted = &record.template.version;
    let mut candidates: Vec<String> = Vec::new();
    if let Ok(source::SourceSpec::Git { url, subdir, .. }) =
        source::SourceSpec::parse(&record.template.source)
    {
        let sub = subdir.map(|s| format!("//{s}")).unwrap_or_default();
        if let Some(commit) = &record.template.commit {
            candidates.push(format!("{url}@{commit}{sub}"));
        }
        candidates.push(format!("{url}@v{wanted}{sub}"));
    } else {
        candidates.push(record.template.source.clone());
    }
    let old_set = if let Some(set) = target_set.filter(|s| s.manifest.version == *wanted) {
        Some(set.clone())
    } else {
        candidates.iter().find_map(|c| {
            source::load(c, fetch).ok().filter(|s| {
                s.manifest.version == *wanted && s.manifest.name == record.template.name
            })
        })
    };
    let Some(old_set) = old_set else {
        return Err(Error::Other(format!(
            "no pristine commit of {}@{wanted} is in this history (squash merge, shallow clone, or a repository older than newsvc), and the template source `{}` is not available at {wanted} to render it again; bring the repository back under management with `newsvc adopt` (it records a fresh base without changing your files)",
            record.template.name, record.template.source
        )));
    };
    let provided = answers_for(&old_set, record, &ProvidedAnswers::new());
    let resolved = answers::resolve_set(&old_set, &provided, &ProvidedAnswers::new(), None)?;
    let mut tree = render::render_repo(&old_set, &resolved)?;
    // The base's record is what the repo recorded, so `.newsvc.yml` merges from it.
    tree.insert(RECORD_FILE, crate::tree::FileEntry::new(record.to_yaml()));
    Ok((tree, old_set.origin.source.clone()))
}

/// Prepares an upgrade of `managed` to `target`; reads only. `resolve`
/// turns provided answers into resolved ones (prompting at the edge if it may).
pub fn prepare(
    managed: &Managed,
    target: &Target,
    resolve: &mut dyn FnMut(&TemplateSet, &ProvidedAnswers) -> Result<Resolved>,
) -> Result<Prepared> {
    let set = load_target(&managed.record, target)?;
    prepare_with(managed, set, target, resolve)
}

/// Prepares an upgrade to an already loaded (and checked) template `set`.
pub fn prepare_with(
    managed: &Managed,
    set: TemplateSet,
    target: &Target,
    resolve: &mut dyn FnMut(&TemplateSet, &ProvidedAnswers) -> Result<Resolved>,
) -> Result<Prepared> {
    let repo = &managed.repo;
    let record = &managed.record;
    let provided = answers_for(&set, record, &target.overrides);
    let resolved = resolve(&set, &provided)?;
    let new_tree = render::render_repo(&set, &resolved)?;

    let head_commit = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(Error::git("read HEAD"))?;
    let head = head_commit.id();
    let ours_tree = repo::read_tree(
        repo,
        &head_commit.tree().map_err(Error::git("read HEAD tree"))?,
    )?;
    let found = find_pristine(
        repo,
        head,
        &record.template.name,
        Some(&record.template.version),
    )?;
    let (base, base_tree) = if let Some(oid) = found {
        (Base::Chain(oid), commit_tree(repo, oid)?)
    } else {
        let (tree, source) = rerender_recorded(record, Some(&set), &target.fetch)?;
        let parent = find_pristine(repo, head, &record.template.name, None)?;
        (Base::ReRendered { parent, source }, tree)
    };
    Ok(Prepared {
        from_version: record.template.version.clone(),
        set,
        resolved,
        base,
        base_tree,
        new_tree,
        ours_tree,
        head,
    })
}

/// The commits an upgrade adds, written to the object database.
pub struct Commits {
    /// The commit holding the base tree (the found pristine, or a new one for a re-render).
    pub base: Oid,
    /// The new pristine commit (parent: `base`).
    pub pristine: Oid,
}

/// Writes the base (if re-rendered) and the new pristine commit as objects; moves no ref.
pub fn write_pristine(repo: &Repository, prepared: &Prepared) -> Result<Commits> {
    let (sig, _) = repo::signature(repo)?;
    let name = &prepared.set.manifest.name;
    let base = match &prepared.base {
        Base::Chain(oid) => *oid,
        Base::ReRendered { parent, source } => {
            let tree = repo
                .find_tree(repo::write_tree(repo, &prepared.base_tree)?)
                .map_err(Error::git("find tree"))?;
            let parents: Vec<git2::Commit<'_>> = parent
                .iter()
                .filter_map(|p| repo.find_commit(*p).ok())
                .collect();
            let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let msg = repo::pristine_message(
                &format!(
                    "Re-render template {name}@{} as the upgrade base",
                    prepared.from_version
                ),
                name,
                &prepared.from_version,
                source,
            );
            repo.commit(None, &sig, &sig, &msg, &tree, &parent_refs)
                .map_err(Error::git("commit the re-rendered base"))?
        }
    };
    let tree = repo
        .find_tree(repo::write_tree(repo, &prepared.new_tree)?)
        .map_err(Error::git("find tree"))?;
    let parent = repo
        .find_commit(base)
        .map_err(Error::git("read base commit"))?;
    let version = &prepared.set.manifest.version;
    let msg = repo::pristine_message(
        &format!("Template {name}@{version} (pristine render)"),
        name,
        version,
        &prepared.set.origin.source,
    );
    let pristine = repo
        .commit(None, &sig, &sig, &msg, &tree, &[&parent])
        .map_err(Error::git("commit the pristine render"))?;
    Ok(Commits { base, pristine })
}

/// Merges in objects: base tree, the team's commit and the pristine commit.
/// `.newsvc.yml` always takes the template's (newsvc writes it), and
/// write-once files keep the team's version. Returns the index and the
/// conflicted paths.
pub fn merge_index(
    repo: &Repository,
    prepared: &Prepared,
    ours: Oid,
    commits: &Commits,
) -> Result<(git2::Index, Vec<String>)> {
    let tree_of = |oid: Oid| {
        repo.find_commit(oid)
            .and_then(|c| c.tree())
            .map_err(Error::git("read tree"))
    };
    let (base, ours_tree, theirs) = (
        tree_of(commits.base)?,
        tree_of(ours)?,
        tree_of(commits.pristine)?,
    );
    let mut opts = git2::MergeOptions::new();
    opts.find_renames(false);
    let mut index = repo
        .merge_trees(&base, &ours_tree, &theirs, Some(&opts))
        .map_err(Error::git("merge"))?;
    // Paths newsvc decides itself rather than merging.
    let mut decided: Vec<(String, Option<git2::TreeEntry<'_>>)> = vec![(
        RECORD_FILE.to_string(),
        theirs.get_name(RECORD_FILE).map(|e| e.to_owned()),
    )];
    for (path, entry) in prepared.new_tree.iter() {
        if entry.skip_if_exists {
            if let Ok(e) = ours_tree.get_path(Path::new(path)) {
                decided.push((path.clone(), Some(e)));
            }
        }
    }
    for (path, entry) in decided {
        let _ = index.conflict_remove(Path::new(&path));
        let _ = index.remove_path(Path::new(&path));
        if let Some(e) = entry {
            let blob = repo.find_blob(e.id()).map_err(Error::git("read blob"))?;
            let ie = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: u32::try_from(e.filemode()).unwrap_or(0o100_644),
                uid: 0,
                gid: 0,
                file_size: u32::try_from(blob.content().len()).unwrap_or(u32::MAX),
                id: e.id(),
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&ie).map_err(Error::git("stage"))?;
        }
    }
    let mut conflicted: Vec<String> = Vec::new();
    if index.has_conflicts() {
        for c in index.conflicts().map_err(Error::git("read conflicts"))? {
            let c = c.map_err(Error::git("read conflicts"))?;
            let entry = c.our.as_ref().or(c.their.as_ref()).or(c.ancestor.as_ref());
            if let Some(e) = entry {
                conflicted.push(String::from_utf8_lossy(&e.path).into_owned());
            }
        }
    }
    conflicted.sort();
    conflicted.dedup();
    Ok((index, conflicted))
}

/// The outcome of an applied upgrade.
#[derive(Debug)]
pub enum Applied {
    /// Merged and committed.
    Committed { merge: Oid, pristine: Oid },
    /// Merged and staged (`--no-commit`); `git commit` concludes it.
    Staged { pristine: Oid },
    /// Conflicts left in the index and working tree, as `git merge` leaves them.
    Conflicts { pristine: Oid, files: Vec<String> },
}

/// The message of an upgrade's merge commit, made by `command`.
pub fn merge_message(prepared: &Prepared, command: &str) -> String {
    let name = &prepared.set.manifest.name;
    format!(
        "Upgrade to template {name}@{}\n\nMerged by `{command}` from {name}@{} (base: {}).\n",
        prepared.set.manifest.version,
        prepared.from_version,
        prepared.base.describe(name, &prepared.from_version)
    )
}

/// Commits the merged `index` as the merge of the team's HEAD and the new
/// pristine commit, by the user's identity; `update_ref` as in
/// `Repository::commit` (`None` leaves every ref alone).
pub fn commit_merge(
    repo: &Repository,
    index: &mut git2::Index,
    prepared: &Prepared,
    pristine: Oid,
    update_ref: Option<&str>,
    message: &str,
) -> Result<Oid> {
    let tree_id = index
        .write_tree_to(repo)
        .map_err(Error::git("write merged tree"))?;
    let tree = repo.find_tree(tree_id).map_err(Error::git("find tree"))?;
    let head = repo
        .find_commit(prepared.head)
        .map_err(Error::git("read HEAD"))?;
    let pristine = repo
        .find_commit(pristine)
        .map_err(Error::git("read pristine"))?;
    let (sig, _) = repo::signature(repo)?;
    repo.commit(update_ref, &sig, &sig, message, &tree, &[&head, &pristine])
        .map_err(Error::git("commit the merge"))
}

/// Applies a prepared upgrade to the checked-out branch and working tree.
pub fn apply(managed: &Managed, prepared: &Prepared, no_commit: bool) -> Result<Applied> {
    let repo = &managed.repo;
    let commits = write_pristine(repo, prepared)?;
    let (mut index, conflicts) = merge_index(repo, prepared, prepared.head, &commits)?;
    let name = &prepared.set.manifest.name;
    let version = &prepared.set.manifest.version;
    let mut message = merge_message(prepared, "newsvc upgrade");
    if conflicts.is_empty() && !no_commit {
        let merge = commit_merge(
            repo,
            &mut index,
            prepared,
            commits.pristine,
            Some("HEAD"),
            &message,
        )?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        repo.checkout_head(Some(&mut checkout))
            .map_err(Error::git("update the working tree"))?;
        return Ok(Applied::Committed {
            merge,
            pristine: commits.pristine,
        });
    }
    // Leave the state exactly as `git merge` does: index (with conflict
    // stages), working tree (with markers), MERGE_HEAD, MERGE_MSG, MERGE_MODE.
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout
        .allow_conflicts(true)
        .conflict_style_merge(true)
        .force()
        .our_label("HEAD")
        .their_label(&format!("newsvc {name}@{version}"));
    repo.checkout_index(Some(&mut index), Some(&mut checkout))
        .map_err(Error::git("write the merge into the working tree"))?;
    let mut repo_index = repo.index().map_err(Error::git("open index"))?;
    repo_index.clear().map_err(Error::git("reset index"))?;
    for entry in index.iter() {
        repo_index
            .add(&entry)
            .map_err(Error::git("stage merge result"))?;
    }
    // Merged entries carry no stat data; refresh the resolved ones from the
    // files just written, or `git merge --abort` may see them as "not uptodate".
    let resolved_paths: Vec<String> = index
        .iter()
        .filter(|e| (e.flags >> 12).trailing_zeros() >= 2) // stage 0: resolved
        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        .filter(|p| !conflicts.contains(p) && managed.workdir.join(p).is_file())
        .collect();
    for path in resolved_paths {
        repo_index
            .add_path(Path::new(&path))
            .map_err(Error::git("refresh index"))?;
    }
    repo_index.write().map_err(Error::git("write index"))?;
    if !conflicts.is_empty() {
        message.push_str("\nConflicts:\n");
        for f in &conflicts {
            message.push('\t');
            message.push_str(f);
            message.push('\n');
        }
    }
    let git_dir = repo.path();
    let write = |file: &str, text: &str| {
        std::fs::write(git_dir.join(file), text)
            .map_err(Error::io("cannot write", git_dir.join(file)))
    };
    write("MERGE_HEAD", &format!("{}\n", commits.pristine))?;
    write("MERGE_MSG", &message)?;
    write("MERGE_MODE", "no-ff")?;
    write("ORIG_HEAD", &format!("{}\n", prepared.head))?;
    if conflicts.is_empty() {
        Ok(Applied::Staged {
            pristine: commits.pristine,
        })
    } else {
        Ok(Applied::Conflicts {
            pristine: commits.pristine,
            files: conflicts,
        })
    }
}

/// The changelog sections of versions in `(from, to]` from a Keep-a-Changelog text.
pub fn changelog_between(changelog: &str, from: &semver::Version, to: &semver::Version) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in changelog.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            let version = heading
                .trim_start_matches('[')
                .split([']', ' '])
                .next()
                .unwrap_or("")
                .trim_start_matches('v');
            keep = semver::Version::parse(version).is_ok_and(|v| v > *from && v <= *to);
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_sections_between_versions() {
        let log = "# Changelog\n\n## [Unreleased]\n- wip\n\n## [1.2.0] - 2026-01-02\n- c\n\n## [1.1.0]\n- b\n\n## [1.0.0]\n- a\n";
        let got = changelog_between(log, &"1.0.0".parse().unwrap(), &"1.2.0".parse().unwrap());
        assert!(
            got.contains("- c")
                && got.contains("- b")
                && !got.contains("- a")
                && !got.contains("wip"),
            "{got}"
        );
    }
}
