//! The user's own skills in real headless Chromium: IndexedDB storage, the
//! editor, the layered catalogue and search, tab sync, import and export,
//! and upgrading a database an older version of the site created.

mod common;
// One identity per user skill, and the workbench refusing foreign frames (issue 10).
#[path = "user_skills/identity.rs"]
mod identity;
// Smaller faults seen in use (issue 11, item 6): the user's skills among the site's.
#[path = "user_skills/layering.rs"]
mod layering;
// And the workbench's wording: placeholders, problems at their field, file names.
#[path = "user_skills/wording.rs"]
mod wording;
// The Run panel on the user's skills and the editor's Test run (issue 12, item 1).
#[path = "user_skills/run.rs"]
mod run;
// Customise a site skill, and the safety review of imports (issue 15, part 1).
#[path = "user_skills/acting.rs"]
mod acting;

use common::server::StaticServer;
use common::webdriver::Browser;
use common::*;
use std::sync::Mutex;

/// One Chromium at a time: the machines have two cores.
static BROWSER: Mutex<()> = Mutex::new(());

const HYDRATED: &str = "document.documentElement.dataset.islands === 'hydrated'";

struct Site {
    _tmp: tempfile::TempDir,
    server: StaticServer,
    browser: Browser,
}

fn site() -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    Site { _tmp: tmp, server, browser: Browser::start() }
}

impl Site {
    fn open(&self, path: &str) {
        self.browser.goto(&self.server.url(path));
        self.browser.wait_for(HYDRATED, 30);
    }

    /// Names listed on "Your skills", once loaded.
    fn listed(&self) -> Vec<String> {
        self.browser.wait_for("document.querySelector('#my-skills-state') && !document.querySelector('#my-skills-state').textContent.startsWith('Loading')", 20);
        let names = self.browser.eval("return [...document.querySelectorAll('#my-skill-list .my-skill')].map(e => e.dataset.name);");
        names.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect()
    }

    /// Empties a field as a user would (an `input` event), then types.
    fn set_field(&self, css: &str, text: &str) {
        self.browser.eval(&format!("const e = document.querySelector({css:?}); e.value = ''; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"));
        if !text.is_empty() {
            self.browser.type_into(css, text);
        }
    }

    /// Window.confirm answers yes, for the delete and replace prompts.
    fn accept_confirms(&self) {
        self.browser.eval("window.confirm = () => true; return true;");
    }

    fn status_text(&self) -> String {
        self.browser.wait_for("document.querySelector('.notice.ok, .notice.error')", 20).to_string();
        self.browser.eval("return [...document.querySelectorAll('.notice.ok, .notice.error')].map(e => e.textContent).join(' | ');").as_str().unwrap().to_string()
    }

    fn no_console_errors(&self) {
        assert_eq!(self.browser.console_errors(), Vec::<String>::new());
    }
}

