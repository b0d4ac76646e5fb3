//! Template sets from git: `URL@REF[//SUBDIR]`, cloned bare with git2 into a
//! cache under the XDG cache dir, updated by fetch, read straight from git
//! objects (no checkout). `--offline` uses the cache only.

use std::path::{Path, PathBuf};

use super::{FILES_DIR, Origin, RawTemplateSet, SourceSpec, TemplateFile, TemplateSet};
use crate::error::{Error, Result};
use crate::manifest::MANIFEST_FILE;

/// How to treat the network and the cache.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Use the cache only; never touch the network.
    pub offline: bool,
    /// Where clones are cached (default: `$XDG_CACHE_HOME/newsvc/git`).
    pub cache_dir: Option<PathBuf>,
}

/// Serialises cache creation and fetches within the process.
static CACHE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Parses `URL@REF[//SUBDIR]`.
pub fn parse_spec(s: &str) -> Result<SourceSpec> {
    let bad = |why: &str| Error::Source {
        source_name: s.to_string(),
        message: format!(
            "{why}; write a git source as URL@REF or URL@REF//SUBDIR, e.g. https://git.example.com/platform/templates.git@v2.3.0"
        ),
    };
    // The subfolder follows the first `//` after the scheme's `://`.
    let scheme_end = s.find("://").map_or(0, |i| i + 3);
    let (main, subdir) = match s[scheme_end..].find("//") {
        Some(i) => (
            &s[..scheme_end + i],
            Some(s[scheme_end + i + 2..].trim_matches('/').to_string()),
        ),
        None => (s, None),
    };
    let at = main
        .rfind('@')
        .filter(|&i| i > scheme_end)
        .ok_or_else(|| bad("no @REF"))?;
    let (url, reference) = (&main[..at], &main[at + 1..]);
    if url.is_empty() || reference.is_empty() {
        return Err(bad("empty URL or ref"));
    }
    if subdir
        .as_deref()
        .is_some_and(|d| d.is_empty() || d.split('/').any(|c| c == ".."))
    {
        return Err(bad("bad subfolder"));
    }
    Ok(SourceSpec::Git {
        url: url.to_string(),
        reference: reference.to_string(),
        subdir,
    })
}

/// The cache folder for `url`.
pub fn cache_path(url: &str, options: &FetchOptions) -> PathBuf {
    let root = options.cache_dir.clone().unwrap_or_else(|| {
        dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("newsvc")
            .join("git")
    });
    let slug: String = url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let slug = slug.trim_matches('_');
    let slug = &slug[slug.len().saturating_sub(60)..];
    root.join(format!("{slug}-{:016x}", fnv1a(url.as_bytes())))
}

/// A stable hash for cache folder names (std's hasher is not stable across releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Opens (or clones) the cached bare repository of `url` and brings it up
/// to date, unless `--offline` or `reference` is a full commit id the cache
/// already holds (a commit never changes, so there is nothing to fetch).
pub fn open_cache(
    source: &str,
    url: &str,
    reference: &str,
    options: &FetchOptions,
) -> Result<git2::Repository> {
    let path = cache_path(url, options);
    let fail = |message: String| Error::Source {
        source_name: source.to_string(),
        message,
    };
    // One thread at a time creates or fetches into the cache (`fleet` loads
    // templates from several threads); other processes are met by cloning
    // aside and renaming into place, and by retrying locked fetches.
    let _guard = CACHE_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !path.join("HEAD").exists() {
        if options.offline {
            return Err(fail(format!(
                "--offline, and `{url}` is not in the cache (`{}`); run once without --offline to fill it",
                path.display()
            )));
        }
        return clone_into_cache(url, &path).map_err(fail);
    }
    let repo = git2::Repository::open_bare(&path).map_err(|e| {
        fail(format!(
            "the cache `{}` is damaged ({}); delete it and retry",
            path.display(),
            e.message()
        ))
    })?;
    if options.offline || (is_full_commit_id(reference) && has_commit(&repo, reference)) {
        return Ok(repo);
    }
    fetch_retrying(&repo).map_err(|e| {
        fail(format!(
            "cannot fetch `{url}`: {}; pass --offline to use the cached copy",
            e.message()
        ))
    })?;
    Ok(repo)
}

