//! Build speed: `cargo bench --bench build_speed`
//!
//! Generates N synthetic skills (about 300 words, a code block and a table
//! each), builds them with the release `llmos` binary, and reports wall time,
//! pages per second and peak memory (the child's max RSS). When `hugo` is on
//! PATH (Debian package `hugo`), the same content is built with Hugo in the
//! same run, with comparable layouts and taxonomies, and the ratio printed.
//!
//! Sizes: LLMOS_BENCH_SIZES=1000,5000,10000 (the default). Working folder:
//! LLMOS_BENCH_DIR (default /dev/shm, else the temporary directory).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "common/synthetic.rs"]
mod synthetic;
use synthetic::synthetic;

fn write_llmos_tree(dir: &Path, n: usize) {
    for i in 0..n {
        let s = synthetic(i);
        let folder = dir.join(&s.name);
        fs::create_dir_all(&folder).unwrap();
        let text = format!("---\nname: {}\ndescription: {}\ncategory: {}\nkeywords: [{}]\n---\n{}", s.name, s.description, s.category, s.keywords.join(", "), s.body);
        fs::write(folder.join("SKILL.md"), text).unwrap();
    }
}

fn write_hugo_site(dir: &Path, n: usize) {
    fs::create_dir_all(dir.join("content/skills")).unwrap();
    fs::create_dir_all(dir.join("layouts/_default")).unwrap();
    // `paginate` is how Hugo before 0.128 (Debian ships 0.111) sets the page
    // size, `[pagination] pagerSize` how later ones do; each ignores the other.
    // Both say 100, as llmos uses, so both build the same listing pages.
    fs::write(dir.join("hugo.toml"), "baseURL = \"http://127.0.0.1/\"\ntitle = \"Bench\"\ndisableKinds = [\"RSS\"]\npaginate = 100\n[taxonomies]\ncategory = \"categories\"\ntag = \"tags\"\n[pagination]\npagerSize = 100\n[markup.highlight]\nnoClasses = false\n").unwrap();
    let layouts = [
        ("baseof.html", "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><header><a href=\"/\">Bench</a> <a href=\"/skills/\">Skills</a> <a href=\"/categories/\">Categories</a> <a href=\"/tags/\">Tags</a></header><main>{{ block \"main\" . }}{{ end }}</main></body></html>"),
        ("single.html", "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><p>{{ .Description }}</p><dl>{{ range .Params.categories }}<dd><a href=\"/categories/{{ . | urlize }}/\">{{ . }}</a></dd>{{ end }}{{ range .Params.tags }}<dd><a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a></dd>{{ end }}</dl>{{ .Content }}</article>{{ end }}"),
        ("list.html", "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range (.Paginate .Pages).Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a><p>{{ .Description }}</p></li>{{ end }}</ul>{{ end }}"),
        ("terms.html", "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}"),
    ];
    for (name, text) in layouts {
        fs::write(dir.join("layouts/_default").join(name), text).unwrap();
    }
    for i in 0..n {
        let s = synthetic(i);
        let text = format!("---\ntitle: {}\ndescription: {}\ncategories: [{}]\ntags: [{}]\n---\n{}", s.name, s.description, s.category, s.keywords.join(", "), s.body);
        fs::write(dir.join("content/skills").join(format!("{}.md", s.name)), text).unwrap();
    }
}

struct Measured {
    seconds: f64,
    peak_mib: f64,
    pages: usize,
}

/// Runs a command and returns its wall time and peak resident memory.
fn measure(command: &mut Command, out: &Path) -> Measured {
    let started = Instant::now();
    let child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value, and wait4 reaps the child we just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(waited, pid, "wait4 failed");
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let mut stderr = String::new();
        use std::io::Read;
        let _ = child.stderr.unwrap().read_to_string(&mut stderr);
        panic!("{command:?} failed: {stderr}");
    }
    let pages = count_html(out);
    Measured { seconds, peak_mib: usage.ru_maxrss as f64 / 1024.0, pages }
}

