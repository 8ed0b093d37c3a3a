"""Tests of llmos_quantum.py and of the bundled skills that use it.

Run from the repository root:  python3 -m unittest app/src/quantum/test_llmos_quantum.py -v

The runtime itself (Rust) is not needed: `_backend` is replaced by a small
reference state-vector simulator written here, which reads the OpenQASM the
module and the bundled .qasm files write. It answers with the response
shape of the runtime, so the skills can be run end to end.
"""
import cmath
import importlib.util
import json
import math
import os
import random
import re
import stat
import sys
import tempfile
import types
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree or the bundled skills
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SKILLS = os.path.join(ROOT, "system-skills")
sys.path.insert(0, HERE)

import llmos_quantum  # noqa: E402
from llmos_quantum import QuantumCircuit, QuantumError  # noqa: E402


# -- a reference simulator ------------------------------------------------

S2 = 1 / math.sqrt(2)


def u3(theta, phi, lam):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [[c, -cmath.exp(1j * lam) * s], [cmath.exp(1j * phi) * s, cmath.exp(1j * (phi + lam)) * c]]


def phase(lam):
    return [[1, 0], [0, cmath.exp(1j * lam)]]


def rx(t):
    return [[math.cos(t / 2), -1j * math.sin(t / 2)], [-1j * math.sin(t / 2), math.cos(t / 2)]]


def ry(t):
    return [[math.cos(t / 2), -math.sin(t / 2)], [math.sin(t / 2), math.cos(t / 2)]]


def rz(t):
    return [[cmath.exp(-0.5j * t), 0], [0, cmath.exp(0.5j * t)]]


X = [[0, 1], [1, 0]]
# name -> (number of controls, matrix from the angles); swaps are handled apart.
MATRICES = {
    "id": (0, lambda: phase(0)), "h": (0, lambda: [[S2, S2], [S2, -S2]]), "x": (0, lambda: X),
    "y": (0, lambda: [[0, -1j], [1j, 0]]), "z": (0, lambda: phase(math.pi)),
    "s": (0, lambda: phase(math.pi / 2)), "sdg": (0, lambda: phase(-math.pi / 2)),
    "t": (0, lambda: phase(math.pi / 4)), "tdg": (0, lambda: phase(-math.pi / 4)),
    "sx": (0, lambda: [[(1 + 1j) / 2, (1 - 1j) / 2], [(1 - 1j) / 2, (1 + 1j) / 2]]),
    "rx": (0, rx), "ry": (0, ry), "rz": (0, rz), "p": (0, phase), "u1": (0, phase), "u": (0, u3), "u3": (0, u3),
    "cx": (1, lambda: X), "cy": (1, lambda: [[0, -1j], [1j, 0]]), "cz": (1, lambda: phase(math.pi)),
    "ch": (1, lambda: [[S2, S2], [S2, -S2]]), "cp": (1, phase), "crx": (1, rx), "cry": (1, ry), "crz": (1, rz),
    "ccx": (2, lambda: X),
}