/// Clones `url` bare into a private folder beside `path` and renames it into
/// place, so a failed clone leaves nothing behind and a concurrent process
/// never sees a half-made cache. If another process got there first, its
/// clone is used.
fn clone_into_cache(url: &str, path: &Path) -> std::result::Result<git2::Repository, String> {
    let parent = path.parent().unwrap_or(path);
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create the cache folder `{}`: {e}", parent.display()))?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let aside = parent.join(format!(".{name}.clone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&aside);
    // A bare repository without git's sample hooks: the cache only holds objects.
    let mut init = git2::RepositoryInitOptions::new();
    init.bare(true).external_template(false);
    let cloned = git2::Repository::init_opts(&aside, &init).and_then(|repo| {
        repo.remote("origin", url)?;
        fetch_retrying(&repo)
    });
    if let Err(e) = cloned {
        let _ = std::fs::remove_dir_all(&aside);
        return Err(format!(
            "cannot fetch `{url}`: {}; check the URL and your access to it",
            e.message()
        ));
    }
    if std::fs::rename(&aside, path).is_err() {
        let _ = std::fs::remove_dir_all(&aside);
        if !path.join("HEAD").exists() {
            return Err(format!(
                "cannot move the clone of `{url}` into the cache at `{}`",
                path.display()
            ));
        }
    }
    git2::Repository::open_bare(path).map_err(|e| {
        format!(
            "cannot open the cache `{}`: {}",
            path.display(),
            e.message()
        )
    })
}

const REFSPECS: [&str; 2] = [
    "+refs/heads/*:refs/remotes/origin/*",
    "+refs/tags/*:refs/tags/*",
];

/// Whether fetching `url` needs a network transport (TLS or SSH) rather
/// than libgit2's built-in local ones (`file://`, paths).
fn is_network_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "ssh://", "git://"]
        .iter()
        .any(|p| lower.starts_with(p))
        || (url.contains('@') && url.contains(':') && !url.contains("://"))
}

/// Fetches every branch (as `refs/remotes/origin/*`) and tag, pruning what
/// the remote deleted. Network URLs are fetched by the `git` command: libgit2
/// built with TLS initialises OpenSSL in every process (about 30 ms of CPU,
/// measured), which would slow every newsvc command, and `git` already knows
/// the user's credentials helpers, proxies and SSH keys. Local transports
/// (`file://`) stay in-process with libgit2. Everything else reads the cache
/// with libgit2.
fn fetch(repo: &git2::Repository) -> std::result::Result<(), git2::Error> {
    let remote = repo.find_remote("origin")?;
    let url = remote.url().unwrap_or_default().to_string();
    if is_network_url(&url) {
        return fetch_with_git_command(repo, &url);
    }
    let mut remote = remote;
    let mut options = git2::FetchOptions::new();
    options
        .prune(git2::FetchPrune::On)
        .download_tags(git2::AutotagOption::All);
    remote.fetch(&REFSPECS, Some(&mut options), None)
}

fn fetch_with_git_command(
    repo: &git2::Repository,
    url: &str,
) -> std::result::Result<(), git2::Error> {
    use std::io::IsTerminal;
    let mut command = std::process::Command::new("git");
    command
        .arg("--git-dir")
        .arg(repo.path())
        .args(["fetch", "--quiet", "--prune", "--tags", "origin"])
        .args(REFSPECS);
    if !std::io::stdin().is_terminal() {
        // Never wait for a password nobody can type.
        command
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let output = command.stdin(std::process::Stdio::null()).output().map_err(|e| {
        git2::Error::from_str(&format!("fetching `{url}` needs the `git` command, which could not be run ({e}); install git"))
    })?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(git2::Error::from_str(stderr.trim()))
    }
}

/// `fetch`, retried while another process holds a lock in the cache (a
/// ref's or the config's `.lock` file), for up to about three seconds.
fn fetch_retrying(repo: &git2::Repository) -> std::result::Result<(), git2::Error> {
    let mut attempt = 0;
    loop {
        match fetch(repo) {
            Err(e) if is_lock_conflict(&e) && attempt < 10 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50 * attempt));
            }
            other => return other,
        }
    }
}

/// Whether `e` is another process holding a lock file. libgit2 reports a
/// taken ref lock as a generic error, so the message is checked too.
fn is_lock_conflict(e: &git2::Error) -> bool {
    e.code() == git2::ErrorCode::Locked
        || e.message().contains("failed to lock file")
        || e.message().contains("failed to create locked file")
}

fn is_full_commit_id(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

fn has_commit(repo: &git2::Repository, id: &str) -> bool {
    git2::Oid::from_str(id).is_ok_and(|oid| repo.find_commit(oid).is_ok())
}

/// Resolves a tag, branch or commit to a commit of the cached repository.
pub fn resolve_ref<'r>(repo: &'r git2::Repository, reference: &str) -> Option<git2::Commit<'r>> {
    let candidates = [
        format!("refs/tags/{reference}"),
        format!("refs/remotes/origin/{reference}"),
        reference.to_string(),
    ];
    candidates.iter().find_map(|c| {
        repo.revparse_single(c)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
    })
}

