//! Hostile or broken skill trees, one kind per test (issue 10, items 5–7
//! and 9): every input gets bounded work and a message naming its file,
//! `check` agrees with `build`, and an interrupted build leaves nothing.
//! `tests/malformed_corpus.rs` runs hundreds of generated trees through the
//! same binary; these are the instances the issue reported.

mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

fn skill(root: &Path, folder: &str, frontmatter: &str, body: &str) {
    let dir = root.join(folder);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("SKILL.md"), format!("---\n{frontmatter}\n---\n{body}")).unwrap();
}

/// `check` and `build` on the same tree: both fail or both pass, and
/// every error line names a file under the tree.
fn check_and_build(tmp: &Path) -> (Run, Run) {
    let check = llmos(tmp, &["check", "--skills", "skills"]);
    let build = llmos(tmp, &["build", "--skills", "skills", "--out", "site"]);
    assert_eq!(check.ok, build.ok, "check and build disagree:\ncheck: {}\nbuild: {}", check.stderr, build.stderr);
    assert!(!build.stderr.contains("llmos-staging"), "a message names the staging folder instead of the input: {}", build.stderr);
    (check, build)
}

#[test]
fn check_catches_what_build_would_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = tmp.path().join("skills");
    // A 300-character name: its page address is cut, with a warning.
    skill(&skills, "long", &format!("name: {}\ndescription: d", "a-".repeat(150).trim_end_matches('-')), "");
    let (check, build) = check_and_build(tmp.path());
    assert!(build.ok, "{}", build.stderr);
    assert!(check.stderr.contains("page address"), "{}", check.stderr);

    // A bundled file whose published name is too long for any file system.
    let long = "x".repeat(250); // 255 bytes with `.html`; 259 once `.txt` is added
    fs::write(skills.join("long").join(format!("{long}.html")), "x").unwrap();
    let (check, build) = check_and_build(tmp.path());
    assert!(!check.ok);
    let named = format!("skills/long/{long}.html");
    assert!(check.stderr.contains(&named) && build.stderr.contains(&named), "the file is named:\n{}", check.stderr);
    fs::remove_file(skills.join("long").join(format!("{long}.html"))).unwrap();

    // Two files published at one path.
    fs::write(skills.join("long/notes"), "x").unwrap();
    fs::write(skills.join("long/notes.txt"), "y").unwrap();
    let (check, _) = check_and_build(tmp.path());
    assert!(!check.ok && check.stderr.contains("skills/long/notes.txt") && check.stderr.contains("rename one"), "{}", check.stderr);
}

#[test]
fn special_files_are_refused_by_type_before_they_are_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = tmp.path().join("skills");
    skill(&skills, "fifo", "name: fifo\ndescription: d", "");
    let fifo = skills.join("fifo/pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", skills.join("fifo/zero.bin")).unwrap();
    std::os::unix::fs::symlink(&fifo, skills.join("fifo/link.txt")).unwrap();
    let started = Instant::now();
    let (_, build) = check_and_build(tmp.path());
    assert!(started.elapsed() < Duration::from_secs(60), "reading a FIFO or a device never ends");
    assert!(build.ok, "{}", build.stderr);
    for name in ["pipe.txt", "zero.bin", "link.txt"] {
        assert!(build.stderr.contains(&format!("fifo/{name}")), "{name} is named in a warning: {}", build.stderr);
        assert!(!tmp.path().join("site/skills/fifo").join(name).exists());
    }
}

#[test]
fn nested_and_misnamed_skill_files_are_never_silent() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = tmp.path().join("skills");
    skill(&skills, "a", "name: a\ndescription: d", "");
    skill(&skills, "a/b", "name: b\ndescription: d", "");
    fs::create_dir_all(skills.join("lower")).unwrap();
    fs::write(skills.join("lower/skill.md"), "---\nname: lower\ndescription: d\n---\n").unwrap();
    let (check, _) = check_and_build(tmp.path());
    assert!(check.stderr.contains("skills/a/b/SKILL.md") && check.stderr.contains("inside the skill folder"), "{}", check.stderr);
    assert!(check.stderr.contains("skills/lower/skill.md") && check.stderr.contains("rename it to SKILL.md"), "{}", check.stderr);
}

#[test]
fn unbounded_inputs_get_bounded_work_and_a_named_error() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = tmp.path().join("skills");
    let nested = format!("name: deep\ndescription: d\nx: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    skill(&skills, "deep", &nested, "");
    let started = Instant::now();
    let (check, _) = check_and_build(tmp.path());
    assert!(started.elapsed() < Duration::from_secs(30), "nested YAML took {:?}", started.elapsed());
    assert!(check.stderr.contains("skills/deep/SKILL.md:2:1") && check.stderr.contains("64 KiB"), "{}", check.stderr);
    fs::remove_dir_all(skills.join("deep")).unwrap();

    skill(&skills, "huge", "name: huge\ndescription: d", &"word ".repeat(10_000_000));
    let (check, _) = check_and_build(tmp.path());
    assert!(check.stderr.contains("skills/huge/SKILL.md:1:1") && check.stderr.contains("at most 1 MiB"), "{}", check.stderr);
    fs::remove_dir_all(skills.join("huge")).unwrap();

    let keywords: Vec<String> = (0..5_000).map(|i| format!("k{i}")).collect();
    skill(&skills, "tags", &format!("name: tags\ndescription: d\nkeywords: [{}]", keywords.join(", ")), &"<http://a".repeat(100_000));
    let started = Instant::now();
    let (_, build) = check_and_build(tmp.path());
    assert!(build.ok, "{}", build.stderr);
    assert!(started.elapsed() < Duration::from_secs(30), "a 900 kB line of `<http://a` took {:?}", started.elapsed());
    let tag_pages = fs::read_dir(tmp.path().join("site/tags")).unwrap().count();
    assert!(tag_pages <= 33, "{tag_pages} tag pages for one skill");
}

#[test]
fn an_interrupted_build_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = tmp.path().join("skills");
    skill(&skills, "big", "name: big\ndescription: d", "");
    for i in 0..12 {
        fs::write(skills.join(format!("big/data-{i}.bin")), vec![7u8; 20 << 20]).unwrap();
    }
    // A leftover of a build that was killed: its process is gone.
    let stale = tmp.path().join(".site.llmos-staging-999999999");
    fs::create_dir_all(stale.join("skills")).unwrap();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_llmos"))
        .args(["build", "--skills", "skills", "--out", "site", "--quiet"])
        .current_dir(tmp.path())
        .spawn()
        .unwrap();
    let staging = tmp.path().join(format!(".site.llmos-staging-{}", child.id()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !staging.join("skills").exists() {
        assert!(Instant::now() < deadline, "the build never started writing");
        assert!(child.try_wait().unwrap().is_none(), "the build finished before it could be interrupted");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(!stale.exists(), "the stale staging folder of a dead process is swept");
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "exits as interrupted");
    let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["skills"], "nothing left beside the output");
}
