// Tests of llmos_quantum.js. Run from the repository root:
//   node app/src/quantum/test_llmos_quantum.mjs
// The module is loaded as the sandbox loads it, as a classic script; the
// runtime is replaced by a fake `globalThis.__llmos_quantum_run`, and by a
// fake `llmos` executable for the Node path.
import assert from "node:assert/strict";
import { test } from "node:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
vm.runInThisContext(fs.readFileSync(path.join(here, "llmos_quantum.js"), "utf8"), { filename: "llmos_quantum.js" });
const { QuantumCircuit, Gate, QuantumError, run } = globalThis.llmos_quantum;

// Answers as the runtime would for the few circuits used here, recording the requests.
function fake(answer) {
  const requests = [];
  globalThis.__llmos_quantum_run = (text) => {
    requests.push(JSON.parse(text));
    return typeof answer === "function" ? answer(JSON.parse(text)) : answer;
  };
  return requests;
}

const BELL_RESPONSE = {
  counts: { "00": 510, "11": 514 }, shots: 1024, seed: 7, qubits: 2, clbits: 2,
  most_likely: [{ outcome: "11", count: 514, probability: 0.502 }, { outcome: "00", count: 510, probability: 0.498 }],
  probabilities: { "00": 0.5, "11": 0.5 }, amplitudes: { "00": [0.7071067811865476, 0], "11": [0.7071067811865476, 0] },
  histogram: "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", circuit: "q_0: ─H─■─",
};

test("the module defines llmos_quantum and nothing else", () => {
  assert.ok(Object.isFrozen(globalThis.llmos_quantum));
  assert.deepEqual(Object.keys(globalThis.llmos_quantum).sort(), ["Gate", "QuantumCircuit", "QuantumError", "run"]);
  for (const name of ["RESERVED", "angle", "backend", "nodeRequire"]) assert.equal(name in globalThis, false, name);
});

