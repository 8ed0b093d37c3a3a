//! Goal normalisation: case folding, words, stop words and Snowball stems, shared with search.

use crate::search::{fold_case, normalise_spelling, tokens, Analyzer, Language};

/// Words of a request that say how it is asked, not what is asked for
/// ("please", "can you help me", "I need", "quick"). Dropped from goals on
/// top of the search stop words (`crate::search::STOPWORDS`); they are not
/// dropped from search, where a skill may well be about "help". Sorted.
pub const REQUEST_FILLERS: &[&str] = &[
    "anyone", "go", "gonna", "hello", "help", "hey", "hi", "kindly", "know", "let", "lets", "like",
    "need", "please", "pls", "plz", "quick", "quickly", "show", "somebody", "someone", "tell",
    "thank", "thanks", "thx", "wanna", "want", "way",
];

/// Chat shorthand expanded before anything else, so "commit msg" and
/// "commit message" share a term. General abbreviations of written chat
/// and of programming, not names of particular tasks. Sorted by the short form.
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("abt", "about"),
    ("app", "application"),
    ("approx", "approximately"),
    ("b4", "before"),
    ("btw", "by the way"),
    ("calc", "calculate"),
    ("config", "configuration"),
    ("db", "database"),
    ("def", "definition"),
    ("doc", "document"),
    ("docs", "documents"),
    ("fn", "function"),
    ("func", "function"),
    ("img", "image"),
    ("imgs", "images"),
    ("info", "information"),
    ("msg", "message"),
    ("msgs", "messages"),
    ("num", "number"),
    ("pic", "picture"),
    ("pics", "pictures"),
    ("pls", "please"),
    ("plz", "please"),
    ("pwd", "password"),
    ("repo", "repository"),
    ("repos", "repositories"),
    ("thx", "thanks"),
    ("u", "you"),
    ("ur", "your"),
    ("w", "with"),
    ("yr", "year"),
    ("yrs", "years"),
];

/// A folded word in its canonical form: shorthand expanded
/// (`ABBREVIATIONS`), British spellings made American
/// (`crate::search::normalise_spelling`). Not yet stemmed.
pub fn canonical_word(word: &str) -> std::borrow::Cow<'_, str> {
    match ABBREVIATIONS.binary_search_by_key(&word, |&(short, _)| short) {
        Ok(i) => ABBREVIATIONS[i].1.into(),
        Err(_) => normalise_spelling(word),
    }
}

/// The term of a canonical word: its Snowball stem, with the final "i"
/// that Porter 2 writes for a final "y" dropped from longer stems, so a
/// noun in -y meets its verb in -ize: "summary" and "summarize" → `summar`,
/// "category" and "categorize" → `categor`, "query" and "queries" → `quer`.
pub fn goal_term(analyzer: &Analyzer, word: &str) -> String {
    let mut term = analyzer.term(word);
    if term.len() >= 6 && term.ends_with('i') {
        term.pop();
    }
    term
}

/// One goal after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalisedGoal {
    /// Index terms in order: folded, stop words and fillers left out, British
    /// spellings made American, Snowball-stemmed ("Summarising the articles"
    /// → `["summar", "articl"]`). Word n-grams are built from these.
    pub terms: Vec<String>,
    /// The same words before stemming (folded, spelling-normalised), from
    /// which character n-grams are built, so a typo ("artcle") still shares
    /// most of its n-grams with the word it misspells.
    pub words: Vec<String>,
}

impl NormalisedGoal {
    /// The exact-match key of the reference design's rule: the terms joined
    /// by spaces. Two goals with the same key are the same task to it.
    pub fn key(&self) -> String {
        self.terms.join(" ")
    }
}

/// Normalises a goal in English: Unicode case folding (`fold_case`), words
/// as runs of letters and digits (`crate::search::tokens`), the search stop
/// words, `REQUEST_FILLERS`, single letters (the "s" of "what's") and numbers left
/// out, then the search analyser's spelling normalisation and stemming.
pub fn normalise_goal(goal: &str) -> NormalisedGoal {
    let analyzer = Analyzer::new(Language::English);
    let folded = fold_case(goal);
    let mut normalised = NormalisedGoal::default();
    for (token, _, _) in tokens(&folded) {
        for word in canonical_word(&token).split(' ') {
            if is_noise(&analyzer, word) {
                continue;
            }
            normalised.terms.push(goal_term(&analyzer, word));
            normalised.words.push(word.to_string());
        }
    }
    normalised
}

/// Whether a folded word carries no topic: a stop word, a request filler,
/// a single letter, a number (the parameters of a task, "5 miles", "3
/// qubits", change between its instances; "3d" and "mp3" stay), or an
/// over-long token (a hash, base64).
pub fn is_noise(analyzer: &Analyzer, word: &str) -> bool {
    let chars = word.chars().count();
    chars == 1
        || word.chars().all(|c| c.is_numeric())
        || chars > crate::limits::MAX_INDEXED_WORD_CHARS
        || analyzer.is_stopword(word)
        || REQUEST_FILLERS.binary_search(&word).is_ok()
}

/// The goal as the simplest exact rule sees it: folded, words joined by one
/// space, punctuation gone ("Plot  my CSV!" → "plot my csv").
pub fn plain_key(goal: &str) -> String {
    let folded = fold_case(goal);
    tokens(&folded)
        .map(|(w, _, _)| w)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fillers_and_abbreviations_are_sorted_for_binary_search() {
        assert!(REQUEST_FILLERS.windows(2).all(|w| w[0] < w[1]));
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn goals_lose_case_fillers_stop_words_and_inflections() {
        let goal = normalise_goal("Can you please help me SUMMARISE these Articles?");
        assert_eq!(goal.terms, ["summar", "articl"]);
        assert_eq!(goal.words, ["summarize", "articles"]);
        assert_eq!(normalise_goal("summarize the article").key(), goal.key());
        assert_eq!(
            normalise_goal("What's the STRASSE").terms,
            normalise_goal("the straße").terms
        );
        assert_eq!(plain_key("Plot  my CSV!"), "plot my csv");
        assert_eq!(
            normalise_goal("commit msg pls").key(),
            normalise_goal("Commit message").key()
        );
        assert_eq!(
            normalise_goal("colour of ur repo").words,
            ["color", "repository"]
        );
    }
}
