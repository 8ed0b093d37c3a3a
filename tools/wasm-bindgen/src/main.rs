//! `llmos-wasm-bindgen INPUT.wasm OUT_DIR`
//!
//! Turns the raw islands module into what browsers load: wasm-bindgen's JS
//! glue for `--target web`, the name section removed (it is most of the raw
//! size). Writes `llmos_islands.js` and `llmos_islands_bg.wasm` into OUT_DIR
//! and prints raw and gzipped sizes. Content hashing happens when `llmos
//! build` writes the site, so the hash covers exactly what is published.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out] = &args[..] else {
        eprintln!("usage: llmos-wasm-bindgen INPUT.wasm OUT_DIR");
        return ExitCode::FAILURE;
    };
    let out = PathBuf::from(out);
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen.input_path(input).web(true).expect("web target").remove_name_section(true).remove_producers_section(true).typescript(false).out_name("llmos_islands");
    if let Err(error) = bindgen.generate(&out) {
        eprintln!("wasm-bindgen failed on {input}: {error:#}");
        return ExitCode::FAILURE;
    }
    let mut total_raw = 0;
    let mut total_gzip = 0;
    for name in ["llmos_islands.js", "llmos_islands_bg.wasm"] {
        let bytes = std::fs::read(out.join(name)).expect("wasm-bindgen wrote it");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&bytes).unwrap();
        let gzip = encoder.finish().unwrap().len();
        println!("{name}: {:.1} kB raw, {:.1} kB gzipped", bytes.len() as f64 / 1000.0, gzip as f64 / 1000.0);
        total_raw += bytes.len();
        total_gzip += gzip;
    }
    println!("islands bundle: {:.1} kB raw, {:.1} kB gzipped", total_raw as f64 / 1000.0, total_gzip as f64 / 1000.0);
    ExitCode::SUCCESS
}
