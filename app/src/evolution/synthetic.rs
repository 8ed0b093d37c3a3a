//! Synthetic traces for the clustering benchmarks, native
//! (`app/benches/evolution_speed.rs`) and in the browser
//! (`benches/evolution_browser.rs`, through the evolution crate's `bench`
//! feature), so both cluster the very same traces. Not used by the app:
//! the shipped bundles do not reference it, so it is not in them.
//!
//! Traces are generated deterministically: a task is an action on an object
//! of its own ("chart" × "monthly sales csv", "summarise" × "kroubizan
//! report"), phrased through templates, verb synonyms, British or American
//! spelling, fillers, numbers and typos, so paraphrases exist at every
//! size; each task also has its skills and steps. About 50 traces a task.

use super::{Outcome, Step, StepKind, TraceInput};
use rustc_hash::FxHashMap;

/// Actions with their verb phrasings and the skills they use.
const ACTIONS: &[(&[&str], &str)] = &[
    (&["chart", "plot", "graph", "draw a chart of", "visualise"], "plotting"),
    (&["summarise", "summarize", "give me a summary of", "tl;dr", "condense"], "summarising"),
    (&["clean", "tidy up", "fix", "clean up", "sanitise"], "data-cleaning"),
    (&["translate", "translate into french", "put into french", "french version of"], "translation"),
    (&["review", "check", "look over", "critique", "proofread"], "code-review"),
    (&["explain", "help me understand", "walk me through", "what does this mean:"], "technical-writing"),
    (&["analyse", "analyze", "profile", "get statistics for", "describe"], "csv-analysis"),
    (&["convert", "turn", "transform", "change the format of"], "data-cleaning"),
    (&["write tests for", "add unit tests to", "generate pytest cases for", "test"], "writing-unit-tests"),
    (&["debug", "find the bug in", "why does this crash:", "fix the error in"], "debugging-method"),
    (&["draft an email about", "write an email on", "email my team about", "compose a message about"], "email-drafting"),
    (&["optimise", "optimize", "speed up", "make faster"], "sql-query-review"),
];

/// Objects: a few words each, some with British and American spellings.
const OBJECTS: &[&str] = &[
    "monthly sales csv",
    "quarterly revenue report",
    "customer churn data",
    "server access logs",
    "product backlog",
    "marketing budget spreadsheet",
    "sql query for orders",
    "python parsing function",
    "react login component",
    "kubernetes deployment yaml",
    "research paper on transformers",
    "meeting notes from monday",
    "colour palette for the website",
    "user survey results",
    "inventory database",
    "invoice template",
    "travel expenses claim",
    "hiring plan",
    "release notes",
    "api documentation",
    "error messages in the app",
    "shell script for backups",
    "weather station readings",
    "stock price history",
    "football league table",
    "recipe ingredients list",
    "student grades",
    "energy usage data",
    "website traffic analytics",
    "support ticket export",
    "dns configuration",
    "docker compose file",
    "rust borrow checker error",
    "regex for phone numbers",
    "cron job schedule",
    "a/b test results",
    "press release",
    "grant proposal",
    "legal contract clause",
    "org chart",
    "organisation chart",
    "payroll export",
    "sensor calibration table",
    "mobile app reviews",
    "podcast transcript",
    "lecture slides",
    "bug report",
    "crash dump",
    "git history",
    "terraform plan",
];

const TEMPLATES: &[&str] = &[
    "{verb} the {object}",
    "can you {verb} my {object}",
    "please {verb} this {object} {extra}",
    "i need to {verb} the {object} {extra}",
    "{object}: {verb} it",
    "{verb} {object} for {extra}",
    "help me {verb} our {object}",
    "how do i {verb} a {object}?",
];

