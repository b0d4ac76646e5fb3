//! The rubric: categories and checks, each check at a level (bronze, silver,
//! gold, platinum) with a kind, its parameters and a "how to fix" line.
//!
//! `Rubric::parse` is strict and pure: unknown keys, unknown check kinds,
//! level typos (with the closest level suggested), bad regexes and globs,
//! unknown categories and duplicate ids are errors located at `file:line:column`.
//! Everything a check needs (compiled regexes, glob matchers) is prepared
//! here, so evaluating a rubric against many repositories never fails and
//! never recompiles.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use globset::{GlobBuilder, GlobMatcher};
use regex::bytes::{Regex, RegexBuilder};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The default rubric, embedded in the binary.
pub const DEFAULT_RUBRIC: &str = include_str!("default-rubric.yaml");
/// How the embedded rubric is named in messages.
pub const DEFAULT_RUBRIC_FILE: &str = "<default rubric>";
/// The same rubric as JSON, generated from the YAML (see `default_rubric`).
const DEFAULT_RUBRIC_JSON: &str = include_str!("default-rubric.json");

/// A maturity level, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Bronze,
    Silver,
    Gold,
    Platinum,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [Level::Bronze, Level::Silver, Level::Gold, Level::Platinum];

    /// The lower-case name used in rubrics, flags and reports.
    pub fn name(self) -> &'static str {
        match self {
            Level::Bronze => "bronze",
            Level::Silver => "silver",
            Level::Gold => "gold",
            Level::Platinum => "platinum",
        }
    }

    /// The level above, if any.
    pub fn next(self) -> Option<Level> {
        match self {
            Level::Bronze => Some(Level::Silver),
            Level::Silver => Some(Level::Gold),
            Level::Gold => Some(Level::Platinum),
            Level::Platinum => None,
        }
    }

    /// Parses a level name (case-insensitive); the error names the closest level.
    pub fn parse(s: &str) -> Result<Level, String> {
        let lower = s.trim().to_ascii_lowercase();
        Level::ALL
            .into_iter()
            .find(|l| l.name() == lower)
            .ok_or_else(|| {
                let names: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                format!(
                    "unknown level `{s}`{}; levels: {}",
                    did_you_mean(&lower, &names),
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Level, D::Error> {
        let s = String::deserialize(deserializer)?;
        Level::parse(&s).map_err(de::Error::custom)
    }
}

/// ` (did you mean `x`?)` when a candidate is close to `word`, else "".
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map_or_else(String::new, |(_, c)| format!(" (did you mean `{c}`?)"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The check kinds a rubric may use, as written in YAML.
pub const KIND_NAMES: &[&str] = &[
    "file_exists",
    "file_contains",
    "file_lacks",
    "data_path",
    "alarm_playbooks",
    "environments",
    "dockerfile",
    "no_secrets",
    "template_currency",
    "tests_present",
    "attestation",
];

/// A checked kind name (deserializing an unknown one is an error with a suggestion).
#[derive(Debug, Clone, PartialEq, Eq)]
struct KindName(&'static str);

impl<'de> Deserialize<'de> for KindName {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<KindName, D::Error> {
        let s = String::deserialize(deserializer)?;
        KIND_NAMES
            .iter()
            .find(|k| **k == s)
            .map(|k| KindName(k))
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "unknown check kind `{s}`{}; kinds: {}",
                    did_you_mean(&s, KIND_NAMES),
                    KIND_NAMES.join(", ")
                ))
            })
    }
}

/// A category of checks (docs, operations, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

/// A parsed rubric, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub name: String,
    pub version: Option<String>,
    /// The left half of the SVG badge.
    pub badge_label: String,
    pub categories: Vec<Category>,
    pub checks: Vec<Check>,
    /// Where it came from, for messages.
    pub file: String,
}

/// One check of a rubric.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub level: Level,
    pub category: String,
    pub kind: Kind,
    pub fix: String,
    /// Applies only when each named answer of `.newsvc.yml` has one of these values.
    pub when: Vec<(String, Vec<String>)>,
    /// Does not apply when a named answer has one of these values.
    pub unless: Vec<(String, Vec<String>)>,
}

