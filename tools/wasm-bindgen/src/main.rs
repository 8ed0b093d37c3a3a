//! `llmos-wasm-bindgen INPUT.wasm OUT_DIR [NAMED_DIR]`, or
//! `llmos-wasm-bindgen --sizes OUT_DIR` to print the sizes only.
//!
//! Turns the raw islands module into what browsers load: wasm-bindgen's JS
//! glue for `--target web`, the name section removed (it is most of the raw
//! size). Writes `llmos_islands.js` and `llmos_islands_bg.wasm` into OUT_DIR
//! and prints raw and gzipped sizes. Content hashing happens when `llmos
//! build` writes the site, so the hash covers exactly what is published.
//!
//! Classes that a dependency exports but nothing constructs are dropped
//! (see [`prune_unused_classes`]): wasm_streams, which Leptos links through
//! server_fn, exports three, and their code is in every bundle otherwise.
//!
//! With NAMED_DIR, the same output is also written there with its name
//! section kept, for `scripts/bundle-sizes.sh` to say where the bytes go
//! (the compiler's module holds wasm-bindgen's descriptor functions, which
//! the published one does not).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, out] = &args[..] {
        if flag == "--sizes" {
            print_sizes(std::path::Path::new(out));
            return ExitCode::SUCCESS;
        }
    }
    let (input, out, named) = match &args[..] {
        [input, out] => (input, out, None),
        [input, out, named] => (input, out, Some(named)),
        _ => {
            eprintln!("usage: llmos-wasm-bindgen INPUT.wasm OUT_DIR [NAMED_DIR]");
            return ExitCode::FAILURE;
        }
    };
    let out = PathBuf::from(out);
    let targets = [Some((out.as_path(), true)), named.map(|dir| (std::path::Path::new(dir.as_str()), false))];
    for (dir, remove_names) in targets.into_iter().flatten() {
        let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
        bindgen.input_path(input).web(true).expect("web target").remove_name_section(remove_names).remove_producers_section(true).typescript(false).out_name("llmos_islands");
        let written = bindgen.generate_output().and_then(|mut output| {
            let js_unused = prune_unused_classes(&mut output);
            let renamed = shorten_import_names(&mut output);
            output.emit(dir)?;
            // The emitted glue still defines the pruned classes: cut them out.
            let js_path = dir.join("llmos_islands.js");
            let js = std::fs::read_to_string(&js_path)?;
            let js = rename_js_imports(&remove_js_classes(&js, &js_unused), &renamed)?;
            std::fs::write(&js_path, js)?;
            Ok(())
        });
        if let Err(error) = written {
            eprintln!("wasm-bindgen failed on {input}: {error:#}");
            return ExitCode::FAILURE;
        }
    }
    print_sizes(&out);
    ExitCode::SUCCESS
}

/// Exported classes of dependencies that no bundle constructs: wasm_streams's
/// adapters from Rust streams to JavaScript ones, used by server_fn's browser
/// client, which LLMos (no server) never calls.
const UNUSED_CLASSES: [&str; 3] = ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"];

/// Removes the wasm exports of [`UNUSED_CLASSES`] that Rust never hands to
/// JavaScript (the glue has no `Class.__wrap` for them: only Rust can create
/// one), then collects the code only they reached. Returns the classes
/// removed, whose JavaScript the caller cuts from the glue.
fn prune_unused_classes(output: &mut wasm_bindgen_cli_support::Output) -> Vec<&'static str> {
    let removed: Vec<&str> = UNUSED_CLASSES.into_iter().filter(|class| output.js().contains(&format!("export class {class} {{")) && !output.js().contains(&format!("{class}.__wrap"))).collect();
    if removed.is_empty() {
        return removed;
    }
    let module = output.wasm_mut();
    let prefixes: Vec<String> = removed.iter().flat_map(|class| [format!("{}_", class.to_lowercase()), format!("__wbg_{}_free", class.to_lowercase())]).collect();
    let dead: Vec<_> = module.exports.iter().filter(|export| prefixes.iter().any(|p| export.name.starts_with(p.as_str()))).map(|export| export.id()).collect();
    for id in dead {
        module.exports.delete(id);
    }
    walrus::passes::gc::run(module);
    removed
}

/// The module the glue's imports come from (`out_name` "llmos_islands").
const GLUE_MODULE: &str = "./llmos_islands_bg.js";

/// Gives every import from the glue a short name (`a`, `b`, … `a0`, …):
/// wasm-bindgen names each `__wbg_<function>_<16 hex digits>`, and as the
/// name is written twice (the module's import section and the glue's
/// imports object) and the hashes do not compress, the names are about
/// 4 kB of every bundle's gzipped size. Returns (old name, new name) for
/// [`rename_js_imports`].
fn shorten_import_names(output: &mut wasm_bindgen_cli_support::Output) -> Vec<(String, String)> {
    let mut renamed = Vec::new();
    for import in output.wasm_mut().imports.iter_mut().filter(|import| import.module == GLUE_MODULE) {
        let short = short_name(renamed.len());
        renamed.push((std::mem::replace(&mut import.name, short.clone()), short));
    }
    renamed
}

