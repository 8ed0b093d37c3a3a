//! Search over skills: BM25F ranking across name, keywords, description
//! and body, with the last query word matched as a prefix (type-ahead).
//!
//! The same index serves the browser (serialised to `index/search.json` at
//! build time, fetched lazily by the search island) and `llmos search`, so
//! retrieval is tested natively and behaves identically in both places.
//!
//! Compactness: name, keywords and description are indexed whole; the body
//! contributes only its `BODY_TERMS` most distinctive terms per skill (by
//! tf·idf). The body is the lowest-weighted field and by far the largest,
//! so this keeps the index small at little cost to ranking.

use serde::{Deserialize, Serialize};

pub const SEARCH_VERSION: u32 = 1;
/// Body terms kept per skill.
pub const BODY_TERMS: usize = 24;
/// Descriptions in the index are cut to what a result shows; all of their
/// words are still indexed.
pub const DESCRIPTION_CHARS: usize = 180;
/// How many index terms the last (prefix) query word may expand to.
const MAX_PREFIX_EXPANSIONS: usize = 64;

const FIELDS: usize = 4;
const NAME: usize = 0;
const KEYWORDS: usize = 1;
const DESCRIPTION: usize = 2;
const BODY: usize = 3;
const WEIGHTS: [f32; FIELDS] = [5.0, 3.0, 2.0, 1.0];
const LENGTH_NORM: [f32; FIELDS] = [0.3, 0.3, 0.75, 0.75];
const K1: f32 = 1.2;
/// A word matched only as a prefix counts a little less than a whole word.
const PREFIX_DISCOUNT: f32 = 0.7;

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "if", "in", "into", "is", "it", "its", "of", "on", "or",
    "that", "the", "their", "then", "there", "these", "this", "to", "was", "were", "when", "which", "while", "with", "you", "your", "use",
];

/// What the index needs to know about one skill.
#[derive(Debug, Clone)]
pub struct SearchInput<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub description: &'a str,
    pub keywords: &'a [String],
    pub body: &'a str,
    pub category: Option<&'a str>,
    pub kind: Option<&'a str>,
}

/// One result card: what the search UI shows without fetching anything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A skill the user wrote or imported in their browser (never set in a
    /// published index); its page is rendered client-side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub user: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchIndex {
    pub version: u32,
    pub docs: Vec<SearchDoc>,
    /// Per doc, the token count of each field, flattened (`FIELDS` per doc).
    lengths: Vec<u32>,
    /// Sorted, unique.
    terms: Vec<String>,
    /// Per term: pairs of (doc id delta, packed term frequencies: 4 bits per field).
    postings: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub doc: usize,
    pub score: f32,
}

/// Lowercased words with their byte ranges in `text`.
pub fn tokens(text: &str) -> impl Iterator<Item = (String, usize, usize)> + '_ {
    let mut start = None;
    let mut chars = text.char_indices().chain(std::iter::once((text.len(), ' ')));
    std::iter::from_fn(move || {
        for (i, c) in chars.by_ref() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    start = None;
                    return Some((text[s..i].to_lowercase(), s, i));
                }
                _ => {}
            }
        }
        None
    })
}

/// Words of `text` as the index counts them. A "word" longer than
/// `MAX_INDEXED_WORD_CHARS` (a hash, base64, a minified line) is no search
/// term, and would make the index as large as the text.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    tokens(text).map(|(t, _, _)| t).filter(|t| t.chars().count() <= crate::limits::MAX_INDEXED_WORD_CHARS)
}

/// One skill's terms, counted. Computing this is the costly, independent
/// part of indexing, so callers with threads can do it in parallel.
#[derive(Debug, Clone)]
pub struct AnalysedDoc {
    /// Frequencies in name, keywords and description (body left at 0).
    fields: std::collections::HashMap<String, [u32; FIELDS]>,
    /// Body term counts, stopwords and one-letter words left out.
    body: std::collections::HashMap<String, u32>,
    lengths: [u32; FIELDS],
}

