//! Trees whose file system is the trouble: misnamed and nested SKILL.md
//! files, odd and over-long file names, deep folders, symbolic links out of
//! the tree, to directories, in loops and to things that never end (a FIFO,
//! a character device), unreadable folders, sparse files of gigabytes, many
//! skills, and broken docs folders.

use super::{skill_md, sparse, write, Case, Expect, Input, VALID_YAML};
use std::ffi::{CString, OsStr};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

const F: &str = "files";
const GIB: u64 = 1 << 30;

/// `skills/bad/SKILL.md`, valid, plus whatever `extra` adds to the tree.
fn with_valid(name: &str, extra: impl Fn(&Path) -> Result<(), String> + 'static) -> Case {
    Case::new(F, format!("fs-{name}"), move |dir| {
        let skills = dir.join("skills");
        write(&skills.join("bad/SKILL.md"), skill_md(VALID_YAML, "# x\n"));
        extra(&skills)?;
        Ok(Input::skills(skills))
    })
}

/// A tree whose layout `make` writes under `skills/`.
fn tree(name: &str, make: impl Fn(&Path) -> Result<(), String> + 'static) -> Case {
    Case::new(F, format!("fs-{name}"), move |dir| {
        let skills = dir.join("skills");
        fs::create_dir_all(&skills).unwrap();
        make(&skills)?;
        Ok(Input::skills(skills))
    })
}

/// [`write`] for generators that return whether the case could be made.
fn put(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), String> {
    write(path, bytes);
    Ok(())
}

/// [`sparse`] for generators that return whether the case could be made.
fn put_sparse(path: &Path, head: &[u8], len: u64) -> Result<(), String> {
    sparse(path, head, len);
    Ok(())
}

fn valid_md() -> Vec<u8> {
    skill_md(VALID_YAML, "# x\n")
}

fn mkfifo(path: &Path) -> Result<(), String> {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo has no other preconditions.
    match unsafe { libc::mkfifo(c.as_ptr(), 0o644) } {
        0 => Ok(()),
        _ => Err(format!("mkfifo failed: {}", std::io::Error::last_os_error())),
    }
}

/// A character device node with the numbers of /dev/zero (1, 5), inside the
/// tree; needs root (or CAP_MKNOD), else the case is skipped.
fn mknod_zero(path: &Path) -> Result<(), String> {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; the device numbers are plain integers.
    match unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 5)) } {
        0 => Ok(()),
        _ => Err(format!("cannot make a device node here ({}); needs root", std::io::Error::last_os_error())),
    }
}

/// `chmod 000` stops reads for everyone but root, so as root the case would
/// test nothing: it is skipped, saying so.
fn unreadable(path: &Path) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return Err("running as root, where chmod 000 does not stop reads".into());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).map_err(|e| e.to_string())
}

/// A secret file next to the tree (outside it), for links to point at.
fn secret_file(skills: &Path, secret: &str) -> PathBuf {
    let path = skills.parent().unwrap().join("outside/secret.txt");
    write(&path, format!("---\nname: leaked\ndescription: {secret}\n---\n{secret}\n"));
    path
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    layout(&mut cases);
    names(&mut cases);
    links(&mut cases);
    special(&mut cases);
    roots(&mut cases);
    docs(&mut cases);
    config(&mut cases);
    cases
}

