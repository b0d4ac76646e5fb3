//! The one error type of newsvc: every failure a user can cause or meet, with
//! the offending value, where it is, and what to do. `Error::exit_code` maps
//! each to the documented exit codes (2 for usage, input and environment).

use std::path::PathBuf;

/// Result with newsvc's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `template.yaml` that does not parse or does not make sense.
    #[error("{file}:{line}: {message}")]
    Manifest {
        file: String,
        line: usize,
        message: String,
    },

    /// A question's `when` or default that fails to evaluate with the answers
    /// given so far. Commands place it in the manifest (`TemplateSet::locate`).
    #[error("{}: question `{question}`: {message}", crate::manifest::MANIFEST_FILE)]
    QuestionRule {
        question: String,
        /// The manifest field: `when` or `default`.
        field: &'static str,
        message: String,
    },

    /// A YAML document given by the user (answers file, config, rubric).
    #[error("{file}:{line}:{column}: {message}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A template file that tera cannot parse or render; `report` carries tera's
    /// own `--> file:line:col` pointer.
    #[error("template file `{file}` does not render:\n{report}")]
    Template { file: String, report: String },

    /// A rendered path that would land outside the target directory.
    #[error(
        "template file `{file}` renders to `{path}`, which {reason}; template paths must stay inside the generated repository"
    )]
    UnsafePath {
        file: String,
        path: String,
        reason: String,
    },

    /// Two template files render to the same path.
    #[error("template files `{first}` and `{second}` both render to `{path}`")]
    PathCollision {
        first: String,
        second: String,
        path: String,
    },

    /// An answer that fails its question's validation.
    #[error("invalid answer for `{question}`: `{value}` {reason}")]
    InvalidAnswer {
        question: String,
        value: String,
        reason: String,
    },

    /// A `--set` or answers-file key the template has no question for.
    #[error("unknown question `{key}` (from {origin}); the template `{template}` asks: {valid}")]
    UnknownQuestion {
        key: String,
        origin: String,
        template: String,
        valid: String,
    },

    /// Answers that are needed but have no value and cannot be prompted for.
    #[error("missing answers (no terminal to ask, and no default):\n{}\nset them with the flags shown, or in an --answers file", .0.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n"))]
    MissingAnswers(Vec<String>),

    /// A command-line value that is malformed.
    #[error("{0}")]
    Usage(String),

    /// The target of `new` already holds files.
    #[error("`{}` already exists and is not empty; choose another --output, or pass --force to write over the files the template produces (other files are kept)", .0.display())]
    TargetNotEmpty(PathBuf),

    /// A template source that cannot be found or read.
    #[error("template source `{source_name}`: {message}")]
    Source {
        source_name: String,
        message: String,
    },

    /// Reading or writing a file failed.
    #[error("{action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A git operation failed.
    #[error("git: {context}: {message}")]
    Git { context: String, message: String },

    /// The user declined at the confirmation prompt or pressed Ctrl-C.
    #[error("cancelled; nothing was written")]
    Cancelled,

    /// Ctrl-C came while the command deferred it (see
    /// `write::defer_interrupts`); what was staged has been removed.
    #[error("interrupted; nothing was written")]
    Interrupted,

    /// A snapshot case of a template that does not resolve or render.
    #[error("case `{case}` of template `{template}`: {source}")]
    Case {
        case: String,
        template: String,
        #[source]
        source: Box<Error>,
    },

    /// A template hook that exited unsuccessfully; nothing was written.
    #[error("hook `{run}` failed ({status}); nothing was written.{}", if .output.trim().is_empty() { " It printed nothing.".to_string() } else { format!(" Its output:\n{}", .output.trim_end()) })]
    Hook {
        run: String,
        status: String,
        output: String,
    },

    /// A folder given to `grade` (or `rightsize --apply`) that is not a newsvc repository.
    #[error("`{}` {reason}", path.display())]
    NotARepo { path: PathBuf, reason: String },

    /// Any other input or environment problem, already phrased for the user.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The process exit code for this error: 130 for Ctrl-C, as a shell
    /// reports a process ended by SIGINT; otherwise 2 (usage, input or
    /// environment). Code 1 is reserved for commands that ran and found
    /// something.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Interrupted => 130,
            _ => 2,
        }
    }

    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }

    /// Wraps a git2 error with what was being done.
    pub fn git(context: impl Into<String>) -> impl FnOnce(git2::Error) -> Error {
        let context = context.into();
        move |e| Error::Git {
            context,
            message: e.message().to_string(),
        }
    }

    /// A YAML error from `serde_norway`, located in `file`.
    pub fn yaml(file: impl Into<String>, err: &serde_norway::Error) -> Error {
        let (line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
        let message = err.to_string();
        // serde_norway appends " at line L column C"; the location is already in front.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        Error::Yaml {
            file: file.into(),
            line,
            column,
            message,
        }
    }
}
