//! JSON Lines: one product record (`ProductInput`) per line, plus an optional `images`
//! list. Blank lines are skipped; line numbers are the file's, from 1.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{image_ref, ImageRef, ParsedRow, BOM};
use crate::products::record::ProductInput;

/// An entry of a line's `images` list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonImage {
    file: String,
    kind: String,
    #[serde(default)]
    caption: String,
}

/// The non-blank lines of a file, parsed one at a time.
pub(super) struct Lines<'a> {
    rest: &'a [u8],
    line: u64,
}

impl<'a> Lines<'a> {
    pub(super) fn new(data: &'a [u8]) -> Lines<'a> {
        Lines {
            rest: data.strip_prefix(BOM).unwrap_or(data),
            line: 0,
        }
    }
}

impl Iterator for Lines<'_> {
    type Item = ParsedRow;

    fn next(&mut self) -> Option<ParsedRow> {
        while !self.rest.is_empty() {
            let (line, rest) = match self.rest.iter().position(|b| *b == b'\n') {
                Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            self.line += 1;
            if line.trim_ascii().is_empty() {
                continue;
            }
            let (reference, record) = parse_line(line);
            return Some(ParsedRow {
                line: self.line,
                reference,
                record,
            });
        }
        None
    }
}

/// How many rows (non-blank lines) the file holds.
pub(super) fn count_lines(data: &[u8]) -> usize {
    data.split(|b| *b == b'\n')
        .filter(|line| !line.trim_ascii().is_empty())
        .count()
}

type Parsed = Result<(ProductInput, Vec<ImageRef>), String>;

/// The reference (when readable, for the report) and the record of one line.
fn parse_line(line: &[u8]) -> (Option<String>, Parsed) {
    let Ok(text) = std::str::from_utf8(line) else {
        return (None, Err("the line is not valid UTF-8 text.".into()));
    };
    let object: Map<String, Value> = match serde_json::from_str(text) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            return (
                None,
                Err("the line must hold one JSON object ({...}).".into()),
            )
        }
        Err(e) => return (None, Err(format!("the line is not valid JSON: {e}."))),
    };
    let reference = object
        .get("reference")
        .and_then(Value::as_str)
        .map(|r| r.trim().to_string());
    (reference, record(object))
}

fn record(mut object: Map<String, Value>) -> Parsed {
    let images = match object.remove("images") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => {
            let list: Vec<JsonImage> = serde_json::from_value(value).map_err(|e| {
                format!("images: {e} (each image is {{\"file\": ..., \"kind\": ..., \"caption\": ...}}).")
            })?;
            list.into_iter()
                .map(|i| image_ref(&i.file, &i.kind, &i.caption))
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let input: ProductInput =
        serde_json::from_value(Value::Object(object)).map_err(|e| format!("{e}."))?;
    Ok((input, images))
}
