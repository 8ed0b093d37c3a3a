//! Bounded work for every input: hundreds of malformed skill trees run
//! through `llmos check` and `llmos build`, each with a wall-clock limit and
//! a memory guard, counting panics, hangs, peak memory and errors that do
//! not name the file they are about.
//!
//! The trees are made by code (`tests/corpus/`), one at a time, in a
//! temporary directory, and removed after their runs. The test prints one
//! summary line, every fault with the case that shows it, and fails when any
//! count is not zero.
//!
//! This is its own test binary on purpose: peak memory is read per child
//! with `wait4`, and nothing else in this process starts children.
//!
//! Environment, for working on a fault:
//! - `LLMOS_CORPUS_FILTER=text`: only the cases whose name contains `text`;
//! - `LLMOS_CORPUS_KEEP=1`: keep the trees (and the runs' stderr), and print
//!   where they are, to rerun a case by hand;
//! - `LLMOS_CORPUS_TIMEOUT=60`: seconds per run (default 30);
//! - `LLMOS_CORPUS_VERBOSE=1`: print every run as it ends;
//! - `LLMOS_CORPUS_BIN=/path/to/llmos`: run another build of llmos (say,
//!   a copy of an older one) instead of the one cargo built with this test.
//!
//! Run: `cargo test --test malformed_corpus -- --nocapture`.

mod corpus;

use corpus::{Case, Expect, Input};
use std::collections::HashSet;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The documented ceiling on one run's peak resident memory: 1 GiB. A skill
/// collection is text and small assets, and the largest inputs
/// (a 50 MB body, 200 kB of nested YAML) must not need more than this
/// to be built or refused.
const MEMORY_CEILING_BYTES: u64 = 1 << 30;

/// A hard limit on each child's address space (4x the ceiling), so a run
/// that tries to allocate without bound fails fast (an allocation failure,
/// counted as over the ceiling) instead of taking the machine's memory from
/// everything else running on it.
const ADDRESS_SPACE_GUARD_BYTES: u64 = 4 * MEMORY_CEILING_BYTES;

/// How long one `check` or `build` may take before it is killed and counted
/// as a hang. Generous for a debug binary on a busy 2-core machine: the
/// slowest bounded cases (tens of thousands of pages) take about 10 seconds.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a run's stderr is read back (a run that floods stderr is
/// reported with its size; the rest is not needed to judge it).
const STDERR_READ_LIMIT: u64 = 16 << 20;

#[derive(Debug)]
struct Run {
    /// `Some(code)` when the process exited; `None` when a signal ended it.
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    peak_bytes: u64,
    elapsed: Duration,
    stderr: String,
    stderr_bytes: u64,
}

impl Run {
    fn ok(&self) -> bool {
        self.code == Some(0)
    }

    fn panicked(&self) -> bool {
        self.code == Some(101) || self.stderr.contains("panicked at") || self.stderr.contains("has overflowed its stack")
    }

    fn out_of_memory(&self) -> bool {
        self.stderr.contains("memory allocation of") || self.stderr.contains("capacity overflow")
    }

    fn describe(&self) -> String {
        let end = match (self.code, self.signal, self.timed_out) {
            (_, _, true) => "killed after the time limit".to_string(),
            (Some(code), _, _) => format!("exit {code}"),
            (None, Some(signal), _) => format!("signal {signal}"),
            (None, None, _) => "unknown end".to_string(),
        };
        format!("{end}, {:.1}s, peak {} MiB, stderr {} bytes", self.elapsed.as_secs_f64(), self.peak_bytes >> 20, self.stderr_bytes)
    }
}

