//! A user skill has one identity, its key in the store: every action of
//! every page reaches a skill whose frontmatter name is not its key, and
//! keys that need encoding in an address. And the pages holding the
//! user's skills refuse to run inside another site's frame.

use super::*;

/// `text` as `encodeURIComponent` writes it (these keys use no `!'()*`).
fn encoded(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

impl Site {
    /// Waits for a user skill's page to show `title` and returns nothing else.
    fn on_skill_page(&self, title: &str) {
        self.browser.wait_for(&format!("document.querySelector('.user-skill h1') && document.querySelector('.user-skill h1').textContent.startsWith({title:?})"), 20);
    }

    /// Waits for the editor to have opened the skill titled `title`.
    fn in_editor(&self, title: &str) {
        self.browser.wait_for(&format!("document.querySelector('#skill-name') && document.querySelector('#skill-name').value === {title:?}"), 20);
        assert_eq!(self.browser.eval("return document.querySelector('.notice.error') === null;"), true, "the editor found the skill");
    }

    /// The `href` attribute of the first element matching `css` whose href is `href`, clicked.
    fn click_link_to(&self, css: &str, href: &str) {
        let script = format!("const a = [...document.querySelectorAll({css:?})].find((a) => a.getAttribute('href') === {href:?}); if (a) a.click(); return !!a;");
        self.browser.wait_for(&format!("[...document.querySelectorAll({css:?})].some((a) => a.getAttribute('href') === {href:?})"), 20);
        assert_eq!(self.browser.eval(&script), true, "a link to {href} in {css}");
    }

    /// Clicks the row action labelled `label` of the skill stored as `key`.
    fn row_action(&self, key: &str, label: &str) {
        self.listed();
        let clicked = self.browser.eval(&format!(
            "const row = [...document.querySelectorAll('#my-skill-list .my-skill')].find((r) => r.dataset.name === {key:?}); \
             const b = row && [...row.querySelectorAll('button, a')].find((b) => b.textContent === {label:?}); if (b) b.click(); return !!b;"
        ));
        assert_eq!(clicked, true, "{label} on the row of {key}");
    }

    /// The entries of the export `file`, which is then removed (the next
    /// export of the same skill gets the same name).
    fn exported(&self, file: &str) -> Vec<llmos_core::ZipEntry> {
        let bytes = self.browser.downloaded(file, 20);
        std::fs::remove_file(self.browser.downloads.path().join(file)).unwrap();
        llmos_core::zip::read_zip(&bytes).unwrap()
    }
}

#[test]
fn a_skill_whose_name_is_not_its_key_works_from_every_page() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    s.open("/my/");
    assert!(s.listed().is_empty());

    // Written in the editor: the title `Report Writer` is stored as `report-writer`.
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#skill-name')", 20);
    s.set_field("#skill-name", "Report Writer");
    s.set_field("#skill-description", "Drafts reports about marmalade.");
    s.set_field("#skill-category", "writing");
    s.browser.wait_for("document.querySelectorAll('#diagnostics .error').length === 0", 10);
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved report-writer"));
    s.browser.wait_for("location.search === '?skill=report-writer'", 10);
    // Imported: a title with `&` and `#`.
    let qa = b"---\nname: \"Q&A #1 Helper\"\ndescription: Answers questions about tangerines.\ncategory: writing\n---\n\n# Q&A\n".as_slice();
    let zip = work.path().join("qa.zip");
    std::fs::write(&zip, llmos_core::zip::write_zip(&[("qa-helper/SKILL.md", qa)])).unwrap();
    s.open("/my/");
    s.browser.choose_files("#import-files", &[&zip]);
    assert!(s.status_text().contains("Imported 1 skill"));
    // Left by an older version or another tool: a key that needs encoding in an address.
    let injected = s.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {
          const md = new TextEncoder().encode('---\nname: "Field Notes & More #2"\ndescription: Keeps field notes on pelicans.\ncategory: writing\n---\n\n# Notes\n');
          const tx = open.result.transaction("skills", "readwrite");
          tx.objectStore("skills").put({ name: "field notes & more #2", files: [{ path: "SKILL.md", data: md }], created: 5, updated: 5 });
          tx.oncomplete = () => done(true);
        };"#,
    );
    assert_eq!(injected, true);
    s.open("/my/");
    let mut listed = s.listed();
    listed.sort();
    assert_eq!(listed, ["field notes & more #2", "q-a-1-helper", "report-writer"]);

    let skills = [("report-writer", "Report Writer", "marmalade"), ("q-a-1-helper", "Q&A #1 Helper", "tangerines"), ("field notes & more #2", "Field Notes & More #2", "pelicans")];
    for (key, title, word) in skills {
        let view = format!("/my/skill/?name={}", encoded(key));
        let edit = format!("/my/edit/?skill={}", encoded(key));
        let zip_name = format!("{}.zip", llmos_core::slugify(key));

        // The list: the row's link, Edit, Duplicate, Export, and Delete (of the copy).
        s.open("/my/");
        s.click_link_to("#my-skill-list a.result-name", &view);
        s.on_skill_page(title);
        s.open("/my/");
        s.click_link_to("#my-skill-list a.button", &edit);
        s.in_editor(title);
        s.click_link_to(".editor a.button", &view);
        s.on_skill_page(title);
        s.open("/my/");
        s.row_action(key, "Duplicate");
        assert!(s.status_text().contains(&format!("Duplicated {key} as {key}-copy")), "{key}");
        s.row_action(key, "Export");
        let entries = s.exported(&zip_name);
        assert!(entries.iter().any(|e| e.path == format!("{key}/SKILL.md") && String::from_utf8_lossy(&e.data).contains(title.split(' ').next().unwrap())), "{key}: {:?}", entries.iter().map(|e| &e.path).collect::<Vec<_>>());
        s.accept_confirms();
        s.row_action(&format!("{key}-copy"), "Delete");
        s.browser.wait_for(&format!("![...document.querySelectorAll('#my-skill-list .my-skill')].some((r) => r.dataset.name === {:?})", format!("{key}-copy")), 10);
        s.open("/my/");
        assert!(s.listed().iter().any(|n| n == key) && !s.listed().iter().any(|n| *n == format!("{key}-copy")), "{key}: only the copy went");

        // The catalogue's shelf and the search find it by its key.
        s.open("/skills/");
        s.click_link_to("#user-shelf a", &view);
        s.on_skill_page(title);
        s.open("/search/");
        s.browser.type_into("#search-input", word);
        s.click_link_to("#search-results li a", &view);
        s.on_skill_page(title);

        // Its own page: Edit opens it, Export downloads it, Delete deletes it.
        s.open(&view);
        s.on_skill_page(title);
        assert_eq!(s.browser.eval("return document.querySelector('#edit-skill').getAttribute('href');"), serde_json::json!(edit));
        s.browser.click("#edit-skill");
        s.in_editor(title);
        s.open(&view);
        s.on_skill_page(title);
        s.browser.click("#export-skill");
        let entries = s.exported(&zip_name);
        assert!(entries.iter().all(|e| e.path.starts_with(&format!("{key}/"))) && !entries.is_empty(), "{key}");
        assert!(s.status_text().contains("Exported 1 skill"));
        s.accept_confirms();
        s.browser.click("#delete-skill");
        s.browser.wait_for("location.pathname === '/my/'", 10);
        s.open("/my/");
        assert!(!s.listed().iter().any(|n| n == key), "{key} is gone after a reload");
    }
    s.open("/my/");
    assert!(s.listed().is_empty());
    s.no_console_errors();
}

