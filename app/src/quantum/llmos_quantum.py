"""LLMos's quantum runtime for Python skills: build a circuit, run it, read the counts.

    import llmos_quantum

    qc = llmos_quantum.QuantumCircuit(2, 2)
    qc.h(0).cx(0, 1).measure([0, 1], [0, 1])
    result = llmos_quantum.run(qc, shots=1024, seed=7)
    result["counts"]          # {"00": 510, "11": 514}: only 00 and 11 occur

The circuit is written as OpenQASM 2 (``qc.qasm()``) and simulated by the
state-vector simulator in the LLMos core: in the browser's Run panel it is
the core compiled to WebAssembly (the sandbox provides the module
``_llmos_quantum_backend``); under ``llmos run`` it is the ``llmos``
executable named by the environment variable ``LLMOS_QUANTUM``, run as
``llmos quantum --request``. No package needs to be installed.

Bit order, as in Qiskit: in every bitstring qubit 0 (or classical bit 0) is
the RIGHTMOST character. After ``x(0)`` on 3 qubits the state is ``"001"``.

Builder methods return the circuit itself, so calls can be chained.
"""
import json
import math
import numbers
import os
import re

__all__ = ["QuantumCircuit", "Gate", "QuantumError", "run"]


class QuantumError(Exception):
    """The runtime refused the circuit or could not be reached; the message says why."""


# Names a user gate may not take: OpenQASM 2 and 3 keywords, the gates of
# qelib1.inc and stdgates.inc, and the constants and functions of expressions.
_RESERVED = {
    "id", "h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "p", "u",
    "cx", "cy", "cz", "ch", "swap", "cp", "crx", "cry", "crz", "ccx", "cswap",
    "openqasm", "include", "qreg", "creg", "gate", "opaque", "measure", "reset",
    "barrier", "if", "pi", "sin", "cos", "tan", "exp", "ln", "sqrt",
    "u1", "u2", "u3", "u0", "sxdg", "csx", "cu1", "cu3", "c3x", "c4x", "rccx", "rc3x",
    "rxx", "ryy", "rzz", "cu", "qubit", "bit", "input", "output", "let", "ctrl", "inv", "pow",
    "for", "while", "def", "const", "box", "delay", "switch", "gphase", "int", "uint", "float",
    "angle", "bool", "duration", "stretch", "complex", "array", "defcal", "cal", "extern",
    "return", "pragma", "else", "tau", "euler", "arcsin", "arccos", "arctan",
}

