//! The grade report: check outcomes rolled up into a level per category and
//! overall (the highest level whose checks, and every lower level's, pass),
//! and its renderings: a text table (shields coloured only when asked), JSON
//! with a stable documented schema (`docs/grade.schema.json`), Markdown for
//! pull-request comments. Pure: colour is decided by the caller.

use std::fmt::Write as _;

use serde::{Serialize, Serializer};

use super::checks::{CheckOutcome, Finding, Status};
use super::date::Date;
use super::rubric::{Level, Rubric};

/// The version of the JSON report's shape; bumped only on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Serializes a missing level as `"none"` (serde dictates the signature).
#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
fn level_or_none<S: Serializer>(level: &Option<Level>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(level.map_or("none", Level::name))
}

/// Name of a level or `none`.
pub fn level_name(level: Option<Level>) -> &'static str {
    level.map_or("none", Level::name)
}

/// The template behind the repository, as far as grading knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateInfo {
    pub name: String,
    pub source: String,
    pub version: String,
    /// The newest version of the template, when it could be read.
    pub latest: Option<String>,
}

/// Counts of check outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// One level's state in one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// Every applicable check at this level passes.
    Pass,
    /// At least one check at this level fails.
    Fail,
    /// No applicable check at this level.
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelCell {
    pub level: Level,
    pub status: Cell,
}

/// A category's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryReport {
    pub id: String,
    pub title: String,
    #[serde(serialize_with = "level_or_none")]
    pub level: Option<Level>,
    pub levels: Vec<LevelCell>,
    pub counts: Counts,
}

/// A check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub id: String,
    pub title: String,
    pub category: String,
    pub level: Level,
    pub kind: String,
    pub status: Status,
    pub summary: String,
    pub findings: Vec<Finding>,
    pub fix: String,
}

/// The whole report (also the JSON document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub service: String,
    pub date: Date,
    pub rubric: RubricInfo,
    pub template: Option<TemplateInfo>,
    #[serde(serialize_with = "level_or_none")]
    pub level: Option<Level>,
    /// The level above `level`, if any, and the checks still failing for it.
    pub next: Option<NextLevel>,
    pub counts: Counts,
    pub categories: Vec<CategoryReport>,
    pub checks: Vec<CheckReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RubricInfo {
    pub name: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextLevel {
    pub level: Level,
    pub failing: Vec<String>,
}

/// The highest level reached by `checks` (and every level below it): the
/// level just under the lowest failing one.
fn reached<'a>(checks: impl IntoIterator<Item = &'a CheckReport>) -> Option<Level> {
    let lowest_failing = checks
        .into_iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.level)
        .min();
    match lowest_failing {
        None => Some(Level::Platinum),
        Some(failing) => Level::ALL.into_iter().rev().find(|l| *l < failing),
    }
}

fn counts<'a>(checks: impl Iterator<Item = &'a CheckReport>) -> Counts {
    let mut c = Counts::default();
    for check in checks {
        match check.status {
            Status::Pass => c.passed += 1,
            Status::Fail => c.failed += 1,
            Status::Skip => c.skipped += 1,
        }
    }
    c
}

