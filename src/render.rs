//! The renderer: a pure function from a template set and resolved answers to
//! an in-memory `FileTree`, deterministic to the byte. Applies file rules
//! (conditions, folder mapping, copy, executable, skip-if-exists), renders
//! paths and contents with tera, and refuses paths that leave the target.

use std::cell::Cell;
use std::fmt::Write as _;

use crate::answers::{Answers, Resolved, Value};
use crate::error::{Error, Result};
use crate::expr;
use crate::manifest::FileRule;
use crate::record::{RECORD_FILE, Record, TemplateRef};
use crate::source::{FILES_DIR, TemplateFile, TemplateSet};
use crate::tree::{FileEntry, FileTree, unsafe_path_reason};

/// What the rules say about one template file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Treatment {
    included: bool,
    output_path: String,
    copy: bool,
    executable: bool,
    skip_if_exists: bool,
}

enum Matcher {
    Glob(RuleGlob),
    Folder(String),
}

/// A rule's glob. Matched by `fast_glob`, which interprets the pattern as it
/// goes: compiling globs to regexes (globset) cost more than rendering the
/// files they select. Literal text the glob starts or ends with is tested
/// first, as are the alternatives of a first `{…}` group, each with its own
/// prefix: most paths are told apart by those, without interpreting the
/// pattern (matching was 0.09 ms of `newsvc new`'s serial work).
struct RuleGlob {
    /// Every path the glob matches starts with this text.
    literal_prefix: String,
    /// Every path the glob matches ends with this text.
    literal_suffix: String,
    /// The glob, its first `{…}` group expanded, when it has one: the path
    /// must match one of these.
    alternatives: Vec<GlobAlternative>,
}

struct GlobAlternative {
    glob: String,
    literal_prefix: String,
}

impl GlobAlternative {
    fn new(glob: String) -> GlobAlternative {
        let literal_prefix = if glob.starts_with('!') {
            String::new()
        } else {
            glob.split(GLOB_SPECIALS)
                .next()
                .unwrap_or_default()
                .to_string()
        };
        GlobAlternative {
            glob,
            literal_prefix,
        }
    }
}

/// The characters that give a glob meaning; text without them is literal.
const GLOB_SPECIALS: [char; 7] = ['*', '?', '[', ']', '{', '}', '\\'];

impl RuleGlob {
    fn new(glob: &str) -> RuleGlob {
        let whole = GlobAlternative::new(glob.to_string());
        let plain = glob.starts_with('!') || glob.contains('\\');
        let literal_suffix = if plain {
            String::new()
        } else {
            glob.rsplit(GLOB_SPECIALS)
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let alternatives = match first_group_expanded(glob).filter(|_| !plain) {
            Some(expanded) => expanded.into_iter().map(GlobAlternative::new).collect(),
            None => Vec::new(),
        };
        RuleGlob {
            literal_prefix: whole.literal_prefix.clone(),
            literal_suffix,
            alternatives: if alternatives.is_empty() {
                vec![whole]
            } else {
                alternatives
            },
        }
    }

    fn is_match(&self, path: &str) -> bool {
        path.starts_with(&self.literal_prefix)
            && path.ends_with(&self.literal_suffix)
            && self.alternatives.iter().any(|alternative| {
                path.starts_with(&alternative.literal_prefix)
                    && fast_glob::glob_match(&alternative.glob, path)
            })
    }
}

/// `glob` with its first `{…}` group replaced by each of its alternatives
/// in turn (`lang/{java,scala}/**` → `lang/java/**`, `lang/scala/**`), as
/// the group means; `None` without such a group, or when it nests another.
fn first_group_expanded(glob: &str) -> Option<Vec<String>> {
    let open = glob.find('{')?;
    let close = open + glob[open..].find('}')?;
    let inside = &glob[open + 1..close];
    if inside.contains('{') {
        return None;
    }
    let (before, after) = (&glob[..open], &glob[close + 1..]);
    Some(
        inside
            .split(',')
            .map(|alternative| format!("{before}{alternative}{after}"))
            .collect(),
    )
}

struct CompiledRule<'a> {
    rule: &'a FileRule,
    matcher: Matcher,
    index: usize,
    /// The rule's `when`, evaluated once (the context is the same for every
    /// file): all together up front, or on the first file the rule matches.
    on: Cell<Option<bool>>,
}

impl CompiledRule<'_> {
    /// The first component of every path the rule can match, when the
    /// rule fixes it (`lang/python/**`, folder `docs`); `None` when it
    /// does not (`**/*.sh`, `README*`, a negated glob).
    fn first_component(&self) -> Option<&str> {
        match &self.matcher {
            Matcher::Glob(glob) => glob.literal_prefix.split_once('/').map(|(first, _)| first),
            Matcher::Folder(f) => Some(f.split('/').next().unwrap_or(f)).filter(|f| !f.is_empty()),
        }
    }

    fn applies_to(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Glob(glob) => glob.is_match(path),
            Matcher::Folder(f) => path
                .strip_prefix(f.as_str())
                .is_some_and(|rest| rest.starts_with('/')),
        }
    }
}

/// The file rules, in manifest order, indexed by the first path component
/// of the paths they can match, so that finding a file's rules does not
/// grow with the number of rules elsewhere in the set.
struct Rules<'a> {
    in_order: Vec<CompiledRule<'a>>,
    /// Rules that match only paths starting with `COMPONENT/`, by that
    /// component: their places in `in_order`, ascending.
    by_first_component: std::collections::HashMap<String, Vec<usize>>,
    /// The other rules' places, ascending: tried on every path.
    anywhere: Vec<usize>,
}

impl<'a> Rules<'a> {
    fn new(rules: Vec<CompiledRule<'a>>) -> Rules<'a> {
        let mut by_first_component: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        let mut anywhere = Vec::new();
        for (place, rule) in rules.iter().enumerate() {
            match rule.first_component() {
                Some(component) => by_first_component
                    .entry(component.to_string())
                    .or_default()
                    .push(place),
                None => anywhere.push(place),
            }
        }
        Rules {
            in_order: rules,
            by_first_component,
            anywhere,
        }
    }

    /// The rules that apply to `path`, in manifest order, matched lazily: a
    /// file excluded by an early rule is not matched against later ones.
    fn matching<'r>(&'r self, path: &'r str) -> impl Iterator<Item = &'r CompiledRule<'r>> {
        let first = path.split('/').next().unwrap_or(path);
        let keyed = self
            .by_first_component
            .get(first)
            .map_or(&[][..], Vec::as_slice);
        merge_ascending(keyed, &self.anywhere)
            .map(|place| &self.in_order[place])
            .filter(move |r| r.applies_to(path))
    }

