//! The user's skills among the site's (issue 11, item 6): wherever the
//! site lists, counts or finds skills, the user's are there too and look
//! like the site's; a user skill that takes a site skill's place says so;
//! and the workbench pages fit a phone with a real skill loaded.

use super::*;
use std::path::Path;

impl Site {
    /// Imports `entries` as the zip `name` from "Your skills"; returns the status shown.
    fn import_zip(&self, work: &Path, name: &str, entries: &[(&str, &[u8])]) -> String {
        let path = work.join(name);
        std::fs::write(&path, llmos_core::zip::write_zip(entries)).unwrap();
        self.open("/my/");
        self.listed();
        self.browser.choose_files("#import-files", &[&path]);
        self.status_text()
    }

    /// Opens a page that may have no island (nothing to wait for but the load).
    fn open_static(&self, path: &str) {
        self.browser.goto(&self.server.url(path));
        self.browser.wait_for("document.readyState === 'complete'", 10);
    }
}

/// The text of each `.terms` entry of the page, spaces collapsed.
const TERMS: &str = "[...document.querySelectorAll('.terms li')].map((li) => li.textContent.replace(/\\s+/g, ' ').trim())";

#[test]
fn keywords_on_a_user_skills_page_are_separate_pills() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let md = b"---\nname: csv-to-markdown\ndescription: Turns CSV into Markdown tables.\ncategory: writing\nkeywords: [data, csv, markdown, table]\n---\n\n# CSV to Markdown\n".as_slice();
    assert!(s.import_zip(work.path(), "one.zip", &[("csv-to-markdown/SKILL.md", md)]).contains("Imported 1 skill"));

    // How the site's own skill pages show a tag.
    s.open_static("/skills/csv-analysis/");
    let site_pill = s.browser.eval("const s = getComputedStyle(document.querySelector('.facts a[href=\"/tags/csv/\"]')); return [s.backgroundColor, s.borderTopLeftRadius, s.display];");

    s.open("/my/skill/?name=csv-to-markdown");
    s.browser.wait_for("document.querySelector('.user-skill header')", 20);
    let shown = s.browser.eval(
        r#"const head = document.querySelector('.user-skill header');
        const words = ['data', 'csv', 'markdown', 'table'];
        const pills = words.map((w) => [...head.querySelectorAll('*')].find((e) => e.childElementCount === 0 && e.textContent.trim() === w));
        if (pills.some((p) => !p)) return { missing: words.filter((w, i) => !pills[i]) };
        const box = (e) => e.getBoundingClientRect();
        return {
          text: head.innerText,
          gaps: pills.slice(1).map((p, i) => box(p).top >= box(pills[i]).bottom - 1 ? 99 : Math.round(box(p).left - box(pills[i]).right)),
          styles: pills.map((p) => { const s = getComputedStyle(p); return [s.backgroundColor, s.borderTopLeftRadius, s.display]; }),
        };"#,
    );
    assert!(shown["missing"].is_null(), "{shown}");
    let words: Vec<&str> = shown["text"].as_str().unwrap().split_whitespace().collect();
    assert!(words.windows(4).any(|w| w == ["data", "csv", "markdown", "table"]), "the keywords read as four words: {shown}");
    assert!(shown["gaps"].as_array().unwrap().iter().all(|g| g.as_i64().unwrap() >= 4), "space between the pills: {shown}");
    for style in shown["styles"].as_array().unwrap() {
        assert_eq!(*style, site_pill, "each keyword is a pill like the site's tags");
    }
    s.no_console_errors();
}

#[test]
fn tag_pages_and_category_counts_include_the_users_skills() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let tea = b"---\nname: tea-timer\ndescription: Times tea.\ncategory: writing\nkeywords: [csv, tea]\n---\n\n# Tea\n".as_slice();
    let jam = b"---\nname: jam-jar\ndescription: Labels jam jars.\ncategory: Kitchen\nkeywords: [jam]\n---\n\n# Jam\n".as_slice();
    assert!(s.import_zip(work.path(), "two.zip", &[("tea-timer/SKILL.md", tea), ("jam-jar/SKILL.md", jam)]).contains("Imported 2 skills"));

    // A tag page of the site lists the user's skills with that tag, and only those.
    s.open_static("/tags/csv/");
    s.browser.wait_for("document.querySelector('#user-shelf a[href=\"/my/skill/?name=tea-timer\"]')", 30);
    assert_eq!(s.browser.eval("return document.querySelector('#user-shelf a[href=\"/my/skill/?name=jam-jar\"]') === null;"), true);
    s.open("/tags/quantum/");
    s.browser.wait_for("document.querySelector('[data-component^=UserSkillsShelf]')", 5);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(s.browser.eval("return document.querySelector('#user-shelf') === null;"), true, "no shelf where the user has no skill");

    // The category counts, on the category list and the home page: the
    // site's count, the user's next to it, and the user's own categories.
    for page in ["/categories/", "/"] {
        s.open_static(page);
        let terms = s.browser.wait_for(&format!("{TERMS}.some((t) => t.includes('Kitchen')) && {TERMS}"), 30);
        let terms: Vec<&str> = terms.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(terms.contains(&"writing 5 +1 yours"), "{page}: {terms:?}");
        assert!(terms.contains(&"Kitchen 1 yours"), "{page}: {terms:?}");
        // A category the user has nothing in: the site's count alone.
        let quantum = std::fs::read_dir(common::repo("system-skills")).unwrap().filter(|d| std::fs::read_to_string(d.as_ref().unwrap().path().join("SKILL.md")).is_ok_and(|md| md.contains("\ncategory: quantum\n"))).count();
        assert!(terms.contains(&format!("quantum {quantum}").as_str()), "{page}: {terms:?}");
        let kitchen = s.browser.eval("return [...document.querySelectorAll('.terms li a')].find((a) => a.textContent === 'Kitchen').getAttribute('href');");
        assert_eq!(kitchen, "/my/", "a category only the user has leads to their skills");
    }
    s.no_console_errors();
}