fn layout(cases: &mut Vec<Case>) {
    cases.push(tree("empty-tree", |_| Ok(())));
    cases.push(tree("only-readme", |s| put(&s.join("README.md"), "# not a skill\n")));
    cases.push(tree("skill-md-is-a-directory", |s| put(&s.join("bad/SKILL.md/inner.txt"), "x")));
    for (label, file) in [("lowercase", "skill.md"), ("uppercase-ext", "SKILL.MD"), ("titlecase", "Skill.md"), ("trailing-space", "SKILL.md "), ("zero-width", "SKILL.md\u{200B}"), ("markdown-ext", "SKILL.markdown")] {
        cases.push(tree(&format!("misnamed-{label}"), move |s| put(&s.join("bad").join(file), valid_md())));
    }
    cases.push(tree("root-is-skill-with-nested-skills", |s| {
        write(&s.join("SKILL.md"), valid_md());
        write(&s.join("inner/SKILL.md"), skill_md("name: inner\ndescription: d", ""));
        put(&s.join("inner/deeper/SKILL.md"), b"\xFFnot even utf-8")
    }));
    cases.push(with_valid("nested-invalid-skill-md-as-asset", |s| put(&s.join("bad/examples/SKILL.md"), b"---\nname: [\n")));
    cases.push(with_valid("asset-dir-named-index-html", |s| put(&s.join("bad/index.html/x.txt"), "x")));
    cases.push(with_valid("asset-named-index-html", |s| put(&s.join("bad/index.html"), "<script>corpus-xss</script>")));
    cases.push(with_valid("asset-dir-named-skill-md-txt", |s| put(&s.join("bad/SKILL.md.txt/x"), "x")));
    cases.push(with_valid("active-and-published-name-clash", |s| {
        write(&s.join("bad/page.html"), "<script>corpus-xss</script>");
        put(&s.join("bad/page.html.txt"), "plain")
    }));
    cases.push(with_valid("asset-dir-named-like-published-file", |s| {
        write(&s.join("bad/x.js"), "1");
        put(&s.join("bad/x.js.txt/inner"), "2")
    }));
    cases.push(tree("deep-folders-1500", |s| {
        let mut dir = s.to_path_buf();
        for _ in 0..1_500 {
            dir.push("d");
        }
        put(&dir.join("SKILL.md"), valid_md())
    }));
    // Deeper than PATH_MAX (4096 bytes) from the tree's root: made one level
    // at a time relative to the previous one (mkdirat/openat), which never
    // needs the whole path.
    cases.push(tree("path-longer-than-path-max", |s| deeper_than_path_max(s, 30, &valid_md())));
}

/// `levels` folders of 200-byte names under `root`, then `bad/SKILL.md` holding `contents`.
fn deeper_than_path_max(root: &Path, levels: usize, contents: &[u8]) -> Result<(), String> {
    let os_error = |what: &str| format!("{what}: {}", std::io::Error::last_os_error());
    let level = CString::new("d".repeat(200)).unwrap();
    let root = CString::new(root.as_os_str().as_bytes()).unwrap();
    // SAFETY: plain libc calls on NUL-terminated names and descriptors this function owns.
    unsafe {
        let mut dir = libc::open(root.as_ptr(), libc::O_DIRECTORY | libc::O_RDONLY);
        if dir < 0 {
            return Err(os_error("open the tree"));
        }
        for name in std::iter::repeat_n(level.as_c_str(), levels).chain([c"bad"]) {
            if libc::mkdirat(dir, name.as_ptr(), 0o755) != 0 {
                return Err(os_error("mkdirat"));
            }
            let next = libc::openat(dir, name.as_ptr(), libc::O_DIRECTORY | libc::O_RDONLY);
            libc::close(dir);
            if next < 0 {
                return Err(os_error("openat"));
            }
            dir = next;
        }
        let file = libc::openat(dir, c"SKILL.md".as_ptr(), libc::O_CREAT | libc::O_WRONLY, 0o644);
        libc::close(dir);
        if file < 0 {
            return Err(os_error("create SKILL.md"));
        }
        let written = libc::write(file, contents.as_ptr().cast(), contents.len());
        libc::close(file);
        if written != contents.len() as isize {
            return Err(os_error("write SKILL.md"));
        }
    }
    Ok(())
}

fn names(cases: &mut Vec<Case>) {
    let names: [(&str, &[u8]); 14] = [
        ("newline", b"a\nb.txt"),
        ("tab", b"a\tb.txt"),
        ("colon-and-percent", b"a:%2e%2e.txt"),
        ("hash-and-question", b"a#b?c.txt"),
        ("spaces", b" a b .txt"),
        ("backslash", b"..\\..\\x.txt"),
        ("quotes-and-angles", b"\"><script>corpus-xss<.txt"),
        ("unicode", "名前 🦀.txt".as_bytes()),
        ("invalid-utf8", b"caf\xE9.txt"),
        ("255-bytes", &[b'n'; 255]),
        ("active-250-bytes", b"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.html"),
        ("dash-help", b"--help"),
        ("control-chars", b"\x1b[31m\x07.txt"),
        ("looks-like-url", b"javascript:corpus-xss.txt"),
    ];
    for (label, name) in names {
        cases.push(with_valid(&format!("asset-name-{label}"), move |s| put(&s.join("bad").join(OsStr::from_bytes(name)), "x")).raw_markup("<script>corpus-xss"));
    }
    cases.push(tree("folder-name-invalid-utf8", |s| put(&s.join(OsStr::from_bytes(b"caf\xE9")).join("SKILL.md"), valid_md())));
    cases.push(tree("folder-name-255-bytes", |s| put(&s.join("f".repeat(255)).join("SKILL.md"), valid_md())));
    cases.push(tree("skill-md-name-invalid-utf8-sibling", |s| {
        write(&s.join("bad/SKILL.md"), valid_md());
        put(&s.join(OsStr::from_bytes(b"bad/\xFF\xFE")), "x")
    }));
}