    /// Evaluates every rule's `when` with one render of one template rather
    /// than a template per rule, each distinct expression once (rules often
    /// share one, such as `kind == "web"`: the default template's 40
    /// conditions are 23 expressions, and parsing them is most of the
    /// cost). Leaves them unevaluated (each is then evaluated on its own
    /// when a file needs it, so an error names its rule) if any fails or
    /// one could break out of its `if` tag.
    fn evaluate_conditions(&self, tera: &tera::Tera, ctx: &tera::Context) {
        let mut expressions: Vec<&str> = Vec::new();
        let mut place_of = std::collections::HashMap::new();
        let conditions: Vec<(&CompiledRule<'_>, usize)> = self
            .in_order
            .iter()
            .filter_map(|r| {
                let when = r.rule.when.as_deref()?;
                let place = *place_of.entry(when).or_insert_with(|| {
                    expressions.push(when);
                    expressions.len() - 1
                });
                Some((r, place))
            })
            .collect();
        if expressions.is_empty()
            || expressions
                .iter()
                .any(|w| w.contains("%}") || w.contains("{{") || w.contains("{%"))
        {
            return;
        }
        let mut template = String::new();
        for w in &expressions {
            let _ = write!(template, "{{% if {w} %}}1{{% else %}}0{{% endif %}}");
        }
        let Ok(out) = tera.render_str(&template, ctx, false) else {
            return;
        };
        let bits = out.as_bytes();
        if bits.len() == expressions.len() && bits.iter().all(|&b| b == b'0' || b == b'1') {
            for (rule, place) in conditions {
                rule.on.set(Some(bits[place] == b'1'));
            }
        }
    }
}

/// Renders the full context: every answer plus computed values, in order.
pub fn context(set: &TemplateSet, resolved: &Resolved) -> Result<Answers> {
    let tera = expr::shared();
    let mut all = resolved.all.clone();
    // `all` as a tera context, kept in step with it (see `answers::resolve`).
    let mut ctx = all.to_context();
    for (name, template) in &set.manifest.computed {
        let value = expr::render_str(tera, template, &ctx).map_err(|m| Error::Manifest {
            file: set.manifest_name(),
            line: crate::manifest::line_of(&set.manifest_text, &format!("{name}:")),
            message: format!("computed value `{name}` fails to render: {m}"),
        })?;
        ctx.insert(name.clone(), &value);
        all.insert(name.clone(), Value::Str(value));
    }
    Ok(all)
}

/// Renders the template files of `set` with `resolved` answers.
pub fn render(set: &TemplateSet, resolved: &Resolved) -> Result<FileTree> {
    render_in(set, &context(set, resolved)?)
}

/// Renders the template files of `set` in `all`, the full context (see
/// `context`), for callers that need the context too.
pub fn render_in(set: &TemplateSet, all: &Answers) -> Result<FileTree> {
    render_after(
        || Ok(set),
        Threads::for_set(set),
        |_| Ok(((), all.clone())),
        None,
    )
    .map(|(_, (), _, tree)| tree)
}

/// Receives each template file as soon as it is rendered, on the thread
/// that rendered it: its output path, bytes and whether it is executable.
/// The same files end up in the tree, unless the render fails (a file it
/// has received may then belong to no tree).
pub type Deliver<'d> = &'d (dyn Fn(&str, &[u8], bool) + Sync);

/// A repository rendered by `render_repo_after`, with what it was rendered
/// from.
#[derive(Debug)]
pub struct RepoRender {
    pub resolved: Resolved,
    /// The full context: answers and computed values (see `context`).
    pub context: Answers,
    pub tree: FileTree,
}

/// Renders the repository of `set` for the answers `answer` returns (the
/// resolved answers and their full context, see `context`), and returns
/// them with it. The templates every answer set includes are parsed on
/// another thread while `answer` runs (it may prompt), so most of the
/// parsing is done by the time the answers are known. Same output and
/// errors as `answer` followed by `render_repo_in`.
pub fn render_repo_after(
    set: &TemplateSet,
    answer: impl FnOnce() -> Result<(Resolved, Answers)>,
    deliver: Option<Deliver<'_>>,
) -> Result<RepoRender> {
    render_repo_with(|| Ok(set), Threads::for_set(set), |_| answer(), deliver)
        .map(|(_, rendered)| rendered)
}

/// `render_repo_after` for the template set `load` returns, with the
/// helper thread started before `load` runs: a new thread first runs a
/// quarter of a millisecond after it is started on this project's 2-core
/// VM (the idle core wakes), about as long as loading the default template
/// takes, so the helper is ready to parse as soon as there is something to
/// parse. Returns the set with the render.
pub fn render_repo_loading<'s>(
    load: impl FnOnce() -> Result<&'s TemplateSet>,
    answer: impl FnOnce(&'s TemplateSet) -> Result<(Resolved, Answers)>,
    deliver: Option<Deliver<'_>>,
) -> Result<(&'s TemplateSet, RepoRender)> {
    render_repo_with(load, Threads::AsManyAsUseful, answer, deliver)
}

fn render_repo_with<'s>(
    load: impl FnOnce() -> Result<&'s TemplateSet>,
    threads: Threads,
    answer: impl FnOnce(&'s TemplateSet) -> Result<(Resolved, Answers)>,
    deliver: Option<Deliver<'_>>,
) -> Result<(&'s TemplateSet, RepoRender)> {
    // The record replaces any `.newsvc.yml` the template renders: that one
    // is not delivered.
    let all_but_the_record = deliver.map(|deliver| {
        move |path: &str, bytes: &[u8], executable: bool| {
            if path != RECORD_FILE {
                deliver(path, bytes, executable);
            }
        }
    });
    let (set, resolved, context, mut tree) = render_after(
        load,
        threads,
        answer,
        all_but_the_record.as_ref().map(|d| d as Deliver<'_>),
    )?;
    insert_record(&mut tree, set, &resolved);
    Ok((
        set,
        RepoRender {
            resolved,
            context,
            tree,
        },
    ))
}

/// How many threads a render may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threads {
    /// One more per core when the templates are big enough to pay for it,
    /// the first started before the set is loaded.
    AsManyAsUseful,
    /// The calling thread only: for a set known to be too small to share
    /// (a thread started for nothing must still start before it can stop,
    /// a quarter of a millisecond here), and for tests to compare.
    One,
}

impl Threads {
    /// For a set already loaded.
    fn for_set(set: &TemplateSet) -> Threads {
        if worth_sharing(set) {
            Threads::AsManyAsUseful
        } else {
            Threads::One
        }
    }
}

/// Whether the set's templates are big enough for a second thread to pay.
fn worth_sharing(set: &TemplateSet) -> bool {
    set.files.iter().map(|f| f.bytes.len()).sum::<usize>() >= PARALLEL_MIN_BYTES
}

/// An included template file, by its place in the set, and what the rules
/// say about it.
#[derive(Debug, Clone)]
struct Planned<'s> {
    index: usize,
    file: &'s TemplateFile,
    treatment: Treatment,
    /// The file's text when tera renders it: UTF-8 and not copied as is
    /// (checked once: every file is read several times on its way).
    text: Option<&'s str>,
}

