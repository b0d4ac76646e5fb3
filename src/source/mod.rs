//! Template sources: where a template set comes from (the embedded default,
//! a local folder, or a git URL at a ref) and loading it into memory as a
//! `TemplateSet`. The only place that reads template files.

use std::path::{Path, PathBuf};

use include_dir::{Dir, DirEntry, File, include_dir};

use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};

/// The template sets built into the binary.
static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The embedded entry at `path` (`/`-separated, under `templates/`), found
/// folder by folder. `include_dir`'s own look-up compares the path with every
/// entry of every folder it passes (the whole default template for its
/// manifest: a tenth of the time it took to load it).
fn embedded_entry(path: &str) -> Option<&'static DirEntry<'static>> {
    let mut entries = EMBEDDED.entries();
    let mut found = None;
    for name in path.split('/') {
        let entry = entries
            .iter()
            .find(|e| e.path().file_name().is_some_and(|n| n == name))?;
        entries = entry.as_dir().map_or(&[], Dir::entries);
        found = Some(entry);
    }
    found
}

fn embedded_dir(path: &str) -> Option<&'static Dir<'static>> {
    embedded_entry(path)?.as_dir()
}

fn embedded_file(path: &str) -> Option<&'static File<'static>> {
    embedded_entry(path)?.as_file()
}

/// The folder inside a template set that holds the files to render.
pub const FILES_DIR: &str = "files";
/// The template set's own changelog, shown by `upgrade --dry-run`.
pub const CHANGELOG_FILE: &str = "CHANGELOG.md";
/// The name of the default embedded template.
pub const DEFAULT_TEMPLATE: &str = "service";

/// One file of a template set, relative to its `files/` folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub path: String,
    /// Borrowed from the binary for the embedded template (never copied:
    /// a render reads only the files its rules include), owned otherwise.
    pub bytes: std::borrow::Cow<'static, [u8]>,
    pub executable: bool,
}

/// Where a loaded template came from, as recorded in `.newsvc.yml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The source string to record and to load it again.
    pub source: String,
    /// The resolved commit, for git sources.
    pub commit: Option<String>,
    /// The folder of the template set on disk, when there is one.
    pub dir: Option<PathBuf>,
}

/// A template set in memory.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    pub manifest: Manifest,
    pub manifest_text: String,
    pub files: Vec<TemplateFile>,
    pub changelog: Option<String>,
    pub origin: Origin,
}

impl TemplateSet {
    /// How the manifest is named in messages: `<source>/template.yaml`.
    pub fn manifest_name(&self) -> String {
        format!("{}/{}", self.origin.source, crate::manifest::MANIFEST_FILE)
    }

    /// Places an error about a question's `when` or default at its line in
    /// this set's manifest; other errors pass through.
    pub fn locate(&self, error: Error) -> Error {
        match error {
            Error::QuestionRule {
                question,
                field,
                message,
            } => Error::Manifest {
                file: self.manifest_name(),
                line: crate::manifest::question_field_line(&self.manifest_text, &question, field),
                message: format!("question `{question}`: {message}"),
            },
            other => other,
        }
    }
}

/// A template set as read from its source, before its manifest is parsed:
/// `parse` makes it a `TemplateSet`; the linter parses it leniently instead.
#[derive(Debug, Clone)]
pub struct RawTemplateSet {
    pub manifest_text: String,
    /// How the manifest is named in messages.
    pub manifest_file: String,
    pub files: Vec<TemplateFile>,
    pub changelog: Option<String>,
    pub origin: Origin,
}

impl RawTemplateSet {
    /// Parses and checks the manifest. An embedded template's manifest is
    /// only parsed: it is part of the binary and passed every check when the
    /// binary was tested (`embedded_manifests_pass_every_check`), and the
    /// checks (a tera parse per condition, a regex per validator) would be a
    /// tenth of every `newsvc new`.
    pub fn parse(self) -> Result<TemplateSet> {
        let manifest = if self.is_embedded() {
            embedded_manifest(
                embedded_manifest_json(&self.origin.source),
                &self.manifest_text,
                &self.manifest_file,
            )?
        } else {
            Manifest::parse(&self.manifest_text, &self.manifest_file)?
        };
        Ok(TemplateSet {
            manifest,
            manifest_text: self.manifest_text,
            files: self.files,
            changelog: self.changelog,
            origin: self.origin,
        })
    }
}