test("a Bell circuit is written as Qiskit writes OpenQASM 2", () => {
  const qc = new QuantumCircuit(2, 2);
  assert.equal(qc.h(0), qc, "methods chain");
  qc.cx(0, 1).measure([0, 1], [0, 1]);
  assert.equal(qc.qasm(), 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q[0] -> c[0];\nmeasure q[1] -> c[1];\n');
  assert.equal(qc.num_qubits, 2);
  assert.equal(qc.num_clbits, 2);
});

test("parameterised gates write their angles as the Python module does", () => {
  const qc = new QuantumCircuit(3);
  qc.rx(0.5, 0).ry(Math.PI, 1).rz(-0.25, 2).p(1, 0).u(0.1, 0.2, 0.3, 1);
  qc.cp(Math.PI / 8, 0, 2).crx(1e-7, 1, 0).cry("pi/2", 2, 1).crz("2*theta", 0, 1);
  assert.deepEqual(qc.qasm().split("\n").slice(3, -1), [
    "rx(0.5) q[0];", "ry(3.141592653589793) q[1];", "rz(-0.25) q[2];", "p(1.0) q[0];", "u(0.1,0.2,0.3) q[1];",
    "cp(0.39269908169872414) q[0],q[2];", "crx(1.0e-07) q[1],q[0];", "cry(pi/2) q[2],q[1];", "crz(2*theta) q[0],q[1];",
  ]);
  assert.ok(!qc.qasm().includes("creg"));
});

test("numbers are written as Python's repr writes them, with a decimal point", () => {
  const cases = [[0.5, "0.5"], [1, "1.0"], [-0, "-0.0"], [0, "0.0"], [1e-7, "1.0e-07"], [1.5e-7, "1.5e-07"], [0.0001, "0.0001"],
    [0.00001, "1.0e-05"], [123456789, "123456789.0"], [1e15, "1000000000000000.0"], [1e16, "1.0e+16"], [-2.5e-12, "-2.5e-12"],
    [1.7976931348623157e308, "1.7976931348623157e+308"], [5e-324, "5.0e-324"], [Math.PI, "3.141592653589793"], [-12.75, "-12.75"]];
  for (const [value, text] of cases) {
    assert.equal(new QuantumCircuit(1).p(value, 0).qasm().split("\n")[3], `p(${text}) q[0];`, String(value));
  }
});

test("every gate method writes its qelib1 name", () => {
  const qc = new QuantumCircuit(3, 1);
  for (const name of ["id", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx"]) qc[name](1);
  qc.cx(0, 1).cy(0, 1).cz(0, 1).ch(0, 1).swap(0, 2).ccx(0, 1, 2).cswap(2, 0, 1);
  qc.barrier().barrier(0, 2).reset(1).measure(2, 0);
  const names = qc.qasm().trim().split("\n").slice(4).map((line) => line.split(/[ (]/)[0]);
  assert.deepEqual(names, ["id", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "cx", "cy", "cz", "ch",
    "swap", "ccx", "cswap", "barrier", "barrier", "reset", "measure"]);
  assert.ok(qc.qasm().includes("barrier q[0],q[1],q[2];\nbarrier q[0],q[2];\nreset q[1];\nmeasure q[2] -> c[0];"));
  assert.ok(qc.qasm().includes("cswap q[2],q[0],q[1];"));
});

test("indices are checked and errors name the gate and the index", () => {
  const qc = new QuantumCircuit(2, 1);
  const cases = [
    [() => qc.h(2), "h: qubit index 2 is out of range; the circuit has 2 qubits (0 to 1)"],
    [() => qc.cx(0, -1), "cx: qubit index -1 is out of range"],
    [() => qc.cx(1, 1), "cx: qubit 1 is used twice"],
    [() => qc.x(1.5), "x: the qubit index 1.5 is not a whole number"],
    [() => qc.x("0"), 'x: the qubit index "0" is not a whole number'],
    [() => qc.measure(0, 1), "measure: classical bit index 1 is out of range; the circuit has 1 classical bits"],
    [() => qc.measure([0, 1], [0]), "measure: 2 qubits but 1 classical bits"],
    [() => qc.rx(NaN, 0), "rx: the angle NaN is not a finite number"],
    [() => qc.rx("pi; x q[0]", 0), 'rx: the angle "pi; x q[0]" is neither'],
    [() => qc.ccx(0, 1, 2), "ccx: qubit index 2 is out of range"],
    [() => new QuantumCircuit(0), "num_qubits must be a whole number of at least 1"],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (error) => error instanceof RangeError && error.message.includes(message), message);
  }
  assert.equal(qc.qasm().split("\n").length, 5, "a refused gate is not recorded");
});

test("measure_all adds classical bits like Qiskit", () => {
  const qc = new QuantumCircuit(3).h(0).measure_all();
  assert.equal(qc.num_clbits, 3);
  assert.ok(qc.qasm().endsWith("creg c[3];\nh q[0];\nbarrier q[0],q[1],q[2];\nmeasure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\n"));
  assert.equal(new QuantumCircuit(2, 5).measure_all().num_clbits, 5);
});

test("gates made from circuits are defined once, before the registers", () => {
  const bell = new QuantumCircuit(2).h(0).cx(0, 1).to_gate("bell");
  assert.ok(bell instanceof Gate);
  const twice = new QuantumCircuit(3).append(bell, [0, 1]).cp(0.5, 0, 1).to_gate("twice");
  const qc = new QuantumCircuit(4).append(twice, [3, 2, 1]).append(bell, [0, 3]);
  assert.equal(qc.qasm(), 'OPENQASM 2.0;\ninclude "qelib1.inc";\n' +
    "gate bell q0,q1 {\n  h q0;\n  cx q0,q1;\n}\n" +
    "gate twice q0,q1,q2 {\n  bell q0,q1;\n  cp(0.5) q0,q1;\n}\n" +
    "qreg q[4];\ntwice q[3],q[2],q[1];\nbell q[0],q[3];\n");
  for (const [call, message] of [
    [() => new QuantumCircuit(1).measure_all().to_gate("g"), "to_gate: the circuit holds a barrier"],
    [() => new QuantumCircuit(1).rx("theta", 0).to_gate("g"), "uses the parameter theta"],
    [() => new QuantumCircuit(1).to_gate("cx"), '"cx" cannot name a gate'],
    [() => qc.append(bell, [0]), "append: bell acts on 2 qubits, got 1"],
    [() => qc.append(bell, [1, 1]), "bell: qubit 1 is used twice"],
  ]) {
    assert.throws(call, (error) => error.message.includes(message), message);
  }
  const other = new QuantumCircuit(2).cx(0, 1).to_gate("bell");
  assert.throws(() => new QuantumCircuit(2).append(bell, [0, 1]).append(other, [0, 1]).qasm(), /two different gates/);
});

test("run sends the request and returns the response", () => {
  const requests = fake(JSON.stringify(BELL_RESPONSE));
  const qc = new QuantumCircuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1]);
  const result = run(qc, { shots: 1024, seed: 7 });
  assert.deepEqual(result, BELL_RESPONSE);
  assert.deepEqual(requests, [{ qasm: qc.qasm(), shots: 1024, seed: 7, params: {} }]);
  run("OPENQASM 3.0;\nqubit[1] q;\ninput float[64] theta;\nrx(theta) q[0];\n", { params: { theta: 0.5 } });
  assert.deepEqual(requests[1].params, { theta: 0.5 });
  assert.equal(requests[1].shots, 1024);
  assert.equal(requests[1].seed, null);
});

test("an error response throws a QuantumError with the runtime's message", () => {
  fake(JSON.stringify({ error: "line 3, column 5: unknown gate `hh`" }));
  assert.throws(() => run("OPENQASM 2.0;\nqreg q[1];\nhh q[0];\n"),
    (error) => error instanceof QuantumError && error instanceof Error && error.message === "line 3, column 5: unknown gate `hh`");
  fake("Segmentation fault");
  assert.throws(() => run(new QuantumCircuit(1)), /not JSON/);
  fake("[1]");
  assert.throws(() => run(new QuantumCircuit(1)), /other than an object/);
  fake(() => { throw new Error("RuntimeError: unreachable"); });
  assert.throws(() => run(new QuantumCircuit(1)), (e) => e instanceof QuantumError && e.message === "the quantum runtime failed: RuntimeError: unreachable");
});

test("arguments are checked before the runtime is called", () => {
  const requests = fake(JSON.stringify(BELL_RESPONSE));
  for (const options of [{ shots: -1 }, { shots: 2.5 }, { seed: "7" }, { params: { theta: "x" } }, { params: { theta: Infinity } }]) {
    assert.throws(() => run(new QuantumCircuit(1), options), RangeError, JSON.stringify(options));
  }
  assert.throws(() => run(42), TypeError);
  assert.equal(requests.length, 0);
});

test("an asynchronous runtime gives a Promise of the response", async () => {
  fake(Promise.resolve(JSON.stringify(BELL_RESPONSE)));
  assert.deepEqual(await run(new QuantumCircuit(2)), BELL_RESPONSE);
  fake(Promise.resolve(JSON.stringify({ error: "too many qubits" })));
  await assert.rejects(run(new QuantumCircuit(2)), /too many qubits/);
});

test("under Node the llmos executable named by LLMOS_QUANTUM answers", () => {
  delete globalThis.__llmos_quantum_run;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "llmos-quantum-"));
  const tool = path.join(folder, "llmos");
  fs.writeFileSync(tool, `#!${process.execPath}
const request = JSON.parse(require("fs").readFileSync(0, "utf8"));
if (process.argv.slice(2).join(" ") !== "quantum --request") { console.error("bad arguments"); process.exit(2); }
if (request.qasm.includes("hh")) { console.log(JSON.stringify({ error: "line 3, column 1: unknown gate \`hh\`" })); process.exit(1); }
if (request.qasm.includes("crash")) { console.error("thread main panicked"); process.exit(101); }
console.log(JSON.stringify({ counts: { "0": request.shots }, seed: request.seed }));
`, { mode: 0o755 });
  const saved = process.env.LLMOS_QUANTUM;
  try {
    process.env.LLMOS_QUANTUM = tool;
    assert.deepEqual(run(new QuantumCircuit(1), { shots: 3, seed: 9 }), { counts: { "0": 3 }, seed: 9 });
    assert.throws(() => run("OPENQASM 2.0;\nqreg q[1];\nhh q[0];\n"), (e) => e instanceof QuantumError && e.message === "line 3, column 1: unknown gate `hh`");
    assert.throws(() => run("crash"), /failed \(exit status 101\): thread main panicked/);
    process.env.LLMOS_QUANTUM = path.join(folder, "missing");
    assert.throws(() => run(new QuantumCircuit(1)), QuantumError);
    delete process.env.LLMOS_QUANTUM;
    assert.throws(() => run(new QuantumCircuit(1)), /no quantum runtime.*LLMOS_QUANTUM/);
  } finally {
    if (saved === undefined) delete process.env.LLMOS_QUANTUM;
    else process.env.LLMOS_QUANTUM = saved;
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test("a skill that runs after require is removed still reaches the executable", () => {
  // As `llmos run`'s Node driver does: the module is evaluated, then require goes.
  const context = vm.createContext({ process, require: undefined });
  vm.runInContext(fs.readFileSync(path.join(here, "llmos_quantum.js"), "utf8"), context);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "llmos-quantum-"));
  const tool = path.join(folder, "llmos");
  fs.writeFileSync(tool, `#!${process.execPath}\nrequire("fs").readFileSync(0);\nconsole.log('{"counts": {"1": 1}}');\n`, { mode: 0o755 });
  const saved = process.env.LLMOS_QUANTUM;
  try {
    process.env.LLMOS_QUANTUM = tool;
    const result = vm.runInContext("llmos_quantum.run(new llmos_quantum.QuantumCircuit(1).x(0), { shots: 1 })", context);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), { counts: { "1": 1 } });
  } finally {
    if (saved === undefined) delete process.env.LLMOS_QUANTUM;
    else process.env.LLMOS_QUANTUM = saved;
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test("the Python module writes the same OpenQASM for the same circuits", (t) => {
  const python = process.env.LLMOS_PYTHON || "python3";
  const probe = spawnSync(python, ["--version"]);
  if (probe.error || probe.status !== 0) return t.skip(`${python} is not available`);
  // Random circuits from a fixed linear congruential sequence, angles over many magnitudes.
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (list) => list[Math.floor(next() * list.length)];
  const programs = [];
  for (let i = 0; i < 60; i++) {
    const n = 3 + Math.floor(next() * 4);
    const ops = [];
    for (let k = 0; k < 25; k++) {
      const qubits = [0, 1, 2, 3, 4, 5].slice(0, n).sort(() => next() - 0.5).slice(0, 3);
      const angle = pick([(next() * 2 - 1) * 10 ** Math.floor(next() * 40 - 20), next() * 7, "pi/4", "theta"]);
      const [name, angles, arity] = pick([["h", [], 1], ["sdg", [], 1], ["rx", [angle], 1], ["u", [angle, 0.5, -1], 1],
        ["cx", [], 2], ["swap", [], 2], ["cp", [angle], 2], ["crz", [angle], 2], ["ccx", [], 3], ["cswap", [], 3]]);
      ops.push([name, angles, qubits.slice(0, arity)]);
    }
    programs.push([n, ops, next() < 0.5]);
  }
  const build = (n, ops, measure) => {
    const qc = new QuantumCircuit(n);
    for (const [name, angles, qubits] of ops) qc[name](...angles, ...qubits);
    return (measure ? qc.measure_all() : qc).qasm();
  };
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(here)})
import llmos_quantum
out = []
for n, ops, measure in json.load(sys.stdin):
    qc = llmos_quantum.QuantumCircuit(n)
    for name, angles, qubits in ops:
        getattr(qc, name)(*angles, *qubits)
    out.append((qc.measure_all() if measure else qc).qasm())
json.dump(out, sys.stdout)
`;
  const done = spawnSync(python, ["-c", script], { input: JSON.stringify(programs), encoding: "utf8" });
  assert.equal(done.status, 0, done.stderr);
  assert.deepEqual(JSON.parse(done.stdout), programs.map(([n, ops, measure]) => build(n, ops, measure)));
});
