//! `newsvc upgrade`, `adopt`, `status` and `diff`: the commands over one
//! managed repository. The merge work is in `crate::upgrade`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::answers::{self, Provided, ProvidedAnswers, Raw, Resolved};
use crate::cli::{AdoptArgs, DiffArgs, StatusArgs, UpgradeArgs};
use crate::config::UserConfig;
use crate::error::{Error, Result};
use crate::merge::Action;
use crate::prompt;
use crate::record::RECORD_FILE;
use crate::render;
use crate::repo;
use crate::source::{self, TemplateSet, git::FetchOptions};
use crate::upgrade::{self, Applied, Managed, Target};

fn path_or_here(path: Option<&PathBuf>) -> PathBuf {
    path.cloned().unwrap_or_else(|| PathBuf::from("."))
}

/// Resolves answers for upgrade/adopt: the provided ones are taken, new
/// questions take their default, or are asked on a terminal.
fn resolver(
    config: &UserConfig,
    defaults: bool,
) -> impl FnMut(&TemplateSet, &ProvidedAnswers) -> Result<Resolved> + '_ {
    move |set, provided| {
        let config_defaults = config.default_answers(&set.manifest.variable_names());
        if !defaults && prompt::can_prompt() {
            let mut asker = prompt::TerminalAsker::default();
            answers::resolve_set(set, provided, &config_defaults, Some(&mut asker))
        } else {
            answers::resolve_set(set, provided, &config_defaults, None)
        }
    }
}

fn refuse_dirty(managed_repo: &git2::Repository, workdir: &Path) -> Result<()> {
    let dirty = upgrade::dirty_files(managed_repo)?;
    if dirty.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = dirty.iter().take(20).map(|f| format!("  {f}")).collect();
    let more = if dirty.len() > 20 {
        format!("\n  ... and {} more", dirty.len() - 20)
    } else {
        String::new()
    };
    Err(Error::Other(format!(
        "the working tree of `{}` has uncommitted changes; commit or stash them first:\n{}{more}",
        workdir.display(),
        shown.join("\n")
    )))
}

pub(crate) fn run_upgrade(args: &UpgradeArgs) -> Result<Outcome> {
    let config = UserConfig::load()?;
    let managed = upgrade::open_managed(&path_or_here(args.path.as_ref()))?;
    refuse_dirty(&managed.repo, &managed.workdir)?;
    let to = args
        .to
        .as_deref()
        .map(|v| {
            semver::Version::parse(v.trim_start_matches('v'))
                .map_err(|e| Error::Usage(format!("--to `{v}` is not a version like 1.4.0: {e}")))
        })
        .transpose()?;
    let overrides = super::new::provided_answers(&args.answers, &[])?;
    let target = Target {
        template: args.template.template.clone(),
        to,
        overrides,
        fetch: FetchOptions {
            offline: args.template.offline,
            cache_dir: None,
        },
    };
    let prepared = upgrade::prepare(
        &managed,
        &target,
        &mut resolver(&config, args.answers.defaults),
    )?;
    let name = &prepared.set.manifest.name;
    let (from, to) = (&prepared.from_version, &prepared.set.manifest.version);
    if prepared.is_current() {
        println!("already at {name}@{to} with these answers; nothing to do");
        return Ok(Outcome::Ok);
    }
    let plan = prepared.plan()?;
    if args.dry_run {
        println!("upgrade {name} {from} → {to}");
        println!("base: {}", prepared.base.describe(name, from));
        print_plan(&plan);
        if let Some(log) = &prepared.set.changelog {
            let entries = upgrade::changelog_between(log, from, to);
            if !entries.is_empty() {
                println!("\ntemplate changes:\n{entries}");
            }
        }
        println!("\n(dry run: nothing was changed)");
        return Ok(Outcome::Ok);
    }
    eprintln!("base: {}", prepared.base.describe(name, from));
    match upgrade::apply(&managed, &prepared, args.no_commit)? {
        Applied::Committed { merge, pristine } => {
            print_plan(&plan);
            println!(
                "\nupgraded to {name}@{to}: merge commit {} (pristine {})",
                short(merge),
                short(pristine)
            );
            Ok(Outcome::Ok)
        }
        Applied::Staged { pristine } => {
            print_plan(&plan);
            println!(
                "\nmerged {name}@{to} (pristine {}) and staged it; review, then `git commit` to conclude",
                short(pristine)
            );
            Ok(Outcome::Ok)
        }
        Applied::Conflicts { files, .. } => {
            print_plan(&plan);
            println!("\nconflicts in {} file(s):", files.len());
            for f in &files {
                println!("  {f}");
            }
            println!("resolve them, `git add` and `git commit`; or `git merge --abort` to go back");
            Ok(Outcome::Found)
        }
    }
}

