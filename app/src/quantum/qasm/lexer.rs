//! Tokens of OpenQASM 2 and 3 (the subset [`super`] parses), each with
//! the line and column it starts at. Comments (`//` to the end of the
//! line, `/* … */`) and whitespace are skipped.

use super::QasmError;

/// A 1-based line and column (in characters) in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    /// A number literal; `integer` when written without `.` or exponent.
    Number { value: f64, integer: bool },
    Str(String),
    /// Punctuation and operators: `; , ( ) [ ] { } -> == != <= >= < > + - * / ^ ** % @ ! = :`.
    Sym(&'static str),
    End,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("`{name}`"),
            Tok::Number { value, .. } => format!("the number {value}"),
            Tok::Str(text) => format!("\"{text}\""),
            Tok::Sym(sym) => format!("`{sym}`"),
            Tok::End => "the end of the file".into(),
        }
    }
}

const SYMBOLS: [&str; 26] = ["->", "==", "!=", "<=", ">=", "**", ":", ";", ",", "(", ")", "[", "]", "{", "}", "<", ">", "+", "-", "*", "/", "^", "%", "@", "!", "="];

/// Splits `source` into tokens, ending with [`Tok::End`].
///
/// Errors: an unterminated string or block comment, a malformed number, or
/// a character OpenQASM does not use, at its line and column.
pub fn tokenize(source: &str) -> Result<Vec<(Tok, Pos)>, QasmError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0, 1, 1);
    // Advances over `n` characters, keeping line and column.
    let step = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, column };
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut column, 1);
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut column, 1);
            }
        } else if c == '/' && next == Some('*') {
            step(&mut i, &mut line, &mut column, 2);
            loop {
                if i >= chars.len() {
                    return Err(QasmError::at(pos, "this `/*` comment is never closed; end it with `*/`"));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    step(&mut i, &mut line, &mut column, 2);
                    break;
                }
                step(&mut i, &mut line, &mut column, 1);
            }
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                step(&mut i, &mut line, &mut column, 1);
            }
            tokens.push((Tok::Ident(chars[start..i].iter().collect()), pos));
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            let mut integer = true;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                step(&mut i, &mut line, &mut column, 1);
            }
            if chars.get(i) == Some(&'.') {
                integer = false;
                step(&mut i, &mut line, &mut column, 1);
                while i < chars.len() && chars[i].is_ascii_digit() {
                    step(&mut i, &mut line, &mut column, 1);
                }
            }
            if matches!(chars.get(i), Some('e' | 'E')) {
                let sign = usize::from(matches!(chars.get(i + 1), Some('+' | '-')));
                if chars.get(i + 1 + sign).is_some_and(|d| d.is_ascii_digit()) {
                    integer = false;
                    step(&mut i, &mut line, &mut column, 1 + sign);
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        step(&mut i, &mut line, &mut column, 1);
                    }
                }
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            let value = text.parse::<f64>().map_err(|_| QasmError::at(pos, format!("`{text}` is not a number")))?;
            tokens.push((Tok::Number { value, integer }, pos));
        } else if c == '"' || c == '\'' {
            step(&mut i, &mut line, &mut column, 1);
            let start = i;
            while i < chars.len() && chars[i] != c && chars[i] != '\n' {
                step(&mut i, &mut line, &mut column, 1);
            }
            if chars.get(i) != Some(&c) {
                return Err(QasmError::at(pos, format!("this string is never closed; end it with {c} on the same line")));
            }
            tokens.push((Tok::Str(chars[start..i].iter().collect()), pos));
            step(&mut i, &mut line, &mut column, 1);
        } else if let Some(sym) = SYMBOLS.iter().find(|s| s.chars().zip(&chars[i..]).filter(|(a, b)| a == *b).count() == s.len()) {
            step(&mut i, &mut line, &mut column, sym.len());
            tokens.push((Tok::Sym(sym), pos));
        } else {
            return Err(QasmError::at(pos, format!("`{c}` is not part of OpenQASM here; remove it")));
        }
    }
    tokens.push((Tok::End, Pos { line, column }));
    Ok(tokens)
}
