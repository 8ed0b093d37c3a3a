//! The malformed skill trees of `tests/malformed_corpus.rs`, made from code.
//!
//! Nothing here is a committed blob: every tree is written by a generator
//! when the harness reaches its case, so the corpus is deterministic, costs
//! no repository space, and can hold inputs of tens of megabytes (or sparse
//! files of gigabytes) without anyone downloading them.
//!
//! A [`Case`] is a name, a generator that makes the input under an empty
//! directory, and what the harness may additionally require of the result
//! (most cases only have to end in bounded time with a named error or a
//! successful build; the controls must build; a few must fail). The
//! families live in their own modules: YAML frontmatter, text and encodings,
//! Markdown bodies, the file system, and zip archives.

pub mod files;
pub mod markdown;
pub mod scale;
pub mod text;
pub mod yaml;
pub mod zips;

use std::fs;
use std::path::{Path, PathBuf};

/// What a case must end in, beyond "no panic, no hang, bounded memory, named errors".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Either outcome is fine; the corpus is after crashes and hangs.
    Any,
    /// A control: `check` and `build` must both succeed.
    Builds,
    /// Accepting this input would be a fault in itself (e.g. a zip entry
    /// that climbs out with `..`): both commands must fail.
    Fails,
}

/// What the generator made: the `--skills` argument and, rarely,
/// `--content` or `--config` (their files are input too).
pub struct Input {
    pub skills: PathBuf,
    pub content: Option<PathBuf>,
    pub config: Option<PathBuf>,
}

impl Input {
    pub fn skills(skills: PathBuf) -> Self {
        Input { skills, content: None, config: None }
    }

    /// The paths diagnostics may name: every input as given.
    pub fn roots(&self) -> impl Iterator<Item = &PathBuf> {
        std::iter::once(&self.skills).chain(&self.content).chain(&self.config)
    }
}

/// Makes a case's input under the given (empty, existing) directory, or
/// says why this machine cannot make it (`Err`: the case is skipped with a
/// printed note, e.g. `chmod 000` when the tests run as root).
pub type Make = Box<dyn Fn(&Path) -> Result<Input, String>>;

pub struct Case {
    pub family: &'static str,
    /// Unique in the corpus; also the case's directory name.
    pub name: String,
    pub expect: Expect,
    /// Text that must appear in no file of the built site: the contents of a
    /// file outside the tree that a symbolic link or a zip entry points at.
    pub secret: Option<String>,
    /// Text that must appear in no `.html` file of the built site: markup
    /// from the input that would run if it were not escaped.
    pub raw_markup: Option<String>,
    /// Environment for the runs, e.g. `RAYON_NUM_THREADS=8` to measure
    /// memory as a machine with more cores would use it.
    pub env: Vec<(&'static str, &'static str)>,
    pub make: Make,
}

impl Case {
    pub fn new(family: &'static str, name: impl Into<String>, make: impl Fn(&Path) -> Result<Input, String> + 'static) -> Case {
        Case { family, name: name.into(), expect: Expect::Any, secret: None, raw_markup: None, env: Vec::new(), make: Box::new(make) }
    }

    pub fn expect(mut self, expect: Expect) -> Case {
        self.expect = expect;
        self
    }

    pub fn secret(mut self, secret: impl Into<String>) -> Case {
        self.secret = Some(secret.into());
        self
    }

    pub fn raw_markup(mut self, markup: impl Into<String>) -> Case {
        self.raw_markup = Some(markup.into());
        self
    }

    pub fn env(mut self, key: &'static str, value: &'static str) -> Case {
        self.env.push((key, value));
        self
    }
}

/// Every case, in a fixed order. Names are checked to be unique by the harness.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(controls());
    cases.extend(yaml::cases());
    cases.extend(text::cases());
    cases.extend(markdown::cases());
    cases.extend(files::cases());
    cases.extend(scale::cases());
    cases.extend(zips::cases());
    cases
}

/// Well-formed trees that must build, so the harness cannot pass by every
/// run failing (and so a harness bug that breaks every input shows).
fn controls() -> Vec<Case> {
    vec![
        Case::new("control", "control-valid-tree", |dir| {
            let skills = dir.join("skills");
            write(&skills.join("alpha/SKILL.md"), skill_md("name: alpha\ndescription: The first control skill.\nkeywords: [corpus, control]\ncategory: Testing", "# Alpha\n\nUse it.\n"));
            write(&skills.join("alpha/scripts/run.py"), b"print('hi')\n");
            write(&skills.join("nested/deeper/beta/SKILL.md"), skill_md("name: beta\ndescription: The second control skill.", "# Beta\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"));
            Ok(Input::skills(skills))
        })
        .expect(Expect::Builds),
        Case::new("control", "control-valid-zip", |dir| {
            let zip = dir.join("skills.zip");
            let skill = skill_md("name: gamma\ndescription: A control skill in a zip.", "# Gamma\n");
            write(&zip, llmos_core::write_zip(&[("gamma/SKILL.md", &skill), ("gamma/assets/x.txt", b"x")]));
            Ok(Input::skills(zip))
        })
        .expect(Expect::Builds),
    ]
}

/// The frontmatter every "otherwise valid" skill of the corpus uses.
pub const VALID_YAML: &str = "name: bad\ndescription: A skill of the malformed corpus.";

/// A SKILL.md: `---`, the YAML, `---`, the body.
pub fn skill_md(yaml: &str, body: &str) -> Vec<u8> {
    format!("---\n{yaml}\n---\n{body}").into_bytes()
}

/// Writes `bytes` at `path`, creating its folders. The corpus cannot go on
/// without its input, so a failure is a harness bug and panics.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// A tree `skills/bad/SKILL.md` whose bytes `contents` makes when the case runs
/// (not before: some are tens of megabytes).
pub fn skill(family: &'static str, name: impl Into<String>, contents: impl Fn() -> Vec<u8> + 'static) -> Case {
    Case::new(family, name, move |dir| {
        let skills = dir.join("skills");
        write(&skills.join("bad/SKILL.md"), contents());
        Ok(Input::skills(skills))
    })
}

/// [`skill`] with the given frontmatter YAML and a one-line body.
pub fn frontmatter(family: &'static str, name: impl Into<String>, yaml: impl Fn() -> String + 'static) -> Case {
    skill(family, name, move || skill_md(&yaml(), "# Body\n"))
}

/// [`skill`] with valid frontmatter and the given Markdown body.
pub fn body(family: &'static str, name: impl Into<String>, body: impl Fn() -> String + 'static) -> Case {
    skill(family, name, move || skill_md(VALID_YAML, &body()))
}

/// Creates a file of `len` bytes that holds `head` and then zeros, without
/// writing the zeros (a sparse file): gigabyte inputs for free.
pub fn sparse(path: &Path, head: &[u8], len: u64) {
    write(path, head);
    fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(len)).unwrap_or_else(|e| panic!("extend {}: {e}", path.display()));
}
