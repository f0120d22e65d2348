//! The terms of a dictionary within one edit of a word (or, for a word being typed,
//! those starting with something within one edit of it), without walking the whole
//! dictionary where it can be helped.
//!
//! tantivy's `FuzzyTermQuery` intersects one Levenshtein automaton with the term
//! dictionary. An edit allowed on the first character lets that automaton into every
//! first-letter branch, and the dictionary walk decodes every child of every node it
//! enters, so each word cost 300 to 600 microseconds on the 250,000 products of the text
//! benchmark: most of a query's time. The same set of terms is the union of:
//!
//! 1. terms that start with the word's first character and whose rest is within one edit
//!    of the word's rest: one Levenshtein automaton behind a fixed first character, so it
//!    walks one branch (about 90 microseconds);
//! 2. the rest alone (the first character deleted) and the first two characters swapped:
//!    fixed strings, about 20 microseconds each;
//! 3. another character then the rest (the first character replaced) and another
//!    character then the whole word (one inserted in front): these enter every branch
//!    again, 200 to 250 microseconds each.
//!
//! [`FirstLetter::Kept`] gives parts 1 and 2, [`FirstLetter::Edited`] all three; the
//! search runs the first and falls back to the second when nothing is found, so a typo
//! in the first letter still finds its word when the query would otherwise be empty.
//! Distances are in characters, with a transposition of neighbours costing one, as in
//! `FuzzyTermQuery::new(term, 1, true)`; the tests check that all three parts give
//! exactly its terms.

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::query::{DfaWrapper, FuzzyTermQuery};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

use super::error::TextIndexError;

/// Which edits of the first character [`expand`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstLetter {
    /// Deleted or swapped with the second only (parts 1 and 2 of the module notes).
    Kept,
    /// Any edit (parts 1 to 3): every term within the distance.
    Edited,
}

/// Terms of `field` within `distance` (0 or 1) edits of `word`, or with a prefix that
/// close when `prefix` is set, without `word` itself, each with its document frequency
/// summed over segments; with [`FirstLetter::Kept`], without those that replace the
/// first character or insert one before it.
pub(crate) fn expand(
    searcher: &Searcher,
    field: Field,
    word: &str,
    distance: u8,
    prefix: bool,
    first_letter: FirstLetter,
) -> Result<HashMap<String, u64>, TextIndexError> {
    let mut freq = HashMap::new();
    let mut chars = word.chars();
    let Some(first) = chars
        .next()
        .filter(|_| distance == 1 && !chars.as_str().is_empty())
    else {
        // No edit, or a word too short to split: tantivy's own automaton is cheap here.
        let automaton = one_automaton(field, word, distance, prefix)?;
        for segment in searcher.segment_readers() {
            add_segment(segment, field, word, &[&automaton], &mut freq)?;
        }
        return Ok(freq);
    };
    let rest = chars.as_str();
    let mut first_bytes = [0u8; 4];
    let first_bytes = first.encode_utf8(&mut first_bytes).as_bytes();
    let dfa = if prefix {
        builder().build_prefix_dfa(rest)
    } else {
        builder().build_dfa(rest)
    };
    let mut after_first = rest.chars();
    let second = after_first.next().unwrap_or(first);
    let swapped = format!("{second}{first}{}", after_first.as_str());
    let one_branch = FixedFirst {
        first: first_bytes,
        dfa: &dfa,
    };
    let substituted = Pattern::new(true, rest, prefix);
    let deleted = Pattern::new(false, rest, prefix);
    let inserted = Pattern::new(true, word, prefix);
    let transposed = Pattern::new(false, &swapped, prefix);
    let all: [&dyn Walk; 5] = [&one_branch, &deleted, &transposed, &substituted, &inserted];
    let parts = match first_letter {
        FirstLetter::Kept => &all[..3],
        FirstLetter::Edited => &all[..],
    };
    for segment in searcher.segment_readers() {
        add_segment(segment, field, word, parts, &mut freq)?;
    }
    Ok(freq)
}

/// tantivy's single automaton for `word`: all of the term set in one walk.
fn one_automaton(
    field: Field,
    word: &str,
    distance: u8,
    prefix: bool,
) -> Result<DfaWrapper, TextIndexError> {
    let term = Term::from_field_text(field, word);
    let query = if prefix {
        FuzzyTermQuery::new_prefix(term, distance, true)
    } else {
        FuzzyTermQuery::new(term, distance, true)
    };
    Ok(query.automaton()?)
}

/// One way to walk a segment's term dictionary, so that automata of different types can
/// share a list.
trait Walk {
    /// Calls `found` with every term the walk accepts and its document frequency.
    fn walk(
        &self,
        terms: &tantivy::termdict::TermDictionary,
        found: &mut dyn FnMut(&[u8], u32),
    ) -> std::io::Result<()>;
}

impl<A: Automaton> Walk for A
where
    A::State: Clone,
{
    fn walk(
        &self,
        terms: &tantivy::termdict::TermDictionary,
        found: &mut dyn FnMut(&[u8], u32),
    ) -> std::io::Result<()> {
        let mut stream = terms.search(self).into_stream()?;
        while stream.advance() {
            found(stream.key(), stream.value().doc_freq);
        }
        Ok(())
    }
}

