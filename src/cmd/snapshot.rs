//! `newsvc snapshot check|update`: the disk side of template regression
//! snapshots. Loads the template, renders the selected cases (in parallel,
//! through `snapshot`), reads each committed case folder `DIR/<case>/` with
//! its files' executable bits, and either reports the drift (unified diffs,
//! coloured on a terminal unless `NO_COLOR` is set; exit 1) or rewrites the
//! folders to match and removes stale ones. The comparison itself is pure
//! and lives in `crate::snapshot`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::Outcome;
use crate::cli::{SnapshotArgs, SnapshotCommand};
use crate::config::UserConfig;
use crate::error::{Error, Result};
use crate::record::RECORD_FILE;
use crate::snapshot::{self, CaseDiff, ContentDiff};
use crate::source::TemplateSet;
use crate::tree::{FileEntry, FileTree};

/// The folder, beside `template.yaml`, that holds a template's snapshots by default.
const DEFAULT_DIR: &str = "snapshots";

/// What `check` or `update` is about to do, checked before anything runs.
struct Plan {
    set: TemplateSet,
    dir: PathBuf,
    cases: Vec<String>,
    /// Whether every case is selected (only then are stale folders looked for).
    all_cases: bool,
    /// How to re-run `update`, for the hint printed on drift.
    update_command: String,
}

pub(super) fn run(command: SnapshotCommand) -> Result<Outcome> {
    match command {
        SnapshotCommand::Check(args) => check(&plan(&args)?),
        SnapshotCommand::Update(args) => update(&plan(&args)?),
    }
}

fn plan(args: &SnapshotArgs) -> Result<Plan> {
    let config = UserConfig::load()?;
    let set = super::load_template(&args.template, &config)?;
    let dir = match (&args.dir, &set.origin.dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(template_dir)) => template_dir.join(DEFAULT_DIR),
        (None, None) => {
            return Err(Error::Usage(format!(
                "template `{}` is not a local folder, so there is no default snapshot folder beside it; give one with --dir DIR",
                set.origin.source
            )));
        }
    };
    let cases = snapshot::select_cases(&set.manifest, &args.cases)?
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let source = super::template_source(args.template.template.as_deref(), &config);
    let mut update_command = format!(
        "newsvc snapshot update --template {}",
        super::shell_word(&source)
    );
    if args.dir.is_some() {
        let _ = write!(
            update_command,
            " --dir {}",
            super::shell_word(&dir.display().to_string())
        );
    }
    for case in &args.cases {
        let _ = write!(update_command, " --case {}", super::shell_word(case));
    }
    Ok(Plan {
        set,
        dir,
        cases,
        all_cases: args.cases.is_empty(),
        update_command,
    })
}

/// Renders every planned case and compares it with its folder, in parallel.
fn compare_all(plan: &Plan) -> Result<Vec<(CaseDiff, FileTree)>> {
    let stable = snapshot::for_snapshots(&plan.set);
    plan.cases
        .par_iter()
        .map(|name| {
            let case = stable
                .manifest
                .case(name)
                .ok_or_else(|| Error::Other(format!("case `{name}` vanished")))?;
            let rendered = snapshot::render_case(&stable, case)?;
            let committed = read_folder(&plan.dir.join(name))?;
            Ok((snapshot::compare(name, &rendered, &committed), rendered))
        })
        .collect()
}

