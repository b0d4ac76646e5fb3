//! Secret detection for the `no_secrets` check: a fixed set of rules (AWS
//! keys, private key blocks, common service tokens, high-entropy values
//! assigned to secret-looking names), the allow-list file format, and a scan
//! of one text that reports the line of each finding with the value redacted.
//!
//! Pure, and cheap on the common case of no secret at all: token formats are
//! found by one literal prefilter pass (their fixed prefixes), assignment
//! shapes by a byte test per line (a 40-character key run, a long quoted
//! value next to a secret-looking name); a rule's regex runs only on the
//! lines that passed, and is compiled the first time one does.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use regex::bytes::{Regex, RegexBuilder};

use super::rubric::PathGlob;

/// A line carrying this marker is never reported (for documented fakes).
pub const INLINE_ALLOW: &str = "newsvc:allow-secret";

fn always(_: &str) -> bool {
    true
}

/// Base64 secret keys mix cases; hex digests (commit ids, checksums) do not.
fn mixed_case(value: &str) -> bool {
    value.chars().any(|c| c.is_ascii_uppercase()) && value.chars().any(|c| c.is_ascii_lowercase())
}

/// Looks random enough to be a credential, and is not a placeholder.
fn random_looking(value: &str) -> bool {
    if [
        "${", "{{", "$(", "<", "xxxx", "XXXX", "****", "changeme", "example", "EXAMPLE",
    ]
    .iter()
    .any(|p| value.contains(p))
    {
        return false;
    }
    // Hex strings are digests and ids (commits, checksums), not credentials.
    if value.chars().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    shannon_entropy(value) >= 3.5
}

/// Bits of entropy per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / len;
            -p * p.log2()
        })
        .sum()
}

/// What makes a rule look at a line.
enum Trigger {
    /// The line holds one of these literals (case-sensitive: token formats
    /// fix their case), found by one prefilter pass over the whole text.
    Needles(&'static [&'static str]),
    /// The line holds one of these lower-case words (any case) and passes
    /// the test (assignment-shaped rules).
    Words(&'static [&'static str], fn(&[u8]) -> bool),
}

/// One detection rule.
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    trigger: Trigger,
    pattern: &'static str,
    /// The capture group holding the secret (0: the whole match).
    group: usize,
    /// Extra filter on the captured value.
    accept: fn(&str) -> bool,
}

/// The characters of a base64 key (without `=`).
const fn key_chars() -> [bool; 256] {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        #[allow(clippy::cast_possible_truncation)]
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
        c += 1;
    }
    table
}
static KEY_CHARS: [bool; 256] = key_chars();

/// A run of exactly 40 base64 characters not followed by `=`: the shape of
/// an AWS secret key.
fn has_key_run(line: &[u8]) -> bool {
    let mut run = 0;
    for &b in line {
        if KEY_CHARS[usize::from(b)] {
            run += 1;
        } else {
            if run == 40 && b != b'=' {
                return true;
            }
            run = 0;
        }
    }
    run == 40
}

/// A quoted value of 16 or more characters without spaces.
fn has_long_quoted(line: &[u8]) -> bool {
    let mut rest = line;
    while let Some(open) = rest.iter().position(|b| *b == b'"' || *b == b'\'') {
        let quote = rest[open];
        let after = &rest[open + 1..];
        let Some(close) = after.iter().position(|b| *b == quote) else {
            return false;
        };
        let value = &after[..close];
        if value.len() >= 16 && !value.iter().any(u8::is_ascii_whitespace) {
            return true;
        }
        rest = &after[close + 1..];
    }
    false
}

/// The names `generic-secret` looks for, lower-case.
const SECRET_NAMES: &[&str] = &[
    "passw",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "accesskey",
    "access_key",
    "access-key",
    "privatekey",
    "private_key",
    "private-key",
];