def parse(qasm, params):
    """OpenQASM 2 as QuantumCircuit writes it, and the OpenQASM 3 of the bundled skills,
    to (qubits, clbits, [(name, angles, qubit indices)], {qubit: clbit})."""
    text = re.sub(r"//[^\n]*", "", qasm)
    gates, ops, final, qubits, clbits = {}, [], {}, 0, 0
    env = {"pi": math.pi, "sin": math.sin, "cos": math.cos, "sqrt": math.sqrt, "exp": math.exp, "ln": math.log}
    env.update(params)
    for name, args, body in re.findall(r"gate\s+(\w+)\s+([\w,\s]+?)\s*\{(.*?)\}", text, re.S):
        gates[name] = ([a.strip() for a in args.split(",")], [s.strip() for s in body.split(";") if s.strip()])
    text = re.sub(r"gate\s+\w+\s+[\w,\s]+?\{.*?\}", "", text, flags=re.S)

    def expand(statement, bind):
        m = re.match(r"^(\w+)(?:\((.*?)\))?\s+(.+)$", statement)
        name, angles, args = m.group(1), m.group(2), [bind(a.strip()) for a in m.group(3).split(",")]
        if name in gates:
            formal, body = gates[name]
            table = dict(zip(formal, args))
            for inner in body:
                expand(inner, lambda a, table=table: table[a])
            return
        values = [eval(a, {"__builtins__": {}}, env) for a in angles.split(",")] if angles else []
        ops.append((name, values, args))

    def index(ref):
        return int(re.match(r"^\w+\[(\d+)\]$", ref).group(1))

    for statement in (s.strip() for s in text.split(";")):
        if not statement or statement.startswith(("OPENQASM", "include", "barrier")):
            continue
        if re.match(r"^input\s+float\[64\]\s+\w+$", statement):
            continue
        m = re.match(r"^(?:qreg\s+\w+\[(\d+)\]|qubit\[(\d+)\]\s+\w+)$", statement)
        if m:
            qubits = int(m.group(1) or m.group(2))
            continue
        m = re.match(r"^(?:creg\s+\w+\[(\d+)\]|bit\[(\d+)\]\s+\w+)$", statement)
        if m:
            clbits = int(m.group(1) or m.group(2))
            continue
        m = re.match(r"^measure\s+(\S+)\s*->\s*(\S+)$", statement) or re.match(r"^(\S+)\s*=\s*measure\s+(\S+)$", statement)
        if m:
            q, c = (m.group(1), m.group(2)) if statement.startswith("measure") else (m.group(2), m.group(1))
            if "[" in q:
                final[index(q)] = index(c)
            else:
                final.update({i: i for i in range(qubits)})
            continue
        if final:
            raise AssertionError("the reference simulator handles final measurements only: %s" % statement)
        expand(statement, index)
    return qubits, clbits, ops, final


def simulate(qubits, ops):
    state = [0j] * (1 << qubits)
    state[0] = 1
    for name, values, args in ops:
        if name in ("swap", "cswap"):
            *controls, a, b = args
            mask = sum(1 << c for c in controls)
            for i in range(len(state)):
                if i & mask == mask and i >> a & 1 and not i >> b & 1:
                    j = i ^ (1 << a) ^ (1 << b)
                    state[i], state[j] = state[j], state[i]
            continue
        if name == "reset":
            raise AssertionError("reset is not simulated here")
        controls, matrix = MATRICES[name]
        m = matrix(*values)
        mask, bit = sum(1 << c for c in args[:controls]), 1 << args[controls]
        assert len(args) == controls + 1 and len(set(args)) == len(args), (name, args)
        for i in range(len(state)):
            if i & bit or i & mask != mask:
                continue
            a, b = state[i], state[i | bit]
            state[i], state[i | bit] = m[0][0] * a + m[0][1] * b, m[1][0] * a + m[1][1] * b
    return state


def rounded(x):
    """As the runtime writes amplitudes and probabilities: 12 decimals, no -0."""
    return round(x, 12) + 0.0


def reference_backend(request_text):
    """The runtime's answer to a request, computed by the reference simulator."""
    request = json.loads(request_text)
    try:
        qubits, clbits, ops, final = parse(request["qasm"], request["params"])
        state = simulate(qubits, ops)
    except Exception as error:  # the runtime answers with an error object
        return json.dumps({"error": "cannot run the circuit: %r" % error})
    width = clbits if final else qubits
    outcome = {}
    for i, a in enumerate(state):
        p = abs(a) ** 2
        if p > 1e-15:
            key = ["0"] * width
            for q in range(qubits):
                if i >> q & 1 and (q in final or not final):
                    key[width - 1 - final.get(q, q)] = "1"
            outcome["".join(key)] = outcome.get("".join(key), 0) + p
    seed = 12345 if request["seed"] is None else request["seed"]
    labels = sorted(outcome)
    draws = random.Random(seed).choices(labels, [outcome[k] for k in labels], k=request["shots"])
    counts = {k: draws.count(k) for k in labels if draws.count(k)}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    response = {"counts": counts, "shots": request["shots"], "seed": seed, "qubits": qubits, "clbits": clbits,
                "most_likely": [{"outcome": k, "count": n, "probability": rounded(n / max(request["shots"], 1))}
                                for k, n in ranked]}
    if qubits <= 10:
        fmt = "0%db" % qubits
        kept = [(format(i, fmt), a) for i, a in enumerate(state) if abs(a) ** 2 > 1e-12]
        response["probabilities"] = {k: rounded(abs(a) ** 2) for k, a in kept}
        response["amplitudes"] = {k: [rounded(a.real), rounded(a.imag)] for k, a in kept}
    response["histogram"] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    response["circuit"] = "q[0]: ..."
    return json.dumps(response)


