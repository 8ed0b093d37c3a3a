OPENQASM 3.0;
include "stdgates.inc";
// Quantum Fourier transform of the basis state |5> = |0101> on 4 qubits,
// in the style of Qiskit's OpenQASM 3 exporter. Qubit 0 is the least
// significant bit.
bit[4] c;
qubit[4] q;
// Prepare |0101>: qubits 0 and 2 set.
x q[0];
x q[2];
// QFT: from the most significant qubit down, H then controlled phases
// pi/2, pi/4, pi/8 from each lower qubit.
h q[3];
cp(pi/2) q[2], q[3];
cp(pi/4) q[1], q[3];
cp(pi/8) q[0], q[3];
h q[2];
cp(pi/2) q[1], q[2];
cp(pi/4) q[0], q[2];
h q[1];
cp(pi/2) q[0], q[1];
h q[0];
// Reverse the qubit order so that the output is in the usual order.
swap q[0], q[3];
swap q[1], q[2];
c[0] = measure q[0];
c[1] = measure q[1];
c[2] = measure q[2];
c[3] = measure q[3];