#[test]
fn create_reload_edit_find_and_delete_a_skill() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    s.open("/my/");
    assert!(s.listed().is_empty());
    s.no_console_errors();

    // Create: the form, checked and previewed as it is typed.
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#skill-name')", 20);
    // An empty skill has no preview yet, and the pane says why.
    s.browser.wait_for("document.querySelector('#preview-waiting') && !document.querySelector('#preview-waiting').hidden && document.querySelector('#preview-waiting').textContent.includes('once the name and description are filled in')", 20);
    s.set_field("#skill-name", "tea-timer");
    s.set_field("#skill-description", "Brews tea with a timer. Use when making tea.");
    s.set_field("#skill-category", "writing");
    s.set_field("#skill-body", "# Tea\n\nSteep for **three minutes**.\n\n<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">\n\n[click](javascript:window.pwned=3)");
    s.browser.wait_for("document.querySelector('#preview-body strong') && document.querySelector('#preview-body strong').textContent === 'three minutes'", 10);
    assert_eq!(s.browser.eval("return document.querySelector('#preview-waiting').hidden;"), true, "the note goes once the preview shows");
    let preview = s.browser.eval("return document.querySelector('#preview-body').innerHTML;").as_str().unwrap().to_string();
    assert!(!preview.contains("<script") && !preview.contains("<img") && !preview.contains("javascript:"), "the preview is sanitised: {preview}");
    assert_eq!(s.browser.eval("return document.querySelectorAll('#diagnostics .error').length;"), 0);

    // An accidental reload before saving keeps the edits.
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#draft-restored')", 20);
    assert_eq!(s.browser.eval("return document.querySelector('#skill-name').value;"), "tea-timer");
    let body = s.browser.eval("return document.querySelector('#skill-body').value;");
    assert!(body.as_str().unwrap().trim_end().ends_with("[click](javascript:window.pwned=3)"), "the last keystroke was kept: {body}");
    assert_eq!(s.browser.eval("return window.pwned === undefined;"), true, "nothing in the preview ran");

    // An error blocks saving and says where.
    s.set_field("#skill-description", "");
    s.browser.wait_for("document.querySelectorAll('#diagnostics .error').length === 1", 10);
    let error = s.browser.eval("return document.querySelector('#diagnostics .error').textContent;").as_str().unwrap().to_string();
    assert!(error.contains("Description") && error.contains("`description` is empty"), "named by its field: {error}");
    // A draft with a problem reopens in the form it was written in, not as raw text.
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#draft-restored') && document.querySelector('#skill-description')", 20);
    assert_eq!(s.browser.eval("return [document.querySelector('#skill-name').value, document.querySelector('#skill-description').value, document.querySelector('#skill-raw') === null];"), serde_json::json!(["tea-timer", "", true]));
    s.set_field("#skill-description", "Brews tea with a timer. Use when making tea.");
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved tea-timer"));
    s.browser.wait_for("location.search === '?skill=tea-timer'", 10);
    assert_eq!(s.browser.eval("return document.querySelector('#draft-restored') === null;"), true, "saved: no restored changes are left to discard");

    // Reload: still there, in the list, on its page, in the catalogue, category and search.
    s.open("/my/");
    assert_eq!(s.listed(), ["tea-timer"]);
    s.open("/my/skill/?name=tea-timer");
    s.browser.wait_for("document.querySelector('#user-skill-state') === null", 20);
    s.browser.wait_for("document.querySelector('#user-skill-body strong')", 20);
    assert_eq!(s.browser.eval("return document.querySelector('.user-skill h1').textContent.startsWith('tea-timer');"), true);
    s.open("/skills/");
    s.browser.wait_for("document.querySelector('#user-shelf a[href=\"/my/skill/?name=tea-timer\"]')", 20);
    s.open("/categories/writing/");
    s.browser.wait_for("document.querySelector('#user-shelf a[href=\"/my/skill/?name=tea-timer\"]')", 20);
    s.open("/categories/quantum/");
    s.browser.wait_for("document.querySelector('[data-component^=UserSkillsShelf]')", 5);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(s.browser.eval("return document.querySelector('#user-shelf') === null;"), true, "not shown in other categories");
    s.open("/search/");
    s.browser.type_into("#search-input", "tea tim");
    s.browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    let first = s.browser.eval("const a = document.querySelector('#search-results li a'); return [a.getAttribute('href'), a.querySelector('.yours') !== null];");
    assert_eq!(first, serde_json::json!(["/my/skill/?name=tea-timer", true]));

    // Edit and rename: one atomic change.
    s.open("/my/edit/?skill=tea-timer");
    s.browser.wait_for("document.querySelector('#skill-name') && document.querySelector('#skill-name').value === 'tea-timer'", 20);
    s.set_field("#skill-name", "tea-brewer");
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved tea-brewer"));
    s.open("/my/");
    assert_eq!(s.listed(), ["tea-brewer"]);

    // Raw mode edits the file as text.
    s.open("/my/edit/?skill=tea-brewer");
    s.browser.wait_for("document.querySelector('#skill-name')", 20);
    s.browser.click("#mode-raw");
    s.browser.wait_for("document.querySelector('#skill-raw')", 5);
    let raw = s.browser.eval("return document.querySelector('#skill-raw').value;").as_str().unwrap().to_string();
    assert!(raw.starts_with("---\nname: tea-brewer\n"), "{raw}");
    s.browser.type_into("#skill-raw", "\nMore steps.\n");
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved"));

    // Delete.
    s.open("/my/");
    s.accept_confirms();
    s.browser.click(".my-skill[data-name='tea-brewer'] button.danger");
    s.browser.wait_for("document.querySelectorAll('#my-skill-list .my-skill').length === 0", 10);
    s.open("/my/");
    assert!(s.listed().is_empty(), "deleted for good");
    s.no_console_errors();
}