/// Runs `llmos args` in `cwd` with stdout and stderr in files, killing it at
/// `timeout`; the peak memory is the child's own, from `wait4`.
fn run_llmos(cwd: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &str)], log: &Path, timeout: Duration) -> Run {
    let stderr = fs::File::create(log).unwrap();
    let binary = std::env::var_os("LLMOS_CORPUS_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_llmos").into());
    let mut command = Command::new(binary);
    command.args(args).envs(env.iter().copied()).current_dir(cwd).stdin(Stdio::null()).stdout(Stdio::null()).stderr(stderr);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: ADDRESS_SPACE_GUARD_BYTES as libc::rlim_t, rlim_max: ADDRESS_SPACE_GUARD_BYTES as libc::rlim_t };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let child = command.spawn().expect("llmos starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        // SAFETY: pid is our child, not yet reaped; status and usage are valid out-pointers.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        assert!(reaped == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if started.elapsed() > timeout {
            timed_out = true;
            // SAFETY: as above; SIGKILL cannot be caught, so the blocking wait returns.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let elapsed = started.elapsed();
    // `child` was reaped by wait4 above; dropping it neither waits nor kills.
    drop(child);
    let stderr_bytes = fs::metadata(log).map(|m| m.len()).unwrap_or(0);
    let mut text = Vec::new();
    use std::io::Read;
    fs::File::open(log).unwrap().take(STDERR_READ_LIMIT).read_to_end(&mut text).unwrap();
    let (code, signal) = if libc::WIFEXITED(status) { (Some(libc::WEXITSTATUS(status)), None) } else { (None, libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status))) };
    Run { code, signal, timed_out, peak_bytes: usage.ru_maxrss as u64 * 1024, elapsed, stderr: String::from_utf8_lossy(&text).into_owned(), stderr_bytes }
}

/// Every `error:` line of a run that does not name a file of the input
/// (the `--skills` path, or `--content`, as given: diagnostics name input
/// files as `<that path>/<relative path>`). A failed run with no `error:`
/// line at all counts as one unnamed error.
fn unnamed_errors(run: &Run, input: &Input) -> Vec<String> {
    if run.ok() || run.timed_out || run.signal.is_some() {
        return Vec::new();
    }
    let roots: Vec<String> = input.roots().map(|p| p.display().to_string()).collect();
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("error")).collect();
    if errors.is_empty() {
        return vec![format!("no `error:` line in stderr: {}", tail(&run.stderr))];
    }
    errors.into_iter().filter(|l| !roots.iter().any(|r| l.contains(r.as_str()))).map(|l| shorten(l, 300)).collect()
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes)", &text[..cut], text.len())
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    shorten(&lines.into_iter().rev().collect::<Vec<_>>().join(" | "), 400)
}

/// The first line of stderr that explains a crash (the panic message).
fn panic_message(run: &Run) -> String {
    let lines: Vec<&str> = run.stderr.lines().collect();
    match lines.iter().position(|l| l.contains("panicked at") || l.contains("overflowed its stack") || l.contains("memory allocation of")) {
        Some(i) => shorten(&lines[i..(i + 2).min(lines.len())].join(" "), 400),
        None => tail(&run.stderr),
    }
}

/// Files under `dir` (not following links) whose bytes contain `needle`,
/// among those `wanted` accepts.
fn files_containing(dir: &Path, needle: &str, wanted: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && wanted(&path)
                && entry.metadata().is_ok_and(|m| m.len() < 256 << 20)
                && fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                found.push(path);
            }
        }
    }
    found
}

#[derive(Default)]
struct Tally {
    trees: usize,
    runs: usize,
    skipped: Vec<String>,
    panics: Vec<String>,
    crashes: Vec<String>,
    hangs: Vec<String>,
    over_ceiling: Vec<String>,
    unnamed: Vec<String>,
    expectations: Vec<String>,
    leaks: Vec<String>,
    /// Informational: `check` accepted what `build` then refused.
    check_build_disagree: Vec<String>,
    peak: (u64, String),
    slowest: Vec<(Duration, String)>,
    /// Per family, in corpus order: trees, faults, seconds.
    families: Vec<(&'static str, usize, usize, f64)>,
}

impl Tally {
    fn faults(&self) -> usize {
        self.panics.len() + self.crashes.len() + self.hangs.len() + self.over_ceiling.len() + self.unnamed.len() + self.expectations.len() + self.leaks.len()
    }

