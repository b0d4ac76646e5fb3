//! `newsvc new`: answers → render → staged write → pristine first commit.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::Outcome;
use crate::answers::{self, Provided, ProvidedAnswers, Raw, Resolved};
use crate::cli::{AnswerArgs, NewArgs};
use crate::config::UserConfig;
use crate::error::{Error, Result};
use crate::hooks;
use crate::pack;
use crate::prompt;
use crate::render;
use crate::repo;
use crate::source::TemplateSet;
use crate::tree::FileTree;
use crate::write;

/// Collects the answers given by `--answers FILE` and `--set`, flags last
/// (they win). `extra` are dedicated flags such as `--lang`.
pub(crate) fn provided_answers(
    args: &AnswerArgs,
    extra: &[(&str, Option<&String>, &str)],
) -> Result<ProvidedAnswers> {
    let mut layers = Vec::new();
    if let Some(file) = &args.answers {
        let text = std::fs::read_to_string(file)
            .map_err(Error::io("cannot read the answers file", file))?;
        layers.push(answers::from_yaml(&text, &file.to_string_lossy())?);
    }
    let mut flags = ProvidedAnswers::new();
    for (key, value, origin) in extra {
        if let Some(v) = value {
            flags.insert(
                (*key).to_string(),
                Provided {
                    raw: Raw::Text((*v).clone()),
                    origin: (*origin).to_string(),
                },
            );
        }
    }
    for s in &args.set {
        let (k, v) = answers::parse_set(s)?;
        flags.insert(
            k.clone(),
            Provided {
                raw: Raw::Text(v),
                origin: format!("--set {k}"),
            },
        );
    }
    layers.push(flags);
    Ok(answers::layer(layers))
}

/// Resolves answers, prompting on a terminal unless `defaults` is set.
pub(crate) fn resolve_answers(
    set: &TemplateSet,
    provided: &ProvidedAnswers,
    config: &UserConfig,
    defaults: bool,
    title: &str,
) -> Result<Resolved> {
    let config_defaults = config.default_answers(&set.manifest.variable_names());
    if !defaults && prompt::can_prompt() {
        let mut asker = prompt::TerminalAsker::default();
        let resolved = answers::resolve_set(set, provided, &config_defaults, Some(&mut asker))?;
        if !prompt::confirm_summary(title, &resolved.recorded)? {
            return Err(Error::Cancelled);
        }
        Ok(resolved)
    } else {
        answers::resolve_set(set, provided, &config_defaults, None)
    }
}

/// The staging folder, with an empty repository in it unless `--no-git`,
/// made while the answers are resolved and the files rendered. The
/// repository is made on a thread of its own: it is a few dozen small
/// files and several rewrites of its config, as long as the rest of the
/// command's serial work. Without git, the rendered files are written into
/// the folder as they come (`write::EarlyWrites`), and the first of them
/// makes it (a thread of its own would start late: on two cores the
/// render's two threads come first). With git they are not: they are
/// written after the render, while the first commit is made on the other
/// core; written during the render, they left the commit alone at the end
/// (0.45 ms slower on this project's 2-core VM). Dropping it waits for the
/// thread, so an error elsewhere leaves nothing behind.
type Made = (write::Staging, Option<repo::NewRepo>);
struct StagingAhead {
    early: Option<std::sync::Arc<write::EarlyWrites>>,
    repository: Option<std::thread::JoinHandle<Result<repo::NewRepo>>>,
}

impl StagingAhead {
    /// Starts, when the run writes into a folder that exists already and
    /// asks no questions (an interactive run could keep a folder waiting
    /// for minutes).
    fn start(args: &NewArgs) -> StagingAhead {
        let none = StagingAhead {
            early: None,
            repository: None,
        };
        let parent = match &args.output {
            Some(target) => {
                let refused = write::is_non_empty_dir(target) && !args.force;
                if refused || target.join(".git").exists() {
                    return none;
                }
                write::staging_parent(target).to_path_buf()
            }
            None => PathBuf::from("."),
        };
        if args.dry_run || asks(args) || !parent.is_dir() {
            return none;
        }
        let early = std::sync::Arc::new(write::EarlyWrites::in_folder(parent));
        let repository = (!args.no_git).then(|| {
            let early = early.clone();
            std::thread::spawn(move || match early.folder() {
                Some(folder) => repo::init_new(folder),
                None => Err(Error::Other("no staging folder".into())),
            })
        });
        StagingAhead {
            early: Some(early),
            repository,
        }
    }

