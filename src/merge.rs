//! The merge layer: the per-file plan of an upgrade from three renders
//! (base = previous pristine, theirs = new pristine, ours = the team's tree)
//! and the line-level three-way merge behind it, which is git's own
//! (libgit2's xdiff via `git2::merge_file`), so the plan agrees with the merge.

use crate::error::Result;
use crate::tree::FileTree;

/// The file the plan never merges: newsvc writes it.
pub const RECORD_PATH: &str = crate::record::RECORD_FILE;

/// What an upgrade does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The template changed it and the team did not: takes the template's version.
    Updated,
    /// The template changed it and so did the team, on other lines: merged cleanly.
    Merged,
    /// New in the template.
    Added,
    /// The template removed it and the team had not changed it.
    Removed,
    /// Both sides changed it in ways git cannot combine; the reason says how.
    Conflict(String),
    /// The template did not change it (whatever the team did).
    UnchangedByTemplate,
    /// The template changed it, but the team's version is kept (the team
    /// already has the template's change, or the file is written only once).
    KeptLocal,
}

impl Action {
    /// The plan's label for the action.
    pub fn label(&self) -> &'static str {
        match self {
            Action::Updated => "updated",
            Action::Merged => "merged",
            Action::Added => "added",
            Action::Removed => "removed",
            Action::Conflict(_) => "conflict",
            Action::UnchangedByTemplate => "unchanged-by-template",
            Action::KeptLocal => "kept-local",
        }
    }
}

/// The result of a three-way text merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMerge {
    pub content: Vec<u8>,
    pub conflicted: bool,
}

/// A line every input ends with, so the merged text is never empty: git2's
/// `MergeFileResult::content` builds a slice from a null pointer on an empty
/// result (undefined behaviour). Stripped from the result.
const SENTINEL: &[u8] = b"\n~~ newsvc merge end 7f3a9c ~~\n";

/// Merges three versions of a file like `git merge-file` (merge-style markers).
pub fn merge_text(base: &[u8], ours: &[u8], theirs: &[u8], path: &str) -> Result<TextMerge> {
    // `git2::merge_file` does not initialise libgit2 itself (other entry
    // points do); without it the merge fails with "no error".
    static LIBGIT2: std::sync::Once = std::sync::Once::new();
    // The trivial cases, as git decides them at the tree level.
    if ours == theirs || theirs == base {
        return Ok(TextMerge {
            content: ours.to_vec(),
            conflicted: false,
        });
    }
    if ours == base {
        return Ok(TextMerge {
            content: theirs.to_vec(),
            conflicted: false,
        });
    }
    LIBGIT2.call_once(|| drop(git2::Config::new()));
    let with_end = |b: &[u8]| [b, SENTINEL].concat();
    let (base, ours, theirs) = (with_end(base), with_end(ours), with_end(theirs));
    let mut b = git2::MergeFileInput::new();
    b.content(&base).path(path);
    let mut o = git2::MergeFileInput::new();
    o.content(&ours).path(path);
    let mut t = git2::MergeFileInput::new();
    t.content(&theirs).path(path);
    let mut opts = git2::MergeFileOptions::new();
    opts.our_label("ours")
        .their_label("template")
        .ancestor_label("base");
    let Ok(result) = git2::merge_file(&b, &o, &t, Some(&mut opts)) else {
        // libgit2 gives up on some inputs; then the whole file is one
        // conflict region, so nothing of either side is lost.
        let mut content = b"<<<<<<< ours\n".to_vec();
        for part in [
            &ours[..ours.len() - SENTINEL.len()],
            b"=======\n",
            &theirs[..theirs.len() - SENTINEL.len()],
            b">>>>>>> template\n",
        ] {
            content.extend_from_slice(part);
            if !content.ends_with(b"\n") {
                content.push(b'\n');
            }
        }
        return Ok(TextMerge {
            content,
            conflicted: true,
        });
    };
    let mut content = result.content().to_vec();
    if content.ends_with(SENTINEL) {
        content.truncate(content.len() - SENTINEL.len());
    }
    Ok(TextMerge {
        content,
        conflicted: !result.is_automergeable(),
    })
}