    fn record(&mut self, case: &Case, command: &str, input: &Input, run: &Run) {
        let who = format!("{} ({command})", case.name);
        self.runs += 1;
        self.slowest.push((run.elapsed, format!("{who}: {}", run.describe())));
        if run.peak_bytes > self.peak.0 {
            self.peak = (run.peak_bytes, who.clone());
        }
        if run.timed_out {
            self.hangs.push(format!("{who}: {}", run.describe()));
        } else if run.out_of_memory() || run.peak_bytes > MEMORY_CEILING_BYTES {
            self.over_ceiling.push(format!("{who}: {}; {}", run.describe(), panic_message(run)));
        } else if run.panicked() {
            self.panics.push(format!("{who}: {}; {}", run.describe(), panic_message(run)));
        } else if run.signal.is_some() {
            self.crashes.push(format!("{who}: {}; {}", run.describe(), tail(&run.stderr)));
        }
        for line in unnamed_errors(run, input) {
            self.unnamed.push(format!("{who}: {line}"));
        }
        let finished = !run.timed_out && run.signal.is_none() && !run.panicked();
        match case.expect {
            Expect::Builds if !run.ok() => self.expectations.push(format!("{who}: a control must succeed, got {}: {}", run.describe(), tail(&run.stderr))),
            Expect::Fails if finished && run.ok() => self.expectations.push(format!("{who}: must be refused, but succeeded")),
            _ => {}
        }
    }
}

fn env_timeout() -> Duration {
    std::env::var("LLMOS_CORPUS_TIMEOUT").ok().and_then(|s| s.parse().ok()).map(Duration::from_secs).unwrap_or(DEFAULT_TIMEOUT)
}

#[test]
fn malformed_corpus_is_bounded_and_named() {
    let cases = corpus::all();
    let mut names = HashSet::new();
    for case in &cases {
        assert!(names.insert(case.name.as_str()), "two cases are named {}", case.name);
    }
    let filter = std::env::var("LLMOS_CORPUS_FILTER").ok();
    let keep = std::env::var_os("LLMOS_CORPUS_KEEP").is_some();
    let verbose = std::env::var_os("LLMOS_CORPUS_VERBOSE").is_some();
    let timeout = env_timeout();
    let root = tempfile::Builder::new().prefix("llmos-corpus-").tempdir().unwrap();
    let started = Instant::now();
    let mut tally = Tally::default();
    for case in cases.iter().filter(|c| filter.as_deref().is_none_or(|f| c.name.contains(f))) {
        let dir = root.path().join(&case.name);
        fs::create_dir_all(&dir).unwrap();
        let input = match (case.make)(&dir) {
            Ok(input) => input,
            Err(reason) => {
                println!("note: skipped {}: {reason}", case.name);
                tally.skipped.push(case.name.clone());
                let _ = fs::remove_dir_all(&dir);
                continue;
            }
        };
        tally.trees += 1;
        let (faults_before, case_started) = (tally.faults(), Instant::now());
        let out = dir.join("out");
        let mut check_args = vec!["check".as_ref(), "--skills".as_ref(), input.skills.as_os_str()];
        let mut build_args = vec!["build".as_ref(), "--quiet".as_ref(), "--skills".as_ref(), input.skills.as_os_str(), "--out".as_ref(), out.as_os_str()];
        for (flag, path) in [("--content", &input.content), ("--config", &input.config)] {
            if let Some(path) = path {
                check_args.extend([flag.as_ref(), path.as_os_str()]);
                build_args.extend([flag.as_ref(), path.as_os_str()]);
            }
        }
        // `check` writes nothing, so it runs beside `build` (one per core);
        // wait4 reads each child's own peak memory either way.
        let (check, build) = std::thread::scope(|scope| {
            let env = &case.env;
            let check = scope.spawn(|| run_llmos(&dir, &check_args, env, &dir.join("check.stderr"), timeout));
            let build = run_llmos(&dir, &build_args, &case.env, &dir.join("build.stderr"), timeout);
            (check.join().expect("the check runner does not panic"), build)
        });
        for (command, run) in [("check", &check), ("build", &build)] {
            tally.record(case, command, &input, run);
            if verbose {
                println!("{} ({command}): {}", case.name, run.describe());
            }
        }
        if check.ok() && !build.ok() && !build.timed_out {
            tally.check_build_disagree.push(format!("{}: check passed, build {}: {}", case.name, build.describe(), tail(&build.stderr)));
        }
        if build.ok() {
            if let Some(secret) = &case.secret {
                for file in files_containing(&out, secret, &|_| true) {
                    tally.leaks.push(format!("{}: the built site holds {secret:?} from outside the tree, in {}", case.name, file.display()));
                }
            }
            if let Some(markup) = &case.raw_markup {
                for file in files_containing(&out, markup, &|p| p.extension().is_some_and(|e| e == "html")) {
                    tally.leaks.push(format!("{}: raw markup {markup:?} reached a page unescaped: {}", case.name, file.display()));
                }
            }
        }
        let faults = tally.faults() - faults_before;
        match tally.families.iter_mut().find(|f| f.0 == case.family) {
            Some(family) => {
                family.1 += 1;
                family.2 += faults;
                family.3 += case_started.elapsed().as_secs_f64();
            }
            None => tally.families.push((case.family, 1, faults, case_started.elapsed().as_secs_f64())),
        }
        if keep {
            println!("kept {}: {}", case.name, dir.display());
        } else {
            restore_permissions(&dir);
            let _ = fs::remove_dir_all(&dir);
        }
    }
    if keep {
        let kept = root.keep();
        println!("trees kept under {}", kept.display());
    }
    report(&tally, started.elapsed());
    assert!(tally.trees >= 200 || filter.is_some(), "the corpus must hold at least 200 trees, it made {}", tally.trees);
    let peak_over = tally.peak.0 > MEMORY_CEILING_BYTES;
    assert!(tally.faults() == 0 && !peak_over, "the malformed corpus found {} faults (see the list above)", tally.faults());
}

/// Gives back read permission where a case took it away, so the tree can be removed.
fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(0o755));
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|k| k.is_dir()) {
                stack.push(entry.path());
            }
        }
    }
}