impl<'s> Planned<'s> {
    fn new(index: usize, file: &'s TemplateFile, treatment: Treatment) -> Planned<'s> {
        let text = if treatment.copy {
            None
        } else {
            std::str::from_utf8(&file.bytes).ok()
        };
        Planned {
            index,
            file,
            treatment,
            text,
        }
    }
}

/// A rendered file: its output path and bytes, or `None` when its path
/// renders empty (the file is dropped).
type Output = Option<(String, Vec<u8>)>;

/// What rendering one file gave, by its place in the set.
type Done = Vec<(usize, std::result::Result<Output, Failure>)>;

/// Below this much template text, one thread renders everything: starting a
/// second costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 64 * 1024;
/// About this much template text is parsed at once by one thread, into an
/// engine of its own: big enough that copying an engine and tera's checks
/// of each call stay small next to the parsing, small enough that the
/// threads finish close together and that the memory of one batch is soon
/// reused by the next (see `Worker`).
const BATCH_BYTES: usize = 12 * 1024;
/// Template text that composes templates (include, extends, import) needs
/// every template in one engine.
const COMPOSING_TAGS: [&str; 3] = ["include", "extends", "import"];

/// The core of every render. Parsing the templates is most of its cost, so
/// with big enough templates the work is shared with a helper thread (and
/// one more per core beyond two):
/// - the helper starts first, before `load` gives the set: a thread takes
///   a quarter of a millisecond to start and set up its engine here, about
///   as long as loading the set and finding the files to parse ahead takes
///   this thread; it is told to stop if the set is too small to share;
/// - before `answer` runs, the files no `when` can exclude are queued, and
///   the helper starts parsing them;
/// - once the answers are known, the other included files are queued, and
///   this thread and the helpers take batches from both queues until none
///   are left, each batch parsed into an engine of its own (see `Worker`).
///
/// Templates that include others (`include`, `extends`, `import`) need them
/// all in one engine: this thread then renders every file, in one batch.
///
/// The output, and which error is reported, do not depend on the threads:
/// each file is rendered on its own, and a syntax error anywhere wins over a
/// rendering error, the earliest file first.
fn render_after<'s, T>(
    load: impl FnOnce() -> Result<&'s TemplateSet>,
    threads: Threads,
    answer: impl FnOnce(&'s TemplateSet) -> Result<(T, Answers)>,
    deliver: Option<Deliver<'_>>,
) -> Result<(&'s TemplateSet, T, Answers, FileTree)> {
    let tags = memchr::memmem::Finder::new(b"{%");
    let composes = |items: &[Planned<'_>]| {
        items
            .iter()
            .filter_map(|item| item.text)
            .any(|text| composes_templates(&tags, text.as_bytes()))
    };
    let board = Board {
        deliver,
        ..Board::default()
    };
    std::thread::scope(|scope| {
        let board = &board;
        // Started before the set is loaded (see `render_repo_loading`);
        // told to stop if the set turns out too small to share.
        let helper = (threads == Threads::AsManyAsUseful).then(|| {
            scope.spawn(move || {
                let hand_back = HandBack(board);
                hand_back.with(help(scope, board, true));
            })
        });
        // Until the plan is published, a failure here (or a panic) tells
        // the helpers to stop.
        let stop_unless_published = Publisher(board);
        let set = load()?;
        let big = threads == Threads::AsManyAsUseful && worth_sharing(set);
        let rules = match compile_rules(set) {
            Ok(rules) => rules,
            Err(e) => {
                drop(stop_unless_published);
                // The answers' errors come first, as for a valid manifest.
                answer(set)?;
                return Err(e);
            }
        };
        let unconditional = if big {
            unconditional_files(set, &rules)
        } else {
            Vec::new()
        };
        let ahead_composes = composes(&unconditional);
        let parallel = big && !ahead_composes;
        if !parallel {
            board.post(News::Stop);
        }
        let ahead = board.post_ahead(Queue::new(if parallel {
            unconditional
        } else {
            Vec::new()
        }));
        let (answered, all) = answer(set)?;
        let ctx = all.to_context();
        let tera = expr::engine();
        rules.evaluate_conditions(&tera, &ctx);
        // Every included file, and those of them not queued ahead. The files
        // queued ahead are included whatever the answers: not matched again.
        let (mut plan, mut rest) = (Vec::new(), Vec::new());
        let mut queued = ahead.items.iter().peekable();
        for (index, file) in set.files.iter().enumerate() {
            if let Some(item) = queued.next_if(|item| item.index == index) {
                plan.push(item.clone());
                continue;
            }
            let treatment = treatment(&rules, &file.path, |r, when| {
                expr::eval_condition(&tera, when, &ctx).map_err(|m| Error::Manifest {
                    file: set.manifest_name(),
                    line: crate::manifest::line_of(&set.manifest_text, when),
                    message: format!(
                        "file rule #{} ({}): `when: {when}` fails to evaluate: {m}",
                        r.index + 1,
                        r.rule.describe()
                    ),
                })
            })?;
            if treatment.included {
                let item = Planned::new(index, file, treatment);
                rest.push(item.clone());
                plan.push(item);
            }
        }
        // The engine that evaluated the conditions, holding no template, is
        // the one this thread copies for each batch.
        let mut worker = Worker::new(tera, deliver);
        let done = if ahead_composes || composes(&rest) {
            // Templates that include others need them all in one engine:
            // the helpers stop, and what they parsed ahead is not used.
            drop(stop_unless_published);
            if let Some(helper) = helper {
                helper
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
            }
            worker.work(&Queue::whole(plan.clone()), &ctx);
            worker.done
        } else {
            let shared = std::sync::Arc::new(Published {
                ctx,
                rest: Queue::new(rest),
            });
            stop_unless_published.publish(shared.clone());
            worker.work(ahead, &shared.ctx);
            worker.work(&shared.rest, &shared.ctx);
            let mut done = worker.done;
            if let Some(helper) = helper {
                // The helper's results, not the end of its thread: a thread
                // takes 0.05-0.1 ms to end (its allocator's pages, its
                // stack), which it now does while this thread assembles
                // the tree; the scope waits for it at the end.
                let Some(theirs) = board.handed_back() else {
                    // It panicked: its join says why.
                    helper
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p));
                    unreachable!("a helper that hands nothing back has panicked");
                };
                done.extend(theirs);
            }
            done
        };
        let outputs = outputs_in_order(done)?;
        let tree = assemble(&plan, outputs)?;
        Ok((set, answered, all, tree))
    })
}

/// A helper thread: sets up its engine, waits for the files queued ahead
/// and parses them, waits for the answers, then renders what it parsed and
/// takes batches like the calling thread. The first helper starts the
/// others, if there are more cores. Returns what they rendered.
fn help<'scope, 's: 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    board: &'scope Board<'s>,
    first: bool,
) -> Done {
    let others: Vec<_> = if first {
        (2..crate::cores())
            .map(|_| scope.spawn(move || help(scope, board, false)))
            .collect()
    } else {
        Vec::new()
    };
    let mut worker = Worker::new(expr::engine(), board.deliver);
    let ahead = board.wait_ahead();
    let mut parsed = Vec::new();
    while let Some(batch) = ahead.and_then(Queue::take) {
        parsed.push(worker.parse(batch, false));
    }
    let mut done = Vec::new();
    if let (Some(ahead), Some(published)) = (ahead, board.wait()) {
        for batch in parsed {
            worker.render_batch(batch, &published.ctx);
        }
        worker.work(ahead, &published.ctx);
        worker.work(&published.rest, &published.ctx);
        done = worker.done;
    }
    for other in others {
        let theirs = other
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        done.extend(theirs);
    }
    done
}

/// The files every answer set includes (no rule with a `when` matches
/// them) that tera renders, with their treatment: known before the answers.
fn unconditional_files<'s>(set: &'s TemplateSet, rules: &Rules<'_>) -> Vec<Planned<'s>> {
    set.files
        .iter()
        .enumerate()
        .filter(|(_, file)| !rules.matching(&file.path).any(|r| r.rule.when.is_some()))
        .filter_map(|(index, file)| {
            let treatment = treatment(rules, &file.path, |_, _| {
                unreachable!("no rule with a condition matches")
            })
            .ok()?;
            let item = Planned::new(index, file, treatment);
            item.text.is_some().then_some(item)
        })
        .collect()
}

/// Files waiting to be parsed and rendered, handed out in contiguous
/// batches of about `BATCH_BYTES` of template text.
struct Queue<'s> {
    items: Vec<Planned<'s>>,
    /// All items are one batch: templates that include each other.
    whole: bool,
    /// Where each batch ends in `items`.
    ends: Vec<usize>,
    next: std::sync::atomic::AtomicUsize,
}

