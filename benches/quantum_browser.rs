//! The quantum runtime in headless Chromium: `cargo bench --bench quantum_browser`
//!
//! Builds a site of `type: qasm` skills (an H layer plus a CX chain, and the
//! quantum Fourier transform, at 16, 20, 22 and 24 qubits, or
//! LLMOS_BENCH_QUBITS), opens each skill's page and times, in the page, the
//! click on Run to the outputs shown (1,024 shots): parsing, simulating,
//! sampling and the result's trip back from the sandbox's worker, with the
//! runtime's module already loaded by a first run. Issue 16's target: 24
//! qubits ≤ 4 s in the browser. Anchor in the same run: `llmos quantum` of
//! the same file natively (process start included); the simulator alone is
//! `cargo bench -p llmos-core --bench quantum_speed`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::server::StaticServer;
use common::webdriver::Browser;
use std::fmt::Write;
use std::time::Instant;

fn h_layer_cx_chain(n: usize) -> String {
    let mut qasm = format!("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[{n}];\n");
    (0..n).for_each(|q| writeln!(qasm, "h q[{q}];").unwrap());
    (0..n - 1).for_each(|q| writeln!(qasm, "cx q[{q}],q[{}];", q + 1).unwrap());
    qasm
}

fn qft(n: usize) -> String {
    let mut qasm = format!("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[{n}];\n");
    for target in (0..n).rev() {
        writeln!(qasm, "h q[{target}];").unwrap();
        for control in (0..target).rev() {
            writeln!(qasm, "cp(pi/{}) q[{control}],q[{target}];", 1u64 << (target - control)).unwrap();
        }
    }
    (0..n / 2).for_each(|q| writeln!(qasm, "swap q[{q}],q[{}];", n - 1 - q).unwrap());
    qasm
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LLMOS_BENCH_QUBITS").ok().map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect()).unwrap_or_else(|| vec![16, 20, 22, 24]);
    let tmp = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for &n in &sizes {
        for (kind, qasm) in [("hcx", h_layer_cx_chain(n)), ("qft", qft(n))] {
            let name = format!("{kind}-{n}");
            let dir = tmp.path().join("skills").join(&name);
            std::fs::create_dir_all(dir.join("scripts")).unwrap();
            std::fs::write(dir.join("scripts/circuit.qasm"), qasm).unwrap();
            let md = format!("---\nname: {name}\ndescription: Benchmark circuit {name}.\ntype: qasm\ninputs:\n  - name: shots\n    type: integer\n    default: 1024\n  - name: seed\n    type: integer\n    default: 1\noutputs:\n  - name: most_likely\n    type: table\n---\n# {name}\n");
            std::fs::write(dir.join("SKILL.md"), md).unwrap();
            names.push((n, kind, name));
        }
    }
    std::fs::write(tmp.path().join("llmos.toml"), "skills_dirs = [\"skills\"]\n[run]\ntime_limit = 120\n").unwrap();
    let built = common::llmos(tmp.path(), &["build", "--quiet", "--out", "site"]);
    assert!(built.ok, "{}", built.stderr);
    let server = StaticServer::start_cached(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    println!("quantum_browser (headless Chromium, click on Run to outputs shown, 1,024 shots; one run after a warm-up):");
    for (n, kind, name) in names {
        browser.goto(&server.url(&format!("/skills/{name}/")));
        browser.wait_for("document.querySelector('[data-runner=ready] .run-panel')", 30);
        // The first run also fetches and compiles the runtime's module.
        let (first, state) = common::click_run_and_time(&browser);
        assert_eq!(state, "done", "{name}: {}", browser.eval("return document.querySelector('.run-panel').innerText"));
        let (timed, state) = common::click_run_and_time(&browser);
        assert_eq!(state, "done", "{name}");
        let started = Instant::now();
        let native = common::llmos(tmp.path(), &["quantum", &format!("skills/{name}/scripts/circuit.qasm"), "--seed", "1"]);
        let native_ms = started.elapsed().as_secs_f64() * 1e3;
        assert!(native.ok, "{}", native.stderr);
        let label = if kind == "qft" { "QFT" } else { "H layer + CX chain" };
        println!(
            "  {n:2} qubits, {label:18}: browser {:8.1} ms (first run {:8.1} ms) | anchor llmos quantum {native_ms:8.1} ms | {} MiB of amplitudes",
            timed,
            first,
            (16usize << n) >> 20
        );
    }
}
