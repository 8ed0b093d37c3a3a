//! Search over skills: BM25F ranking (Robertson & Zaragoza, "The
//! Probabilistic Relevance Framework: BM25 and Beyond", 2009, §3.1: field
//! frequencies weighted and length-normalised per field, then saturated
//! once with k1) across name, keywords, description, body and the skill's
//! type and category, with the last query word matched as a prefix
//! (type-ahead), one typo forgiven in longer words, field filters
//! (`type:python`, `category:data`, `tag:csv`) and a floor relative to the
//! best hit so weak tails are not offered as matches.
//!
//! Words are analysed the same way in the index and in queries
//! (`analysis`: lowercasing, stop words, British→American spelling,
//! Snowball stemming), in the index's `Language`.
//!
//! The same index serves the browser (serialised to `index/search.json` at
//! build time, fetched lazily by the search island) and `llmos search`, so
//! retrieval is tested natively and behaves identically in both places;
//! `app/tests/relevance.rs` measures it.
//!
//! Compactness: name, keywords and description are indexed whole; the body
//! contributes only its `BODY_TERMS` most distinctive terms per skill (by
//! tf·idf). The body is the lowest-weighted field and by far the largest,
//! so this keeps the index small at little cost to ranking.

mod analysis;
pub(crate) mod fuzzy;
pub mod query;
pub mod rank;
pub mod shards;

pub use analysis::{fold_case, normalise_spelling, tokens, Analyzer, Language, STOPWORDS};
use fuzzy::{typo_match, MIN_TYPO_CHARS};
pub use rank::Part;
pub use shards::{ShardFiles, ShardedIndex};
use serde::{Deserialize, Serialize};

/// Version 2: stemmed terms, stop words left out, a fifth field (type and
/// category), and the index's `language`. Tags in the result metadata are
/// optional, so older readers still read it; the sharded form (`shards`)
/// carries the same version.
pub const SEARCH_VERSION: u32 = 2;
/// Body terms kept per skill.
pub const BODY_TERMS: usize = 24;
/// Descriptions in the index are cut to what a result shows; all of their
/// words are still indexed.
pub const DESCRIPTION_CHARS: usize = 180;
/// How many index terms the last (prefix) query word may expand to.
const MAX_PREFIX_EXPANSIONS: usize = 64;
/// Hits scoring below this share of the best hit are dropped (the best hit
/// always stays). Tuned on `app/tests/relevance.rs`.
pub const RELATIVE_FLOOR: f32 = 0.3;

const FIELDS: usize = 5;
const NAME: usize = 0;
const KEYWORDS: usize = 1;
const DESCRIPTION: usize = 2;
const BODY: usize = 3;
/// The skill's type and category as words: "python" finds the Python skills.
const FACETS: usize = 4;
/// Fields whose token counts the index stores (for length normalisation);
/// the facets field is one or two words everywhere and is not normalised.
const LENGTH_FIELDS: usize = 4;
const WEIGHTS: [f32; FIELDS] = [5.0, 3.0, 2.0, 1.0, 4.0];
const LENGTH_NORM: [f32; FIELDS] = [0.3, 0.3, 0.75, 0.75, 0.0];
const K1: f32 = 1.2;
/// A word matched only as a prefix counts a little less than a whole word.
const PREFIX_DISCOUNT: f32 = 0.7;
/// Up to this much more for a skill whose name's words the query covers.
const NAME_COVER_BONUS: f32 = 0.2;
/// A word matched with one typo counts less than a prefix.
const TYPO_DISCOUNT: f32 = 0.5;

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
    /// The name of the skills root it comes from (see `crate::SourceInfo`),
    /// set by the build when the site has more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The skill's keywords, shown as tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The search index: result cards and compressed posting lists, as
/// serialised to `index/search.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchIndex {
    pub version: u32,
    /// How terms were analysed; queries are analysed the same way.
    #[serde(default)]
    pub language: Language,
    pub docs: Vec<SearchDoc>,
    /// Per doc, the token count of the first `LENGTH_FIELDS` fields, flattened.
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

/// One skill's terms, counted. Computing this is the costly, independent
/// part of indexing, so callers with threads can do it in parallel.
#[derive(Debug, Clone)]
pub struct AnalysedDoc {
    /// Frequencies in name, keywords, description and facets (body left at 0).
    fields: std::collections::HashMap<String, [u32; FIELDS]>,
    /// Body term counts, one-letter words left out.
    body: std::collections::HashMap<String, u32>,
    lengths: [u32; LENGTH_FIELDS],
    language: Language,
}

impl AnalysedDoc {
    /// Analysed in English, the default language.
    pub fn new(input: &SearchInput) -> AnalysedDoc {
        Self::with_language(input, Language::English)
    }