impl<'s> Queue<'s> {
    fn new(items: Vec<Planned<'s>>) -> Queue<'s> {
        let ends = batch_ends(&items, BATCH_BYTES);
        Queue {
            items,
            whole: false,
            ends,
            next: 0.into(),
        }
    }

    /// All `items` as one batch, for templates that include each other.
    fn whole(items: Vec<Planned<'s>>) -> Queue<'s> {
        let ends = vec![items.len()];
        Queue {
            items,
            whole: true,
            ends,
            next: 0.into(),
        }
    }

    /// The next batch not yet taken by any thread.
    fn take(&self) -> Option<&[Planned<'s>]> {
        let batch = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let end = *self.ends.get(batch)?;
        let start = batch.checked_sub(1).map_or(0, |before| self.ends[before]);
        Some(&self.items[start..end])
    }
}

/// Where each batch of about `target` bytes of template text ends: a batch
/// closes once it holds `target` bytes. Never an empty batch.
fn batch_ends(items: &[Planned<'_>], target: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut bytes = 0;
    for (i, item) in items.iter().enumerate() {
        bytes += item.file.bytes.len();
        if bytes >= target {
            ends.push(i + 1);
            bytes = 0;
        }
    }
    if ends.last() != Some(&items.len()) && !items.is_empty() {
        ends.push(items.len());
    }
    ends
}

/// What the helpers wait for: the files to parse ahead, then, once they
/// have parsed them, the context and the rest of the plan; or word that
/// there will be none (the answers failed, or the templates include each
/// other).
#[derive(Default)]
struct Board<'s> {
    /// Where each rendered file goes as soon as it is rendered, if anywhere.
    deliver: Option<Deliver<'s>>,
    /// Set once, before the answers are asked.
    ahead: std::sync::OnceLock<Queue<'s>>,
    news: std::sync::Mutex<News<'s>>,
    changed: std::sync::Condvar,
    /// What the first helper hands back (see `HandBack`).
    results: std::sync::Mutex<Option<HandedBack>>,
    results_in: std::sync::Condvar,
    /// Set once `results` holds them, for the calling thread to spin on.
    handed: std::sync::atomic::AtomicBool,
    /// Set once the files to parse ahead or the first news are posted, for
    /// the helpers to spin on.
    posted: std::sync::atomic::AtomicBool,
}

/// How long the calling thread spins (yielding) for the helper's results
/// before it sleeps: on this project's 2-core VM, a thread woken from sleep
/// ran again 0.05-0.08 ms later, while the threads finish within a batch of
/// each other.
const SPIN_FOR_RESULTS: std::time::Duration = std::time::Duration::from_millis(1);

/// How long a helper spins (yielding) for the files to parse ahead before it
/// sleeps: they are posted as soon as the set is loaded and its rules
/// compiled, which takes about as long as the helper takes to start and set
/// up its engine; woken from sleep, it parsed 0.07 ms later.
const SPIN_FOR_AHEAD: std::time::Duration = std::time::Duration::from_millis(1);

/// Spins, yielding, until `ready` or for `limit`, whichever comes first.
fn spin_until(limit: std::time::Duration, ready: impl Fn() -> bool) {
    let spinning = std::time::Instant::now();
    while !ready() && spinning.elapsed() < limit {
        // Yielding, not only spinning: on one core the other thread must run.
        std::thread::yield_now();
    }
}

/// What the helpers rendered, or `None` if one panicked.
type HandedBack = Option<Done>;

/// Hands the first helper's results to the calling thread through the
/// board; dropped without them (a panic), hands back `None`.
struct HandBack<'b, 's>(&'b Board<'s>);

impl HandBack<'_, '_> {
    fn with(self, results: Done) {
        self.0.hand_back(Some(results));
        // Handed back: nothing left for `drop` to say.
        std::mem::forget(self);
    }
}

impl Drop for HandBack<'_, '_> {
    fn drop(&mut self) {
        self.0.hand_back(None);
    }
}

#[derive(Default, Clone)]
enum News<'s> {
    #[default]
    Waiting,
    Plan(std::sync::Arc<Published<'s>>),
    Stop,
}

struct Published<'s> {
    ctx: tera::Context,
    rest: Queue<'s>,
}

impl<'s> Board<'s> {
    /// Posts the first news; later posts change nothing.
    fn post(&self, news: News<'s>) {
        let mut current = lock(&self.news);
        if matches!(*current, News::Waiting) {
            *current = news;
        }
        self.posted
            .store(true, std::sync::atomic::Ordering::Release);
        self.changed.notify_all();
    }

    /// Hands back results; only the first counts.
    fn hand_back(&self, results: HandedBack) {
        let mut slot = lock(&self.results);
        if slot.is_none() {
            *slot = Some(results);
        }
        self.handed
            .store(true, std::sync::atomic::Ordering::Release);
        self.results_in.notify_all();
    }

    /// The helpers' results once handed back.
    fn handed_back(&self) -> HandedBack {
        spin_until(SPIN_FOR_RESULTS, || {
            self.handed.load(std::sync::atomic::Ordering::Acquire)
        });
        wait_until(&self.results_in, lock(&self.results), Option::is_some)
            .take()
            .expect("waited until handed back")
    }

    /// Posts the files to parse ahead (once) and returns them.
    fn post_ahead(&self, queue: Queue<'s>) -> &Queue<'s> {
        let posted = self.ahead.get_or_init(|| queue);
        // Under the lock, so a helper about to wait cannot miss it.
        let _news = lock(&self.news);
        self.posted
            .store(true, std::sync::atomic::Ordering::Release);
        self.changed.notify_all();
        posted
    }

    /// The files to parse ahead once posted, or `None` when the helpers
    /// are to stop first.
    fn wait_ahead(&self) -> Option<&Queue<'s>> {
        spin_until(SPIN_FOR_AHEAD, || {
            self.posted.load(std::sync::atomic::Ordering::Acquire)
        });
        let news = wait_until(&self.changed, lock(&self.news), |news| {
            matches!(news, News::Stop) || self.ahead.get().is_some()
        });
        match *news {
            News::Stop => None,
            _ => self.ahead.get(),
        }
    }

    /// The plan once it is posted, or `None` when the helpers are to stop.
    fn wait(&self) -> Option<std::sync::Arc<Published<'s>>> {
        let news = wait_until(&self.changed, lock(&self.news), |news| {
            !matches!(news, News::Waiting)
        });
        match &*news {
            News::Plan(published) => Some(published.clone()),
            News::Waiting | News::Stop => None,
        }
    }
}

/// Locks `mutex`; a thread that panicked holding it left nothing half-done
/// here (every update is one assignment), so its value is used as it is.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits on `changed` until `ready` holds for the guarded value.
fn wait_until<'m, T>(
    changed: &std::sync::Condvar,
    guard: std::sync::MutexGuard<'m, T>,
    mut ready: impl FnMut(&T) -> bool,
) -> std::sync::MutexGuard<'m, T> {
    changed
        .wait_while(guard, |value| !ready(value))
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Posts the plan to the board, or, dropped before that (an error or a
/// panic on the calling thread), word that there is none.
struct Publisher<'b, 's>(&'b Board<'s>);

impl<'s> Publisher<'_, 's> {
    fn publish(&self, published: std::sync::Arc<Published<'s>>) {
        self.0.post(News::Plan(published));
    }
}

impl Drop for Publisher<'_, '_> {
    fn drop(&mut self) {
        self.0.post(News::Stop);
    }
}

/// Why a file failed: its template does not parse, or it parses but fails
/// to render.
#[derive(Debug)]
enum Failure {
    Syntax(Error),
    Render(Error),
}

/// One thread's parsing and rendering, and what it has rendered.
///
/// Each batch is parsed into an engine of its own, a copy of `blank`, and
/// the engine is dropped as soon as the batch is rendered, so that the next
/// batch's templates reuse its memory:
/// - fresh memory costs more here than freeing does: each new page is a
///   page fault, and each page mapped is unmapped again when the process
///   exits (dropping the engines took 90 of the default template's ~610
///   page faults, and 0.1 ms off `newsvc new --no-git`);
/// - tera checks every template an engine holds each time templates are
///   added to it: engines that grew with the template set made parsing grow
///   with the square of its size.
struct Worker<'d> {
    /// An engine holding no template (filters registered), copied for each
    /// batch: a copy costs less than setting up an engine.
    blank: tera::Tera,
    done: Done,
    deliver: Option<Deliver<'d>>,
}

/// The items of a batch ready to render, and the engine that parsed them.
struct ParsedBatch<'q, 's> {
    engine: tera::Tera,
    items: Vec<&'q Planned<'s>>,
}

impl<'d> Worker<'d> {
    /// A worker parsing with copies of `blank`, an engine holding no
    /// template.
    fn new(blank: tera::Tera, deliver: Option<Deliver<'d>>) -> Worker<'d> {
        Worker {
            blank,
            done: Vec::new(),
            deliver,
        }
    }

    /// Takes batches from `queue` until it is empty, parsing and rendering.
    fn work(&mut self, queue: &Queue<'_>, ctx: &tera::Context) {
        while let Some(batch) = queue.take() {
            let parsed = self.parse(batch, queue.whole);
            self.render_batch(parsed, ctx);
        }
    }

    /// Parses a batch into an engine of its own and returns the items ready
    /// to render; a file whose template does not parse is done, with its
    /// error. A `whole` batch (templates that include each other) fails as
    /// one.
    fn parse<'q, 's>(&mut self, batch: &'q [Planned<'s>], whole: bool) -> ParsedBatch<'q, 's> {
        let mut engine = self.blank.clone();
        let sources = batch
            .iter()
            .filter_map(|item| item.text.map(|text| (template_name(&item.file.path), text)));
        let error = match engine.add_raw_templates(sources) {
            Ok(()) => {
                return ParsedBatch {
                    engine,
                    items: batch.iter().collect(),
                };
            }
            Err(e) => e,
        };
        if whole {
            if let Some(first) = batch.first() {
                self.done
                    .push((first.index, Err(Failure::Syntax(template_error(&error)))));
            }
            return ParsedBatch {
                engine,
                items: Vec::new(),
            };
        }
        // One at a time, to tell which files fail: an error is rare, and
        // each failing file must be known for the earliest to be reported.
        let mut items = Vec::new();
        for item in batch {
            let parsed = match item.text {
                Some(text) => engine.add_raw_template(&template_name(&item.file.path), text),
                None => Ok(()),
            };
            match parsed {
                Ok(()) => items.push(item),
                Err(e) => self
                    .done
                    .push((item.index, Err(Failure::Syntax(template_error(&e))))),
            }
        }
        ParsedBatch { engine, items }
    }

