"""Grover search as a gate-level circuit, run on LLMos's quantum runtime.

The oracle gives each marked state a phase of -1 with a multi-controlled Z
(X gates around it pick the state); the diffuser is H, X, multi-controlled
Z, X, H on every qubit. The multi-controlled Z is built from the cp, cx and
ccx gates of qelib1.inc with no extra qubits, after Barenco et al., "Elementary
gates for quantum computation" (1995), Lemmas 7.2, 7.3 and 7.5. Qubit 0 is
the least significant bit; bitstrings put it rightmost.
"""
import json
import math

import llmos_quantum

DEFAULTS = {"n_qubits": 3, "marked": [5], "iterations": -1, "shots": 1024, "seed": 7}
MAX_QUBITS = 10
# The success curve runs every circuit from 0 to k iterations: this bounds the
# multi-controlled Z gates simulated over all of them (oracle and diffuser).
MAX_WORK = 3000


def mcx(qc, controls, target, spare):
    """X on `target` when every control is 1, using only x, cx and ccx.

    `spare` lists other qubits the gate may borrow in any state; each is
    given back unchanged.
    """
    m = len(controls)
    if m == 0:
        qc.x(target)
    elif m == 1:
        qc.cx(controls[0], target)
    elif m == 2:
        qc.ccx(controls[0], controls[1], target)
    elif len(spare) >= m - 2:
        # Lemma 7.2: a chain of 4(m - 2) Toffolis through m - 2 borrowed qubits.
        a = spare[:m - 2]
        for _ in range(2):
            qc.ccx(controls[-1], a[-1], target)
            for i in reversed(range(m - 3)):
                qc.ccx(controls[i + 2], a[i], a[i + 1])
            qc.ccx(controls[0], controls[1], a[0])
            for i in range(m - 3):
                qc.ccx(controls[i + 2], a[i], a[i + 1])
    elif spare:
        # Lemma 7.3: split the controls in two halves around one borrowed
        # qubit; each half borrows the other half's qubits for its chain.
        a, rest = spare[0], spare[1:]
        half = (m + 1) // 2
        first, second = controls[:half], controls[half:] + [a]
        for _ in range(2):
            mcx(qc, first, a, controls[half:] + [target] + rest)
            mcx(qc, second, target, first + rest)
    else:
        raise ValueError("an X with %d controls needs a qubit to borrow" % m)


def mcp(qc, lam, controls, target, spare=()):
    """Phase e^(i lam) on the states where every control and the target are 1 (Lemma 7.5)."""
    if not controls:
        qc.p(lam, target)
        return
    if len(controls) == 1:
        qc.cp(lam, controls[0], target)
        return
    *rest, last = controls
    qc.cp(lam / 2, last, target)
    mcx(qc, rest, last, [target, *spare])
    qc.cp(-lam / 2, last, target)
    mcx(qc, rest, last, [target, *spare])
    mcp(qc, lam / 2, rest, target, [last, *spare])


def mcz(qc, qubits):
    """Phase -1 on the state where all `qubits` are 1."""
    mcp(qc, math.pi, qubits[:-1], qubits[-1])


def grover_gates(n, marked):
    """The oracle and the diffuser as named gates on n qubits."""
    qubits = list(range(n))
    circuit = llmos_quantum.QuantumCircuit(n)
    mcz(circuit, qubits)
    flip = circuit.to_gate("mcz")
    # Flipping the unmarked states instead differs only by a global phase of -1.
    if 2 * len(marked) > 2 ** n:
        marked = sorted(set(range(2 ** n)) - set(marked))
    oracle = llmos_quantum.QuantumCircuit(n)
    for state in marked:
        zeros = [q for q in qubits if not state >> q & 1]
        for q in zeros:
            oracle.x(q)
        oracle.append(flip, qubits)
        for q in zeros:
            oracle.x(q)
    diffuser = llmos_quantum.QuantumCircuit(n)
    for layer in ("h", "x"):
        for q in qubits:
            getattr(diffuser, layer)(q)
    diffuser.append(flip, qubits)
    for layer in ("x", "h"):
        for q in qubits:
            getattr(diffuser, layer)(q)
    return oracle.to_gate("oracle"), diffuser.to_gate("diffuser")


