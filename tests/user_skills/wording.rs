//! The workbench speaks the user's language (issue 11, item 6): a new
//! skill starts from examples, not text to delete; the editor's problems
//! sit at the field they concern, summed up beside Save, and never name a
//! folder the user did not make; import errors name the file the user chose.

use super::*;

/// What the editor shows about the field `id`: (aria-invalid, the text of
/// the message it is described by, whether that message is on screen).
fn field_state(s: &Site, id: &str) -> serde_json::Value {
    s.browser.eval(&format!(
        "const f = document.getElementById({id:?}); const m = f && document.getElementById(f.getAttribute('aria-describedby') || '-'); \
         return [f && f.getAttribute('aria-invalid'), m && m.textContent, !!m && m.getBoundingClientRect().bottom <= innerHeight && m.getBoundingClientRect().height > 0];"
    ))
}

#[test]
fn a_new_skill_form_shows_placeholders_not_text_to_delete() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#skill-name')", 20);
    let fields = s.browser.eval("return ['skill-name', 'skill-description', 'skill-category', 'skill-keywords', 'skill-body'].map((id) => { const f = document.getElementById(id); return [id, f.value, f.placeholder !== '']; });");
    for field in fields.as_array().unwrap() {
        assert_eq!(field[1], "", "{} starts empty: {field}", field[0]);
        assert_eq!(field[2], true, "{} shows an example as a placeholder: {field}", field[0]);
    }
    // Nothing is marked wrong before the user has typed.
    assert_eq!(s.browser.eval("return document.querySelectorAll('[aria-invalid=\"true\"]').length;"), 0);
    s.set_field("#skill-name", "tea-timer");
    s.set_field("#skill-description", "Times tea. Use when brewing.");
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved tea-timer"));
    s.no_console_errors();
}

#[test]
fn editor_problems_show_at_their_field_in_the_users_terms() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#skill-name')", 20);
    s.set_field("#skill-name", "CSV to Markdown");
    s.set_field("#skill-description", "Turns CSV into tables.");

    // A warning sits at its field, which stays valid, and names no folder.
    s.browser.wait_for("document.querySelector('#skill-name-problems')", 10);
    let name = field_state(&s, "skill-name");
    assert_ne!(name[0], "true", "a warning does not block: {name}");
    assert!(name[1].as_str().is_some_and(|t| t.contains("csv-to-markdown")) && name[2] == true, "the name's warning is at the name: {name}");
    let text = s.browser.eval("return document.querySelector('.editor').innerText;").as_str().unwrap().to_string();
    assert!(!text.contains("SKILL.md:") && !text.contains("folder"), "{text}");

    // An error marks its field, with its message under it, on screen.
    s.set_field("#skill-description", "");
    s.browser.wait_for("document.querySelector('#skill-description[aria-invalid=\"true\"]')", 10);
    let description = field_state(&s, "skill-description");
    assert!(description[1].as_str().is_some_and(|t| t.contains("empty")) && description[2] == true, "{description}");

    // The summary is beside Save, above the fields, and names the field.
    let summary = s.browser.eval(
        "const d = document.querySelector('#diagnostics'); const r = d.getBoundingClientRect(); \
         return [d.textContent, r.top < document.querySelector('#skill-name').getBoundingClientRect().top && r.bottom <= innerHeight];",
    );
    assert!(summary[0].as_str().is_some_and(|t| t.contains("Description")) && summary[1] == true, "{summary}");

    // Saving is refused, pointing at the marked field.
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Fix"));

    // As text, problems are placed by line, and the text area is marked.
    s.browser.click("#mode-raw");
    s.browser.wait_for("document.querySelector('#skill-raw[aria-invalid=\"true\"]')", 10);
    let raw = s.browser.eval("return document.querySelector('#diagnostics').textContent;").as_str().unwrap().to_string();
    assert!(raw.contains("Line 3") && !raw.contains("SKILL.md:") && !raw.contains("folder"), "{raw}");
    s.no_console_errors();
}

#[test]
fn import_errors_name_the_file_the_user_chose() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    let work = tempfile::tempdir().unwrap();
    let bad = b"---\nname: broken\ndescription: [unclosed\n---\n".as_slice();

    // One Markdown file.
    let broken = work.path().join("broken.md");
    std::fs::write(&broken, bad).unwrap();
    s.open("/my/");
    s.listed();
    s.browser.choose_files("#import-files", &[&broken]);
    let status = s.status_text();
    assert!(status.contains("broken.md:") && !status.contains("SKILL.md"), "{status}");

    // A folder: its name, and the path inside it.
    let picked = work.path().join("picked");
    for (dir, text) in [("good", b"---\nname: good\ndescription: Fine.\n---\n".as_slice()), ("bad", bad)] {
        std::fs::create_dir_all(picked.join(dir)).unwrap();
        std::fs::write(picked.join(dir).join("SKILL.md"), text).unwrap();
    }
    s.open("/my/");
    s.browser.choose_files("#import-folder", &[&picked]);
    let status = s.status_text();
    assert!(status.contains("picked/bad/SKILL.md:") && !status.contains("good/"), "{status}");

    // A zip: the zip, then the path inside it.
    let zip = work.path().join("mixed.zip");
    std::fs::write(&zip, llmos_core::zip::write_zip(&[("bad-yaml/SKILL.md", bad)])).unwrap();
    s.open("/my/");
    s.browser.choose_files("#import-files", &[&zip]);
    let status = s.status_text();
    assert!(status.contains("mixed.zip/bad-yaml/SKILL.md:"), "{status}");
    s.open("/my/");
    assert!(s.listed().is_empty(), "nothing was written");
}