impl AnalysedDoc {
    pub fn new(input: &SearchInput) -> AnalysedDoc {
        let mut fields: std::collections::HashMap<String, [u32; FIELDS]> = std::collections::HashMap::new();
        let mut lengths = [0u32; FIELDS];
        let keyword_words = input.keywords.iter().flat_map(|k| words(k));
        let per_field: [(usize, Box<dyn Iterator<Item = String>>); 3] =
            [(NAME, Box::new(words(input.name))), (KEYWORDS, Box::new(keyword_words)), (DESCRIPTION, Box::new(words(input.description)))];
        for (field, field_words) in per_field {
            for word in field_words {
                lengths[field] += 1;
                fields.entry(word).or_insert([0; FIELDS])[field] += 1;
            }
        }
        let mut body = std::collections::HashMap::new();
        // The index keeps a skill's most distinctive body terms; they show up
        // early in any body a reader would search, and analysing only the
        // start keeps the cost per skill bounded.
        let mut cut = input.body.len().min(crate::limits::MAX_INDEXED_BODY_BYTES);
        while !input.body.is_char_boundary(cut) {
            cut -= 1;
        }
        for word in words(&input.body[..cut]).filter(|w| w.chars().count() > 1 && !STOPWORDS.contains(&w.as_str())) {
            lengths[BODY] += 1;
            *body.entry(word).or_insert(0) += 1;
        }
        AnalysedDoc { fields, body, lengths }
    }
}

impl SearchIndex {
    pub fn build(inputs: &[SearchInput]) -> SearchIndex {
        let analysed: Vec<AnalysedDoc> = inputs.iter().map(AnalysedDoc::new).collect();
        Self::from_analysed(inputs, &analysed.iter().collect::<Vec<_>>())
    }

    /// `analysed[i]` must be `AnalysedDoc::new(&inputs[i])`; callers may
    /// compute them in parallel, or keep them between builds.
    pub fn from_analysed(inputs: &[SearchInput], analysed: &[&AnalysedDoc]) -> SearchIndex {
        use std::collections::HashMap;
        let mut body_df: HashMap<&str, u32> = HashMap::new();
        for doc in analysed {
            for term in doc.body.keys() {
                *body_df.entry(term).or_insert(0) += 1;
            }
        }
        let n = inputs.len().max(1) as f32;
        let mut per_term: HashMap<&str, Vec<(u32, [u32; FIELDS])>> = HashMap::new();
        let mut lengths = Vec::with_capacity(inputs.len() * FIELDS);
        for (doc_id, doc) in analysed.iter().enumerate() {
            let mut tf: HashMap<&str, [u32; FIELDS]> = doc.fields.iter().map(|(t, f)| (t.as_str(), *f)).collect();
            let mut distinctive: Vec<(&str, f32)> = doc.body.iter().map(|(t, &c)| (t.as_str(), c as f32 * (n / body_df[t.as_str()] as f32).ln_1p())).collect();
            distinctive.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            for (term, _) in distinctive.into_iter().take(BODY_TERMS) {
                tf.entry(term).or_insert([0; FIELDS])[BODY] = doc.body[term];
            }
            lengths.extend(doc.lengths);
            for (term, freqs) in tf {
                per_term.entry(term).or_default().push((doc_id as u32, freqs));
            }
        }
        let per_term = per_term.into_iter().map(|(term, list)| (term, list.into_iter().map(|(doc, freqs)| (doc, pack_frequencies(freqs))).collect())).collect();
        let (terms, postings) = pack_postings(per_term);
        let docs = inputs
            .iter()
            .map(|i| SearchDoc { name: i.name.into(), slug: i.slug.into(), description: crate::shorten(i.description, DESCRIPTION_CHARS), category: i.category.map(Into::into), kind: i.kind.map(Into::into), user: false })
            .collect();
        SearchIndex { version: SEARCH_VERSION, docs, lengths, terms, postings }
    }