    /// Renders the items of a parsed batch, then drops its engine.
    fn render_batch(&mut self, parsed: ParsedBatch<'_, '_>, ctx: &tera::Context) {
        for item in &parsed.items {
            self.render(&parsed.engine, item, ctx);
        }
        // Freed now, for the next batch's templates to reuse (see `Worker`).
        drop(parsed);
    }

    /// Renders a parsed item's path and contents with the engine that
    /// parsed it.
    fn render(&mut self, engine: &tera::Tera, item: &Planned<'_>, ctx: &tera::Context) {
        let output = (|| {
            let Some(path) =
                render_path(engine, &item.treatment.output_path, ctx, &item.file.path)?
            else {
                return Ok(None);
            };
            let bytes = match item.text {
                Some(_) => engine
                    .render(&template_name(&item.file.path), ctx)
                    .map_err(|e| template_error(&e))?
                    .into_bytes(),
                None => item.file.bytes.to_vec(),
            };
            Ok(Some((path, bytes)))
        })();
        if let (Some(deliver), Ok(Some((path, bytes)))) = (self.deliver, &output) {
            deliver(
                path,
                bytes,
                item.treatment.executable || item.file.executable,
            );
        }
        self.done
            .push((item.index, output.map_err(Failure::Render)));
    }
}

/// The threads' outputs in set order, or the error to report: the earliest
/// syntax error, else the earliest rendering error.
fn outputs_in_order(mut done: Done) -> Result<Vec<(usize, Output)>> {
    done.sort_by_key(|(index, _)| *index);
    let mut first_render_error = None;
    let mut outputs = Vec::with_capacity(done.len());
    for (index, result) in done {
        match result {
            Ok(output) => outputs.push((index, output)),
            Err(Failure::Syntax(e)) => return Err(e),
            Err(Failure::Render(e)) => {
                first_render_error.get_or_insert(e);
            }
        }
    }
    match first_render_error {
        Some(e) => Err(e),
        None => Ok(outputs),
    }
}

/// The file tree of the rendered plan; two files rendering to one path are
/// an error.
fn assemble(plan: &[Planned<'_>], outputs: Vec<(usize, Output)>) -> Result<FileTree> {
    debug_assert_eq!(
        plan.iter().map(|item| item.index).collect::<Vec<_>>(),
        outputs.iter().map(|(i, _)| *i).collect::<Vec<_>>()
    );
    let mut tree = FileTree::default();
    let mut origins: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (item, (_, output)) in plan.iter().zip(outputs) {
        let (file, t) = (item.file, &item.treatment);
        let Some((path, bytes)) = output else {
            continue;
        };
        if let Some(first) = origins.insert(path.clone(), file.path.clone()) {
            return Err(Error::PathCollision {
                first: format!("{FILES_DIR}/{first}"),
                second: format!("{FILES_DIR}/{}", file.path),
                path,
            });
        }
        tree.insert(
            path,
            FileEntry {
                bytes,
                executable: t.executable || file.executable,
                skip_if_exists: t.skip_if_exists,
                origin: file.path.clone(),
            },
        );
    }
    Ok(tree)
}

/// Whether a template's text uses a tag that pulls in another template.
/// `tags` finds `{%`: memchr's vectorised search, built once, as this runs
/// over every byte of every template file before anything is parsed.
fn composes_templates(tags: &memchr::memmem::Finder<'_>, bytes: &[u8]) -> bool {
    tags.find_iter(bytes).any(|at| {
        let tag = bytes[at + 2..].trim_ascii_start();
        let tag = tag
            .strip_prefix(b"-")
            .or_else(|| tag.strip_prefix(b"+"))
            .unwrap_or(tag);
        let tag = tag.trim_ascii_start();
        COMPOSING_TAGS.iter().any(|name| {
            tag.strip_prefix(name.as_bytes())
                .is_some_and(|rest| rest.first().is_some_and(u8::is_ascii_whitespace))
        })
    })
}

/// Renders the repository as newsvc writes it: the template files plus
/// `.newsvc.yml` recording the template and the answers.
pub fn render_repo(set: &TemplateSet, resolved: &Resolved) -> Result<FileTree> {
    render_repo_in(set, resolved, &context(set, resolved)?)
}

/// `render_repo` in `all`, the full context of `resolved` (see `context`).
pub fn render_repo_in(set: &TemplateSet, resolved: &Resolved, all: &Answers) -> Result<FileTree> {
    let mut tree = render_in(set, all)?;
    insert_record(&mut tree, set, resolved);
    Ok(tree)
}

/// Adds `.newsvc.yml`, the record of the render, to its tree.
fn insert_record(tree: &mut FileTree, set: &TemplateSet, resolved: &Resolved) {
    tree.insert(
        RECORD_FILE,
        FileEntry::new(record_for(set, &resolved.recorded).to_yaml()),
    );
}

/// The `.newsvc.yml` record of a render.
pub fn record_for(set: &TemplateSet, answers: &Answers) -> Record {
    Record {
        template: TemplateRef {
            source: set.origin.source.clone(),
            name: set.manifest.name.clone(),
            version: set.manifest.version.clone(),
            commit: set.origin.commit.clone(),
        },
        answers: answers.clone(),
    }
}

fn template_name(path: &str) -> String {
    format!("{FILES_DIR}/{path}")
}

fn template_error(e: &tera::Error) -> Error {
    let report = expr::flatten(e);
    let file = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            r.filename().to_string()
        }
        _ => report
            .split("--> ")
            .nth(1)
            .and_then(|s| s.split(':').next())
            .unwrap_or("?")
            .to_string(),
    };
    // newsvc prints its own `error: ` in front of the whole message.
    let report = report
        .strip_prefix("error: ")
        .map_or(report.clone(), str::to_string);
    Error::Template { file, report }
}

fn compile_rules(set: &TemplateSet) -> Result<Rules<'_>> {
    let mut rules = Vec::with_capacity(set.manifest.files.len());
    for (index, rule) in set.manifest.files.iter().enumerate() {
        let matcher = match (&rule.path, &rule.folder) {
            (Some(glob), _) => {
                crate::manifest::check_glob(glob).map_err(|message| Error::Manifest {
                    file: set.manifest_name(),
                    line: crate::manifest::line_of(&set.manifest_text, glob),
                    message: format!("file rule {}: {message}", rule.describe()),
                })?;
                Matcher::Glob(RuleGlob::new(glob))
            }
            (None, Some(folder)) => Matcher::Folder(folder.trim_matches('/').to_string()),
            (None, None) => unreachable!("checked by Manifest::parse"),
        };
        rules.push(CompiledRule {
            rule,
            matcher,
            index,
            on: Cell::new(None),
        });
    }
    Ok(Rules::new(rules))
}

/// The numbers of two ascending lists, merged in ascending order.
fn merge_ascending<'v>(a: &'v [usize], b: &'v [usize]) -> impl Iterator<Item = usize> + 'v {
    let (mut a, mut b) = (a.iter().copied().peekable(), b.iter().copied().peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x < y => a.next(),
        (Some(_), None) => a.next(),
        _ => b.next(),
    })
}