impl RawTemplateSet {
    fn is_embedded(&self) -> bool {
        self.origin.dir.is_none()
            && self.origin.commit.is_none()
            && embedded_file(&format!("{}/{MANIFEST_FILE}", self.origin.source))
                .is_some_and(|f| f.contents() == self.manifest_text.as_bytes())
    }
}

include!(concat!(env!("OUT_DIR"), "/embedded_manifests.rs"));

/// An embedded manifest: read from its JSON form when `build.rs` made one
/// that reads, else from its YAML, whose errors name their line.
fn embedded_manifest(json: Option<&str>, yaml: &str, file: &str) -> Result<Manifest> {
    match json.and_then(|json| serde_json::from_str(json).ok()) {
        Some(manifest) => Ok(manifest),
        None => Manifest::parse_unchecked(yaml, file),
    }
}

/// The embedded template `name`'s manifest as JSON (see `build.rs`).
fn embedded_manifest_json(name: &str) -> Option<&'static str> {
    EMBEDDED_MANIFEST_JSON
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, json)| *json)
}

/// A parsed `--template` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Embedded(String),
    Dir(PathBuf),
    Git {
        url: String,
        reference: String,
        subdir: Option<String>,
    },
}

impl SourceSpec {
    /// Parses a source: a built-in name, a folder, or `URL@REF[//SUBDIR]`.
    pub fn parse(s: &str) -> Result<SourceSpec> {
        let looks_remote = s.contains("://") || s.starts_with("git@");
        if looks_remote {
            return crate::source::git::parse_spec(s);
        }
        if !s.contains('/') && embedded_dir(s).is_some() && !Path::new(s).exists() {
            return Ok(SourceSpec::Embedded(s.to_string()));
        }
        Ok(SourceSpec::Dir(PathBuf::from(s)))
    }
}