_EXPRESSION = re.compile(r"^[A-Za-z0-9_.+\-*/^() ]+$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCTIONS = {"pi", "tau", "euler", "sin", "cos", "tan", "exp", "ln", "sqrt", "arcsin", "arccos", "arctan"}
_GATE_NAME = re.compile(r"^[a-z][A-Za-z0-9_]*$")


def _angle(gate, value):
    """An angle as OpenQASM text: a number (written with repr precision) or an expression string."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("%s: the angle %r is not a finite number" % (gate, value))
        text = repr(number)
        mantissa, e, exponent = text.partition("e")
        # OpenQASM 2 reals need a decimal point: 1e-07 becomes 1.0e-07.
        return mantissa + ".0e" + exponent if e and "." not in mantissa else text
    if isinstance(value, str) and _EXPRESSION.match(value.strip()):
        return value.strip()
    raise ValueError("%s: the angle %r is neither a number nor an expression such as 'pi/2' or 'theta'" % (gate, value))


def _free_names(angles):
    return {name for text in angles for name in _NAME.findall(text)
            if name not in _FUNCTIONS and not re.match(r"^[eE]\d*$", name)}


class Gate:
    """A named gate made from a circuit by ``QuantumCircuit.to_gate(name)``.

    Add it to a circuit with ``QuantumCircuit.append(gate, qubits)``;
    ``qasm()`` then writes one ``gate name q0,q1,... { ... }`` definition and
    one line per use, which keeps long circuits short.
    """

    def __init__(self, name, num_qubits, operations):
        self.name = name
        self.num_qubits = num_qubits
        self._operations = list(operations)

    def __repr__(self):
        return "Gate(%r, %d qubits)" % (self.name, self.num_qubits)

    def _definition(self):
        body = "".join("  %s;\n" % _statement(op, lambda q: "q%d" % q, None) for op in self._operations)
        qubits = ",".join("q%d" % q for q in range(self.num_qubits))
        return "gate %s %s {\n%s}" % (self.name, qubits, body)


def _statement(op, qubit, clbit):
    kind = op[0]
    if kind == "measure":
        return "measure %s -> %s" % (qubit(op[1]), clbit(op[2]))
    if kind == "reset":
        return "reset %s" % qubit(op[1])
    if kind == "barrier":
        return "barrier %s" % ",".join(qubit(q) for q in op[1])
    if kind == "call":
        gate, qubits = op[1], op[2]
        return "%s %s" % (gate.name, ",".join(qubit(q) for q in qubits))
    angles, qubits = op[1], op[2]
    params = "(%s)" % ",".join(angles) if angles else ""
    return "%s%s %s" % (kind, params, ",".join(qubit(q) for q in qubits))


class QuantumCircuit:
    """A circuit of ``num_qubits`` qubits and ``num_clbits`` classical bits, built gate by gate.

    Qubit and classical bit indices start at 0. Angles are in radians: a
    number, or an OpenQASM expression string such as ``"pi/4"``; a name in
    an expression that is not ``pi`` (or sin, cos, tan, exp, ln, sqrt) is a
    free parameter whose value ``run(..., params={"theta": 0.5})`` supplies.
    Every method returns the circuit, so ``qc.h(0).cx(0, 1)`` works.
    A wrong index raises ``ValueError`` naming the gate and the index.
    """

    def __init__(self, num_qubits, num_clbits=0):
        for what, value, least in (("num_qubits", num_qubits, 1), ("num_clbits", num_clbits, 0)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
                raise ValueError("QuantumCircuit: %s must be a whole number of at least %d, got %r" % (what, least, value))
        self.num_qubits = int(num_qubits)
        self.num_clbits = int(num_clbits)
        self._operations = []

    def __repr__(self):
        return "QuantumCircuit(%d, %d) with %d operations" % (self.num_qubits, self.num_clbits, len(self._operations))

    # -- indices --------------------------------------------------------

    def _index(self, gate, value, size, what):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError("%s: the %s index %r is not a whole number" % (gate, what, value))
        if not 0 <= value < size:
            raise ValueError("%s: %s index %d is out of range; the circuit has %d %ss (0 to %d)"
                             % (gate, what, value, size, what, size - 1))
        return int(value)

    def _qubits(self, gate, qubits):
        indices = [self._index(gate, q, self.num_qubits, "qubit") for q in qubits]
        if len(set(indices)) != len(indices):
            raise ValueError("%s: qubit %d is used twice; the qubits of one gate must differ"
                             % (gate, next(q for q in indices if indices.count(q) > 1)))
        return indices

    def _gate(self, name, angles, qubits):
        texts = [_angle(name, a) for a in angles]
        self._operations.append((name, texts, self._qubits(name, qubits)))
        return self

    # -- single-qubit gates ---------------------------------------------

    def id(self, qubit):
        """Identity (does nothing; marks a time step)."""
        return self._gate("id", [], [qubit])

    def h(self, qubit):
        """Hadamard: |0> -> (|0> + |1>)/sqrt2, |1> -> (|0> - |1>)/sqrt2."""
        return self._gate("h", [], [qubit])

    def x(self, qubit):
        """Pauli X (NOT)."""
        return self._gate("x", [], [qubit])

    def y(self, qubit):
        """Pauli Y."""
        return self._gate("y", [], [qubit])

    def z(self, qubit):
        """Pauli Z: phase -1 on |1>."""
        return self._gate("z", [], [qubit])

    def s(self, qubit):
        """Phase pi/2 on |1>."""
        return self._gate("s", [], [qubit])

    def sdg(self, qubit):
        """Phase -pi/2 on |1> (inverse of s)."""
        return self._gate("sdg", [], [qubit])

    def t(self, qubit):
        """Phase pi/4 on |1>."""
        return self._gate("t", [], [qubit])

    def tdg(self, qubit):
        """Phase -pi/4 on |1> (inverse of t)."""
        return self._gate("tdg", [], [qubit])

    def sx(self, qubit):
        """Square root of X."""
        return self._gate("sx", [], [qubit])

    def rx(self, theta, qubit):
        """Rotation by theta about the X axis."""
        return self._gate("rx", [theta], [qubit])

    def ry(self, theta, qubit):
        """Rotation by theta about the Y axis."""
        return self._gate("ry", [theta], [qubit])

    def rz(self, phi, qubit):
        """Rotation by phi about the Z axis: diag(e^{-i phi/2}, e^{i phi/2})."""
        return self._gate("rz", [phi], [qubit])

    def p(self, lam, qubit):
        """Phase lam on |1>: diag(1, e^{i lam})."""
        return self._gate("p", [lam], [qubit])

    def u(self, theta, phi, lam, qubit):
        """The general single-qubit gate u(theta, phi, lam) (u3 of OpenQASM 2)."""
        return self._gate("u", [theta, phi, lam], [qubit])

    # -- multi-qubit gates -----------------------------------------------

    def cx(self, control, target):
        """Controlled X (CNOT)."""
        return self._gate("cx", [], [control, target])

    def cy(self, control, target):
        """Controlled Y."""
        return self._gate("cy", [], [control, target])

    def cz(self, control, target):
        """Controlled Z: phase -1 on |11>."""
        return self._gate("cz", [], [control, target])

    def ch(self, control, target):
        """Controlled Hadamard."""
        return self._gate("ch", [], [control, target])

    def swap(self, a, b):
        """Exchanges two qubits."""
        return self._gate("swap", [], [a, b])

    def cp(self, lam, control, target):
        """Controlled phase: e^{i lam} on |11>."""
        return self._gate("cp", [lam], [control, target])

    def crx(self, theta, control, target):
        """Controlled rx."""
        return self._gate("crx", [theta], [control, target])

    def cry(self, theta, control, target):
        """Controlled ry."""
        return self._gate("cry", [theta], [control, target])

    def crz(self, phi, control, target):
        """Controlled rz."""
        return self._gate("crz", [phi], [control, target])

    def ccx(self, control1, control2, target):
        """Toffoli: X on target when both controls are 1."""
        return self._gate("ccx", [], [control1, control2, target])

    def cswap(self, control, a, b):
        """Fredkin: exchanges a and b when control is 1."""
        return self._gate("cswap", [], [control, a, b])

    # -- everything else -------------------------------------------------

    def barrier(self, *qubits):
        """A barrier on the given qubits (all of them when none are given); changes nothing."""
        chosen = self._qubits("barrier", qubits or range(self.num_qubits))
        self._operations.append(("barrier", chosen))
        return self

    def reset(self, qubit):
        """Puts a qubit back to |0>."""
        self._operations.append(("reset", self._index("reset", qubit, self.num_qubits, "qubit")))
        return self

    def measure(self, qubit, clbit):
        """Measures a qubit into a classical bit, or a list of qubits into a list of classical bits."""
        qubits = list(qubit) if isinstance(qubit, (list, tuple, range)) else [qubit]
        clbits = list(clbit) if isinstance(clbit, (list, tuple, range)) else [clbit]
        if len(qubits) != len(clbits):
            raise ValueError("measure: %d qubits but %d classical bits; give one classical bit per qubit"
                             % (len(qubits), len(clbits)))
        pairs = [(self._index("measure", q, self.num_qubits, "qubit"), self._index("measure", c, self.num_clbits, "classical bit"))
                 for q, c in zip(qubits, clbits)]
        self._operations.extend(("measure", q, c) for q, c in pairs)
        return self

    def measure_all(self):
        """A barrier, then qubit i measured into classical bit i for every qubit.

        Like Qiskit's, it adds classical bits when the circuit has fewer than
        qubits (here the register grows to ``num_qubits`` bits).
        """
        self.num_clbits = max(self.num_clbits, self.num_qubits)
        self.barrier()
        return self.measure(range(self.num_qubits), range(self.num_qubits))

    def to_gate(self, name):
        """This circuit as a reusable ``Gate`` called ``name`` (gates only: no measure, reset or barrier)."""
        if not isinstance(name, str) or not _GATE_NAME.match(name) or name.lower() in _RESERVED:
            raise ValueError("to_gate: %r cannot name a gate; use a lowercase name such as 'oracle' that is not a gate of qelib1.inc" % (name,))
        for op in self._operations:
            if op[0] in ("measure", "reset", "barrier"):
                raise ValueError("to_gate: the circuit holds a %s; a gate can hold only gates" % op[0])
            if op[0] != "call" and _free_names(op[1]):
                raise ValueError("to_gate: %s uses the parameter %s; a gate's angles must be numbers or expressions of pi"
                                 % (op[0], sorted(_free_names(op[1]))[0]))
        return Gate(name, self.num_qubits, self._operations)

    def append(self, gate, qubits):
        """Applies a ``Gate`` from ``to_gate`` to the given qubits, its qubit i on ``qubits[i]``."""
        if not isinstance(gate, Gate):
            raise ValueError("append: expected a Gate made by QuantumCircuit.to_gate, got %r" % (gate,))
        qubits = list(qubits)
        if len(qubits) != gate.num_qubits:
            raise ValueError("append: %s acts on %d qubits, got %d" % (gate.name, gate.num_qubits, len(qubits)))
        self._operations.append(("call", gate, self._qubits(gate.name, qubits)))
        return self

    # -- output -----------------------------------------------------------

    def _definitions(self):
        """The user gates this circuit uses, each after the gates it uses itself."""
        ordered, seen = [], {}

        def visit(operations):
            for op in operations:
                if op[0] != "call":
                    continue
                gate = op[1]
                known = seen.get(gate.name)
                if known is gate:
                    continue
                if known is not None and known._definition() != gate._definition():
                    raise ValueError("qasm: two different gates are both called %r; give them different names" % gate.name)
                if known is None:
                    seen[gate.name] = gate
                    visit(gate._operations)
                    ordered.append(gate)

        visit(self._operations)
        return ordered

    def qasm(self):
        """The circuit as OpenQASM 2.0 text, one statement per line (Qiskit's layout)."""
        lines = ["OPENQASM 2.0;", 'include "qelib1.inc";']
        lines += [gate._definition() for gate in self._definitions()]
        lines.append("qreg q[%d];" % self.num_qubits)
        if self.num_clbits:
            lines.append("creg c[%d];" % self.num_clbits)
        lines += ["%s;" % _statement(op, lambda q: "q[%d]" % q, lambda c: "c[%d]" % c) for op in self._operations]
        return "\n".join(lines) + "\n"


def _backend(request):
    """Sends the request JSON text to the runtime and returns its response JSON text."""
    try:
        import _llmos_quantum_backend  # provided by the browser's sandbox
    except ImportError:
        _llmos_quantum_backend = None
    if _llmos_quantum_backend is not None:
        try:
            return str(_llmos_quantum_backend.run(request))
        except Exception as error:  # in Pyodide, a JsException from the WebAssembly runtime
            raise QuantumError("the quantum runtime failed: %s" % error) from None
    executable = os.environ.get("LLMOS_QUANTUM")
    if not executable:
        raise QuantumError("no quantum runtime: run the skill with `llmos run` or in a Run panel, "
                           "or set LLMOS_QUANTUM to the path of the llmos executable")
    import subprocess
    try:
        done = subprocess.run([executable, "quantum", "--request"], input=request.encode("utf-8"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise QuantumError("cannot start `%s quantum --request`: %s" % (executable, error)) from None
    answer = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 and not answer.startswith("{"):
        message = done.stderr.decode("utf-8", "replace").strip() or "no message"
        raise QuantumError("`%s quantum --request` failed (exit status %d): %s" % (executable, done.returncode, message))
    return answer


def run(circuit_or_qasm, shots=1024, seed=None, params=None):
    """Simulates a circuit and returns the runtime's response as a dict.

    ``circuit_or_qasm`` is a ``QuantumCircuit`` or OpenQASM 2 or 3 text.
    ``shots`` (0 or more) measurements are sampled; the same ``seed`` gives
    the same counts, natively and in the browser (``None``: a fresh sample).
    ``params`` maps the names of OpenQASM 3 ``input float[64] name;``
    declarations, or free parameter names, to numbers.

    The response::

        {"counts": {"00": 510, "11": 514},      # by classical bits, clbit 0 rightmost
         "shots": 1024, "seed": 7, "qubits": 2, "clbits": 2,
         "most_likely": [{"outcome": "11", "count": 514, "probability": 0.502}, ...],
         "probabilities": {"00": 0.5, "11": 0.5},          # up to 10 qubits,
         "amplitudes": {"00": [0.7071, 0.0], "11": [0.7071, 0.0]},   # nonzero only
         "histogram": "<svg ...>",                          # the counts as a bar chart
         "circuit": "q_0: ─H─■─ ..."}                       # a text diagram

    ``counts`` is keyed by all classical bits; a circuit without
    measurements is sampled on all qubits. ``probabilities`` and
    ``amplitudes`` ([real, imaginary]) describe the state before the final
    measurements, keyed by qubits (qubit 0 rightmost), and are present only
    for circuits of up to 10 qubits. Raises ``QuantumError`` with the
    runtime's message (``line 3, column 5: unknown gate ...``) when it
    refuses the circuit.
    """
    if isinstance(circuit_or_qasm, QuantumCircuit):
        text = circuit_or_qasm.qasm()
    elif isinstance(circuit_or_qasm, str):
        text = circuit_or_qasm
    else:
        raise TypeError("run: expected a QuantumCircuit or OpenQASM text, got %s" % type(circuit_or_qasm).__name__)
    if isinstance(shots, bool) or not isinstance(shots, numbers.Integral) or shots < 0:
        raise ValueError("run: shots must be a whole number of 0 or more, got %r" % (shots,))
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise ValueError("run: seed must be a whole number or None, got %r" % (seed,))
    values = {}
    for name, value in (params or {}).items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError("run: the parameter %s must be a finite number, got %r" % (name, value))
        values[str(name)] = value
    request = json.dumps({"qasm": text, "shots": int(shots), "seed": None if seed is None else int(seed), "params": values})
    answer = _backend(request)
    try:
        response = json.loads(answer)
    except ValueError:
        raise QuantumError("the quantum runtime answered with text that is not JSON: %.200r" % answer) from None
    if not isinstance(response, dict):
        raise QuantumError("the quantum runtime answered with %s instead of an object" % type(response).__name__)
    if "error" in response:
        raise QuantumError(str(response["error"]))
    return response
