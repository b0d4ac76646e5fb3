//! The command line (clap derive only). Raw flags are turned into checked
//! plans by the command modules; nothing below them sees clap types.

use std::path::PathBuf;

use std::ffi::OsString;

use clap::{Args, FromArgMatches, Parser, Subcommand};

/// Give a new microservice a complete, standard repository in seconds; keep a
/// fleet of them in step with the template; grade each one.
#[derive(Debug, Parser)]
#[command(name = "newsvc", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses a command line (program name first). `new`, the command run
    /// most and timed hardest, is read by a definition of that command
    /// alone: clap builds every command's definition before it reads the
    /// first argument, 0.1 ms of each `newsvc new`. Help, and anything that
    /// does not parse, goes to the full definition, whose messages and
    /// suggestions know every command.
    pub fn parse_from_args(args: Vec<OsString>) -> Result<Cli, clap::Error> {
        match Cli::parse_new_alone(&args) {
            Some(cli) => Ok(cli),
            None => Cli::try_parse_from(args),
        }
    }

    /// A `new` command line read by the definition of `new` alone, if it
    /// parses cleanly there.
    fn parse_new_alone(args: &[OsString]) -> Option<Cli> {
        if args.get(1).is_none_or(|a| a != "new") {
            return None;
        }
        let just_new = clap::Command::new("newsvc")
            .subcommand(NewArgs::augment_args(clap::Command::new("new")));
        just_new
            .try_get_matches_from(args)
            .and_then(|matches| Cli::from_arg_matches(&matches))
            .ok()
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new service repository from a template.
    New(NewArgs),
    /// Merge the template's newer version (or changed answers) into this repository.
    Upgrade(UpgradeArgs),
    /// Bring an existing repository (not made by newsvc) under management.
    Adopt(AdoptArgs),
    /// Template source, recorded and latest version, and whether an upgrade is due.
    Status(StatusArgs),
    /// The team's customisations against the pristine render of the recorded version.
    Diff(DiffArgs),
    /// Status, upgrade or grade many repositories at once.
    Fleet(FleetArgs),
    /// List, show and check template sets.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Render a template's snapshot cases and compare them with committed folders (CI), or update them.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Grade a repository against the rubric: bronze, silver, gold or platinum, and why.
    Grade(GradeArgs),
    /// Size a Fargate task's CPU and memory from observed utilisation (and write it to an environment).
    Rightsize(RightsizeArgs),
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Where a template comes from, shared by every command that renders.
#[derive(Debug, Clone, Args)]
pub struct TemplateArgs {
    /// Template source: a built-in name (`service`), a folder, or a git
    /// `URL@REF[//SUBDIR]`. Default: `$NEWSVC_TEMPLATE`, the user config, then `service`.
    #[arg(long, short = 't', value_name = "SOURCE", env = "NEWSVC_TEMPLATE")]
    pub template: Option<String>,
    /// Use cached git templates only; never fetch.
    #[arg(long)]
    pub offline: bool,
}

/// Answers given on the command line.
#[derive(Debug, Clone, Args)]
pub struct AnswerArgs {
    /// Answer a question: `--set owner=payments`, `--set datastores=postgres,redis`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// A YAML file of answers (question: value); flags override it.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Never prompt: take defaults for everything not given (also implied without a terminal).
    #[arg(long)]
    pub defaults: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The service name (lowercase kebab-case, 3-20 characters).
    pub name: Option<String>,
    /// Shorthand for `--set language=LANG`.
    #[arg(long, short = 'l', value_name = "LANG")]
    pub lang: Option<String>,
    /// Shorthand for `--set kind=KIND`.
    #[arg(long, short = 'k', value_name = "KIND")]
    pub kind: Option<String>,
    #[command(flatten)]
    pub answers: AnswerArgs,
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Where to create the repository (default: ./NAME).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Do not create a git repository.
    #[arg(long)]
    pub no_git: bool,
    /// Print the files that would be written, with sizes; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write into an existing non-empty folder (files the template does not produce are kept).
    #[arg(long)]
    pub force: bool,
    /// Run the template's hooks even if its source is not trusted in the user config.
    #[arg(long)]
    pub trust: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List the built-in templates and the configured default.
    List,
    /// Show a template's version, questions, choices and defaults.
    Show {
        /// Template source (default: the configured default template).
        source: Option<String>,
        #[arg(long)]
        offline: bool,
    },
    /// Lint a template: render every snapshot case and report syntax errors,
    /// undefined variables, unused questions, bad conditions, file rules
    /// matching nothing, invalid cases and colliding paths (exit 1 on findings).
    Validate {
        /// Template source (default: the configured default template).
        source: Option<String>,
        /// Use cached git templates only; never fetch.
        #[arg(long)]
        offline: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Compare every case's render with `DIR/<case>/`: print the drift and exit 1, or exit 0 when identical.
    Check(SnapshotArgs),
    /// Rewrite `DIR/<case>/` to match the renders; remove stale case folders and files.
    Update(SnapshotArgs),
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub template: TemplateArgs,
    /// The folder holding one folder per case (default: `snapshots/` beside the template's template.yaml).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Only this case (repeatable); default: every case in template.yaml.
    #[arg(long = "case", value_name = "NAME")]
    pub cases: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// The repository (default: the current folder).
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Upgrade to exactly this template version.
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    #[command(flatten)]
    pub answers: AnswerArgs,
    /// Print the per-file plan and the template's changelog; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Merge and stage, but do not commit (conclude with `git commit`).
    #[arg(long)]
    pub no_commit: bool,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The repository (default: the current folder).
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub template: TemplateArgs,
    #[command(flatten)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The repository (default: the current folder).
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Exit 1 when an upgrade is due (for CI).
    #[arg(long)]
    pub check: bool,
    /// Output format.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The repository (default: the current folder).
    pub path: Option<PathBuf>,
    /// Use cached git templates only.
    #[arg(long)]
    pub offline: bool,
}

/// `newsvc grade [PATH]` and `newsvc grade attest`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GradeArgs {
    #[command(subcommand)]
    pub command: Option<GradeCommand>,
    /// The repository to grade (default: the current folder).
    pub path: Option<PathBuf>,
    /// A rubric file replacing the embedded default (format: docs/grading.md).
    #[arg(long, value_name = "FILE", env = "NEWSVC_RUBRIC")]
    pub rubric: Option<PathBuf>,
    /// Exit 1 when the overall level is below LEVEL (bronze, silver, gold, platinum).
    #[arg(long, value_name = "LEVEL")]
    pub min: Option<String>,
    /// Output: a text table, JSON (docs/grade.schema.json), Markdown for a PR comment, or an SVG badge.
    #[arg(long, short = 'f', value_enum, default_value_t = GradeFormat::Text)]
    pub format: GradeFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The template's latest version (default: read from the template source in .newsvc.yml).
    #[arg(long, value_name = "VERSION")]
    pub latest_version: Option<String>,
    /// Use cached git templates only when looking up the latest version.
    #[arg(long)]
    pub offline: bool,
    /// Grade as of this date, YYYY-MM-DD (default: today, UTC); decides which attestations expired.
    #[arg(long, value_name = "DATE", env = "NEWSVC_TODAY")]
    pub today: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GradeFormat {
    Text,
    Json,
    #[value(alias = "md")]
    Markdown,
    Svg,
}

#[derive(Debug, Subcommand)]
pub enum GradeCommand {
    /// Record a human review of a check in .newsvc/attestations.yaml (commit the file).
    Attest(AttestArgs),
}

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The rubric check reviewed (an `attestation` check, e.g. code-review).
    pub check: String,
    /// Who reviewed.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// What was reviewed and concluded.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Days the review counts (default: the check's `valid_days`).
    #[arg(long, value_name = "DAYS")]
    pub expires_in: Option<u32>,
    /// The repository (default: the current folder).
    #[arg(long, short = 'C', value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// A rubric file replacing the embedded default.
    #[arg(long, value_name = "FILE", env = "NEWSVC_RUBRIC")]
    pub rubric: Option<PathBuf>,
    /// The date of the review, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "DATE", env = "NEWSVC_TODAY")]
    pub today: Option<String>,
}

/// `newsvc rightsize`.
#[derive(Debug, Args)]
pub struct RightsizeArgs {
    /// The task's CPU units now (1024 = 1 vCPU).
    #[arg(long, value_name = "UNITS")]
    pub cpu: u64,
    /// Observed average CPU utilisation, in % (e.g. 30).
    #[arg(long, value_name = "PCT")]
    pub cpu_util: String,
    /// CPU utilisation to aim for, in % (default 60, the autoscaling target).
    #[arg(long, value_name = "PCT")]
    pub target: Option<String>,
    /// The task's memory now, in MiB.
    #[arg(long, value_name = "MIB")]
    pub memory: Option<u64>,
    /// Observed average memory utilisation, in %.
    #[arg(long, value_name = "PCT")]
    pub memory_util: Option<String>,
    /// Memory utilisation to aim for, in % (default 70).
    #[arg(long, value_name = "PCT")]
    pub memory_target: Option<String>,
    /// Write the result into terraform/ENV/terraform.tfvars (other lines are kept as they are).
    #[arg(long, value_name = "ENV")]
    pub apply: Option<String>,
    /// The repository (default: the current folder).
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: FleetCommand,
    /// Repository folders (globs are expanded by the shell).
    #[arg(global = true)]
    pub repos: Vec<PathBuf>,
    /// A file listing repositories, one path per line (`#` comments).
    #[arg(long, global = true, value_name = "FILE")]
    pub list: Option<PathBuf>,
    /// Parallel jobs (default: the number of cores).
    #[arg(long, short = 'j', global = true)]
    pub jobs: Option<usize>,
    /// Output format of the summary.
    #[arg(long, global = true, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
    /// Use cached git templates only.
    #[arg(long, global = true)]
    pub offline: bool,
    /// Template source for status and upgrade (default: the one each repository records).
    #[arg(long, short = 't', global = true, value_name = "SOURCE")]
    pub template: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Template version per repository: behind or current, and the owner.
    Status,
    /// Create an upgrade branch per repository that is behind (no checkout, no working tree change).
    Upgrade {
        /// Upgrade to exactly this version.
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
        /// Branch name; `{version}` is replaced by the target version.
        #[arg(long, default_value = "newsvc/upgrade-{version}")]
        branch: String,
    },
    /// Grade every repository; `--html FILE` writes the scorecard page.
    Grade {
        /// Rubric file (default: the embedded rubric).
        #[arg(long, value_name = "FILE")]
        rubric: Option<PathBuf>,
        /// Write a self-contained HTML scorecard.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// The date attestations are judged against (default: today; also `NEWSVC_TODAY`).
        #[arg(long, env = "NEWSVC_TODAY", value_name = "YYYY-MM-DD")]
        today: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn new_reads_the_same_by_its_own_definition_as_by_the_full_one() {
        for line in [
            "newsvc new billing-api --set owner=payments --defaults --no-git -o out",
            "newsvc new",
            "newsvc new -l python -k worker --set a=b --set c=d,e --answers a.yml",
            "newsvc new x --template ../t --offline --dry-run --force --trust",
            "newsvc new --output=o --lang=rust x",
        ] {
            let alone = Cli::parse_new_alone(&args(line))
                .unwrap_or_else(|| panic!("`{line}` falls back to the full definition"));
            let full = Cli::try_parse_from(args(line)).unwrap();
            assert_eq!(format!("{alone:?}"), format!("{full:?}"), "{line}");
        }
    }

    #[test]
    fn help_and_errors_come_from_the_full_definition() {
        for line in [
            "newsvc new --help",
            "newsvc new --bogus",
            "newsvc new --set",
            "newsvc new a b",
            "newsvc new --version",
            "newsvc nwe x",
        ] {
            assert!(Cli::parse_new_alone(&args(line)).is_none(), "{line}");
            let got = Cli::parse_from_args(args(line)).unwrap_err();
            let full = Cli::try_parse_from(args(line)).unwrap_err();
            assert_eq!(got.kind(), full.kind(), "{line}");
            assert_eq!(got.to_string(), full.to_string(), "{line}");
        }
    }
}
