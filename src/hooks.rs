//! Template hooks: the commands a template declares under `hooks:` (e.g.
//! `cargo generate-lockfile`) to run in the freshly rendered repository,
//! in the staged folder, before it is moved into place by `newsvc new`.
//!
//! This module owns three decisions and one side effect:
//! - which hooks apply to an answer set (each hook's optional `when`);
//! - whether they may run: only with `--trust`, or when the template source
//!   starts with a `trusted_sources` prefix of the user config; otherwise
//!   they are skipped and the user is told what was skipped and how to trust;
//! - after the pristine first commit, committing what the hooks changed as a
//!   second commit, so the pristine render stays the template's own output;
//! - running them: `sh -c RUN` in the staged folder, stdin closed, output
//!   captured. A failing hook is an `Error::Hook` carrying its output, and
//!   the caller's staging guard removes the folder: nothing is written.
//!
//! Each hook sees the answers and computed values as `NEWSVC_ANSWER_<NAME>`
//! environment variables (lists comma-separated).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::answers::Answers;
use crate::config::UserConfig;
use crate::error::{Error, Result};
use crate::expr;
use crate::manifest::Hook;
use crate::source::TemplateSet;

/// The hooks that apply to one render, and whether they may run.
#[derive(Debug, Clone, Default)]
pub struct HookPlan {
    pub hooks: Vec<Hook>,
    pub trusted: bool,
    /// Answers and computed values, passed to the hooks as environment.
    pub env: Vec<(String, String)>,
}

impl HookPlan {
    /// Whether there are hooks and they may run.
    pub fn will_run(&self) -> bool {
        self.trusted && !self.hooks.is_empty()
    }

    /// Whether there are hooks that will be skipped for lack of trust.
    pub fn skips(&self) -> bool {
        !self.trusted && !self.hooks.is_empty()
    }
}

/// Decides which of `set`'s hooks apply under `context` (answers plus
/// computed values) and whether they may run.
pub fn plan(
    set: &TemplateSet,
    context: &Answers,
    trust_flag: bool,
    config: &UserConfig,
) -> Result<HookPlan> {
    let tera = expr::shared();
    let ctx = context.to_context();
    let mut hooks = Vec::new();
    for hook in &set.manifest.hooks {
        let on = match &hook.when {
            Some(when) => expr::eval_condition(tera, when, &ctx).map_err(|m| Error::Manifest {
                file: format!("{}/{}", set.origin.source, crate::manifest::MANIFEST_FILE),
                line: crate::manifest::line_of(&set.manifest_text, when),
                message: format!("hook `{}`: `when: {when}` fails to evaluate: {m}", hook.run),
            })?,
            None => true,
        };
        if on {
            hooks.push(hook.clone());
        }
    }
    let env = context
        .iter()
        .map(|(k, v)| {
            (
                format!("NEWSVC_ANSWER_{}", k.to_ascii_uppercase()),
                v.display(),
            )
        })
        .collect();
    Ok(HookPlan {
        hooks,
        trusted: trust_flag || config.trusts(&set.origin.source),
        env,
    })
}

/// What to tell the user when hooks were skipped: each command, and the two
/// ways to trust the source.
pub fn skipped_message(plan: &HookPlan, source: &str) -> String {
    let config = UserConfig::path().map_or_else(
        || "the user config".to_string(),
        |p| p.display().to_string(),
    );
    let count = plan.hooks.len();
    let mut message = format!(
        "skipped {count} hook{} of this template: its source `{source}` is not trusted to run commands on this machine:\n",
        if count == 1 { "" } else { "s" }
    );
    for hook in &plan.hooks {
        let _ = writeln!(
            message,
            "  - {}{}",
            hook.run,
            hook.description
                .as_deref()
                .map_or(String::new(), |d| format!("  ({})", d.trim()))
        );
    }
    let _ = write!(
        message,
        "to run them, read them and then pass --trust, or add the source (or a prefix of it) to `trusted_sources:` in {config}"
    );
    message
}

