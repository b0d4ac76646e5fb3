//! `RepoView`: a repository in memory (its tracked and would-be-tracked files,
//! path → bytes), with `.newsvc.yml` and the attestations parsed once and
//! Terraform files parsed lazily, at most once each. Checks read only this,
//! so they are pure and can be tested on trees built in code.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::attest::{ATTESTATIONS_FILE, Attestations};
use crate::record::{RECORD_FILE, Record};
use crate::tree::FileTree;

/// A repository's files in memory.
#[derive(Debug)]
pub struct RepoView {
    name: String,
    files: BTreeMap<String, Vec<u8>>,
    record: Result<Record, String>,
    attestations: Result<Attestations, String>,
    hcl: BTreeMap<String, OnceLock<Result<hcl::Body, String>>>,
}

impl RepoView {
    /// A view of `files` (repository-relative `/`-separated paths); `name`
    /// is shown in reports when `.newsvc.yml` has no `service_name`.
    pub fn new(
        name: impl Into<String>,
        files: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> RepoView {
        let files: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
        let record = match files.get(RECORD_FILE) {
            None => Err(format!(
                "no {RECORD_FILE}: the repository was not generated or adopted by newsvc"
            )),
            Some(bytes) => Record::parse(&String::from_utf8_lossy(bytes), RECORD_FILE)
                .map_err(|e| e.to_string()),
        };
        let attestations = match files.get(ATTESTATIONS_FILE) {
            None => Ok(Attestations::default()),
            Some(bytes) => Attestations::parse(&String::from_utf8_lossy(bytes), ATTESTATIONS_FILE)
                .map_err(|e| e.to_string()),
        };
        let hcl = files
            .keys()
            .filter(|p| is_hcl(p))
            .map(|p| (p.clone(), OnceLock::new()))
            .collect();
        RepoView {
            name: name.into(),
            files,
            record,
            attestations,
            hcl,
        }
    }

    /// A view of a rendered tree.
    pub fn from_tree(name: impl Into<String>, tree: &FileTree) -> RepoView {
        RepoView::new(name, tree.iter().map(|(p, e)| (p.clone(), e.bytes.clone())))
    }

    /// The service name: `service_name` from `.newsvc.yml`, else the folder name.
    pub fn name(&self) -> &str {
        match &self.record {
            Ok(record) => match record.answers.get("service_name") {
                Some(crate::answers::Value::Str(s)) if !s.is_empty() => s,
                _ => &self.name,
            },
            Err(_) => &self.name,
        }
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Every file, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The file as text (invalid UTF-8 replaced).
    pub fn text(&self, path: &str) -> Option<std::borrow::Cow<'_, str>> {
        self.files.get(path).map(|b| String::from_utf8_lossy(b))
    }

    /// Whether any file lies under `dir/`.
    pub fn has_dir(&self, dir: &str) -> bool {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&prefix))
    }

    /// The files directly or deeply under `dir/` (every file when `dir` is empty).
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        self.files
            .range(prefix.clone()..)
            .map(|(p, _)| p.as_str())
            .take_while(move |p| p.starts_with(&prefix))
    }

    /// `.newsvc.yml`, or why it is missing or unreadable.
    pub fn record(&self) -> Result<&Record, &str> {
        self.record.as_ref().map_err(String::as_str)
    }

    /// The recorded attestations, or why the file does not parse.
    pub fn attestations(&self) -> Result<&Attestations, &str> {
        self.attestations.as_ref().map_err(String::as_str)
    }

    /// An answer from `.newsvc.yml` as text (lists joined by commas).
    pub fn answer(&self, name: &str) -> Option<Vec<String>> {
        let record = self.record.as_ref().ok()?;
        Some(match record.answers.get(name)? {
            crate::answers::Value::List(items) => items.clone(),
            other => vec![other.display()],
        })
    }

    /// The parsed HCL body of a `.tf` / `.tfvars` file (parsed on first use).
    pub fn hcl(&self, path: &str) -> Option<&Result<hcl::Body, String>> {
        let cell = self.hcl.get(path)?;
        Some(cell.get_or_init(|| {
            let text = self.text(path).unwrap_or_default();
            hcl::parse(&text).map_err(|e| e.to_string().replace('\n', " "))
        }))
    }
}

#[allow(clippy::case_sensitive_file_extension_comparisons)] // terraform reads lower-case names only
fn is_hcl(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tfvars")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_under_a_folder() {
        let view = RepoView::new(
            "x",
            [
                ("a/b.txt", ""),
                ("a/c/d.txt", ""),
                ("ab.txt", ""),
                ("b.tf", "x = 1\n"),
            ]
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())),
        );
        assert_eq!(
            view.under("a").collect::<Vec<_>>(),
            ["a/b.txt", "a/c/d.txt"]
        );
        assert!(view.has_dir("a/c"));
        assert!(!view.has_dir("a/b"));
        assert_eq!(view.under("").count(), 4);
        assert!(view.hcl("b.tf").unwrap().is_ok());
        assert!(view.hcl("ab.txt").is_none());
        assert!(view.record().unwrap_err().contains(".newsvc.yml"));
        assert_eq!(view.name(), "x");
    }
}