const RULES: &[Rule] = &[
    Rule {
        id: "aws-access-key-id",
        description: "AWS access key id",
        trigger: Trigger::Needles(&["AKIA", "ASIA", "ABIA", "ACCA"]),
        pattern: r"(?-u:\b)((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?-u:\b)",
        group: 1,
        accept: always,
    },
    Rule {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        trigger: Trigger::Words(&["aws", "secret"], has_key_run),
        pattern: r#"(?i)(?:aws|secret)[a-z0-9_.-]{0,20}["']?[ \t]{0,3}(?:=|:|:=|=>)[ \t]{0,3}["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        group: 1,
        accept: mixed_case,
    },
    Rule {
        id: "private-key",
        description: "private key block",
        trigger: Trigger::Needles(&["PRIVATE KEY"]),
        pattern: r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
        group: 0,
        accept: always,
    },
    Rule {
        id: "github-token",
        description: "GitHub token",
        trigger: Trigger::Needles(&["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]),
        pattern: r"(?-u:\b)((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82})(?-u:\b)",
        group: 1,
        accept: always,
    },
    Rule {
        id: "gitlab-token",
        description: "GitLab token",
        trigger: Trigger::Needles(&["glpat-"]),
        pattern: r"(?-u:\b)(glpat-[A-Za-z0-9_-]{20})(?-u:\b)",
        group: 1,
        accept: always,
    },
    Rule {
        id: "slack-token",
        description: "Slack token",
        trigger: Trigger::Needles(&["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]),
        pattern: r"(?-u:\b)(xox[baprs]-[A-Za-z0-9-]{10,})",
        group: 1,
        accept: always,
    },
    Rule {
        id: "slack-webhook",
        description: "Slack webhook URL",
        trigger: Trigger::Needles(&["hooks.slack.com/services/"]),
        pattern: r"(https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})",
        group: 1,
        accept: always,
    },
    Rule {
        id: "google-api-key",
        description: "Google API key",
        trigger: Trigger::Needles(&["AIza"]),
        pattern: r"(?-u:\b)(AIza[0-9A-Za-z_-]{35})(?-u:\b)",
        group: 1,
        accept: always,
    },
    Rule {
        id: "stripe-secret-key",
        description: "Stripe secret key",
        trigger: Trigger::Needles(&["sk_live_", "rk_live_"]),
        pattern: r"(?-u:\b)((?:sk|rk)_live_[0-9A-Za-z]{20,})(?-u:\b)",
        group: 1,
        accept: always,
    },
    Rule {
        id: "npm-token",
        description: "npm token",
        trigger: Trigger::Needles(&["npm_"]),
        pattern: r"(?-u:\b)(npm_[A-Za-z0-9]{36})(?-u:\b)",
        group: 1,
        accept: always,
    },
    Rule {
        id: "pypi-token",
        description: "PyPI token",
        trigger: Trigger::Needles(&["pypi-AgEIcHlwaS5vcmc"]),
        pattern: r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
        group: 1,
        accept: always,
    },
    Rule {
        id: "generic-secret",
        description: "high-entropy value assigned to a secret-looking name",
        trigger: Trigger::Words(SECRET_NAMES, has_long_quoted),
        pattern: r#"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|private[_-]?key)[a-z0-9_.-]{0,20}["']?[ \t]*(?:=|:|:=|=>)[ \t]*["']([^"'\s]{16,})["']"#,
        group: 1,
        accept: random_looking,
    },
];

/// The compiled regexes, filled in as texts need them.
fn compiled(index: usize) -> &'static Regex {
    static CELLS: OnceLock<Vec<OnceLock<Regex>>> = OnceLock::new();
    let cells = CELLS.get_or_init(|| RULES.iter().map(|_| OnceLock::new()).collect());
    cells[index].get_or_init(|| {
        RegexBuilder::new(RULES[index].pattern)
            .unicode(false)
            .build()
            .expect("valid built-in pattern")
    })
}

/// Every literal that triggers a rule (its needles, and the lower-case
/// words of the assignment rules) with a prepared substring searcher.
fn finders() -> &'static [(Finder<'static>, usize)] {
    static FINDERS: OnceLock<Vec<(Finder<'static>, usize)>> = OnceLock::new();
    FINDERS.get_or_init(|| {
        RULES
            .iter()
            .enumerate()
            .flat_map(|(index, rule)| {
                let literals = match rule.trigger {
                    Trigger::Needles(needles) => needles,
                    Trigger::Words(words, _) => words,
                };
                literals
                    .iter()
                    .map(move |l| (Finder::new(l.as_bytes()), index))
            })
            .collect()
    })
}

/// The ids of every rule, for the allow-list file and docs.
pub fn rule_ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.id).collect()
}

