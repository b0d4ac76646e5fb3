//! The commands: each turns raw CLI input into a checked plan, calls the pure
//! core, and performs the side effects at the end.

mod fleet;
mod grade;
pub(crate) mod new;
mod rightsize;
mod snapshot;
mod templates;
mod upgrade;

use clap::CommandFactory;

use crate::Outcome;
use crate::cli::{Cli, Command, TemplateArgs};
use crate::config::UserConfig;
use crate::error::Result;
use crate::source::{self, TemplateSet, git::FetchOptions};

pub use new::run_new;

/// Runs one parsed command.
pub fn dispatch(command: Command) -> Result<Outcome> {
    match command {
        Command::New(args) => new::run_new(&args),
        Command::Fleet(args) => fleet::run(&args),
        Command::Templates(t) => templates::run(t),
        Command::Snapshot(s) => snapshot::run(s),
        Command::Upgrade(args) => upgrade::run_upgrade(&args),
        Command::Adopt(args) => upgrade::run_adopt(&args),
        Command::Status(args) => upgrade::run_status(&args),
        Command::Diff(args) => upgrade::run_diff(&args),
        Command::Grade(args) => grade::run(&args),
        Command::Rightsize(args) => rightsize::run(&args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "newsvc", &mut std::io::stdout());
            Ok(Outcome::Ok)
        }
    }
}

/// The template source to use: the flag (or `$NEWSVC_TEMPLATE`), the user
/// config, then the embedded default.
pub fn template_source(flag: Option<&str>, config: &UserConfig) -> String {
    flag.map(str::to_string)
        .or_else(|| config.template.clone())
        .unwrap_or_else(|| source::DEFAULT_TEMPLATE.to_string())
}

/// Loads the template named by `args` (or the configured default).
pub fn load_template(args: &TemplateArgs, config: &UserConfig) -> Result<TemplateSet> {
    let source = template_source(args.template.as_deref(), config);
    source::load(
        &source,
        &FetchOptions {
            offline: args.offline,
            cache_dir: None,
        },
    )
}

/// `s` as one shell word, quoted only when it needs to be (for the commands
/// newsvc prints for the user to run).
pub(crate) fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
