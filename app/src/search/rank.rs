//! The ranking itself (BM25F, see the parent module), written once against
//! `Source`: what ranking reads of an index. The whole index
//! (`SearchIndex`), the sharded one (`shards::ShardedIndex`, fetched part by
//! part) and user skills layered over either (`Layered`) implement it, so
//! all of them rank alike, to the bit.

use super::analysis::{tokens, Analyzer, Language};
use super::fuzzy::{typo_match, MIN_TYPO_CHARS};
use super::query::{self, Filter};
use super::*;

/// A part of a sharded index that ranking needs and that is not loaded yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Term shard `n` (terms, postings and slugs in its range).
    Shard(u32),
    /// Every skill's type, category and source, for `type:`, `category:`
    /// and `source:` filters and facet counts.
    Facets,
}

/// Which facet of a skill (`Source::facet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetField {
    Type,
    Category,
    Source,
}

/// What ranking reads of an index. Doc ids are `0..id_space()`; methods
/// that read a part not loaded yet return it as the error.
pub trait Source {
    fn language(&self) -> Language;
    /// Docs searched: N in the idf.
    fn doc_count(&self) -> usize;
    /// One past the largest doc id (ids of removed docs may stay unused).
    fn id_space(&self) -> usize {
        self.doc_count()
    }
    /// False for an id no doc has (`id_space` > `doc_count`).
    fn live(&self, _doc: usize) -> bool {
        true
    }
    /// Sum over docs of the token counts of the first `LENGTH_FIELDS` fields.
    fn length_sums(&self) -> [u64; LENGTH_FIELDS];
    /// Whether `term` is an index term.
    fn has(&self, term: &str) -> Result<bool, Part>;
    /// Visits the index terms that start with `prefix`, in order, while
    /// `visit` says so.
    fn scan(&self, prefix: &str, visit: &mut dyn FnMut(&str) -> bool) -> Result<(), Part>;
    /// (doc id, packed frequencies: 4 bits per field) of `term`, by doc id.
    fn postings(&self, term: &str) -> Result<Vec<(u32, u32)>, Part>;
    /// Token count of `field` (< `LENGTH_FIELDS`) in `doc`. Only asked for
    /// docs in a list `postings` returned, and for a field the posting
    /// counts (or the name), or of a doc `slug_doc` found.
    fn length(&self, doc: usize, field: usize) -> u32;
    /// The doc whose slug is `slug`.
    fn slug_doc(&self, slug: &str) -> Result<Option<usize>, Part>;
    /// A doc's type, category or source.
    fn facet(&self, doc: usize, field: FacetField) -> Result<Option<&str>, Part>;
}

/// The parts a query will certainly read: the shards of its words and of the
/// last word's prefix range, of the whole query as a slug, and the facets
/// for its filters. Fetching these together saves round trips; ranking
/// asks for any other part it needs (typo and stem fallbacks, long prefix
/// ranges).
pub(super) fn planned_keys(query: &str, language: Language) -> (Vec<String>, bool) {
    let parsed = query::parse(query);
    let analyzer = Analyzer::new(language);
    let raw: Vec<String> = tokens(&parsed.text).map(|(w, _, _)| w).filter(|w| w.chars().count() <= crate::limits::MAX_INDEXED_WORD_CHARS).collect();
    let mut keys: Vec<String> =
        raw.iter().filter(|w| raw.len() == 1 || !analyzer.is_stopword(w)).flat_map(|w| [w.clone(), if analyzer.is_stopword(w) { w.clone() } else { analyzer.term(w) }]).collect();
    if !raw.is_empty() {
        keys.push(raw.join("-"));
    }
    for filter in &parsed.filters {
        if let Filter::Tag(value) = filter {
            keys.extend(analyzer.terms(value));
        }
    }
    let facets = parsed.filters.iter().any(|f| !matches!(f, Filter::Tag(_)));
    (keys, facets)
}