fn report(tally: &Tally, elapsed: Duration) {
    let sections: [(&str, &Vec<String>); 8] = [
        ("panics", &tally.panics),
        ("crashes (killed by a signal)", &tally.crashes),
        ("hangs", &tally.hangs),
        ("over the memory ceiling", &tally.over_ceiling),
        ("errors without a file name", &tally.unnamed),
        ("unmet expectations", &tally.expectations),
        ("leaks into the built site", &tally.leaks),
        ("note: check passed but build failed (not counted as a fault)", &tally.check_build_disagree),
    ];
    for (title, items) in sections {
        if !items.is_empty() {
            println!("\n{title} ({}):", items.len());
            for item in items {
                println!("  {item}");
            }
        }
    }
    println!("\nfamilies:");
    for (family, trees, faults, seconds) in &tally.families {
        println!("  {family:<8} {trees:>4} trees, {faults:>3} faults, {seconds:>5.0}s");
    }
    let mut slowest = tally.slowest.clone();
    slowest.sort_by_key(|run| std::cmp::Reverse(run.0));
    println!("\nslowest runs:");
    for (_, line) in slowest.iter().take(8) {
        println!("  {line}");
    }
    println!(
        "\ncorpus: {} trees, {} runs, {} panics, {} hangs, peak {} MiB ({}), {} errors without a file name, {} crashes, {} over the {} MiB ceiling, {} unmet expectations, {} leaks, {} skipped, {:.0}s",
        tally.trees,
        tally.runs,
        tally.panics.len(),
        tally.hangs.len(),
        tally.peak.0 >> 20,
        tally.peak.1,
        tally.unnamed.len(),
        tally.crashes.len(),
        tally.over_ceiling.len(),
        MEMORY_CEILING_BYTES >> 20,
        tally.expectations.len(),
        tally.leaks.len(),
        tally.skipped.len(),
        elapsed.as_secs_f64()
    );
}