    /// This index with the user's own skills layered on top, as the browser
    /// searches (and the chat picks context): a user skill takes the place
    /// of a system skill with the same slug, as a later `--skills` directory
    /// overrides an earlier one, and is marked `user`. Body terms of user
    /// skills are chosen among the user's skills; everything else is shared.
    pub fn layered(&self, user: &[SearchInput]) -> SearchIndex {
        use std::collections::{HashMap, HashSet};
        let shadowed: HashSet<&str> = user.iter().map(|u| u.slug).collect();
        let mut new_id = vec![None; self.docs.len()];
        let mut docs = Vec::with_capacity(self.docs.len() + user.len());
        let mut lengths = Vec::with_capacity((self.docs.len() + user.len()) * FIELDS);
        for (id, doc) in self.docs.iter().enumerate() {
            if !shadowed.contains(doc.slug.as_str()) {
                new_id[id] = Some(docs.len() as u32);
                docs.push(doc.clone());
                lengths.extend_from_slice(&self.lengths[id * FIELDS..(id + 1) * FIELDS]);
            }
        }
        let mine = SearchIndex::build(user);
        let offset = docs.len() as u32;
        docs.extend(mine.docs.iter().cloned().map(|doc| SearchDoc { user: true, ..doc }));
        lengths.extend_from_slice(&mine.lengths);
        // System ids come first and user ids after, so each merged list stays in doc order.
        let mut per_term: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
        for (term, list) in self.terms.iter().zip(&self.postings) {
            let entries = per_term.entry(term.as_str()).or_default();
            entries.extend(decode_postings(list).filter_map(|(doc, packed)| Some((new_id[doc as usize]?, packed))));
        }
        for (term, list) in mine.terms.iter().zip(&mine.postings) {
            per_term.entry(term.as_str()).or_default().extend(decode_postings(list).map(|(doc, packed)| (offset + doc, packed)));
        }
        per_term.retain(|_, list| !list.is_empty());
        let (terms, postings) = pack_postings(per_term);
        SearchIndex { version: SEARCH_VERSION, docs, lengths, terms, postings }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The best `limit` skills for `query`, best first. The last word of the
    /// query also matches as a prefix, so results follow the user's typing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let query_words: Vec<String> = words(query).collect();
        if query_words.is_empty() || self.docs.is_empty() {
            return Vec::new();
        }
        let averages = self.average_lengths();
        let mut scores = vec![0f32; self.docs.len()];
        let mut matched_words = vec![0u16; self.docs.len()];
        for (position, word) in query_words.iter().enumerate() {
            let is_last = position + 1 == query_words.len();
            let mut seen = vec![false; if is_last { self.docs.len() } else { 0 }];
            for (term_index, factor) in self.matching_terms(word, is_last) {
                let list = &self.postings[term_index];
                let idf = self.idf(list.len() / 2);
                let mut doc = 0usize;
                for pair in list.chunks_exact(2) {
                    doc += pair[0] as usize;
                    let mut weighted = 0f32;
                    for field in 0..FIELDS {
                        let tf = ((pair[1] >> (4 * field)) & 15) as f32;
                        if tf > 0.0 {
                            let len = self.lengths[doc * FIELDS + field] as f32;
                            let norm = 1.0 - LENGTH_NORM[field] + LENGTH_NORM[field] * len / averages[field].max(1.0);
                            weighted += WEIGHTS[field] * tf / norm;
                        }
                    }
                    scores[doc] += factor * idf * weighted / (K1 + weighted);
                    if !is_last || !seen[doc] {
                        matched_words[doc] += 1;
                        if is_last {
                            seen[doc] = true;
                        }
                    }
                }
            }
        }
        let wanted = query_words.len() as u16;
        let whole_query = query_words.join("-");
        let mut hits: Vec<Hit> = scores
            .iter()
            .enumerate()
            .filter(|(_, &s)| s > 0.0)
            .map(|(doc, &score)| {
                // Skills that match every word come first; an exact name beats all.
                let coverage = 1.0 + matched_words[doc].min(wanted) as f32 / wanted as f32;
                let exact = if self.docs[doc].slug == whole_query { 2.0 } else { 1.0 };
                Hit { doc, score: score * coverage * exact }
            })
            .collect();
        let by_score = |a: &Hit, b: &Hit| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc));
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, by_score);
            hits.truncate(limit);
        }
        hits.sort_by(by_score);
        hits
    }

    /// Index terms for a query word, with a score factor: the exact term
    /// (1.0) and, for the last word, terms it is a prefix of (discounted).
    fn matching_terms(&self, word: &str, prefix: bool) -> Vec<(usize, f32)> {
        let start = self.terms.partition_point(|t| t.as_str() < word);
        let mut found = Vec::new();
        for (offset, term) in self.terms[start..].iter().enumerate() {
            if term == word {
                found.push((start + offset, 1.0));
            } else if prefix && term.starts_with(word) && found.len() < MAX_PREFIX_EXPANSIONS {
                found.push((start + offset, PREFIX_DISCOUNT));
            } else {
                break;
            }
            if !prefix {
                break;
            }
        }
        found
    }

    fn idf(&self, df: usize) -> f32 {
        let n = self.docs.len() as f32;
        ((n - df as f32 + 0.5) / (df as f32 + 0.5)).ln_1p()
    }

    fn average_lengths(&self) -> [f32; FIELDS] {
        let mut sums = [0f32; FIELDS];
        for doc in self.lengths.chunks_exact(FIELDS) {
            for field in 0..FIELDS {
                sums[field] += doc[field] as f32;
            }
        }
        sums.map(|s| s / self.docs.len().max(1) as f32)
    }
}

