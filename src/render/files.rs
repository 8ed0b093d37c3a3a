//! What a skill page offers to take away: the skill folder as a zip, a page
//! per bundled text file with its code highlighted at build time, and the
//! commands that install the skill into the common agents' skill folders.

use super::url_path;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Text files larger than this get no view page (the raw file stays).
pub const MAX_VIEW_BYTES: usize = 1 << 20;
/// Text files larger than this are shown without highlighting: syntect
/// spends about a second per megabyte, and nobody reads such a file there.
pub const MAX_HIGHLIGHT_BYTES: usize = 256 << 10;
/// Nor is a file with a line longer than this highlighted: syntect's
/// regular expressions can take time quadratic in a line's length (200 kB
/// of `[` on one line took over 30 s), and such a line is minified or
/// generated text nobody reads highlighted.
pub const MAX_HIGHLIGHT_LINE: usize = 2_000;
/// A skill gets pages for at most this many of its files (the rest keep
/// their raw file): a folder of 60,000 files would otherwise mean 60,000
/// pages.
pub const MAX_VIEW_PAGES: usize = 300;
/// A skill larger than this in all (SKILL.md and files) gets no zip: the
/// zip is built in memory, and a download that size is better taken file
/// by file or from the source's repository.
pub const MAX_ZIP_BYTES: u64 = 32 << 20;

/// A skill folder as a zip: `<slug>/SKILL.md`, `<slug>/scripts/…`, the
/// layout `llmos build --skills` and "Your skills" import read.
pub struct SkillZip {
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex (FIPS 180-4, via the `sha2` crate).
    pub sha256: String,
}

/// Where a skill's zip is published, relative to the site root:
/// `skills/<slug>.zip`, beside the skill's folder, so no file of the skill
/// can take its name.
pub fn zip_rel(slug: &str) -> String {
    format!("skills/{slug}.zip")
}

/// The zip of one skill: SKILL.md first, then `files` (path in the skill,
/// bytes) in the order given. `llmos_core::zip::write_zip` writes the same
/// bytes for the same input (fixed times and modes), so the hash changes
/// exactly when a file does.
pub fn skill_zip(slug: &str, skill_md: &[u8], files: &[(String, &[u8])]) -> SkillZip {
    let names: Vec<String> = std::iter::once(format!("{slug}/SKILL.md")).chain(files.iter().map(|(path, _)| format!("{slug}/{path}"))).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(String::as_str).zip(std::iter::once(skill_md).chain(files.iter().map(|(_, data)| *data))).collect();
    let bytes = llmos_core::zip::write_zip(&entries);
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    SkillZip { bytes, sha256 }
}

/// Where a bundled file's view page is written, relative to the skill's
/// folder: the file's path with `.html` added, or `None` for a file that
/// gets none (not UTF-8 text, too large, or named `index`, whose page would
/// be the skill page's own `index.html`). It cannot meet a published raw
/// file: `.html` is not an inert extension, so a raw file never ends in it
/// (see `llmos_core::published_path`).
pub fn view_rel(path: &str, bytes: &[u8]) -> Option<String> {
    if path == "index" || bytes.len() > MAX_VIEW_BYTES || bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
        return None;
    }
    Some(format!("{path}.html"))
}

/// What the file page's template shows.
#[derive(Serialize)]
pub struct FilePage<'a> {
    pub path: &'a str,
    /// The raw file, base path included.
    pub raw_url: String,
    pub size: String,
    pub lines: usize,
    /// `<span id="L1">1</span>` and so on, one per line, for the gutter.
    pub gutter: String,
    /// The code, escaped, with syntect's class names when highlighted.
    pub code_html: String,
    pub highlighted: bool,
}

/// The token syntect picks a syntax by: the file's extension, or for
/// SKILL.md and other Markdown the Markdown syntax.
pub fn language_token(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => extension,
        _ => "",
    }
}

/// The file page of `path` (its text is `text`), with `highlight` turning
/// code into classed HTML (see `crate::markdown::Markdown::highlight`).
pub fn file_page<'a>(path: &'a str, text: &str, raw_url: String, size: String, highlight: impl Fn(&str, &str) -> String) -> FilePage<'a> {
    let lines = text.lines().count().max(1);
    let mut gutter = String::with_capacity(lines * 24);
    for n in 1..=lines {
        gutter.push_str(&format!("<span id=\"L{n}\">{n}</span>\n"));
    }
    let highlighted = text.len() <= MAX_HIGHLIGHT_BYTES && text.lines().all(|line| line.len() <= MAX_HIGHLIGHT_LINE);
    let code_html = if highlighted { highlight(language_token(path), text) } else { escape(text) };
    FilePage { path, raw_url, size, lines, gutter, code_html, highlighted }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One agent's skill folders, as its documentation names them.
#[derive(Serialize)]
pub struct InstallTarget {
    pub tool: &'static str,
    /// Read in the project the agent works in.
    pub project: &'static str,
    /// Read in every project of the user.
    pub personal: &'static str,
    pub docs: &'static str,
}