/// One suspected secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
    pub description: &'static str,
    pub line: usize,
    /// The value with all but its first four characters hidden.
    pub redacted: String,
}

/// Scans one file's bytes; hits are in line order.
pub fn scan(bytes: &[u8]) -> Vec<Hit> {
    // (line start, rule) pairs worth running a rule's regex on: lines with
    // one of its needles, or one of its words (any case) and its line test.
    let mut wanted: Vec<(usize, usize)> = Vec::new();
    let mut lower: Option<Vec<u8>> = None;
    let mut starts: Vec<usize> = Vec::new();
    for (finder, index) in finders() {
        let rule = &RULES[*index];
        let haystack: &[u8] = match rule.trigger {
            Trigger::Needles(_) => bytes,
            Trigger::Words(..) => lower.get_or_insert_with(|| bytes.to_ascii_lowercase()),
        };
        starts.clear();
        starts.extend(
            finder
                .find_iter(haystack)
                .map(|at| memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1)),
        );
        starts.dedup();
        for &start in &starts {
            let keep = match rule.trigger {
                Trigger::Needles(_) => true,
                Trigger::Words(_, test) => {
                    let end =
                        memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
                    test(&bytes[start..end])
                }
            };
            if keep {
                wanted.push((start, *index));
            }
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut hits = Vec::new();
    // Line numbers counted incrementally: `wanted` is sorted by offset.
    let (mut counted_to, mut line) = (0, 1);
    for (start, index) in wanted {
        line += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        let rule = &RULES[index];
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let line_bytes = &bytes[start..end];
        if memmem(line_bytes, INLINE_ALLOW.as_bytes()) {
            continue;
        }
        for caps in compiled(index).captures_iter(line_bytes) {
            let Some(value) = caps.get(rule.group) else {
                continue;
            };
            let value_text = String::from_utf8_lossy(value.as_bytes());
            if !(rule.accept)(&value_text) {
                continue;
            }
            hits.push(Hit {
                rule: rule.id,
                description: rule.description,
                line,
                redacted: redact(&value_text),
            });
        }
    }
    hits.sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    hits.dedup_by(|a, b| a.line == b.line && a.redacted == b.redacted);
    hits
}

fn memmem(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn redact(value: &str) -> String {
    let shown: String = value.chars().take(4).collect();
    format!("{shown}…")
}

/// One entry of the allow-list file: a path glob and, optionally, a rule.
#[derive(Debug, Clone)]
pub struct AllowEntry {
    pub glob: PathGlob,
    pub rule: Option<String>,
}

/// Parses the allow-list file: one `PATH_GLOB [RULE]` per line, `#` comments.
/// Returns the entries and the problems (line, message) of bad lines.
pub fn parse_allow_file(text: &str) -> (Vec<AllowEntry>, Vec<(usize, String)>) {
    let ids = rule_ids();
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or(raw).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let glob = words.next().unwrap_or_default();
        let rule = words.next().map(str::to_string);
        if words.next().is_some() {
            problems.push((
                index + 1,
                format!("`{line}` has more than a path glob and a rule"),
            ));
            continue;
        }
        if let Some(rule) = &rule {
            if !ids.contains(&rule.as_str()) {
                problems.push((
                    index + 1,
                    format!(
                        "unknown rule `{rule}`{}; rules: {}",
                        super::rubric::did_you_mean(rule, &ids),
                        ids.join(", ")
                    ),
                ));
                continue;
            }
        }
        match PathGlob::new(glob) {
            Ok(glob) => entries.push(AllowEntry { glob, rule }),
            Err(e) => problems.push((index + 1, e)),
        }
    }
    (entries, problems)
}

/// Whether a hit in `path` is allowed by an entry.
pub fn allowed(entries: &[AllowEntry], path: &str, rule: &str) -> bool {
    entries
        .iter()
        .any(|e| e.glob.is_match(path) && e.rule.as_deref().is_none_or(|r| r == rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_tokens_and_private_keys_with_lines() {
        let text = "line one\naws_access_key_id = AKIAZ7QK4XQ3JH2LMNOP\naws_secret_access_key = \"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\"\n\
                    -----BEGIN OPENSSH PRIVATE KEY-----\ntoken: ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n";
        let hits = scan(text.as_bytes());
        let got: Vec<(&str, usize)> = hits.iter().map(|h| (h.rule, h.line)).collect();
        assert_eq!(
            got,
            [
                ("aws-access-key-id", 2),
                ("aws-secret-access-key", 3),
                ("private-key", 4),
                ("github-token", 5)
            ],
            "{hits:?}"
        );
        assert!(
            hits.iter().all(|h| h.redacted.chars().count() == 5),
            "{hits:?}"
        );
        assert!(
            !format!("{hits:?}").contains("Zk8v3Qp/2nR"),
            "secret values must be redacted"
        );
    }

    #[test]
    fn ignores_placeholders_digests_and_allowed_lines() {
        let text = "password: \"localdev\"\nsecret_sha = \"0123456789abcdef0123456789abcdef01234567\"\n\
                    api_key = \"${var.api_key_from_ssm_param}\"\nkey = AKIAZ7QK4XQ3JH2LMNOP # newsvc:allow-secret\n\
                    image: python:3.12.8-slim@sha256:0123456789abcdef\n";
        assert_eq!(scan(text.as_bytes()), Vec::new());
        let hit = scan(b"client_secret = \"q8Zr2LmX9vT4bN7cK1pW5sY3\"\n");
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert_eq!(hit[0].rule, "generic-secret");
    }

    #[test]
    fn line_prechecks() {
        assert!(has_key_run(b"k = Zk8v3Qp/2nR+7tYw9LmX4cB1dE6fG0hJ5kS8uV2w"));
        assert!(has_key_run(
            b"k = \"Zk8v3Qp/2nR+7tYw9LmX4cB1dE6fG0hJ5kS8uV2w\" # x"
        ));
        assert!(!has_key_run(
            b"k = Zk8v3Qp/2nR+7tYw9LmX4cB1dE6fG0hJ5kS8uV2wX"
        ));
        assert!(!has_key_run(
            b"k = Zk8v3Qp/2nR+7tYw9LmX4cB1dE6fG0hJ5kS8uV2w="
        ));
        assert!(!has_key_run(b"resource \"aws_iam_role\" \"task\" {"));
        assert!(has_long_quoted(b"token: 'q8Zr2LmX9vT4bN7cK1pW5sY3'"));
        assert!(!has_long_quoted(b"token = \"short\""));
        assert!(!has_long_quoted(b"note = \"a sentence with many words\""));
    }

    #[test]
    fn allow_file() {
        let (entries, problems) = parse_allow_file(
            "# fixtures\ntests/fixtures/**\ndocs/*.md aws-access-key-id\nx.txt nosuch-rule\n[bad\n",
        );
        assert_eq!(entries.len(), 2);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, 4);
        assert!(allowed(&entries, "tests/fixtures/a/key.pem", "private-key"));
        assert!(allowed(&entries, "docs/x.md", "aws-access-key-id"));
        assert!(!allowed(&entries, "docs/x.md", "private-key"));
        assert!(!allowed(&entries, "src/x.py", "private-key"));
    }
}