impl Check {
    /// The kind's YAML name.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}

/// A glob over repository paths: `*` stays inside a folder, `**` crosses folders.
/// A glob without wildcards is compared as a string (no matcher to build).
#[derive(Debug, Clone)]
pub struct PathGlob {
    pub pattern: String,
    matcher: Option<GlobMatcher>,
}

impl PathGlob {
    pub fn new(pattern: &str) -> Result<PathGlob, String> {
        let literal = !pattern.contains(['*', '?', '[', ']', '{', '}', '\\']);
        let matcher = if literal {
            None
        } else {
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))?;
            Some(glob.compile_matcher())
        };
        Ok(PathGlob {
            pattern: pattern.to_string(),
            matcher,
        })
    }
    pub fn is_match(&self, path: &str) -> bool {
        match &self.matcher {
            Some(m) => m.is_match(path),
            None => path == self.pattern,
        }
    }
}

/// A regex with the text it was written as. Patterns run on bytes with
/// ASCII classes, word boundaries and case folding (as if written
/// `(?-u)`): an order of magnitude cheaper to build and to run than Unicode
/// ones. A pattern that needs Unicode (a non-ASCII literal, `\p{..}`) gets it;
/// `(?u)` asks for it explicitly.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: Regex,
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, String> {
        RegexBuilder::new(source)
            .unicode(false)
            .build()
            .or_else(|_| RegexBuilder::new(source).build())
            .map(|regex| Pattern {
                source: source.to_string(),
                regex,
            })
            .map_err(|e| format!("invalid regex `{source}`: {e}"))
    }

    /// Whether `text` has a match.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text.as_bytes())
    }
}

/// Whether every matching file or at least one must satisfy a content check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Require {
    All,
    Any,
}

/// One step of a data path: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// The kinds of check with their prepared parameters.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Every glob matches at least one file.
    FileExists { globs: Vec<PathGlob> },
    /// The files matching `glob` contain every pattern (all files, or at least one).
    FileContains {
        glob: PathGlob,
        patterns: Vec<Pattern>,
        require: Require,
        what: Option<String>,
    },
    /// No file matching `glob` contains any pattern.
    FileLacks {
        glob: PathGlob,
        patterns: Vec<Pattern>,
        what: Option<String>,
        max_findings: usize,
    },
    /// A YAML or JSON file has a non-empty value at `path` (equal to / matching, when given).
    DataPath {
        file: String,
        path: Vec<PathStep>,
        path_text: String,
        equals: Option<String>,
        pattern: Option<Pattern>,
    },
    /// Every `CloudWatch` alarm under `terraform` links (`marker URL`) a playbook that exists.
    AlarmPlaybooks {
        terraform: String,
        playbooks: String,
        marker: String,
        min_alarms: usize,
    },
    /// Environment folders with mandatory default tags, backend settings and distinct state keys.
    Environments {
        dir: String,
        names: Vec<String>,
        provider: String,
        tags: Vec<String>,
        environment_tag: Option<String>,
        distinct_state_keys: bool,
        backend: BTreeMap<String, String>,
    },
    /// The Dockerfile's final stage runs as non-root, its bases are pinned, it has a HEALTHCHECK.
    Dockerfile {
        path: String,
        non_root: bool,
        pinned_base: bool,
        require_digest: bool,
        healthcheck: bool,
    },
    /// No secret-looking strings in the tracked files.
    NoSecrets {
        allow_file: String,
        exclude: Vec<PathGlob>,
        max_findings: usize,
    },
    /// The recorded template version is at most `max_minor_behind` minors behind the latest.
    TemplateCurrency {
        max_minor_behind: u64,
        require_latest: bool,
    },
    /// At least `min_files` test files (by convention, or matching `globs`).
    TestsPresent {
        globs: Vec<PathGlob>,
        min_files: usize,
    },
    /// A human attestation in the repository that has not expired.
    Attestation { valid_days: u32 },
}

