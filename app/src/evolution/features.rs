//! Lexical features of traces: TF-IDF word and character n-grams of the goal plus what the task used, as unit sparse vectors.

use super::normalise::{canonical_word, goal_term, is_noise};
use super::vocabulary::{count, fold, words_of, Counts, Scratch, Vocabulary};
use super::TraceInput;
use crate::search::{Analyzer, Language};
use rustc_hash::FxHashMap;

/// A sparse vector: (feature id, weight) pairs, each id once, in no
/// particular order (a trace's are in the order its features first occur;
/// `Features::text_vector` sorts by id), of unit L2 norm or empty. The
/// cosine of two is their dot product.
pub type SparseVec = Vec<(u32, f32)>;

/// Character n-gram lengths, taken within each word padded as `<word>`
/// (the "subword" features of fastText, Bojanowski et al. 2017, and of
/// scikit-learn's `char_wb` analyser).
pub const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 3..=4;

/// How much each block of features counts in a trace's vector. Each block
/// is L2-normalised on its own and scaled by the square root of its weight,
/// so the cosine of two traces is the weighted sum of their blocks' cosines
/// (when both have every block; a missing block's weight goes to the others).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockWeights {
    /// Word unigrams and bigrams of the goal's stemmed terms.
    pub words: f32,
    /// Character n-grams of the goal's words (typos, compounds, inflections the stemmer misses).
    pub chars: f32,
    /// What the task used: skills used, the steps (tool calls and skill runs)
    /// and their consecutive pairs, and at half the term frequency the skills offered.
    ///
    /// 0 by default, measured: every task that one skill serves uses the
    /// same skills and steps, so any weight here pulls different tasks of
    /// one skill together. On the benchmark's synthetic traces (2,000 tasks
    /// over 12 skills) the pairwise F1 at 100k traces is 0.69 with 0, 0.28
    /// with 0.05 and 0.02 with 0.15; the quality set has no usage. What the
    /// tasks used still shapes each pattern (its common sequence and skills
    /// used); a caller that wants it in the similarity sets a weight.
    pub usage: f32,
}

impl Default for BlockWeights {
    fn default() -> Self {
        BlockWeights {
            words: 0.35,
            chars: 0.5,
            usage: 0.0,
        }
    }
}

pub(super) const WORDS: usize = 0;
pub(super) const CHARS: usize = 1;
pub(super) const USAGE: usize = 2;

/// Candidate keys kept per trace: its rarest word features and the rarest
/// character n-gram of each of its rarest words (see `cluster`).
const WORD_KEYS: usize = 4;
const CHAR_KEYS: usize = 3;

/// The traces' vectors and what clustering and coverage need besides.
#[derive(Debug, Default)]
pub struct Features {
    /// One unit vector per trace, in input order.
    pub vectors: Vec<SparseVec>,
    /// Per trace, the ids of its candidate keys: its rarest features that at
    /// least one other trace has (document frequency ≥ 2).
    pub keys: Vec<Vec<u32>>,
    /// Document frequency per feature id.
    pub df: Vec<u32>,
    /// Smoothed idf per feature id (see `build`).
    idf: Vec<f32>,
    /// How many traces the vocabulary was counted over.
    pub docs: usize,
    weights: BlockWeights,
    vocabulary: Vocabulary,
}

impl Features {
    /// Builds the vectors of `traces`: counts features, then weighs each by
    /// TF-IDF with sublinear tf and smoothed idf (`(1 + ln tf) · (ln((1 + n)
    /// / (1 + df)) + 1)`, scikit-learn's `TfidfVectorizer(sublinear_tf=True,
    /// smooth_idf=True)`), and L2-normalises each block (see `BlockWeights`).
    /// Linear in the total length of the goals; each distinct word is analysed once.
    pub fn build(traces: &[TraceInput], weights: BlockWeights) -> Features {
        let analyzer = Analyzer::new(Language::English);
        let mut vocabulary = Vocabulary::default();
        let mut scratch = Scratch::default();
        let counts: Vec<Counts> = traces
            .iter()
            .map(|t| count(&mut vocabulary, &analyzer, &mut scratch, t))
            .collect();
        let mut df = vec![0u32; vocabulary.block.len()];
        for c in &counts {
            for &(id, _) in &c.items {
                df[id as usize] += 1;
            }
        }
        let n = traces.len() as f32;
        let idf = df
            .iter()
            .map(|&df| ((1.0 + n) / (1.0 + df as f32)).ln() + 1.0)
            .collect();
        let mut features = Features {
            vectors: Vec::with_capacity(traces.len()),
            keys: Vec::with_capacity(traces.len()),
            df,
            idf,
            docs: traces.len(),
            weights,
            vocabulary,
        };
        for c in counts {
            features.keys.push(features.candidate_keys(&c));
            features.vectors.push(features.weigh(c.items, 0.0));
        }
        features
    }

    /// Whether feature `id` comes from a goal (words or characters), not from usage.
    pub fn is_goal_feature(&self, id: u32) -> bool {
        self.vocabulary.block[id as usize] != USAGE as u8
    }

    /// Whether feature `id` is a word unigram or bigram of a goal.
    pub fn is_word_feature(&self, id: u32) -> bool {
        self.vocabulary.block[id as usize] == WORDS as u8
    }

    /// The idf of feature `id` (a feature never seen counts as df = 0).
    pub fn idf(&self, id: Option<u32>) -> f32 {
        match id {
            Some(id) => self.idf[id as usize],
            None => (1.0 + self.docs as f32).ln() + 1.0,
        }
    }

    /// How many distinct features there are; ids are below it.
    pub fn dimensions(&self) -> usize {
        self.vocabulary.block.len()
    }

