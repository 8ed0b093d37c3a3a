"""Quantum Fourier transform of a computational basis state, gate by gate.

Statevector simulation with the standard library only. Qubit 0 is the least
significant bit of the basis index (little-endian, as in Qiskit).
"""
import cmath
import json
import math

DEFAULTS = {"n_qubits": 3, "basis_state": 5, "inverse": False}
MAX_QUBITS = 10


def apply_h(state, q):
    s = 1 / math.sqrt(2)
    bit = 1 << q
    out = list(state)
    for i in range(len(state)):
        if not i & bit:
            a, b = state[i], state[i | bit]
            out[i], out[i | bit] = s * (a + b), s * (a - b)
    return out


def apply_cphase(state, c, t, angle):
    """Controlled phase: multiply amplitudes where both qubits are 1 by e^{i angle}."""
    ph = cmath.exp(1j * angle)
    mask = (1 << c) | (1 << t)
    return [a * ph if (i & mask) == mask else a for i, a in enumerate(state)]


def apply_swap(state, a, b):
    out = list(state)
    for i in range(len(state)):
        ba, bb = (i >> a) & 1, (i >> b) & 1
        if ba != bb:
            out[i ^ ((1 << a) | (1 << b))] = state[i]
    return out


def qft_gates(n, inverse=False):
    """Gate list for the QFT (or its inverse) on n qubits."""
    gates = []
    for j in reversed(range(n)):          # most significant qubit first
        gates.append(("H", j))
        for k in reversed(range(j)):
            gates.append(("CP", k, j, math.pi / 2 ** (j - k)))
    for q in range(n // 2):
        gates.append(("SWAP", q, n - 1 - q))
    if inverse:  # reverse order and conjugate the phases
        gates = [(g[0], g[1], g[2], -g[3]) if g[0] == "CP" else g for g in reversed(gates)]
    return gates


def run(state, gates):
    for g in gates:
        if g[0] == "H":
            state = apply_h(state, g[1])
        elif g[0] == "CP":
            state = apply_cphase(state, g[1], g[2], g[3])
        else:
            state = apply_swap(state, g[1], g[2])
    return state


def describe(g):
    if g[0] == "H":
        return "H q%d" % g[1]
    if g[0] == "CP":
        return "CP(%s) q%d,q%d" % (angle_text(g[3]), g[1], g[2])
    return "SWAP q%d,q%d" % (g[1], g[2])


def angle_text(a):
    k = round(math.pi / abs(a))
    return ("-" if a < 0 else "") + ("pi" if k == 1 else "pi/%d" % k)


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    try:
        n = int(inputs.get("n_qubits", DEFAULTS["n_qubits"]))
        x = int(inputs.get("basis_state", DEFAULTS["basis_state"]))
    except (TypeError, ValueError):
        raise ValueError("n_qubits and basis_state must be integers")
    inverse = inputs.get("inverse", DEFAULTS["inverse"])
    if isinstance(inverse, str):
        inverse = inverse.strip().lower() in ("true", "1", "yes")
    inverse = bool(inverse)
    if not 1 <= n <= MAX_QUBITS:
        raise ValueError("n_qubits must be between 1 and %d" % MAX_QUBITS)
    dim = 2 ** n
    if not 0 <= x < dim:
        raise ValueError("basis_state must be between 0 and %d for %d qubits" % (dim - 1, n))

    state = [0j] * dim
    state[x] = 1 + 0j
    gates = qft_gates(n, inverse)
    out = run(state, gates)

    # Reference: the discrete Fourier transform of the basis vector e_x.
    sign = -1 if inverse else 1
    ref = [cmath.exp(sign * 2j * math.pi * x * k / dim) / math.sqrt(dim) for k in range(dim)]
    max_dev = max(abs(a - b) for a, b in zip(out, ref))

    amps = []
    for k, a in enumerate(out):
        amps.append({
            "index": k,
            "bits": format(k, "0%db" % n),
            "re": round(a.real, 10),
            "im": round(a.imag, 10),
            "magnitude": round(abs(a), 10),
            "phase_turns": round((cmath.phase(a) / (2 * math.pi)) % 1.0, 10),
        })
    return {
        "amplitudes": amps,
        "gates": [describe(g) for g in gates],
        "phase_step_turns": round((sign * x / dim) % 1.0, 10),
        "matches_dft": max_dev < 1e-9,
        "max_deviation": max_dev,
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
