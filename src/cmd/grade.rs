//! `newsvc grade` and `newsvc grade attest`: turn the flags into a checked
//! plan (rubric, minimum level, date, latest template version), read the
//! repository once, evaluate the pure core, print or write the report, and
//! record attestations. The only places that read the clock (`--today` /
//! `NEWSVC_TODAY`, else the system date) and the template source.

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::cli::{AttestArgs, GradeArgs, GradeCommand, GradeFormat};
use crate::error::{Error, Result};
use crate::grade::attest::{ATTESTATIONS_FILE, Attestation, Attestations};
use crate::grade::report::level_name;
use crate::grade::rubric::{Kind, did_you_mean};
use crate::grade::{self, Date, Level, RepoView, Rubric, badge};
use crate::record::RECORD_FILE;
use crate::source::{self, SourceSpec, git::FetchOptions};

/// Runs `grade` or `grade attest`.
pub(crate) fn run(args: &GradeArgs) -> Result<Outcome> {
    if let Some(GradeCommand::Attest(attest_args)) = &args.command {
        return attest(attest_args);
    }
    let min = args
        .min
        .as_deref()
        .map(|m| Level::parse(m).map_err(|e| Error::Usage(format!("--min: {e}"))))
        .transpose()?;
    let latest_flag = args
        .latest_version
        .as_deref()
        .map(|v| {
            semver::Version::parse(v.trim_start_matches('v')).map_err(|e| {
                Error::Usage(format!(
                    "invalid --latest-version `{v}`: {e}; give a version such as 1.4.0"
                ))
            })
        })
        .transpose()?;
    let rubric = load_rubric(args.rubric.as_deref())?;
    let today = today(args.today.as_deref())?;
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let view = grade::read_repo(&path)?;
    let latest = match latest_flag {
        Some(v) => Some(v),
        None => match latest_template_version(&view, args.offline) {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!(
                    "warning: cannot tell the latest template version ({e}); the template currency checks fail. Pass --latest-version to say it."
                );
                None
            }
        },
    };
    let report = grade::evaluate(&view, &rubric, today, latest.as_ref());
    let color = args.output.is_none() && args.format == GradeFormat::Text && use_color();
    let text = match args.format {
        GradeFormat::Text => report.to_text(color),
        GradeFormat::Json => report.to_json(),
        GradeFormat::Markdown => report.to_markdown(),
        GradeFormat::Svg => badge::svg(&rubric.badge_label, report.level),
    };
    if let Some(file) = &args.output {
        write_atomically(file, text.as_bytes())?;
        eprintln!(
            "wrote {} ({}: {})",
            file.display(),
            report.service,
            level_name(report.level)
        );
    } else {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = stdout.write_all(text.as_bytes());
    }
    if let Some(min) = min {
        if !report.meets(min) {
            let failing = report
                .checks
                .iter()
                .filter(|c| c.level <= min && c.status == grade::checks::Status::Fail)
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>();
            eprintln!(
                "below --min {min}: {} is {}; failing: {}",
                report.service,
                level_name(report.level),
                failing.join(", ")
            );
            return Ok(Outcome::Found);
        }
    }
    Ok(Outcome::Ok)
}

/// Colour only on a terminal, and never when `NO_COLOR` is set (<https://no-color.org>).
fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !no_color && !dumb && std::io::stdout().is_terminal()
}

/// The rubric from `--rubric FILE`, or the embedded default.
pub(crate) fn load_rubric(file: Option<&Path>) -> Result<Rubric> {
    match file {
        None => Ok(Rubric::default_rubric()),
        Some(file) => {
            let text =
                std::fs::read_to_string(file).map_err(Error::io("cannot read the rubric", file))?;
            Rubric::parse(&text, &file.display().to_string())
        }
    }
}

/// `--today` / `NEWSVC_TODAY`, else the system date (UTC).
pub(crate) fn today(flag: Option<&str>) -> Result<Date> {
    match flag.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Date::parse(s)
            .map_err(|e| Error::Usage(format!("invalid --today (or NEWSVC_TODAY): {e}"))),
        None => Ok(Date::today_from_system()),
    }
}

/// The manifest of the embedded default template (the same file `source` embeds).
const DEFAULT_MANIFEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/service/template.yaml"
));

/// A manifest's top-level `version:` line, read without parsing the YAML
/// (parsing the whole manifest costs more than the rest of a grade); the
/// full parse is the fallback for anything unusual.
fn top_level_version(manifest: &str) -> Option<semver::Version> {
    let value = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version:"))?
        .split(" #")
        .next()?
        .trim()
        .trim_matches(|c| c == '"' || c == '\'');
    semver::Version::parse(value).ok()
}

#[derive(serde::Deserialize)]
struct VersionOnly {
    version: semver::Version,
}