/// The names of the embedded template sets.
pub fn embedded_names() -> Vec<String> {
    let mut names: Vec<String> = EMBEDDED
        .dirs()
        .filter(|d| {
            d.files()
                .any(|f| f.path().file_name().is_some_and(|n| n == MANIFEST_FILE))
        })
        .map(|d| d.path().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Loads a template set from a source string.
pub fn load(source: &str, options: &git::FetchOptions) -> Result<TemplateSet> {
    load_raw(source, options)?.parse()
}

/// Reads a template set from a source string without parsing its manifest.
pub fn load_raw(source: &str, options: &git::FetchOptions) -> Result<RawTemplateSet> {
    match SourceSpec::parse(source)? {
        SourceSpec::Embedded(name) => load_embedded_raw(&name),
        SourceSpec::Dir(dir) => {
            let dir = dir.canonicalize().map_err(|e| Error::Source {
                source_name: source.to_string(),
                message: format!("cannot open the folder: {e}; give a template folder (holding {MANIFEST_FILE}), a git URL@REF, or one of: {}", embedded_names().join(", ")),
            })?;
            load_dir_raw(
                &dir,
                Origin {
                    source: dir.to_string_lossy().into_owned(),
                    commit: None,
                    dir: Some(dir.clone()),
                },
            )
        }
        SourceSpec::Git {
            url,
            reference,
            subdir,
        } => git::load_raw(source, &url, &reference, subdir.as_deref(), options),
    }
}

/// Loads an embedded template set by name.
pub fn load_embedded(name: &str) -> Result<TemplateSet> {
    load_embedded_raw(name)?.parse()
}

/// Reads an embedded template set by name without parsing its manifest.
pub fn load_embedded_raw(name: &str) -> Result<RawTemplateSet> {
    let not_found = || Error::Source {
        source_name: name.to_string(),
        message: format!(
            "no such built-in template; built-in: {}",
            embedded_names().join(", ")
        ),
    };
    let manifest_file = embedded_file(&format!("{name}/{MANIFEST_FILE}")).ok_or_else(not_found)?;
    let manifest_text = embedded_text(manifest_file.contents());
    let changelog =
        embedded_file(&format!("{name}/{CHANGELOG_FILE}")).map(|f| embedded_text(f.contents()));
    let mut files = Vec::new();
    if let Some(files_dir) = embedded_dir(&format!("{name}/{FILES_DIR}")) {
        collect_embedded(files_dir, files_dir.path(), &mut files);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(RawTemplateSet {
        manifest_text,
        manifest_file: format!("{name}/{MANIFEST_FILE}"),
        files,
        changelog,
        origin: Origin {
            source: name.to_string(),
            commit: None,
            dir: None,
        },
    })
}

/// An embedded text file's text: valid UTF-8, checked at build time by the
/// tests, so the quick check passes (the lossy one walks it char by char).
fn embedded_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Adds the files under `dir` to `out`, with their paths relative to
/// `root`.
fn collect_embedded(dir: &Dir<'static>, root: &Path, out: &mut Vec<TemplateFile>) {
    for f in dir.files() {
        // include_dir's paths are `/`-separated text under the `templates`
        // folder: cut as text, without taking the path apart component by
        // component (a tenth of loading the default template).
        let path = match (root.to_str(), f.path().to_str()) {
            (Some(root), Some(path)) if std::path::MAIN_SEPARATOR == '/' => path
                .strip_prefix(root)
                .and_then(|rest| rest.strip_prefix('/'))
                .map(str::to_string),
            _ => None,
        };
        let path =
            path.unwrap_or_else(|| slash_path(f.path().strip_prefix(root).unwrap_or(f.path())));
        // include_dir keeps no file modes: executables come from file rules.
        out.push(TemplateFile {
            path,
            bytes: std::borrow::Cow::Borrowed(f.contents()),
            executable: false,
        });
    }
    for d in dir.dirs() {
        collect_embedded(d, root, out);
    }
}

/// Loads a template set from a folder on disk.
pub fn load_dir(dir: &Path, origin: Origin) -> Result<TemplateSet> {
    load_dir_raw(dir, origin)?.parse()
}

/// Reads a template set from a folder on disk without parsing its manifest.
pub fn load_dir_raw(dir: &Path, origin: Origin) -> Result<RawTemplateSet> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest_text = std::fs::read_to_string(&manifest_path).map_err(|e| Error::Source {
        source_name: origin.source.clone(),
        message: if e.kind() == std::io::ErrorKind::NotFound {
            format!("no {MANIFEST_FILE} in `{}`; a template set is a folder with {MANIFEST_FILE} and a {FILES_DIR}/ folder", dir.display())
        } else {
            format!("cannot read `{}`: {e}", manifest_path.display())
        },
    })?;
    let changelog = std::fs::read_to_string(dir.join(CHANGELOG_FILE)).ok();
    let files_root = dir.join(FILES_DIR);
    let mut files = Vec::new();
    if files_root.is_dir() {
        for entry in walkdir::WalkDir::new(&files_root).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Source {
                source_name: origin.source.clone(),
                message: e.to_string(),
            })?;
            let rel = entry
                .path()
                .strip_prefix(&files_root)
                .unwrap_or(entry.path());
            if entry.path_is_symlink() {
                return Err(Error::UnsafePath {
                    file: format!("{FILES_DIR}/{}", slash_path(rel)),
                    path: slash_path(rel),
                    reason: "is a symbolic link (links are not followed: they could point outside the repository)".into(),
                });
            }
            if !entry.file_type().is_file() {
                continue;
            }
            let bytes =
                std::fs::read(entry.path()).map_err(Error::io("cannot read", entry.path()))?;
            out_push(&mut files, slash_path(rel), bytes, is_executable(&entry));
        }
    }
    Ok(RawTemplateSet {
        manifest_text,
        manifest_file: manifest_path.to_string_lossy().into_owned(),
        files,
        changelog,
        origin,
    })
}

fn out_push(files: &mut Vec<TemplateFile>, path: String, bytes: Vec<u8>, executable: bool) {
    files.push(TemplateFile {
        path,
        bytes: bytes.into(),
        executable,
    });
}