#[test]
fn open_tabs_see_each_others_changes() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    s.open("/my/");
    assert!(s.listed().is_empty());
    let (first, second) = s.browser.open_tab();
    s.browser.switch_to(&second);
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#skill-name')", 20);
    s.set_field("#skill-name", "from-tab-two");
    s.set_field("#skill-description", "Made in the second tab.");
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved from-tab-two"));
    s.browser.switch_to(&first);
    s.browser.wait_for("document.querySelector('.my-skill[data-name=\"from-tab-two\"]')", 10);
    // And back: a delete in the first tab empties the second tab's search.
    s.accept_confirms();
    s.browser.switch_to(&second);
    s.open("/search/");
    s.browser.type_into("#search-input", "from tab two");
    let found = "document.querySelector('#search-results a[href=\"/my/skill/?name=from-tab-two\"]') !== null";
    s.browser.wait_for(found, 10);
    s.browser.switch_to(&first);
    s.browser.click(".my-skill[data-name='from-tab-two'] button.danger");
    s.browser.switch_to(&second);
    s.browser.wait_for(&format!("!({found})"), 10);
    s.no_console_errors();
}

/// The fixture collection as a zip, the way a user would pack it.
fn fixture_zip() -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let root = fixture("public-collection");
    let mut files: Vec<(String, Vec<u8>)> = files_under(&root)
        .into_iter()
        .map(|f| (f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(&f).unwrap()))
        .collect();
    files.sort();
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    (llmos_core::zip::write_zip(&entries), files)
}

#[test]
fn import_a_zip_export_it_and_get_the_same_bytes_back() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let (zip, source_files) = fixture_zip();
    let zip_path = work.path().join("collection.zip");
    std::fs::write(&zip_path, &zip).unwrap();

    s.open("/my/");
    assert!(s.listed().is_empty());
    s.browser.choose_files("#import-files", &[&zip_path]);
    let status = s.status_text();
    assert!(status.contains("Imported"), "{status}");
    let listed = s.listed();
    assert!(listed.len() >= 3, "{listed:?}");

    // Export all: every imported file comes back byte for byte.
    s.browser.click("#export-all");
    let exported = s.browser.downloaded("llmos-skills.zip", 20);
    let entries = llmos_core::zip::read_zip(&exported).unwrap();
    let mut exported_names: Vec<String> = entries.iter().map(|e| e.path.split('/').next().unwrap().to_string()).collect();
    exported_names.dedup();
    let mut sorted_listed = listed.clone();
    sorted_listed.sort();
    assert_eq!(exported_names, sorted_listed, "one folder per skill");
    assert!(entries.len() > listed.len(), "scripts and references come along: {:?}", entries.iter().map(|e| &e.path).collect::<Vec<_>>());
    for entry in &entries {
        let (_, inner) = entry.path.split_once('/').unwrap();
        assert!(source_files.iter().any(|(path, data)| path.ends_with(&format!("/{inner}")) && *data == entry.data), "{} differs from the imported file", entry.path);
    }

    // The export is a valid `llmos build --skills` input, unchanged.
    let export_path = work.path().join("exported.zip");
    std::fs::write(&export_path, &exported).unwrap();
    let run = llmos(work.path(), &["build", "--skills", export_path.to_str().unwrap(), "--out", "published"]);
    assert!(run.ok, "{}", run.stderr);
    for name in &listed {
        assert!(work.path().join(format!("published/skills/{name}/index.html")).is_file(), "{name} is published");
    }

    // Import the export again (replacing), export again: identical bytes.
    std::fs::remove_file(s.browser.downloads.path().join("llmos-skills.zip")).unwrap();
    s.accept_confirms();
    s.browser.choose_files("#import-files", &[&export_path]);
    s.browser.wait_for("document.querySelector('.notice.ok') && document.querySelector('.notice.ok').textContent.includes('Imported')", 20);
    s.browser.click("#export-all");
    assert!(s.browser.downloaded("llmos-skills.zip", 20) == exported, "export, import, export gives identical bytes");
    s.no_console_errors();
}

