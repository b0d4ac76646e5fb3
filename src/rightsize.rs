//! Right-sizing a Fargate task from observed utilisation: needed = allocated ×
//! utilisation ÷ target, rounded up to the nearest valid Fargate CPU/memory
//! pair (templates brief §1.1), with the arithmetic spelled out; and the
//! rewrite of the `cpu` / `memory` lines of a `terraform.tfvars` that keeps
//! every other byte. Pure: percentages are exact hundredths, never floats, so
//! 1024 units at 30% for a 60% target is exactly 512.

use std::fmt;
use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::validate::{FARGATE_SIZES, fargate_memory_for};

/// Default CPU utilisation target (the autoscaling target of the template).
pub const DEFAULT_CPU_TARGET: &str = "60";
/// Default memory utilisation target.
pub const DEFAULT_MEMORY_TARGET: &str = "70";

/// A percentage in hundredths of a percent, 0 < p ≤ 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(u64);

impl Percent {
    /// Parses `30`, `30.5`, `30.25` or `30%` given to `flag`.
    pub fn parse(text: &str, flag: &str) -> Result<Percent> {
        let bad = |why: &str| Error::Usage(format!("invalid {flag} `{text}`: {why}"));
        let s = text.trim().trim_end_matches('%').trim();
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad("give a percentage such as `30` or `42.5`"));
        }
        if fraction.len() > 2 {
            return Err(bad("use at most two decimals"));
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad("the number is too large"))?
        };
        let fraction: u64 = format!("{fraction:0<2}").parse().unwrap_or(0);
        let hundredths = whole.saturating_mul(100).saturating_add(fraction);
        if hundredths == 0 {
            return Err(bad(
                "0% means no load was observed; give the average utilisation over a busy period (CloudWatch CPUUtilization / MemoryUtilization), above 0 and at most 100",
            ));
        }
        if hundredths > 100 * 100 {
            return Err(bad(
                "a utilisation above 100% is not possible on Fargate; give a percentage from 0 (exclusive) to 100",
            ));
        }
        Ok(Percent(hundredths))
    }

    /// Hundredths of a percent.
    pub fn hundredths(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        if fraction == 0 {
            write!(f, "{whole}%")
        } else if fraction % 10 == 0 {
            write!(f, "{whole}.{}%", fraction / 10)
        } else {
            write!(f, "{whole}.{fraction:02}%")
        }
    }
}

/// Memory sizing input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryInput {
    pub memory: u64,
    pub util: Percent,
    pub target: Percent,
}

/// What to size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub cpu: u64,
    pub cpu_util: Percent,
    pub cpu_target: Percent,
    pub memory: Option<MemoryInput>,
    /// The memory in use now when it is not sized (e.g. from terraform.tfvars):
    /// kept if it fits the new CPU.
    pub current_memory: Option<u64>,
}

/// The result, with its arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub current_cpu: u64,
    pub cpu: u64,
    pub current_memory: Option<u64>,
    pub memory: u64,
    /// The arithmetic, one line per resource, then notes.
    pub lines: Vec<String>,
}

fn cpu_sizes() -> impl Iterator<Item = u64> {
    FARGATE_SIZES.iter().map(|(c, _)| c.unsigned_abs())
}

fn memories(cpu: u64) -> Vec<u64> {
    i64::try_from(cpu)
        .ok()
        .and_then(fargate_memory_for)
        .map(|m| m.iter().map(|v| v.unsigned_abs()).collect())
        .unwrap_or_default()
}