impl Report {
    /// Rolls outcomes (in rubric order) into levels.
    pub fn build(
        rubric: &Rubric,
        service: &str,
        date: Date,
        template: Option<TemplateInfo>,
        outcomes: Vec<CheckOutcome>,
    ) -> Report {
        let checks: Vec<CheckReport> = rubric
            .checks
            .iter()
            .zip(outcomes)
            .map(|(check, outcome)| CheckReport {
                id: check.id.clone(),
                title: check.title.clone(),
                category: check.category.clone(),
                level: check.level,
                kind: check.kind_name().to_string(),
                status: outcome.status,
                summary: outcome.summary,
                findings: outcome.findings,
                fix: check.fix.clone(),
            })
            .collect();
        let categories = rubric
            .categories
            .iter()
            .map(|category| {
                let of_category = checks.iter().filter(|c| c.category == category.id);
                let levels = Level::ALL
                    .iter()
                    .map(|&level| {
                        let at: Vec<&CheckReport> = of_category
                            .clone()
                            .filter(|c| c.level == level && c.status != Status::Skip)
                            .collect();
                        let status = if at.is_empty() {
                            Cell::Empty
                        } else if at.iter().any(|c| c.status == Status::Fail) {
                            Cell::Fail
                        } else {
                            Cell::Pass
                        };
                        LevelCell { level, status }
                    })
                    .collect();
                CategoryReport {
                    id: category.id.clone(),
                    title: category.title.clone(),
                    level: reached(of_category.clone()),
                    levels,
                    counts: counts(of_category),
                }
            })
            .collect();
        let level = reached(checks.iter());
        let next = match level {
            None => Some(Level::Bronze),
            Some(l) => l.next(),
        }
        .map(|next| NextLevel {
            level: next,
            failing: checks
                .iter()
                .filter(|c| c.level <= next && c.status == Status::Fail)
                .map(|c| c.id.clone())
                .collect(),
        });
        Report {
            schema_version: SCHEMA_VERSION,
            service: service.to_string(),
            date,
            rubric: RubricInfo {
                name: rubric.name.clone(),
                version: rubric.version.clone(),
            },
            template,
            level,
            next,
            counts: counts(checks.iter()),
            categories,
            checks,
        }
    }

    /// Whether the overall level is at least `min`.
    pub fn meets(&self, min: Level) -> bool {
        self.level.is_some_and(|l| l >= min)
    }

    /// The JSON document (pretty, with a trailing newline).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The failing checks, lowest level first, then rubric order.
    fn failing(&self) -> Vec<&CheckReport> {
        let mut failing: Vec<&CheckReport> = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .collect();
        failing.sort_by_key(|c| c.level);
        failing
    }

    /// The text table, then each failing check with its findings and fix.
    pub fn to_text(&self, color: bool) -> String {
        let paint = Paint { color };
        let mut out = String::new();
        let template = self.template.as_ref().map_or_else(String::new, |t| {
            let latest = t.latest.as_deref().map_or_else(
                || "latest unknown".to_string(),
                |l| {
                    if l == t.version {
                        "latest".to_string()
                    } else {
                        format!("latest {l}")
                    }
                },
            );
            format!(", template {} {} ({latest})", t.name, t.version)
        });
        let _ = writeln!(
            out,
            "{}  {}",
            paint.bold(&self.service),
            paint.shield(self.level)
        );
        let _ = writeln!(
            out,
            "{}",
            paint.dim(&format!(
                "rubric {}{}, {}",
                self.rubric.name, template, self.date
            ))
        );
        out.push('\n');
        let width = self
            .categories
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(8)
            .max("category".len());
        let _ = write!(out, "{:<width$}", "category");
        for level in Level::ALL {
            let _ = write!(out, "  {:<8}", level.name());
        }
        out.push_str("  level\n");
        for category in &self.categories {
            let _ = write!(out, "{:<width$}", category.id);
            for cell in &category.levels {
                let (mark, painted) = match cell.status {
                    Cell::Pass => ("✓", paint.green("✓")),
                    Cell::Fail => ("✗", paint.red("✗")),
                    Cell::Empty => ("·", paint.dim("·")),
                };
                let _ = write!(out, "  {painted}{}", " ".repeat(8 - mark.chars().count()));
            }
            let _ = writeln!(out, "  {}", paint.shield(category.level));
        }
        let _ = writeln!(
            out,
            "{:<width$}  {}  {}",
            "overall",
            " ".repeat(4 * 10 - 2),
            paint.shield(self.level)
        );
        let _ = writeln!(
            out,
            "\n{} passed, {} failed, {} not applicable",
            self.counts.passed, self.counts.failed, self.counts.skipped
        );
        let failing = self.failing();
        if let Some(next) = &self.next {
            if !next.failing.is_empty() {
                let _ = writeln!(
                    out,
                    "\nto reach {} ({}):",
                    next.level,
                    plural(next.failing.len(), "check", "checks")
                );
            }
        }
        let mut current: Option<Level> = None;
        for check in failing {
            if self.next.as_ref().is_some_and(|n| check.level > n.level)
                && current.is_none_or(|c| c != check.level)
            {
                let _ = writeln!(out, "\nthen for {}:", check.level);
            }
            current = Some(check.level);
            let _ = writeln!(
                out,
                "  {} {} {}  {}",
                paint.red("✗"),
                paint.bold(&check.id),
                paint.dim(&format!("({}, {})", check.category, check.level)),
                check.title
            );
            let _ = writeln!(out, "      {}", check.summary);
            for finding in check
                .findings
                .iter()
                .filter(|f| f.display() != check.summary)
                .take(10)
            {
                let _ = writeln!(out, "      - {}", finding.display());
            }
            if check.findings.len() > 10 {
                let _ = writeln!(out, "      - ... and {} more", check.findings.len() - 10);
            }
            let _ = writeln!(out, "      {} {}", paint.cyan("fix:"), check.fix);
        }
        out
    }

