//! The browser's Markdown renderer on arbitrary text: the HTML has no
//! script element, event handler or script URL, and streaming the text in
//! pieces (cut where the first input byte says) renders the same HTML as
//! rendering it whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llmos_core::{render_safe, IncrementalMarkdown};

fuzz_target!(|data: &[u8]| {
    let Some((&step, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let html = render_safe(&text);
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script element in {html}");
    assert!(!lower.contains("href=\"javascript:"), "script URL in {html}");

    // Pieces of 1 to 256 bytes, moved to character boundaries.
    let step = usize::from(step) + 1;
    let mut md = IncrementalMarkdown::new();
    let mut at = 0;
    while at < text.len() {
        let mut cut = (at + step).min(text.len());
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        md.push(&text[at..cut]);
        at = cut;
    }
    md.finish();
    assert_eq!(md.html(), html);
});
