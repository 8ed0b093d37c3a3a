//! Parameter expressions: numbers, `pi`/`π`, `tau`/`τ`, `euler`/`ℇ`,
//! parameter names, `+ - * / % ^ **` (power binds tightest and to the
//! right), unary minus, parentheses, and the functions `sin cos tan exp ln
//! sqrt arcsin arccos arctan`, evaluated in double precision.

use super::lexer::{Pos, Tok};
use super::parser::Parser;
use super::QasmError;
use std::collections::HashMap;
use std::f64::consts::{E, PI, TAU};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String, Pos),
    Neg(Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Call(String, Box<Expr>, Pos),
}

const FUNCTIONS: [&str; 8] = ["sin", "cos", "tan", "exp", "ln", "sqrt", "arcsin", "arccos"];

impl Parser<'_> {
    /// expr := term (('+' | '-') term)*
    pub(super) fn expr(&mut self) -> Result<Expr, QasmError> {
        let mut left = self.term()?;
        while let Some(op) = self.eat_any(&["+", "-"]) {
            left = Expr::Bin(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    /// term := unary (('*' | '/' | '%') unary)*
    fn term(&mut self) -> Result<Expr, QasmError> {
        let mut left = self.unary()?;
        while let Some(op) = self.eat_any(&["*", "/", "%"]) {
            left = Expr::Bin(op, Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    /// unary := '-' unary | '+' unary | power
    fn unary(&mut self) -> Result<Expr, QasmError> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat("+") {
            return self.unary();
        }
        self.power()
    }

    /// power := atom (('^' | '**') unary)?
    fn power(&mut self) -> Result<Expr, QasmError> {
        let base = self.atom()?;
        if self.eat_any(&["^", "**"]).is_some() {
            return Ok(Expr::Bin("^", Box::new(base), Box::new(self.unary()?)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, QasmError> {
        let (tok, pos) = self.next();
        match tok {
            Tok::Number { value, .. } => Ok(Expr::Num(value)),
            Tok::Sym("(") => {
                let inner = self.expr()?;
                self.expect(")", "to close the parenthesis")?;
                Ok(inner)
            }
            Tok::Ident(name) if FUNCTIONS.contains(&name.as_str()) || name == "arctan" => {
                self.expect("(", &format!("after `{name}`"))?;
                let argument = self.expr()?;
                self.expect(")", &format!("to close `{name}(`"))?;
                Ok(Expr::Call(name, Box::new(argument), pos))
            }
            Tok::Ident(name) => Ok(Expr::Var(name, pos)),
            other => Err(QasmError::at(pos, format!("expected a number or a parameter, found {}", other.describe()))),
        }
    }
}

/// Evaluates `expr`, looking names up in `scope` (a gate's parameters), then
/// the constants, then `inputs`.
///
/// Errors: an unknown name, with the way to give it a value.
pub fn eval(expr: &Expr, scope: &HashMap<String, f64>, inputs: &dyn Fn(&str) -> Option<f64>) -> Result<f64, QasmError> {
    Ok(match expr {
        Expr::Num(value) => *value,
        Expr::Var(name, pos) => match name.as_str() {
            _ if scope.contains_key(name) => scope[name],
            "pi" | "π" => PI,
            "tau" | "τ" => TAU,
            "euler" | "ℇ" => E,
            _ => inputs(name).ok_or_else(|| {
                QasmError::at(
                    *pos,
                    format!("`{name}` has no value: declare it with `input float[64] {name};` and give the skill an input named `{name}`"),
                )
            })?,
        },
        Expr::Neg(inner) => -eval(inner, scope, inputs)?,
        Expr::Bin(op, a, b) => {
            let (a, b) = (eval(a, scope, inputs)?, eval(b, scope, inputs)?);
            match *op {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => a / b,
                "%" => a % b,
                _ => a.powf(b),
            }
        }
        Expr::Call(name, argument, _) => {
            let x = eval(argument, scope, inputs)?;
            match name.as_str() {
                "sin" => x.sin(),
                "cos" => x.cos(),
                "tan" => x.tan(),
                "exp" => x.exp(),
                "ln" => x.ln(),
                "sqrt" => x.sqrt(),
                "arcsin" => x.asin(),
                "arccos" => x.acos(),
                _ => x.atan(),
            }
        }
    })
}
