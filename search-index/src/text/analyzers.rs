//! Text analysers: one plain "fold" analyser (lowercase + ASCII folding) used for identity
//! fields, fuzzy and prefix matching, and one stemming analyser per supported language.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream, TokenizerManager,
};

/// Name of the plain analyser.
pub(crate) const FOLD: &str = "ts_fold";

/// Tokens longer than this (in bytes) are dropped: they are noise, not words.
const MAX_TOKEN_LEN: usize = 40;

/// The languages with their own stemmed field; anything else is indexed plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Lang {
    En,
    Fr,
    Es,
    De,
}

impl Lang {
    pub(crate) const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Es, Lang::De];

    /// "en", "en-GB", "FR_ca" ... → the stemming language, or `None` for plain.
    pub(crate) fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" | "eng" => Some(Lang::En),
            "fr" | "fra" | "fre" => Some(Lang::Fr),
            "es" | "spa" => Some(Lang::Es),
            "de" | "deu" | "ger" => Some(Lang::De),
            _ => None,
        }
    }

    pub(crate) fn analyzer_name(self) -> &'static str {
        match self {
            Lang::En => "ts_en",
            Lang::Fr => "ts_fr",
            Lang::Es => "ts_es",
            Lang::De => "ts_de",
        }
    }

    fn stemmer_language(self) -> Language {
        match self {
            Lang::En => Language::English,
            Lang::Fr => Language::French,
            Lang::Es => Language::Spanish,
            Lang::De => Language::German,
        }
    }
}

/// The plain analyser: words split on non-alphanumerics, lowercased, accents folded.
pub(crate) fn fold_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The stemming analyser of `lang`: stems the accented lowercase word, then folds accents
/// so that queries typed without accents still meet.
pub(crate) fn stem_analyzer(lang: Lang) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(Stemmer::new(lang.stemmer_language()))
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers every analyser of the schema on an index's tokenizer manager.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(FOLD, fold_analyzer());
    for lang in Lang::ALL {
        manager.register(lang.analyzer_name(), stem_analyzer(lang));
    }
}

/// A token with its byte offsets in the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tok {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Runs `analyzer` over `text` and returns its tokens.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push(Tok {
            text: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

/// The single token `analyzer` makes of one word, if any.
pub(crate) fn one_token(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut stream = analyzer.token_stream(word);
    stream.advance().then(|| stream.token().text.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("FR"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("de_AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("it"), None);
    }

    #[test]
    fn fold_and_stem() {
        let t = tokens(&mut fold_analyzer(), "Crème Brûlée, AB-12");
        let words: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["creme", "brulee", "ab", "12"]);
        let mut fr = stem_analyzer(Lang::Fr);
        assert_eq!(
            one_token(&mut fr, "chaussures"),
            one_token(&mut fr, "chaussure")
        );
        let mut en = stem_analyzer(Lang::En);
        assert_eq!(one_token(&mut en, "running"), one_token(&mut en, "runs"));
    }
}