    /// Markdown for a pull-request comment.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### {} newsvc grade: **{}** for `{}`\n",
            medal(self.level),
            level_name(self.level),
            self.service
        );
        out.push_str("| category |");
        for level in Level::ALL {
            let _ = write!(out, " {level} |");
        }
        out.push_str(" level |\n|---|");
        out.push_str(&":---:|".repeat(Level::ALL.len()));
        out.push_str("---|\n");
        for category in &self.categories {
            let _ = write!(out, "| {} |", category.title.replace('|', "\\|"));
            for cell in &category.levels {
                out.push_str(match cell.status {
                    Cell::Pass => " ✅ |",
                    Cell::Fail => " ❌ |",
                    Cell::Empty => " · |",
                });
            }
            let _ = writeln!(
                out,
                " {} {} |",
                medal(category.level),
                level_name(category.level)
            );
        }
        let failing = self.failing();
        if let Some(next) = self.next.as_ref().filter(|n| !n.failing.is_empty()) {
            let _ = writeln!(out, "\n**To reach {}:**\n", next.level);
            for check in failing.iter().filter(|c| c.level <= next.level) {
                markdown_check(&mut out, check);
            }
        }
        let later: Vec<&&CheckReport> = failing
            .iter()
            .filter(|c| self.next.as_ref().is_none_or(|n| c.level > n.level))
            .collect();
        if !later.is_empty() {
            let _ = writeln!(
                out,
                "\n<details><summary>Also failing at higher levels ({})</summary>\n",
                later.len()
            );
            for check in later {
                markdown_check(&mut out, check);
            }
            out.push_str("\n</details>\n");
        }
        let _ = writeln!(
            out,
            "\n<sub>{} passed, {} failed, {} not applicable · rubric {} · {}</sub>",
            self.counts.passed,
            self.counts.failed,
            self.counts.skipped,
            self.rubric.name,
            self.date
        );
        out
    }
}

fn markdown_check(out: &mut String, check: &CheckReport) {
    let _ = writeln!(
        out,
        "- ❌ **{}** `{}` ({}, {}): {}",
        md_escape(&check.title),
        check.id,
        check.category,
        check.level,
        md_escape(&check.summary)
    );
    for finding in check
        .findings
        .iter()
        .filter(|f| f.display() != check.summary)
        .take(10)
    {
        let _ = writeln!(out, "  - {}", md_escape(&finding.display()));
    }
    let _ = writeln!(out, "  - _fix:_ {}", md_escape(&check.fix));
}

/// Keeps `<...>` in prose from being read as HTML; code spans are left as
/// they are (entities are not decoded there).
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    for c in s.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