/// Adds the terms of one segment that any of `parts` accepts, except `word`, each once
/// even when several parts accept it.
fn add_segment(
    segment: &tantivy::SegmentReader,
    field: Field,
    word: &str,
    parts: &[&dyn Walk],
    freq: &mut HashMap<String, u64>,
) -> Result<(), TextIndexError> {
    let inverted = segment.inverted_index(field)?;
    let mut in_segment: HashMap<Vec<u8>, u32> = HashMap::new();
    for part in parts {
        part.walk(inverted.terms(), &mut |key, doc_freq| {
            if key != word.as_bytes() {
                in_segment.insert(key.to_vec(), doc_freq);
            }
        })?;
    }
    for (key, doc_freq) in in_segment {
        if let Ok(k) = String::from_utf8(key) {
            *freq.entry(k).or_default() += u64::from(doc_freq);
        }
    }
    Ok(())
}

/// Building the builder costs milliseconds; it is made once, as tantivy does.
fn builder() -> &'static LevenshteinAutomatonBuilder {
    static BUILDER: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    BUILDER.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
}

/// Where a walk of the dictionary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Expecting the lead byte of an arbitrary character.
    AnyLead,
    /// This many continuation bytes of the arbitrary character are still to come.
    AnyContinuation(u8),
    /// This many bytes of the fixed text have been read.
    Head(usize),
    /// Reading the rest, in this state of the rest's automaton.
    Rest(u32),
    /// Past the whole fixed text of a prefix pattern: anything may follow.
    Tail,
    Dead,
}

/// Terms that start with the given character and whose rest the Levenshtein automaton
/// accepts.
struct FixedFirst<'a> {
    first: &'a [u8],
    dfa: &'a DFA,
}

impl Automaton for FixedFirst<'_> {
    type State = Step;

    fn start(&self) -> Step {
        Step::Head(0)
    }

    fn is_match(&self, state: &Step) -> bool {
        match state {
            Step::Rest(s) => matches!(self.dfa.distance(*s), Distance::Exact(_)),
            _ => false,
        }
    }

    fn can_match(&self, state: &Step) -> bool {
        match state {
            Step::Rest(s) => *s != SINK_STATE,
            Step::Dead => false,
            _ => true,
        }
    }

    fn accept(&self, state: &Step, byte: u8) -> Step {
        match *state {
            Step::Head(n) if self.first.get(n) == Some(&byte) => {
                if n + 1 == self.first.len() {
                    Step::Rest(self.dfa.initial_state())
                } else {
                    Step::Head(n + 1)
                }
            }
            Step::Rest(s) => Step::Rest(self.dfa.transition(s, byte)),
            _ => Step::Dead,
        }
    }
}

/// Terms equal to a fixed string, optionally after one arbitrary character, and
/// optionally followed by anything (`prefix`).
struct Pattern<'a> {
    any_first: bool,
    text: &'a [u8],
    prefix: bool,
}

impl<'a> Pattern<'a> {
    fn new(any_first: bool, text: &'a str, prefix: bool) -> Pattern<'a> {
        Pattern {
            any_first,
            text: text.as_bytes(),
            prefix,
        }
    }
}

/// Continuation bytes after a UTF-8 lead byte (`None` for a byte that cannot lead).
fn continuation_bytes(lead: u8) -> Option<u8> {
    match lead {
        0x00..=0x7F => Some(0),
        0xC2..=0xDF => Some(1),
        0xE0..=0xEF => Some(2),
        0xF0..=0xF4 => Some(3),
        _ => None,
    }
}

impl Automaton for Pattern<'_> {
    type State = Step;

    fn start(&self) -> Step {
        if self.any_first {
            Step::AnyLead
        } else {
            Step::Head(0)
        }
    }

    fn is_match(&self, state: &Step) -> bool {
        match state {
            Step::Head(n) => *n == self.text.len(),
            Step::Tail => true,
            _ => false,
        }
    }

    fn can_match(&self, state: &Step) -> bool {
        *state != Step::Dead
    }

    fn will_always_match(&self, state: &Step) -> bool {
        *state == Step::Tail
    }

    fn accept(&self, state: &Step, byte: u8) -> Step {
        match *state {
            Step::AnyLead => match continuation_bytes(byte) {
                Some(0) => Step::Head(0),
                Some(n) => Step::AnyContinuation(n),
                None => Step::Dead,
            },
            Step::AnyContinuation(n) if byte & 0xC0 == 0x80 => {
                if n == 1 {
                    Step::Head(0)
                } else {
                    Step::AnyContinuation(n - 1)
                }
            }
            Step::Head(n) if self.text.get(n) == Some(&byte) => Step::Head(n + 1),
            Step::Head(n) if n == self.text.len() && self.prefix => Step::Tail,
            Step::Tail => Step::Tail,
            _ => Step::Dead,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};

    use tantivy::schema::{Schema, STRING};
    use tantivy::{doc, Index, IndexWriter};

    use super::*;

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/products/off-2019-compact.jsonl.gz"
    );