    /// Whether a thread is making the repository.
    fn makes_repository(&self) -> bool {
        self.repository.is_some()
    }

    /// Where rendered files go as they come: without git only (with git
    /// the thread making the repository is at work).
    fn early_writes(&self) -> Option<&write::EarlyWrites> {
        self.early.as_deref().filter(|_| self.repository.is_none())
    }

    /// The staging folder and its repository, if they were made; called
    /// once nothing writes into the folder any more. If making them failed,
    /// the command makes them again the usual way, and reports the error
    /// where it happens then.
    fn take(mut self) -> Option<Made> {
        let new = match self.repository.take() {
            Some(thread) => Some(
                thread
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
                    .ok()?,
            ),
            None => None,
        };
        // The thread has ended and the render is over: no other handle.
        let early = std::sync::Arc::try_unwrap(self.early.take()?).ok()?;
        Some((early.into_staging()?, new))
    }
}

impl Drop for StagingAhead {
    fn drop(&mut self) {
        // Once the repository's thread is done, the staging folder goes
        // with `early`, dropped next.
        if let Some(handle) = self.repository.take() {
            let _ = handle.join();
        }
    }
}

/// Whether the run may prompt (an interactive run could keep a staging
/// folder waiting for minutes).
fn asks(args: &NewArgs) -> bool {
    !args.answers.defaults && prompt::can_prompt()
}