fn medal(level: Option<Level>) -> &'static str {
    match level {
        None => "⚪",
        Some(Level::Bronze) => "🥉",
        Some(Level::Silver) => "🥈",
        Some(Level::Gold) => "🥇",
        Some(Level::Platinum) => "💎",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// ANSI styling, or none.
struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
    /// A level as a shield: a coloured block on a terminal, the upper-case name otherwise.
    fn shield(&self, level: Option<Level>) -> String {
        let name = level_name(level).to_ascii_uppercase();
        if !self.color {
            return name;
        }
        // Foreground; background (256-colour palette).
        let code = match level {
            None => "1;97;48;5;160",
            Some(Level::Bronze) => "1;97;48;5;130",
            Some(Level::Silver) => "1;30;48;5;250",
            Some(Level::Gold) => "1;30;48;5;178",
            Some(Level::Platinum) => "1;30;48;5;153",
        };
        self.wrap(code, &format!(" {name} "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::rubric::Rubric;

    fn rubric() -> Rubric {
        let check = |id: &str, level: &str, cat: &str| {
            format!(
                "  - {{id: {id}, title: T {id}, level: {level}, category: {cat}, kind: tests_present, fix: do {id}}}\n"
            )
        };
        let text = format!(
            "name: t\ncategories:\n  - {{id: a, title: A}}\n  - {{id: b, title: B}}\nchecks:\n{}{}{}{}{}",
            check("a1", "bronze", "a"),
            check("a2", "silver", "a"),
            check("a3", "gold", "a"),
            check("b1", "bronze", "b"),
            check("b4", "platinum", "b")
        );
        Rubric::parse(&text, "t").unwrap()
    }

    fn outcome(status: Status) -> CheckOutcome {
        CheckOutcome {
            status,
            summary: format!("{status:?}"),
            findings: vec![],
        }
    }

    fn report(statuses: [Status; 5]) -> Report {
        Report::build(
            &rubric(),
            "svc",
            Date::parse("2025-06-01").unwrap(),
            None,
            statuses.into_iter().map(outcome).collect(),
        )
    }

    use Status::{Fail, Pass, Skip};

    #[test]
    fn levels_roll_up() {
        let r = report([Pass, Pass, Pass, Pass, Pass]);
        assert_eq!(r.level, Some(Level::Platinum));
        assert_eq!(
            r.categories[0].level,
            Some(Level::Platinum),
            "no platinum check in `a`: vacuously reached"
        );
        assert!(r.next.is_none());

        let r = report([Pass, Fail, Pass, Pass, Pass]);
        assert_eq!(
            r.categories[0].level,
            Some(Level::Bronze),
            "a failing silver caps the category even though gold passes"
        );
        assert_eq!(r.categories[1].level, Some(Level::Platinum));
        assert_eq!(r.level, Some(Level::Bronze));
        assert_eq!(r.next.as_ref().unwrap().level, Level::Silver);
        assert_eq!(r.next.as_ref().unwrap().failing, ["a2"]);

        let r = report([Pass, Pass, Pass, Fail, Skip]);
        assert_eq!(r.level, None);
        assert_eq!(r.categories[1].levels[3].status, Cell::Empty);
        assert_eq!(
            r.categories[1].counts,
            Counts {
                passed: 0,
                failed: 1,
                skipped: 1
            }
        );
        assert!(!r.meets(Level::Bronze));
    }

    #[test]
    fn text_is_plain_without_color() {
        let r = report([Pass, Fail, Pass, Pass, Fail]);
        let text = r.to_text(false);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains("svc  BRONZE"), "{text}");
        assert!(text.contains("to reach silver (1 check):"), "{text}");
        assert!(text.contains("then for platinum:"), "{text}");
        assert!(text.contains("fix: do a2"), "{text}");
        let colored = r.to_text(true);
        assert!(colored.contains("\x1b["), "{colored}");
    }

    #[test]
    fn markdown_lists_failures() {
        let md = report([Pass, Fail, Pass, Pass, Pass]).to_markdown();
        assert!(
            md.contains("### 🥉 newsvc grade: **bronze** for `svc`"),
            "{md}"
        );
        assert!(md.contains("| A | ✅ | ❌ | ✅ | · | 🥉 bronze |"), "{md}");
        assert!(md.contains("**To reach silver:**"), "{md}");
        assert!(md.contains("_fix:_ do a2"), "{md}");
    }

    #[test]
    fn markdown_escapes_prose_not_code() {
        assert_eq!(
            md_escape("use <name> or `--by <name>`"),
            "use &lt;name&gt; or `--by <name>`"
        );
    }

    #[test]
    fn json_shape() {
        let json: serde_json::Value =
            serde_json::from_str(&report([Fail, Pass, Pass, Pass, Pass]).to_json()).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["level"], "none");
        assert_eq!(json["categories"][0]["levels"][0]["status"], "fail");
        assert_eq!(json["checks"][0]["status"], "fail");
        assert_eq!(json["date"], "2025-06-01");
    }
}