/// What the rules matching `path` say about it. `condition`
/// evaluates a rule's `when` the first time a file needs it; the answer is
/// kept for the other files the rule matches.
fn treatment(
    rules: &Rules<'_>,
    path: &str,
    mut condition: impl FnMut(&CompiledRule<'_>, &str) -> Result<bool>,
) -> Result<Treatment> {
    let mut t = Treatment {
        included: true,
        output_path: path.to_string(),
        ..Treatment::default()
    };
    let (mut copy, mut executable, mut skip, mut mapped) = (None, None, None, false);
    for r in rules.matching(path) {
        if let Some(when) = &r.rule.when {
            let on = if let Some(on) = r.on.get() {
                on
            } else {
                let on = condition(r, when)?;
                r.on.set(Some(on));
                on
            };
            if !on {
                t.included = false;
                return Ok(t);
            }
        }
        copy = copy.or(r.rule.copy);
        executable = executable.or(r.rule.executable);
        skip = skip.or(r.rule.skip_if_exists);
        if let (false, Matcher::Folder(folder), Some(into)) = (mapped, &r.matcher, &r.rule.into) {
            let rest = &path[folder.len() + 1..];
            let into = into.trim_matches('/');
            t.output_path = if into.is_empty() {
                rest.to_string()
            } else {
                format!("{into}/{rest}")
            };
            mapped = true;
        }
    }
    t.copy = copy.unwrap_or(false);
    t.executable = executable.unwrap_or(false);
    t.skip_if_exists = skip.unwrap_or(false);
    Ok(t)
}

/// Renders each path component; `None` when a component renders empty (the
/// file is dropped). Errors when the path would leave the target.
fn render_path(
    tera: &tera::Tera,
    path: &str,
    ctx: &tera::Context,
    origin: &str,
) -> Result<Option<String>> {
    let rendered = if expr::is_template(path) {
        let mut parts = Vec::new();
        for component in path.split('/') {
            let part = if expr::is_template(component) {
                expr::render_str(tera, component, ctx).map_err(|report| Error::Template {
                    file: template_name(origin),
                    report: format!("in its path: {report}"),
                })?
            } else {
                component.to_string()
            };
            if part.trim().is_empty() {
                return Ok(None);
            }
            parts.push(part);
        }
        parts.join("/")
    } else {
        path.to_string()
    };
    if let Some(reason) = unsafe_path_reason(&rendered) {
        return Err(Error::UnsafePath {
            file: template_name(origin),
            path: rendered,
            reason: reason.to_string(),
        });
    }
    Ok(Some(rendered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{ProvidedAnswers, resolve};
    use crate::manifest::Manifest;
    use crate::source::{Origin, TemplateFile};

    fn set(manifest: &str, files: &[(&str, &str)]) -> TemplateSet {
        TemplateSet {
            manifest: Manifest::parse(manifest, "template.yaml").unwrap(),
            manifest_text: manifest.to_string(),
            files: files
                .iter()
                .map(|(p, c)| TemplateFile {
                    path: (*p).to_string(),
                    bytes: c.as_bytes().to_vec().into(),
                    executable: false,
                })
                .collect(),
            changelog: None,
            origin: Origin {
                source: "test".into(),
                commit: None,
                dir: None,
            },
        }
    }

    /// A set of owned `(path, text)` files under `MANIFEST`.
    fn set_of(files: &[(String, String)]) -> TemplateSet {
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        set(MANIFEST, &borrowed)
    }

    const MANIFEST: &str = r#"
name: t
version: 1.0.0
questions:
  - name: name
    type: string
  - name: lang
    type: choice
    choices: [py, rs]
    default: py
computed:
  module: "{{ name | snake_case }}"
files:
  - folder: lang/py
    into: ""
    when: lang == "py"
  - folder: lang/rs
    into: src
    when: lang == "rs"
  - path: "**/*.sh"
    executable: true
  - path: "raw/**"
    copy: true
"#;

    fn resolved(pairs: &[(&str, &str)]) -> Resolved {
        let m = Manifest::parse(MANIFEST, "template.yaml").unwrap();
        let provided: ProvidedAnswers = pairs
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_string(),
                    crate::answers::Provided {
                        raw: crate::answers::Raw::Text((*v).to_string()),
                        origin: "t".into(),
                    },
                )
            })
            .collect();
        resolve(&m, &provided, &ProvidedAnswers::new(), None).unwrap()
    }

    #[test]
    fn rules_conditions_paths_and_computed_values() {
        let s = set(
            MANIFEST,
            &[
                ("README.md", "# {{ name }}"),
                ("lang/py/{{ module }}/app.py", "print('{{ module }}')"),
                ("lang/rs/main.rs", "fn main() {}"),
                ("run.sh", "#!/bin/sh"),
                ("raw/keep.txt", "{{ not rendered }}"),
                ("{% if lang == 'rs' %}only-rust.txt{% endif %}", "x"),
            ],
        );
        let tree = render(&s, &resolved(&[("name", "billing-api")])).unwrap();
        let paths: Vec<&String> = tree.paths().collect();
        assert_eq!(
            paths,
            vec!["README.md", "billing_api/app.py", "raw/keep.txt", "run.sh"]
        );
        assert_eq!(
            tree.get("billing_api/app.py").unwrap().bytes,
            b"print('billing_api')"
        );
        assert_eq!(
            tree.get("raw/keep.txt").unwrap().bytes,
            b"{{ not rendered }}"
        );
        assert!(tree.get("run.sh").unwrap().executable);
        assert!(!tree.get("README.md").unwrap().executable);

        let tree = render(&s, &resolved(&[("name", "billing-api"), ("lang", "rs")])).unwrap();
        assert!(tree.get("src/main.rs").is_some());
        assert!(tree.get("only-rust.txt").is_some());
    }

    #[test]
    fn escaping_paths_are_refused_naming_the_template_file() {
        let s = set(MANIFEST, &[("{{ name }}/x.txt", "x")]);
        let err = render(&s, &resolved(&[("name", "..")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("files/{{ name }}/x.txt"), "{err}");
        assert!(err.contains("`..`"), "{err}");
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let s = set(MANIFEST, &[("a.txt", "line1\n{% if %}\n")]);
        let err = render(&s, &resolved(&[("name", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("files/a.txt:2"), "{err}");
    }

    #[test]
    fn rendering_is_deterministic() {
        let s = set(
            MANIFEST,
            &[("a.txt", "{{ name }}"), ("b/c.txt", "{{ module }}")],
        );
        let r = resolved(&[("name", "x-y")]);
        assert_eq!(render_repo(&s, &r).unwrap(), render_repo(&s, &r).unwrap());
    }

    #[test]
    fn collisions_are_refused() {
        let s = set(MANIFEST, &[("lang/py/a.txt", "1"), ("a.txt", "2")]);
        let err = render(&s, &resolved(&[("name", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("both render to `a.txt`"), "{err}");
    }

    #[test]
    fn batches_are_contiguous_and_close_at_the_target() {
        let files: Vec<TemplateFile> = [10, 10, 10, 10, 40, 5, 5]
            .iter()
            .enumerate()
            .map(|(i, n)| TemplateFile {
                path: format!("f{i}"),
                bytes: vec![b'x'; *n].into(),
                executable: false,
            })
            .collect();
        let items: Vec<Planned<'_>> = files
            .iter()
            .enumerate()
            .map(|(index, file)| Planned::new(index, file, Treatment::default()))
            .collect();
        assert_eq!(batch_ends(&items, 1000), vec![7]);
        assert_eq!(batch_ends(&items, 20), vec![2, 4, 5, 7]);
        assert_eq!(batch_ends(&items, 1), vec![1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(batch_ends(&items[..0], 20), Vec::<usize>::new());
        // The queue hands each batch out once, in order.
        let queue = Queue::new(items);
        let mut taken = Vec::new();
        while let Some(batch) = queue.take() {
            assert!(!batch.is_empty());
            taken.extend(batch.iter().map(|item| item.index));
        }
        assert_eq!(taken, (0..7).collect::<Vec<_>>());
        assert!(queue.take().is_none());
    }

    #[test]
    fn composing_tags_are_recognised() {
        let tags = memchr::memmem::Finder::new(b"{%");
        let composes = |text: &str| composes_templates(&tags, text.as_bytes());
        assert!(composes("a {% include \"x\" %}"));
        assert!(composes("{%- extends \"base\" %}"));
        assert!(composes("{% import \"m\" as m %}"));
        assert!(!composes("{% if included %}{{ imports }}{% endif %}"));
        assert!(!composes("plain text with include and extends"));
    }

    /// Renders on the calling thread only.
    fn render_on_one_thread(s: &TemplateSet, r: &Resolved) -> Result<FileTree> {
        let all = context(s, r)?;
        render_after(|| Ok(s), Threads::One, |_| Ok(((), all)), None).map(|(_, (), _, tree)| tree)
    }

    #[test]
    fn threads_do_not_change_the_output_or_the_error() {
        // Big enough to be shared across threads, with files parsed ahead
        // (no `when`), files the answers include, a copied file and one
        // whose path renders empty; and the same files on one thread.
        let body = "line {{ name }} {% if lang == \"py\" %}py{% endif %}\n".repeat(400);
        let mut files = vec![("README.md".to_string(), "# {{ name }}".to_string())];
        for i in 0..40 {
            let folder = if i % 2 == 0 { "lang/py" } else { "shared" };
            files.push((format!("{folder}/m{i:02}.py"), body.clone()));
        }
        files.push(("raw/keep.txt".to_string(), "{{ not rendered }}".to_string()));
        files.push(("lang/rs/main.rs".to_string(), body.clone()));
        files.push((
            "{% if lang == 'rs' %}rs.txt{% endif %}".to_string(),
            "x".to_string(),
        ));
        let s = set_of(&files);
        let r = resolved(&[("name", "billing-api")]);
        let tree = render(&s, &r).unwrap();
        assert_eq!(tree, render_on_one_thread(&s, &r).unwrap());
        assert_eq!(tree.len(), 42);
        assert_eq!(
            tree.get("m00.py").unwrap().bytes,
            "line billing-api py\n".repeat(400).as_bytes()
        );
        assert!(tree.get("shared/m01.py").is_some());
        assert_eq!(
            tree.get("raw/keep.txt").unwrap().bytes,
            b"{{ not rendered }}"
        );

        // A syntax error late in the set wins over a rendering error early,
        // whether the broken files are parsed ahead or after the answers.
        for (early, late, named) in [(2, 39, "m38.py"), (1, 40, "m39.py"), (2, 40, "m39.py")] {
            let mut broken = files.clone();
            broken[early].1 = "{{ missing_variable }}".to_string();
            broken[late].1 = "{% if %}".to_string();
            let s = set_of(&broken);
            let err = render(&s, &r).unwrap_err().to_string();
            assert!(err.contains(named), "{err}");
            assert_eq!(err, render_on_one_thread(&s, &r).unwrap_err().to_string());
        }
        // Two syntax errors: the earlier file is named.
        let mut broken = files.clone();
        broken[5].1 = "{% for %}".to_string();
        broken[30].1 = "{% if %}".to_string();
        let err = render(&set_of(&broken), &r).unwrap_err().to_string();
        assert!(err.contains("m04.py"), "{err}");
    }

    #[test]
    fn a_rule_glob_that_does_not_compile_is_reported_after_the_answers_errors() {
        // Big enough for a helper thread, which must be told to stop.
        let big = "x".repeat(PARALLEL_MIN_BYTES);
        let mut s = set(
            MANIFEST,
            &[("README.md", "# {{ name }}"), ("big.txt", &big)],
        );
        // Past the manifest's own check, as an embedded manifest would be.
        s.manifest.files[2].path = Some("docs/{a,b.md".into());
        let err = render_repo_after(&s, || Err(Error::Cancelled), None).unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err}");
        let r = resolved(&[("name", "billing-api")]);
        let all = context(&s, &r).unwrap();
        let err = render_repo_after(&s, || Ok((r.clone(), all)), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("never closed"), "{err}");
    }

    #[test]
    fn a_helper_hands_back_its_results_or_nothing_when_it_panics() {
        let board = Board::default();
        std::thread::scope(|scope| {
            let helper = scope.spawn(|| HandBack(&board).with(vec![(7, Ok(None))]));
            let done = board.handed_back().expect("handed back");
            assert!(matches!(done[..], [(7, Ok(None))]));
            helper.join().unwrap();
        });
        let board = Board::default();
        std::thread::scope(|scope| {
            let helper = scope.spawn(|| {
                let _hand_back = HandBack(&board);
                panic!("a helper fails");
            });
            // Not a wait for ever: the calling thread learns of it, and its
            // join says why.
            assert!(board.handed_back().is_none());
            assert!(helper.join().is_err());
        });
    }

    #[test]
    fn answers_that_fail_stop_the_threads_parsing_ahead() {
        let body = "line {{ name }}\n".repeat(3000);
        let files: Vec<(String, String)> = (0..30)
            .map(|i| (format!("m{i:02}.txt"), body.clone()))
            .collect();
        let s = set_of(&files);
        let err = render_repo_after(&s, || Err(Error::Cancelled), None).unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err}");
        // And the same set renders once the answers are there.
        let r = resolved(&[("name", "billing-api")]);
        let all = context(&s, &r).unwrap();
        let rendered = render_repo_after(&s, || Ok((r.clone(), all)), None).unwrap();
        assert_eq!(rendered.tree.len(), 31, "30 files and .newsvc.yml");
    }

    #[test]
    fn a_set_that_fails_to_load_stops_the_helper_started_for_it() {
        let asked = Cell::new(false);
        let err = render_repo_loading(
            || Err(Error::Cancelled),
            |_| {
                asked.set(true);
                Err(Error::Usage("not asked".into()))
            },
            None,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err}");
        assert!(!asked.get(), "no answers without a set");
        // A small set loaded after the helper started is rendered all the
        // same, the helper told to stop; a big one is shared with it.
        let small = set_of(&[("a.txt".to_string(), "{{ name }}".to_string())]);
        let body = "line {{ name }}\n".repeat(3000);
        let big = set_of(
            &(0..30)
                .map(|i| (format!("m{i:02}.txt"), body.clone()))
                .collect::<Vec<_>>(),
        );
        for (set, files) in [(&small, 1), (&big, 30)] {
            let r = resolved(&[("name", "billing-api")]);
            let all = context(set, &r).unwrap();
            let (loaded, rendered) =
                render_repo_loading(|| Ok(set), |_| Ok((r.clone(), all)), None).unwrap();
            assert!(std::ptr::eq(loaded, set));
            assert_eq!(rendered.tree.len(), files + 1, "and .newsvc.yml");
        }
    }

    #[test]
    fn rule_globs_match_path_segments() {
        let glob = |g: &str, p: &str| RuleGlob::new(g).is_match(p);
        assert!(glob("**/*.sh", "run.sh"));
        assert!(glob("**/*.sh", "local/bin/init.sh"));
        assert!(!glob("*.sh", "local/init.sh"), "`*` stays within a folder");
        assert!(glob("lang/python/*/web.py", "lang/python/billing/web.py"));
        assert!(!glob("lang/python/*/web.py", "lang/python/a/b/web.py"));
        assert!(glob("docs/{a,b}.md", "docs/b.md"));
        assert!(!glob("docs/{a,b}.md", "docs/c.md"));
        assert!(glob(
            "lang/{java,scala}/src/*/*/**/health/**",
            "lang/scala/src/main/scala/com/x/health/Routes.scala"
        ));
        assert!(glob(
            "terraform/modules/**",
            "terraform/modules/service/main.tf"
        ));
        assert!(!glob("terraform/modules/**", "terraform/dev/main.tf"));
        assert_eq!(RuleGlob::new("docs/{a,b}.md").literal_prefix, "docs/");
        assert_eq!(RuleGlob::new("docs/{a,b}.md").literal_suffix, ".md");
        assert!(
            glob("{a,b/{c,d}}/x", "b/d/x"),
            "nested groups are left whole"
        );
        assert!(
            glob("lang/{,x}y/*.py", "lang/y/a.py"),
            "an empty alternative"
        );
        assert!(glob("!lang/**", "docs/a.md"));
        assert!(!glob("!lang/**", "lang/a.md"));
        assert!(
            crate::manifest::check_glob("docs/{a,b.md")
                .unwrap_err()
                .contains("never closed")
        );
    }

    #[test]
    fn rule_globs_match_as_fast_glob_does_for_the_default_template() {
        let set = crate::source::load_embedded("service").unwrap();
        let mut globs: Vec<String> = set
            .manifest
            .files
            .iter()
            .filter_map(|rule| rule.path.clone())
            .collect();
        globs.extend(
            [
                "**/*.sh",
                "*",
                "**",
                "{lang,docs}/**/*.{py,md}",
                "lang/{java,scala}/src/*/*/**/health/**",
                "lang/py*/{a,b}",
                "!**/*.tf",
                "docs/\\{x}.md",
                "[lt]*/**/*.[a-z]s",
            ]
            .map(String::from),
        );
        let mut matches = 0;
        for glob in &globs {
            let rule_glob = RuleGlob::new(glob);
            for file in &set.files {
                let expected = fast_glob::glob_match(glob, &file.path);
                assert_eq!(
                    rule_glob.is_match(&file.path),
                    expected,
                    "{glob} on {}",
                    file.path
                );
                matches += usize::from(expected);
            }
        }
        assert!(
            matches > 300,
            "only {matches} matches: the test tells little"
        );
    }

    #[test]
    fn rules_found_through_the_index_are_those_that_match_in_manifest_order() {
        let manifest = r#"
name: t
version: 1.0.0
files:
  - path: "**/*.sh"
    executable: true
  - folder: lang/py
    into: ""
  - path: "lang/py/*/web.py"
    copy: true
  - folder: docs
    skip_if_exists: true
  - path: "README*"
    copy: true
  - path: "{lang,docs}/**"
    executable: true
  - path: "docs/{a,b}.md"
    copy: true
  - folder: lang
    skip_if_exists: true
  - path: "lang/py/run.sh"
    copy: true
"#;
        let s = set(manifest, &[]);
        let rules = compile_rules(&s).unwrap();
        assert_eq!(
            rules.anywhere,
            vec![0, 4, 5],
            "rules that fix no first folder"
        );
        let places = |path: &str| rules.matching(path).map(|r| r.index).collect::<Vec<_>>();
        for path in [
            "lang/py/run.sh",
            "lang/py/billing/web.py",
            "lang/py",
            "lang",
            "lang.sh",
            "docs/a.md",
            "docs/c.md",
            "docs",
            "README.md",
            "README/x.sh",
            "local/init.sh",
            "terraform/main.tf",
        ] {
            let each: Vec<usize> = rules
                .in_order
                .iter()
                .filter(|r| r.applies_to(path))
                .map(|r| r.index)
                .collect();
            assert_eq!(places(path), each, "{path}");
        }
        assert_eq!(places("lang/py/run.sh"), vec![0, 1, 5, 7, 8]);
        assert_eq!(places("docs/a.md"), vec![3, 5, 6]);
        assert_eq!(places("README.md"), vec![4]);
        assert!(places("terraform/main.tf").is_empty());
    }

    #[test]
    fn each_batch_is_parsed_into_an_engine_of_its_own() {
        // Enough text for several batches, and for helpers.
        let files: Vec<(String, String)> = (0..192)
            .map(|i| {
                let body = format!("{i} {{{{ name }}}}\n").repeat(60);
                (format!("shared/f{i:03}.txt"), body)
            })
            .collect();
        let s = set_of(&files);
        let r = resolved(&[("name", "billing-api")]);
        let all = context(&s, &r).unwrap();
        let queue = Queue::new(
            s.files
                .iter()
                .enumerate()
                .map(|(index, file)| {
                    let treatment = Treatment {
                        included: true,
                        output_path: file.path.clone(),
                        ..Treatment::default()
                    };
                    Planned::new(index, file, treatment)
                })
                .collect(),
        );
        let mut worker = Worker::new(expr::engine(), None);
        let mut batches = 0;
        while let Some(batch) = queue.take() {
            let parsed = worker.parse(batch, false);
            let mut held: Vec<&str> = parsed.engine.get_template_names().collect();
            held.sort_unstable();
            let names: Vec<String> = batch.iter().map(|i| template_name(&i.file.path)).collect();
            assert_eq!(held, names.iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(parsed.items.len(), batch.len());
            batches += 1;
        }
        assert!(batches >= 3, "{batches} batches");
        // The copies start empty: the blank engine never holds a template.
        assert_eq!(worker.blank.get_template_names().count(), 0);
        // One thread, a batch at a time, renders what the threads render.
        let (_, (), _, one) =
            render_after(|| Ok(&s), Threads::One, |_| Ok(((), all.clone())), None).unwrap();
        assert_eq!(
            one.get("shared/f007.txt").unwrap().bytes,
            "7 billing-api\n".repeat(60).as_bytes()
        );
        assert_eq!(one, render(&s, &r).unwrap());
    }

    #[test]
    fn a_rule_condition_that_fails_is_named_with_its_rule() {
        // The conditions are evaluated together first; when that fails, each
        // is evaluated on its own so the error names the failing rule.
        let manifest = MANIFEST.replace(
            "  - path: \"raw/**\"\n    copy: true",
            "  - path: \"raw/**\"\n    copy: true\n    when: lang + 1 > 2",
        );
        let s = set(
            &manifest,
            &[("README.md", "# {{ name }}"), ("raw/keep.txt", "x")],
        );
        let r = resolved(&[("name", "billing-api")]);
        let err = render(&s, &r).unwrap_err().to_string();
        assert!(err.contains("file rule #4"), "{err}");
        assert!(err.contains("fails to evaluate"), "{err}");
        // Without the failing rule, the batch gives the per-rule answers.
        let s = set(MANIFEST, &[("lang/py/a.py", "a"), ("lang/rs/b.rs", "b")]);
        let tree = render(&s, &r).unwrap();
        assert!(tree.get("a.py").is_some());
        assert!(tree.get("src/b.rs").is_none());
    }

    #[test]
    fn rules_sharing_a_condition_are_all_given_its_value() {
        let manifest = MANIFEST.replace(
            "  - path: \"raw/**\"\n    copy: true",
            "  - path: \"raw/**\"\n    copy: true\n    when: lang == \"py\"\n  - path: \"docs/**\"\n    when: lang == \"rs\"\n  - path: \"ci/**\"\n    when: name == \"billing-api\"",
        );
        let s = set(&manifest, &[("README.md", "x")]);
        let rules = compile_rules(&s).unwrap();
        let r = resolved(&[("name", "billing-api"), ("lang", "py")]);
        let ctx = context(&s, &r).unwrap().to_context();
        rules.evaluate_conditions(&expr::engine(), &ctx);
        let on: Vec<Option<bool>> = rules.in_order.iter().map(|r| r.on.get()).collect();
        // lang/py, lang/rs, *.sh (no condition), raw (= lang/py's), docs
        // (= lang/rs's), ci.
        assert_eq!(
            on,
            [
                Some(true),
                Some(false),
                None,
                Some(true),
                Some(false),
                Some(true)
            ]
        );
    }

    #[test]
    fn templates_that_include_others_are_rendered_on_one_engine() {
        // Large enough to be split across threads if nothing composed.
        let body = "line {{ name }}\n".repeat(3000);
        // The partial first and its user last: far apart in the plan.
        let mut files = vec![(
            "a-partial.txt".to_string(),
            "from the partial: {{ name }}".to_string(),
        )];
        files.extend((0..20).map(|i| (format!("m{i:02}.txt"), body.clone())));
        files.push((
            "z-user.txt".into(),
            "{% include \"files/a-partial.txt\" %}".into(),
        ));
        let s = set_of(&files);
        let tree = render(&s, &resolved(&[("name", "billing-api")])).unwrap();
        assert_eq!(
            tree.get("z-user.txt").unwrap().bytes,
            b"from the partial: billing-api"
        );

        // The same when only an included file the answers select composes:
        // the files parsed ahead on the helper thread are parsed again in
        // the one engine.
        let last = files.len() - 1;
        files[last].0 = "lang/py/z-user.txt".into();
        let s = set_of(&files);
        let r = resolved(&[("name", "billing-api")]);
        let tree = render(&s, &r).unwrap();
        assert_eq!(
            tree.get("z-user.txt").unwrap().bytes,
            b"from the partial: billing-api"
        );
        assert_eq!(tree, render_on_one_thread(&s, &r).unwrap());
    }
}
