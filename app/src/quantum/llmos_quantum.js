// LLMos's quantum runtime for JavaScript skills: build a circuit, run it, read the counts.
//
//   const qc = new llmos_quantum.QuantumCircuit(2, 2);
//   qc.h(0).cx(0, 1).measure([0, 1], [0, 1]);
//   const result = llmos_quantum.run(qc, { shots: 1024, seed: 7 });
//   result.counts;            // {"00": 510, "11": 514}: only 00 and 11 occur
//
// A classic script (no imports or exports), evaluated before the skill's
// code; it defines `globalThis.llmos_quantum`. The circuit is written as
// OpenQASM 2 (`qc.qasm()`) and simulated by the state-vector simulator in
// the LLMos core: in the browser's sandbox through
// `globalThis.__llmos_quantum_run(requestJson)`, under `llmos run` (Node)
// by the `llmos` executable named in the environment variable LLMOS_QUANTUM,
// run as `llmos quantum --request`.
//
// Bit order, as in Qiskit: in every bitstring qubit 0 (or classical bit 0)
// is the RIGHTMOST character. Builder methods return the circuit, so calls
// chain. The API mirrors the Python module `llmos_quantum`, names included.
(function () {
  "use strict";

  // Under Node the driver may remove `require` before skills run: keep it now.
  const nodeRequire = typeof require === "function" ? require : null;

  class QuantumError extends Error {
    constructor(message) {
      super(message);
      this.name = "QuantumError";
    }
  }

  // Names a user gate may not take: OpenQASM 2 and 3 keywords, the gates of
  // qelib1.inc and stdgates.inc, and the constants and functions of expressions.
  const RESERVED = new Set([
    "id", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "p", "u",
    "cx", "cy", "cz", "ch", "swap", "cp", "crx", "cry", "crz", "ccx", "cswap",
    "openqasm", "include", "qreg", "creg", "gate", "opaque", "measure", "reset",
    "barrier", "if", "pi", "sin", "cos", "tan", "exp", "ln", "sqrt",
    "u1", "u2", "u3", "u0", "sxdg", "csx", "cu1", "cu3", "c3x", "c4x", "rccx", "rc3x",
    "rxx", "ryy", "rzz", "cu", "qubit", "bit", "input", "output", "let", "ctrl", "inv", "pow",
    "for", "while", "def", "const", "box", "delay", "switch", "gphase", "int", "uint", "float",
    "angle", "bool", "duration", "stretch", "complex", "array", "defcal", "cal", "extern",
    "return", "pragma", "else", "tau", "euler", "arcsin", "arccos", "arctan",
  ]);
  const EXPRESSION = /^[A-Za-z0-9_.+\-*/^() ]+$/;
  const FUNCTIONS = new Set(["pi", "tau", "euler", "sin", "cos", "tan", "exp", "ln", "sqrt", "arcsin", "arccos", "arctan"]);
  const GATE_NAME = /^[a-z][A-Za-z0-9_]*$/;

  const show = (value) => {
    try {
      return typeof value === "string" ? JSON.stringify(value) : String(value);
    } catch (_) {
      return typeof value;
    }
  };

  // A finite number written as Python's repr writes it (shortest round-trip
  // digits; exponent form below 1e-4 and from 1e16), with a decimal point
  // always, as OpenQASM 2 reals need: 1e-07 is written 1.0e-07. The Python
  // module writes the same text, so both give the same circuit.
  function real(x) {
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [mantissa, exponentText] = x.toExponential().split("e");
    const exponent = Number(exponentText);
    const digits = mantissa.replace("-", "").replace(".", "");
    let text;
    if (exponent < -4 || exponent >= 16) {
      text = `${digits[0]}.${digits.slice(1) || "0"}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
    } else if (exponent < 0) {
      text = `0.${"0".repeat(-exponent - 1)}${digits}`;
    } else if (digits.length <= exponent + 1) {
      text = `${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
    } else {
      text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
    }
    return x < 0 ? `-${text}` : text;
  }

  // An angle as OpenQASM text: a number or an expression string.
  function angle(gate, value) {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new RangeError(`${gate}: the angle ${value} is not a finite number`);
      return real(value);
    }
    if (typeof value === "string" && EXPRESSION.test(value.trim())) return value.trim();
    throw new RangeError(`${gate}: the angle ${show(value)} is neither a number nor an expression such as "pi/2" or "theta"`);
  }

  function freeNames(angles) {
    const names = [];
    for (const text of angles) {
      for (const name of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []) {
        if (!FUNCTIONS.has(name) && !/^[eE]\d*$/.test(name)) names.push(name);
      }
    }
    return names.sort();
  }

  function statement(op, qubit, clbit) {
    switch (op.kind) {
      case "measure":
        return `measure ${qubit(op.qubit)} -> ${clbit(op.clbit)}`;
      case "reset":
        return `reset ${qubit(op.qubit)}`;
      case "barrier":
        return `barrier ${op.qubits.map(qubit).join(",")}`;
      case "call":
        return `${op.gate.name} ${op.qubits.map(qubit).join(",")}`;
      default: {
        const params = op.angles.length ? `(${op.angles.join(",")})` : "";
        return `${op.kind}${params} ${op.qubits.map(qubit).join(",")}`;
      }
    }
  }

  // A named gate made from a circuit by `QuantumCircuit.to_gate(name)`; add it
  // to a circuit with `append(gate, qubits)`. `qasm()` writes one definition.
  class Gate {
    constructor(name, numQubits, operations) {
      this.name = name;
      this.num_qubits = numQubits;
      this._operations = operations.slice();
    }

    _definition() {
      const body = this._operations.map((op) => `  ${statement(op, (q) => `q${q}`, null)};\n`).join("");
      const qubits = Array.from({ length: this.num_qubits }, (_, q) => `q${q}`).join(",");
      return `gate ${this.name} ${qubits} {\n${body}}`;
    }
  }

  const isWhole = (value, least) => Number.isInteger(value) && value >= least;

  class QuantumCircuit {
    // `numQubits` qubits (at least 1) and `numClbits` classical bits. Angles are
    // radians: a number or an OpenQASM expression string ("pi/4"); any other
    // name in an expression is a free parameter that `run(..., {params})` fills.
    constructor(numQubits, numClbits = 0) {
      if (!isWhole(numQubits, 1)) throw new RangeError(`QuantumCircuit: num_qubits must be a whole number of at least 1, got ${show(numQubits)}`);
      if (!isWhole(numClbits, 0)) throw new RangeError(`QuantumCircuit: num_clbits must be a whole number of at least 0, got ${show(numClbits)}`);
      this.num_qubits = numQubits;
      this.num_clbits = numClbits;
      this._operations = [];
    }

    _index(gate, value, size, what) {
      if (!Number.isInteger(value)) throw new RangeError(`${gate}: the ${what} index ${show(value)} is not a whole number`);
      if (value < 0 || value >= size) {
        throw new RangeError(`${gate}: ${what} index ${value} is out of range; the circuit has ${size} ${what}s (0 to ${size - 1})`);
      }
      return value;
    }

    _qubits(gate, qubits) {
      const indices = qubits.map((q) => this._index(gate, q, this.num_qubits, "qubit"));
      const twice = indices.find((q, i) => indices.indexOf(q) !== i);
      if (twice !== undefined) throw new RangeError(`${gate}: qubit ${twice} is used twice; the qubits of one gate must differ`);
      return indices;
    }

    _gate(kind, angles, qubits) {
      const texts = angles.map((a) => angle(kind, a));
      this._operations.push({ kind, angles: texts, qubits: this._qubits(kind, qubits) });
      return this;
    }

    id(q) { return this._gate("id", [], [q]); }
    h(q) { return this._gate("h", [], [q]); }
    x(q) { return this._gate("x", [], [q]); }
    y(q) { return this._gate("y", [], [q]); }
    z(q) { return this._gate("z", [], [q]); }
    s(q) { return this._gate("s", [], [q]); }
    sdg(q) { return this._gate("sdg", [], [q]); }
    t(q) { return this._gate("t", [], [q]); }
    tdg(q) { return this._gate("tdg", [], [q]); }
    sx(q) { return this._gate("sx", [], [q]); }
    rx(theta, q) { return this._gate("rx", [theta], [q]); }
    ry(theta, q) { return this._gate("ry", [theta], [q]); }
    rz(phi, q) { return this._gate("rz", [phi], [q]); }
    p(lam, q) { return this._gate("p", [lam], [q]); }
    u(theta, phi, lam, q) { return this._gate("u", [theta, phi, lam], [q]); }
    cx(control, target) { return this._gate("cx", [], [control, target]); }
    cy(control, target) { return this._gate("cy", [], [control, target]); }
    cz(control, target) { return this._gate("cz", [], [control, target]); }
    ch(control, target) { return this._gate("ch", [], [control, target]); }
    swap(a, b) { return this._gate("swap", [], [a, b]); }
    cp(lam, control, target) { return this._gate("cp", [lam], [control, target]); }
    crx(theta, control, target) { return this._gate("crx", [theta], [control, target]); }
    cry(theta, control, target) { return this._gate("cry", [theta], [control, target]); }
    crz(phi, control, target) { return this._gate("crz", [phi], [control, target]); }
    ccx(control1, control2, target) { return this._gate("ccx", [], [control1, control2, target]); }
    cswap(control, a, b) { return this._gate("cswap", [], [control, a, b]); }

    // A barrier on the given qubits, all of them when none are given.
    barrier(...qubits) {
      const chosen = qubits.length ? qubits : Array.from({ length: this.num_qubits }, (_, q) => q);
      this._operations.push({ kind: "barrier", qubits: this._qubits("barrier", chosen) });
      return this;
    }

    reset(q) {
      this._operations.push({ kind: "reset", qubit: this._index("reset", q, this.num_qubits, "qubit") });
      return this;
    }

    // One qubit into one classical bit, or a list of qubits into a list of bits.
    measure(qubit, clbit) {
      const qubits = Array.isArray(qubit) ? qubit : [qubit];
      const clbits = Array.isArray(clbit) ? clbit : [clbit];
      if (qubits.length !== clbits.length) {
        throw new RangeError(`measure: ${qubits.length} qubits but ${clbits.length} classical bits; give one classical bit per qubit`);
      }
      const pairs = qubits.map((q, i) => [this._index("measure", q, this.num_qubits, "qubit"), this._index("measure", clbits[i], this.num_clbits, "classical bit")]);
      for (const [q, c] of pairs) this._operations.push({ kind: "measure", qubit: q, clbit: c });
      return this;
    }

    // A barrier, then qubit i into classical bit i for every qubit; adds
    // classical bits when there are fewer than qubits, as Qiskit does.
    measure_all() {
      this.num_clbits = Math.max(this.num_clbits, this.num_qubits);
      this.barrier();
      const all = Array.from({ length: this.num_qubits }, (_, q) => q);
      return this.measure(all, all);
    }

    // This circuit as a reusable Gate (gates only: no measure, reset or barrier).
    to_gate(name) {
      if (typeof name !== "string" || !GATE_NAME.test(name) || RESERVED.has(name.toLowerCase())) {
        throw new RangeError(`to_gate: ${show(name)} cannot name a gate; use a lowercase name such as "oracle" that is not a gate of qelib1.inc`);
      }
      for (const op of this._operations) {
        if (op.kind === "measure" || op.kind === "reset" || op.kind === "barrier") {
          throw new RangeError(`to_gate: the circuit holds a ${op.kind}; a gate can hold only gates`);
        }
        if (op.kind !== "call" && freeNames(op.angles).length) {
          throw new RangeError(`to_gate: ${op.kind} uses the parameter ${freeNames(op.angles)[0]}; a gate's angles must be numbers or expressions of pi`);
        }
      }
      return new Gate(name, this.num_qubits, this._operations);
    }

    // Applies a Gate from to_gate, its qubit i on qubits[i].
    append(gate, qubits) {
      if (!(gate instanceof Gate)) throw new TypeError(`append: expected a Gate made by QuantumCircuit.to_gate, got ${show(gate)}`);
      const list = Array.from(qubits);
      if (list.length !== gate.num_qubits) throw new RangeError(`append: ${gate.name} acts on ${gate.num_qubits} qubits, got ${list.length}`);
      this._operations.push({ kind: "call", gate, qubits: this._qubits(gate.name, list) });
      return this;
    }

    // The user gates used, each after the gates it uses itself.
    _definitions() {
      const ordered = [];
      const seen = new Map();
      const visit = (operations) => {
        for (const op of operations) {
          if (op.kind !== "call") continue;
          const known = seen.get(op.gate.name);
          if (known === op.gate) continue;
          if (known !== undefined) {
            if (known._definition() !== op.gate._definition()) {
              throw new RangeError(`qasm: two different gates are both called "${op.gate.name}"; give them different names`);
            }
            continue;
          }
          seen.set(op.gate.name, op.gate);
          visit(op.gate._operations);
          ordered.push(op.gate);
        }
      };
      visit(this._operations);
      return ordered;
    }

    // The circuit as OpenQASM 2.0 text, one statement per line (Qiskit's layout).
    qasm() {
      const lines = ["OPENQASM 2.0;", 'include "qelib1.inc";'];
      for (const gate of this._definitions()) lines.push(gate._definition());
      lines.push(`qreg q[${this.num_qubits}];`);
      if (this.num_clbits) lines.push(`creg c[${this.num_clbits}];`);
      for (const op of this._operations) lines.push(`${statement(op, (q) => `q[${q}]`, (c) => `c[${c}]`)};`);
      return lines.join("\n") + "\n";
    }
  }

  function childProcess() {
    if (nodeRequire) return nodeRequire("child_process");
    const proc = globalThis.process;
    if (proc && typeof proc.getBuiltinModule === "function") return proc.getBuiltinModule("child_process");
    throw new QuantumError("no quantum runtime: this Node.js cannot start the llmos executable");
  }

  // Sends the request JSON text to the runtime; returns its response JSON text.
  function backend(request) {
    if (typeof globalThis.__llmos_quantum_run === "function") {
      try {
        return globalThis.__llmos_quantum_run(request);
      } catch (error) {
        throw new QuantumError(`the quantum runtime failed: ${error && error.message ? error.message : String(error)}`);
      }
    }
    const proc = globalThis.process;
    const executable = proc && proc.env ? proc.env.LLMOS_QUANTUM : undefined;
    if (!executable) {
      throw new QuantumError("no quantum runtime: run the skill with `llmos run` or in a Run panel, or set LLMOS_QUANTUM to the path of the llmos executable");
    }
    try {
      return childProcess().execFileSync(executable, ["quantum", "--request"], {
        input: request, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 30,
      });
    } catch (error) {
      const answer = typeof error.stdout === "string" ? error.stdout.trim() : "";
      if (answer.startsWith("{")) return answer;
      if (error instanceof QuantumError) throw error;
      const message = (typeof error.stderr === "string" && error.stderr.trim()) || error.message;
      throw new QuantumError(`\`${executable} quantum --request\` failed${error.status != null ? ` (exit status ${error.status})` : ""}: ${message}`);
    }
  }

  function parse(answer) {
    let response;
    try {
      response = JSON.parse(answer);
    } catch (_) {
      throw new QuantumError(`the quantum runtime answered with text that is not JSON: ${String(answer).slice(0, 200)}`);
    }
    if (response === null || typeof response !== "object" || Array.isArray(response)) {
      throw new QuantumError("the quantum runtime answered with something other than an object");
    }
    if ("error" in response) throw new QuantumError(String(response.error));
    return response;
  }

  // Simulates a QuantumCircuit or OpenQASM 2/3 text and returns the response:
  //   {counts: {"00": 510, "11": 514}, shots, seed, qubits, clbits,
  //    most_likely: [{outcome, count, probability}, ...],
  //    probabilities: {"00": 0.5, "11": 0.5}, amplitudes: {"00": [re, im], ...},
  //    histogram: "<svg ...>", circuit: "<text diagram>"}
  // counts are keyed by all classical bits (clbit 0 rightmost); a circuit with
  // no measurement is sampled on all qubits. probabilities and amplitudes
  // (nonzero entries, the state before the final measurements, qubit 0
  // rightmost) are there only for up to 10 qubits. The same seed gives the
  // same counts; `params` fills OpenQASM 3 `input float[64] name;` and free
  // parameter names. Throws a QuantumError with the runtime's message.
  function run(circuitOrQasm, { shots = 1024, seed = null, params = {} } = {}) {
    let text;
    if (circuitOrQasm instanceof QuantumCircuit) text = circuitOrQasm.qasm();
    else if (typeof circuitOrQasm === "string") text = circuitOrQasm;
    else throw new TypeError(`run: expected a QuantumCircuit or OpenQASM text, got ${show(circuitOrQasm)}`);
    if (!isWhole(shots, 0)) throw new RangeError(`run: shots must be a whole number of 0 or more, got ${show(shots)}`);
    if (seed !== null && seed !== undefined && !Number.isInteger(seed)) throw new RangeError(`run: seed must be a whole number or null, got ${show(seed)}`);
    const values = {};
    for (const [name, value] of Object.entries(params || {})) {
      if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`run: the parameter ${name} must be a finite number, got ${show(value)}`);
      values[name] = value;
    }
    const request = JSON.stringify({ qasm: text, shots, seed: seed === undefined ? null : seed, params: values });
    const answer = backend(request);
    // A runtime that answers asynchronously gives a Promise of the response.
    if (answer && typeof answer.then === "function") return answer.then(parse);
    return parse(answer);
  }

  globalThis.llmos_quantum = Object.freeze({ QuantumCircuit, Gate, QuantumError, run });
})();
