"""Prepare one of the four Bell states and measure it, on LLMos's quantum runtime.

The circuit is built with llmos_quantum.QuantumCircuit and simulated by the
runtime's state-vector simulator; this script chooses the preparation, reads
the state back and checks the entanglement. Labels are q1q0 (qubit 0
rightmost, as in Qiskit).
"""
import json

import llmos_quantum

DEFAULTS = {"variant": "phi+", "shots": 1000, "seed": 7}
LABELS = ["00", "01", "10", "11"]

# The qubits to flip with X before the H + CNOT "entangler", per Bell state.
PREP = {
    "phi+": [],      # (|00> + |11>)/sqrt2
    "phi-": [0],     # control starts in |1>: (|00> - |11>)/sqrt2
    "psi+": [1],     # target starts in |1>:  (|01> + |10>)/sqrt2
    "psi-": [0, 1],  # |11> -> (|10> - |01>)/sqrt2, psi- up to a global sign
}


def bell_circuit(variant):
    qc = llmos_quantum.QuantumCircuit(2, 2)
    for qubit in PREP[variant]:
        qc.x(qubit)
    qc.h(0).cx(0, 1)
    return qc.measure([0, 1], [0, 1])


def reduced_purity(state):
    """Tr(rho^2) of qubit 1 after tracing out qubit 0 (1 = product state, 0.5 = maximally entangled)."""
    # rho[a][b] = sum_c psi[a, c] * conj(psi[b, c]), with basis index 2*a + c
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

    result = llmos_quantum.run(bell_circuit(variant), shots=shots, seed=seed)

    # The runtime lists nonzero entries only, rounded to 12 decimals; the
    # outputs keep all four labels.
    amplitudes = {label: result["amplitudes"].get(label, [0.0, 0.0]) for label in LABELS}
    probabilities = {label: result["probabilities"].get(label, 0.0) for label in LABELS}
    counts = {label: result["counts"].get(label, 0) for label in LABELS}
    state = [complex(*amplitudes[label]) for label in LABELS]
    return {
        "amplitudes": amplitudes,
        "probabilities": probabilities,
        "counts": counts,
        "circuit": result["circuit"],
        # 10 decimals: the amplitudes' rounding moves the 12th.
        "reduced_purity": round(reduced_purity(state), 10),
        "histogram": result["histogram"],
        # The same numbers as lists in basis order 00, 01, 10, 11, for charts.
        "count_values": [counts[label] for label in LABELS],
        "expected_counts": [round(shots * probabilities[label], 6) for label in LABELS],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