impl Kind {
    /// The YAML name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::FileExists { .. } => "file_exists",
            Kind::FileContains { .. } => "file_contains",
            Kind::FileLacks { .. } => "file_lacks",
            Kind::DataPath { .. } => "data_path",
            Kind::AlarmPlaybooks { .. } => "alarm_playbooks",
            Kind::Environments { .. } => "environments",
            Kind::Dockerfile { .. } => "dockerfile",
            Kind::NoSecrets { .. } => "no_secrets",
            Kind::TemplateCurrency { .. } => "template_currency",
            Kind::TestsPresent { .. } => "tests_present",
            Kind::Attestation { .. } => "attestation",
        }
    }
}

// ---------------------------------------------------------------------------
// Raw YAML shapes.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    badge_label: Option<String>,
    categories: Vec<RawCategory>,
    checks: Vec<RawCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    title: String,
    level: Level,
    category: String,
    kind: KindName,
    #[serde(default)]
    params: serde_norway::Value,
    fix: String,
    #[serde(default)]
    when: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    unless: BTreeMap<String, OneOrMany>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileExistsParams {
    glob: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContainsParams {
    glob: String,
    pattern: OneOrMany,
    #[serde(default = "require_all")]
    require: Require,
    #[serde(default)]
    what: Option<String>,
}

fn require_all() -> Require {
    Require::All
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLacksParams {
    glob: String,
    pattern: OneOrMany,
    #[serde(default)]
    what: Option<String>,
    #[serde(default = "default_max_findings")]
    max_findings: usize,
}

fn default_max_findings() -> usize {
    20
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataPathParams {
    file: String,
    path: String,
    #[serde(default)]
    equals: Option<serde_norway::Value>,
    #[serde(default)]
    pattern: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlarmPlaybooksParams {
    #[serde(default = "default_terraform")]
    terraform: String,
    #[serde(default = "default_playbooks")]
    playbooks: String,
    #[serde(default = "default_marker")]
    marker: String,
    #[serde(default = "one")]
    min_alarms: usize,
}

fn default_terraform() -> String {
    "terraform".into()
}
fn default_playbooks() -> String {
    "docs/playbooks".into()
}
fn default_marker() -> String {
    "Playbook:".into()
}
fn one() -> usize {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentsParams {
    #[serde(default = "default_terraform")]
    dir: String,
    #[serde(default = "default_env_names")]
    names: Vec<String>,
    #[serde(default = "default_provider")]
    provider: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    environment_tag: Option<String>,
    #[serde(default)]
    distinct_state_keys: bool,
    #[serde(default)]
    backend: BTreeMap<String, serde_norway::Value>,
}

fn default_env_names() -> Vec<String> {
    vec!["dev".into(), "staging".into(), "prod".into()]
}
fn default_provider() -> String {
    "aws".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DockerfileParams {
    #[serde(default = "default_dockerfile")]
    path: String,
    #[serde(default)]
    non_root: bool,
    #[serde(default)]
    pinned_base: bool,
    #[serde(default)]
    require_digest: bool,
    #[serde(default)]
    healthcheck: bool,
}

fn default_dockerfile() -> String {
    "Dockerfile".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoSecretsParams {
    #[serde(default = "default_allow_file")]
    allow_file: String,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default = "default_max_findings")]
    max_findings: usize,
}

/// The default allow-list file of the `no_secrets` check.
pub const DEFAULT_ALLOW_FILE: &str = ".newsvc-secrets-allow";

fn default_allow_file() -> String {
    DEFAULT_ALLOW_FILE.into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateCurrencyParams {
    #[serde(default = "two")]
    max_minor_behind: u64,
    #[serde(default)]
    require_latest: bool,
}

fn two() -> u64 {
    2
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestsPresentParams {
    #[serde(default)]
    globs: Vec<String>,
    #[serde(default = "one")]
    min_files: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttestationParams {
    #[serde(default = "default_valid_days")]
    valid_days: u32,
}

/// How long an attestation stays valid when neither the check nor `--expires-in` says.
pub const DEFAULT_VALID_DAYS: u32 = 180;

fn default_valid_days() -> u32 {
    DEFAULT_VALID_DAYS
}

// ---------------------------------------------------------------------------
// Parsing.

impl Rubric {
    /// The embedded default rubric.
    ///
    /// Read from its JSON mirror (`default-rubric.json`, kept equal to the
    /// YAML by a test): parsing JSON costs a tenth of parsing YAML, and the
    /// default rubric is parsed on every `newsvc grade`.
    pub fn default_rubric() -> Rubric {
        let raw: RawRubric = serde_json::from_str(DEFAULT_RUBRIC_JSON)
            .expect("the embedded default rubric is valid (tested)");
        let locator = Locator {
            text: DEFAULT_RUBRIC,
            file: DEFAULT_RUBRIC_FILE,
        };
        Rubric::prepare(raw, &locator).expect("the embedded default rubric is valid (tested)")
    }

    /// Parses and prepares a rubric; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Rubric> {
        let locator = Locator { text, file };
        let raw: RawRubric =
            serde_norway::from_str(text).map_err(|e| locator.refine(Error::yaml(file, &e)))?;
        Rubric::prepare(raw, &locator)
    }

    fn prepare(raw: RawRubric, locator: &Locator<'_>) -> Result<Rubric> {
        let file = locator.file;
        if raw.categories.is_empty() {
            return Err(locator.error_at_key(
                None,
                "categories",
                "a rubric needs at least one category".into(),
            ));
        }
        let mut categories: Vec<Category> = Vec::new();
        for c in raw.categories {
            if categories.iter().any(|known| known.id == c.id) {
                return Err(locator.error_at_key(
                    None,
                    "categories",
                    format!("category `{}` is defined twice", c.id),
                ));
            }
            categories.push(Category {
                id: c.id,
                title: c.title,
                description: c.description,
            });
        }
        let category_ids: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
        let mut seen = BTreeSet::new();
        let mut checks = Vec::with_capacity(raw.checks.len());
        for raw_check in raw.checks {
            let id = raw_check.id.clone();
            if id.trim().is_empty() || id.contains(char::is_whitespace) {
                return Err(locator.error_at_check(&id, 0, "id", format!("check id `{id}` must be a non-empty word without spaces, like `readme-owner`")));
            }
            let occurrence = usize::from(seen.contains(&id));
            if !seen.insert(id.clone()) {
                return Err(locator.error_at_check(
                    &id,
                    occurrence,
                    "id",
                    format!("check id `{id}` is used twice; ids must be unique"),
                ));
            }
            if !category_ids.contains(&raw_check.category.as_str()) {
                return Err(locator.error_at_check(
                    &id,
                    0,
                    "category",
                    format!(
                        "check `{id}`: unknown category `{}`{}; categories: {}",
                        raw_check.category,
                        did_you_mean(&raw_check.category, &category_ids),
                        category_ids.join(", ")
                    ),
                ));
            }
            let kind = prepare_kind(raw_check.kind.0, raw_check.params).map_err(|message| {
                locator.error_at_check(
                    &id,
                    0,
                    "params",
                    format!("check `{id}` ({}): {message}", raw_check.kind.0),
                )
            })?;
            checks.push(Check {
                id,
                title: raw_check.title,
                level: raw_check.level,
                category: raw_check.category,
                kind,
                fix: raw_check.fix,
                when: raw_check
                    .when
                    .into_iter()
                    .map(|(k, v)| (k, v.into_vec()))
                    .collect(),
                unless: raw_check
                    .unless
                    .into_iter()
                    .map(|(k, v)| (k, v.into_vec()))
                    .collect(),
            });
        }
        let _ = raw.description;
        Ok(Rubric {
            name: raw.name,
            version: raw.version,
            badge_label: raw.badge_label.unwrap_or_else(|| "grade".into()),
            categories,
            checks,
            file: file.to_string(),
        })
    }

    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The ids of every check, in rubric order.
    pub fn check_ids(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.id.as_str()).collect()
    }
}

fn params<T: serde::de::DeserializeOwned>(value: serde_norway::Value) -> Result<T, String> {
    let value = if value.is_null() {
        serde_norway::Value::Mapping(serde_norway::Mapping::new())
    } else {
        value
    };
    serde_norway::from_value(value).map_err(|e| e.to_string())
}

fn globs(patterns: &[String]) -> Result<Vec<PathGlob>, String> {
    patterns.iter().map(|p| PathGlob::new(p)).collect()
}

fn patterns(sources: &[String]) -> Result<Vec<Pattern>, String> {
    if sources.is_empty() {
        return Err("`pattern` needs at least one regex".into());
    }
    sources.iter().map(|p| Pattern::new(p)).collect()
}

fn scalar_text(value: &serde_norway::Value) -> Result<String, String> {
    match value {
        serde_norway::Value::String(s) => Ok(s.clone()),
        serde_norway::Value::Bool(b) => Ok(b.to_string()),
        serde_norway::Value::Number(n) => Ok(n.to_string()),
        other => Err(format!(
            "expected a string, number or boolean, found {other:?}"
        )),
    }
}

fn prepare_kind(kind: &str, value: serde_norway::Value) -> Result<Kind, String> {
    Ok(match kind {
        "file_exists" => {
            let p: FileExistsParams = params(value)?;
            let globs = globs(&p.glob.into_vec())?;
            if globs.is_empty() {
                return Err("`glob` needs at least one pattern".into());
            }
            Kind::FileExists { globs }
        }
        "file_contains" => {
            let p: FileContainsParams = params(value)?;
            Kind::FileContains {
                glob: PathGlob::new(&p.glob)?,
                patterns: patterns(&p.pattern.into_vec())?,
                require: p.require,
                what: p.what,
            }
        }
        "file_lacks" => {
            let p: FileLacksParams = params(value)?;
            Kind::FileLacks {
                glob: PathGlob::new(&p.glob)?,
                patterns: patterns(&p.pattern.into_vec())?,
                what: p.what,
                max_findings: p.max_findings,
            }
        }
        "data_path" => {
            let p: DataPathParams = params(value)?;
            Kind::DataPath {
                path: parse_data_path(&p.path)?,
                path_text: p.path,
                file: p.file,
                equals: p.equals.as_ref().map(scalar_text).transpose()?,
                pattern: p.pattern.as_deref().map(Pattern::new).transpose()?,
            }
        }
        "alarm_playbooks" => {
            let p: AlarmPlaybooksParams = params(value)?;
            Kind::AlarmPlaybooks {
                terraform: trim_dir(&p.terraform),
                playbooks: trim_dir(&p.playbooks),
                marker: p.marker,
                min_alarms: p.min_alarms,
            }
        }
        "environments" => {
            let p: EnvironmentsParams = params(value)?;
            if p.names.is_empty() {
                return Err("`names` needs at least one environment".into());
            }
            let backend = p
                .backend
                .iter()
                .map(|(k, v)| scalar_text(v).map(|v| (k.clone(), v)))
                .collect::<Result<_, _>>()?;
            Kind::Environments {
                dir: trim_dir(&p.dir),
                names: p.names,
                provider: p.provider,
                tags: p.tags,
                environment_tag: p.environment_tag.filter(|t| !t.is_empty()),
                distinct_state_keys: p.distinct_state_keys,
                backend,
            }
        }
        "dockerfile" => {
            let p: DockerfileParams = params(value)?;
            if !(p.non_root || p.pinned_base || p.require_digest || p.healthcheck) {
                return Err("set at least one of `non_root`, `pinned_base`, `require_digest`, `healthcheck` to true".into());
            }
            Kind::Dockerfile {
                path: p.path,
                non_root: p.non_root,
                pinned_base: p.pinned_base || p.require_digest,
                require_digest: p.require_digest,
                healthcheck: p.healthcheck,
            }
        }
        "no_secrets" => {
            let p: NoSecretsParams = params(value)?;
            Kind::NoSecrets {
                allow_file: p.allow_file,
                exclude: globs(&p.exclude)?,
                max_findings: p.max_findings,
            }
        }
        "template_currency" => {
            let p: TemplateCurrencyParams = params(value)?;
            Kind::TemplateCurrency {
                max_minor_behind: p.max_minor_behind,
                require_latest: p.require_latest,
            }
        }
        "tests_present" => {
            let p: TestsPresentParams = params(value)?;
            Kind::TestsPresent {
                globs: globs(&p.globs)?,
                min_files: p.min_files,
            }
        }
        "attestation" => {
            let p: AttestationParams = params(value)?;
            if p.valid_days == 0 {
                return Err("`valid_days` must be at least 1".into());
            }
            Kind::Attestation {
                valid_days: p.valid_days,
            }
        }
        other => return Err(format!("unknown check kind `{other}`")),
    })
}

fn trim_dir(dir: &str) -> String {
    dir.trim_matches('/').to_string()
}

/// Parses `a.b[0]["c.d"]` into steps.
pub fn parse_data_path(path: &str) -> Result<Vec<PathStep>, String> {
    let bad = |why: &str| {
        format!(
            "invalid data path `{path}`: {why}; write keys separated by dots, list indexes in brackets and quoted keys as [\"a.b\"], e.g. spec.owner or metadata.annotations[\"x/y\"]"
        )
    };
    let mut steps = Vec::new();
    let mut rest = path.trim();
    if rest.is_empty() {
        return Err(bad("it is empty"));
    }
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(|| bad("a `[` is not closed"))?;
            let inner = after[..close].trim();
            if let Some(quoted) = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            {
                steps.push(PathStep::Key(quoted.to_string()));
            } else {
                let index = inner.parse().map_err(|_| {
                    bad(&format!("`[{inner}]` is neither an index nor a quoted key"))
                })?;
                steps.push(PathStep::Index(index));
            }
            rest = &after[close + 1..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            if end == 0 {
                return Err(bad("a key is empty"));
            }
            steps.push(PathStep::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
        if let Some(after) = rest.strip_prefix('.') {
            if after.is_empty() || after.starts_with(['.', '[']) {
                return Err(bad("a key is empty"));
            }
            rest = after;
        }
    }
    Ok(steps)
}

/// Finds lines in the rubric text for errors found after parsing.
struct Locator<'a> {
    text: &'a str,
    file: &'a str,
}

impl Locator<'_> {
    fn error(&self, line: usize, column: usize, message: String) -> Error {
        Error::Yaml {
            file: self.file.to_string(),
            line,
            column,
            message,
        }
    }

    /// serde places errors raised while reading a check at the start of the
    /// check; move those about its level or kind to that key's line.
    fn refine(&self, error: Error) -> Error {
        let Error::Yaml {
            file,
            line,
            column,
            message,
        } = error
        else {
            return error;
        };
        let key = if message.contains("unknown level") {
            "level"
        } else if message.contains("unknown check kind") {
            "kind"
        } else {
            return Error::Yaml {
                file,
                line,
                column,
                message,
            };
        };
        let lines: Vec<&str> = self.text.lines().collect();
        let start = line.saturating_sub(1);
        let indent = |l: &str| l.len() - l.trim_start().len();
        let item_indent = lines.get(start).map_or(0, |l| indent(l));
        let end = lines
            .iter()
            .enumerate()
            .skip(start + 1)
            .find(|(_, l)| l.trim_start().starts_with("- ") && indent(l) <= item_indent)
            .map_or(lines.len(), |(i, _)| i);
        let (line, column) = self.find_key(start, end, key).unwrap_or((line, column));
        Error::Yaml {
            file,
            line,
            column,
            message,
        }
    }

    /// The first line (1-based) at or after `from` whose key is `key`, and its column.
    fn find_key(&self, from: usize, until: usize, key: &str) -> Option<(usize, usize)> {
        self.text
            .lines()
            .enumerate()
            .skip(from)
            .take(until.saturating_sub(from))
            .find_map(|(i, line)| {
                let trimmed = line.trim_start();
                let item = trimmed.strip_prefix("- ").map_or(trimmed, str::trim_start);
                let rest = item.strip_prefix(key)?;
                rest.starts_with(':')
                    .then(|| (i + 1, line.len() - item.len() + 1))
            })
    }

    fn error_at_key(&self, _check: Option<&str>, key: &str, message: String) -> Error {
        let (line, column) = self.find_key(0, usize::MAX, key).unwrap_or((1, 1));
        self.error(line, column, message)
    }

    /// An error at `key` of the `occurrence`-th (0-based) check with `id`.
    fn error_at_check(&self, id: &str, occurrence: usize, key: &str, message: String) -> Error {
        let lines: Vec<&str> = self.text.lines().collect();
        let checks_start = lines
            .iter()
            .position(|l| l.starts_with("checks:"))
            .unwrap_or(0);
        let is_id_line = |line: &str| {
            let trimmed = line.trim_start();
            let item = trimmed.strip_prefix("- ").map_or(trimmed, str::trim_start);
            item.strip_prefix("id:").is_some_and(|v| {
                let v = v.split(" #").next().unwrap_or(v).trim();
                v.trim_matches(|c| c == '"' || c == '\'') == id
            })
        };
        let Some(id_line) = lines
            .iter()
            .enumerate()
            .skip(checks_start)
            .filter(|(_, l)| is_id_line(l))
            .nth(occurrence)
            .map(|(i, _)| i)
        else {
            return self.error(checks_start + 1, 1, message);
        };
        let next_item = lines
            .iter()
            .enumerate()
            .skip(id_line + 1)
            .find(|(_, l)| {
                let t = l.trim_start();
                t.starts_with("- ")
                    && l.len() - t.len() <= lines[id_line].len() - lines[id_line].trim_start().len()
            })
            .map_or(lines.len(), |(i, _)| i);
        // The key may sit before `id:` in the same item; search the whole item.
        let item_start = (0..=id_line)
            .rev()
            .find(|&i| lines[i].trim_start().starts_with("- "))
            .unwrap_or(id_line);
        let (line, column) = self
            .find_key(item_start, next_item, key)
            .unwrap_or_else(|| {
                (
                    id_line + 1,
                    lines[id_line].len() - lines[id_line].trim_start().len() + 1,
                )
            });
        self.error(line, column, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Rubric> {
        Rubric::parse(text, "r.yaml")
    }

    const HEAD: &str = "name: t\ncategories:\n  - id: docs\n    title: Docs\nchecks:\n";

    #[test]
    fn default_rubric_parses() {
        let rubric = Rubric::default_rubric();
        assert!(rubric.checks.len() >= 20);
        for category in [
            "docs",
            "operations",
            "delivery",
            "infrastructure",
            "security",
            "template",
        ] {
            assert!(
                rubric.categories.iter().any(|c| c.id == category),
                "{category}"
            );
            for level in [Level::Bronze, Level::Silver, Level::Gold] {
                assert!(
                    rubric
                        .checks
                        .iter()
                        .any(|c| c.category == category && c.level == level),
                    "{category} has no {level} check"
                );
            }
        }
        assert!(
            rubric
                .checks
                .iter()
                .any(|c| matches!(c.kind, Kind::Attestation { .. }) && c.level == Level::Platinum)
        );
    }

    /// `default-rubric.json` mirrors `default-rubric.yaml`; regenerate it with
    /// `NEWSVC_UPDATE_RUBRIC_JSON=1 cargo test --lib default_rubric_json`.
    #[test]
    fn default_rubric_json_mirrors_the_yaml() {
        let from_yaml: serde_json::Value = serde_norway::from_str(DEFAULT_RUBRIC).unwrap();
        let mirror: serde_json::Value =
            serde_json::from_str(DEFAULT_RUBRIC_JSON).unwrap_or_default();
        if from_yaml != mirror {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/grade/default-rubric.json");
            if std::env::var_os("NEWSVC_UPDATE_RUBRIC_JSON").is_some() {
                let mut text = serde_json::to_string(&from_yaml).unwrap();
                text.push('\n');
                std::fs::write(path, text).unwrap();
            } else {
                panic!(
                    "{path} is stale: run `NEWSVC_UPDATE_RUBRIC_JSON=1 cargo test --lib default_rubric_json`"
                );
            }
        }
        let parsed = Rubric::parse(DEFAULT_RUBRIC, DEFAULT_RUBRIC_FILE).unwrap();
        assert_eq!(parsed.check_ids(), Rubric::default_rubric().check_ids());
    }

    #[test]
    fn levels_parse_with_suggestions() {
        assert_eq!(Level::parse("Gold").unwrap(), Level::Gold);
        let err = Level::parse("sliver").unwrap_err();
        assert!(err.contains("did you mean `silver`"), "{err}");
        let err = Level::parse("diamond").unwrap_err();
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.contains("bronze, silver, gold, platinum"), "{err}");
        assert!(Level::Bronze < Level::Platinum);
    }

    #[test]
    fn level_typo_is_located() {
        let text = format!(
            "{HEAD}  - id: a\n    title: A\n    level: sliver\n    category: docs\n    kind: file_exists\n    params: {{glob: README.md}}\n    fix: add it\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.starts_with("r.yaml:8:"), "{err}");
        assert!(err.contains("did you mean `silver`"), "{err}");
    }

    #[test]
    fn unknown_kind_is_located() {
        let text = format!(
            "{HEAD}  - id: a\n    title: A\n    level: gold\n    category: docs\n    kind: file_exist\n    fix: add it\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.starts_with("r.yaml:10:"), "{err}");
        assert!(
            err.contains("unknown check kind `file_exist` (did you mean `file_exists`?)"),
            "{err}"
        );
    }

    #[test]
    fn yaml_syntax_error_has_line_and_column() {
        let err = parse("name: t\ncategories: [\n  - x\n").unwrap_err();
        let Error::Yaml { line, column, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(*line >= 2 && *column >= 1, "{err}");
    }

    #[test]
    fn bad_params_point_at_params() {
        let text = format!(
            "{HEAD}  - id: a\n    title: A\n    level: gold\n    category: docs\n    kind: file_contains\n    params:\n      glob: README.md\n      pattern: '(unclosed'\n    fix: add it\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.starts_with("r.yaml:11:5:"), "{err}");
        assert!(err.contains("invalid regex"), "{err}");

        let text = format!(
            "{HEAD}  - id: a\n    title: A\n    level: gold\n    category: docs\n    kind: file_exists\n    params: {{glob: x, extra: 1}}\n    fix: add it\n"
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("unknown field `extra`"), "{err}");
    }

    #[test]
    fn unknown_category_and_duplicates() {
        let check = |id: &str, cat: &str| {
            format!(
                "  - id: {id}\n    title: A\n    level: gold\n    category: {cat}\n    kind: tests_present\n    fix: add tests\n"
            )
        };
        let err = parse(&format!("{HEAD}{}", check("a", "doc")))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("r.yaml:9:5:"), "{err}");
        assert!(err.contains("did you mean `docs`"), "{err}");
        let err = parse(&format!(
            "{HEAD}{}{}",
            check("a", "docs"),
            check("a", "docs")
        ))
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("r.yaml:12:"), "{err}");
        assert!(err.contains("used twice"), "{err}");
    }

    #[test]
    fn unknown_top_level_key() {
        let err = parse("name: t\ncategory: []\n").unwrap_err().to_string();
        assert!(err.contains("unknown field `category`"), "{err}");
    }

    #[test]
    fn data_paths() {
        assert_eq!(
            parse_data_path("spec.owner").unwrap(),
            vec![PathStep::Key("spec".into()), PathStep::Key("owner".into())]
        );
        assert_eq!(
            parse_data_path("a[2][\"x.y\"].b").unwrap(),
            vec![
                PathStep::Key("a".into()),
                PathStep::Index(2),
                PathStep::Key("x.y".into()),
                PathStep::Key("b".into())
            ]
        );
        for bad in ["", "a..b", "a[", "a[x]", "a."] {
            assert!(parse_data_path(bad).is_err(), "{bad}");
        }
    }
}