fn short(oid: git2::Oid) -> String {
    oid.to_string()[..10].to_string()
}

fn print_plan(plan: &[(String, Action)]) {
    let interesting: Vec<&(String, Action)> = plan
        .iter()
        .filter(|(_, a)| *a != Action::UnchangedByTemplate)
        .collect();
    let unchanged = plan.len() - interesting.len();
    for (path, action) in interesting {
        match action {
            Action::Conflict(why) => println!("  {:<22} {path} ({why})", action.label()),
            _ => println!("  {:<22} {path}", action.label()),
        }
    }
    println!(
        "  {:<22} {unchanged} file(s)",
        Action::UnchangedByTemplate.label()
    );
}

/// The machine-readable status of one repository.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Status {
    pub path: String,
    pub template: String,
    pub source: String,
    pub recorded_version: String,
    pub latest_version: String,
    pub upgrade_due: bool,
    pub owner: Option<String>,
    /// Template files the team changed (against the recorded pristine), if the pristine is in history.
    pub customised_files: Option<usize>,
}

/// Computes the status of a managed repository against its latest template.
pub(crate) fn status_of(
    managed: &Managed,
    template: Option<&str>,
    fetch: &FetchOptions,
) -> Result<Status> {
    let source_str =
        template.map_or_else(|| managed.record.template.source.clone(), str::to_string);
    let latest = source::load(&source_str, fetch)?;
    let customised = customised_count(managed)?;
    let owner = match managed.record.answers.get("owner") {
        Some(answers::Value::Str(o)) => Some(o.clone()),
        _ => None,
    };
    Ok(Status {
        path: managed.workdir.display().to_string(),
        template: managed.record.template.name.clone(),
        source: source_str,
        recorded_version: managed.record.template.version.to_string(),
        latest_version: latest.manifest.version.to_string(),
        upgrade_due: latest.manifest.version > managed.record.template.version,
        owner,
        customised_files: customised,
    })
}

fn customised_count(managed: &Managed) -> Result<Option<usize>> {
    let repo = &managed.repo;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(None);
    };
    let Some(pristine) = upgrade::find_pristine(
        repo,
        head.id(),
        &managed.record.template.name,
        Some(&managed.record.template.version),
    )?
    else {
        return Ok(None);
    };
    let pristine_tree = repo
        .find_commit(pristine)
        .and_then(|c| c.tree())
        .map_err(Error::git("read pristine"))?;
    let head_tree = head.tree().map_err(Error::git("read HEAD"))?;
    let mut opts = git2::DiffOptions::new();
    let diff = repo
        .diff_tree_to_tree(Some(&pristine_tree), Some(&head_tree), Some(&mut opts))
        .map_err(Error::git("diff"))?;
    Ok(Some(
        diff.deltas()
            .filter(|d| {
                d.old_file()
                    .path()
                    .is_some_and(|p| p != Path::new(RECORD_FILE))
                    && d.status() != git2::Delta::Added
            })
            .count(),
    ))
}

pub(crate) fn run_status(args: &StatusArgs) -> Result<Outcome> {
    let managed = upgrade::open_managed(&path_or_here(args.path.as_ref()))?;
    let status = status_of(
        &managed,
        args.template.template.as_deref(),
        &FetchOptions {
            offline: args.template.offline,
            cache_dir: None,
        },
    )?;
    if args.format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
    } else {
        println!("template:  {} from {}", status.template, status.source);
        println!("recorded:  {}", status.recorded_version);
        println!("latest:    {}", status.latest_version);
        println!(
            "upgrade:   {}",
            if status.upgrade_due {
                format!(
                    "due ({} → {}): run `newsvc upgrade`",
                    status.recorded_version, status.latest_version
                )
            } else {
                "up to date".to_string()
            }
        );
        println!(
            "customised: {}",
            status.customised_files.map_or_else(
                || "unknown (no pristine commit in history)".to_string(),
                |n| format!("{n} template file(s) changed by the team")
            )
        );
    }
    Ok(if args.check && status.upgrade_due {
        Outcome::Found
    } else {
        Outcome::Ok
    })
}

