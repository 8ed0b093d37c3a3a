//! URL-safe names. Every path segment the generator writes comes from here,
//! so no name from a user's file can reach outside the output directory.
//!
//! Names in any script keep their letters: the Agent Skills reference
//! validator accepts lowercase and caseless Unicode letters in names, and
//! a page for `数据分析` at `/skills/数据分析/` is what its author expects.
//! Browsers percent-encode such paths when they request them, and static
//! hosts decode them, so the folder on disk keeps the letters as they are.

/// Letters and digits of any script, lowercased; every other run of
/// characters (spaces, punctuation, `/`, `.`, `%`, controls) folded into one
/// hyphen; no leading or trailing hyphen. Never empty (`untitled`), never
/// `.` or `..`, and free of any character with a meaning in a path or URL.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("untitled");
    }
    slug
}

/// A slug as one segment of a URL path: the bytes outside ASCII letters,
/// digits and `-` percent-encoded, as browsers encode them (`数据` →
/// `%E6%95%B0%E6%8D%AE`). For sitemaps and the skill index, whose readers
/// may not encode for themselves.
pub fn url_segment(slug: &str) -> String {
    percent_encode(slug, b"-")
}

/// `text` with every byte percent-encoded (RFC 3986, as UTF-8) except ASCII
/// letters, digits and the bytes in `keep`. The one encoder for URLs the
/// site and the islands write: path segments keep `-`, paths keep
/// `-_.~/`, and query values keep `-_.~` as `encodeURIComponent` does.
pub fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{slugify, url_segment};

    #[test]
    fn url_segments_are_percent_encoded_utf8() {
        assert_eq!(url_segment("csv-tools"), "csv-tools");
        assert_eq!(url_segment("数据"), "%E6%95%B0%E6%8D%AE");
    }

    #[test]
    fn folds_everything_outside_the_safe_set() {
        assert_eq!(slugify("CSV Analysis"), "csv-analysis");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("--a__b--"), "a-b");
        assert_eq!(slugify("Ünïcode naïve"), "ünïcode-naïve");
        assert_eq!(slugify("数据分析"), "数据分析");
        assert_eq!(slugify("redacteur-français"), "redacteur-français");
        assert_eq!(slugify("ΣΟΦΙΑ/../x"), "σοφια-x");
        assert_eq!(slugify(".."), "untitled");
        assert_eq!(slugify(""), "untitled");
    }
}
