//! Builds the tantivy query of a search: per word an exact/stemmed/fuzzy/prefix disjunction,
//! words AND-ed (or OR-ed as a fallback), facet filters and the viewer's visibility filter.
//!
//! Fuzzy and prefix words are expanded against the `all_text` term dictionary into a bounded
//! set of real terms that are then scored by BM25 like exact terms (with a lower boost), so
//! a typo still ranks by how rare the word it meant is. The same expansions drive snippet
//! highlighting.

use std::collections::{BTreeSet, HashMap};

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{Searcher, Term};

use super::analyzers::{fold_analyzer, one_token, stem_analyzer, Lang};
use super::document::norm_country;
use super::error::TextIndexError;
use super::fuzzy::{expand, FirstLetter};
use super::gtin;
use super::model::{SearchRequest, Viewer};
use super::schema::{Fields, KIND_RESTRICTED};

/// Words of at least this many characters get typo tolerance (edit distance 1, a
/// transposition counting as one edit). Distance 2 for long words was measured: building
/// its automaton alone costs 5-20 ms per word, too slow for the 5 ms goal.
const FUZZY_MIN_CHARS: usize = 4;
/// The last word is matched as a prefix from this many characters on.
const PREFIX_MIN_CHARS: usize = 2;
/// At most this many dictionary terms per fuzzy or prefix word.
const MAX_EXPANSIONS: usize = 24;

const BOOST_IDENTITY: f32 = 3.0;
const BOOST_MODEL: f32 = 2.0;
const BOOST_FUZZY: f32 = 0.5;
const BOOST_PREFIX: f32 = 0.7;
const BOOST_FUZZY_PREFIX: f32 = 0.4;
const BOOST_GTIN: f32 = 20.0;

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every word must match (the normal case).
    All,
    /// At least one word (the fallback when `All` finds nothing).
    Any,
}

/// What a snippet should highlight: folded terms and per-language stems.
#[derive(Debug, Default, Clone)]
pub(crate) struct Highlight {
    pub terms: BTreeSet<String>,
    pub stems: BTreeSet<(Lang, String)>,
}

pub(crate) struct Plan {
    pub query: Box<dyn Query>,
    pub highlight: Highlight,
    /// Number of words in the text part (0 = listing by filters only).
    pub words: usize,
    /// Number of words searched with typo tolerance (a retry with
    /// [`FirstLetter::Edited`] can only change something when this is not 0).
    pub typo_words: usize,
}

struct Word {
    raw: String,
    fold: String,
    prefix: bool,
}

fn words_of(text: &str) -> Vec<Word> {
    let mut fold = fold_analyzer();
    let mut raw_words = Vec::new();
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        raw_words.push(stream.token().text.clone());
    }
    let ends_open = !text.ends_with(char::is_whitespace);
    let n = raw_words.len();
    raw_words
        .into_iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let f = one_token(&mut fold, &raw)?;
            let prefix = ends_open && i + 1 == n && f.chars().count() >= PREFIX_MIN_CHARS;
            Some(Word {
                raw,
                fold: f,
                prefix,
            })
        })
        .collect()
}

fn term_q(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let q: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ));
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// The `MAX_EXPANSIONS` best expansions: true completions of the typed prefix first, then
/// the most frequent terms.
fn best_expansions(freq: HashMap<String, u64>, prefix_of: Option<&str>) -> Vec<String> {
    let mut all: Vec<(bool, u64, String)> = freq
        .into_iter()
        .map(|(t, df)| (prefix_of.is_some_and(|p| t.starts_with(p)), df, t))
        .collect();
    all.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    all.truncate(MAX_EXPANSIONS);
    all.into_iter().map(|(_, _, t)| t).collect()
}

/// The clause of one word, and whether it was given typo tolerance.
fn word_clause(
    searcher: &Searcher,
    fields: &Fields,
    stemmers: &mut [(Lang, TextAnalyzer)],
    word: &Word,
    first_letter: FirstLetter,
    hl: &mut Highlight,
) -> Result<(Box<dyn Query>, bool), TextIndexError> {
    let f = word.fold.as_str();
    let mut should: Vec<Box<dyn Query>> = vec![
        term_q(fields.name_text, f, BOOST_IDENTITY),
        term_q(fields.brand_text, f, BOOST_IDENTITY),
        term_q(fields.model_text, f, BOOST_MODEL),
        term_q(fields.all_text, f, 1.0),
    ];
    hl.terms.insert(f.to_string());
    for (lang, analyzer) in stemmers.iter_mut() {
        if let Some(stem) = one_token(analyzer, &word.raw) {
            should.push(term_q(fields.text_field(*lang), &stem, 1.0));
            hl.stems.insert((*lang, stem));
        }
    }
    let chars = f.chars().count();
    let has_digit = f.bytes().any(|b| b.is_ascii_digit());
    let mut expansions: Vec<(String, f32)> = Vec::new();
    let fuzzy = chars >= FUZZY_MIN_CHARS && !has_digit;
    if fuzzy {
        let found = expand(searcher, fields.vocab, f, 1, false, first_letter)?;
        for t in best_expansions(found, None) {
            expansions.push((t, BOOST_FUZZY));
        }
    }
    if word.prefix {
        // While typing, the unfinished word may hold a typo too.
        let distance = u8::from(fuzzy);
        let found = expand(searcher, fields.vocab, f, distance, true, first_letter)?;
        for t in best_expansions(found, Some(f)) {
            let boost = if t.starts_with(f) {
                BOOST_PREFIX
            } else {
                BOOST_FUZZY_PREFIX
            };
            expansions.push((t, boost));
        }
    }
    let mut seen = BTreeSet::new();
    for (t, boost) in expansions {
        if !seen.insert(t.clone()) {
            continue;
        }
        should.push(term_q(fields.vocab, &t, boost * BOOST_IDENTITY));
        hl.terms.insert(t);
    }
    Ok((Box::new(BooleanQuery::union(should)), fuzzy))
}

