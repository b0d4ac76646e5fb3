//! Writing a `FileTree` to disk atomically: everything is staged in a hidden
//! folder next to the target, finished there (hooks, git), then renamed into
//! place. On any error, or Ctrl-C, the staging folder is removed and the
//! target is left as it was.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::error::{Error, Result};
use crate::tree::FileTree;

/// Staging folders that exist right now, each with the highest folder
/// above it that was made for it: removed by the Ctrl-C handler.
static STAGING: Mutex<Vec<(PathBuf, Option<PathBuf>)>> = Mutex::new(Vec::new());

/// How this process answers Ctrl-C (SIGINT) once a staging folder exists.
///
/// By default a handler thread (`ctrlc`) removes the staging folders and
/// exits 130 at once, whatever the command is doing: the answer for runs
/// that wait on someone (prompts) or on something slow (hooks, fetches).
///
/// A command whose staging folder is made only once everything it reads is
/// read (`newsvc new --no-git` without prompts: the folder comes with the
/// first rendered file) can defer instead: Ctrl-C is noted by a signal
/// handler, and the command stops at its next check (`check_interrupted`,
/// before anything is moved into place), through its usual error path, which
/// removes the staging folder. No thread is started: a sleeping thread must
/// be woken and ended when the process exits, which cost every run about
/// 0.1 ms on this project's 2-core VM. A second Ctrl-C ends the process at
/// once, in case the first cannot be acted on (a file system that hangs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CtrlC {
    /// Nothing installed yet; the handler thread will be.
    AtOnce,
    /// Nothing installed yet; the deferring handler will be.
    ToDefer,
    /// The deferring handler is installed.
    Deferred,
    /// The handler thread is installed.
    HandlerThread,
}

static CTRL_C: Mutex<CtrlC> = Mutex::new(CtrlC::AtOnce);

fn ctrl_c() -> std::sync::MutexGuard<'static, CtrlC> {
    CTRL_C.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Set by the deferring handler when Ctrl-C arrives.
fn interrupt_noted() -> &'static Arc<AtomicBool> {
    static NOTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    NOTED.get_or_init(Arc::default)
}

/// Ctrl-C is to be deferred (see `CtrlC`). Called by a command before it
/// makes any staging folder.
pub fn defer_interrupts() {
    let mut ctrl_c = ctrl_c();
    if *ctrl_c == CtrlC::AtOnce {
        *ctrl_c = CtrlC::ToDefer;
    }
}

/// Installs, once, the answer to Ctrl-C chosen for this process (see
/// `CtrlC`). Called before a staging folder is made and before a prompt:
/// until then Ctrl-C has nothing to clean, and the default action (the
/// process ends) is right.
pub fn install_interrupt_cleanup() {
    let mut ctrl_c = ctrl_c();
    match *ctrl_c {
        CtrlC::Deferred | CtrlC::HandlerThread => {}
        CtrlC::ToDefer if install_deferring_handler() => *ctrl_c = CtrlC::Deferred,
        CtrlC::ToDefer | CtrlC::AtOnce => {
            let _ = ctrlc::set_handler(on_interrupt);
            *ctrl_c = CtrlC::HandlerThread;
        }
    }
}

/// Registers the handler that notes Ctrl-C, and the one that ends the
/// process on a second; whether both are in place.
fn install_deferring_handler() -> bool {
    let noted = interrupt_noted();
    // Registered first, so it sees the flag as it was before this Ctrl-C:
    // only a second one ends the process.
    signal_hook::flag::register_conditional_shutdown(
        signal_hook::consts::SIGINT,
        130,
        noted.clone(),
    )
    .and_then(|_| signal_hook::flag::register(signal_hook::consts::SIGINT, noted.clone()))
    .is_ok()
}