#[test]
fn a_malformed_import_reports_each_bad_file_and_writes_nothing() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let good = b"---\nname: good-one\ndescription: Fine.\n---\nBody\n".as_slice();
    let entries: Vec<(&str, &[u8])> = vec![
        ("good-one/SKILL.md", good),
        ("bad-yaml/SKILL.md", b"---\nname: bad-yaml\ndescription: [unclosed\n---\n"),
        ("no-front/SKILL.md", b"Just text, no frontmatter.\n"),
    ];
    let mixed = work.path().join("mixed.zip");
    std::fs::write(&mixed, llmos_core::zip::write_zip(&entries)).unwrap();
    let truncated = work.path().join("truncated.zip");
    let whole = llmos_core::zip::write_zip(&entries[..1]);
    std::fs::write(&truncated, &whole[..whole.len() - 30]).unwrap();

    s.open("/my/");
    assert!(s.listed().is_empty());
    s.browser.choose_files("#import-files", &[&mixed]);
    let status = s.status_text();
    assert!(status.contains("Nothing was imported") && status.contains("bad-yaml/SKILL.md:3") && status.contains("no-front/SKILL.md"), "{status}");
    assert!(!status.contains("good-one/"), "only bad files are named: {status}");
    s.open("/my/");
    assert!(s.listed().is_empty(), "the good skill of a bad import is not written either");

    s.browser.choose_files("#import-files", &[&truncated]);
    let status = s.status_text();
    assert!(status.contains("truncated.zip") && status.contains("Nothing was imported"), "{status}");
    s.open("/my/");
    assert!(s.listed().is_empty());
}

#[test]
fn a_database_from_an_older_version_upgrades_with_every_record() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    // A page without islands, so nothing opens the database first.
    s.browser.goto(&s.server.url("/docs/"));
    let created = s.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos", 1);
        open.onupgradeneeded = () => {
          const db = open.result;
          db.createObjectStore("skills", { keyPath: "name" });
          db.createObjectStore("drafts", { keyPath: "id" });
          db.createObjectStore("settings", { keyPath: "key" });
          db.createObjectStore("meta", { keyPath: "key" });
        };
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["skills", "drafts", "settings"], "readwrite");
          const md = (n) => new TextEncoder().encode(`---\nname: ${n}\ndescription: Kept from version 1.\n---\n# ${n}\n`);
          for (const n of ["old-one", "old-two", "old-three"]) {
            tx.objectStore("skills").put({ name: n, files: [{ path: "SKILL.md", data: md(n) }, { path: "scripts/x.py", data: new Uint8Array([0, 255, 10]) }], created: 1, updated: 2 });
          }
          tx.objectStore("drafts").put({ id: "new", editing: null, text: "draft text", updated: 3 });
          tx.objectStore("settings").put({ key: "theme", value: "dark" });
          tx.oncomplete = () => { db.close(); done(db.version); };
        };"#,
    );
    assert_eq!(created, 1);
    s.open("/my/");
    assert_eq!(s.listed().len(), 3);
    let after = s.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = async () => {
          const db = open.result;
          const all = (store) => new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
          const skills = await all("skills");
          done({
            version: db.version,
            stores: [...db.objectStoreNames].sort(),
            skills: skills.map((s) => [s.name, s.files.length, Array.from(s.files[1].data)]),
            drafts: (await all("drafts")).map((d) => d.text),
            settings: (await all("settings")).map((d) => d.value),
          });
          db.close();
        };"#,
    );
    assert_eq!(after["version"], 2);
    assert_eq!(after["stores"], serde_json::json!(["conversations", "drafts", "messages", "meta", "secrets", "settings", "skills", "traces"]));
    assert_eq!(after["skills"], serde_json::json!([["old-one", 2, [0, 255, 10]], ["old-three", 2, [0, 255, 10]], ["old-two", 2, [0, 255, 10]]]));
    assert_eq!(after["drafts"], serde_json::json!(["draft text"]));
    assert_eq!(after["settings"], serde_json::json!(["dark"]));
    s.no_console_errors();
}

