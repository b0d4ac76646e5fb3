//! Secret detection for the `no_secrets` check: a fixed set of rules (AWS
//! keys, private key blocks, common service tokens, high-entropy values
//! assigned to secret-looking names), the allow-list file format, and a scan
//! of one text that reports the line of each finding with the value redacted.
//! Pure; the rules are compiled once per process.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

use super::rubric::PathGlob;

/// A line carrying this marker is never reported (for documented fakes).
pub const INLINE_ALLOW: &str = "newsvc:allow-secret";

/// One detection rule.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    regex: Regex,
    /// The capture group holding the secret (0: the whole match).
    group: usize,
    /// Extra filter on the captured value.
    accept: fn(&str) -> bool,
}

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

/// A rule as written: id, description, pattern, capture group, value filter.
type RuleSpec = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    fn(&str) -> bool,
);

const RULES: &[RuleSpec] = &[
    (
        "aws-access-key-id",
        "AWS access key id",
        r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b",
        1,
        always,
    ),
    (
        "aws-secret-access-key",
        "AWS secret access key",
        r#"(?i)(?:aws|secret)[a-z0-9_.-]{0,20}["']?[ \t]{0,3}(?:=|:|:=|=>)[ \t]{0,3}["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        1,
        mixed_case,
    ),
    (
        "private-key",
        "private key block",
        r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
        0,
        always,
    ),
    (
        "github-token",
        "GitHub token",
        r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82})\b",
        1,
        always,
    ),
    (
        "gitlab-token",
        "GitLab token",
        r"\b(glpat-[A-Za-z0-9_-]{20})\b",
        1,
        always,
    ),
    (
        "slack-token",
        "Slack token",
        r"\b(xox[baprs]-[A-Za-z0-9-]{10,})",
        1,
        always,
    ),
    (
        "slack-webhook",
        "Slack webhook URL",
        r"(https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,})",
        1,
        always,
    ),
    (
        "google-api-key",
        "Google API key",
        r"\b(AIza[0-9A-Za-z_-]{35})\b",
        1,
        always,
    ),
    (
        "stripe-secret-key",
        "Stripe secret key",
        r"\b((?:sk|rk)_live_[0-9A-Za-z]{20,})\b",
        1,
        always,
    ),
    (
        "npm-token",
        "npm token",
        r"\b(npm_[A-Za-z0-9]{36})\b",
        1,
        always,
    ),
    (
        "pypi-token",
        "PyPI token",
        r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
        1,
        always,
    ),
    (
        "generic-secret",
        "high-entropy value assigned to a secret-looking name",
        r#"(?i)(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|private[_-]?key)[a-z0-9_.-]{0,20}["']?[ \t]*(?:=|:|:=|=>)[ \t]*["']([^"'\s]{16,})["']"#,
        1,
        random_looking,
    ),
];

struct Rules {
    set: RegexSet,
    rules: Vec<Rule>,
}

fn rules() -> &'static Rules {
    static RULES_CELL: OnceLock<Rules> = OnceLock::new();
    RULES_CELL.get_or_init(|| {
        let rules: Vec<Rule> = RULES
            .iter()
            .map(|(id, description, pattern, group, accept)| Rule {
                id,
                description,
                regex: Regex::new(pattern).expect("valid built-in pattern"),
                group: *group,
                accept: *accept,
            })
            .collect();
        let set = RegexSet::new(RULES.iter().map(|r| r.2)).expect("valid built-in patterns");
        Rules { set, rules }
    })
}

/// The ids of every rule, for the allow-list file and docs.
pub fn rule_ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.0).collect()
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

/// Scans one text; hits are in line order.
pub fn scan(text: &str) -> Vec<Hit> {
    let rules = rules();
    let matched: Vec<usize> = rules.set.matches(text).into_iter().collect();
    if matched.is_empty() {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
    let mut hits = Vec::new();
    for index in matched {
        let rule = &rules.rules[index];
        for caps in rule.regex.captures_iter(text) {
            let Some(value) = caps.get(rule.group) else {
                continue;
            };
            if !(rule.accept)(value.as_str()) {
                continue;
            }
            let line = line_of(value.start());
            let line_text = text[line_starts[line - 1]..].lines().next().unwrap_or("");
            if line_text.contains(INLINE_ALLOW) {
                continue;
            }
            hits.push(Hit {
                rule: rule.id,
                description: rule.description,
                line,
                redacted: redact(value.as_str()),
            });
        }
    }
    hits.sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    hits.dedup_by(|a, b| a.line == b.line && a.redacted == b.redacted);
    hits
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
        let hits = scan(text);
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
        assert_eq!(scan(text), Vec::new());
        let hit = scan("client_secret = \"q8Zr2LmX9vT4bN7cK1pW5sY3\"\n");
        assert_eq!(hit.len(), 1, "{hit:?}");
        assert_eq!(hit[0].rule, "generic-secret");
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