fn links(cases: &mut Vec<Case>) {
    const SECRET: &str = "CORPUS-SECRET-OUTSIDE-THE-TREE";
    cases.push(with_valid("link-asset-to-outside-file", |s| {
        let target = secret_file(s, SECRET);
        symlink(target, s.join("bad/leak.txt")).map_err(|e| e.to_string())
    }).secret(SECRET));
    cases.push(tree("link-skill-md-to-outside-file", |s| {
        let target = secret_file(s, SECRET);
        fs::create_dir_all(s.join("bad")).unwrap();
        symlink(target, s.join("bad/SKILL.md")).map_err(|e| e.to_string())
    }).secret(SECRET));
    cases.push(tree("link-skill-folder-to-outside-dir", |s| {
        let target = secret_file(s, SECRET);
        symlink(target.parent().unwrap(), s.join("bad")).map_err(|e| e.to_string())
    }).secret(SECRET));
    cases.push(with_valid("link-asset-to-etc-passwd", |s| symlink("/etc/passwd", s.join("bad/passwd")).map_err(|e| e.to_string())).secret("root:x:0:0"));
    cases.push(with_valid("link-asset-to-dev-zero", |s| symlink("/dev/zero", s.join("bad/zero")).map_err(|e| e.to_string())));
    cases.push(tree("link-skill-md-to-dev-zero", |s| {
        fs::create_dir_all(s.join("bad")).unwrap();
        symlink("/dev/zero", s.join("bad/SKILL.md")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("link-asset-to-proc-self", |s| symlink("/proc/self/environ", s.join("bad/env")).map_err(|e| e.to_string())));
    cases.push(with_valid("link-inside-to-file", |s| {
        write(&s.join("bad/real.txt"), "real");
        symlink("real.txt", s.join("bad/alias.txt")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("link-inside-to-dir", |s| {
        write(&s.join("bad/docs/a.txt"), "a");
        symlink("docs", s.join("bad/docs-link")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("link-to-tree-root", |s| symlink("..", s.join("bad/up")).map_err(|e| e.to_string())));
    cases.push(with_valid("link-loop-pair", |s| {
        symlink("b", s.join("bad/a")).map_err(|e| e.to_string())?;
        symlink("a", s.join("bad/b")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("link-loop-self", |s| symlink("self", s.join("bad/self")).map_err(|e| e.to_string())));
    cases.push(with_valid("link-broken", |s| symlink("nowhere/at/all", s.join("bad/broken")).map_err(|e| e.to_string())));
    cases.push(with_valid("link-chain-50", |s| {
        write(&s.join("bad/l0"), "end");
        for i in 1..=50 {
            symlink(format!("l{}", i - 1), s.join(format!("bad/l{i}"))).map_err(|e| e.to_string())?;
        }
        Ok(())
    }));
    cases.push(tree("link-skill-md-to-sibling-skill", |s| {
        write(&s.join("real/SKILL.md"), skill_md("name: real\ndescription: d", ""));
        fs::create_dir_all(s.join("bad")).unwrap();
        symlink("../real/SKILL.md", s.join("bad/SKILL.md")).map_err(|e| e.to_string())
    }));
    cases.push(tree("link-skill-md-to-directory", |s| {
        fs::create_dir_all(s.join("bad/dir")).unwrap();
        symlink("dir", s.join("bad/SKILL.md")).map_err(|e| e.to_string())
    }));
}

/// FIFOs, device nodes and unreadable entries: reading any of them naively
/// blocks forever, never ends, or fails.
fn special(cases: &mut Vec<Case>) {
    cases.push(tree("fifo-as-skill-md", |s| {
        fs::create_dir_all(s.join("bad")).unwrap();
        mkfifo(&s.join("bad/SKILL.md"))
    }));
    cases.push(with_valid("fifo-as-asset", |s| mkfifo(&s.join("bad/pipe"))));
    cases.push(tree("link-skill-md-to-fifo-inside", |s| {
        fs::create_dir_all(s.join("bad")).unwrap();
        mkfifo(&s.join("pipe"))?;
        symlink("../pipe", s.join("bad/SKILL.md")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("link-asset-to-fifo-inside", |s| {
        mkfifo(&s.join("bad/.pipe"))?;
        symlink(".pipe", s.join("bad/data.bin")).map_err(|e| e.to_string())
    }));
    cases.push(tree("device-zero-as-skill-md", |s| {
        fs::create_dir_all(s.join("bad")).unwrap();
        mknod_zero(&s.join("bad/SKILL.md"))
    }));
    cases.push(tree("link-skill-md-to-device-zero-inside", |s| {
        fs::create_dir_all(s.join("bad")).unwrap();
        mknod_zero(&s.join("zero"))?;
        symlink("../zero", s.join("bad/SKILL.md")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("link-asset-to-device-zero-inside", |s| {
        mknod_zero(&s.join("bad/.zero"))?;
        symlink(".zero", s.join("bad/zeros.bin")).map_err(|e| e.to_string())
    }));
    cases.push(with_valid("unreadable-subfolder", |s| {
        write(&s.join("bad/locked/x.txt"), "x");
        unreadable(&s.join("bad/locked"))
    }));
    cases.push(with_valid("unreadable-asset", |s| {
        write(&s.join("bad/locked.txt"), "x");
        unreadable(&s.join("bad/locked.txt"))
    }));
    cases.push(tree("unreadable-skill-md", |s| {
        write(&s.join("bad/SKILL.md"), valid_md());
        unreadable(&s.join("bad/SKILL.md"))
    }));
}

/// `--skills` itself: missing, a file, a link, a device, a FIFO.
fn roots(cases: &mut Vec<Case>) {
    cases.push(Case::new(F, "fs-root-missing", |dir| Ok(Input::skills(dir.join("no-such-dir")))).expect(Expect::Fails));
    cases.push(Case::new(F, "fs-root-is-a-file", |dir| {
        write(&dir.join("skills"), valid_md());
        Ok(Input::skills(dir.join("skills")))
    }).expect(Expect::Fails));
    cases.push(Case::new(F, "fs-root-is-a-link-to-a-tree", |dir| {
        write(&dir.join("real/bad/SKILL.md"), valid_md());
        symlink(dir.join("real"), dir.join("skills")).map_err(|e| e.to_string())?;
        Ok(Input::skills(dir.join("skills")))
    }));
    cases.push(Case::new(F, "fs-root-is-a-fifo", |dir| {
        mkfifo(&dir.join("skills"))?;
        Ok(Input::skills(dir.join("skills")))
    }).expect(Expect::Fails));
    cases.push(Case::new(F, "fs-root-is-dev-zero", |_| Ok(Input::skills(PathBuf::from("/dev/zero")))).expect(Expect::Fails));
    cases.push(Case::new(F, "fs-root-zip-name-on-a-directory", |dir| {
        write(&dir.join("skills.zip/bad/SKILL.md"), valid_md());
        Ok(Input::skills(dir.join("skills.zip")))
    }));
    cases.push(Case::new(F, "fs-root-zip-link-to-dev-zero", |dir| {
        symlink("/dev/zero", dir.join("skills.zip")).map_err(|e| e.to_string())?;
        Ok(Input::skills(dir.join("skills.zip")))
    }).expect(Expect::Fails));
    cases.push(Case::new(F, "fs-root-zip-is-a-fifo", |dir| {
        mkfifo(&dir.join("skills.zip"))?;
        Ok(Input::skills(dir.join("skills.zip")))
    }).expect(Expect::Fails));
}

/// `--content` folders of docs pages with the same kinds of trouble.
fn docs(cases: &mut Vec<Case>) {
    fn with_docs(name: &str, make: impl Fn(&Path) -> Result<(), String> + 'static) -> Case {
        Case::new(F, format!("fs-docs-{name}"), move |dir| {
            let skills = dir.join("skills");
            write(&skills.join("bad/SKILL.md"), valid_md());
            let content = dir.join("content");
            fs::create_dir_all(&content).unwrap();
            make(&content)?;
            Ok(Input { skills, content: Some(content), config: None })
        })
    }
    cases.push(with_docs("invalid-yaml", |c| put(&c.join("page.md"), "---\ntitle: [\n---\n# x\n")));
    cases.push(with_docs("invalid-utf8", |c| put(&c.join("page.md"), b"# caf\xE9\n")));
    cases.push(with_docs("unclosed-frontmatter", |c| put(&c.join("page.md"), "---\ntitle: x\n")));
    cases.push(with_docs("huge-order", |c| put(&c.join("page.md"), "---\norder: 99999999999999999999999\ntitle: [a]\n---\n")));
    cases.push(with_docs("name-clashes", |c| {
        write(&c.join("A Page.md"), "# a\n");
        write(&c.join("a-page.md"), "# b\n");
        put(&c.join("index.md"), "# index\n")
    }));
    cases.push(with_docs("dot-md-and-dotdot-md", |c| {
        write(&c.join("..md"), "# dots\n");
        put(&c.join("-.md"), "# dash\n")
    }));
    cases.push(with_docs("fifo-page", |c| mkfifo(&c.join("pipe.md"))));
    cases.push(with_docs("link-page-to-fifo", |c| {
        mkfifo(&c.join("pipe"))?;
        symlink("pipe", c.join("page.md")).map_err(|e| e.to_string())
    }));
    cases.push(with_docs("pathological-markdown", |c| put(&c.join("page.md"), "<http://a".repeat(100_000))));
    cases.push(with_docs("sparse-2GiB-page", |c| put_sparse(&c.join("page.md"), b"# big\n", 2 * GIB)));
    // Docs pages have no size limit of their own in the current code: the
    // body sizes the issue names, in a plain and in a costly shape.
    cases.push(with_docs("page-50MB-paragraphs", |c| put(&c.join("page.md"), "A sentence of a long docs page.\n\n".repeat(50 << 20 >> 5))));
    cases.push(with_docs("page-5MB-footnote-refs", |c| put(&c.join("page.md"), "[^a]".repeat(5 << 20 >> 2))));
    cases.push(with_docs("page-1MB-footnote-refs", |c| put(&c.join("page.md"), "[^a]".repeat(1 << 20 >> 2))));
}

/// `--config` is read before anything else: a file that never ends, a
/// device, and TOML nested past any parser's stack.
fn config(cases: &mut Vec<Case>) {
    fn with_config(name: &str, make: impl Fn(&Path) -> Result<PathBuf, String> + 'static) -> Case {
        Case::new(F, format!("fs-config-{name}"), move |dir| {
            let skills = dir.join("skills");
            write(&skills.join("bad/SKILL.md"), valid_md());
            let config = make(dir)?;
            Ok(Input { skills, content: None, config: Some(config) })
        })
        .expect(Expect::Fails)
    }
    cases.push(with_config("fifo", |dir| {
        mkfifo(&dir.join("llmos.toml"))?;
        Ok(dir.join("llmos.toml"))
    }));
    cases.push(with_config("dev-zero", |_| Ok(PathBuf::from("/dev/zero"))));
    cases.push(with_config("sparse-2GiB", |dir| {
        sparse(&dir.join("llmos.toml"), b"title = \"x\"\n", 2 * GIB);
        Ok(dir.join("llmos.toml"))
    }));
    cases.push(with_config("nested-arrays-100k", |dir| {
        write(&dir.join("llmos.toml"), format!("title = {}", "[".repeat(100_000)));
        Ok(dir.join("llmos.toml"))
    }));
    cases.push(with_config("nested-inline-tables-100k", |dir| {
        write(&dir.join("llmos.toml"), format!("title = {}", "{a=".repeat(100_000)));
        Ok(dir.join("llmos.toml"))
    }));
    cases.push(with_config("invalid-utf8", |dir| {
        write(&dir.join("llmos.toml"), b"title = \"caf\xE9\"\n");
        Ok(dir.join("llmos.toml"))
    }));
}
