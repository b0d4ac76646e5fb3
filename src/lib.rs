//! newsvc: render standard service repositories from template sets, keep
//! them in step by git merges of pristine renders, and grade them.
//!
//! The pipeline: source → `TemplateSet`; answers → `Resolved`;
//! `render` → `FileTree` (pure); then disk, git, diff, snapshot or grade at
//! the edges. `run` returns the process exit code: 0 ok, 1 the command found
//! something (drift, conflicts, below a grade, upgrade due), 2 an error.

pub mod answers;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod error;
pub mod expr;
pub mod fleet;
pub mod grade;
pub mod hooks;
pub mod lint;
pub mod manifest;
pub mod merge;
pub mod pack;
pub mod prompt;
pub mod record;
pub mod render;
pub mod repo;
pub mod rightsize;
pub mod scorecard;
pub mod snapshot;
pub mod source;
pub mod tree;
pub mod upgrade;
pub mod validate;
pub mod write;

use std::ffi::OsString;

/// What a command reports back: success, or "ran and found something".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Found,
}

/// Parses `args`, runs the command and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match cli::Cli::parse_from_args(args.into_iter().collect()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    match cmd::dispatch(cli.command) {
        Ok(Outcome::Ok) => 0,
        Ok(Outcome::Found) => 1,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// How many threads parallel work here may use: the cores this process may
/// run on, asked once.
///
/// On Linux, one system call first: the CPUs this process may run on. The
/// standard library's answer also reads the cgroup CPU quota (three files
/// under `/proc` and `/sys`, 0.05 ms here, on the helper thread of every
/// `newsvc new`), which can only lower the count; it is asked only when more
/// than two CPUs are allowed, where the count decides how many helper
/// threads to start. With two or fewer, a quota does not matter to work this
/// short: the kernel enforces it over 100 ms periods, and a run takes a few
/// milliseconds of CPU.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        #[cfg(target_os = "linux")]
        if let Ok(allowed) = rustix::thread::sched_getaffinity(None) {
            if let Ok(count @ 1..=2) = usize::try_from(allowed.count()) {
                return count;
            }
        }
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    })
}

/// Keeps `value`'s memory until the process exits, without freeing it: for
/// a command's last, large values (a template set, its answers, a
/// rendered tree), which the kernel reclaims at exit all at once: freeing
/// them one allocation at a time is work for nothing (0.18 ms of `newsvc
/// new`'s 4.5 when the parsed templates were among them; they are now freed
/// batch by batch, for the next batch to reuse). As compilers do: clang's
/// `-disable-free`. Only for plain memory: a value
/// whose drop does anything else (a file, a folder, a thread) must drop.
pub(crate) fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

#[cfg(test)]
mod tests {
    #[test]
    fn cores_counts_the_cpus_this_process_may_run_on_at_most() {
        let cores = super::cores();
        assert!(cores >= 1);
        #[cfg(target_os = "linux")]
        {
            let allowed = rustix::thread::sched_getaffinity(None).unwrap().count();
            assert!(cores <= usize::try_from(allowed).unwrap());
            if allowed <= 2 {
                assert_eq!(cores, usize::try_from(allowed).unwrap());
            }
        }
        // With more, the standard library's count, which includes the quota.
        if cores > 2 {
            assert_eq!(cores, std::thread::available_parallelism().unwrap().get());
        }
    }
}
