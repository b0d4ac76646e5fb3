//! `newsvc rightsize`: flags → a checked sizing request → the pure plan
//! (`crate::rightsize`), printed with its arithmetic; with `--apply ENV`, the
//! new pair written into `terraform/<ENV>/terraform.tfvars`, every other line
//! kept byte for byte.

use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::cli::RightsizeArgs;
use crate::error::{Error, Result};
use crate::rightsize::{
    self, DEFAULT_CPU_TARGET, DEFAULT_MEMORY_TARGET, MemoryInput, Percent, Request,
};

/// Runs `rightsize`.
pub(crate) fn run(args: &RightsizeArgs) -> Result<Outcome> {
    let cpu_util = Percent::parse(&args.cpu_util, "--cpu-util")?;
    let cpu_target = Percent::parse(
        args.target.as_deref().unwrap_or(DEFAULT_CPU_TARGET),
        "--target",
    )?;
    let memory = match (args.memory, &args.memory_util) {
        (Some(memory), Some(util)) => Some(MemoryInput {
            memory,
            util: Percent::parse(util, "--memory-util")?,
            target: Percent::parse(
                args.memory_target
                    .as_deref()
                    .unwrap_or(DEFAULT_MEMORY_TARGET),
                "--memory-target",
            )?,
        }),
        (Some(_), None) => {
            return Err(Error::Usage(
                "--memory needs --memory-util (the observed average memory utilisation, in %)"
                    .into(),
            ));
        }
        (None, Some(_)) => {
            return Err(Error::Usage(
                "--memory-util needs --memory (the task's memory now, in MiB)".into(),
            ));
        }
        (None, None) if args.memory_target.is_some() => {
            return Err(Error::Usage(
                "--memory-target needs --memory and --memory-util".into(),
            ));
        }
        (None, None) => None,
    };
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let tfvars = match &args.apply {
        Some(env) => Some(read_tfvars(&root, env)?),
        None => None,
    };
    let (file_cpu, file_memory) = tfvars
        .as_ref()
        .map_or((None, None), |(_, text)| rightsize::read_sizes(text));
    let request = Request {
        cpu: args.cpu,
        cpu_util,
        cpu_target,
        memory,
        current_memory: file_memory,
    };
    let plan = rightsize::plan(&request)?;
    print!("{}", plan.render());

    let Some((file, text)) = tfvars else {
        println!(
            "apply it to an environment with --apply ENV (rewrites terraform/ENV/terraform.tfvars)"
        );
        return Ok(Outcome::Ok);
    };
    if let Some(current) = file_cpu.filter(|c| *c != args.cpu) {
        eprintln!(
            "note: {} has cpu = {current}, but --cpu says {}; the arithmetic uses --cpu",
            file.display(),
            args.cpu
        );
    }
    if file_cpu == Some(plan.cpu) && file_memory == Some(plan.memory) {
        println!(
            "{} already has cpu = {} and memory = {}; nothing to change",
            file.display(),
            plan.cpu,
            plan.memory
        );
        return Ok(Outcome::Ok);
    }
    let updated =
        rightsize::rewrite_tfvars(&text, plan.cpu, plan.memory, &file.display().to_string())?;
    super::grade::write_atomically(&file, updated.as_bytes())?;
    println!(
        "updated {}: cpu {} → {}, memory {} → {}; review with `git diff`, then let the pipeline plan and apply it",
        file.display(),
        file_cpu.map_or_else(|| "?".into(), |c| c.to_string()),
        plan.cpu,
        file_memory.map_or_else(|| "?".into(), |m| m.to_string()),
        plan.memory
    );
    Ok(Outcome::Ok)
}

/// `terraform/<env>/terraform.tfvars` under `root`, read.
fn read_tfvars(root: &Path, env: &str) -> Result<(PathBuf, String)> {
    if env.is_empty() || env.contains(['/', '\\']) || env == "." || env == ".." {
        return Err(Error::Usage(format!(
            "invalid --apply `{env}`: give an environment name such as dev, staging or prod"
        )));
    }
    let terraform = root.join("terraform");
    let file = terraform.join(env).join("terraform.tfvars");
    match std::fs::read_to_string(&file) {
        Ok(text) => Ok((file, text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut envs: Vec<String> = std::fs::read_dir(&terraform)
                .map(|entries| {
                    entries
                        .filter_map(std::result::Result::ok)
                        .filter(|e| e.path().join("terraform.tfvars").is_file())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            envs.sort();
            let known = if envs.is_empty() {
                format!("no environment under `{}` has one", terraform.display())
            } else {
                format!("environments: {}", envs.join(", "))
            };
            Err(Error::NotARepo {
                path: file,
                reason: format!("does not exist ({known}); pass the repository folder as PATH"),
            })
        }
        Err(e) => Err(Error::io("cannot read", &file)(e)),
    }
}
