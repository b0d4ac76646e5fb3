//! `FileTree`: a rendered repository in memory (path → bytes and mode),
//! ordered by path so everything built from it is deterministic.

use std::collections::BTreeMap;

/// One rendered file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub bytes: Vec<u8>,
    pub executable: bool,
    /// Written once: never overwritten by `new --force` or by upgrades.
    pub skip_if_exists: bool,
    /// The template file it came from (files/-relative), for messages.
    pub origin: String,
}

impl FileEntry {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
            executable: false,
            skip_if_exists: false,
            origin: String::new(),
        }
    }
}

/// A rendered tree: repository-relative `/`-separated paths to files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    files: BTreeMap<String, FileEntry>,
}

impl FileTree {
    pub fn insert(&mut self, path: impl Into<String>, entry: FileEntry) -> Option<FileEntry> {
        self.files.insert(path.into(), entry)
    }
    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.files.get(path)
    }
    pub fn remove(&mut self, path: &str) -> Option<FileEntry> {
        self.files.remove(path)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &FileEntry)> {
        self.files.iter()
    }
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.files.keys()
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    /// Whether both trees hold the same paths with the same bytes and modes
    /// (where the files came from does not matter).
    pub fn same_content(&self, other: &FileTree) -> bool {
        self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(other.files.iter())
                .all(|((pa, a), (pb, b))| {
                    pa == pb && a.bytes == b.bytes && a.executable == b.executable
                })
    }

    /// Total size of all files in bytes.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(|f| f.bytes.len()).sum()
    }
}

/// Why a rendered path is unsafe to write, if it is.
pub fn unsafe_path_reason(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    if path.starts_with('/') || path.starts_with('\\') || path.get(1..2) == Some(":") {
        return Some("is absolute");
    }
    if path.contains('\\') {
        return Some("contains a backslash");
    }
    if path.contains('\0') {
        return Some("contains a NUL byte");
    }
    for component in path.split('/') {
        match component {
            "" => return Some("has an empty path component"),
            "." => return Some("contains a `.` component"),
            ".." => return Some("climbs out with `..`"),
            ".git" => return Some("writes inside `.git`"),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths() {
        assert_eq!(unsafe_path_reason("a/b.txt"), None);
        assert_eq!(unsafe_path_reason(".github/x.yml"), None);
        assert!(unsafe_path_reason("../x").is_some());
        assert!(unsafe_path_reason("a/../../x").is_some());
        assert!(unsafe_path_reason("/etc/passwd").is_some());
        assert!(unsafe_path_reason("a//b").is_some());
        assert!(unsafe_path_reason(".git/hooks/pre-commit").is_some());
    }
}
