//! A small Dockerfile reader for grading: instructions with their line,
//! stages with their base image, and the questions the rubric asks (who the
//! final stage runs as, whether bases are pinned, whether there is a
//! HEALTHCHECK). Pure; it understands continuations, comments, parser
//! directives, heredocs and `ARG` defaults used in `FROM`.

use std::collections::BTreeMap;

/// One instruction: its keyword (upper case), arguments and first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: String,
    pub args: String,
    pub line: usize,
}

/// Splits a Dockerfile into instructions.
pub fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut full = String::new();
        let mut current = trimmed.to_string();
        loop {
            if let Some(stripped) = current.strip_suffix('\\') {
                full.push_str(stripped);
                full.push(' ');
                // Comment lines inside a continuation are dropped, as Docker does.
                let mut next = None;
                for (_, l) in lines.by_ref() {
                    let t = l.trim();
                    if t.starts_with('#') {
                        continue;
                    }
                    next = Some(t.to_string());
                    break;
                }
                match next {
                    Some(n) => current = n,
                    None => break,
                }
            } else {
                full.push_str(&current);
                break;
            }
        }
        let (keyword, args) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
        let args = args.trim().to_string();
        // Heredocs (`RUN <<EOF ... EOF`): skip the body.
        if let Some(word) = heredoc_word(&args) {
            for (_, l) in lines.by_ref() {
                if l.trim() == word {
                    break;
                }
            }
        }
        out.push(Instruction {
            keyword: keyword.to_ascii_uppercase(),
            args,
            line: index + 1,
        });
    }
    out
}

fn heredoc_word(args: &str) -> Option<String> {
    let at = args.find("<<")?;
    let rest = args[at + 2..].trim_start_matches('-');
    let word: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// A build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `FROM` image after `ARG` substitution.
    pub image: String,
    pub name: Option<String>,
    pub line: usize,
    /// Index of the earlier stage it builds on, when `image` names one.
    pub parent: Option<usize>,
    /// The last `USER` of the stage, with its line.
    pub user: Option<(String, usize)>,
    /// The last `HEALTHCHECK` of the stage (its arguments), with its line.
    pub healthcheck: Option<(String, usize)>,
}

/// The stages of a Dockerfile.
pub fn stages(instructions: &[Instruction]) -> Vec<Stage> {
    let mut global_args: BTreeMap<String, String> = BTreeMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    for ins in instructions {
        match ins.keyword.as_str() {
            "ARG" if stages.is_empty() => {
                for arg in ins.args.split_whitespace() {
                    if let Some((k, v)) = arg.split_once('=') {
                        global_args.insert(k.to_string(), v.trim_matches('"').to_string());
                    }
                }
            }
            "FROM" => {
                let words: Vec<&str> = ins
                    .args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let image = substitute(words.first().copied().unwrap_or(""), &global_args);
                let name = match words.as_slice() {
                    [_, as_kw, name, ..] if as_kw.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                let parent = stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(image.to_ascii_lowercase().as_str()));
                stages.push(Stage {
                    image,
                    name,
                    line: ins.line,
                    parent,
                    user: None,
                    healthcheck: None,
                });
            }
            "USER" => {
                if let Some(stage) = stages.last_mut() {
                    stage.user = Some((ins.args.clone(), ins.line));
                }
            }
            "HEALTHCHECK" => {
                if let Some(stage) = stages.last_mut() {
                    stage.healthcheck = Some((ins.args.clone(), ins.line));
                }
            }
            _ => {}
        }
    }
    stages
}

/// Replaces `$VAR`, `${VAR}` and `${VAR:-default}` with global `ARG` defaults.
fn substitute(image: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = image;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, default, consumed) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(close) => {
                    let body = &inner[..close];
                    let (name, default) = body
                        .split_once(":-")
                        .map_or((body, None), |(n, d)| (n, Some(d)));
                    (name, default, close + 2)
                }
                None => (after, None, after.len()),
            }
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..len], None, len)
        };
        if let Some(value) = args.get(name).map(String::as_str).or(default) {
            out.push_str(value);
        } else {
            out.push('$');
            out.push_str(&after[..consumed]);
        }
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

/// Why an external base image is not pinned, if it is not.
pub fn unpinned_reason(image: &str, require_digest: bool) -> Option<String> {
    if image.eq_ignore_ascii_case("scratch") {
        return None;
    }
    if image.contains('$') {
        return Some(format!(
            "`{image}` uses a build argument without a default, so the base is chosen at build time"
        ));
    }
    if image.contains("@sha256:") {
        return None;
    }
    if require_digest {
        return Some(format!(
            "`{image}` is not pinned by digest (`image:tag@sha256:...`)"
        ));
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Some(format!("`{image}` has no tag, so it floats to `latest`")),
        Some((_, "latest")) => Some(format!("`{image}` uses the moving `latest` tag")),
        Some((_, tag)) if !tag.chars().any(|c| c.is_ascii_digit()) => Some(format!(
            "`{image}` uses the moving tag `{tag}`; use a version tag, or add the digest (`@sha256:...`)"
        )),
        Some(_) => None,
    }
}

/// Whether a `USER` value means root.
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stages_users_and_healthchecks() {
        let text = "# syntax=docker/dockerfile:1\nARG PY=3.12.8\nFROM python:${PY}-slim AS build\nRUN pip install \\\n  # a comment\n  x\nRUN <<EOF\nFROM nope\nEOF\nFROM build AS runtime\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\n";
        let ins = instructions(text);
        assert_eq!(
            ins.iter().map(|i| i.keyword.as_str()).collect::<Vec<_>>(),
            ["ARG", "FROM", "RUN", "RUN", "FROM", "USER", "HEALTHCHECK"]
        );
        assert_eq!(ins[2].args, "pip install  x");
        let stages = stages(&ins);
        assert_eq!(stages.len(), 2);
        assert_eq!(stages[0].image, "python:3.12.8-slim");
        assert_eq!(stages[1].parent, Some(0));
        assert_eq!(stages[1].user, Some(("10001".into(), 11)));
        assert_eq!(stages[1].healthcheck.as_ref().unwrap().1, 12);
    }

    #[test]
    fn pinning() {
        assert!(unpinned_reason("python:3.12.8-slim", false).is_none());
        assert!(
            unpinned_reason("gcr.io/distroless/cc-debian12:nonroot@sha256:abc", true).is_none()
        );
        assert!(unpinned_reason("python", false).unwrap().contains("no tag"));
        assert!(
            unpinned_reason("python:latest", false)
                .unwrap()
                .contains("latest")
        );
        assert!(
            unpinned_reason("python:slim", false)
                .unwrap()
                .contains("moving tag")
        );
        assert!(
            unpinned_reason("registry:5000/app", false)
                .unwrap()
                .contains("no tag")
        );
        assert!(
            unpinned_reason("python:3.12", true)
                .unwrap()
                .contains("digest")
        );
        assert!(
            unpinned_reason("python:${V}", false)
                .unwrap()
                .contains("build argument")
        );
        assert!(unpinned_reason("scratch", true).is_none());
    }

    #[test]
    fn root_users() {
        for root in ["root", "0", "0:0", "root:staff"] {
            assert!(is_root_user(root), "{root}");
        }
        for user in ["10001", "app", "nonroot:nonroot", "$UID"] {
            assert!(!is_root_user(user), "{user}");
        }
    }
}
