"""Prepare one of the four Bell states on a two-qubit statevector simulator.

Pure standard library: amplitudes are Python complex numbers in a list of
length 4, indexed by the basis state |q1 q0> read as a binary number.
"""
import json
import math
import random

DEFAULTS = {"variant": "phi+", "shots": 1000, "seed": 7}

SQRT1_2 = 1 / math.sqrt(2)
H = [[SQRT1_2, SQRT1_2], [SQRT1_2, -SQRT1_2]]
X = [[0, 1], [1, 0]]
Z = [[1, 0], [0, -1]]

# Which single-qubit gates to apply to the |00> input before the H + CNOT
# "entangler" so that each Bell state comes out.
PREP = {
    "phi+": [],
    "phi-": [("X", 0)],          # control starts in |1>: (|00> - |11>)/sqrt2
    "psi+": [("X", 1)],          # target starts in |1>:  (|01> + |10>)/sqrt2
    "psi-": [("X", 0), ("X", 1)],  # |11> -> (|01> - |10>)/sqrt2
}
GATES = {"X": X, "Z": Z, "H": H}


def apply_1q(state, gate, target):
    """Apply a 2x2 gate to qubit `target` of an n-qubit statevector."""
    out = list(state)
    bit = 1 << target
    for i in range(len(state)):
        if i & bit:
            continue
        j = i | bit
        a, b = state[i], state[j]
        out[i] = gate[0][0] * a + gate[0][1] * b
        out[j] = gate[1][0] * a + gate[1][1] * b
    return out


def apply_cnot(state, control, target):
    out = list(state)
    for i in range(len(state)):
        if (i >> control) & 1:
            out[i] = state[i ^ (1 << target)]
    return out


def reduced_purity(state):
    """Tr(rho_A^2) of qubit 1 after tracing out qubit 0 (1 = product, 0.5 = maximal)."""
    # rho_A[a][b] = sum_c psi[a,c] * conj(psi[b,c]) with index = 2*a + c
    rho = [[sum(state[2 * a + c] * state[2 * b + c].conjugate() for c in range(2))
            for b in range(2)] for a in range(2)]
    return sum((rho[a][b] * rho[b][a]).real for a in range(2) for b in range(2))


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    variant = str(inputs.get("variant", DEFAULTS["variant"])).strip().lower()
    aliases = {"phi_plus": "phi+", "phi_minus": "phi-", "psi_plus": "psi+", "psi_minus": "psi-"}
    variant = aliases.get(variant, variant)
    if variant not in PREP:
        raise ValueError("variant must be one of phi+, phi-, psi+, psi- (got %r)" % variant)
    try:
        shots = int(inputs.get("shots", DEFAULTS["shots"]))
        seed = int(inputs.get("seed", DEFAULTS["seed"]))
    except (TypeError, ValueError):
        raise ValueError("shots and seed must be integers")
    if not 0 <= shots <= 1_000_000:
        raise ValueError("shots must be between 0 and 1000000")

    state = [1 + 0j, 0j, 0j, 0j]  # |00>
    steps = []
    for name, q in PREP[variant]:
        state = apply_1q(state, GATES[name], q)
        steps.append("%s q%d" % (name, q))
    state = apply_1q(state, H, 0)
    steps.append("H q0")
    state = apply_cnot(state, control=0, target=1)
    steps.append("CNOT q0->q1")

    labels = [format(i, "02b") for i in range(4)]  # "q1q0"
    probs = [abs(a) ** 2 for a in state]
    rng = random.Random(seed)
    counts = {lab: 0 for lab in labels}
    for _ in range(shots):
        r, acc = rng.random(), 0.0
        for lab, p in zip(labels, probs):
            acc += p
            if r < acc:
                counts[lab] += 1
                break
        else:
            counts[labels[-1]] += 1

    pre = " ".join("%s(q%d)" % (n, q) for n, q in PREP[variant])
    circuit = "\n".join([
        "q0: |0>--%s--[H]--*-----" % ("[X]" if ("X", 0) in PREP[variant] else "---"),
        "                   |",
        "q1: |0>--%s-------(+)---" % ("[X]" if ("X", 1) in PREP[variant] else "---"),
    ])
    return {
        "amplitudes": {lab: [round(a.real, 12), round(a.imag, 12)] for lab, a in zip(labels, state)},
        "probabilities": {lab: round(p, 12) for lab, p in zip(labels, probs)},
        "counts": counts,
        "circuit": circuit + ("\n(pre-rotation: %s)" % pre if pre else ""),
        "reduced_purity": round(reduced_purity(state), 12),
        # The same numbers as lists in basis order 00, 01, 10, 11, for charts.
        "count_values": [counts[lab] for lab in labels],
        "expected_counts": [round(shots * p, 6) for p in probs],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
