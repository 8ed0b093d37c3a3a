//! `llmos-wasm-bindgen INPUT.wasm OUT_DIR [NAMED_DIR]`, or
//! `llmos-wasm-bindgen --sizes OUT_DIR` to print the sizes only.
//!
//! Turns the raw islands module into what browsers load: wasm-bindgen's JS
//! glue for `--target web`, the name section removed (it is most of the raw
//! size). Writes `llmos_islands.js` and `llmos_islands_bg.wasm` into OUT_DIR
//! and prints raw and gzipped sizes. Content hashing happens when `llmos
//! build` writes the site, so the hash covers exactly what is published.
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
        if let Err(error) = bindgen.generate(dir) {
            eprintln!("wasm-bindgen failed on {input}: {error:#}");
            return ExitCode::FAILURE;
        }
    }
    print_sizes(&out);
    ExitCode::SUCCESS
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
