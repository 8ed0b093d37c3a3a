//! The statement parser: declarations, gate definitions, gate calls with
//! register broadcasting, measurement, reset, barrier and `if`, emitting
//! [`Op`]s as it goes (gate definitions are expanded at each call).

use super::lexer::{tokenize, Pos, Tok};
use super::calls::GateDef;
use super::{Circuit, Op, QasmError, Register, PRELUDE};
use crate::quantum::MAX_QUBITS;
use std::collections::{BTreeMap, HashMap};

/// OpenQASM 3 words this runtime does not run, for a clear error.
const UNSUPPORTED: [&str; 24] = [
    "for", "while", "def", "let", "const", "box", "delay", "switch", "gphase", "output", "int", "uint", "float", "angle", "bool",
    "duration", "stretch", "complex", "array", "defcal", "cal", "extern", "return", "pragma",
];

pub(super) struct Parser<'a> {
    toks: Vec<(Tok, Pos)>,
    pub(super) at: usize,
    pub(super) params: &'a BTreeMap<String, f64>,
    version: u8,
    pub(super) qregs: Vec<Register>,
    cregs: Vec<Register>,
    pub(super) gates: HashMap<String, GateDef>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(source: &str, params: &'a BTreeMap<String, f64>) -> Result<Self, QasmError> {
        let mut parser =
            Parser { toks: tokenize(PRELUDE)?, at: 0, params, version: 3, qregs: Vec::new(), cregs: Vec::new(), gates: HashMap::new() };
        while parser.peek() != &Tok::End {
            parser.statement(&mut Vec::new(), true)?;
        }
        parser.toks = tokenize(source)?;
        parser.at = 0;
        Ok(parser)
    }

    pub(super) fn run(mut self) -> Result<Circuit, QasmError> {
        let mut ops = Vec::new();
        while self.peek() != &Tok::End {
            self.statement(&mut ops, true)?;
        }
        let size = |regs: &[Register]| regs.iter().map(|r| r.size).sum();
        Ok(Circuit { version: self.version, qubits: size(&self.qregs), clbits: size(&self.cregs), qregs: self.qregs, cregs: self.cregs, ops })
    }

    // ---- tokens ----

    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.at].0
    }

    fn pos(&self) -> Pos {
        self.toks[self.at].1
    }

    pub(super) fn next(&mut self) -> (Tok, Pos) {
        let token = self.toks[self.at].clone();
        if token.0 != Tok::End {
            self.at += 1;
        }
        token
    }

    pub(super) fn eat(&mut self, sym: &str) -> bool {
        let found = matches!(self.peek(), Tok::Sym(s) if *s == sym);
        if found {
            self.at += 1;
        }
        found
    }

    pub(super) fn eat_any(&mut self, syms: &[&'static str]) -> Option<&'static str> {
        let found = syms.iter().copied().find(|sym| matches!(self.peek(), Tok::Sym(s) if s == sym));
        if found.is_some() {
            self.at += 1;
        }
        found
    }

    pub(super) fn expect(&mut self, sym: &str, context: &str) -> Result<(), QasmError> {
        if self.eat(sym) {
            return Ok(());
        }
        let (tok, pos) = self.toks[self.at].clone();
        let hint = if sym == ";" { "; every statement ends with `;`" } else { "" };
        Err(QasmError::at(pos, format!("expected `{sym}` {context}, found {}{hint}", tok.describe())))
    }

    pub(super) fn ident(&mut self, what: &str) -> Result<(String, Pos), QasmError> {
        match self.next() {
            (Tok::Ident(name), pos) => Ok((name, pos)),
            (tok, pos) => Err(QasmError::at(pos, format!("expected {what}, found {}", tok.describe()))),
        }
    }

    pub(super) fn integer(&mut self, what: &str) -> Result<usize, QasmError> {
        match self.next() {
            (Tok::Number { value, integer: true }, _) if value < 1e15 => Ok(value as usize),
            (tok, pos) => Err(QasmError::at(pos, format!("expected {what} (a whole number), found {}", tok.describe()))),
        }
    }

    // ---- statements ----

    fn statement(&mut self, out: &mut Vec<Op>, top: bool) -> Result<(), QasmError> {
        let pos = self.pos();
        let word = match self.peek() {
            Tok::Ident(word) => word.clone(),
            Tok::Sym(";") => {
                self.at += 1;
                return Ok(());
            }
            other => return Err(QasmError::at(pos, format!("expected a statement, found {}", other.describe()))),
        };
        let declaration = matches!(word.as_str(), "OPENQASM" | "include" | "qreg" | "creg" | "qubit" | "bit" | "input" | "gate" | "opaque");
        if declaration && !top {
            return Err(QasmError::at(pos, format!("`{word}` may only appear at the top level, not inside `if` or a gate body")));
        }
        let modifier =
            matches!(word.as_str(), "ctrl" | "negctrl" | "inv" | "pow") && matches!(self.toks.get(self.at + 1), Some((Tok::Sym("@" | "("), _)));
        match word.as_str() {
            "OPENQASM" => {
                self.at += 1;
                match self.next() {
                    (Tok::Number { value, .. }, _) if (2.0..4.0).contains(&value) => self.version = value as u8,
                    (tok, pos) => return Err(QasmError::at(pos, format!("expected version 2.0 or 3.0, found {}", tok.describe()))),
                }
                self.expect(";", "after the version")
            }
            "include" => {
                self.at += 1;
                match self.next() {
                    (Tok::Str(file), _) if file == "qelib1.inc" || file == "stdgates.inc" => {}
                    (Tok::Str(file), pos) => {
                        return Err(QasmError::at(
                            pos,
                            format!("cannot include \"{file}\": only qelib1.inc and stdgates.inc are built in; paste its gate definitions into this file"),
                        ))
                    }
                    (tok, pos) => return Err(QasmError::at(pos, format!("expected a file name in quotes, found {}", tok.describe()))),
                }
                self.expect(";", "after the include")
            }
            "qreg" | "creg" => {
                self.at += 1;
                let (name, name_pos) = self.ident("a register name")?;
                self.expect("[", &format!("after `{word} {name}`: a register needs a size, as in `{word} {name}[2];`"))?;
                let size = self.integer("the register size")?;
                self.expect("]", "after the register size")?;
                self.expect(";", "after the declaration")?;
                self.declare(word == "qreg", name, size, name_pos)
            }
            "qubit" | "bit" => {
                self.at += 1;
                let size = if self.eat("[") {
                    let size = self.integer("the register size")?;
                    self.expect("]", "after the register size")?;
                    size
                } else {
                    1
                };
                let (name, name_pos) = self.ident("a register name")?;
                self.expect(";", "after the declaration")?;
                self.declare(word == "qubit", name, size, name_pos)
            }
            "input" => {
                self.at += 1;
                self.ident("a type such as `float[64]`")?;
                if self.eat("[") {
                    self.integer("the type's width")?;
                    self.expect("]", "after the type's width")?;
                }
                let (name, name_pos) = self.ident("the input's name")?;
                self.expect(";", "after the input")?;
                if !self.params.contains_key(&name) {
                    return Err(QasmError::at(name_pos, format!("the input `{name}` has no value; give the skill (or the request's params) a number named `{name}`")));
                }
                Ok(())
            }
            "gate" => self.gate_definition(),
            "opaque" => Err(QasmError::at(pos, "`opaque` gates have no definition to simulate; define the gate with `gate … { … }`")),
            "measure" => {
                self.at += 1;
                let (qubits, qubit_pos, _) = self.operand(true)?;
                self.expect("->", "after the measured qubits: write `measure q -> c;`")?;
                let (clbits, _, _) = self.operand(false)?;
                self.expect(";", "after the measurement")?;
                self.measure(qubits, clbits, qubit_pos, out)
            }
            "reset" => {
                self.at += 1;
                let (qubits, _, _) = self.operand(true)?;
                self.expect(";", "after `reset`")?;
                out.extend(qubits.into_iter().map(|qubit| Op::Reset { qubit }));
                Ok(())
            }
            "barrier" => {
                self.at += 1;
                let mut qubits = Vec::new();
                while !matches!(self.peek(), Tok::Sym(";") | Tok::End) {
                    qubits.extend(self.operand(true)?.0);
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect(";", "after `barrier`")?;
                if qubits.is_empty() {
                    qubits = (0..self.qregs.iter().map(|r| r.size).sum()).collect();
                }
                out.push(Op::Barrier { qubits });
                Ok(())
            }
            "if" => self.if_statement(out),
            _ if modifier => Err(QasmError::at(pos, "gate modifiers (`ctrl @`, `inv @`, `pow @`) are not supported; define the gate you need with `gate`")),
            w if UNSUPPORTED.contains(&w) => Err(QasmError::at(
                pos,
                format!("`{w}` is OpenQASM 3 this runtime does not run; it runs gates, measure, reset, barrier, if and gate definitions"),
            )),
            _ => self.call_or_assignment(out),
        }
    }

    fn declare(&mut self, quantum: bool, name: String, size: usize, pos: Pos) -> Result<(), QasmError> {
        if self.qregs.iter().chain(&self.cregs).any(|r| r.name == name) {
            return Err(QasmError::at(pos, format!("`{name}` is already declared; give this register another name")));
        }
        let registers = if quantum { &mut self.qregs } else { &mut self.cregs };
        let offset: usize = registers.iter().map(|r| r.size).sum();
        if quantum && offset + size > MAX_QUBITS {
            return Err(QasmError::at(
                pos,
                format!("this makes {} qubits; the simulator holds at most {MAX_QUBITS} here (2^{MAX_QUBITS} amplitudes of 16 bytes, {} GiB)", offset + size, (16u64 << MAX_QUBITS) >> 30),
            ));
        }
        registers.push(Register { name, offset, size });
        Ok(())
    }

    /// A register or one element of it: its bit numbers, where it was
    /// written, and whether it was the whole register.
    pub(super) fn operand(&mut self, quantum: bool) -> Result<(Vec<usize>, Pos, bool), QasmError> {
        let kind = if quantum { "quantum" } else { "classical" };
        let (name, pos) = self.ident(&format!("a {kind} register"))?;
        let registers = if quantum { &self.qregs } else { &self.cregs };
        let Some(register) = registers.iter().find(|r| r.name == name).cloned() else {
            let other = if quantum { &self.cregs } else { &self.qregs };
            let why = if other.iter().any(|r| r.name == name) { format!("`{name}` is a {} register here", if quantum { "classical" } else { "quantum" }) } else { format!("no {kind} register is named `{name}`") };
            let declaration = match (self.version, quantum) {
                (2, true) => format!("qreg {name}[1];"),
                (2, false) => format!("creg {name}[1];"),
                (_, true) => format!("qubit[1] {name};"),
                (_, false) => format!("bit[1] {name};"),
            };
            return Err(QasmError::at(pos, format!("{why}; declare it first, as in `{declaration}`")));
        };
        if !self.eat("[") {
            return Ok(((register.offset..register.offset + register.size).collect(), pos, true));
        }
        let index_pos = self.pos();
        let index = self.integer("an index")?;
        if self.eat(":") || self.eat(",") {
            return Err(QasmError::at(index_pos, "index ranges and lists are not supported; write each element, as in `q[0], q[1]`"));
        }
        self.expect("]", "after the index")?;
        if index >= register.size {
            return Err(QasmError::at(index_pos, format!("`{name}` has {} elements, so `{name}[{index}]` is out of range (indices start at 0)", register.size)));
        }
        Ok((vec![register.offset + index], pos, false))
    }

    fn measure(&mut self, qubits: Vec<usize>, clbits: Vec<usize>, pos: Pos, out: &mut Vec<Op>) -> Result<(), QasmError> {
        if qubits.len() != clbits.len() {
            return Err(QasmError::at(pos, format!("measuring {} qubits into {} classical bits; the sizes must match", qubits.len(), clbits.len())));
        }
        out.extend(qubits.into_iter().zip(clbits).map(|(qubit, clbit)| Op::Measure { qubit, clbit }));
        Ok(())
    }

    /// `c = measure q;` (OpenQASM 3) or a gate call.
    fn call_or_assignment(&mut self, out: &mut Vec<Op>) -> Result<(), QasmError> {
        let start = self.at;
        let (name, _) = self.ident("a gate")?;
        let is_assignment = self.cregs.iter().any(|r| r.name == name) && {
            if self.eat("[") {
                while !matches!(self.peek(), Tok::Sym("]") | Tok::End) {
                    self.at += 1;
                }
                self.eat("]");
            }
            self.eat("=")
        };
        self.at = start;
        if !is_assignment {
            return self.call(out);
        }
        let (clbits, clbit_pos, _) = self.operand(false)?;
        self.expect("=", "")?;
        match self.next() {
            (Tok::Ident(word), _) if word == "measure" => {}
            (tok, pos) => return Err(QasmError::at(pos, format!("only `measure` can be assigned to a bit here, found {}", tok.describe()))),
        }
        let (qubits, _, _) = self.operand(true)?;
        self.expect(";", "after the measurement")?;
        self.measure(qubits, clbits, clbit_pos, out)
    }

    fn if_statement(&mut self, out: &mut Vec<Op>) -> Result<(), QasmError> {
        self.at += 1;
        self.expect("(", "after `if`")?;
        let negated = self.eat("!");
        let (clbits, pos, _) = self.operand(false)?;
        let (mut value, mut equal) = (1u64, true);
        if let Some(op) = self.eat_any(&["==", "!="]) {
            equal = op == "==";
            value = match self.next() {
                (Tok::Number { value, integer: true }, _) => value as u64,
                (Tok::Ident(word), _) if word == "true" || word == "false" => u64::from(word == "true"),
                (tok, pos) => return Err(QasmError::at(pos, format!("expected a whole number to compare with, found {}", tok.describe()))),
            };
        } else if clbits.len() != 1 {
            return Err(QasmError::at(pos, "a condition on a whole register needs a value, as in `if (c == 1)`"));
        }
        if negated {
            equal = !equal;
        }
        self.expect(")", "to close the condition")?;
        let mut then = Vec::new();
        self.body(&mut then)?;
        let mut otherwise = Vec::new();
        if matches!(self.peek(), Tok::Ident(word) if word == "else") {
            self.at += 1;
            self.body(&mut otherwise)?;
        }
        if !equal {
            std::mem::swap(&mut then, &mut otherwise);
        }
        out.push(Op::If { clbits, value, then, otherwise });
        Ok(())
    }

    /// One statement, or a block in braces.
    fn body(&mut self, out: &mut Vec<Op>) -> Result<(), QasmError> {
        if !self.eat("{") {
            return self.statement(out, false);
        }
        while !self.eat("}") {
            if self.peek() == &Tok::End {
                return Err(QasmError::at(self.pos(), "this block is never closed; end it with `}`"));
            }
            self.statement(out, false)?;
        }
        Ok(())
    }
}
