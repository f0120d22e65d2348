//! CSV: a header row naming the columns, then one product per record. The columns and
//! their meaning are documented in `docs/import.md`; an unknown column fails the whole
//! file once, before any row is read.

use chrono::NaiveDate;

use super::{image_ref, ImageRef, ParsedRow, BOM};
use crate::error::AppError;
use crate::products::record::{Description, Localized, ProductInput};

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Reference,
    Brand,
    Name,
    Category,
    HsCode,
    Gtins,
    Skus,
    ModelNumbers,
    TargetMarkets,
    NetContent,
    Dimensions,
    Links,
    SerialFormats,
    LotFormats,
    LastReviewedOn,
    /// `description_<lang>`: the description in one language.
    Description(String),
    /// The whole `sections` object as JSON, for the rich sections.
    SectionsJson,
    /// `file.jpg:kind:caption|file2.jpg:kind`
    Images,
}

/// Every fixed column name, in the documented order.
const NAMES: [(&str, Column); 17] = [
    ("reference", Column::Reference),
    ("brand", Column::Brand),
    ("name", Column::Name),
    ("category", Column::Category),
    ("hs_code", Column::HsCode),
    ("gtins", Column::Gtins),
    ("skus", Column::Skus),
    ("model_numbers", Column::ModelNumbers),
    ("target_markets", Column::TargetMarkets),
    ("net_content", Column::NetContent),
    ("dimensions", Column::Dimensions),
    ("links", Column::Links),
    ("serial_formats", Column::SerialFormats),
    ("lot_formats", Column::LotFormats),
    ("last_reviewed_on", Column::LastReviewedOn),
    ("sections_json", Column::SectionsJson),
    ("images", Column::Images),
];

const DESCRIPTION_PREFIX: &str = "description_";

fn header_error(message: String) -> AppError {
    AppError::bad_request("invalid_import_header", message)
}

/// The columns named by a header row, or why the header cannot be used.
fn parse_header(names: &[&str]) -> Result<Vec<Column>, AppError> {
    if names.iter().all(|n| n.trim().is_empty()) {
        return Err(header_error(
            "The file is empty: its first line must name the columns, such as reference,brand,name."
                .into(),
        ));
    }
    let mut columns = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for raw in names {
        let name = raw.trim();
        let lower = name.to_ascii_lowercase();
        let column = if let Some((_, column)) = NAMES.iter().find(|(n, _)| *n == lower) {
            column.clone()
        } else if lower.starts_with(DESCRIPTION_PREFIX) {
            let language = crate::validate::language(&name[DESCRIPTION_PREFIX.len()..])
                .map_err(|_| {
                    header_error(format!(
                        "Column {name:?}: after description_ comes a language code such as en, fr or pt-BR."
                    ))
                })?;
            Column::Description(language)
        } else {
            unknown.push(format!("{name:?}"));
            continue;
        };
        if columns.contains(&column) {
            return Err(header_error(format!("Column {name:?} appears twice.")));
        }
        columns.push(column);
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        return Err(header_error(format!(
            "Unknown column{} {}. The columns are {}, and description_<language> such as description_en.",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", "),
            known.join(", ")
        )));
    }
    for (required, column) in [
        ("reference", Column::Reference),
        ("brand", Column::Brand),
        ("name", Column::Name),
    ] {
        if !columns.contains(&column) {
            return Err(header_error(format!(
                "The {required} column is missing; reference, brand and name are required."
            )));
        }
    }
    Ok(columns)
}

fn reader(data: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(data.strip_prefix(BOM).unwrap_or(data))
}

/// How many records follow the header.
pub(super) fn count_records(data: &[u8]) -> usize {
    let mut reader = reader(data);
    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        count += 1;
    }
    count
}

/// The records of a CSV file, each turned into a product record.
pub(super) struct CsvRows<'a> {
    reader: csv::Reader<&'a [u8]>,
    columns: Vec<Column>,
    record: csv::ByteRecord,
    done: bool,
}

impl<'a> CsvRows<'a> {
    pub(super) fn new(data: &'a [u8]) -> Result<CsvRows<'a>, AppError> {
        let mut reader = reader(data);
        let header = reader
            .byte_headers()
            .map_err(|e| header_error(format!("The header row cannot be read: {e}.")))?;
        let names = header
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                header_error("The header row is not UTF-8 text; save the file as CSV UTF-8.".into())
            })?;
        let columns = parse_header(&names)?;
        Ok(CsvRows {
            reader,
            columns,
            record: csv::ByteRecord::new(),
            done: false,
        })
    }
}

