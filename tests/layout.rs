//! Every page type at phone and tablet widths: nothing is wider than the
//! screen (issue 11, item 1). The kind guarded: a header, a code block, a
//! table or a form field that pushes the page past the viewport, so text
//! runs off the right edge and the page scrolls sideways.

mod common;

use common::server::StaticServer;
use common::webdriver::Browser;
use common::*;
use serde_json::json;

/// The pages of every type the site makes (the chat and the user's pages
/// included), and the docs pages reported with wide code blocks and tables.
const PAGES: &[(&str, bool)] = &[
    ("", true), ("skills/", true), ("skills/bell-state/", false), ("skills/csv-analysis/", false), ("categories/", false),
    ("categories/quantum/", true), ("tags/", false), ("tags/csv/", false), ("docs/", false), ("docs/getting-started/", false),
    ("docs/skill-format/", false), ("docs/chat/", false), ("docs/configuration/", false), ("search/?q=csv", true), ("my/", true),
    ("my/edit/", true), ("my/skill/?name=nothing", true), ("chat/", true), ("my/traces/", true), ("my/evolution/", true), ("my/sync/", true), ("404.html", false),
    ("skills/bell-state/SKILL.md.html", true), ("skills/csv-analysis/scripts/main.py.html", true), ("sources/", false), ("docs/taking-a-skill/", false),
];

const WIDTHS: &[u32] = &[320, 390, 768];

/// Elements whose box leaves the viewport without a scrolling ancestor to
/// hold them (a wide table inside `overflow-x: auto` is fine).
/// Closed `<details>` (the install commands, the safety review) are opened
/// first, so what they hold is measured too.
const OVERFLOW: &str = r#"
document.querySelectorAll('details').forEach((d) => { d.open = true; });
const vw = document.documentElement.clientWidth;
const offenders = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || el.closest('.skip, .visually-hidden')) continue;
  if (r.right <= vw + 1 && r.left >= -1) continue;
  let p = el.parentElement, held = false;
  while (p && p !== document.body) {
    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) { held = true; break; }
    p = p.parentElement;
  }
  if (!held) offenders.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} right=${Math.round(r.right)}`);
}
return { scrollWidth: document.documentElement.scrollWidth, viewport: vw, offenders: offenders.slice(0, 8) };
"#;

#[test]
fn no_page_is_wider_than_a_phone_or_tablet_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    // A Python skill's Run panel lists the files it keeps: one with a long name.
    browser.goto(&server.url("/skills/csv-analysis/"));
    let seeded = browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        navigator.storage.getDirectory().then(async (root) => {
          let dir = root;
          for (const name of ["runs", "csv-analysis", "files", "reports"]) dir = await dir.getDirectoryHandle(name, { create: true });
          const writable = await (await dir.getFileHandle("quarterly-sales-figures-for-every-region-and-every-product-line-2026.csv", { create: true })).createWritable();
          await writable.write("region,total\n");
          await writable.close();
          done(true);
        }, (e) => done(String(e)));"#,
    );
    assert_eq!(seeded, true, "{seeded}");
    let mut failures = Vec::new();
    for &width in WIDTHS {
        browser.cdp("Emulation.setDeviceMetricsOverride", json!({ "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": true }));
        for &(page, with_islands) in PAGES {
            browser.goto(&server.url(&format!("/{page}")));
            browser.wait_for("document.readyState === 'complete'", 10);
            if with_islands {
                browser.wait_for("document.documentElement.dataset.islands === 'hydrated'", 30);
            }
            if page == "skills/csv-analysis/" {
                browser.wait_for("document.querySelector('[data-runner=ready] [data-kept-file]')", 30);
            }
            let layout = browser.eval(OVERFLOW);
            let (scroll, viewport) = (layout["scrollWidth"].as_u64().unwrap(), layout["viewport"].as_u64().unwrap());
            if scroll > viewport || !layout["offenders"].as_array().unwrap().is_empty() {
                failures.push(format!("/{page} at {width} px: page {scroll} px wide for {viewport} px; {}", layout["offenders"]));
            }
        }
    }
    assert!(failures.is_empty(), "pages wider than the screen:\n{}", failures.join("\n"));
}