    pub fn with_language(input: &SearchInput, language: Language) -> AnalysedDoc {
        let analyzer = Analyzer::new(language);
        let mut fields: std::collections::HashMap<String, [u32; FIELDS]> = std::collections::HashMap::new();
        let mut lengths = [0u32; LENGTH_FIELDS];
        let keyword_words = input.keywords.iter().flat_map(|k| analyzer.terms(k));
        let facet_words = input.kind.into_iter().chain(input.category).flat_map(|f| analyzer.terms(f));
        let per_field: [(usize, Box<dyn Iterator<Item = String>>); 4] = [
            (NAME, Box::new(analyzer.terms(input.name))),
            (KEYWORDS, Box::new(keyword_words)),
            (DESCRIPTION, Box::new(analyzer.terms(input.description))),
            (FACETS, Box::new(facet_words)),
        ];
        for (field, field_words) in per_field {
            for word in field_words {
                if field < LENGTH_FIELDS {
                    lengths[field] += 1;
                }
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
        for word in analyzer.terms(&input.body[..cut]).filter(|w| w.chars().count() > 1) {
            lengths[BODY] += 1;
            *body.entry(word).or_insert(0) += 1;
        }
        AnalysedDoc { fields, body, lengths, language }
    }

    /// The language this doc was analysed in.
    pub fn language(&self) -> Language {
        self.language
    }
}

impl SearchIndex {
    /// An English index of `inputs`.
    pub fn build(inputs: &[SearchInput]) -> SearchIndex {
        Self::build_in(inputs, Language::English)
    }

    /// An index of `inputs` analysed in `language`.
    pub fn build_in(inputs: &[SearchInput], language: Language) -> SearchIndex {
        let analysed: Vec<AnalysedDoc> = inputs.iter().map(|i| AnalysedDoc::with_language(i, language)).collect();
        let mut index = Self::from_analysed(inputs, &analysed.iter().collect::<Vec<_>>());
        index.language = language;
        index
    }

    /// `analysed[i]` must be `AnalysedDoc::with_language(&inputs[i], language)`,
    /// one language for all; callers may compute them in parallel, or keep
    /// them between builds.
    pub fn from_analysed(inputs: &[SearchInput], analysed: &[&AnalysedDoc]) -> SearchIndex {
        use std::collections::HashMap;
        let language = analysed.first().map_or_else(Language::default, |d| d.language);
        debug_assert!(analysed.iter().all(|d| d.language == language), "one language per index");
        let mut body_df: HashMap<&str, u32> = HashMap::new();
        for doc in analysed {
            for term in doc.body.keys() {
                *body_df.entry(term).or_insert(0) += 1;
            }
        }
        let n = inputs.len().max(1) as f32;
        let mut per_term: HashMap<&str, Vec<(u32, [u32; FIELDS])>> = HashMap::new();
        let mut lengths = Vec::with_capacity(inputs.len() * LENGTH_FIELDS);
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
            .map(|i| SearchDoc { name: i.name.into(), slug: i.slug.into(), description: crate::shorten(i.description, DESCRIPTION_CHARS), category: i.category.map(Into::into), kind: i.kind.map(Into::into), user: false, source: None, tags: i.keywords.to_vec() })
            .collect();
        SearchIndex { version: SEARCH_VERSION, language, docs, lengths, terms, postings }
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
        let mut lengths = Vec::with_capacity((self.docs.len() + user.len()) * LENGTH_FIELDS);
        for (id, doc) in self.docs.iter().enumerate() {
            if !shadowed.contains(doc.slug.as_str()) {
                new_id[id] = Some(docs.len() as u32);
                docs.push(doc.clone());
                lengths.extend_from_slice(&self.lengths[id * LENGTH_FIELDS..(id + 1) * LENGTH_FIELDS]);
            }
        }
        let mine = SearchIndex::build_in(user, self.language);
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
        SearchIndex { version: SEARCH_VERSION, language: self.language, docs, lengths, terms, postings }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The best `limit` skills for `query`, best first (ties in catalogue
    /// order). The last word of the query also matches as a prefix, so
    /// results follow the user's typing; stop words are ignored; a word of
    /// `MIN_TYPO_CHARS` or more that the index lacks matches terms one typo
    /// away; `type:`, `category:` and `tag:` filters narrow the results, and
    /// alone list every skill they admit. Hits below `RELATIVE_FLOOR` of the
    /// best score are left out.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        rank::rank(self, query, limit).expect("a whole index has every part")
    }

    /// Ranges of `text` to highlight for `query`, analysed in this index's
    /// language (see `highlight_ranges_in`).
    pub fn highlight_ranges(&self, text: &str, query: &str) -> Vec<(usize, usize)> {
        highlight_ranges_in(text, query, self.language)
    }

    /// Per field, the token counts of all docs summed.
    pub(crate) fn length_sums(&self) -> [u64; LENGTH_FIELDS] {
        let mut sums = [0u64; LENGTH_FIELDS];
        for doc in self.lengths.chunks_exact(LENGTH_FIELDS) {
            for field in 0..LENGTH_FIELDS {
                sums[field] += u64::from(doc[field]);
            }
        }
        sums
    }

    /// Token count of `field` in `doc`.
    pub(crate) fn length(&self, doc: usize, field: usize) -> u32 {
        self.lengths[doc * LENGTH_FIELDS + field]
    }
}

impl rank::Source for SearchIndex {
    fn language(&self) -> Language {
        self.language
    }
    fn doc_count(&self) -> usize {
        self.docs.len()
    }
    fn length_sums(&self) -> [u64; LENGTH_FIELDS] {
        SearchIndex::length_sums(self)
    }
    fn has(&self, term: &str) -> Result<bool, rank::Part> {
        Ok(self.terms.binary_search_by(|t| t.as_str().cmp(term)).is_ok())
    }
    fn scan(&self, prefix: &str, visit: &mut dyn FnMut(&str) -> bool) -> Result<(), rank::Part> {
        let start = self.terms.partition_point(|t| t.as_str() < prefix);
        for term in self.terms[start..].iter().take_while(|t| t.starts_with(prefix)) {
            if !visit(term) {
                break;
            }
        }
        Ok(())
    }
    fn postings(&self, term: &str) -> Result<Vec<(u32, u32)>, rank::Part> {
        Ok(match self.terms.binary_search_by(|t| t.as_str().cmp(term)) {
            Ok(i) => decode_postings(&self.postings[i]).collect(),
            Err(_) => Vec::new(),
        })
    }
    fn length(&self, doc: usize, field: usize) -> u32 {
        SearchIndex::length(self, doc, field)
    }
    fn slug_doc(&self, slug: &str) -> Result<Option<usize>, rank::Part> {
        Ok(self.docs.iter().position(|d| d.slug == slug))
    }
    fn facet(&self, doc: usize, field: rank::FacetField) -> Result<Option<&str>, rank::Part> {
        let doc = &self.docs[doc];
        Ok(match field {
            rank::FacetField::Type => doc.kind.as_deref(),
            rank::FacetField::Category => doc.category.as_deref(),
            rank::FacetField::Source => doc.source.as_deref(),
        })
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

/// Byte ranges in `text` of the words that match `query` in English (the
/// default language; `highlight_ranges_in` for others), for highlighting
/// results.
pub fn highlight_ranges(text: &str, query: &str) -> Vec<(usize, usize)> {
    highlight_ranges_in(text, query, Language::English)
}

/// Byte ranges in `text` of the words that match `query` as the search
/// matches them: same term (stem), one typo away from a long query word, or,
/// for the last query word, words it is a prefix of (only the typed part is
/// marked). Stop words are never marked.
pub fn highlight_ranges_in(text: &str, query: &str, language: Language) -> Vec<(usize, usize)> {
    let analyzer = Analyzer::new(language);
    let parsed = query::parse(query);
    let raw: Vec<String> = tokens(&parsed.text).map(|(w, _, _)| w).collect();
    let words: Vec<&String> = raw.iter().filter(|w| raw.len() == 1 || !analyzer.is_stopword(w)).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let typing_last = !parsed.text.ends_with(' ') && raw.last() == words.last().copied();
    let last = if typing_last { words.last().map(|w| w.as_str()) } else { None };
    let wanted: Vec<(Vec<char>, String, Vec<char>)> = words
        .iter()
        .map(|w| {
            let term = analyzer.term(w);
            (w.chars().collect(), term.clone(), term.chars().collect())
        })
        .collect();
    tokens(text)
        .filter_map(|(word, start, end)| {
            if analyzer.is_stopword(&word) && Some(word.as_str()) != last {
                return None;
            }
            let term = analyzer.term(&word);
            let term_chars: Vec<char> = term.chars().collect();
            let whole = wanted.iter().any(|(w, t, t_chars)| *t == term || (w.len() >= MIN_TYPO_CHARS && term_chars.len() > 2 && typo_match(w, t_chars, &term_chars)));
            if whole {
                return Some((start, end));
            }
            let last = last?;
            if word.starts_with(last) {
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
    fn a_source_filter_keeps_that_collections_skills_by_name_or_slug() {
        let mut index = index();
        index.docs[0].source = Some("Anthropic's Skills".into());
        index.docs[1].source = Some("Team".into());
        assert_eq!(names(&index, "csv source:team"), ["plotting"]);
        assert_eq!(names(&index, "source:\"anthropic-s-skills\""), ["csv-analysis"]);
        assert!(names(&index, "csv source:nobody").is_empty());
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
        assert!(names(&index(), "entan xyz").is_empty(), "earlier words must match whole (or with one typo, from 5 letters)");
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