/// The folders checked against each tool's documentation in November 2026:
/// Claude Code (code.claude.com, "Agent Skills"), GitHub Copilot
/// (docs.github.com, "Adding agent skills"; it also reads `.claude/skills`
/// and `.agents/skills`) and OpenAI Codex (developers.openai.com/codex/skills,
/// which reads `.agents/skills` up to the repository root).
pub const INSTALL_TARGETS: &[InstallTarget] = &[
    InstallTarget { tool: "Claude Code", project: ".claude/skills", personal: "~/.claude/skills", docs: "https://code.claude.com/docs/en/skills" },
    InstallTarget { tool: "GitHub Copilot", project: ".github/skills", personal: "~/.copilot/skills", docs: "https://docs.github.com/en/copilot/how-tos/use-copilot-agents/cloud-agent/create-skills" },
    InstallTarget { tool: "OpenAI Codex", project: ".agents/skills", personal: "~/.agents/skills", docs: "https://developers.openai.com/codex/skills" },
];

/// What the skill page's install box shows.
#[derive(Serialize)]
pub struct Install {
    /// The zip's file name, `<slug>.zip`.
    pub file: String,
    /// The zip's absolute URL when the site's `base_url` is known (then
    /// each target also gets a `curl` command).
    pub zip_absolute: Option<String>,
    pub targets: Vec<InstallCommand>,
}

#[derive(Serialize)]
pub struct InstallCommand {
    pub tool: &'static str,
    pub docs: &'static str,
    pub project: &'static str,
    pub personal: &'static str,
    /// Unpacks a downloaded zip into the project's folder.
    pub unzip: String,
    /// Fetches and unpacks it in one go (only with `zip_absolute`).
    pub fetch: Option<String>,
}

/// The install commands for one skill. `unzip -o` replaces an older copy of
/// the skill's own files and leaves other skills alone.
pub fn install(slug: &str, zip_absolute: Option<String>) -> Install {
    let file = format!("{slug}.zip");
    let targets = INSTALL_TARGETS
        .iter()
        .map(|t| InstallCommand {
            tool: t.tool,
            docs: t.docs,
            project: t.project,
            personal: t.personal,
            unzip: format!("mkdir -p {dir} && unzip -o ~/Downloads/{file} -d {dir}", dir = t.project),
            fetch: zip_absolute.as_ref().map(|url| format!("curl -fsSL -o /tmp/{file} {url} && mkdir -p {dir} && unzip -o /tmp/{file} -d {dir}", dir = t.project)),
        })
        .collect();
    Install { file, zip_absolute, targets }
}

/// A file's view page URL relative to the skill page, with an optional
/// line anchor.
pub fn view_url(view_rel: &str, line: usize) -> String {
    if line > 0 {
        format!("{}#L{line}", url_path(view_rel))
    } else {
        url_path(view_rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_reads_back_as_the_skill_folder_and_is_the_same_every_time() {
        let files = vec![("scripts/main.py".to_string(), &b"print(1)\n"[..])];
        let a = skill_zip("demo", b"---\nname: demo\n---\n", &files);
        let b = skill_zip("demo", b"---\nname: demo\n---\n", &files);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.sha256.len(), 64);
        let entries = llmos_core::zip::read_zip(&a.bytes).unwrap();
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["demo/SKILL.md", "demo/scripts/main.py"]);
        let changed = skill_zip("demo", b"---\nname: demo\n---\n", &[("scripts/main.py".to_string(), &b"print(2)\n"[..])]);
        assert_ne!(changed.sha256, a.sha256);
    }

    #[test]
    fn only_text_files_get_a_view_page_and_it_never_takes_the_skill_page() {
        assert_eq!(view_rel("scripts/a.py", b"x = 1\n").as_deref(), Some("scripts/a.py.html"));
        assert_eq!(view_rel("assets/cube.html", b"<p>").as_deref(), Some("assets/cube.html.html"));
        assert_eq!(view_rel("index", b"text"), None);
        assert_eq!(view_rel("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0"), None);
        assert_eq!(view_rel("data.bin", &[0xff, 0xfe, 0x41]), None);
        assert!(!llmos_core::published_path("x.html").ends_with(".html"), "raw files never end in .html, so view pages cannot meet one");
    }

    #[test]
    fn file_pages_number_every_line_and_escape_unhighlighted_text() {
        let page = file_page("a.txt", "<b>\n&\n", "/s/a.txt".into(), "6 B".into(), |token, code| format!("{token}:{}", escape(code)));
        assert!(page.highlighted);
        assert_eq!(page.code_html, "txt:&lt;b&gt;\n&amp;\n");
        assert_eq!(page.lines, 2);
        assert!(page.gutter.contains("id=\"L2\""));
        let long_line = "[".repeat(MAX_HIGHLIGHT_LINE + 1);
        let page = file_page("SKILL.md", &long_line, String::new(), String::new(), |_, _| panic!("a line too long to highlight"));
        assert!(!page.highlighted);
        let big = "<".repeat(MAX_HIGHLIGHT_BYTES + 1);
        let page = file_page("big.txt", &big, String::new(), String::new(), |_, _| panic!("too large to highlight"));
        assert!(!page.highlighted);
        assert!(page.code_html.starts_with("&lt;&lt;"));
    }
}