/// Plans an upgrade file by file. `keep_ours(path)` marks files the template
/// writes only once (`skip_if_exists`).
#[allow(clippy::many_single_char_names)]
pub fn plan(
    base: &FileTree,
    theirs: &FileTree,
    ours: &FileTree,
    keep_ours: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Action)>> {
    let mut paths: Vec<&String> = base
        .paths()
        .chain(theirs.paths())
        .chain(ours.paths())
        .collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        // b, t, o: base, theirs (the new template render), ours (the team's).
        let (b, t, o) = (base.get(path), theirs.get(path), ours.get(path));
        let same =
            |x: Option<&crate::tree::FileEntry>, y: Option<&crate::tree::FileEntry>| match (x, y) {
                (Some(x), Some(y)) => x.bytes == y.bytes && x.executable == y.executable,
                (None, None) => true,
                _ => false,
            };
        if b.is_none() && t.is_none() {
            continue; // the team's own file: not the template's business
        }
        let action = if same(b, t) {
            Action::UnchangedByTemplate
        } else if path == RECORD_PATH {
            Action::Updated
        } else if o.is_some() && keep_ours(path) {
            Action::KeptLocal
        } else if same(o, b) {
            match (b, t) {
                (None, Some(_)) => Action::Added,
                (Some(_), None) => Action::Removed,
                _ => Action::Updated,
            }
        } else if same(o, t) {
            Action::KeptLocal
        } else {
            match (b, t, o) {
                (None, Some(_), Some(_)) => {
                    Action::Conflict("added by the template and, differently, by the team".into())
                }
                (Some(_), None, Some(_)) => {
                    Action::Conflict("removed by the template, changed by the team".into())
                }
                (Some(_), Some(_), None) => {
                    Action::Conflict("changed by the template, deleted by the team".into())
                }
                (Some(b), Some(t), Some(o)) => {
                    if merge_text(&b.bytes, &o.bytes, &t.bytes, path)?.conflicted {
                        Action::Conflict("both changed the same lines".into())
                    } else {
                        Action::Merged
                    }
                }
                _ => Action::UnchangedByTemplate,
            }
        };
        out.push((path.clone(), action));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::FileEntry;
    use proptest::prelude::*;

    fn tree(files: &[(&str, &str)]) -> FileTree {
        let mut t = FileTree::default();
        for (p, c) in files {
            t.insert(*p, FileEntry::new(c.as_bytes()));
        }
        t
    }

    #[test]
    fn plans_every_kind_of_change() {
        let base = tree(&[
            ("same", "1\n"),
            ("upd", "a\n"),
            ("gone", "x\n"),
            ("both", "1\n2\n3\n4\n5\n"),
            ("clash", "a\n"),
            ("del", "d\n"),
            ("rmchanged", "r\n"),
        ]);
        let theirs = tree(&[
            ("same", "1\n"),
            ("upd", "b\n"),
            ("new", "n\n"),
            ("both", "1\nT\n3\n4\n5\n"),
            ("clash", "t\n"),
            ("del", "d2\n"),
        ]);
        let ours = tree(&[
            ("same", "1\n"),
            ("upd", "a\n"),
            ("gone", "x\n"),
            ("both", "1\n2\n3\n4\nO\n"),
            ("clash", "o\n"),
            ("rmchanged", "r2\n"),
            ("mine", "m\n"),
        ]);
        let p: std::collections::BTreeMap<String, Action> = plan(&base, &theirs, &ours, &|_| false)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(p["same"], Action::UnchangedByTemplate);
        assert_eq!(p["upd"], Action::Updated);
        assert_eq!(p["new"], Action::Added);
        assert_eq!(p["gone"], Action::Removed);
        assert_eq!(p["both"], Action::Merged);
        assert!(matches!(p["clash"], Action::Conflict(_)));
        assert!(matches!(p["del"], Action::Conflict(_)));
        assert!(matches!(p["rmchanged"], Action::Conflict(_)));
        assert!(!p.contains_key("mine"));
    }

    #[test]
    fn merge_text_combines_non_overlapping_edits() {
        let m = merge_text(
            b"1\n2\n3\n4\n5\n",
            b"O\n2\n3\n4\n5\n",
            b"1\n2\n3\n4\nT\n",
            "f",
        )
        .unwrap();
        assert!(!m.conflicted);
        assert_eq!(m.content, b"O\n2\n3\n4\nT\n");
        let m = merge_text(b"1\n", b"O\n", b"T\n", "f").unwrap();
        assert!(m.conflicted);
        let text = String::from_utf8(m.content).unwrap();
        assert!(
            text.contains("<<<<<<< ours") && text.contains("O\n") && text.contains("T\n"),
            "{text}"
        );
    }

    /// A random edit script over a base: each line kept, dropped, replaced, or
    /// followed by an inserted line.
    fn edits(base: &[String], ops: &[(u8, u32)], tag: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, line) in base.iter().enumerate() {
            let (op, n) = ops.get(i).copied().unwrap_or((0, 0));
            match op % 6 {
                0..=2 => out.push(line.clone()),
                3 => {}
                4 => out.push(format!("{tag}-replaced-{i}-{n}")),
                _ => {
                    out.push(line.clone());
                    out.push(format!("{tag}-inserted-{i}-{n}"));
                }
            }
        }
        out
    }

    fn join(lines: &[String]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| [l.as_str(), "\n"])
            .collect::<String>()
            .into_bytes()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Every line the team added or kept is in the result, in a clean
        /// region or inside a conflict region; never silently lost.
        #[test]
        fn team_lines_are_never_lost(
            n in 1usize..30,
            ours_ops in proptest::collection::vec((0u8..6, 0u32..1000), 30),
            theirs_ops in proptest::collection::vec((0u8..6, 0u32..1000), 30),
        ) {
            let base: Vec<String> = (0..n).map(|i| format!("base-{i}")).collect();
            let ours = edits(&base, &ours_ops, "ours");
            let theirs = edits(&base, &theirs_ops, "theirs");
            let merged = merge_text(&join(&base), &join(&ours), &join(&theirs), "f").unwrap();
            let text = String::from_utf8(merged.content).unwrap();
            let result: Vec<&str> = text.lines().collect();
            for line in ours.iter().filter(|l| l.starts_with("ours-")) {
                prop_assert!(result.contains(&line.as_str()), "team line {line} lost:\n{text}");
            }
            // A base line the team kept and the template kept too survives.
            for line in base.iter().filter(|l| ours.contains(l) && theirs.contains(l)) {
                prop_assert!(result.contains(&line.as_str()), "line {line} kept by both was lost:\n{text}");
            }
        }

        /// Identical edits on both sides merge cleanly to that edit.
        #[test]
        fn identical_edits_merge_cleanly(
            n in 1usize..30,
            ops in proptest::collection::vec((0u8..6, 0u32..1000), 30),
        ) {
            let base: Vec<String> = (0..n).map(|i| format!("base-{i}")).collect();
            let both = edits(&base, &ops, "same");
            let merged = merge_text(&join(&base), &join(&both), &join(&both), "f").unwrap();
            prop_assert!(!merged.conflicted);
            prop_assert_eq!(merged.content, join(&both));
        }
    }
}