/// The best `limit` docs for `query` (see `SearchIndex::search`). One
/// copy for every kind of index (`dyn`), which keeps the browser bundle small.
pub fn rank(source: &dyn Source, query: &str, limit: usize) -> Result<Vec<Hit>, Part> {
    let parsed = query::parse(query);
    let analyzer = Analyzer::new(source.language());
    let raw: Vec<String> = tokens(&parsed.text).map(|(w, _, _)| w).filter(|w| w.chars().count() <= crate::limits::MAX_INDEXED_WORD_CHARS).collect();
    let typing_last = !parsed.text.ends_with(' ');
    // Stop words are dropped, unless one is all there is (type-ahead: "th…").
    let words: Vec<(&str, bool)> = raw.iter().enumerate().filter(|(_, w)| raw.len() == 1 || !analyzer.is_stopword(w)).map(|(i, w)| (w.as_str(), typing_last && i + 1 == raw.len())).collect();
    let allowed = filter_mask(source, &parsed.filters, &analyzer)?;
    if source.doc_count() == 0 || (words.is_empty() && allowed.is_none()) {
        return Ok(Vec::new());
    }
    let ids = source.id_space();
    let mut scores = vec![0f32; ids];
    let mut matched_words = vec![0u16; ids];
    let mut name_words = vec![0u16; ids];
    if words.is_empty() {
        // Filters alone: every skill they admit, in catalogue order.
        scores.iter_mut().for_each(|s| *s = 1.0);
    }
    let averages = average_lengths(source);
    let mut word_scores = vec![0f32; if words.is_empty() { 0 } else { ids }];
    let mut in_name = vec![false; word_scores.len()];
    for &(word, is_last) in &words {
        let term = if analyzer.is_stopword(word) { word.to_string() } else { analyzer.term(word) };
        word_scores.iter_mut().for_each(|s| *s = 0.0);
        in_name.iter_mut().for_each(|n| *n = false);
        let matches = matching_terms(source, word, &term, is_last)?;
        let mut lists = Vec::with_capacity(matches.len());
        for (term, factor) in matches {
            lists.push((source.postings(&term)?, factor));
        }
        // When the word is a term itself, its longer expansions ("python3"
        // for "python") are no rarer than it: their idf is capped at its.
        let idf_cap = lists.first().filter(|m| m.1 == 1.0).map_or(f32::INFINITY, |m| idf(source, m.0.len()));
        for (list, factor) in lists {
            let idf = idf(source, list.len()).min(idf_cap);
            for (doc, packed) in list {
                let doc = doc as usize;
                let mut weighted = 0f32;
                for field in 0..FIELDS {
                    let tf = ((packed >> (4 * field)) & 15) as f32;
                    if tf > 0.0 {
                        let norm = if field < LENGTH_FIELDS {
                            let len = source.length(doc, field) as f32;
                            1.0 - LENGTH_NORM[field] + LENGTH_NORM[field] * len / averages[field].max(1.0)
                        } else {
                            1.0
                        };
                        weighted += WEIGHTS[field] * tf / norm;
                    }
                }
                // A word counts once per skill, by its best-matching term.
                let score = factor * idf * weighted / (K1 + weighted);
                word_scores[doc] = word_scores[doc].max(score);
                in_name[doc] |= packed & 15 > 0;
            }
        }
        for (doc, &score) in word_scores.iter().enumerate() {
            if score > 0.0 {
                scores[doc] += score;
                matched_words[doc] += 1;
                name_words[doc] += u16::from(in_name[doc]);
            }
        }
    }
    let wanted = words.len().max(1) as u16;
    let exact_doc = if raw.is_empty() { None } else { source.slug_doc(&raw.join("-"))? };
    let mut hits: Vec<Hit> = scores
        .iter()
        .enumerate()
        .filter(|&(doc, &s)| s > 0.0 && source.live(doc) && allowed.as_ref().is_none_or(|a| a[doc]))
        .map(|(doc, &score)| {
            // Skills that match every word come first; an exact name beats all.
            let coverage = if words.is_empty() { 1.0 } else { 1.0 + matched_words[doc].min(wanted) as f32 / wanted as f32 };
            // … and among near ties, the name the query covers best ("bell" → bell-state before bell-state-qasm).
            let name_cover = if name_words[doc] == 0 {
                1.0
            } else {
                let name_length = source.length(doc, NAME).max(1) as f32;
                1.0 + NAME_COVER_BONUS * (name_words[doc] as f32 / name_length).min(1.0)
            };
            let exact = if exact_doc == Some(doc) { 2.0 } else { 1.0 };
            Hit { doc, score: score * coverage * name_cover * exact }
        })
        .collect();
    let best = hits.iter().map(|h| h.score).fold(0f32, f32::max);
    hits.retain(|h| h.score >= best * RELATIVE_FLOOR);
    let by_score = |a: &Hit, b: &Hit| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc));
    if hits.len() > limit {
        hits.select_nth_unstable_by(limit, by_score);
        hits.truncate(limit);
    }
    hits.sort_by(by_score);
    Ok(hits)
}