const EXTRAS: &[&str] =
    &["today", "for my boss", "asap", "for the team meeting", "before friday", "in 5 minutes", "for a presentation", "quickly", "for 2024", "by tomorrow", "for the client", "again"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One typo in one word of `text`: two neighbouring letters swapped.
fn typo(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() > 4 {
        let i = 1 + rng.below(chars.len() - 3);
        if chars[i].is_alphabetic() && chars[i + 1].is_alphabetic() {
            chars.swap(i, i + 1);
        }
    }
    chars.into_iter().collect()
}

/// Generic nouns that follow a task's own topic word beyond `OBJECTS`.
const NOUNS: &[&str] = &["report", "data", "csv", "logs", "notes", "query", "script", "email", "table", "dashboard", "spreadsheet", "document"];

/// A made-up but pronounceable topic word, unique per task ("brovanic"):
/// what tells one user's task apart from another's, as a client, product
/// or project name does.
fn topic(task: usize) -> String {
    const ONSETS: &[&str] = &["b", "br", "d", "f", "g", "k", "kr", "l", "m", "n", "p", "s", "st", "t", "v", "z"];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou"];
    let mut rng = Rng(task as u64 * 0x9E37 + 1);
    (0..3).map(|_| format!("{}{}", ONSETS[rng.below(ONSETS.len())], VOWELS[rng.below(VOWELS.len())])).collect::<String>() + ["n", "x", "l", "r"][task % 4]
}

/// `n` traces over `n / 50` tasks (at least 20), and the task of each. A
/// task is an action on one of `OBJECTS` or, beyond those, on a topic word
/// of its own and a generic noun ("summarise the kroubizan report"). Tasks
/// with the same action share verbs, skills and steps, and differ by their
/// object: the truth the pairwise scores are computed against.
pub fn traces(n: usize) -> (Vec<TraceInput>, Vec<usize>) {
    let tasks = (n / 50).max(20);
    let mut rng = Rng(42);
    let mut traces = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    for i in 0..n {
        let task = rng.below(tasks);
        let action = (task * 5) % ACTIONS.len();
        let (verbs, skill) = ACTIONS[action];
        let object = match OBJECTS.get(task) {
            Some(object) => object.to_string(),
            None => format!("{} {}", topic(task), NOUNS[(task / ACTIONS.len()) % NOUNS.len()]),
        };
        let object = object.as_str();
        let verb = verbs[rng.below(verbs.len())];
        let template = TEMPLATES[rng.below(TEMPLATES.len())];
        let mut goal = template.replace("{verb}", verb).replace("{object}", object).replace("{extra}", EXTRAS[rng.below(EXTRAS.len())]);
        if rng.below(10) == 0 {
            goal = typo(&goal, &mut rng);
        }
        if rng.below(3) == 0 {
            goal = goal.to_uppercase().chars().take(1).chain(goal.chars().skip(1)).collect();
        }
        let steps = vec![Step { kind: StepKind::Load, name: skill.to_string(), ok: true }, Step { kind: StepKind::Run, name: skill.to_string(), ok: rng.below(5) != 0 }];
        let outcome = match rng.below(4) {
            0 => Outcome::NotSolved,
            1 => Outcome::Unknown,
            _ => Outcome::Solved,
        };
        traces.push(TraceInput {
            id: format!("t{i}"),
            goal,
            skills_offered: vec![skill.to_string(), ACTIONS[rng.below(ACTIONS.len())].1.to_string()],
            skills_used: vec![skill.to_string()],
            steps,
            outcome,
            timestamp_ms: 1.7e12 + i as f64 * 60_000.0,
            model: "bench".into(),
        });
        truth.push(task);
    }
    (traces, truth)
}

/// Pairs within the groups of `counts`.
fn pairs<K>(counts: FxHashMap<K, u64>) -> f64 {
    counts.values().map(|&c| c * c.saturating_sub(1) / 2).sum::<u64>() as f64
}

/// Exact pairwise precision, recall and F1 from the contingency table.
pub fn pairwise(truth: &[usize], predicted: &[usize]) -> (f64, f64, f64) {
    let mut both = FxHashMap::default();
    let mut t = FxHashMap::default();
    let mut p = FxHashMap::default();
    for (&a, &b) in truth.iter().zip(predicted) {
        *both.entry((a, b)).or_insert(0u64) += 1;
        *t.entry(a).or_insert(0u64) += 1;
        *p.entry(b).or_insert(0u64) += 1;
    }
    let (tp, true_pairs, predicted_pairs) = (pairs(both), pairs(t), pairs(p));
    let precision = if predicted_pairs > 0.0 { tp / predicted_pairs } else { 0.0 };
    let recall = if true_pairs > 0.0 { tp / true_pairs } else { 0.0 };
    (precision, recall, if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 })
}

/// A global allocator that counts the bytes live on the heap, for the
/// benchmarks' memory figures: install it with `#[global_allocator]`, call
/// [`CountingAllocator::start`] before the work and
/// [`CountingAllocator::peak_since`] after it (bytes, the most live at
/// once above what was live at the start).
pub struct CountingAllocator;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl CountingAllocator {
    /// Starts a measurement: the bytes live now, to pass to `peak_since`.
    pub fn start() -> usize {
        let live = LIVE.load(std::sync::atomic::Ordering::Relaxed);
        PEAK.store(live, std::sync::atomic::Ordering::Relaxed);
        live
    }

    /// The peak bytes live since `start` returned `base`, above `base`.
    pub fn peak_since(base: usize) -> usize {
        PEAK.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(base)
    }
}

// SAFETY: every call is passed on unchanged to the system allocator; the
// counters are only read by the benchmarks.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}
