//! Text analysis shared by indexing and querying: words are lowercased
//! (Unicode), English stop words dropped, British spellings folded into
//! American ones (-ise → -ize, colour → color), then stemmed with Snowball.
//! Index and query go through the same steps, so "plotting" finds "plot" and
//! "summarise" finds "summarizing".

use serde::{Deserialize, Serialize};

/// The language a search index analyses its text in: it picks the stemmer
/// and the stop words, and is stored in the index so the browser analyses
/// queries exactly as the build analysed the skills.
///
/// Chosen in `llmos.toml` with `[search] language = "english"` (the default)
/// or `"none"` (lowercasing only: no stemming, no stop words, for catalogues
/// in other languages). Another Snowball language is one variant and one
/// match arm away (`rust-stemmers` has 18); each adds its stemmer to the
/// browser bundle, so only the ones in use are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Snowball English (Porter 2) and the stop words of `STOPWORDS`.
    #[default]
    English,
    /// Words as they are, lowercased.
    None,
}

impl Language {
    /// The language named `name` (`english`, `none`), case-insensitively.
    pub fn from_name(name: &str) -> Option<Language> {
        match name.trim().to_lowercase().as_str() {
            "english" | "en" => Some(Language::English),
            "none" => Some(Language::None),
            _ => None,
        }
    }

    /// The names `from_name` accepts, for error messages.
    pub const NAMES: &'static [&'static str] = &["english", "none"];
}

/// A modest English stop list: function words that carry no topic ("a",
/// "the", "from", "my", "to"). Topic words that look common in skills
/// ("use", "file", "data") are kept: they are what people search for.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "each", "for", "from", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or",
    "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "then", "there", "these", "they", "this", "those", "through", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
];

/// British roots folded into their American spelling before stemming.
const SPELLINGS: &[(&str, &str)] = &[
    ("colour", "color"), ("behaviour", "behavior"), ("favour", "favor"), ("flavour", "flavor"), ("honour", "honor"), ("labour", "labor"),
    ("neighbour", "neighbor"), ("humour", "humor"), ("centre", "center"), ("catalogue", "catalog"), ("dialogue", "dialog"),
];

/// Endings whose -is- is -iz- in American spelling (summarise, summarised,
/// summarising, summarisation, visualiser).
const ISE_ENDINGS: &[&str] = &["ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers", "yse", "ysed", "ysing", "yser", "ysers"];

/// Lowercased words with their byte ranges in `text`: runs of letters and
/// digits, everything else separates.
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

/// Unicode full case folding (the C and F mappings of the Unicode
/// Character Database's CaseFolding.txt, via the `caseless` crate): the
/// caseless form of `text`. Unlike `to_lowercase` it maps "ß" and "ẞ" to
/// "ss", ligatures such as "ﬁ" to "fi", final sigma "ς" to "σ" and the micro
/// sign to "μ", so "STRASSE" and "straße" fold to the same word.
///
/// The search index still lowercases (its terms are part of the published
/// index format); the evolution engine folds goals with this.
pub fn fold_case(text: &str) -> String {
    caseless::default_case_fold_str(text)
}

/// Analyses words in one language; cheap to create.
#[derive(Clone, Copy)]
pub struct Analyzer {
    language: Language,
}

impl Analyzer {
    pub fn new(language: Language) -> Analyzer {
        Analyzer { language }
    }

    pub fn is_stopword(&self, word: &str) -> bool {
        self.language == Language::English && STOPWORDS.binary_search(&word).is_ok()
    }

    /// The index term of one lowercased word (not a stop word): its spelling
    /// normalised and stemmed.
    pub fn term(&self, word: &str) -> String {
        match self.language {
            Language::None => word.to_string(),
            Language::English => {
                let word = normalise_spelling(word);
                rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English).stem(&word).into_owned()
            }
        }
    }

    /// The index terms of `text`, stop words and over-long "words" (a hash,
    /// base64, a minified line) left out.
    pub fn terms<'t>(&self, text: &'t str) -> impl Iterator<Item = String> + 't {
        let analyzer = *self;
        tokens(text)
            .filter(move |(w, _, _)| !analyzer.is_stopword(w) && w.chars().count() <= crate::limits::MAX_INDEXED_WORD_CHARS)
            .map(move |(w, _, _)| analyzer.term(&w))
    }
}

/// British spellings folded into American ones, so both reach one stem.
pub fn normalise_spelling(word: &str) -> std::borrow::Cow<'_, str> {
    for (british, american) in SPELLINGS {
        if let Some(rest) = word.strip_prefix(british) {
            return format!("{american}{rest}").into();
        }
    }
    for ending in ISE_ENDINGS {
        if let Some(stem) = word.strip_suffix(ending) {
            // At least three letters before: "rise" and "wise" stay.
            if stem.chars().count() >= 3 {
                return format!("{stem}{}z{}", &ending[..1], &ending[2..]).into();
            }
        }
    }
    word.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(word: &str) -> String {
        Analyzer::new(Language::English).term(word)
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn inflections_and_spellings_share_a_stem() {
        assert_eq!(term("plot"), term("plotting"));
        assert_eq!(term("summarize"), term("summarising"));
        assert_eq!(term("summarise"), term("summarization"));
        assert_eq!(term("visualisation"), term("visualization"));
        assert_eq!(term("colour"), term("colors"));
        assert_eq!(term("analyse"), term("analyzing"));
        assert_eq!(term("charts"), term("chart"));
        assert_ne!(term("wise"), term("wize"));
    }

    #[test]
    fn stop_words_are_no_terms() {
        let terms: Vec<String> = Analyzer::new(Language::English).terms("Make a graph from my spreadsheet").collect();
        assert_eq!(terms, ["make", "graph", "spreadsheet"]);
        let plain: Vec<String> = Analyzer::new(Language::None).terms("Plotting a CSV").collect();
        assert_eq!(plain, ["plotting", "a", "csv"]);
    }

    #[test]
    fn case_folding_is_fuller_than_lowercasing() {
        assert_eq!(fold_case("STRASSE"), fold_case("Straße"));
        assert_eq!(fold_case("ﬁle"), "file");
        assert_eq!(fold_case("ΣΟΦΟΣ"), fold_case("σοφος"));
        assert_eq!(fold_case("σοφος"), fold_case("σοφοσ"));
    }

    #[test]
    fn languages_have_names() {
        assert_eq!(Language::from_name("English"), Some(Language::English));
        assert_eq!(Language::from_name("none"), Some(Language::None));
        assert_eq!(Language::from_name("klingon"), None);
        assert_eq!(serde_json::to_string(&Language::English).unwrap(), "\"english\"");
    }
}