/// The `n`th short name: a letter, then letters and digits (never a
/// JavaScript keyword: none is one or two characters long but `do`, `if`
/// and `in`, which are valid property names anyway).
fn short_name(mut n: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut name = vec![FIRST[n % FIRST.len()]];
    n /= FIRST.len();
    while n > 0 {
        n -= 1;
        name.push(REST[n % REST.len()]);
        n /= REST.len();
    }
    String::from_utf8(name).expect("ASCII")
}

/// The glue `js` with the keys of its imports object renamed as the module's
/// imports were. Each old name must be there exactly once, as a key (`name:`
/// at the start of a line), or the glue and the module would disagree: that
/// fails the build rather than publish a bundle that cannot start.
fn rename_js_imports(js: &str, renamed: &[(String, String)]) -> std::io::Result<String> {
    let names: std::collections::HashMap<&str, &str> = renamed.iter().map(|(old, new)| (old.as_str(), new.as_str())).collect();
    let mut found = 0;
    let mut out = String::with_capacity(js.len());
    for line in js.split_inclusive('\n') {
        let key = line.trim_start().split(':').next().unwrap_or_default();
        match names.get(key) {
            Some(new) if line.trim_start().starts_with(&format!("{key}: ")) => {
                found += 1;
                out.push_str(&line.replacen(key, new, 1));
            }
            _ => out.push_str(line),
        }
    }
    if found != renamed.len() {
        return Err(std::io::Error::other(format!("the glue's imports object has {found} of the module's {} imports; the glue's layout changed (wasm-bindgen upgraded?)", renamed.len())));
    }
    Ok(out)
}

/// `js` without the class definitions of `classes` and their finalization
/// registries (the blocks wasm-bindgen writes for an exported class).
fn remove_js_classes(js: &str, classes: &[&str]) -> String {
    let mut out = String::with_capacity(js.len());
    let mut lines = js.lines();
    while let Some(line) = lines.next() {
        let class = classes.iter().find(|class| line == format!("export class {class} {{") || line == format!("const {class}Finalization = (typeof FinalizationRegistry === 'undefined')"));
        match class {
            // A class ends with the line that gives it `Symbol.dispose`.
            Some(class) if line.starts_with("export class") => {
                let end = format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose]");
                for line in lines.by_ref() {
                    if line.starts_with(&end) {
                        break;
                    }
                }
            }
            // A registry is one statement over three lines.
            Some(_) => {
                for line in lines.by_ref() {
                    if line.ends_with(';') {
                        break;
                    }
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Prints the raw and gzipped sizes of the two files of a bundle in `out`,
/// gzip at its best level (flate2), as tests/site.rs measures them.
fn print_sizes(out: &std::path::Path) {
    let mut total_raw = 0;
    let mut total_gzip = 0;
    for name in ["llmos_islands.js", "llmos_islands_bg.wasm"] {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{}: {e}", out.join(name).display()));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&bytes).unwrap();
        let gzip = encoder.finish().unwrap().len();
        println!("{name}: {:.1} kB raw, {:.1} kB gzipped", bytes.len() as f64 / 1000.0, gzip as f64 / 1000.0);
        total_raw += bytes.len();
        total_gzip += gzip;
    }
    println!("islands bundle: {:.1} kB raw, {:.1} kB gzipped ({total_gzip} bytes)", total_raw as f64 / 1000.0, total_gzip as f64 / 1000.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..20_000).map(short_name).collect();
        assert_eq!(names[..3], ["a", "b", "c"]);
        assert_eq!(names.iter().collect::<std::collections::HashSet<_>>().len(), names.len());
        assert!(names.iter().all(|n| n.as_bytes()[0].is_ascii_alphabetic() && n.bytes().all(|b| b.is_ascii_alphanumeric())));
    }

    #[test]
    fn the_glue_keys_are_renamed_or_the_build_fails() {
        let js = "const import0 = {\n        __proto__: null,\n        __wbg_now_0123456789abcdef: function() {\n            return Date.now();\n        },\n        __wbg_get_fedcba9876543210: function(arg0) { return __wbg_now_0123456789abcdef; },\n    };\n";
        let renamed = [("__wbg_now_0123456789abcdef".to_string(), "a".to_string()), ("__wbg_get_fedcba9876543210".to_string(), "b".to_string())];
        let out = rename_js_imports(js, &renamed).unwrap();
        assert!(out.contains("        a: function() {\n") && out.contains("        b: function(arg0)"), "{out}");
        // Only keys: a name elsewhere in the glue is left as it is.
        assert!(out.contains("return __wbg_now_0123456789abcdef;"), "{out}");
        let missing = [("__wbg_gone_0000000000000000".to_string(), "c".to_string())];
        assert!(rename_js_imports(js, &missing).is_err(), "a module import the glue does not define fails the build");
    }
}