pub(crate) fn run_diff(args: &DiffArgs) -> Result<Outcome> {
    let managed = upgrade::open_managed(&path_or_here(args.path.as_ref()))?;
    let repo = &managed.repo;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(Error::git("read HEAD"))?;
    let found = upgrade::find_pristine(
        repo,
        head.id(),
        &managed.record.template.name,
        Some(&managed.record.template.version),
    )?;
    let pristine = if let Some(oid) = found {
        upgrade::commit_tree(repo, oid)?
    } else {
        let fetch = FetchOptions {
            offline: args.offline,
            cache_dir: None,
        };
        upgrade::rerender_recorded(&managed.record, None, &fetch)?.0
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut changed = 0;
    for (path, entry) in pristine.iter() {
        if path == RECORD_FILE {
            continue;
        }
        let on_disk = std::fs::read(managed.workdir.join(path)).ok();
        let old = String::from_utf8_lossy(&entry.bytes);
        let new = on_disk
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned());
        if new.as_deref() == Some(&*old) {
            continue;
        }
        changed += 1;
        let new_text = new.clone().unwrap_or_default();
        let diff = similar::TextDiff::from_lines(&*old, new_text.as_str());
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("a/{path} (template)"),
                &if new.is_some() {
                    format!("b/{path}")
                } else {
                    "/dev/null (deleted)".to_string()
                },
            )
            .to_string();
        print_diff(&text, color);
    }
    eprintln!(
        "{changed} template file(s) customised against {}@{}",
        managed.record.template.name, managed.record.template.version
    );
    Ok(Outcome::Ok)
}

/// Prints a unified diff, coloured when `color`.
pub(crate) fn print_diff(text: &str, color: bool) {
    for line in text.lines() {
        if !color {
            println!("{line}");
        } else if line.starts_with("+++") || line.starts_with("---") {
            println!("{}", console::style(line).bold());
        } else if line.starts_with('+') {
            println!("{}", console::style(line).green());
        } else if line.starts_with('-') {
            println!("{}", console::style(line).red());
        } else if line.starts_with("@@") {
            println!("{}", console::style(line).cyan());
        } else {
            println!("{line}");
        }
    }
}

/// What `adopt` can tell from a repository's files.
fn infer_answers(workdir: &Path) -> ProvidedAnswers {
    let mut out = ProvidedAnswers::new();
    let mut put = |k: &str, v: String, why: &str| {
        out.insert(
            k.to_string(),
            Provided {
                raw: Raw::Text(v),
                origin: format!("inferred from {why}"),
            },
        );
    };
    let catalog: Option<serde_norway::Value> =
        std::fs::read_to_string(workdir.join("catalog-info.yaml"))
            .ok()
            .and_then(|t| serde_norway::from_str(&t).ok());
    if let Some(name) = catalog
        .as_ref()
        .and_then(|c| c["metadata"]["name"].as_str())
    {
        put("service_name", name.to_string(), "catalog-info.yaml");
    } else if let Some(name) = workdir.file_name() {
        put(
            "service_name",
            name.to_string_lossy().into_owned(),
            "the folder name",
        );
    }
    if let Some(owner) = catalog.as_ref().and_then(|c| c["spec"]["owner"].as_str()) {
        put(
            "owner",
            owner.trim_start_matches("group:").to_string(),
            "catalog-info.yaml",
        );
    } else if let Ok(owners) = std::fs::read_to_string(workdir.join("CODEOWNERS")) {
        if let Some(team) = owners
            .lines()
            .filter(|l| l.starts_with('*'))
            .find_map(|l| l.split_whitespace().nth(1))
        {
            let team = team.trim_start_matches('@');
            put(
                "owner",
                team.rsplit('/').next().unwrap_or(team).to_string(),
                "CODEOWNERS",
            );
        }
    }
    let exists = |f: &str| workdir.join(f).exists();
    let language = if exists("pyproject.toml") || exists("requirements.txt") || exists("setup.py") {
        Some("python")
    } else if exists("build.sbt") {
        Some("scala")
    } else if exists("pom.xml") || exists("build.gradle") || exists("build.gradle.kts") {
        Some("java")
    } else if exists("Cargo.toml") {
        Some("rust")
    } else {
        None
    };
    if let Some(l) = language {
        put("language", l.to_string(), "the build files");
    }
    let mut worker_signs = 0;
    let mut web_signs = 0;
    for entry in walkdir::WalkDir::new(workdir)
        .max_depth(6)
        .into_iter()
        .filter_entry(|e| {
            e.file_name() != ".git" && e.file_name() != "target" && e.file_name() != "node_modules"
        })
        .flatten()
    {
        if !entry.file_type().is_file() || entry.metadata().map_or(true, |m| m.len() > 512 * 1024) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if text.contains("ReceiveMessage")
            || text.contains("receive_message")
            || text.contains("receiveMessage")
        {
            worker_signs += 1;
        }
        if text.contains("/health")
            || text.contains("@RestController")
            || text.contains("FastAPI(")
            || text.contains("axum::Router")
        {
            web_signs += 1;
        }
    }
    if worker_signs > 0 && web_signs == 0 {
        put("kind", "worker".into(), "the code (an SQS consumer)");
        put("trigger", "queue".into(), "the code (an SQS consumer)");
    } else if web_signs > 0 {
        put("kind", "web".into(), "the code (HTTP handlers)");
    }
    out
}

