//! One typo: whether two words are at most one edit apart, where an edit is
//! an insertion, a deletion, a substitution or a swap of two adjacent
//! letters (the optimal-string-alignment form of the Damerau–Levenshtein
//! distance). Linear in the words' length, no allocation beyond the chars.

/// The shortest query word (in characters) that may carry a typo: shorter
/// words have too many neighbours one edit away.
pub const MIN_TYPO_CHARS: usize = 5;

/// `a` and `b` differ by at most one edit (see the module doc).
pub fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let common = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if common == short.len() {
        return true; // equal, or one letter added at the end
    }
    if short.len() == long.len() {
        // One substitution, or one adjacent swap.
        let rest = common + 1;
        short[rest..] == long[rest..]
            || (rest < short.len() && short[common] == long[rest] && short[rest] == long[common] && short[rest + 1..] == long[rest + 1..])
    } else {
        // One letter inserted in the longer word.
        short[common..] == long[common + 1..]
    }
}

/// A query word with a typo still finds a stem the index holds: `term` is
/// one edit from `stem` (the typed word's own stem), or from a prefix of the
/// typed `word` as long as the term, give or take one letter (the stemmer
/// cut the term's word short where it cannot cut a misspelt one:
/// "divdier" → "divid", from "divider").
pub fn typo_match(word: &[char], stem: &[char], term: &[char]) -> bool {
    if within_one_edit(stem, term) {
        return true;
    }
    if term.len() + 1 < MIN_TYPO_CHARS || term.len() + 4 < word.len() {
        return false;
    }
    (term.len().saturating_sub(1)..=term.len() + 1).filter(|&n| n <= word.len() && n > 0).any(|n| within_one_edit(&word[..n], term))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(a: &str, b: &str) -> bool {
        within_one_edit(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>())
    }

    #[test]
    fn one_edit_of_each_kind() {
        assert!(one("regex", "regex"));
        assert!(one("regx", "regex") && one("regex", "regx"), "deletion and insertion");
        assert!(one("rogex", "regex"), "substitution");
        assert!(one("regualr", "regular") && one("transalt", "translat"), "adjacent swap");
        assert!(one("statistc", "statist"));
        assert!(!one("regualrr", "regular"));
        assert!(!one("abcd", "badc"), "two swaps");
        assert!(!one("kitten", "sitting"));
    }

    #[test]
    fn typos_reach_shortened_stems() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(typo_match(&c("divdier"), &c("divdier"), &c("divid")));
        assert!(typo_match(&c("kuberntes"), &c("kubernt"), &c("kubernet")));
        assert!(!typo_match(&c("divdier"), &c("divdier"), &c("di")));
    }
}
