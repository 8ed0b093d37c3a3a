"""Variational quantum eigensolver for H2 in the STO-3G basis at R = 0.735 Angstrom.

The molecular Hamiltonian has been reduced to two qubits (parity mapping with
two-qubit symmetry reduction). Coefficients in Hartree, as published in many
VQE tutorials for this geometry. Pauli labels are written q1q0 (rightmost
character acts on qubit 0). Standard library only.
"""
import json
import math

HAMILTONIAN = {
    "II": -1.052373245772859,
    "IZ": 0.39793742484318045,
    "ZI": -0.39793742484318045,
    "ZZ": -0.01128010425623538,
    "XX": 0.18093119978423156,
}
NUCLEAR_REPULSION = 0.7199689944489797  # Ha, 1/R in atomic units for R = 0.735 A
DEFAULTS = {"initial_theta": 0.0, "learning_rate": 0.5, "max_iterations": 200, "tolerance": 1e-10}

PAULI = {
    "I": ((1, 0), (0, 1)),
    "X": ((0, 1), (1, 0)),
    "Y": ((0, -1j), (1j, 0)),
    "Z": ((1, 0), (0, -1)),
}


def apply_1q(state, m, q):
    out, bit = list(state), 1 << q
    for i in range(len(state)):
        if not i & bit:
            a, b = state[i], state[i | bit]
            out[i] = m[0][0] * a + m[0][1] * b
            out[i | bit] = m[1][0] * a + m[1][1] * b
    return out


def ry(theta):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return ((c, -s), (s, c))


def cnot(state, control, target):
    return [state[i ^ (1 << target)] if (i >> control) & 1 else state[i] for i in range(len(state))]


def ansatz(theta):
    """X q0 (Hartree-Fock reference |01>), Ry(theta) q1, CNOT q1->q0.

    Result: cos(theta/2)|01> + sin(theta/2)|10>, the single-parameter
    family that mixes the Hartree-Fock state with the doubly excited one.
    """
    state = [1 + 0j, 0j, 0j, 0j]
    state = apply_1q(state, PAULI["X"], 0)
    state = apply_1q(state, ry(theta), 1)
    return cnot(state, 1, 0)


def pauli_expectation(state, label):
    """<psi| P |psi> for a Pauli string such as 'ZI' (label[-1] acts on qubit 0)."""
    phi = list(state)
    for q, ch in enumerate(reversed(label)):
        if ch != "I":
            phi = apply_1q(phi, PAULI[ch], q)
    return sum((a.conjugate() * b) for a, b in zip(state, phi)).real


def energy(theta):
    st = ansatz(theta)
    return sum(c * pauli_expectation(st, p) for p, c in HAMILTONIAN.items())


def hamiltonian_matrix():
    dim = 4
    mat = [[0.0] * dim for _ in range(dim)]
    for col in range(dim):
        e = [0j] * dim
        e[col] = 1 + 0j
        for label, c in HAMILTONIAN.items():
            v = list(e)
            for q, ch in enumerate(reversed(label)):
                if ch != "I":
                    v = apply_1q(v, PAULI[ch], q)
            for row in range(dim):
                mat[row][col] += (c * v[row]).real  # H2 Hamiltonian is real
    return mat


def jacobi_eigenvalues(a, sweeps=100):
    """Eigenvalues of a small real symmetric matrix by cyclic Jacobi rotations."""
    n = len(a)
    a = [row[:] for row in a]
    for _ in range(sweeps):
        off = sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off < 1e-24:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if abs(a[p][q]) < 1e-300:
                    continue
                tau = (a[q][q] - a[p][p]) / (2 * a[p][q])
                t = math.copysign(1.0, tau) / (abs(tau) + math.sqrt(1 + tau * tau))
                c = 1 / math.sqrt(1 + t * t)
                s = t * c
                for k in range(n):
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
    return sorted(a[i][i] for i in range(n))


def number(inputs, key, cast=float):
    val = inputs.get(key, DEFAULTS[key])
    try:
        val = cast(val)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number (got %r)" % (key, val))
    if isinstance(val, float) and not math.isfinite(val):
        raise ValueError("%s must be finite" % key)
    return val


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    theta = number(inputs, "initial_theta")
    lr = number(inputs, "learning_rate")
    max_iter = number(inputs, "max_iterations", int)
    tol = number(inputs, "tolerance")
    if not 0 < lr <= 5:
        raise ValueError("learning_rate must be in (0, 5]")
    if not 1 <= max_iter <= 100000:
        raise ValueError("max_iterations must be between 1 and 100000")
    if tol <= 0:
        raise ValueError("tolerance must be positive")

    e = energy(theta)
    history = [e]
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):
        # Parameter-shift rule: exact gradient from two energy evaluations,
        # the same recipe a real quantum device would use.
        grad = 0.5 * (energy(theta + math.pi / 2) - energy(theta - math.pi / 2))
        theta -= lr * grad
        e_new = energy(theta)
        history.append(e_new)
        if abs(e_new - e) < tol:
            e = e_new
            converged = True
            break
        e = e_new

    theta = math.atan2(math.sin(theta), math.cos(theta))  # wrap to (-pi, pi]
    exact_electronic = jacobi_eigenvalues(hamiltonian_matrix())[0]
    total = e + NUCLEAR_REPULSION
    exact_total = exact_electronic + NUCLEAR_REPULSION
    st = ansatz(theta)
    step = max(1, len(history) // 50)
    return {
        "energy": round(total, 10),
        "electronic_energy": round(e, 10),
        "theta": round(theta, 10),
        "iterations": iterations,
        "converged": converged,
        "hartree_fock_energy": round(energy(0.0) + NUCLEAR_REPULSION, 10),
        "exact_energy": round(exact_total, 10),
        "error_mha": round((total - exact_total) * 1000, 8),
        "term_expectations": {p: round(pauli_expectation(st, p), 10) for p in HAMILTONIAN},
        "history": [round(h + NUCLEAR_REPULSION, 10) for h in history[::step]],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
