//! A text drawing of a circuit, one wire per qubit, in the style of
//! Qiskit's text drawer: `●` controls, `×` swap ends, `M→c[0]`
//! measurements, `|0⟩` resets, `░` barriers; angles as multiples of π where
//! they are one.

use super::qasm::{Circuit, Op};
use super::Gate;

/// The most columns drawn before the drawing is cut with a note.
pub const MAX_LAYERS: usize = 60;

/// Draws `circuit` as lines of text (box-drawing characters), gates placed
/// in the earliest column free on every wire they span.
pub fn draw(circuit: &Circuit) -> String {
    if circuit.qubits == 0 {
        return String::from("(no qubits)");
    }
    let mut cells: Vec<Cell> = Vec::new();
    flatten(circuit, &circuit.ops, None, &mut cells);
    let mut free = vec![0usize; circuit.qubits];
    let mut layers: Vec<Vec<&Cell>> = Vec::new();
    for cell in &cells {
        let (low, high) = cell.span();
        let layer = free[low..=high].iter().copied().max().unwrap_or(0);
        free[low..=high].iter_mut().for_each(|f| *f = layer + 1);
        if layers.len() <= layer {
            layers.resize_with(layer + 1, Vec::new);
        }
        layers[layer].push(cell);
    }
    let cut = layers.len().saturating_sub(MAX_LAYERS);
    layers.truncate(MAX_LAYERS);
    let names: Vec<String> = (0..circuit.qubits).map(|q| format!("{}: ", circuit.qubit_name(q))).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    // Rows 2q are wires, rows 2q+1 the gaps between them.
    let mut rows: Vec<String> = (0..2 * circuit.qubits - 1)
        .map(|r| if r % 2 == 0 { format!("{:>name_width$}─", names[r / 2]) } else { " ".repeat(name_width + 1) })
        .collect();
    for layer in &layers {
        let width = layer.iter().flat_map(|c| c.marks.iter().map(|(_, m)| m.chars().count())).max().unwrap_or(1) + 2;
        let mut column: Vec<String> = (0..rows.len()).map(|r| if r % 2 == 0 { "─".repeat(width) } else { " ".repeat(width) }).collect();
        for cell in layer {
            let (low, high) = cell.span();
            for row in 2 * low..=2 * high {
                column[row] = if row % 2 == 0 { center("┼", width, '─') } else { center("│", width, ' ') };
            }
            for (qubit, mark) in &cell.marks {
                column[2 * qubit] = center(mark, width, '─');
            }
        }
        for (row, text) in rows.iter_mut().zip(column) {
            row.push_str(&text);
        }
    }
    let mut text: Vec<String> = rows.into_iter().map(|r| r.trim_end().to_string()).collect();
    if cut > 0 {
        text.push(format!("… {cut} more columns not drawn"));
    }
    text.join("\n")
}

/// One drawn operation: a mark per qubit it acts on.
struct Cell {
    marks: Vec<(usize, String)>,
}

impl Cell {
    fn span(&self) -> (usize, usize) {
        let qubits = self.marks.iter().map(|(q, _)| *q);
        (qubits.clone().min().unwrap_or(0), qubits.max().unwrap_or(0))
    }
}

fn flatten(circuit: &Circuit, ops: &[Op], condition: Option<&str>, cells: &mut Vec<Cell>) {
    let suffix = condition.map(|c| format!(" if {c}")).unwrap_or_default();
    for op in ops {
        let marks = match op {
            Op::Gate { name, params, gate, .. } => match gate {
                Gate::Unitary { target, controls, .. } => {
                    let base = if controls.is_empty() { name.as_str() } else { name.trim_start_matches(['c', 'C']) };
                    let mut marks: Vec<(usize, String)> = controls.iter().map(|c| (*c, "●".to_string())).collect();
                    marks.push((*target, format!("{}{}{suffix}", title(base), angles(params))));
                    marks
                }
                Gate::Swap { a, b, controls } => {
                    let mut marks: Vec<(usize, String)> = controls.iter().map(|c| (*c, "●".to_string())).collect();
                    marks.extend([(*a, format!("×{suffix}")), (*b, "×".to_string())]);
                    marks
                }
            },
            Op::Measure { qubit, clbit } => vec![(*qubit, format!("M→{}{suffix}", circuit.clbit_name(*clbit)))],
            Op::Reset { qubit } => vec![(*qubit, format!("|0⟩{suffix}"))],
            Op::Barrier { qubits } => qubits.iter().map(|q| (*q, "░".to_string())).collect(),
            Op::If { clbits, value, then, otherwise } => {
                let register = circuit.cregs.iter().find(|r| r.offset == clbits[0] && r.size == clbits.len());
                let read = match register {
                    Some(r) if clbits.len() > 1 => r.name.clone(),
                    _ => circuit.clbit_name(clbits[0]),
                };
                flatten(circuit, then, Some(&format!("{read}={value}")), cells);
                flatten(circuit, otherwise, Some(&format!("{read}≠{value}")), cells);
                continue;
            }
        };
        if !marks.is_empty() {
            cells.push(Cell { marks });
        }
    }
}

fn title(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn angles(params: &[f64]) -> String {
    if params.is_empty() {
        return String::new();
    }
    format!("({})", params.iter().map(|p| angle(*p)).collect::<Vec<_>>().join(","))
}

/// `p` as a multiple of π with a small denominator (`π/2`, `-3π/4`), else
/// to three decimals.
pub fn angle(p: f64) -> String {
    if p == 0.0 {
        return "0".into();
    }
    for denominator in [1i64, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256, 512, 1024] {
        let numerator = p / std::f64::consts::PI * denominator as f64;
        if (numerator - numerator.round()).abs() < 1e-9 && numerator.round().abs() < 1e6 {
            let n = numerator.round() as i64;
            let top = match n {
                1 => "π".to_string(),
                -1 => "-π".to_string(),
                _ => format!("{n}π"),
            };
            return if denominator == 1 { top } else { format!("{top}/{denominator}") };
        }
    }
    let text = format!("{p:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn center(mark: &str, width: usize, fill: char) -> String {
    let len = mark.chars().count();
    let left = (width.saturating_sub(len)) / 2;
    let right = width.saturating_sub(len + left);
    format!("{}{mark}{}", fill.to_string().repeat(left), fill.to_string().repeat(right))
}