fn join(values: &[u64]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value × util ÷ target`, exact, as (ceiling, text with one decimal).
fn needed(value: u64, util: Percent, target: Percent) -> (u64, String) {
    let numerator = u128::from(value) * u128::from(util.0);
    let denominator = u128::from(target.0);
    let ceiling = u64::try_from(numerator.div_ceil(denominator)).unwrap_or(u64::MAX);
    let tenths = (numerator * 10 + denominator / 2) / denominator;
    let text = if numerator % denominator == 0 {
        (numerator / denominator).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    };
    (ceiling, text)
}

/// Checks the inputs and sizes the task.
pub fn plan(request: &Request) -> Result<Plan> {
    let cpus: Vec<u64> = cpu_sizes().collect();
    if !cpus.contains(&request.cpu) {
        return Err(Error::Usage(format!(
            "invalid --cpu `{}`: not a Fargate CPU size; use one of {} (1024 units = 1 vCPU)",
            request.cpu,
            join(&cpus)
        )));
    }
    if let Some(m) = &request.memory {
        let allowed = memories(request.cpu);
        if !allowed.contains(&m.memory) {
            let any_cpu: Vec<u64> = cpus
                .iter()
                .copied()
                .filter(|c| memories(*c).contains(&m.memory))
                .collect();
            let why = if any_cpu.is_empty() {
                "is not a Fargate memory size".to_string()
            } else {
                format!(
                    "is not valid with {} CPU units on Fargate (it is with {})",
                    request.cpu,
                    join(&any_cpu)
                )
            };
            return Err(Error::Usage(format!(
                "invalid --memory `{}` MiB: {why}; with {} CPU units use one of {}",
                m.memory,
                request.cpu,
                join(&allowed)
            )));
        }
    }
    let mut lines = Vec::new();
    let largest = *cpus.last().unwrap_or(&4096);

    let (cpu_needed, cpu_text) = needed(request.cpu, request.cpu_util, request.cpu_target);
    let mut cpu = cpus
        .iter()
        .copied()
        .find(|c| *c >= cpu_needed)
        .unwrap_or(largest);
    let cpu_rule = if cpu_needed > largest {
        format!("capped at the largest Fargate size {largest}; scale out (more tasks) instead")
    } else {
        format!("the smallest Fargate size ≥ {cpu_needed}")
    };
    lines.push(format!(
        "cpu     {} units × {} used ÷ {} target = {cpu_text} units → {cpu} ({cpu_rule})",
        request.cpu, request.cpu_util, request.cpu_target
    ));

    let memory = if let Some(m) = &request.memory {
        let (mem_needed, mem_text) = needed(m.memory, m.util, m.target);
        // The smallest pair whose CPU is at least `cpu` and whose memory covers the need.
        let pair = cpus.iter().copied().filter(|c| *c >= cpu).find_map(|c| {
            memories(c)
                .into_iter()
                .find(|v| *v >= mem_needed)
                .map(|v| (c, v))
        });
        let (new_cpu, memory, rule) = match pair {
            Some((c, v)) if c == cpu => (
                c,
                v,
                format!("the smallest valid with {cpu} CPU units ≥ {mem_needed}"),
            ),
            Some((c, v)) => (
                c,
                v,
                format!(
                    "{cpu} CPU units allow at most {} MiB, so CPU goes up to {c}",
                    memories(cpu).last().copied().unwrap_or(0)
                ),
            ),
            None => {
                let max = memories(largest).last().copied().unwrap_or(0);
                (
                    largest,
                    max,
                    format!("capped at the largest Fargate size {max} MiB; scale out instead"),
                )
            }
        };
        lines.push(format!(
            "memory  {} MiB × {} used ÷ {} target = {mem_text} MiB → {memory} MiB ({rule})",
            m.memory, m.util, m.target
        ));
        cpu = new_cpu;
        memory
    } else {
        match request.current_memory {
            Some(current) if memories(cpu).contains(&current) => {
                lines.push(format!("memory  not sized (no --memory/--memory-util): keeps {current} MiB, valid with {cpu} CPU units"));
                current
            }
            Some(current) => {
                let allowed = memories(cpu);
                let min = allowed.first().copied().unwrap_or(0);
                if current < min {
                    lines.push(format!("memory  not sized (no --memory/--memory-util): {current} MiB is below the {min} MiB minimum of {cpu} CPU units → {min} MiB"));
                    min
                } else {
                    let bigger = cpus
                        .iter()
                        .copied()
                        .filter(|c| *c >= cpu)
                        .find(|c| memories(*c).contains(&current));
                    if let Some(c) = bigger {
                        lines.push(format!("memory  not sized (no --memory/--memory-util): keeps {current} MiB, which needs at least {c} CPU units → cpu {c}"));
                        cpu = c;
                        current
                    } else {
                        let max = allowed.last().copied().unwrap_or(0);
                        lines.push(format!("memory  not sized (no --memory/--memory-util): {current} MiB → {max} MiB, the largest with {cpu} CPU units"));
                        max
                    }
                }
            }
            None => {
                let min = memories(cpu).first().copied().unwrap_or(0);
                lines.push(format!("memory  not sized (no --memory/--memory-util): {min} MiB, the smallest valid with {cpu} CPU units"));
                min
            }
        }
    };

    let expected = |used: Percent, from: u64, to: u64| {
        let hundredths = u128::from(used.0) * u128::from(from) / u128::from(to.max(1));
        Percent(u64::try_from(hundredths).unwrap_or(u64::MAX))
    };
    let mut expectation = format!(
        "expected utilisation after the change: cpu {}",
        expected(request.cpu_util, request.cpu, cpu)
    );
    if let Some(m) = &request.memory {
        let _ = write!(
            expectation,
            ", memory {}",
            expected(m.util, m.memory, memory)
        );
    }
    lines.push(expectation);
    Ok(Plan {
        current_cpu: request.cpu,
        cpu,
        current_memory: request.memory.map(|m| m.memory).or(request.current_memory),
        memory,
        lines,
    })
}

impl Plan {
    /// The arithmetic and the result, for the terminal.
    pub fn render(&self) -> String {
        let mut out = self.lines.join("\n");
        let memory_from = self
            .current_memory
            .map_or_else(String::new, |m| format!("{m} → "));
        #[allow(clippy::cast_precision_loss)]
        let (vcpu, gib) = (self.cpu as f64 / 1024.0, self.memory as f64 / 1024.0);
        let _ = write!(
            out,
            "\nresult  cpu = {} → {}, memory = {memory_from}{} ({vcpu} vCPU, {gib} GiB)\n",
            self.current_cpu, self.cpu, self.memory
        );
        out
    }
}

/// A `key = number` line of a tfvars file: (line index, value).
fn find_assignment(lines: &[&str], key: &str) -> Vec<(usize, u64)> {
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.trim_start().strip_prefix(key)?;
            let rest = rest.trim_start().strip_prefix('=')?;
            let value = rest.trim_start().trim_start_matches('"');
            let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok().map(|v| (i, v))
        })
        .collect()
}

/// The `cpu` and `memory` values of a tfvars text, when there is one of each.
pub fn read_sizes(text: &str) -> (Option<u64>, Option<u64>) {
    let lines: Vec<&str> = text.lines().collect();
    let one = |key| match find_assignment(&lines, key).as_slice() {
        [(_, v)] => Some(*v),
        _ => None,
    };
    (one("cpu"), one("memory"))
}

/// Rewrites the value of the `cpu` and `memory` lines, keeping every other
/// byte (comments, alignment, quotes, line endings). `file` names it in errors.
pub fn rewrite_tfvars(text: &str, cpu: u64, memory: u64, file: &str) -> Result<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    for (key, value) in [("cpu", cpu), ("memory", memory)] {
        let found = find_assignment(&lines, key);
        let (index, _) = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::Other(format!(
                    "`{file}` has no `{key} = <number>` line to rewrite; add `cpu = ...` and `memory = ...` lines (a valid Fargate pair) first"
                )));
            }
            many => {
                let at: Vec<String> = many.iter().map(|(i, _)| (i + 1).to_string()).collect();
                return Err(Error::Other(format!(
                    "`{file}` sets `{key}` on several lines ({}); keep one and run again",
                    at.join(", ")
                )));
            }
        };
        let line = lines[index];
        let eq = line.find('=').unwrap_or(0);
        let after = &line[eq + 1..];
        let start = eq + 1 + after.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        let end = start
            + line[start..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(line.len() - start);
        out[index] = format!("{}{value}{}", &line[..start], &line[end..]);
    }
    Ok(out.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> Percent {
        Percent::parse(s, "--x").unwrap()
    }

    fn request(cpu: u64, util: &str, target: &str, memory: Option<(u64, &str, &str)>) -> Request {
        Request {
            cpu,
            cpu_util: pct(util),
            cpu_target: pct(target),
            memory: memory.map(|(memory, u, t)| MemoryInput {
                memory,
                util: pct(u),
                target: pct(t),
            }),
            current_memory: None,
        }
    }

    #[test]
    fn table_of_cases() {
        // (cpu, util, target, memory, mem util, mem target) → (cpu, memory)
        type Case<'a> = (
            u64,
            &'a str,
            &'a str,
            Option<(u64, &'a str, &'a str)>,
            (u64, u64),
        );
        let cases: &[Case<'_>] = &[
            // The talk's example: 1024 units at 30% for a 60% target need 512.
            (1024, "30", "60", None, (512, 1024)),
            (1024, "30", "60", Some((2048, "35", "70")), (512, 1024)),
            (512, "90", "60", None, (1024, 2048)),
            (256, "10", "60", Some((512, "10", "70")), (256, 512)),
            (1024, "60", "60", Some((2048, "70", "70")), (1024, 2048)),
            (1024, "60.01", "60", None, (2048, 4096)),
            (1024, "30", "60", Some((8192, "70", "70")), (1024, 8192)),
            // Memory needs more than 512 units allow: CPU goes up to fit it.
            (1024, "30", "60", Some((8192, "50", "70")), (1024, 6144)),
            (512, "50", "60", Some((4096, "90", "70")), (1024, 6144)),
            (4096, "100", "60", None, (4096, 8192)),
            (2048, "45", "60", Some((16384, "10", "70")), (2048, 4096)),
        ];
        for (cpu, util, target, memory, expected) in cases {
            let plan = plan(&request(*cpu, util, target, *memory)).unwrap();
            assert_eq!(
                (plan.cpu, plan.memory),
                *expected,
                "{cpu} {util} {target} {memory:?}\n{}",
                plan.render()
            );
        }
    }

    #[test]
    fn shows_the_arithmetic() {
        let p = plan(&request(1024, "30", "60", Some((2048, "45", "70")))).unwrap();
        let text = p.render();
        assert!(text.contains("cpu     1024 units × 30% used ÷ 60% target = 512 units → 512 (the smallest Fargate size ≥ 512)"), "{text}");
        assert!(
            text.contains("memory  2048 MiB × 45% used ÷ 70% target = 1316.6 MiB → 2048 MiB"),
            "{text}"
        );
        assert!(
            text.contains("result  cpu = 1024 → 512, memory = 2048 → 2048 (0.5 vCPU, 2 GiB)"),
            "{text}"
        );
        assert!(
            text.contains("expected utilisation after the change: cpu 60%, memory 45%"),
            "{text}"
        );
    }

    #[test]
    fn keeps_or_fits_unsized_memory() {
        let mut r = request(1024, "30", "60", None);
        r.current_memory = Some(4096);
        assert_eq!(plan(&r).unwrap().memory, 4096);
        r.current_memory = Some(8192);
        let p = plan(&r).unwrap();
        assert_eq!((p.cpu, p.memory), (1024, 8192), "{}", p.render());
        r.current_memory = Some(512);
        assert_eq!(plan(&r).unwrap().memory, 1024);
    }

    #[test]
    fn invalid_inputs() {
        for (input, expected) in [
            ("0", "0% means no load"),
            ("0.00", "0% means no load"),
            ("101", "above 100%"),
            ("abc", "percentage such as"),
            ("12.345", "two decimals"),
            ("-5", "percentage such as"),
            ("", "percentage such as"),
        ] {
            let err = Percent::parse(input, "--cpu-util").unwrap_err().to_string();
            assert!(err.contains(expected), "{input}: {err}");
            assert!(err.contains(&format!("--cpu-util `{input}`")), "{err}");
        }
        assert_eq!(pct("100%"), Percent(10000));
        assert_eq!(pct("42.5").to_string(), "42.5%");
        let err = plan(&request(1000, "30", "60", None))
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid --cpu `1000`: not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096"), "{err}");
        let err = plan(&request(1024, "30", "60", Some((1000, "50", "70"))))
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid --memory `1000` MiB: is not a Fargate memory size; with 1024 CPU units use one of 2048, 3072"), "{err}");
        let err = plan(&request(256, "30", "60", Some((4096, "50", "70"))))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is not valid with 256 CPU units on Fargate (it is with 512, 1024, 2048)"),
            "{err}"
        );
    }

    const TFVARS: &str = "# billing-api in dev: small and cheap.\r\nenvironment = \"dev\"\n\n# Task size, a valid Fargate pair.\ncpu    = 1024 # vCPU × 1024\nmemory = \"2048\"\nmin_count = 1\n";

    #[test]
    fn rewrites_only_the_values() {
        let out = rewrite_tfvars(TFVARS, 512, 1024, "t").unwrap();
        assert_eq!(
            out,
            TFVARS
                .replace("1024 # vCPU", "512 # vCPU")
                .replace("\"2048\"", "\"1024\"")
        );
        assert_eq!(read_sizes(&out), (Some(512), Some(1024)));
        assert_eq!(rewrite_tfvars(&out, 1024, 2048, "t").unwrap(), TFVARS);
        let err = rewrite_tfvars("cpu = 1\n", 512, 1024, "t.tfvars")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`t.tfvars` has no `memory = <number>` line"),
            "{err}"
        );
        let err = rewrite_tfvars("cpu = 1\ncpu = 2\nmemory = 3\n", 512, 1024, "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("several lines (1, 2)"), "{err}");
        assert!(
            rewrite_tfvars("cpu_units = 1\nmemory = 2\n", 1, 2, "t").is_err(),
            "`cpu_units` is not `cpu`"
        );
    }
}