    /// What `FuzzyTermQuery` alone expands to: the reference for [`expand`].
    fn expand_with_one_automaton(
        searcher: &Searcher,
        field: Field,
        word: &str,
        prefix: bool,
    ) -> HashMap<String, u64> {
        let automaton = one_automaton(field, word, 1, prefix).unwrap();
        let mut freq = HashMap::new();
        for segment in searcher.segment_readers() {
            add_segment(segment, field, word, &[&automaton], &mut freq).unwrap();
        }
        freq
    }

    /// Lower-cased words of the first product names of the shared data, in two segments.
    fn dictionary() -> (Searcher, Field, Vec<String>) {
        let file = std::fs::File::open(DATA).unwrap();
        let reader = BufReader::new(flate2::read::GzDecoder::new(file));
        let mut words = Vec::new();
        for line in reader.lines().take(20_000) {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let name = v["product_name"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase();
            words.extend(
                name.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
            );
        }
        let mut schema = Schema::builder();
        let field = schema.add_text_field("vocab", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer(20_000_000).unwrap();
        for (i, w) in words.iter().enumerate() {
            writer.add_document(doc!(field => w.as_str())).unwrap();
            if i == words.len() / 2 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 2);
        words.sort();
        words.dedup();
        (searcher, field, words)
    }

    /// Query words: dictionary words and edits of them at every position, the first
    /// character included, with accented letters and words not in the dictionary.
    fn query_words(words: &[String]) -> Vec<String> {
        let mut out = vec![
            "crème".to_string(),
            "écrème".to_string(),
            "chocolat".to_string(),
            "hcocolat".to_string(),
            "xchocolat".to_string(),
            "hocolat".to_string(),
            "ab".to_string(),
            "abc".to_string(),
            "zzzzqqq".to_string(),
        ];
        for w in words.iter().step_by(97).filter(|w| w.chars().count() >= 3) {
            let chars: Vec<char> = w.chars().collect();
            out.push(w.clone());
            for i in 0..chars.len() {
                let mut dropped = chars.clone();
                dropped.remove(i);
                out.push(dropped.iter().collect());
                let mut replaced = chars.clone();
                replaced[i] = if chars[i] == 'e' { 'é' } else { 'e' };
                out.push(replaced.iter().collect());
                if i + 1 < chars.len() {
                    let mut swapped = chars.clone();
                    swapped.swap(i, i + 1);
                    out.push(swapped.iter().collect());
                }
            }
            let half: String = chars[..chars.len().div_ceil(2)].iter().collect();
            out.push(half);
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn splitting_on_the_first_character_finds_exactly_the_terms_of_one_automaton() {
        let (searcher, field, words) = dictionary();
        let queries = query_words(&words);
        assert!(queries.len() > 1000, "{} query words", queries.len());
        let mut found = 0;
        for word in &queries {
            for prefix in [false, true] {
                let ours = expand(&searcher, field, word, 1, prefix, FirstLetter::Edited).unwrap();
                let reference = expand_with_one_automaton(&searcher, field, word, prefix);
                assert_eq!(ours, reference, "{word:?}, prefix {prefix}");
                found += ours.len();
                // Keeping the first letter drops exactly the terms that replace it or
                // insert one before it.
                let kept = expand(&searcher, field, word, 1, prefix, FirstLetter::Kept).unwrap();
                let first = word.chars().next().unwrap();
                let rest: String = word.chars().skip(1).collect();
                for (term, df) in &reference {
                    let same_first = term.starts_with(first);
                    let deleted = if prefix {
                        term.starts_with(&rest)
                    } else {
                        *term == rest
                    };
                    let swapped = {
                        let mut c: Vec<char> = word.chars().collect();
                        let last = c.len() - 1;
                        c.swap(0, last.min(1));
                        let s: String = c.into_iter().collect();
                        if prefix {
                            term.starts_with(&s)
                        } else {
                            *term == s
                        }
                    };
                    let expected = same_first || deleted || swapped;
                    if expected && word.chars().count() > 1 {
                        assert_eq!(kept.get(term), Some(df), "{word:?} kept {term:?}");
                    }
                }
                assert!(kept.iter().all(|(t, df)| reference.get(t) == Some(df)));
            }
        }
        // The comparison means something only if terms were found.
        assert!(found > 10_000, "{found} terms found");
    }

    #[test]
    fn edits_of_the_first_character_are_found() {
        let (searcher, field, _) = dictionary();
        for typed in ["hocolat", "xhocolat", "xchocolat", "hcocolat"] {
            let found = expand(&searcher, field, typed, 1, false, FirstLetter::Edited).unwrap();
            assert!(found.contains_key("chocolat"), "{typed}: {found:?}");
        }
        let typed = expand(&searcher, field, "hcoco", 1, true, FirstLetter::Edited).unwrap();
        assert!(typed.contains_key("chocolat"), "{typed:?}");
    }
}