fn check(plan: &Plan) -> Result<Outcome> {
    let results = compare_all(plan)?;
    let stale = if plan.all_cases {
        snapshot::stale_folders(&plan.set.manifest, &case_folders(&plan.dir)?)
    } else {
        Vec::new()
    };
    let paint = Paint::for_stdout();
    let mut drifted = 0;
    let mut files = 0;
    for (diff, _) in &results {
        files += diff.rendered_files;
        if diff.is_clean() {
            continue;
        }
        drifted += 1;
        print_drift(diff, &plan.dir, &paint);
    }
    for name in &stale {
        println!(
            "{}: stale snapshot folder `{}`: the template has no such case",
            paint.bold(name),
            plan.dir.join(name).display()
        );
    }
    if drifted == 0 && stale.is_empty() {
        println!(
            "{}, {files} files: identical to the snapshots in {}",
            plural(results.len(), "case"),
            plan.dir.display()
        );
        return Ok(Outcome::Ok);
    }
    let mut summary = format!("\nsnapshot drift in {drifted} of {} cases", results.len());
    if !stale.is_empty() {
        let _ = write!(
            summary,
            ", {} stale case folder{}",
            stale.len(),
            if stale.len() == 1 { "" } else { "s" }
        );
    }
    println!("{summary} (a/ is the committed snapshot, b/ the template's render)");
    println!(
        "if the change is intended, accept it with:\n  {}",
        plan.update_command
    );
    Ok(Outcome::Found)
}

fn print_drift(diff: &CaseDiff, dir: &Path, paint: &Paint) {
    let folder_missing =
        diff.removed.is_empty() && diff.changed.is_empty() && !dir.join(&diff.case).is_dir();
    if folder_missing {
        println!(
            "{}: no snapshot folder `{}` ({} files rendered)",
            paint.bold(&diff.case),
            dir.join(&diff.case).display(),
            diff.added.len()
        );
        return;
    }
    println!("{}: {}", paint.bold(&diff.case), diff.summary());
    for (path, _) in &diff.added {
        println!("  {}  {path}", paint.green("added  "));
    }
    for path in &diff.removed {
        println!("  {}  {path}", paint.red("removed"));
    }
    for change in &diff.changed {
        println!("  {}  {path}", paint.yellow("changed"), path = change.path);
    }
    for change in &diff.changed {
        if let Some((was, now)) = change.executable {
            println!(
                "mode {}/{}: executable {} in the snapshot, {} in the render",
                diff.case,
                change.path,
                yes_no(was),
                yes_no(now)
            );
        }
        match &change.content {
            Some(ContentDiff::Text(text)) => print!("{}", paint.diff(text)),
            Some(ContentDiff::Binary {
                snapshot_bytes,
                rendered_bytes,
            }) => {
                println!(
                    "binary file {}/{} differs ({snapshot_bytes} bytes in the snapshot, {rendered_bytes} rendered)",
                    diff.case, change.path
                );
            }
            None => {}
        }
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn yes_no(b: bool) -> &'static str {
    if b { "set" } else { "not set" }
}

fn update(plan: &Plan) -> Result<Outcome> {
    let results = compare_all(plan)?;
    fs::create_dir_all(&plan.dir)
        .map_err(Error::io("cannot create the snapshot folder", &plan.dir))?;
    let mut touched = 0;
    for (diff, rendered) in &results {
        if diff.is_clean() {
            continue;
        }
        touched += 1;
        let root = plan.dir.join(&diff.case);
        let created = !root.is_dir();
        apply(diff, rendered, &root)?;
        if created {
            println!("{}: created ({} files)", diff.case, diff.rendered_files);
            continue;
        }
        println!("{}: updated ({})", diff.case, diff.summary());
        for (path, _) in &diff.added {
            println!("  added    {path}");
        }
        for path in &diff.removed {
            println!("  removed  {path}");
        }
        for change in &diff.changed {
            println!("  changed  {}", change.path);
        }
    }
    let stale = if plan.all_cases {
        snapshot::stale_folders(&plan.set.manifest, &case_folders(&plan.dir)?)
    } else {
        Vec::new()
    };
    for name in &stale {
        let folder = plan.dir.join(name);
        fs::remove_dir_all(&folder).map_err(Error::io(
            "cannot remove the stale snapshot folder",
            &folder,
        ))?;
        println!("{name}: removed (stale: the template has no such case)");
    }
    if touched == 0 && stale.is_empty() {
        println!(
            "{} already up to date in {}",
            plural(results.len(), "case"),
            plan.dir.display()
        );
    } else {
        println!(
            "updated {touched} of {} cases in {}{}",
            results.len(),
            plan.dir.display(),
            if stale.is_empty() {
                String::new()
            } else {
                format!("; removed {} stale", stale.len())
            }
        );
    }
    Ok(Outcome::Ok)
}

/// Makes the folder `root` hold exactly `rendered`.
fn apply(diff: &CaseDiff, rendered: &FileTree, root: &Path) -> Result<()> {
    let to_write = diff
        .added
        .iter()
        .map(|(p, _)| p)
        .chain(diff.changed.iter().map(|c| &c.path));
    for path in to_write {
        let entry = rendered
            .get(path)
            .ok_or_else(|| Error::Other(format!("`{path}` is not in the render")))?;
        write_file(&root.join(path), entry)?;
    }
    for path in &diff.removed {
        let file = root.join(path);
        fs::remove_file(&file).map_err(Error::io("cannot remove", &file))?;
        remove_empty_parents(&file, root);
    }
    Ok(())
}

fn write_file(path: &Path, entry: &FileEntry) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(Error::io("cannot create folder", parent))?;
    }
    fs::write(path, &entry.bytes).map_err(Error::io("cannot write", path))?;
    set_mode(path, entry.executable)
}