/// `Error::Interrupted` if Ctrl-C came while deferred. A command calls it
/// before it moves anything into place.
pub fn check_interrupted() -> Result<()> {
    if interrupt_noted().load(Ordering::SeqCst) {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// From now on Ctrl-C ends the command at once (the handler thread), before
/// work that may take long (hooks); `Error::Interrupted` if it came while
/// deferred.
pub fn interrupt_at_once() -> Result<()> {
    check_interrupted()?;
    let mut ctrl_c = ctrl_c();
    if *ctrl_c != CtrlC::HandlerThread {
        // Takes SIGINT over from the deferring handler, if there was one.
        let _ = ctrlc::set_handler(on_interrupt);
        *ctrl_c = CtrlC::HandlerThread;
    }
    drop(ctrl_c);
    // A Ctrl-C that came while the handler was being replaced.
    check_interrupted()
}

/// Ctrl-C: removes the staging folders and exits 130.
fn on_interrupt() {
    if let Ok(dirs) = STAGING.lock() {
        for (staging, made_above) in dirs.iter() {
            let _ = fs::remove_dir_all(staging);
            if let (Some(top), Some(parent)) = (made_above, staging.parent()) {
                remove_empty_folders(parent, top);
            }
        }
    }
    // A prompt may have hidden the cursor; give it back.
    let _ = console::Term::stderr().show_cursor();
    eprintln!("\ninterrupted; nothing was written");
    std::process::exit(130);
}

/// A staging folder that removes itself unless committed, with the folders
/// above it that were made for it.
pub struct Staging {
    path: PathBuf,
    keep: bool,
    /// Files written in it already (see `EarlyWrites`), by path.
    holds: HashSet<String>,
    /// The highest folder above the staging folder that did not exist.
    made_above: Option<PathBuf>,
}

impl Staging {
    /// Creates the staging folder for `target`, and the folders above it.
    fn for_target(target: &Path) -> Result<Staging> {
        install_interrupt_cleanup();
        let parent = staging_parent(target);
        let made_above = parent
            .ancestors()
            .take_while(|dir| !dir.as_os_str().is_empty() && !dir.exists())
            .last()
            .map(Path::to_path_buf);
        // On failure, the folders made so far go too.
        let undo = |_: &Error| {
            if let Some(top) = &made_above {
                remove_empty_folders(parent, top);
            }
        };
        fs::create_dir_all(parent)
            .map_err(Error::io("cannot create the parent folder", parent))
            .inspect_err(undo)?;
        let mut staging = Staging::create_in(parent).inspect_err(undo)?;
        if let Ok(mut dirs) = STAGING.lock() {
            for (path, above) in dirs.iter_mut() {
                if path == &staging.path {
                    above.clone_from(&made_above);
                }
            }
        }
        staging.made_above = made_above;
        Ok(staging)
    }

    /// Creates a staging folder in `parent`, which must exist: hidden, and
    /// named after this process so two runs never share one.
    pub fn create_in(parent: &Path) -> Result<Staging> {
        install_interrupt_cleanup();
        let path = parent.join(format!(".newsvc-staging-{}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)
                .map_err(Error::io("cannot clear an old staging folder", &path))?;
        }
        STAGING
            .lock()
            .map_err(|_| Error::Other("internal lock poisoned".into()))?
            .push((path.clone(), None));
        fs::create_dir(&path).map_err(Error::io("cannot create the staging folder", &path))?;
        Ok(Staging {
            path,
            keep: false,
            holds: HashSet::new(),
            made_above: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Files written into a staging folder as they are rendered (see
/// `render::Deliver`), while the rest of the tree is still rendering, so
/// that the file system's work overlaps the templates'. The staging folder
/// is made on first need, by the first file or by whoever else asks for it
/// first (the thread that makes the repository). A file that fails to be
/// written is left to `write_new`, which writes it again and reports the
/// error.
pub struct EarlyWrites {
    /// Where the staging folder goes.
    parent: PathBuf,
    /// The staging folder once asked for, or `None` if it could not be made
    /// (`write_new` then makes one and reports why it cannot).
    staging: OnceLock<Option<Staging>>,
    /// Folders made in it so far, relative to it.
    made: Mutex<HashSet<String>>,
    /// Files written in full, relative to it.
    written: Mutex<HashSet<String>>,
}

impl EarlyWrites {
    /// Early writes into a staging folder to be made in `parent`.
    pub fn in_folder(parent: PathBuf) -> EarlyWrites {
        EarlyWrites {
            parent,
            staging: OnceLock::new(),
            made: Mutex::default(),
            written: Mutex::default(),
        }
    }

    /// The staging folder, made on the first call.
    pub fn folder(&self) -> Option<&Path> {
        self.staging
            .get_or_init(|| Staging::create_in(&self.parent).ok())
            .as_ref()
            .map(Staging::path)
    }

    /// Writes one file (`path` relative to the staging folder), making the
    /// folders it is in first.
    pub fn write(&self, path: &str, bytes: &[u8], executable: bool) {
        let Some(root) = self.folder() else {
            return;
        };
        for (at, _) in path.match_indices('/') {
            let folder = &path[..at];
            if self.lock_made().contains(folder) {
                continue;
            }
            match fs::create_dir(root.join(folder)) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return,
                _ => {
                    self.lock_made().insert(folder.to_string());
                }
            }
        }
        if write_file(&root.join(path), bytes, executable).is_ok() {
            self.written
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.to_string());
        }
    }

    fn lock_made(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.made.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The staging folder, if it was made, recorded as holding the files
    /// written in it: `write_new` does not write them again.
    pub fn into_staging(self) -> Option<Staging> {
        let mut staging = self.staging.into_inner().flatten()?;
        staging.holds = self
            .written
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Some(staging)
    }
}

/// The folder `target`'s staging folder goes in: its parent, so the final
/// rename stays on one file system.
pub fn staging_parent(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes `from` and the folders above it up to `top`, while they are empty
/// (those that were never made are passed over).
fn remove_empty_folders(from: &Path, top: &Path) {
    for dir in from.ancestors() {
        if (dir.exists() && fs::remove_dir(dir).is_err()) || dir == top {
            break;
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
            if let (Some(top), Some(parent)) = (&self.made_above, self.path.parent()) {
                remove_empty_folders(parent, top);
            }
        }
        if let Ok(mut dirs) = STAGING.lock() {
            dirs.retain(|(d, _)| d != &self.path);
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

/// Writes `tree` to `target`, in `staged` if given (a staging folder made
/// ahead, which must be in `staging_parent(target)`) or a new one.
/// `alongside`, if any, runs in the staged folder on a second thread while
/// the files are written (git: it touches only `.git`); then `finish` runs
/// there with its result (hooks), before the folder is moved into place.
/// With `force`, an existing non-empty target receives the files the
/// template produces; nothing else there is deleted, and `skip_if_exists`
/// files already present are kept.
pub fn write_new<T: Send>(
    tree: &FileTree,
    target: &Path,
    force: bool,
    staged: Option<Staging>,
    alongside: Option<impl FnOnce(&Path) -> Result<T> + Send>,
    finish: impl FnOnce(&Path, Option<T>) -> Result<()>,
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
    let mut staging = match staged {
        Some(staging) => staging,
        None => Staging::for_target(target)?,
    };
    let staged = staging.path.as_path();
    let (files, beside) = std::thread::scope(|scope| {
        let beside = alongside.map(|alongside| scope.spawn(|| alongside(staged)));
        let files = write_files(
            &tree
                .iter()
                .filter(|(path, _)| !staging.holds.contains(path.as_str()))
                .collect::<Vec<_>>(),
            staged,
        );
        let beside = beside.map(|beside| {
            beside
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (files, beside)
    });
    files?;
    finish(&staging.path, beside.transpose()?)?;
    // The last moment to stop: after this the repository is in place.
    check_interrupted()?;
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

/// Writes every file of `tree` under `root` (which must exist) on all cores:
/// file creation is mostly kernel time, and files in different folders are
/// created in parallel. Each thread makes the folders its own files need
/// before writing them (a folder two threads need is made by whichever comes
/// first), so no thread waits for the others' folders. The first error in
/// file order is the one reported.
pub fn write_tree(tree: &FileTree, root: &Path) -> Result<()> {
    write_files(&tree.iter().collect::<Vec<_>>(), root)
}

/// `write_tree` for some of a tree's files.
fn write_files(files: &[(&String, &crate::tree::FileEntry)], root: &Path) -> Result<()> {
    let workers = if files.len() < PARALLEL_MIN_FILES {
        1
    } else {
        crate::cores()
    };
    let chunk = files.len().div_ceil(workers).max(1);
    let write_all = |part: &[(&String, &crate::tree::FileEntry)]| -> Result<()> {
        make_folders(part.iter().map(|(path, _)| path.as_str()), root)?;
        for (path, entry) in part {
            write_file(&root.join(path), &entry.bytes, entry.executable)?;
        }
        Ok(())
    };
    let mut parts = files.chunks(chunk);
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let others: Vec<_> = parts
            .map(|part| scope.spawn(move || write_all(part)))
            .collect();
        let mut result = write_all(first);
        for other in others {
            let done = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            result = result.and(done);
        }
        result
    })
}

/// Makes under `root` every folder the files at `paths` are in, each once,
/// a folder before the folders inside it. One that exists already (made by
/// another thread) is fine.
fn make_folders<'a>(paths: impl Iterator<Item = &'a str>, root: &Path) -> Result<()> {
    let mut folders = std::collections::BTreeSet::new();
    for path in paths {
        let mut at = path;
        while let Some((parent, _)) = at.rsplit_once('/') {
            if !folders.insert(parent) {
                break;
            }
            at = parent;
        }
    }
    // Sorted, so a folder comes before the folders inside it.
    for folder in folders {
        let full = root.join(folder);
        match fs::create_dir(&full) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(Error::io("cannot create folder", &full)(e));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Writes one file, executable if asked.
fn write_file(full: &Path, bytes: &[u8], executable: bool) -> Result<()> {
    fs::write(full, bytes).map_err(Error::io("cannot write", full))?;
    if executable {
        set_executable(full)?;
    }
    Ok(())
}

/// Below this many files, one thread writes them all.
const PARALLEL_MIN_FILES: usize = 32;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::FileEntry;

    #[test]
    fn early_writes_make_the_staging_folder_and_are_not_written_again() {
        let parent = tempfile::tempdir().unwrap();
        let early = EarlyWrites::in_folder(parent.path().to_path_buf());
        early.write("src/app/main.py", b"print()", false);
        early.write("run.sh", b"#!/bin/sh", true);
        early.write("src/app/main.py/oops.txt", b"x", false);
        let staging = early.into_staging().unwrap();
        let root = staging.path().to_path_buf();
        assert_eq!(root.parent(), Some(parent.path()));
        assert_eq!(fs::read(root.join("src/app/main.py")).unwrap(), b"print()");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(root.join("run.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111);
        }
        let mut held: Vec<_> = staging.holds.iter().cloned().collect();
        held.sort();
        assert_eq!(
            held,
            ["run.sh", "src/app/main.py"],
            "a failed write is not held"
        );

        // `write_new` writes the rest and keeps what the early writes wrote.
        let mut tree = FileTree::default();
        tree.insert("src/app/main.py", FileEntry::new("from the tree"));
        tree.insert("README.md", FileEntry::new("# hi"));
        let target = parent.path().join("svc");
        let none: Option<fn(&Path) -> Result<()>> = None;
        write_new(&tree, &target, false, Some(staging), none, |_, _| Ok(())).unwrap();
        assert_eq!(
            fs::read(target.join("src/app/main.py")).unwrap(),
            b"print()"
        );
        assert_eq!(fs::read(target.join("README.md")).unwrap(), b"# hi");
        assert!(!root.exists());
    }

    #[test]
    fn early_writes_that_are_never_used_leave_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let early = EarlyWrites::in_folder(parent.path().to_path_buf());
        early.write("a/b.txt", b"b", false);
        drop(early);
        assert_eq!(fs::read_dir(parent.path()).unwrap().count(), 0);
        let untouched = EarlyWrites::in_folder(parent.path().to_path_buf());
        assert!(untouched.into_staging().is_none(), "no folder made unasked");
        assert_eq!(fs::read_dir(parent.path()).unwrap().count(), 0);
        // No staging folder can be made: nothing is written, nothing made,
        // and `write_new` is left to make one and say why it cannot.
        let nowhere = EarlyWrites::in_folder(parent.path().join("missing"));
        nowhere.write("a/b.txt", b"b", false);
        assert!(nowhere.folder().is_none());
        assert!(nowhere.into_staging().is_none());
        assert_eq!(fs::read_dir(parent.path()).unwrap().count(), 0);
    }

    #[test]
    fn writes_every_file_and_folder_on_several_threads() {
        let mut tree = FileTree::default();
        for i in 0..50 {
            tree.insert(
                format!("d{}/sub{}/f{i}.txt", i % 3, i % 2),
                FileEntry::new(format!("{i}\n")),
            );
        }
        let mut script = FileEntry::new("#!/bin/sh\n");
        script.executable = true;
        tree.insert("run.sh", script);
        let dir = tempfile::tempdir().unwrap();
        write_tree(&tree, dir.path()).unwrap();
        for (path, entry) in tree.iter() {
            assert_eq!(
                fs::read(dir.path().join(path)).unwrap(),
                entry.bytes,
                "{path}"
            );
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("run.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o100, 0o100);
        }
    }

    #[test]
    fn the_first_failing_file_is_reported() {
        let mut tree = FileTree::default();
        for i in 0..40 {
            tree.insert(format!("f{i:02}.txt"), FileEntry::new("x"));
        }
        let dir = tempfile::tempdir().unwrap();
        // Folders where two files should go: both fail, the earlier is named.
        fs::create_dir(dir.path().join("f05.txt")).unwrap();
        fs::create_dir(dir.path().join("f35.txt")).unwrap();
        let err = write_tree(&tree, dir.path()).unwrap_err().to_string();
        assert!(err.contains("f05.txt"), "{err}");
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_named() {
        let mut tree = FileTree::default();
        let long = "x".repeat(300);
        for i in 0..40 {
            tree.insert(format!("ok/f{i:02}.txt"), FileEntry::new("x"));
        }
        tree.insert(format!("{long}/f.txt"), FileEntry::new("x"));
        let dir = tempfile::tempdir().unwrap();
        let err = write_tree(&tree, dir.path()).unwrap_err().to_string();
        assert!(err.contains("cannot create folder"), "{err}");
        assert!(err.contains(&long), "{err}");
    }

    #[test]
    fn a_file_where_a_folder_goes_fails_the_first_file_in_it() {
        let mut tree = FileTree::default();
        for i in 0..40 {
            tree.insert(format!("docs/f{i:02}.txt"), FileEntry::new("x"));
        }
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("docs"), "in the way").unwrap();
        let err = write_tree(&tree, dir.path()).unwrap_err().to_string();
        // Made by neither thread (it exists), so the first file fails.
        assert!(err.contains("docs/f00.txt"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("docs")).unwrap(),
            "in the way"
        );
    }
}