def grover_circuit(n, oracle, diffuser, iterations):
    qc = llmos_quantum.QuantumCircuit(n, n)
    for q in range(n):
        qc.h(q)
    for _ in range(iterations):
        qc.append(oracle, range(n)).append(diffuser, range(n))
    return qc.measure(range(n), range(n))


def optimal_iterations(n_states, n_marked):
    """Number of Grover iterations that maximises success probability."""
    theta = math.asin(math.sqrt(n_marked / n_states))
    return max(0, int(math.floor(math.pi / (4 * theta))))


def probabilities(result, n, shots):
    """Probability of every basis state: exact when the runtime reports the
    state (up to 10 qubits), else the measured frequencies."""
    labels = [format(i, "0%db" % n) for i in range(2 ** n)]
    if "probabilities" in result:
        return [result["probabilities"].get(label, 0.0) for label in labels]
    return [result["counts"].get(label, 0) / shots for label in labels]


def parse_marked(marked, n):
    if isinstance(marked, (int, str)):
        marked = [marked]
    if not isinstance(marked, list) or not marked:
        raise ValueError("marked must be a non-empty list of basis states")
    indices = set()
    for m in marked:
        if isinstance(m, str) and m and set(m) <= {"0", "1"} and len(m) == n:
            m = int(m, 2)  # accept bit strings such as "101"
        try:
            m = int(m)
        except (TypeError, ValueError):
            raise ValueError("marked entries must be integers or %d-bit strings (got %r)" % (n, m))
        if not 0 <= m < 2 ** n:
            raise ValueError("marked state %d is outside 0..%d" % (m, 2 ** n - 1))
        indices.add(m)
    if len(indices) == 2 ** n:
        raise ValueError("marking every state leaves nothing to search for")
    return sorted(indices)


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    try:
        n = int(inputs.get("n_qubits", DEFAULTS["n_qubits"]))
        iterations = int(inputs.get("iterations", DEFAULTS["iterations"]))
        shots = int(inputs.get("shots", DEFAULTS["shots"]))
        seed = int(inputs.get("seed", DEFAULTS["seed"]))
    except (TypeError, ValueError):
        raise ValueError("n_qubits, iterations, shots and seed must be integers")
    if not 1 <= n <= MAX_QUBITS:
        raise ValueError("n_qubits must be between 1 and %d" % MAX_QUBITS)
    if not 1 <= shots <= 1_000_000:
        raise ValueError("shots must be between 1 and 1000000")
    marked = parse_marked(inputs.get("marked", DEFAULTS["marked"]), n)
    best = optimal_iterations(2 ** n, len(marked))
    if iterations < 0:
        iterations = best
    flips = min(len(marked), 2 ** n - len(marked)) + 1  # multi-controlled Zs per iteration
    work = iterations * (iterations + 1) // 2 * flips
    if work > MAX_WORK:
        raise ValueError("%d iterations with %d marked state%s would simulate %d multi-controlled Z gates "
                         "over the success curve; the limit is %d: ask for fewer iterations"
                         % (iterations, len(marked), "" if len(marked) == 1 else "s", work, MAX_WORK))

    oracle, diffuser = grover_gates(n, marked)
    curve = []
    for k in range(iterations + 1):  # the last run is the answer
        result = llmos_quantum.run(grover_circuit(n, oracle, diffuser, k), shots=shots, seed=seed)
        probs = probabilities(result, n, shots)
        curve.append(round(sum(probs[m] for m in marked), 10))
    top = max(range(2 ** n), key=lambda i: probs[i])
    return {
        "iterations_used": iterations,
        "optimal_iterations": best,
        "success_probability": curve[-1],
        "most_likely": format(top, "0%db" % n),
        "probabilities": {format(i, "0%db" % n): round(p, 10) for i, p in enumerate(probs)},
        "success_curve": curve,
        "counts": result["counts"],
        "histogram": result["histogram"],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
