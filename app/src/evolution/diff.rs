//! Line diffs for improvement proposals: what a proposed SKILL.md changes
//! in the skill it improves, line by line (Myers' algorithm, from the
//! `similar` crate's `algorithms::myers`).

use serde::{Deserialize, Serialize};

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineChange {
    /// In both texts.
    Equal,
    /// Only in the current skill: the proposal removes it.
    Delete,
    /// Only in the proposal: it adds it.
    Insert,
}

impl LineChange {
    /// The unified-diff marker: ` `, `-` or `+`.
    pub fn marker(self) -> char {
        match self {
            LineChange::Equal => ' ',
            LineChange::Delete => '-',
            LineChange::Insert => '+',
        }
    }
}

/// One line of a diff, without its line ending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// The lines of `current` and `proposed` in order, each marked equal,
/// deleted (only in `current`) or inserted (only in `proposed`); deletions
/// come before the insertions that replace them. `\r\n` and `\n` endings
/// compare equal, and so does a last line with or without one. Identical
/// texts give only `Equal` lines.
pub fn line_diff(current: &str, proposed: &str) -> Vec<DiffLine> {
    let lines = |text: &str| {
        let mut text = text.replace("\r\n", "\n");
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    };
    let (current, proposed) = (lines(current), lines(proposed));
    let (old, new): (Vec<&str>, Vec<&str>) = (current.lines().collect(), proposed.lines().collect());
    let mut out = Lines { old: &old, new: &new, lines: Vec::with_capacity(old.len().max(new.len())) };
    // Myers' algorithm itself (not `TextDiff`, whose tokenisers and other
    // algorithms would all land in the browser bundle).
    let Ok(()) = similar::algorithms::myers::diff(&mut out, &old, 0..old.len(), &new, 0..new.len());
    // Within each run of changes, what goes before what replaces it (the sort is stable).
    let mut lines = out.lines;
    let mut at = 0;
    while at < lines.len() {
        let start = at;
        while at < lines.len() && lines[at].change != LineChange::Equal {
            at += 1;
        }
        lines[start..at].sort_by_key(|l| l.change == LineChange::Insert);
        at += usize::from(at == start);
    }
    lines
}

/// Collects the diff's lines as the algorithm reports its runs.
struct Lines<'a> {
    old: &'a [&'a str],
    new: &'a [&'a str],
    lines: Vec<DiffLine>,
}

impl Lines<'_> {
    fn push(&mut self, change: LineChange, lines: &[&str]) {
        self.lines.extend(lines.iter().map(|text| DiffLine { change, text: text.to_string() }));
    }
}

impl similar::algorithms::DiffHook for Lines<'_> {
    type Error = std::convert::Infallible;

    fn equal(&mut self, old_index: usize, _: usize, len: usize) -> Result<(), Self::Error> {
        let old = self.old;
        self.push(LineChange::Equal, &old[old_index..old_index + len]);
        Ok(())
    }

    fn delete(&mut self, old_index: usize, old_len: usize, _: usize) -> Result<(), Self::Error> {
        let old = self.old;
        self.push(LineChange::Delete, &old[old_index..old_index + old_len]);
        Ok(())
    }

    fn insert(&mut self, _: usize, new_index: usize, new_len: usize) -> Result<(), Self::Error> {
        let new = self.new;
        self.push(LineChange::Insert, &new[new_index..new_index + new_len]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(diff: &[DiffLine]) -> Vec<String> {
        diff.iter().map(|l| format!("{}{}", l.change.marker(), l.text)).collect()
    }

    #[test]
    fn a_changed_line_is_a_deletion_then_an_insertion_among_equal_lines() {
        let current = "---\nname: csv-to-json\ndescription: Converts CSV.\n---\n# Steps\n\n1. Read it.\n";
        let proposed = "---\nname: csv-to-json\ndescription: Converts CSV files to JSON.\n---\n# Steps\n\n1. Read it.\n2. Check the header.\n";
        assert_eq!(
            marked(&line_diff(current, proposed)),
            [" ---", " name: csv-to-json", "-description: Converts CSV.", "+description: Converts CSV files to JSON.", " ---", " # Steps", " ", " 1. Read it.", "+2. Check the header."]
        );
    }

    #[test]
    fn identical_texts_and_line_endings_give_no_change_and_empty_texts_all_insertions() {
        assert!(line_diff("a\r\nb\r\n", "a\nb").iter().all(|l| l.change == LineChange::Equal));
        assert_eq!(marked(&line_diff("", "a\nb\n")), ["+a", "+b"]);
        assert_eq!(marked(&line_diff("<script>\n", "")), ["-<script>"], "text is kept as is; the page escapes it");
    }
}
