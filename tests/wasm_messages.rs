//! Messages the browser shows name the values they are about.
//!
//! The WebAssembly bundles are built with `-Zfmt-debug=none`
//! (scripts/lib/wasm.sh): every `{:?}` prints nothing there, so a message
//! such as "`voltage` must be a number, got {:?}" reached the Run panel as
//! "… got " (found by a new user). Code compiled into a bundle therefore
//! formats user-facing values with `llmos_core::quoted` or `{}`, never
//! `{:?}`; assertions and panics, which never reach the page, may.

use std::path::Path;

/// The crates compiled into a browser bundle or kit.
const BROWSER_CRATES: &[&str] = &["app/src", "islands/src", "searchkit/src", "skillkit/src", "runner/src", "evolution/src", "sync/src", "quantum/src"];

#[test]
fn code_in_the_browser_bundles_formats_no_message_with_debug() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    let mut files = 0;
    for dir in BROWSER_CRATES {
        let mut stack = vec![root.join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy();
            if path.extension().is_none_or(|e| e != "rs") || name == "tests.rs" || path.components().any(|c| c.as_os_str() == "tests") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                // A file's unit tests come last, after `#[cfg(test)]`.
                if line.trim_start().starts_with("#[cfg(test)]") {
                    break;
                }
                let code = line.split("//").next().unwrap_or_default();
                let debug = code.contains(":?}") || code.contains(":#?}");
                let never_shown = ["assert", "panic!(", "unreachable!(", "expect(", "dbg!("].iter().any(|m| code.contains(m));
                if debug && !never_shown {
                    found.push(format!("{}:{}: {}", path.strip_prefix(root).unwrap().display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(files > 100, "the crates' sources were not found under {}", root.display());
    assert!(found.is_empty(), "`{{:?}}` prints nothing in the browser bundles (-Zfmt-debug=none): use llmos_core::quoted(…) or `{{}}` in\n{}", found.join("\n"));
}