fn count_html(dir: &Path) -> usize {
    let mut count = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            count += count_html(&path);
        } else if path.extension().is_some_and(|e| e == "html") {
            count += 1;
        }
    }
    count
}

fn hugo() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("hugo")).find(|p| p.is_file()))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing of ours. Run only under bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LLMOS_BENCH_SIZES").unwrap_or_else(|_| "1000,5000,10000".into()).split(',').map(|s| s.trim().parse().expect("LLMOS_BENCH_SIZES: numbers")).collect();
    let hugo = hugo();
    // Sources and outputs live in memory (/dev/shm) when it exists, so the
    // figures measure the generators, not this machine's virtual disk
    // (whose write speed varies several-fold from run to run).
    let root = std::env::var_os("LLMOS_BENCH_DIR").map(PathBuf::from).or_else(|| Some(PathBuf::from("/dev/shm")).filter(|p| p.is_dir())).unwrap_or_else(std::env::temp_dir);
    let work = tempfile::tempdir_in(&root).unwrap();
    let empty_content = work.path().join("no-docs");
    fs::create_dir_all(&empty_content).unwrap();
    fs::write(empty_content.join("about.md"), "# About\n\nBenchmark site.\n").unwrap();
    println!("build_speed: {} cores; llmos {}", std::thread::available_parallelism().map_or(1, |n| n.get()), env!("CARGO_BIN_EXE_llmos"));
    if hugo.is_none() {
        println!("hugo not found on PATH: install it (apt-get install hugo) to compare");
    }
    println!("{:>7}  {:>10} {:>8} {:>9} {:>9} | {:>10} {:>8} {:>9} {:>9} | {:>6} {:>6}", "skills", "llmos s", "pages", "pages/s", "peak MiB", "hugo s", "pages", "pages/s", "peak MiB", "pages/s ratio", "speed-up");
    let mut per_skill_ms = Vec::new();
    for &n in &sizes {
        let skills = work.path().join(format!("skills-{n}"));
        write_llmos_tree(&skills, n);
        let out = work.path().join(format!("out-{n}"));
        let ours = measure(
            Command::new(env!("CARGO_BIN_EXE_llmos")).current_dir(work.path()).args(["build", "--quiet", "--skills"]).arg(&skills).arg("--content").arg(&empty_content).arg("--out").arg(&out),
            &out,
        );
        per_skill_ms.push(ours.seconds * 1000.0 / n as f64);
        let ours_rate = ours.pages as f64 / ours.seconds;
        let mut line = format!("{n:>7}  {:>10.3} {:>8} {:>9.0} {:>9.1} |", ours.seconds, ours.pages, ours_rate, ours.peak_mib);
        if let Some(hugo) = &hugo {
            let site = work.path().join(format!("hugo-{n}"));
            write_hugo_site(&site, n);
            let hugo_out = site.join("public");
            let theirs = measure(Command::new(hugo).args(["--quiet", "--source"]).arg(&site).arg("--destination").arg(&hugo_out), &hugo_out);
            let theirs_rate = theirs.pages as f64 / theirs.seconds;
            let _ = write!(line, " {:>10.3} {:>8} {:>9.0} {:>9.1} | {:>5.2}x {:>5.2}x", theirs.seconds, theirs.pages, theirs_rate, theirs.peak_mib, ours_rate / theirs_rate, theirs.seconds / ours.seconds);
            fs::remove_dir_all(&site).unwrap();
        }
        println!("{line}");
        fs::remove_dir_all(&skills).unwrap();
        fs::remove_dir_all(&out).unwrap();
    }
    let growth: Vec<String> = per_skill_ms.iter().map(|ms| format!("{ms:.3}")).collect();
    println!("llmos ms per skill at each size (flat means linear growth): {}", growth.join(", "));
    println!("pages/s ratio = llmos pages/s ÷ hugo pages/s; speed-up = hugo time ÷ llmos time for the same skills (Hugo also counts its alias pages for page 1 of each listing)");
}
