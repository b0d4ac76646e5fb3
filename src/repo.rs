//! git2 at the edge: creating a repository whose first commit is the
//! pristine render, building git trees straight from a `FileTree`, finding
//! pristine commits by their trailer, and the committer identity.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository, Signature};

use crate::error::{Error, Result};
use crate::tree::FileTree;

/// The trailer that marks a pristine render commit.
pub const TRAILER: &str = "Newsvc-Template";
/// The trailer recording the template source of a pristine commit.
pub const SOURCE_TRAILER: &str = "Newsvc-Source";

/// The identity used when git has none configured.
pub const FALLBACK_NAME: &str = "newsvc";
pub const FALLBACK_EMAIL: &str = "newsvc@localhost";

/// The committer: the user's git identity, or newsvc's fallback (`true` when
/// the fallback was used, so the caller can say so).
pub fn signature(repo: &Repository) -> Result<(Signature<'static>, bool)> {
    match repo.signature() {
        Ok(sig) => Ok((sig.to_owned(), false)),
        Err(_) => Ok((
            Signature::now(FALLBACK_NAME, FALLBACK_EMAIL)
                .map_err(Error::git("make a signature"))?,
            true,
        )),
    }
}

/// The commit message of a pristine render.
pub fn pristine_message(
    subject: &str,
    name: &str,
    version: &semver::Version,
    source: &str,
) -> String {
    format!(
        "{subject}\n\nThis commit is the template's own render, kept as the base for\n`newsvc upgrade` merges. Do not rewrite it.\n\n{TRAILER}: {name}@{version}\n{SOURCE_TRAILER}: {source}\n"
    )
}

/// Parses the `Newsvc-Template: name@version` trailer of a commit message.
pub fn parse_trailer(message: &str) -> Option<(String, semver::Version)> {
    message.lines().rev().find_map(|line| {
        let rest = line.strip_prefix(TRAILER)?.strip_prefix(':')?.trim();
        let (name, version) = rest.rsplit_once('@')?;
        Some((name.to_string(), version.parse().ok()?))
    })
}

/// Writes `tree` into the object database and returns the root tree id.
pub fn write_tree(repo: &Repository, tree: &FileTree) -> Result<Oid> {
    #[derive(Default)]
    struct Dir {
        files: BTreeMap<String, (Oid, i32)>,
        dirs: BTreeMap<String, Dir>,
    }
    fn build(repo: &Repository, dir: &Dir) -> Result<Oid> {
        let mut builder = repo.treebuilder(None).map_err(Error::git("build tree"))?;
        for (name, (oid, mode)) in &dir.files {
            builder
                .insert(name, *oid, *mode)
                .map_err(Error::git("build tree"))?;
        }
        for (name, sub) in &dir.dirs {
            let oid = build(repo, sub)?;
            builder
                .insert(name, oid, 0o040_000)
                .map_err(Error::git("build tree"))?;
        }
        builder.write().map_err(Error::git("write tree"))
    }
    let mut root = Dir::default();
    for (path, entry) in tree.iter() {
        let blob = repo.blob(&entry.bytes).map_err(Error::git("write blob"))?;
        let mode = if entry.executable {
            0o100_755
        } else {
            0o100_644
        };
        let mut parts: Vec<&str> = path.split('/').collect();
        let file = parts.pop().unwrap_or_default();
        let mut dir = &mut root;
        for p in parts {
            dir = dir.dirs.entry(p.to_string()).or_default();
        }
        dir.files.insert(file.to_string(), (blob, mode));
    }
    build(repo, &root)
}

/// Reads a commit's tree back into a `FileTree`.
pub fn read_tree(repo: &Repository, tree: &git2::Tree<'_>) -> Result<FileTree> {
    let mut out = FileTree::default();
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if matches!(entry.kind(), Some(git2::ObjectType::Blob)) {
            match repo.find_blob(entry.id()) {
                Ok(blob) => {
                    let mut file = crate::tree::FileEntry::new(blob.content());
                    file.executable = entry.filemode() == 0o100_755;
                    out.insert(format!("{dir}{}", entry.name().unwrap_or_default()), file);
                }
                Err(e) => failure = Some(e),
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(Error::git("read tree"))?;
    match failure {
        Some(e) => Err(Error::git("read blob")(e)),
        None => Ok(out),
    }
}

/// How to lay out a new repository, from the user's git config: the branch
/// (`init.defaultBranch`, else `main`) and whether the user configured a
/// template folder of their own (`init.templateDir`, e.g. to install hooks).
fn init_settings() -> (String, bool) {
    let config = git2::Config::open_default().ok();
    let get = |key: &str| {
        config
            .as_ref()
            .and_then(|c| c.get_string(key).ok())
            .filter(|v| !v.trim().is_empty())
    };
    let branch = get("init.defaultBranch").unwrap_or_else(|| "main".to_string());
    (branch, get("init.templateDir").is_some())
}

/// Initialises a repository in `dir` (whose files are `tree`) with the
/// pristine render as its first commit, and an index matching it.
/// Returns the commit id and whether the fallback identity was used.
pub fn init_with_pristine(dir: &Path, tree: &FileTree, message: &str) -> Result<(Oid, bool)> {
    let (branch, own_templates) = init_settings();
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head(&branch);
    // The system template folder only holds `*.sample` hooks that never run;
    // copying them is a quarter of the files of a small repository. A
    // template folder the user configured is honoured, as `git init` does.
    opts.external_template(own_templates);
    let repo = Repository::init_opts(dir, &opts).map_err(Error::git("init"))?;
    // Objects go to memory first and land as one pack: two files on disk
    // instead of a loose file (and often a folder) for every blob and tree.
    let odb = repo.odb().map_err(Error::git("open object database"))?;
    let mempack = odb
        .add_new_mempack_backend(1000)
        .map_err(Error::git("open object database"))?;
    let tree_id = write_tree(&repo, tree)?;
    let git_tree = repo.find_tree(tree_id).map_err(Error::git("find tree"))?;
    let (sig, fallback) = signature(&repo)?;
    let commit = repo
        .commit(Some("HEAD"), &sig, &sig, message, &git_tree, &[])
        .map_err(Error::git("commit"))?;
    let mut pack = git2::Buf::new();
    mempack
        .dump(&repo, &mut pack)
        .map_err(Error::git("pack objects"))?;
    let mut writer = odb.packwriter().map_err(Error::git("write pack"))?;
    std::io::Write::write_all(&mut writer, &pack).map_err(|e| Error::Git {
        context: "write pack".into(),
        message: e.to_string(),
    })?;
    writer.commit().map_err(Error::git("write pack"))?;
    let mut index = repo.index().map_err(Error::git("open index"))?;
    index
        .read_tree(&git_tree)
        .map_err(Error::git("fill index"))?;
    index.write().map_err(Error::git("write index"))?;
    Ok((commit, fallback))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_round_trip() {
        let msg = pristine_message("Render", "service", &"1.4.0".parse().unwrap(), "service");
        assert_eq!(
            parse_trailer(&msg),
            Some(("service".to_string(), "1.4.0".parse().unwrap()))
        );
        assert_eq!(parse_trailer("no trailer here"), None);
    }
}