class Backend:
    """Replaces llmos_quantum._backend for the duration of a test, recording the requests."""

    def __init__(self, answer=reference_backend):
        self.answer, self.requests = answer, []

    def __call__(self, request):
        self.requests.append(json.loads(request))
        return self.answer(request)

    def __enter__(self):
        self.saved, llmos_quantum._backend = llmos_quantum._backend, self
        return self

    def __exit__(self, *exc):
        llmos_quantum._backend = self.saved


def load_skill(name):
    path = os.path.join(SKILLS, name, "scripts", "main.py")
    spec = importlib.util.spec_from_file_location("skill_" + name.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the builder -------------------------------------------------------------

class BuilderTest(unittest.TestCase):
    def test_bell_circuit_is_written_as_qiskit_writes_openqasm_2(self):
        qc = QuantumCircuit(2, 2)
        self.assertIs(qc.h(0), qc, "methods chain")
        qc.cx(0, 1).measure([0, 1], [0, 1])
        self.assertEqual(qc.qasm(), "OPENQASM 2.0;\n"
                                    'include "qelib1.inc";\n'
                                    "qreg q[2];\n"
                                    "creg c[2];\n"
                                    "h q[0];\n"
                                    "cx q[0],q[1];\n"
                                    "measure q[0] -> c[0];\n"
                                    "measure q[1] -> c[1];\n")
        self.assertEqual((qc.num_qubits, qc.num_clbits), (2, 2))

    def test_parameterised_gates_write_angles_with_repr_precision(self):
        qc = QuantumCircuit(3)
        qc.rx(0.5, 0).ry(math.pi, 1).rz(-0.25, 2).p(1, 0).u(0.1, 0.2, 0.3, 1)
        qc.cp(math.pi / 8, 0, 2).crx(1e-07, 1, 0).cry("pi/2", 2, 1).crz("2*theta", 0, 1)
        body = qc.qasm().splitlines()[3:]
        self.assertEqual(body, ["rx(0.5) q[0];", "ry(3.141592653589793) q[1];", "rz(-0.25) q[2];",
                                "p(1.0) q[0];", "u(0.1,0.2,0.3) q[1];", "cp(0.39269908169872414) q[0],q[2];",
                                "crx(1.0e-07) q[1],q[0];", "cry(pi/2) q[2],q[1];", "crz(2*theta) q[0],q[1];"])
        self.assertNotIn("creg", qc.qasm(), "no classical register when there are no classical bits")

    def test_every_gate_method_writes_its_qelib1_name(self):
        qc = QuantumCircuit(3, 1)
        for name in ["id", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx"]:
            getattr(qc, name)(1)
        qc.cx(0, 1).cy(0, 1).cz(0, 1).ch(0, 1).swap(0, 2).ccx(0, 1, 2).cswap(2, 0, 1)
        qc.barrier().barrier(0, 2).reset(1).measure(2, 0)
        names = [line.split()[0].split("(")[0] for line in qc.qasm().splitlines()[4:]]
        self.assertEqual(names, ["id", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "cx", "cy", "cz", "ch",
                                 "swap", "ccx", "cswap", "barrier", "barrier", "reset", "measure"])
        self.assertIn("barrier q[0],q[1],q[2];\nbarrier q[0],q[2];\nreset q[1];\nmeasure q[2] -> c[0];", qc.qasm())
        self.assertIn("cswap q[2],q[0],q[1];", qc.qasm())

    def test_indices_are_checked_and_errors_name_the_gate_and_index(self):
        qc = QuantumCircuit(2, 1)
        cases = [(lambda: qc.h(2), "h: qubit index 2 is out of range; the circuit has 2 qubits (0 to 1)"),
                 (lambda: qc.cx(0, -1), "cx: qubit index -1 is out of range"),
                 (lambda: qc.cx(1, 1), "cx: qubit 1 is used twice"),
                 (lambda: qc.x(1.5), "x: the qubit index 1.5 is not a whole number"),
                 (lambda: qc.x(True), "x: the qubit index True is not a whole number"),
                 (lambda: qc.measure(0, 1), "measure: classical bit index 1 is out of range; the circuit has 1 classical bits"),
                 (lambda: qc.measure([0, 1], [0]), "measure: 2 qubits but 1 classical bits"),
                 (lambda: qc.rx(float("nan"), 0), "rx: the angle nan is not a finite number"),
                 (lambda: qc.rx("pi; x q[0]", 0), "rx: the angle 'pi; x q[0]' is neither"),
                 (lambda: qc.ccx(0, 1, 2), "ccx: qubit index 2 is out of range"),
                 (lambda: QuantumCircuit(0), "num_qubits must be a whole number of at least 1")]
        for call, message in cases:
            with self.assertRaises(ValueError) as caught:
                call()
            self.assertIn(message, str(caught.exception))
        self.assertEqual(qc.qasm().count("\n"), 4, "a refused gate is not recorded")

    def test_measure_all_adds_classical_bits_like_qiskit(self):
        qc = QuantumCircuit(3).h(0).measure_all()
        self.assertEqual(qc.num_clbits, 3)
        self.assertTrue(qc.qasm().endswith("creg c[3];\nh q[0];\nbarrier q[0],q[1],q[2];\n"
                                           "measure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\n"))
        self.assertEqual(QuantumCircuit(2, 5).measure_all().num_clbits, 5)

    def test_gates_from_circuits_are_defined_once_before_the_registers(self):
        bell = QuantumCircuit(2).h(0).cx(0, 1).to_gate("bell")
        twice = QuantumCircuit(3).append(bell, [0, 1]).cp(0.5, 0, 1).to_gate("twice")
        qc = QuantumCircuit(4).append(twice, [3, 2, 1]).append(bell, [0, 3])
        self.assertEqual(qc.qasm(), "OPENQASM 2.0;\n"
                                    'include "qelib1.inc";\n'
                                    "gate bell q0,q1 {\n  h q0;\n  cx q0,q1;\n}\n"
                                    "gate twice q0,q1,q2 {\n  bell q0,q1;\n  cp(0.5) q0,q1;\n}\n"
                                    "qreg q[4];\n"
                                    "twice q[3],q[2],q[1];\n"
                                    "bell q[0],q[3];\n")
        for call, message in [(lambda: QuantumCircuit(1).measure_all().to_gate("g"), "to_gate: the circuit holds a barrier"),
                              (lambda: QuantumCircuit(1).rx("theta", 0).to_gate("g"), "uses the parameter theta"),
                              (lambda: QuantumCircuit(1).to_gate("cx"), "'cx' cannot name a gate"),
                              (lambda: QuantumCircuit(1).to_gate("Oracle"), "cannot name a gate"),
                              (lambda: qc.append(bell, [0]), "append: bell acts on 2 qubits, got 1"),
                              (lambda: qc.append(bell, [1, 1]), "bell: qubit 1 is used twice")]:
            with self.assertRaises(ValueError) as caught:
                call()
            self.assertIn(message, str(caught.exception))
        other = QuantumCircuit(2).cx(0, 1).to_gate("bell")
        with self.assertRaises(ValueError):
            QuantumCircuit(2).append(bell, [0, 1]).append(other, [0, 1]).qasm()


# -- run() -------------------------------------------------------------------

class RunTest(unittest.TestCase):
    def test_run_sends_the_request_and_returns_the_response(self):
        qc = QuantumCircuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
        with Backend() as backend:
            result = llmos_quantum.run(qc, shots=1000, seed=7)
        self.assertEqual(backend.requests, [{"qasm": qc.qasm(), "shots": 1000, "seed": 7, "params": {}}])
        self.assertEqual(set(result["counts"]), {"00", "11"})
        self.assertEqual(sum(result["counts"].values()), 1000)
        self.assertAlmostEqual(result["probabilities"]["11"], 0.5)
        with Backend() as backend:
            llmos_quantum.run("OPENQASM 3.0;\nqubit[1] q;\ninput float[64] theta;\nrx(theta) q[0];\n", params={"theta": 0.5})
        self.assertEqual(backend.requests[0]["seed"], None)
        self.assertEqual(backend.requests[0]["shots"], 1024)
        self.assertEqual(backend.requests[0]["params"], {"theta": 0.5})

    def test_bit_order_puts_qubit_zero_rightmost(self):
        with Backend():
            result = llmos_quantum.run(QuantumCircuit(3).x(0), shots=5, seed=1)
        self.assertEqual(result["counts"], {"001": 5})
        with Backend():
            result = llmos_quantum.run(QuantumCircuit(3, 2).x(2).measure(2, 0), shots=3, seed=1)
        self.assertEqual(result["counts"], {"01": 3}, "counts are keyed by classical bits")

    def test_error_responses_raise_quantum_error_with_the_message(self):
        message = "line 3, column 5: unknown gate `hh`"
        with Backend(lambda request: json.dumps({"error": message})):
            with self.assertRaises(QuantumError) as caught:
                llmos_quantum.run("OPENQASM 2.0;\nqreg q[1];\nhh q[0];\n")
        self.assertEqual(str(caught.exception), message)
        with Backend(lambda request: "Segmentation fault"):
            with self.assertRaisesRegex(QuantumError, "not JSON"):
                llmos_quantum.run(QuantumCircuit(1))
        with Backend(lambda request: "[1, 2]"):
            with self.assertRaisesRegex(QuantumError, "instead of an object"):
                llmos_quantum.run(QuantumCircuit(1))

    def test_arguments_are_checked_before_the_runtime_is_called(self):
        with Backend() as backend:
            for kwargs in [{"shots": -1}, {"shots": 2.5}, {"seed": "7"}, {"params": {"theta": "x"}},
                           {"params": {"theta": float("inf")}}]:
                with self.assertRaises(ValueError):
                    llmos_quantum.run(QuantumCircuit(1), **kwargs)
            with self.assertRaises(TypeError):
                llmos_quantum.run(42)
        self.assertEqual(backend.requests, [])

    def test_the_browser_module_is_used_when_present(self):
        seen = []
        fake = types.ModuleType("_llmos_quantum_backend")
        fake.run = lambda text: (seen.append(text), '{"counts": {"1": 4}}')[1]
        sys.modules["_llmos_quantum_backend"] = fake
        try:
            self.assertEqual(llmos_quantum.run(QuantumCircuit(1).x(0), shots=4)["counts"], {"1": 4})
        finally:
            del sys.modules["_llmos_quantum_backend"]
        self.assertEqual(json.loads(seen[0])["shots"], 4)

    def test_a_failing_browser_module_raises_quantum_error(self):
        fake = types.ModuleType("_llmos_quantum_backend")

        def run(text):
            raise RuntimeError("RuntimeError: unreachable executed")
        fake.run = run
        sys.modules["_llmos_quantum_backend"] = fake
        try:
            with self.assertRaisesRegex(QuantumError, "^the quantum runtime failed: RuntimeError: unreachable executed$"):
                llmos_quantum.run(QuantumCircuit(1))
        finally:
            del sys.modules["_llmos_quantum_backend"]

    def test_natively_the_llmos_executable_answers_on_stdout(self):
        with tempfile.TemporaryDirectory() as folder:
            tool = os.path.join(folder, "llmos")
            with open(tool, "w") as out:
                out.write("#!%s\nimport json, sys\n"
                          "assert sys.argv[1:] == ['quantum', '--request'], sys.argv\n"
                          "request = json.load(sys.stdin)\n"
                          "if 'hh' in request['qasm']:\n"
                          "    print(json.dumps({'error': 'line 3, column 1: unknown gate `hh`'})); sys.exit(1)\n"
                          "if 'crash' in request['qasm']:\n"
                          "    sys.stderr.write('thread main panicked'); sys.exit(101)\n"
                          "print(json.dumps({'counts': {'0': request['shots']}, 'seed': request['seed']}))\n" % sys.executable)
            os.chmod(tool, os.stat(tool).st_mode | stat.S_IEXEC)
            saved = os.environ.get("LLMOS_QUANTUM")
            os.environ["LLMOS_QUANTUM"] = tool
            try:
                self.assertEqual(llmos_quantum.run(QuantumCircuit(1), shots=3, seed=9), {"counts": {"0": 3}, "seed": 9})
                with self.assertRaisesRegex(QuantumError, "^line 3, column 1: unknown gate `hh`$"):
                    llmos_quantum.run("OPENQASM 2.0;\nqreg q[1];\nhh q[0];\n")
                with self.assertRaisesRegex(QuantumError, r"failed \(exit status 101\): thread main panicked"):
                    llmos_quantum.run("crash")
                os.environ["LLMOS_QUANTUM"] = os.path.join(folder, "missing")
                with self.assertRaisesRegex(QuantumError, "cannot start"):
                    llmos_quantum.run(QuantumCircuit(1))
                del os.environ["LLMOS_QUANTUM"]
                with self.assertRaisesRegex(QuantumError, "no quantum runtime.*LLMOS_QUANTUM"):
                    llmos_quantum.run(QuantumCircuit(1))
            finally:
                if saved is None:
                    os.environ.pop("LLMOS_QUANTUM", None)
                else:
                    os.environ["LLMOS_QUANTUM"] = saved


# -- the bundled skills ------------------------------------------------------

class BellStateSkillTest(unittest.TestCase):
    def test_every_variant_gives_its_bell_state(self):
        skill = load_skill("bell-state")
        signs = {"phi+": ("00", "11", 1), "phi-": ("00", "11", -1), "psi+": ("01", "10", 1), "psi-": ("10", "01", -1)}
        for variant, (first, second, sign) in signs.items():
            with Backend() as backend:
                out = skill.execute({"variant": variant, "shots": 1000, "seed": 7})
            self.assertEqual(backend.requests[0]["shots"], 1000)
            self.assertEqual(backend.requests[0]["seed"], 7)
            self.assertEqual(list(out["probabilities"]), ["00", "01", "10", "11"])
            self.assertEqual(out["probabilities"][first], 0.5)
            self.assertEqual(out["probabilities"][second], 0.5)
            self.assertEqual(out["amplitudes"][second], [rounded(sign * S2), 0.0])
            self.assertEqual(out["amplitudes"][first][0], rounded(S2))
            self.assertEqual(out["reduced_purity"], 0.5)
            self.assertEqual(sum(out["counts"].values()), 1000)
            self.assertEqual(out["count_values"], [out["counts"][k] for k in ["00", "01", "10", "11"]])
            self.assertEqual(sorted(out["expected_counts"]), [0, 0, 500, 500])
            self.assertTrue(out["histogram"].startswith("<svg"))
            self.assertEqual(out["circuit"], "q[0]: ...")

    def test_bad_inputs_are_refused(self):
        skill = load_skill("bell-state")
        for inputs in [{"variant": "ghz"}, {"shots": -1}, {"shots": 2_000_000}]:
            with self.assertRaises(ValueError):
                with Backend():
                    skill.execute(inputs)


class GroverSkillTest(unittest.TestCase):
    def test_multi_controlled_x_restores_borrowed_qubits(self):
        skill = load_skill("grover-search")
        for m in range(1, 8):
            for spare in range(0, 6):
                n = m + 1 + spare
                if m >= 3 and spare == 0 or n > 10:
                    continue
                qc = QuantumCircuit(n)
                skill.mcx(qc, list(range(m)), m, list(range(m + 1, n)))
                for basis in range(1 << n):
                    bits = [basis >> q & 1 for q in range(n)]
                    for name, _, args in qc._operations:
                        if all(bits[a] for a in args[:-1]):
                            bits[args[-1]] ^= 1
                    expected = basis ^ ((1 << m) if all(basis >> q & 1 for q in range(m)) else 0)
                    self.assertEqual(sum(b << q for q, b in enumerate(bits)), expected, (m, spare, basis))
                self.assertTrue(all(op[0] in ("x", "cx", "ccx") for op in qc._operations))
                if m >= 3 and spare >= m - 2:
                    self.assertEqual(len(qc._operations), 4 * (m - 2), "Barenco et al. Lemma 7.2")

    def test_multi_controlled_z_flips_only_all_ones(self):
        skill = load_skill("grover-search")
        for n in range(1, 7):
            qc = QuantumCircuit(n)
            for q in range(n):
                qc.h(q)
            skill.mcz(qc, list(range(n)))
            _, _, ops, _ = parse(qc.qasm(), {})
            state = simulate(n, ops)
            amp = 1 / math.sqrt(1 << n)
            for i, a in enumerate(state):
                self.assertAlmostEqual(a, -amp if i == (1 << n) - 1 else amp, places=12, msg=(n, i))

    def test_defaults_match_the_known_probabilities(self):
        skill = load_skill("grover-search")
        with Backend() as backend:
            out = skill.execute({})
        self.assertEqual(out["iterations_used"], 2)
        self.assertEqual(out["optimal_iterations"], 2)
        self.assertEqual(out["success_probability"], 0.9453125)
        self.assertEqual(out["success_curve"], [0.125, 0.78125, 0.9453125])
        self.assertEqual(out["most_likely"], "101")
        self.assertEqual(out["probabilities"]["000"], 0.0078125)
        self.assertEqual(len(out["probabilities"]), 8)
        self.assertTrue(out["histogram"].startswith("<svg"))
        self.assertEqual(len(backend.requests), 3, "one circuit for each of 0, 1 and 2 iterations")
        self.assertIn("gate oracle q0,q1,q2 {", backend.requests[-1]["qasm"])
        self.assertEqual(backend.requests[-1]["qasm"].count("\noracle q[0],q[1],q[2];"), 2)

    def test_curves_follow_sin_squared_of_odd_multiples_of_theta(self):
        skill = load_skill("grover-search")
        for n, marked, iterations in [(1, [1], 2), (2, ["10"], 3), (3, [0, 7], 4), (4, [3], 5), (5, [1, 30], -1),
                                      (3, [0, 1, 2, 3, 4, 5], 2), (4, list(range(11)), 3)]:
            with Backend():
                out = skill.execute({"n_qubits": n, "marked": marked, "iterations": iterations})
            m = len(set(int(x, 2) if isinstance(x, str) else x for x in marked))
            theta = math.asin(math.sqrt(m / 2 ** n))
            expected = [round(math.sin((2 * k + 1) * theta) ** 2, 10) for k in range(out["iterations_used"] + 1)]
            for got, want in zip(out["success_curve"], expected):
                self.assertAlmostEqual(got, want, places=9, msg=(n, marked))
            self.assertEqual(len(out["success_curve"]), len(expected))
            self.assertAlmostEqual(sum(out["probabilities"].values()), 1.0, places=8)

    def test_without_the_state_the_probabilities_are_measured_frequencies(self):
        # As the runtime answers past 10 qubits: counts, but no probabilities or amplitudes.
        def counts_only(request):
            response = json.loads(reference_backend(request))
            del response["probabilities"], response["amplitudes"]
            return json.dumps(response)
        skill = load_skill("grover-search")
        with Backend(counts_only):
            out = skill.execute({"shots": 4000, "seed": 3})
        self.assertEqual(out["most_likely"], "101")
        self.assertEqual(out["success_probability"], out["counts"]["101"] / 4000)
        self.assertAlmostEqual(out["success_probability"], 0.9453125, delta=0.02)
        self.assertAlmostEqual(out["success_curve"][0], 0.125, delta=0.02)
        self.assertAlmostEqual(sum(out["probabilities"].values()), 1.0, places=9)

    def test_bad_inputs_are_refused(self):
        skill = load_skill("grover-search")
        for inputs in [{"n_qubits": 11}, {"n_qubits": 0}, {"marked": []}, {"marked": [8]}, {"marked": ["11"]},
                       {"n_qubits": 1, "marked": [0, 1]}, {"iterations": 1000}, {"shots": 0}]:
            with Backend():
                with self.assertRaises(ValueError, msg=inputs):
                    skill.execute(inputs)


class QasmSkillTest(unittest.TestCase):
    def read(self, skill, name):
        with open(os.path.join(SKILLS, skill, "scripts", name)) as f:
            return f.read()

    def test_bell_qasm_prepares_phi_plus(self):
        response = json.loads(reference_backend(json.dumps(
            {"qasm": self.read("bell-state-qasm", "bell.qasm"), "shots": 1024, "seed": 7, "params": {}})))
        self.assertEqual(set(response["counts"]), {"00", "11"})
        self.assertEqual(set(response["amplitudes"]), {"00", "11"})
        self.assertAlmostEqual(response["amplitudes"]["11"][0], S2)

    def test_qft_qasm_turns_basis_state_5_into_a_phase_ramp(self):
        text = self.read("qft-qasm", "qft.qasm")
        self.assertTrue(text.startswith("OPENQASM 3.0;"))
        response = json.loads(reference_backend(json.dumps({"qasm": text, "shots": 1024, "seed": 7, "params": {}})))
        amplitudes = response["amplitudes"]
        self.assertEqual(len(amplitudes), 16)
        for k in range(16):
            want = cmath.exp(2j * math.pi * 5 * k / 16) / 4
            re_, im = amplitudes[format(k, "04b")]
            self.assertAlmostEqual(complex(re_, im), want, places=11, msg=k)


if __name__ == "__main__":
    unittest.main()
