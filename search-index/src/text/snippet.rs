//! Highlighted snippets. The text comes only from a document the viewer may see (the
//! caller's job), is HTML-escaped here, and matches are wrapped in `<mark>`.

use tantivy::tokenizer::TextAnalyzer;

use super::analyzers::{fold_analyzer, one_token, stem_analyzer, tokens, Lang, Tok};
use super::query::Highlight;

/// Longest snippet in characters (before escaping).
pub(crate) const SNIPPET_CHARS: usize = 160;
/// Characters of context kept before the first highlighted word.
const LEAD_CHARS: usize = 30;

pub(crate) struct Highlighter {
    fold: TextAnalyzer,
    stemmers: Vec<(Lang, TextAnalyzer)>,
}

impl Highlighter {
    pub(crate) fn new() -> Highlighter {
        Highlighter {
            fold: fold_analyzer(),
            stemmers: Lang::ALL.iter().map(|l| (*l, stem_analyzer(*l))).collect(),
        }
    }

    fn is_match(&mut self, hl: &Highlight, text: &str, tok: &Tok) -> bool {
        if hl.terms.contains(&tok.text) {
            return true;
        }
        // Stems are lowercase, folded prefixes of their words: skip the stemmers unless
        // a stem starts like this token.
        let head = |t: &str| t.chars().take(2).collect::<String>();
        let tok_head = head(&tok.text);
        if !hl.stems.iter().any(|(_, s)| head(s) == tok_head) {
            return false;
        }
        let word = &text[tok.from..tok.to];
        self.stemmers
            .iter_mut()
            .any(|(lang, a)| one_token(a, word).is_some_and(|s| hl.stems.contains(&(*lang, s))))
    }

    /// The best window of `text` (the one with the most matches) as safe HTML.
    pub(crate) fn snippet(&mut self, hl: &Highlight, text: &str) -> String {
        let toks = tokens(&mut self.fold, text);
        let matched: Vec<&Tok> = toks.iter().filter(|t| self.is_match(hl, text, t)).collect();
        let (start, end) = window(text, &matched);
        let mut html = String::new();
        if start > 0 {
            html.push('…');
        }
        let mut pos = start;
        for t in matched.iter().filter(|t| t.from >= start && t.to <= end) {
            escape_into(&mut html, &text[pos..t.from]);
            html.push_str("<mark>");
            escape_into(&mut html, &text[t.from..t.to]);
            html.push_str("</mark>");
            pos = t.to;
        }
        escape_into(&mut html, &text[pos..end]);
        if end < text.len() {
            html.push('…');
        }
        html
    }
}

/// Byte range of the window: starts a little before the match that begins the densest
/// run of matches, and ends on a char boundary at most `SNIPPET_CHARS` later.
fn window(text: &str, matched: &[&Tok]) -> (usize, usize) {
    let mut best_from = 0;
    let mut best_count = 0;
    for (i, m) in matched.iter().enumerate() {
        let limit = m.from + SNIPPET_CHARS * 2; // bytes, generous for multi-byte text
        let count = matched[i..].iter().take_while(|n| n.to <= limit).count();
        if count > best_count {
            best_count = count;
            best_from = m.from;
        }
    }
    let start = if best_from == 0 {
        0
    } else {
        // Back up LEAD_CHARS characters, then forward to a word start.
        let back = text[..best_from]
            .char_indices()
            .rev()
            .nth(LEAD_CHARS)
            .map_or(0, |(i, _)| i);
        match text[back..best_from]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
        {
            Some((ws, c)) if back > 0 => back + ws + c.len_utf8(),
            _ => back,
        }
    };
    let end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start + i);
    // Do not cut a word in two when a space is near.
    let end = if end < text.len() {
        text[start..end]
            .rfind(char::is_whitespace)
            .filter(|&ws| ws > (end - start) / 2)
            .map_or(end, |ws| start + ws)
    } else {
        end
    };
    (start, end)
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_marks() {
        let mut hl = Highlight::default();
        hl.terms.insert("nutella".into());
        let mut h = Highlighter::new();
        let s = h.snippet(&hl, "<b>Nutella</b> & bread");
        assert_eq!(s, "&lt;b&gt;<mark>Nutella</mark>&lt;/b&gt; &amp; bread");
    }

    #[test]
    fn multibyte_spaces_and_letters_are_cut_on_char_boundaries() {
        let mut hl = Highlight::default();
        hl.terms.insert("quinoa".into());
        let text = format!(
            "{}quinoa{}",
            "é\u{a0}blé\u{a0}".repeat(40),
            "\u{a0}ü".repeat(200)
        );
        let s = Highlighter::new().snippet(&hl, &text);
        assert!(s.contains("<mark>quinoa</mark>"), "{s}");
    }

    #[test]
    fn long_text_is_windowed_on_the_match() {
        let text = format!(
            "{} hologram on the cap {}",
            "filler ".repeat(60),
            "tail ".repeat(60)
        );
        let mut hl = Highlight::default();
        hl.terms.insert("hologram".into());
        let s = Highlighter::new().snippet(&hl, &text);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>hologram</mark>"), "{s}");
        assert!(s.chars().count() < SNIPPET_CHARS + 40, "{s}");
    }
}
