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

/// A repository just initialised, waiting for its first commit.
pub struct NewRepo {
    repo: Repository,
    /// The branch HEAD names (`init.defaultBranch`, else `main`).
    branch: String,
}

/// Initialises an empty repository in `dir`, laid out as the user's git
/// config asks. Needs nothing from the render, so it can be done while the
/// answers are resolved and the files rendered.
pub fn init_new(dir: &Path) -> Result<NewRepo> {
    let (branch, own_templates) = init_settings();
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head(&branch);
    // The system template folder only holds `*.sample` hooks that never run;
    // copying them is a quarter of the files of a small repository. A
    // template folder the user configured is honoured, as `git init` does.
    opts.external_template(own_templates);
    let repo = Repository::init_opts(dir, &opts).map_err(Error::git("init"))?;
    Ok(NewRepo { repo, branch })
}

/// Initialises a repository in `dir` and makes its first commit: see
/// `init_new` and `first_commit`.
pub fn init_with_pack(
    dir: &Path,
    objects: impl FnOnce() -> crate::pack::TreeObjects,
    message: &str,
) -> Result<(Oid, bool)> {
    first_commit(init_new(dir)?, objects, message)
}

/// Makes the first commit of `new`: it holds the tree of `objects` (see
/// `pack::tree_objects`; asked for only now, so they can be made at the same
/// time as the repository) with `message`, by the user's git identity as the
/// new repository sees it (conditional includes apply). The pack goes in as
/// it is, the branch points at the commit, and the index matches its tree.
/// Returns the commit and whether the fallback identity was used.
pub fn first_commit(
    new: NewRepo,
    objects: impl FnOnce() -> crate::pack::TreeObjects,
    message: &str,
) -> Result<(Oid, bool)> {
    let NewRepo { repo, branch } = new;
    let (sig, fallback) = signature(&repo)?;
    let identity = crate::pack::Identity {
        name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
        time: sig.when().seconds(),
        offset_minutes: sig.when().offset_minutes(),
    };
    let pack = objects().with_commit(&identity, message);
    let packs = repo.path().join("objects").join("pack");
    for (extension, bytes) in [("pack", &pack.pack), ("idx", &pack.index)] {
        let file = packs.join(format!("{}.{extension}", pack.name));
        std::fs::write(&file, bytes).map_err(Error::io("cannot write", &file))?;
    }
    let commit = Oid::from_bytes(&pack.commit).map_err(Error::git("read the commit id"))?;
    repo.reference(
        &format!("refs/heads/{branch}"),
        commit,
        true,
        &format!(
            "commit (initial): {}",
            message.lines().next().unwrap_or_default()
        ),
    )
    .map_err(Error::git("point the branch at the first commit"))?;
    let tree = repo
        .find_tree(Oid::from_bytes(&pack.root_tree).map_err(Error::git("read the tree id"))?)
        .map_err(Error::git("read the first commit's tree"))?;
    let mut index = repo.index().map_err(Error::git("open index"))?;
    index.read_tree(&tree).map_err(Error::git("fill index"))?;
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
