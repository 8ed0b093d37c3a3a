//! URL-safe names. Every path segment the generator writes comes from here,
//! so no name from a user's file can reach outside the output directory.

/// Lowercase ASCII letters and digits, other runs of characters folded into
/// one hyphen, no leading or trailing hyphen. Never empty, never `.` or `..`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c);
        } else {
            pending_hyphen = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("untitled");
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn folds_everything_outside_the_safe_set() {
        assert_eq!(slugify("CSV Analysis"), "csv-analysis");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("--a__b--"), "a-b");
        assert_eq!(slugify("Ünïcode naïve"), "n-code-na-ve");
        assert_eq!(slugify(".."), "untitled");
        assert_eq!(slugify(""), "untitled");
    }
}
