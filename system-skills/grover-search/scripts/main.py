"""Grover search on a small statevector simulator (standard library only).

The oracle flips the sign of the marked basis states; the diffuser reflects
all amplitudes about their mean. Qubit 0 is the least significant bit.
"""
import json
import math

DEFAULTS = {"n_qubits": 3, "marked": [5], "iterations": -1}
MAX_QUBITS = 12


def optimal_iterations(n_states, n_marked):
    """Number of Grover iterations that maximises success probability."""
    theta = math.asin(math.sqrt(n_marked / n_states))
    return max(0, int(math.floor(math.pi / (4 * theta))))


def grover(n, marked, iterations):
    dim = 2 ** n
    amp = [1 / math.sqrt(dim)] * dim     # H on every qubit from |0...0>
    marked_set = set(marked)
    curve = [sum(amp[m] ** 2 for m in marked_set)]
    for _ in range(iterations):
        for m in marked_set:             # oracle: phase flip on marked states
            amp[m] = -amp[m]
        mean = sum(amp) / dim            # diffuser: 2|s><s| - I
        amp = [2 * mean - a for a in amp]
        curve.append(sum(amp[m] ** 2 for m in marked_set))
    return amp, curve


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    try:
        n = int(inputs.get("n_qubits", DEFAULTS["n_qubits"]))
        iterations = int(inputs.get("iterations", DEFAULTS["iterations"]))
    except (TypeError, ValueError):
        raise ValueError("n_qubits and iterations must be integers")
    marked = inputs.get("marked", DEFAULTS["marked"])
    if isinstance(marked, (int, str)):
        marked = [marked]
    if not isinstance(marked, list) or not marked:
        raise ValueError("marked must be a non-empty list of basis states")
    if not 1 <= n <= MAX_QUBITS:
        raise ValueError("n_qubits must be between 1 and %d" % MAX_QUBITS)
    dim = 2 ** n
    idx = []
    for m in marked:
        if isinstance(m, str) and m and set(m) <= {"0", "1"} and len(m) == n:
            m = int(m, 2)           # accept bit strings such as "101"
        try:
            m = int(m)
        except (TypeError, ValueError):
            raise ValueError("marked entries must be integers or %d-bit strings (got %r)" % (n, m))
        if not 0 <= m < dim:
            raise ValueError("marked state %d is outside 0..%d" % (m, dim - 1))
        idx.append(m)
    idx = sorted(set(idx))
    if len(idx) == dim:
        raise ValueError("marking every state leaves nothing to search for")
    best = optimal_iterations(dim, len(idx))
    if iterations < 0:
        iterations = best
    if iterations > 10000:
        raise ValueError("iterations must be at most 10000")

    amp, curve = grover(n, idx, iterations)
    probs = [a * a for a in amp]
    top = max(range(dim), key=lambda i: probs[i])
    return {
        "iterations_used": iterations,
        "optimal_iterations": best,
        "success_probability": round(sum(probs[m] for m in idx), 10),
        "most_likely": format(top, "0%db" % n),
        "probabilities": {format(i, "0%db" % n): round(p, 10) for i, p in enumerate(probs)},
        "success_curve": [round(c, 10) for c in curve],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