pub fn run_new(args: &NewArgs) -> Result<Outcome> {
    // Without git and without prompts, the staging folder comes with the
    // first rendered file, once everything the run reads has been read:
    // Ctrl-C can wait for the check made before the folder is moved into
    // place (see `write::defer_interrupts`).
    if args.no_git && !asks(args) {
        write::defer_interrupts();
    }
    let ahead = StagingAhead::start(args);
    let config = UserConfig::load()?;
    // The templates are parsed while the answers are resolved, and, without
    // git, each file is written as soon as it is rendered.
    let write_early = ahead.early_writes().map(|early| {
        move |path: &str, bytes: &[u8], executable: bool| early.write(path, bytes, executable)
    });
    let answer = |set: &TemplateSet| {
        let provided = provided_answers(
            &args.answers,
            &[
                ("service_name", args.name.as_ref(), "the NAME argument"),
                ("language", args.lang.as_ref(), "--lang"),
                ("kind", args.kind.as_ref(), "--kind"),
            ],
        )?;
        let title = format!(
            "New repository from {}@{}:",
            set.manifest.name, set.manifest.version
        );
        let resolved = resolve_answers(set, &provided, &config, args.answers.defaults, &title)?;
        let context = render::context(set, &resolved)?;
        Ok((resolved, context))
    };
    let deliver = write_early.as_ref().map(|w| w as render::Deliver<'_>);
    // The template is loaded while the render's helper thread starts,
    // unless the thread making the repository has the other core then
    // (the helper started early made `new` 0.19 ms slower with git, and
    // 0.07 ms faster without).
    let loaded = std::sync::OnceLock::new();
    let (set, rendered) = if ahead.makes_repository() {
        let set = super::load_template(&args.template, &config)?;
        let set = loaded.get_or_init(move || set);
        (
            set,
            render::render_repo_after(set, || answer(set), deliver)?,
        )
    } else {
        render::render_repo_loading(
            || {
                let set = super::load_template(&args.template, &config)?;
                Ok(loaded.get_or_init(move || set))
            },
            answer,
            deliver,
        )?
    };
    let render::RepoRender {
        resolved,
        context,
        tree,
    } = rendered;
    let hook_plan = hooks::plan(set, &context, args.trust, &config)?;
    let target = match &args.output {
        Some(dir) => dir.clone(),
        None => match resolved.all.get("service_name") {
            Some(answers::Value::Str(name)) if !name.is_empty() => PathBuf::from(name),
            _ => return Err(Error::Usage("no --output given and the template has no `service_name` answer to name the folder".into())),
        },
    };
    if args.dry_run {
        print_plan(&tree, &target, args.no_git);
        for hook in &hook_plan.hooks {
            println!(
                "{} hook: {}",
                if hook_plan.trusted {
                    "would run"
                } else {
                    "would skip (untrusted source)"
                },
                hook.run
            );
        }
        crate::leave_to_exit((loaded, resolved, context, tree));
        return Ok(Outcome::Ok);
    }
    let subject = format!(
        "Create {} from template {}@{}",
        target
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        set.manifest.name,
        set.manifest.version
    );
    let message = repo::pristine_message(
        &subject,
        &set.manifest.name,
        &set.manifest.version,
        &set.origin.source,
    );
    // `--force` into a folder that already is a repository: no commit there.
    let git_skipped_existing = !args.no_git && target.join(".git").exists();
    let git = !args.no_git && !git_skipped_existing;
    // Made ahead for another folder or git setting (the NAME folder turned
    // out to hold a repository): dropped, and made again below.
    let (staged, made) = match ahead.take() {
        Some((staging, new))
            if new.is_some() == git
                && staging.path().parent() == Some(write::staging_parent(&target)) =>
        {
            (Some(staging), new)
        }
        _ => (None, None),
    };
    let mut identity_fallback = false;
    let written = write::write_new(
        &tree,
        &target,
        args.force,
        staged,
        // The first commit is made on a thread of its own while the files
        // are written (it touches only `.git`).
        git.then_some(|staged: &std::path::Path| {
            let objects = || pack::tree_objects(&tree);
            match made {
                Some(new) => repo::first_commit(new, objects, &message),
                // No repository yet: it is created while yet another thread
                // hashes the objects.
                None => std::thread::scope(|scope| {
                    let objects = scope.spawn(objects);
                    let objects = || {
                        objects
                            .join()
                            .unwrap_or_else(|p| std::panic::resume_unwind(p))
                    };
                    repo::init_with_pack(staged, objects, &message)
                }),
            }
            .map(|(_, fallback)| fallback)
        }),
        |staged, committed| {
            if hook_plan.will_run() {
                // Hooks may take long: Ctrl-C must stop them at once.
                write::interrupt_at_once()?;
            }
            hooks::run(&hook_plan, staged)?;
            if committed.is_some() && hook_plan.will_run() {
                hooks::commit_changes(staged, &hook_plan)?;
            }
            identity_fallback = committed == Some(true);
            Ok(())
        },
    )?;
    // One write: stderr is unbuffered, and each piece of a formatted line
    // was a system call of its own (twenty for these lines).
    let mut report = format!(
        "created {} ({} files) from {}@{}\n",
        target.display(),
        tree.len(),
        set.manifest.name,
        set.manifest.version
    );
    if hook_plan.skips() {
        report += &hooks::skipped_message(&hook_plan, &set.origin.source);
        report.push('\n');
    }
    for kept in &written.kept {
        let _ = writeln!(
            report,
            "  kept existing {kept} (written once, never overwritten)"
        );
    }
    if identity_fallback {
        let _ = writeln!(
            report,
            "note: git has no user.name/user.email; the first commit is by `{} <{}>`. Set yours with `git config --global user.name ...` and `user.email`.",
            repo::FALLBACK_NAME,
            repo::FALLBACK_EMAIL
        );
    }
    if git_skipped_existing {
        let _ = writeln!(
            report,
            "note: `{}` already is a git repository; no commit was made (see `newsvc adopt`)",
            target.display()
        );
    }
    // `./run.sh` is the default template's; another template may not have one.
    let run = if tree.get("run.sh").is_some_and(|f| f.executable) {
        " && ./run.sh"
    } else {
        ""
    };
    let _ = writeln!(
        report,
        "\nnext steps:\n  cd {}{run}",
        super::shell_word(&target.display().to_string())
    );
    eprint!("{report}");
    crate::leave_to_exit((loaded, resolved, context, tree, hook_plan));
    Ok(Outcome::Ok)
}

fn print_plan(tree: &FileTree, target: &std::path::Path, no_git: bool) {
    println!(
        "would write {} files ({}) to {}{}",
        tree.len(),
        human_size(tree.total_bytes()),
        target.display(),
        if no_git {
            ""
        } else {
            " and make the first git commit"
        }
    );
    for (path, entry) in tree.iter() {
        println!(
            "{:>9}  {path}{}",
            human_size(entry.bytes.len()),
            if entry.executable {
                " (executable)"
            } else {
                ""
            }
        );
    }
}

/// A size in B / KiB / MiB.
pub(crate) fn human_size(bytes: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    }
}