/// The site's pages (the shelves, the category counts, the search box) only
/// read the user's skills: a visitor who never saved one gets no database,
/// an older database is read as it is (the workbench upgrades it), and the
/// read does not keep it open, so another tab's upgrade is never blocked.
#[test]
fn the_site_pages_read_the_users_skills_without_creating_or_upgrading_the_database() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let databases = "const done = arguments[arguments.length - 1]; indexedDB.databases().then((list) => done(list.map((d) => d.name)));";
    // No skills: the category counts and the search box (which layers the
    // user's skills in before its first results) find none, and create nothing.
    s.open("/");
    s.browser.type_into("#search-input", "csv");
    s.browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 30);
    s.open("/categories/writing/");
    s.browser.wait_for("document.querySelector('[data-component^=UserSkillsShelf]')", 5);
    assert_eq!(s.browser.eval_async(databases), serde_json::json!([]), "no database for a visitor without skills");

    // A database of version 1 with one skill in `writing`, written before the shelves read it.
    let created = s.browser.eval_async(
        r##"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos", 1);
        open.onupgradeneeded = () => open.result.createObjectStore("skills", { keyPath: "name" });
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction("skills", "readwrite");
          const md = new TextEncoder().encode("---\nname: old-notes\ndescription: Kept from version 1.\ncategory: writing\n---\n# Notes\n");
          const fields = { name: "old-notes", description: "Kept from version 1.", category: "writing", type: null, keywords: [], body: "# Notes" };
          tx.objectStore("skills").put({ name: "old-notes", files: [{ path: "SKILL.md", data: md }], created: 1, updated: 2, fields });
          tx.oncomplete = () => { db.close(); done(db.version); };
        };"##,
    );
    assert_eq!(created, 1);
    s.open("/categories/writing/");
    s.browser.wait_for("document.querySelector('#user-shelf a[href=\"/my/skill/?name=old-notes\"]')", 30);
    // Read as it is, and closed: this page can upgrade it without being blocked.
    let upgraded = s.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const check = indexedDB.open("llmos");
        check.onsuccess = () => {
          const version = check.result.version;
          check.result.close();
          const open = indexedDB.open("llmos", 7);
          open.onblocked = () => done({ version, blocked: true });
          open.onsuccess = () => { open.result.close(); done({ version, blocked: false }); };
          open.onerror = () => done({ version, error: String(open.error) });
        };"#,
    );
    assert_eq!(upgraded, serde_json::json!({ "version": 1, "blocked": false }));
    s.no_console_errors();
}

#[test]
fn a_full_disk_gives_a_clear_message_and_writes_nothing() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    // Incompressible bytes, far over the quota set below.
    let mut noise = Vec::with_capacity(4 << 20);
    let mut x: u64 = 0x9e3779b97f4a7c15;
    while noise.len() < 4 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    let entries: Vec<(&str, &[u8])> = vec![
        ("small-one/SKILL.md", b"---\nname: small-one\ndescription: Small.\n---\n".as_slice()),
        ("big-one/SKILL.md", b"---\nname: big-one\ndescription: Big.\n---\n".as_slice()),
        ("big-one/assets/noise.bin", &noise),
    ];
    let zip_path = work.path().join("big.zip");
    std::fs::write(&zip_path, llmos_core::zip::write_zip(&entries)).unwrap();

    s.open("/my/");
    assert!(s.listed().is_empty());
    let origin = s.server.url("/").trim_end_matches('/').to_string();
    s.browser.cdp("Storage.overrideQuotaForOrigin", serde_json::json!({ "origin": origin, "quotaSize": 1_000_000 }));
    s.browser.choose_files("#import-files", &[&zip_path]);
    let status = s.status_text();
    assert!(status.contains("storage for this site (or the disk) is full") && status.contains("nothing was saved"), "{status}");
    s.open("/my/");
    assert!(s.listed().is_empty(), "neither skill of the failed import was written");
}