/// Runs the planned hooks, in order, in `dir`. Stops at the first failure.
pub fn run(plan: &HookPlan, dir: &Path) -> Result<()> {
    if !plan.will_run() {
        return Ok(());
    }
    for hook in &plan.hooks {
        eprintln!("running hook: {}", hook.run);
        let output = Command::new("sh")
            .arg("-c")
            .arg(&hook.run)
            .current_dir(dir)
            .envs(plan.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Hook {
                run: hook.run.clone(),
                status: format!("could not start `sh`: {e}"),
                output: String::new(),
            })?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if !output.status.success() {
            return Err(Error::Hook {
                run: hook.run.clone(),
                status: output.status.to_string(),
                output: text,
            });
        }
        for line in text.lines() {
            eprintln!("  | {line}");
        }
    }
    Ok(())
}

/// Commits whatever the hooks changed in the repository at `dir` on top of
/// the pristine first commit. Returns whether there was anything to commit.
pub fn commit_changes(dir: &Path, plan: &HookPlan) -> Result<bool> {
    let repo = git2::Repository::open(dir).map_err(Error::git("open the new repository"))?;
    let mut index = repo.index().map_err(Error::git("open index"))?;
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .map_err(Error::git("stage the hooks' changes"))?;
    index
        .update_all(["*"], None)
        .map_err(Error::git("stage the hooks' changes"))?;
    index.write().map_err(Error::git("write index"))?;
    let tree_id = index.write_tree().map_err(Error::git("write tree"))?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(Error::git("read the first commit"))?;
    if head.tree_id() == tree_id {
        return Ok(false);
    }
    let tree = repo.find_tree(tree_id).map_err(Error::git("find tree"))?;
    let (sig, _) = crate::repo::signature(&repo)?;
    let list = plan.hooks.iter().fold(String::new(), |mut list, h| {
        let _ = writeln!(list, "- {}", h.run);
        list
    });
    let message = format!(
        "Run the template's hooks\n\nWhat these commands changed after the pristine render:\n\n{list}"
    );
    repo.commit(Some("HEAD"), &sig, &sig, &message, &tree, &[&head])
        .map_err(Error::git("commit the hooks' changes"))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Value;
    use crate::manifest::Manifest;
    use crate::source::Origin;

    fn set(source: &str) -> TemplateSet {
        let text = "name: t\nversion: 1.0.0\nquestions:\n  - name: lang\n    type: string\nhooks:\n  - run: echo always\n  - run: cargo generate-lockfile\n    when: lang == \"rust\"\n";
        TemplateSet {
            manifest: Manifest::parse(text, "template.yaml").unwrap(),
            manifest_text: text.into(),
            files: vec![],
            changelog: None,
            origin: Origin {
                source: source.into(),
                commit: None,
                dir: None,
            },
        }
    }

    fn answers(lang: &str) -> Answers {
        let mut a = Answers::default();
        a.insert("lang", Value::Str(lang.into()));
        a
    }

    #[test]
    fn when_selects_hooks_and_trust_comes_from_flag_or_config() {
        let config = UserConfig {
            trusted_sources: vec!["https://git.acme.io/platform/".into()],
            ..UserConfig::default()
        };
        let p = plan(
            &set("https://git.acme.io/platform/t.git@v1"),
            &answers("python"),
            false,
            &config,
        )
        .unwrap();
        assert_eq!(
            p.hooks.iter().map(|h| h.run.as_str()).collect::<Vec<_>>(),
            vec!["echo always"]
        );
        assert!(p.will_run());
        assert_eq!(
            p.env,
            vec![("NEWSVC_ANSWER_LANG".to_string(), "python".to_string())]
        );

        let p = plan(
            &set("https://elsewhere/t.git@v1"),
            &answers("rust"),
            false,
            &config,
        )
        .unwrap();
        assert_eq!(p.hooks.len(), 2);
        assert!(p.skips() && !p.will_run());
        let m = skipped_message(&p, "https://elsewhere/t.git@v1");
        assert!(
            m.contains("skipped 2 hooks")
                && m.contains("  - cargo generate-lockfile")
                && m.contains("--trust"),
            "{m}"
        );

        assert!(
            plan(
                &set("https://elsewhere/t.git@v1"),
                &answers("rust"),
                true,
                &config
            )
            .unwrap()
            .will_run()
        );
    }
}