/// Which docs the filters admit (`None`: no filters). Types and categories
/// compare as names (`query::names`); a tag admits the skills whose
/// keywords hold all of its terms.
fn filter_mask(source: &dyn Source, filters: &[Filter], analyzer: &Analyzer) -> Result<Option<Vec<bool>>, Part> {
    if filters.is_empty() {
        return Ok(None);
    }
    let ids = source.id_space();
    let mut allowed = vec![true; ids];
    for filter in filters {
        match filter {
            Filter::Type(value) | Filter::Category(value) => {
                let field = if matches!(filter, Filter::Type(_)) { FacetField::Type } else { FacetField::Category };
                for (doc, ok) in allowed.iter_mut().enumerate() {
                    *ok &= source.facet(doc, field)?.is_some_and(|f| query::names(f, value));
                }
            }
            Filter::Tag(value) => {
                let terms: Vec<String> = analyzer.terms(value).collect();
                let mut tagged = vec![!terms.is_empty(); ids];
                for term in &terms {
                    let mut has = vec![false; ids];
                    for (doc, packed) in source.postings(term)? {
                        has[doc as usize] = (packed >> (4 * KEYWORDS)) & 15 > 0;
                    }
                    tagged.iter_mut().zip(has).for_each(|(t, h)| *t &= h);
                }
                allowed.iter_mut().zip(tagged).for_each(|(a, t)| *a &= t);
            }
            Filter::Source(value) => {
                // By name or slug: both compare as slugs.
                let wanted = crate::slugify(value);
                for (doc, ok) in allowed.iter_mut().enumerate() {
                    *ok &= source.facet(doc, FacetField::Source)?.is_some_and(|s| crate::slugify(s) == wanted);
                }
            }
        }
    }
    Ok(Some(allowed))
}

/// Index terms for a query word, with a score factor: its own term (1.0);
/// for the last word, terms it is a prefix of, or failing those a stem it
/// extends ("plotti" → "plot"), discounted; failing all, for a long word,
/// terms one typo away (`fuzzy::typo_match`), discounted more.
fn matching_terms(source: &dyn Source, word: &str, term: &str, prefix: bool) -> Result<Vec<(String, f32)>, Part> {
    let mut found = Vec::new();
    if source.has(term)? {
        found.push((term.to_string(), 1.0));
    }
    if prefix {
        if found.len() < MAX_PREFIX_EXPANSIONS {
            source.scan(word, &mut |candidate| {
                if candidate != term {
                    found.push((candidate.to_string(), PREFIX_DISCOUNT));
                }
                found.len() < MAX_PREFIX_EXPANSIONS
            })?;
        }
        if found.is_empty() {
            let chars: Vec<(usize, char)> = word.char_indices().collect();
            let shortest = 3.max(chars.len().saturating_sub(3));
            for n in (shortest..chars.len()).rev() {
                let stem = &word[..chars[n].0];
                if source.has(stem)? {
                    found.push((stem.to_string(), PREFIX_DISCOUNT));
                    break;
                }
            }
        }
    }
    if found.is_empty() && word.chars().count() >= MIN_TYPO_CHARS {
        let word_chars: Vec<char> = word.chars().collect();
        let stem_chars: Vec<char> = term.chars().collect();
        // Typos rarely hit the first letter; holding it fixed limits the scan.
        let first = &word[..word_chars[0].len_utf8()];
        source.scan(first, &mut |candidate| {
            let candidate_chars: Vec<char> = candidate.chars().collect();
            if typo_match(&word_chars, &stem_chars, &candidate_chars) {
                found.push((candidate.to_string(), TYPO_DISCOUNT));
            }
            true
        })?;
    }
    Ok(found)
}

fn idf(source: &dyn Source, df: usize) -> f32 {
    let n = source.doc_count() as f32;
    ((n - df as f32 + 0.5) / (df as f32 + 0.5)).ln_1p()
}

/// Average token count per field. Summed as integers, divided as `f32`.
fn average_lengths(source: &dyn Source) -> [f32; LENGTH_FIELDS] {
    let n = source.doc_count().max(1) as f32;
    source.length_sums().map(|s| s as f32 / n)
}

/// User skills layered over a site's index (`SearchIndex::layered`, whose
/// ranking this reproduces without copying the site's index): a user skill
/// takes the place of the site's skill of the same slug. Site docs keep
/// their ids (a shadowed one's id goes unused); user doc `i` is
/// `site.id_space() + i`.
pub struct Layered<'a> {
    pub site: &'a dyn Source,
    /// The user's skills, indexed on their own (body terms chosen among them).
    pub user: &'a SearchIndex,
    /// Site doc ids the user's skills take the place of.
    shadowed: Vec<usize>,
    sums: [u64; LENGTH_FIELDS],
}

