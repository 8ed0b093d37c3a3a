//! Edit-to-reload time of `llmos serve`: `cargo bench --features dev --bench dev_reload`
//!
//! Serves N synthetic skills (default 10,000; LLMOS_BENCH_SKILLS) with a
//! site theme (`theme_dir`: the bundled list.html and skill.html, and a
//! stylesheet), edits one SKILL.md, the stylesheet and each template, and
//! measures the time until open pages are told to reload (the `reload`
//! server-sent event), which covers the watcher's quiet spell, the rebuild
//! and the notification. Median of five edits (three for templates); each
//! edit waits until the last one's search index is written (the server
//! writes it after the reload, in the background). Last, a SKILL.md save
//! 20 ms after a list.html edit's reload, while background passes render
//! the list pages that edit left out of date. LLMOS_TIMINGS=1 prints the
//! server's stage timings of each edit (quiet spell, load, prepare, pages,
//! finish, reload sent).

#[path = "common/synthetic.rs"]
mod synthetic;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("LLMOS_BENCH_SKILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let root = Some(std::path::PathBuf::from("/dev/shm")).filter(|p| p.is_dir()).unwrap_or_else(std::env::temp_dir);
    let work = tempfile::tempdir_in(root).unwrap();
    let skills = work.path().join("skills");
    for i in 0..n {
        let s = synthetic::synthetic(i);
        let folder = skills.join(&s.name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("SKILL.md"), format!("---\nname: {}\ndescription: {}\ncategory: {}\nkeywords: [{}]\n---\n{}", s.name, s.description, s.category, s.keywords.join(", "), s.body)).unwrap();
    }
    let docs = work.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("about.md"), "# About\n").unwrap();
    let theme = work.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    for name in ["list.html", "skill.html"] {
        std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("theme/templates").join(name), theme.join("templates").join(name)).unwrap();
    }
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("theme/static/style.css"), theme.join("static/style.css")).unwrap();
    std::fs::write(work.path().join("llmos.toml"), "theme_dir = \"theme\"\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_llmos"))
        .args(["serve", "--port", "0", "--skills"]).arg(&skills).arg("--content").arg(&docs)
        .current_dir(work.path()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let port: u16 = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "llmos serve stopped");
        if let Some(rest) = line.strip_prefix("serving at http://127.0.0.1:") {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    // LLMOS_TIMINGS=1 shows the server's own timings of each rebuild.
    let show = std::env::var_os("LLMOS_TIMINGS").is_some();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if show {
                eprintln!("  serve: {line}");
            }
        }
    });
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET /__llmos/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut events = BufReader::new(stream);
    let target = synthetic::synthetic(n / 2);
    let skill_md = skills.join(&target.name).join("SKILL.md");
    let edits: [(&str, std::path::PathBuf, usize); 4] = [
        ("one skill", skill_md, 5),
        ("the stylesheet", theme.join("static/style.css"), 5),
        ("list.html", theme.join("templates/list.html"), 3),
        ("skill.html", theme.join("templates/skill.html"), 3),
    ];
    for (what, file, rounds) in &edits {
        let (what, rounds) = (*what, *rounds);
        let mut timings = Vec::new();
        for round in 0..rounds {
            std::thread::sleep(Duration::from_millis(300));
            let text = std::fs::read_to_string(file).unwrap();
            let text = match what {
                "one skill" => text.replacen("description: ", &format!("description: Edit {round}. "), 1),
                "the stylesheet" => format!("{text}\n.edit-{round} {{ color: red; }}\n"),
                _ => format!("{text}\n<!-- edit {round} -->\n"),
            };
            let started = Instant::now();
            std::fs::write(file, text).unwrap();
            wait_for_reload(&mut events, what);
            timings.push(started.elapsed().as_secs_f64());
            // The next edit comes once this one's search index is written
            // (a request for it waits until then), as a person's next save
            // would: back to back, an edit would also time the index of the last.
            wait_for_index(port);
        }
        timings.sort_by(f64::total_cmp);
        println!("edit {what} in a {n}-skill catalogue → reload event: median {:.3} s (min {:.3} s, max {:.3} s; includes the watcher's quiet spell)", timings[rounds / 2], timings[0], timings[rounds - 1]);
    }
    // A save right after a template edit's reload, while background
    // passes still render the pages that edit left out of date: it waits
    // for the pass under way to hand over.
    let list = theme.join("templates/list.html");
    let mut timings = Vec::new();
    for round in 0..5 {
        std::thread::sleep(Duration::from_millis(300));
        let text = std::fs::read_to_string(&list).unwrap();
        std::fs::write(&list, format!("{text}\n<!-- background {round} -->\n")).unwrap();
        wait_for_reload(&mut events, "list.html");
        std::thread::sleep(Duration::from_millis(20));
        let text = std::fs::read_to_string(&edits[0].1).unwrap().replacen("description: ", &format!("description: During {round}. "), 1);
        let started = Instant::now();
        std::fs::write(&edits[0].1, text).unwrap();
        wait_for_reload(&mut events, "one skill");
        timings.push(started.elapsed().as_secs_f64());
        wait_for_index(port);
    }
    timings.sort_by(f64::total_cmp);
    println!("edit one skill during the background pass of a list.html edit → reload event: median {:.3} s (min {:.3} s, max {:.3} s)", timings[2], timings[0], timings[4]);
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads the event stream up to the next `reload` event.
fn wait_for_reload(events: &mut BufReader<TcpStream>, what: &str) {
    loop {
        let mut line = String::new();
        assert!(events.read_line(&mut line).unwrap() > 0, "event stream closed");
        assert!(!line.starts_with("event: build-error"), "the edit of {what} failed the build");
        if line.trim_end() == "event: reload" {
            return;
        }
    }
}

/// Waits until the last build's search index is written (a request for it waits until then).
fn wait_for_index(port: u16) {
    let mut index = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(index, "GET /index/skills.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    std::io::copy(&mut index, &mut std::io::sink()).unwrap();
}