/// Loads the template set at `URL@REF[//SUBDIR]`.
pub fn load(
    source: &str,
    url: &str,
    reference: &str,
    subdir: Option<&str>,
    options: &FetchOptions,
) -> Result<TemplateSet> {
    load_raw(source, url, reference, subdir, options)?.parse()
}

/// Reads the template set at `URL@REF[//SUBDIR]` without parsing its manifest.
pub fn load_raw(
    source: &str,
    url: &str,
    reference: &str,
    subdir: Option<&str>,
    options: &FetchOptions,
) -> Result<RawTemplateSet> {
    let repo = open_cache(source, url, reference, options)?;
    let commit = resolve_ref(&repo, reference).ok_or_else(|| Error::Source {
        source_name: source.to_string(),
        message: format!(
            "ref `{reference}` is not a tag, branch or commit of `{url}`{}",
            if options.offline {
                " (in the offline cache; run without --offline to fetch it)"
            } else {
                ""
            }
        ),
    })?;
    let mut tree = commit.tree().map_err(Error::git("read commit tree"))?;
    if let Some(sub) = subdir {
        let entry = tree.get_path(Path::new(sub)).map_err(|_| Error::Source {
            source_name: source.to_string(),
            message: format!("no folder `{sub}` at `{reference}`"),
        })?;
        tree = repo.find_tree(entry.id()).map_err(|_| Error::Source {
            source_name: source.to_string(),
            message: format!("`{sub}` is not a folder"),
        })?;
    }
    let manifest_entry = tree.get_name(MANIFEST_FILE).ok_or_else(|| Error::Source {
        source_name: source.to_string(),
        message: format!(
            "no {MANIFEST_FILE} in {} at `{reference}`; a template set is a folder with {MANIFEST_FILE} and a {FILES_DIR}/ folder (point at it with URL@REF//SUBFOLDER)",
            subdir.map_or("the repository root".to_string(), |s| format!("`{s}`"))
        ),
    })?;
    let blob_text = |id: git2::Oid| -> Result<String> {
        let blob = repo.find_blob(id).map_err(Error::git("read blob"))?;
        Ok(String::from_utf8_lossy(blob.content()).into_owned())
    };
    let manifest_text = blob_text(manifest_entry.id())?;
    let changelog = match tree.get_name(super::CHANGELOG_FILE) {
        Some(e) => Some(blob_text(e.id())?),
        None => None,
    };
    let mut files = Vec::new();
    if let Some(files_entry) = tree.get_name(FILES_DIR) {
        let files_tree = repo
            .find_tree(files_entry.id())
            .map_err(Error::git("read files/"))?;
        let mut failure = None;
        files_tree
            .walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                match entry.filemode() {
                    0o100_644 | 0o100_755 => match repo.find_blob(entry.id()) {
                        Ok(blob) => files.push(TemplateFile { path, bytes: blob.content().to_vec().into(), executable: entry.filemode() == 0o100_755 }),
                        Err(e) => failure = Some(Error::git("read blob")(e)),
                    },
                    0o120_000 => {
                        failure = Some(Error::UnsafePath {
                            file: format!("{FILES_DIR}/{path}"),
                            path,
                            reason: "is a symbolic link (links are not followed: they could point outside the repository)".into(),
                        });
                    }
                    _ => {}
                }
                if failure.is_some() { git2::TreeWalkResult::Abort } else { git2::TreeWalkResult::Ok }
            })
            .ok();
        if let Some(f) = failure {
            return Err(f);
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(RawTemplateSet {
        manifest_text,
        manifest_file: format!("{source}:{MANIFEST_FILE}"),
        files,
        changelog,
        origin: Origin {
            source: source.to_string(),
            commit: Some(commit.id().to_string()),
            dir: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_urls_go_to_the_git_command() {
        for url in [
            "https://git.example.com/t.git",
            "http://h/t.git",
            "ssh://git@h/t.git",
            "git@github.com:org/t.git",
            "git://h/t.git",
        ] {
            assert!(is_network_url(url), "{url}");
        }
        for url in ["file:///srv/t.git", "/srv/t.git", "../t"] {
            assert!(!is_network_url(url), "{url}");
        }
    }

    #[test]
    fn parses_git_specs() {
        assert_eq!(
            parse_spec("https://git.example.com/platform/templates.git@v2.3.0").unwrap(),
            SourceSpec::Git {
                url: "https://git.example.com/platform/templates.git".into(),
                reference: "v2.3.0".into(),
                subdir: None
            }
        );
        assert_eq!(
            parse_spec("file:///srv/templates.git@main//service").unwrap(),
            SourceSpec::Git {
                url: "file:///srv/templates.git".into(),
                reference: "main".into(),
                subdir: Some("service".into())
            }
        );
        assert!(parse_spec("https://git.example.com/x.git").is_err());
        assert!(parse_spec("file:///x.git@main//../etc").is_err());
    }
}
