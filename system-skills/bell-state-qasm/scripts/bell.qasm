OPENQASM 2.0;
include "qelib1.inc";
// The Bell state (|00> + |11>)/sqrt2: a Hadamard puts q[0] in superposition,
// a CNOT copies it onto q[1]. Both qubits are then measured.
qreg q[2];
creg c[2];
h q[0];
cx q[0],q[1];
measure q[0] -> c[0];
measure q[1] -> c[1];