#[test]
fn your_skills_do_not_open_inside_a_frame_from_another_site() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let port = s.server.port;
    // To the browser, localhost and 127.0.0.1 are two origins (and two sites).
    std::fs::write(s._tmp.path().join("site/framer.html"), format!("<!doctype html><title>framer</title><iframe id=\"framed\" src=\"http://localhost:{port}/my/\"></iframe>")).unwrap();
    s.browser.goto(&s.server.url("/framer.html"));
    s.browser.wait_for("document.querySelector('#framed')", 10);
    s.browser.enter_frame("#framed");
    s.browser.wait_for(HYDRATED, 30);
    let notice = s.browser.wait_for("document.querySelector('#framed-notice') && document.querySelector('#framed-notice').textContent", 10);
    assert!(notice.as_str().unwrap().contains("does not work inside a frame from another site; open it directly"), "{notice}");
    assert_eq!(s.browser.eval("return [document.querySelector('.my-skills, #import-files') === null, document.querySelector('#framed-notice a').href];"), serde_json::json!([true, format!("http://localhost:{port}/my/")]));
    let databases = s.browser.eval_async("const done = arguments[arguments.length - 1]; indexedDB.databases().then((d) => done(d.map((x) => x.name)));");
    assert_eq!(databases, serde_json::json!([]), "the framed page never opened the store");
    s.browser.leave_frames();
}