pub(crate) fn run_adopt(args: &AdoptArgs) -> Result<Outcome> {
    let config = UserConfig::load()?;
    let path = path_or_here(args.path.as_ref());
    let repo = git2::Repository::open(&path).map_err(|e| Error::Other(format!("`{}` is not a git repository ({}); `newsvc adopt` brings an existing repository under management", path.display(), e.message())))?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::Other("a bare repository cannot be adopted".into()))?
        .to_path_buf();
    if workdir.join(RECORD_FILE).exists() {
        return Err(Error::Other(format!(
            "`{}` is already managed by newsvc ({RECORD_FILE} exists); use `newsvc upgrade`",
            workdir.display()
        )));
    }
    refuse_dirty(&repo, &workdir)?;
    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| {
        Error::Other(format!(
            "`{}` has no commits to adopt ({})",
            workdir.display(),
            e.message()
        ))
    })?;
    let set = super::load_template(&args.template, &config)?;
    let explicit = super::new::provided_answers(&args.answers, &[])?;
    let inferred = infer_answers(&workdir);
    for (k, p) in &inferred {
        if set.manifest.question(k).is_some() && !explicit.contains_key(k) {
            if let Raw::Text(v) = &p.raw {
                eprintln!("  {k} = {v} ({})", p.origin);
            }
        }
    }
    let mut provided: ProvidedAnswers = inferred
        .into_iter()
        .filter(|(k, _)| set.manifest.question(k).is_some())
        .collect();
    for (k, v) in explicit {
        provided.insert(k, v);
    }
    let resolved = resolver(&config, args.answers.defaults)(&set, &provided)?;
    let tree = render::render_repo(&set, &resolved)?;
    let record_yaml = tree
        .get(RECORD_FILE)
        .map(|e| e.bytes.clone())
        .unwrap_or_default();

    let (sig, _) = repo::signature(&repo)?;
    let name = &set.manifest.name;
    let version = &set.manifest.version;
    let pristine_tree = repo
        .find_tree(repo::write_tree(&repo, &tree)?)
        .map_err(Error::git("find tree"))?;
    let msg = repo::pristine_message(
        &format!("Template {name}@{version} (pristine render, recorded by adopt)"),
        name,
        version,
        &set.origin.source,
    );
    let pristine = repo
        .commit(None, &sig, &sig, &msg, &pristine_tree, &[])
        .map_err(Error::git("commit the pristine render"))?;
    let pristine_commit = repo
        .find_commit(pristine)
        .map_err(Error::git("read pristine"))?;

    // The join commit: the team's tree exactly, plus .newsvc.yml.
    let record_path = workdir.join(RECORD_FILE);
    std::fs::write(&record_path, &record_yaml).map_err(Error::io("cannot write", &record_path))?;
    let mut index = repo.index().map_err(Error::git("open index"))?;
    let joined = (|| -> Result<git2::Oid> {
        index
            .add_path(Path::new(RECORD_FILE))
            .map_err(Error::git("stage .newsvc.yml"))?;
        index.write().map_err(Error::git("write index"))?;
        let tree = repo
            .find_tree(index.write_tree().map_err(Error::git("write tree"))?)
            .map_err(Error::git("find tree"))?;
        let message = format!(
            "Adopt template {name}@{version}\n\nRecords the template's pristine render as the base for `newsvc upgrade`;\nno file of the repository was changed.\n"
        );
        repo.commit(
            Some("HEAD"),
            &sig,
            &sig,
            &message,
            &tree,
            &[&head, &pristine_commit],
        )
        .map_err(Error::git("commit the adoption"))
    })();
    match joined {
        Ok(oid) => {
            println!(
                "adopted {} as {name}@{version}: commit {} (pristine {}); `newsvc upgrade` now merges template changes",
                workdir.display(),
                short(oid),
                short(pristine)
            );
            Ok(Outcome::Ok)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&record_path);
            let _ = index.remove_path(Path::new(RECORD_FILE));
            let _ = index.write();
            Err(e)
        }
    }
}