/// Term frequencies of one doc, 4 bits per field.
fn pack_frequencies(freqs: [u32; FIELDS]) -> u32 {
    freqs.iter().enumerate().fold(0, |acc, (field, &f)| acc | (f.min(15) << (4 * field)))
}

/// (doc id, packed frequencies) of one posting list.
fn decode_postings(list: &[u32]) -> impl Iterator<Item = (u32, u32)> + '_ {
    let mut doc = 0;
    list.chunks_exact(2).map(move |pair| {
        doc += pair[0];
        (doc, pair[1])
    })
}

/// Sorted terms and their posting lists, doc ids delta-encoded. Each
/// list must be in increasing doc order.
fn pack_postings(per_term: std::collections::HashMap<&str, Vec<(u32, u32)>>) -> (Vec<String>, Vec<Vec<u32>>) {
    let mut sorted: Vec<(&str, Vec<(u32, u32)>)> = per_term.into_iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut terms = Vec::with_capacity(sorted.len());
    let mut postings = Vec::with_capacity(sorted.len());
    for (term, list) in sorted {
        let mut packed = Vec::with_capacity(list.len() * 2);
        let mut previous = 0;
        for (doc, freqs) in list {
            packed.push(doc - previous);
            packed.push(freqs);
            previous = doc;
        }
        terms.push(term.to_string());
        postings.push(packed);
    }
    (terms, postings)
}