    /// The goal-only vector of a text in this vocabulary (a skill's name,
    /// description and keywords, for coverage): weighted as a goal, with
    /// words the traces never used counting towards its norm only.
    pub fn text_vector(&self, text: &str) -> SparseVec {
        let analyzer = Analyzer::new(Language::English);
        let folded = fold(text);
        let mut items: Vec<(Option<u32>, f32)> = Vec::new();
        let mut previous: Option<Option<u32>> = None;
        for word in words_of(&folded).flat_map(|token| {
            canonical_word(token)
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>()
        }) {
            if is_noise(&analyzer, &word) {
                continue;
            }
            let entry = self
                .vocabulary
                .word_index
                .get(word.as_str())
                .copied()
                .flatten()
                .map(|e| &self.vocabulary.words[e as usize]);
            let term = entry.map(|e| e.term).or_else(|| {
                self.vocabulary
                    .terms
                    .get(&goal_term(&analyzer, &word))
                    .copied()
            });
            if let Some(previous) = previous {
                items.push((
                    previous
                        .zip(term)
                        .and_then(|(a, b)| self.vocabulary.lookup_bigram(a, b)),
                    1.0,
                ));
            }
            items.push((term, 1.0));
            previous = Some(term);
            match entry {
                Some(entry) => items.extend(entry.grams.iter().map(|&g| (Some(g), 1.0))),
                None => items.extend((0..word.chars().count() * 3).map(|_| (None, 1.0))),
            }
        }
        // Unknown features: each its own (unmatched) dimension, weight idf(0).
        let unknown: f32 = items.iter().filter(|(id, _)| id.is_none()).count() as f32;
        let mut known: Vec<(u32, f32)> = Vec::new();
        let mut ids: Vec<u32> = items.iter().filter_map(|(id, _)| *id).collect();
        ids.sort_unstable();
        for id in ids {
            match known.last_mut() {
                Some(last) if last.0 == id => last.1 += 1.0,
                _ => known.push((id, 1.0)),
            }
        }
        self.weigh(known, unknown * self.idf(None).powi(2))
    }

    fn candidate_keys(&self, counts: &Counts) -> Vec<u32> {
        let df = |id: u32| self.df[id as usize];
        let mut words: Vec<u32> = counts
            .items
            .iter()
            .map(|&(id, _)| id)
            .filter(|&id| self.vocabulary.block[id as usize] == WORDS as u8 && df(id) >= 2)
            .collect();
        words.sort_unstable_by_key(|&id| (df(id), id));
        words.dedup();
        words.truncate(WORD_KEYS);
        let mut grams: Vec<u32> = counts
            .words
            .iter()
            .filter_map(|&w| {
                self.vocabulary.words[w as usize]
                    .grams
                    .iter()
                    .copied()
                    .filter(|&g| df(g) >= 2)
                    .min_by_key(|&g| (df(g), g))
            })
            .collect();
        grams.sort_unstable_by_key(|&id| (df(id), id));
        grams.dedup();
        grams.truncate(CHAR_KEYS);
        words.extend(grams);
        words
    }

    /// Applies sublinear tf × idf to counted features (each id once) and
    /// normalises per block. `unknown_goal_mass` is the squared weight of
    /// goal features outside the vocabulary, which lengthens the goal
    /// blocks' norms.
    fn weigh(&self, mut vector: Vec<(u32, f32)>, unknown_goal_mass: f32) -> SparseVec {
        let mut norms = [0f32; 3];
        norms[WORDS] = unknown_goal_mass / 2.0;
        norms[CHARS] = unknown_goal_mass / 2.0;
        for (id, w) in vector.iter_mut() {
            let tf = if *w == 1.0 { 1.0 } else { 1.0 + w.ln() };
            *w = tf * self.idf[*id as usize];
            norms[self.vocabulary.block[*id as usize] as usize] += *w * *w;
        }
        let block_weights = [self.weights.words, self.weights.chars, self.weights.usage];
        let present: f32 = (0..3)
            .filter(|&b| norms[b] > 0.0)
            .map(|b| block_weights[b])
            .sum();
        if present <= 0.0 {
            return Vec::new();
        }
        let scale = norms.map(|norm| if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 });
        let scale: [f32; 3] =
            std::array::from_fn(|b| scale[b] * (block_weights[b] / present).sqrt());
        for (id, w) in vector.iter_mut() {
            *w *= scale[self.vocabulary.block[*id as usize] as usize];
        }
        vector.retain(|&(_, w)| w > 0.0);
        vector
    }

    /// Bytes held by the vectors, keys and vocabulary (an estimate from
    /// lengths and capacities, for the benchmark's memory figures).
    pub fn heap_bytes(&self) -> usize {
        let vectors: usize = self.vectors.iter().map(|v| v.capacity() * 8 + 24).sum();
        let keys: usize = self.keys.iter().map(|k| k.capacity() * 4 + 24).sum();
        let v = &self.vocabulary;
        let strings = |m: &FxHashMap<String, u32>| {
            m.capacity() * 36 + m.keys().map(String::capacity).sum::<usize>()
        };
        let words = v.token_index.capacity() * 40
            + v.token_index.keys().map(String::capacity).sum::<usize>()
            + v.token_words.capacity() * 4
            + v.word_index.capacity() * 36
            + v.word_index.keys().map(String::capacity).sum::<usize>()
            + v.words
                .iter()
                .map(|w| 32 + w.grams.capacity() * 4)
                .sum::<usize>();
        vectors
            + keys
            + self.df.capacity() * 4
            + words
            + strings(&v.terms)
            + strings(&v.grams)
            + strings(&v.usage)
            + v.bigrams.capacity() * 13
            + v.block.capacity()
    }
}