#[test]
fn a_user_skill_with_a_site_skills_name_says_so_and_shows_both() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let mine = b"---\nname: csv-analysis\ndescription: My own way to analyse CSV files.\n---\n\n# Mine\n".as_slice();
    let said = "replaces the site's skill csv-analysis in your catalogue, search and chats (the site's page stays at /skills/csv-analysis/)";

    // At import, in the summary.
    let status = s.import_zip(work.path(), "mine.zip", &[("csv-analysis/SKILL.md", mine)]);
    assert!(status.contains("Imported 1 skill") && status.contains(said), "{status}");

    // In the editor, with a link to the site's page.
    s.open("/my/edit/?skill=csv-analysis");
    let notice = s.browser.wait_for("document.querySelector('#shadow-notice') && document.querySelector('#shadow-notice').textContent", 20);
    assert!(notice.as_str().unwrap().contains(&format!("This {said}")), "{notice}");
    assert_eq!(s.browser.eval("return document.querySelector('#shadow-notice a').getAttribute('href');"), "/skills/csv-analysis/");

    // In search: the user's result, noted, with a link to the site's version.
    s.open("/search/?q=csv%20analysis");
    let row = "[...document.querySelectorAll('#search-results li')].find((li) => li.querySelector('a[href=\"/my/skill/?name=csv-analysis\"]'))";
    s.browser.wait_for(row, 20);
    let shown = s.browser.eval(&format!("const li = {row}; const site = li.querySelector('a[href=\"/skills/csv-analysis/\"]'); return [li.textContent, site && site.textContent];"));
    assert!(shown[0].as_str().unwrap().contains("Replaces the site's skill"), "{shown}");
    assert!(!shown[1].is_null(), "a link to the site's version: {shown}");
    s.no_console_errors();
}

/// Elements that leave the viewport with no scrolling ancestor to hold them
/// (the check of tests/layout.rs, for pages with a real skill loaded).
const OVERFLOW: &str = r#"
const vw = document.documentElement.clientWidth, offenders = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || el.closest('.skip, .visually-hidden') || (r.right <= vw + 1 && r.left >= -1)) continue;
  let p = el.parentElement, held = false;
  for (; p && p !== document.body; p = p.parentElement) if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) { held = true; break; }
  if (!held) offenders.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className).trim().split(/\s+/).join('.')} right=${Math.round(r.right)}`);
}
return { scrollWidth: document.documentElement.scrollWidth, viewport: vw, offenders: offenders.slice(0, 8) };
"#;

#[test]
fn workbench_pages_with_a_real_skill_fit_a_phone() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let name = "converting-comma-separated-values-into-markdown-tables-quickly";
    let md = format!(
        "---\nname: {name}\ndescription: Converts comma-separated values into Markdown tables, with alignment, escaping and very-long-unbroken-identifiers-like-this-one-here.\n\
         category: data-wrangling-and-formatting\nkeywords: [comma-separated-values, markdown-tables, supercalifragilisticexpialidocious-formatting]\n---\n\n\
         # Tables\n\n`a_very_long_inline_code_span_that_does_not_break_anywhere_at_all_in_the_text`\n\n```\nawk -F, '{{ printf \"| %s | %s | %s |\\n\", $1, $2, $3 }}' input.csv > output-with-a-long-name.md\n```\n\n\
         | column one | column two | column three | column four | column five |\n|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 |\n"
    );
    let (skill_md, script) = (format!("{name}/SKILL.md"), format!("{name}/scripts/a-very-long-file-name-that-does-not-break-anywhere-at-all.py"));
    let entries: [(&str, &[u8]); 2] = [(&skill_md, md.as_bytes()), (&script, b"print(1)\n")];
    assert!(s.import_zip(work.path(), "wide.zip", &entries).contains("Imported 1 skill"));

    s.browser.cdp("Emulation.setDeviceMetricsOverride", serde_json::json!({ "width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": true }));
    let pages = [
        ("/my/".to_string(), "document.querySelector('#my-skill-list .my-skill')"),
        (format!("/my/edit/?skill={name}"), "document.querySelector('#skill-name') && document.querySelector('#skill-name').value !== ''"),
        (format!("/my/skill/?name={name}"), "document.querySelector('#user-skill-body table')"),
    ];
    let mut failures = Vec::new();
    for (page, loaded) in pages {
        s.open(&page);
        s.browser.wait_for(loaded, 20);
        let layout = s.browser.eval(OVERFLOW);
        if layout["scrollWidth"].as_u64() > layout["viewport"].as_u64() || !layout["offenders"].as_array().unwrap().is_empty() {
            failures.push(format!("{page}: {layout}"));
        }
    }
    assert!(failures.is_empty(), "wider than a 320 px phone:\n{}", failures.join("\n"));
}