/// Whether a file found by a walk has an executable bit.
#[cfg(unix)]
pub(crate) fn is_executable(entry: &walkdir::DirEntry) -> bool {
    use std::os::unix::fs::PermissionsExt;
    entry
        .metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
pub(crate) fn is_executable(_: &walkdir::DirEntry) -> bool {
    false
}

fn slash_path(p: &Path) -> String {
    // The common case needs no splitting: a UTF-8 path already in `/` form.
    if let Some(text) = p.to_str() {
        if std::path::MAIN_SEPARATOR == '/'
            && !text.contains("//")
            && !text.starts_with("./")
            && !text.contains("/./")
            && !text.ends_with('/')
        {
            return text.to_string();
        }
    }
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

pub mod git;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_entries_are_found_folder_by_folder() {
        // Every embedded path finds its own entry, as include_dir's look-up does.
        fn check(dir: &'static Dir<'static>) -> usize {
            let mut seen = 0;
            for entry in dir.entries() {
                let path = entry.path().to_str().unwrap();
                assert!(
                    embedded_entry(path).is_some_and(|found| std::ptr::eq(found, entry)),
                    "{path}"
                );
                assert!(std::ptr::eq(EMBEDDED.get_entry(path).unwrap(), entry));
                seen += 1 + entry.as_dir().map_or(0, check);
            }
            seen
        }
        assert!(check(&EMBEDDED) > 100);
        assert!(embedded_file("service/files").is_none(), "a folder");
        assert!(embedded_dir("service/template.yaml").is_none(), "a file");
        for missing in [
            "",
            "nope",
            "service/",
            "service//files",
            "files",
            "service/nope",
        ] {
            assert!(embedded_entry(missing).is_none(), "{missing}");
        }
    }

    #[test]
    fn the_embedded_default_reads_as_its_folder_does() {
        let embedded = load_embedded_raw(DEFAULT_TEMPLATE).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(DEFAULT_TEMPLATE);
        let origin = Origin {
            source: dir.display().to_string(),
            commit: None,
            dir: Some(dir.clone()),
        };
        let folder = load_dir_raw(&dir, origin).unwrap();
        assert_eq!(embedded.manifest_text, folder.manifest_text);
        assert_eq!(embedded.changelog, folder.changelog);
        let paths =
            |set: &RawTemplateSet| set.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&embedded), paths(&folder));
        assert!(
            embedded
                .files
                .iter()
                .any(|f| f.path == "lang/python/tests/test_web.py")
        );
        for (a, b) in embedded.files.iter().zip(&folder.files) {
            assert_eq!(a.bytes, b.bytes, "{}", a.path);
        }
    }

    /// `RawTemplateSet::parse` trusts the embedded manifests: this is the
    /// check it skips.
    #[test]
    fn embedded_manifests_pass_every_check() {
        let names = embedded_names();
        assert!(names.contains(&DEFAULT_TEMPLATE.to_string()));
        for name in names {
            let raw = load_embedded_raw(&name).unwrap();
            assert!(raw.is_embedded(), "{name}");
            let (_, problems) =
                Manifest::parse_lenient(&raw.manifest_text, &raw.manifest_file).unwrap();
            let problems: Vec<String> = problems.iter().map(|p| p.error().to_string()).collect();
            assert!(problems.is_empty(), "{name}: {problems:?}");
        }
    }

    #[test]
    fn embedded_manifests_read_from_json_as_from_yaml() {
        for name in embedded_names() {
            let raw = load_embedded_raw(&name).unwrap();
            let json = embedded_manifest_json(&name).expect("converted at build time");
            let from_json: Manifest = serde_json::from_str(json).unwrap();
            let from_yaml =
                Manifest::parse_unchecked(&raw.manifest_text, &raw.manifest_file).unwrap();
            assert_eq!(format!("{from_json:?}"), format!("{from_yaml:?}"), "{name}");
        }
    }

    #[test]
    fn an_embedded_manifest_without_a_json_form_is_read_from_its_yaml() {
        let raw = load_embedded_raw(DEFAULT_TEMPLATE).unwrap();
        let (yaml, file) = (&raw.manifest_text, &raw.manifest_file);
        let from_json = embedded_manifest(embedded_manifest_json(DEFAULT_TEMPLATE), yaml, file);
        let expected = format!("{:?}", from_json.unwrap());
        // No JSON (build.rs could not convert it), or JSON that does not read.
        for json in [None, Some("{\"name\": 1")] {
            let manifest = embedded_manifest(json, yaml, file).unwrap();
            assert_eq!(format!("{manifest:?}"), expected);
        }
        // A YAML error then names the file and line.
        let broken = yaml.replacen("version:", "version: [", 1);
        let err = embedded_manifest(None, &broken, file)
            .unwrap_err()
            .to_string();
        let line = 1 + yaml
            .lines()
            .position(|l| l.starts_with("version:"))
            .unwrap();
        assert!(
            err.contains(&format!("service/template.yaml:{line}: version")),
            "{err}"
        );
    }

    #[test]
    fn an_edited_copy_of_an_embedded_manifest_is_checked() {
        let mut raw = load_embedded_raw(DEFAULT_TEMPLATE).unwrap();
        raw.manifest_text = raw
            .manifest_text
            .replacen("when: ", "when: no_such_question and ", 1);
        assert!(!raw.is_embedded());
        let err = raw.parse().unwrap_err().to_string();
        assert!(err.contains("no_such_question"), "{err}");
    }
}