impl Iterator for CsvRows<'_> {
    type Item = ParsedRow;

    fn next(&mut self) -> Option<ParsedRow> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                let reference = self
                    .columns
                    .iter()
                    .position(|c| *c == Column::Reference)
                    .and_then(|i| self.record.get(i))
                    .and_then(|raw| std::str::from_utf8(raw).ok())
                    .map(|r| r.trim().to_string());
                let record = row(&self.columns, &self.record);
                Some(ParsedRow {
                    line,
                    reference,
                    record,
                })
            }
            Ok(false) => None,
            // Reading from memory cannot fail but for a bug; report it and stop.
            Err(e) => {
                self.done = true;
                Some(ParsedRow {
                    line: e.position().map_or(0, csv::Position::line),
                    reference: None,
                    record: Err(format!("the file cannot be read from here on: {e}.")),
                })
            }
        }
    }
}

/// A `;`-separated list, blanks dropped.
fn list(value: &str) -> Vec<String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// `file.jpg:kind:caption|file2.jpg:kind`
fn images(value: &str) -> Result<Vec<ImageRef>, String> {
    value
        .split('|')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|item| {
            let mut parts = item.splitn(3, ':');
            let file = parts.next().unwrap_or_default();
            let Some(kind) = parts.next() else {
                return Err(format!(
                    "image {:?}: give its kind after a colon, as in {}:genuine.",
                    file.trim(),
                    file.trim()
                ));
            };
            image_ref(file, kind, parts.next().unwrap_or_default())
        })
        .collect()
}

fn row(
    columns: &[Column],
    record: &csv::ByteRecord,
) -> Result<(ProductInput, Vec<ImageRef>), String> {
    if record.len() != columns.len() {
        return Err(format!(
            "the row has {} fields but the header names {} columns; a field holding a comma or a line break must be in double quotes.",
            record.len(),
            columns.len()
        ));
    }
    let mut input = ProductInput::default();
    let mut descriptions = Localized::new();
    let mut image_refs = Vec::new();
    for (column, raw) in columns.iter().zip(record.iter()) {
        let value = std::str::from_utf8(raw)
            .map_err(|_| "the row is not UTF-8 text; save the file as CSV UTF-8.".to_string())?
            .trim();
        match column {
            Column::Reference => input.reference = value.to_string(),
            Column::Brand => input.brand = value.to_string(),
            Column::Name => input.name = value.to_string(),
            Column::Category => input.category = value.to_string(),
            Column::HsCode => input.hs_code = (!value.is_empty()).then(|| value.to_string()),
            Column::Gtins => input.codes.gtins = list(value),
            Column::Skus => input.codes.skus = list(value),
            Column::ModelNumbers => input.identity.model_numbers = list(value),
            Column::TargetMarkets => input.identity.target_markets = list(value),
            Column::NetContent => input.identity.net_content = value.to_string(),
            Column::Dimensions => input.identity.dimensions = value.to_string(),
            Column::Links => input.identity.links = list(value),
            Column::SerialFormats => input.codes.serial_formats = list(value),
            Column::LotFormats => input.codes.lot_formats = list(value),
            Column::LastReviewedOn if value.is_empty() => {}
            Column::LastReviewedOn => {
                input.last_reviewed_on =
                    Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                        format!("last_reviewed_on {value:?} is not a date such as 2026-01-31.")
                    })?);
            }
            Column::Description(language) => {
                if !value.is_empty() {
                    descriptions.insert(language.clone(), value.to_string());
                }
            }
            Column::SectionsJson if value.is_empty() => {}
            Column::SectionsJson => {
                input.sections =
                    serde_json::from_str(value).map_err(|e| format!("sections_json: {e}."))?;
            }
            Column::Images => image_refs = images(value)?,
        }
    }
    if !descriptions.is_empty() {
        // The description_<lang> columns add to (or replace languages of) a description
        // given in sections_json, whose access level stays.
        input
            .sections
            .description
            .get_or_insert_with(Description::default)
            .text
            .extend(descriptions);
    }
    Ok((input, image_refs))
}