/// Byte ranges in `text` of the words that match `query` (the last query
/// word as a prefix), for highlighting results.
pub fn highlight_ranges(text: &str, query: &str) -> Vec<(usize, usize)> {
    let query_words: Vec<String> = words(query).collect();
    let Some((last, rest)) = query_words.split_last() else { return Vec::new() };
    tokens(text)
        .filter_map(|(word, start, end)| {
            if rest.contains(&word) || word == *last {
                Some((start, end))
            } else if word.starts_with(last.as_str()) {
                // Only the typed part is highlighted. Lowercasing can change
                // byte lengths, so count characters, not bytes.
                let typed = last.chars().count();
                let cut = text[start..end].char_indices().nth(typed).map_or(end, |(i, _)| start + i);
                Some((start, cut))
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(name: &'a str, description: &'a str, keywords: &'a [String], body: &'a str) -> SearchInput<'a> {
        SearchInput { name, slug: name, description, keywords, body, category: None, kind: None }
    }

    fn index() -> SearchIndex {
        let none: &[String] = &[];
        let csv_keywords = vec!["tables".to_string(), "statistics".to_string()];
        SearchIndex::build(&[
            input("csv-analysis", "Profile a CSV file column by column.", &csv_keywords, "Read the header row, then count values."),
            input("plotting", "Draw a line chart as SVG.", none, "Columns of a CSV become series on the chart."),
            input("bell-state", "Prepare an entangled pair of qubits.", none, "Apply a Hadamard then a CNOT."),
            input("commit-messages", "Write clear commit messages.", none, "Summarise the change in the subject line."),
        ])
    }

    fn names(index: &SearchIndex, query: &str) -> Vec<String> {
        index.search(query, 10).iter().map(|h| index.docs[h.doc].name.clone()).collect()
    }

    #[test]
    fn name_matches_outrank_body_matches() {
        assert_eq!(names(&index(), "csv"), ["csv-analysis", "plotting"]);
    }

    #[test]
    fn the_last_word_matches_as_a_prefix() {
        assert_eq!(names(&index(), "entang"), ["bell-state"]);
        assert_eq!(names(&index(), "com")[0], "commit-messages");
        assert!(names(&index(), "entang pair").contains(&"bell-state".to_string()));
        assert!(names(&index(), "entang xyz").is_empty(), "earlier words must match whole");
    }

    #[test]
    fn skills_matching_every_word_come_first() {
        assert_eq!(names(&index(), "chart csv")[0], "plotting");
    }

    #[test]
    fn keywords_and_case_count() {
        assert_eq!(names(&index(), "STATISTICS"), ["csv-analysis"]);
        assert!(names(&index(), "").is_empty());
        assert!(names(&index(), "   ").is_empty());
    }

    #[test]
    fn round_trips_through_json() {
        let index = index();
        let json = serde_json::to_string(&index).unwrap();
        let back: SearchIndex = serde_json::from_str(&json).unwrap();
        assert_eq!(back, index);
        assert_eq!(names(&back, "qubit"), ["bell-state"]);
    }

    #[test]
    fn highlights_whole_words_and_typed_prefixes() {
        let text = "Profile a CSV file, Column by column.";
        let ranges = highlight_ranges(text, "csv col");
        let marked: Vec<&str> = ranges.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(marked, ["CSV", "Col", "col"]);
    }

    #[test]
    fn user_skills_layer_over_the_site_and_shadow_same_names() {
        let none: &[String] = &[];
        let site = index();
        let layered = site.layered(&[
            input("bell-state", "My own take on entangled qubits.", none, "Hadamard, CNOT, then measure."),
            input("haiku-writer", "Write a haiku about a CSV file.", none, "Five seven five syllables."),
        ]);
        assert_eq!(layered.len(), site.len() + 1, "the user's bell-state replaces the site's");
        let bell: Vec<&SearchDoc> = layered.docs.iter().filter(|d| d.slug == "bell-state").collect();
        assert_eq!(bell.len(), 1);
        assert!(bell[0].user && bell[0].description.starts_with("My own"));
        assert_eq!(names(&layered, "haiku"), ["haiku-writer"]);
        assert!(layered.docs.iter().find(|d| d.slug == "haiku-writer").unwrap().user);
        assert!(names(&layered, "csv").contains(&"haiku-writer".to_string()));
        assert_eq!(names(&layered, "csv")[0], "csv-analysis", "site skills keep their ranking");
        assert_eq!(names(&layered, "chart"), ["plotting"]);
        assert!(!layered.docs.iter().filter(|d| !d.user).any(|d| d.slug == "bell-state"));
        assert_eq!(site.layered(&[]), site, "no user skills, same index");
    }

    #[test]
    fn limit_keeps_the_best() {
        let index = index();
        let all = index.search("a", 10);
        let top = index.search("a", 1);
        if let (Some(first), Some(best)) = (all.first(), top.first()) {
            assert_eq!(first.doc, best.doc);
        }
        assert!(top.len() <= 1);
    }
}