/// The version in the manifest of the template the repository records.
fn latest_template_version(view: &RepoView, offline: bool) -> Result<semver::Version, String> {
    let record = view.record().map_err(str::to_string)?;
    let source = &record.template.source;
    let manifest_text = match SourceSpec::parse(source).map_err(|e| e.to_string())? {
        // The default template's manifest alone: loading the embedded set
        // copies every template file, most of the time of a grade.
        SourceSpec::Embedded(name) if name == source::DEFAULT_TEMPLATE => {
            DEFAULT_MANIFEST.to_string()
        }
        SourceSpec::Embedded(name) => {
            source::load_embedded_raw(&name)
                .map_err(|e| e.to_string())?
                .manifest_text
        }
        // Only the manifest: a template folder can be large.
        SourceSpec::Dir(dir) => {
            let file = dir.join(crate::manifest::MANIFEST_FILE);
            std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?
        }
        SourceSpec::Git { .. } => {
            source::load_raw(
                source,
                &FetchOptions {
                    offline,
                    cache_dir: None,
                },
            )
            .map_err(|e| e.to_string())?
            .manifest_text
        }
    };
    if let Some(version) = top_level_version(&manifest_text) {
        return Ok(version);
    }
    serde_norway::from_str::<VersionOnly>(&manifest_text)
        .map(|m| m.version)
        .map_err(|e| format!("the manifest of `{source}` has no readable version: {e}"))
}

/// `newsvc grade attest`: appends a review to `.newsvc/attestations.yaml`.
fn attest(args: &AttestArgs) -> Result<Outcome> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let attestable: Vec<&str> = rubric
        .checks
        .iter()
        .filter(|c| matches!(c.kind, Kind::Attestation { .. }))
        .map(|c| c.id.as_str())
        .collect();
    let Some(check) = rubric.check(&args.check) else {
        return Err(Error::Usage(format!(
            "unknown check `{}`{} in rubric {}; checks that take an attestation: {}",
            args.check,
            did_you_mean(&args.check, &attestable),
            rubric.file,
            if attestable.is_empty() {
                "none".to_string()
            } else {
                attestable.join(", ")
            }
        )));
    };
    let Kind::Attestation { valid_days } = check.kind else {
        return Err(Error::Usage(format!(
            "check `{}` is a `{}` check, verified from the repository's files; only these take an attestation: {}",
            check.id,
            check.kind_name(),
            attestable.join(", ")
        )));
    };
    let by = args.by.trim();
    if by.is_empty() {
        return Err(Error::Usage("--by needs the reviewer's name".into()));
    }
    let days = args.expires_in.unwrap_or(valid_days);
    if days == 0 {
        return Err(Error::Usage(
            "invalid --expires-in `0`: an attestation must last at least 1 day".into(),
        ));
    }
    let today = today(args.today.as_deref())?;
    let root = &args.path;
    if !root.join(RECORD_FILE).is_file() {
        return Err(Error::NotARepo {
            path: root.clone(),
            reason: format!(
                "is not a newsvc repository (no {RECORD_FILE}); run `newsvc grade attest` at the root of the repository, or pass --path"
            ),
        });
    }
    let file = root.join(ATTESTATIONS_FILE);
    let mut all = match std::fs::read_to_string(&file) {
        Ok(text) => Attestations::parse(&text, &file.display().to_string())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Attestations::default(),
        Err(e) => return Err(Error::io("cannot read", &file)(e)),
    };
    let expires = today.add_days(i64::from(days));
    all.add(Attestation {
        check: check.id.clone(),
        by: by.to_string(),
        date: today,
        expires,
        note: args
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
    });
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("cannot create", parent))?;
    }
    write_atomically(&file, all.to_yaml().as_bytes())?;
    eprintln!(
        "recorded: `{}` attested by {by} on {today}, valid through {expires} ({days} days)",
        check.id
    );
    eprintln!(
        "commit it: git add {ATTESTATIONS_FILE} && git commit -m \"Attest {}\"",
        check.id
    );
    Ok(Outcome::Ok)
}

/// Writes through a temporary file in the same folder, then renames.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.newsvc-{}", std::process::id()));
    std::fs::write(&temp, bytes).map_err(Error::io("cannot write", &temp))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temp, meta.permissions());
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io("cannot replace", path)(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_line() {
        assert_eq!(
            top_level_version("name: x\nversion: 1.4.0 # released\n"),
            Some(semver::Version::new(1, 4, 0))
        );
        assert_eq!(
            top_level_version("version: \"2.0.1\"\n"),
            Some(semver::Version::new(2, 0, 1))
        );
        assert_eq!(top_level_version("questions:\n  version: 1.0.0\n"), None);
        let from_yaml: VersionOnly = serde_norway::from_str(DEFAULT_MANIFEST).unwrap();
        assert_eq!(top_level_version(DEFAULT_MANIFEST), Some(from_yaml.version));
    }

    #[test]
    fn default_manifest_is_the_embedded_one() {
        let embedded = source::load_embedded_raw(source::DEFAULT_TEMPLATE).unwrap();
        assert_eq!(DEFAULT_MANIFEST, embedded.manifest_text);
    }
}