#[cfg(unix)]
fn set_mode(path: &Path, executable: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(
        path,
        fs::Permissions::from_mode(if executable { 0o755 } else { 0o644 }),
    )
    .map_err(Error::io("cannot set the mode of", path))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: bool) -> Result<()> {
    Ok(())
}

fn remove_empty_parents(file: &Path, root: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// The case folders in the snapshot directory (plain files there are ignored).
/// Only folders holding a `.newsvc.yml` count: every snapshot has one, so a
/// wrong `--dir` can never make `update` delete folders that are not
/// snapshots.
fn case_folders(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot list the snapshot folder", dir)(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io("cannot list the snapshot folder", dir))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) && entry.path().join(RECORD_FILE).is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Reads a committed case folder (empty when it does not exist).
fn read_folder(root: &Path) -> Result<FileTree> {
    let mut tree = FileTree::default();
    if !root.is_dir() {
        return Ok(tree);
    }
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            Error::Other(format!(
                "cannot read the snapshot folder `{}`: {e}",
                root.display()
            ))
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = fs::read(entry.path()).map_err(Error::io("cannot read", entry.path()))?;
        let mut file = FileEntry::new(bytes);
        file.executable = crate::source::is_executable(&entry);
        tree.insert(rel, file);
    }
    Ok(tree)
}

/// Colours for stdout: only on a colour terminal, never with `NO_COLOR` set.
struct Paint {
    on: bool,
}

impl Paint {
    fn for_stdout() -> Paint {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Paint {
            on: !no_color && console::colors_enabled(),
        }
    }

    fn style(&self, text: &str, style: &console::Style) -> String {
        if self.on {
            style.apply_to(text).force_styling(true).to_string()
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.style(text, &console::Style::new().bold())
    }
    fn green(&self, text: &str) -> String {
        self.style(text, &console::Style::new().green())
    }
    fn red(&self, text: &str) -> String {
        self.style(text, &console::Style::new().red())
    }
    fn yellow(&self, text: &str) -> String {
        self.style(text, &console::Style::new().yellow())
    }

    /// Colours a unified diff line by line.
    fn diff(&self, text: &str) -> String {
        if !self.on {
            return text.to_string();
        }
        text.split_inclusive('\n')
            .fold(String::new(), |mut out, line| {
                let (body, end) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
                let styled = if body.starts_with("---") || body.starts_with("+++") {
                    self.bold(body)
                } else if body.starts_with("@@") {
                    self.style(body, &console::Style::new().cyan())
                } else if body.starts_with('+') {
                    self.green(body)
                } else if body.starts_with('-') {
                    self.red(body)
                } else {
                    body.to_string()
                };
                let _ = write!(out, "{styled}{end}");
                out
            })
    }
}
