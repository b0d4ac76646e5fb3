//! Writing a `FileTree` to disk atomically: everything is staged in a hidden
//! folder next to the target, finished there (hooks, git), then renamed into
//! place. On any error, or Ctrl-C, the staging folder is removed and the
//! target is left as it was.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::tree::FileTree;

/// Staging folders that exist right now, removed by the Ctrl-C handler.
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the Ctrl-C handler that removes staging folders before exiting.
pub fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        if let Ok(dirs) = STAGING.lock() {
            for d in dirs.iter() {
                let _ = fs::remove_dir_all(d);
            }
        }
        // A prompt may have hidden the cursor; give it back.
        let _ = console::Term::stderr().show_cursor();
        eprintln!("\ninterrupted; nothing was written");
        std::process::exit(130);
    });
}

/// A staging folder that removes itself unless committed.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Staging {
    fn new(target: &Path) -> Result<Staging> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(Error::io("cannot create the parent folder", parent))?;
        let name = target
            .file_name()
            .map_or_else(|| "repo".into(), |n| n.to_string_lossy().into_owned());
        let path = parent.join(format!(".{name}.newsvc-staging-{}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)
                .map_err(Error::io("cannot clear an old staging folder", &path))?;
        }
        STAGING
            .lock()
            .map_err(|_| Error::Other("internal lock poisoned".into()))?
            .push(path.clone());
        fs::create_dir(&path).map_err(Error::io("cannot create the staging folder", &path))?;
        Ok(Staging { path, keep: false })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
        if let Ok(mut dirs) = STAGING.lock() {
            dirs.retain(|d| d != &self.path);
        }
    }
}

/// Whether `dir` exists and holds anything.
pub fn is_non_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// What `write_new` did.
#[derive(Debug, Default)]
pub struct Written {
    /// Files kept as they were because of `skip_if_exists`.
    pub kept: Vec<String>,
    /// Whether the target existed with other files (`--force`).
    pub merged_into_existing: bool,
}

/// Writes `tree` to `target`. `alongside` runs in the staged folder on a
/// second thread while the files are written (git: it touches only `.git`);
/// then `finish` runs there with its result (hooks), before the folder is
/// moved into place. With `force`, an existing non-empty target receives the
/// files the template produces; nothing else there is deleted, and
/// `skip_if_exists` files already present are kept.
pub fn write_new<T: Send>(
    tree: &FileTree,
    target: &Path,
    force: bool,
    alongside: impl FnOnce(&Path) -> Result<T> + Send,
    finish: impl FnOnce(&Path, T) -> Result<()>,
) -> Result<Written> {
    if target.exists() && !target.is_dir() {
        return Err(Error::Other(format!(
            "`{}` exists and is not a folder; choose another --output",
            target.display()
        )));
    }
    let existing = is_non_empty_dir(target);
    if existing && !force {
        return Err(Error::TargetNotEmpty(target.to_path_buf()));
    }
    let mut staging = Staging::new(target)?;
    let staged = staging.path.as_path();
    let (files, beside) = std::thread::scope(|scope| {
        let beside = scope.spawn(|| alongside(staged));
        let files = write_tree(tree, staged);
        (
            files,
            beside
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    files?;
    finish(&staging.path, beside?)?;
    let mut written = Written::default();
    if existing {
        written.merged_into_existing = true;
        move_into_existing(tree, &staging.path, target, &mut written)?;
    } else {
        if target.is_dir() {
            fs::remove_dir(target).map_err(Error::io("cannot replace the empty folder", target))?;
        }
        fs::rename(&staging.path, target).map_err(Error::io(
            "cannot move the staged repository into place at",
            target,
        ))?;
        staging.keep = true;
    }
    Ok(written)
}

/// Writes every file of `tree` under `root` (which must exist).
pub fn write_tree(tree: &FileTree, root: &Path) -> Result<()> {
    // Each folder is created once, not once per file in it.
    let mut created = std::collections::HashSet::new();
    for (path, entry) in tree.iter() {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            if !created.contains(parent) {
                fs::create_dir_all(parent).map_err(Error::io("cannot create folder", parent))?;
                created.insert(parent.to_path_buf());
            }
        }
        fs::write(&full, &entry.bytes).map_err(Error::io("cannot write", &full))?;
        if entry.executable {
            set_executable(&full)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
pub fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = fs::metadata(path)
        .map_err(Error::io("cannot read", path))?
        .permissions();
    perms.set_mode(perms.mode() | 0o111);
    fs::set_permissions(path, perms).map_err(Error::io("cannot make executable", path))
}

#[cfg(not(unix))]
pub fn set_executable(_: &Path) -> Result<()> {
    Ok(())
}

fn move_into_existing(
    tree: &FileTree,
    staged: &Path,
    target: &Path,
    written: &mut Written,
) -> Result<()> {
    // Refuse before moving anything if a file would be written through a link.
    for path in tree.paths() {
        let mut at = target.to_path_buf();
        for component in path.split('/') {
            at.push(component);
            if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(Error::UnsafePath {
                    file: path.clone(),
                    path: at.display().to_string(),
                    reason: "is a symbolic link in the existing target; newsvc does not write through links".into(),
                });
            }
        }
    }
    for (path, entry) in tree.iter() {
        let to = target.join(path);
        if entry.skip_if_exists && to.exists() {
            written.kept.push(path.clone());
            continue;
        }
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(Error::io("cannot create folder", parent))?;
        }
        fs::rename(staged.join(path), &to).map_err(Error::io("cannot move into place", &to))?;
    }
    let staged_git = staged.join(".git");
    let target_git = target.join(".git");
    if staged_git.exists() && !target_git.exists() {
        fs::rename(&staged_git, &target_git).map_err(Error::io(
            "cannot move the git folder into place at",
            &target_git,
        ))?;
    }
    move_hook_outputs(tree, staged, target)
}

/// Moves the files template hooks created in the staged folder (anything
/// not in `tree` and outside `.git`) into the existing target.
fn move_hook_outputs(tree: &FileTree, staged: &Path, target: &Path) -> Result<()> {
    let walk = walkdir::WalkDir::new(staged)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.depth() > 1 || e.file_name() != ".git");
    for entry in walk {
        let entry = entry.map_err(|e| {
            Error::Other(format!(
                "cannot read the staged folder `{}`: {e}",
                staged.display()
            ))
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(staged).unwrap_or(entry.path());
        let key = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if tree.get(&key).is_some() {
            continue;
        }
        let to = target.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(Error::io("cannot create folder", parent))?;
        }
        fs::rename(entry.path(), &to).map_err(Error::io("cannot move into place", &to))?;
    }
    Ok(())
}
