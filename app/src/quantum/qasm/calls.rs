//! Gate calls and `gate` definitions: register broadcasting, parameter
//! evaluation, and expansion of definitions into built-in gates.

use super::expr::{eval, Expr};
use super::lexer::Pos;
use super::parser::Parser;
use super::{Op, QasmError};
use crate::quantum::Gate;
use std::collections::HashMap;

/// A user (or prelude) `gate` definition, expanded at each call.
pub(super) struct GateDef {
    params: Vec<String>,
    qubits: Vec<String>,
    body: Vec<BodyCall>,
}

struct BodyCall {
    name: String,
    pos: Pos,
    params: Vec<Expr>,
    args: Vec<usize>,
}

impl Parser<'_> {
    /// `name(params) args;` with registers broadcast element by element.
    pub(super) fn call(&mut self, out: &mut Vec<Op>) -> Result<(), QasmError> {
        let (name, pos) = self.ident("a gate")?;
        let params = self.call_params()?;
        let mut operands = Vec::new();
        loop {
            operands.push(self.operand(true)?);
            if !self.eat(",") {
                break;
            }
        }
        self.expect(";", &format!("after the `{name}` gate"))?;
        let values = params.iter().map(|p| eval(p, &HashMap::new(), &|n| self.params.get(n).copied())).collect::<Result<Vec<_>, _>>()?;
        let width = operands.iter().filter(|o| o.2).map(|o| o.0.len()).max().unwrap_or(1);
        if let Some(o) = operands.iter().find(|o| o.2 && o.0.len() != width) {
            return Err(QasmError::at(o.1, format!("registers of {} and {width} qubits given to `{name}`; broadcast registers must be the same size", o.0.len())));
        }
        for i in 0..width {
            let qubits: Vec<usize> = operands.iter().map(|o| if o.2 { o.0[i] } else { o.0[0] }).collect();
            self.apply(&name, &values, &qubits, pos, out, 0)?;
        }
        Ok(())
    }

    fn call_params(&mut self) -> Result<Vec<Expr>, QasmError> {
        let mut params = Vec::new();
        if self.eat("(") && !self.eat(")") {
            loop {
                params.push(self.expr()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",", "between parameters")?;
            }
        }
        Ok(params)
    }

    fn apply(&self, name: &str, params: &[f64], qubits: &[usize], pos: Pos, out: &mut Vec<Op>, depth: usize) -> Result<(), QasmError> {
        if let Some(q) = qubits.iter().enumerate().find(|(i, q)| qubits[..*i].contains(q)).map(|(_, q)| q) {
            let names: Vec<String> = self.qregs.iter().flat_map(|r| (0..r.size).map(move |k| format!("{}[{k}]", r.name))).collect();
            return Err(QasmError::at(pos, format!("`{name}` is given {} twice; a gate's qubits must be different", names.get(*q).cloned().unwrap_or_default())));
        }
        if let Some(def) = self.gates.get(name) {
            if def.params.len() != params.len() || def.qubits.len() != qubits.len() {
                return Err(QasmError::at(pos, count_message(name, (def.params.len(), def.qubits.len()), (params.len(), qubits.len()))));
            }
            let scope: HashMap<String, f64> = def.params.iter().cloned().zip(params.iter().copied()).collect();
            for call in &def.body {
                let values = call.params.iter().map(|p| eval(p, &scope, &|n| self.params.get(n).copied())).collect::<Result<Vec<_>, _>>()?;
                let args: Vec<usize> = call.args.iter().map(|a| qubits[*a]).collect();
                // Errors inside a definition point at the call being expanded.
                self.apply(&call.name, &values, &args, if depth == 0 { pos } else { call.pos }, out, depth + 1)?;
            }
            return Ok(());
        }
        if let Some(gate) = Gate::standard(name, params, qubits) {
            out.push(Op::Gate { name: name.to_string(), params: params.to_vec(), qubits: qubits.to_vec(), gate });
            return Ok(());
        }
        Err(QasmError::at(
            pos,
            match Gate::signature(name) {
                Some(expected) => count_message(name, expected, (params.len(), qubits.len())),
                None => format!("unknown gate `{name}`; use a gate of qelib1.inc or stdgates.inc, or define it with `gate {name} … {{ … }}`"),
            },
        ))
    }

    pub(super) fn gate_definition(&mut self) -> Result<(), QasmError> {
        self.at += 1;
        let (name, _) = self.ident("the gate's name")?;
        let mut params = Vec::new();
        if self.eat("(") && !self.eat(")") {
            loop {
                params.push(self.ident("a parameter name")?.0);
                if self.eat(")") {
                    break;
                }
                self.expect(",", "between parameter names")?;
            }
        }
        let mut qubits = Vec::new();
        loop {
            qubits.push(self.ident("a qubit name")?.0);
            if !self.eat(",") {
                break;
            }
        }
        self.expect("{", &format!("to open the body of gate `{name}`"))?;
        let mut body = Vec::new();
        while !self.eat("}") {
            let (call, pos) = self.ident("a gate call or `}`")?;
            let call_params = self.call_params()?;
            let mut args = Vec::new();
            loop {
                let (arg, arg_pos) = self.ident("a qubit of the gate")?;
                match qubits.iter().position(|q| *q == arg) {
                    Some(index) => args.push(index),
                    None => return Err(QasmError::at(arg_pos, format!("`{arg}` is not a qubit of gate `{name}` (its qubits: {})", qubits.join(", ")))),
                }
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(";", &format!("after `{call}`"))?;
            if call == "barrier" {
                continue;
            }
            if !self.gates.contains_key(&call) && Gate::signature(&call).is_none() {
                return Err(QasmError::at(pos, format!("unknown gate `{call}`; gates must be defined before the gates that use them")));
            }
            body.push(BodyCall { name: call, pos, params: call_params, args });
        }
        self.gates.insert(name, GateDef { params, qubits, body });
        Ok(())
    }
}

fn count_message(name: &str, (params, qubits): (usize, usize), (given_params, given_qubits): (usize, usize)) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "`{name}` takes {} and {}, but was given {} and {}",
        plural(params, "parameter"),
        plural(qubits, "qubit"),
        plural(given_params, "parameter"),
        plural(given_qubits, "qubit")
    )
}