/// The visibility filter of a viewer as a clause excluding the restricted documents it
/// may not see (`None` for admins, who see everything). An exclusion of a small set is
/// much cheaper than intersecting with "open OR shared with me".
fn visibility(fields: &Fields, viewer: &Viewer) -> Option<(Occur, Box<dyn Query>)> {
    let mine: Box<dyn Query> = match *viewer {
        Viewer::Admin => return None,
        Viewer::Officer { administration_id } | Viewer::Trainer { administration_id } => {
            Box::new(TermQuery::new(
                Term::from_field_i64(fields.allowed_admin, administration_id),
                IndexRecordOption::Basic,
            ))
        }
        Viewer::RightHolder { org_id } => Box::new(TermQuery::new(
            Term::from_field_i64(fields.owner_org, org_id),
            IndexRecordOption::Basic,
        )),
    };
    let hidden = BooleanQuery::new(vec![
        (Occur::Must, term_q(fields.doc_kind, KIND_RESTRICTED, 1.0)),
        (Occur::MustNot, mine),
    ]);
    Some((Occur::MustNot, Box::new(hidden)))
}

fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

/// Builds the query of `req` for `viewer`.
pub(crate) fn build(
    searcher: &Searcher,
    fields: &Fields,
    req: &SearchRequest,
    viewer: &Viewer,
    mode: Mode,
    first_letter: FirstLetter,
) -> Result<Plan, TextIndexError> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut hl = Highlight::default();
    if let Some(v) = visibility(fields, viewer) {
        clauses.push(v);
    }
    let facet_filters = [
        (fields.brand, req.brand.clone()),
        (fields.category, req.category.clone()),
        (fields.country, req.country.as_deref().map(norm_country)),
        (fields.right_holder, req.right_holder.clone()),
    ];
    for (field, value) in facet_filters {
        if let Some(v) = value {
            clauses.push(filter(term_q(field, &v, 1.0)));
        }
    }

    let text = req.text.trim_start();
    let words;
    let mut typo_words = 0;
    let gtins = gtin::from_query(text);
    if !gtins.is_empty() {
        // An exact GTIN look-up; a bare number may also be a model number.
        let mut either: Vec<Box<dyn Query>> = gtins
            .iter()
            .map(|g| term_q(fields.gtin, g, BOOST_GTIN))
            .collect();
        if gtin::normalise(text).is_some() {
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            either.push(term_q(fields.all_text, &digits, 1.0));
            hl.terms.insert(digits);
        }
        clauses.push((Occur::Must, Box::new(BooleanQuery::union(either))));
        words = 1;
    } else {
        let mut stemmers: Vec<(Lang, TextAnalyzer)> =
            Lang::ALL.iter().map(|l| (*l, stem_analyzer(*l))).collect();
        let mut word_clauses = Vec::new();
        for w in words_of(text) {
            let (clause, typos) =
                word_clause(searcher, fields, &mut stemmers, &w, first_letter, &mut hl)?;
            word_clauses.push(clause);
            typo_words += usize::from(typos);
        }
        words = word_clauses.len();
        match mode {
            Mode::All => clauses.extend(word_clauses.into_iter().map(|q| (Occur::Must, q))),
            Mode::Any if !word_clauses.is_empty() => {
                clauses.push((Occur::Must, Box::new(BooleanQuery::union(word_clauses))));
            }
            Mode::Any => {}
        }
    }
    if clauses.is_empty() {
        return Ok(Plan {
            query: Box::new(AllQuery),
            highlight: hl,
            words,
            typo_words,
        });
    }
    if words == 0 {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 1.0)),
        ));
    }
    Ok(Plan {
        query: Box::new(BooleanQuery::new(clauses)),
        highlight: hl,
        words,
        typo_words,
    })
}
