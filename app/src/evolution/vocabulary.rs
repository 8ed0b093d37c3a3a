//! Interned features and counting: each distinct word analysed once, each trace counted in one pass.

use super::features::{CHARS, CHAR_NGRAMS, USAGE, WORDS};
use super::normalise::{canonical_word, goal_term, is_noise};
use super::TraceInput;
use crate::search::{fold_case, Analyzer};
use rustc_hash::FxHashMap;

/// Interned features: a stem, a character n-gram or a usage item is a
/// `u32` id, each word's analysis is computed once and cached.
#[derive(Debug, Default)]
pub(super) struct Vocabulary {
    /// Folded token → its words' entries, a range of `token_words` (a
    /// token is none when it is noise, several when it is shorthand).
    pub(super) token_index: FxHashMap<String, (u32, u32)>,
    pub(super) token_words: Vec<u32>,
    /// Folded canonical word → its entry in `words` (`None`: a stop word or filler).
    pub(super) word_index: FxHashMap<String, Option<u32>>,
    pub(super) words: Vec<WordEntry>,
    pub(super) terms: FxHashMap<String, u32>,
    pub(super) grams: FxHashMap<String, u32>,
    pub(super) bigrams: FxHashMap<(u32, u32), u32>,
    pub(super) usage: FxHashMap<String, u32>,
    pub(super) block: Vec<u8>,
}

#[derive(Debug)]
pub(super) struct WordEntry {
    pub(super) term: u32,
    pub(super) grams: Vec<u32>,
}

impl Vocabulary {
    pub(super) fn intern(
        block: &mut Vec<u8>,
        map: &mut FxHashMap<String, u32>,
        key: &str,
        kind: usize,
    ) -> u32 {
        if let Some(&id) = map.get(key) {
            return id;
        }
        let id = block.len() as u32;
        block.push(kind as u8);
        map.insert(key.to_string(), id);
        id
    }

    /// The entry of one folded, canonical word, computed on first sight.
    pub(super) fn word(&mut self, analyzer: &Analyzer, word: &str) -> Option<u32> {
        if let Some(&entry) = self.word_index.get(word) {
            return entry;
        }
        let entry = (!is_noise(analyzer, word)).then(|| {
            let term = Self::intern(
                &mut self.block,
                &mut self.terms,
                &goal_term(analyzer, word),
                WORDS,
            );
            let padded: Vec<char> = std::iter::once('<')
                .chain(word.chars())
                .chain(std::iter::once('>'))
                .collect();
            let mut grams = Vec::new();
            let mut gram = String::new();
            for n in CHAR_NGRAMS {
                for window in padded.windows(n) {
                    gram.clear();
                    gram.extend(window);
                    grams.push(Self::intern(&mut self.block, &mut self.grams, &gram, CHARS));
                }
            }
            self.words.push(WordEntry { term, grams });
            self.words.len() as u32 - 1
        });
        self.word_index.insert(word.to_string(), entry);
        entry
    }

    /// The word entries of one folded token, computed on first sight.
    pub(super) fn token(&mut self, analyzer: &Analyzer, token: &str) -> (usize, usize) {
        if let Some(&(start, len)) = self.token_index.get(token) {
            return (start as usize, len as usize);
        }
        let start = self.token_words.len();
        for word in canonical_word(token).split(' ') {
            if let Some(entry) = self.word(analyzer, word) {
                self.token_words.push(entry);
            }
        }
        let len = self.token_words.len() - start;
        self.token_index
            .insert(token.to_string(), (start as u32, len as u32));
        (start, len)
    }

    pub(super) fn bigram(&mut self, a: u32, b: u32) -> u32 {
        if let Some(&id) = self.bigrams.get(&(a, b)) {
            return id;
        }
        let id = self.block.len() as u32;
        self.block.push(WORDS as u8);
        self.bigrams.insert((a, b), id);
        id
    }

    pub(super) fn lookup_bigram(&self, a: u32, b: u32) -> Option<u32> {
        self.bigrams.get(&(a, b)).copied()
    }
}

/// Term frequencies of one trace: (feature id, tf), each id once.
pub(super) struct Counts {
    pub(super) items: Vec<(u32, f32)>,
    /// The goal's words (entries of `Vocabulary::words`), for candidate keys.
    pub(super) words: Vec<u32>,
}

/// A dense accumulator of term frequencies: one slot per feature id, the
/// ids touched listed, so counting a trace costs its length, not the vocabulary's.
#[derive(Default)]
pub(super) struct Scratch {
    tf: Vec<f32>,
    touched: Vec<u32>,
}

impl Scratch {
    fn add(&mut self, id: u32, tf: f32) {
        let i = id as usize;
        if i >= self.tf.len() {
            self.tf.resize((i + 1).max(self.tf.len() * 2), 0.0);
        }
        if self.tf[i] == 0.0 {
            self.touched.push(id);
        }
        self.tf[i] += tf;
    }

    fn take(&mut self) -> Vec<(u32, f32)> {
        let tf = &mut self.tf;
        self.touched
            .drain(..)
            .map(|id| (id, std::mem::take(&mut tf[id as usize])))
            .collect()
    }
}

/// `text` case-folded: ASCII lowercased directly (the same result, faster), anything else by `fold_case`.
pub(super) fn fold(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        fold_case(text)
    }
}

/// The words of folded text: runs of letters and digits, as
/// `crate::search::tokens` splits them (without lowercasing again).
pub(super) fn words_of(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Counts one trace's features, interning new ones.
pub(super) fn count(
    vocabulary: &mut Vocabulary,
    analyzer: &Analyzer,
    scratch: &mut Scratch,
    trace: &TraceInput,
) -> Counts {
    let folded = fold(&trace.goal);
    let mut words = Vec::new();
    let mut previous: Option<u32> = None;
    for token in words_of(&folded) {
        let (start, len) = vocabulary.token(analyzer, token);
        for k in start..start + len {
            let entry = vocabulary.token_words[k];
            let term = vocabulary.words[entry as usize].term;
            if let Some(previous) = previous {
                scratch.add(vocabulary.bigram(previous, term), 1.0);
            }
            previous = Some(term);
            scratch.add(term, 1.0);
            for &gram in &vocabulary.words[entry as usize].grams {
                scratch.add(gram, 1.0);
            }
            words.push(entry);
        }
    }
    let mut key = String::new();
    let mut usage = |key: &str, tf: f32| {
        scratch.add(
            Vocabulary::intern(&mut vocabulary.block, &mut vocabulary.usage, key, USAGE),
            tf,
        )
    };
    for skill in &trace.skills_used {
        key.clear();
        key.push_str("used:");
        key.push_str(skill);
        usage(&key, 1.0);
    }
    for skill in &trace.skills_offered {
        key.clear();
        key.push_str("offered:");
        key.push_str(skill);
        usage(&key, 0.5);
    }
    // `step:<key>` and `pair:<key>><key>` (`Step::key`), written into one buffer.
    let push_key = |key: &mut String, step: &super::Step| {
        key.push_str(step.kind.label());
        key.push(':');
        key.push_str(&step.name);
    };
    for (i, step) in trace.steps.iter().enumerate() {
        key.clear();
        key.push_str("step:");
        push_key(&mut key, step);
        usage(&key, 1.0);
        if let Some(next) = trace.steps.get(i + 1) {
            key.clear();
            key.push_str("pair:");
            push_key(&mut key, step);
            key.push('>');
            push_key(&mut key, next);
            usage(&key, 1.0);
        }
    }
    Counts {
        items: scratch.take(),
        words,
    }
}