impl<'a> Layered<'a> {
    /// Fails with a part of `site` needed to find the shadowed skills.
    pub fn new(site: &'a dyn Source, user: &'a SearchIndex) -> Result<Self, Part> {
        let mut shadowed = Vec::new();
        for doc in &user.docs {
            if let Some(id) = site.slug_doc(&doc.slug)? {
                shadowed.push(id);
            }
        }
        shadowed.sort_unstable();
        shadowed.dedup();
        let mut sums = site.length_sums();
        let user_sums = user.length_sums();
        for field in 0..LENGTH_FIELDS {
            sums[field] += user_sums[field];
            for &doc in &shadowed {
                sums[field] -= u64::from(site.length(doc, field));
            }
        }
        Ok(Layered { site, user, shadowed, sums })
    }

    /// The user's doc behind an id, if it is one.
    pub fn user_doc(&self, doc: usize) -> Option<&'a SearchDoc> {
        doc.checked_sub(self.site.id_space()).map(|i| &self.user.docs[i])
    }

    /// Whether site doc `doc` is replaced by a user skill.
    pub fn is_shadowed(&self, doc: usize) -> bool {
        self.shadowed.binary_search(&doc).is_ok()
    }
}

impl Source for Layered<'_> {
    fn language(&self) -> Language {
        self.site.language()
    }
    fn doc_count(&self) -> usize {
        self.site.doc_count() - self.shadowed.len() + self.user.docs.len()
    }
    fn id_space(&self) -> usize {
        self.site.id_space() + self.user.docs.len()
    }
    fn live(&self, doc: usize) -> bool {
        match doc.checked_sub(self.site.id_space()) {
            Some(_) => true,
            None => self.site.live(doc) && !self.is_shadowed(doc),
        }
    }
    fn length_sums(&self) -> [u64; LENGTH_FIELDS] {
        self.sums
    }
    fn has(&self, term: &str) -> Result<bool, Part> {
        // A term only shadowed docs hold is no term of the layered index.
        Ok(Source::has(self.user, term)? || !self.postings(term)?.is_empty())
    }
    fn scan(&self, prefix: &str, visit: &mut dyn FnMut(&str) -> bool) -> Result<(), Part> {
        let start = self.user.terms.partition_point(|t| t.as_str() < prefix);
        let mut mine = self.user.terms[start..].iter().take_while(|t| t.starts_with(prefix)).peekable();
        let mut stopped = false;
        let mut failed = None;
        self.site.scan(prefix, &mut |term| {
            while let Some(own) = mine.next_if(|own| own.as_str() < term) {
                if !visit(own) {
                    stopped = true;
                    return false;
                }
            }
            mine.next_if(|own| own.as_str() == term);
            match self.postings(term) {
                Ok(list) if list.is_empty() => true,
                Ok(_) => {
                    let go = visit(term);
                    stopped = !go;
                    go
                }
                Err(part) => {
                    failed = Some(part);
                    false
                }
            }
        })?;
        if let Some(part) = failed {
            return Err(part);
        }
        if !stopped {
            for own in mine {
                if !visit(own) {
                    break;
                }
            }
        }
        Ok(())
    }
    fn postings(&self, term: &str) -> Result<Vec<(u32, u32)>, Part> {
        let mut list = self.site.postings(term)?;
        list.retain(|&(doc, _)| !self.is_shadowed(doc as usize));
        let offset = self.site.id_space() as u32;
        list.extend(Source::postings(self.user, term)?.into_iter().map(|(doc, packed)| (offset + doc, packed)));
        Ok(list)
    }
    fn length(&self, doc: usize, field: usize) -> u32 {
        match doc.checked_sub(self.site.id_space()) {
            Some(i) => self.user.length(i, field),
            None => self.site.length(doc, field),
        }
    }
    fn slug_doc(&self, slug: &str) -> Result<Option<usize>, Part> {
        if let Some(i) = self.user.docs.iter().position(|d| d.slug == slug) {
            return Ok(Some(self.site.id_space() + i));
        }
        Ok(self.site.slug_doc(slug)?.filter(|&doc| !self.is_shadowed(doc)))
    }
    fn facet(&self, doc: usize, field: FacetField) -> Result<Option<&str>, Part> {
        match doc.checked_sub(self.site.id_space()) {
            Some(i) => Source::facet(self.user, i, field),
            None if self.is_shadowed(doc) => Ok(None),
            None => self.site.facet(doc, field),
        }
    }
}
