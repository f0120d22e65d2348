//! Bulk import of a right holder's products from CSV or JSON Lines, with an optional zip
//! of images referenced by file name. The formats are documented in `docs/import.md`.
//!
//! Rows are keyed by the organisation's own reference: importing the same file again
//! updates the products instead of duplicating them. Every row is written whole or not
//! at all (a batch is written together in one transaction, and again with a savepoint
//! per row when the database refuses one of its rows), and a bad row is reported with
//! its line number and reason without stopping the others. A zip that could escape
//! its folder or expand beyond the limits is refused before anything is written.
//!
//! [`run`] is the whole import; the command line (`touchstone import`) is in [`cli`].

pub mod cli;
mod columns;
pub mod jobs;
mod jsonl;
mod run;
#[cfg(test)]
mod tests;
pub mod view;
mod zip;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::images::ImageLimits;
use crate::products::images::ImageKind;
use crate::products::record::ProductInput;

pub use self::run::run;
pub use self::zip::ZipLimits;

/// The format of the product file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// From the file name's extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else from the
    /// content: a file whose first character (after a BOM and blanks) is `{` is JSON Lines.
    pub fn detect(file_name: Option<&Path>, data: &[u8]) -> Format {
        let extension = file_name
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Format::Csv,
            Some("jsonl" | "ndjson" | "json") => Format::JsonLines,
            _ => {
                let data = data.strip_prefix(BOM).unwrap_or(data);
                match data.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') => Format::JsonLines,
                    _ => Format::Csv,
                }
            }
        }
    }
}

/// The UTF-8 byte order mark some spreadsheet programs write first.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the zip of images is.
#[derive(Debug, Clone)]
pub enum ZipSource {
    /// An uploaded zip held in memory.
    Bytes(Vec<u8>),
    /// A zip on disk; read in place, so it may be large.
    Path(PathBuf),
}

/// The limits of one import; the defaults suit production, tests lower them.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    pub zip: ZipLimits,
    /// What `images::process` accepts for each photo.
    pub image: ImageLimits,
    /// Rows written per database transaction.
    pub batch_rows: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits::for_images(ImageLimits::default())
    }
}

impl ImportLimits {
    /// The default limits, with `image` for each photo (and each zip entry).
    pub fn for_images(image: ImageLimits) -> Self {
        ImportLimits {
            zip: ZipLimits {
                max_entry_bytes: image.max_bytes,
                ..ZipLimits::default()
            },
            image,
            batch_rows: 500,
        }
    }
}

/// One file to import.
#[derive(Debug, Clone)]
pub struct ImportInput {
    pub format: Format,
    /// The whole product file (UTF-8).
    pub data: Vec<u8>,
    pub images: Option<ZipSource>,
    pub limits: ImportLimits,
    /// Publish every imported product (new ones are drafts otherwise; an update keeps
    /// the product's status).
    pub publish: bool,
}

impl ImportInput {
    /// A product file without images, with the default limits.
    pub fn new(format: Format, data: Vec<u8>) -> ImportInput {
        ImportInput {
            format,
            data,
            images: None,
            limits: ImportLimits::default(),
            publish: false,
        }
    }

    pub fn publishing(mut self, publish: bool) -> ImportInput {
        self.publish = publish;
        self
    }

    pub fn with_images(mut self, images: ZipSource) -> ImportInput {
        self.images = Some(images);
        self
    }
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Created {
        id: i64,
    },
    Updated {
        id: i64,
    },
    Failed {
        reason: String,
    },
    /// Dry run: the row is valid and would create a product.
    WouldCreate,
    /// Dry run: the row is valid and would update the product with its reference.
    WouldUpdate,
}

/// One row of the file and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOutcome {
    /// The 1-based line of the file where the row starts.
    pub line: u64,
    /// The row's reference, when it could be read.
    pub reference: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The result of an import: counts and every row in file order. In a dry run,
/// `created` and `updated` count what would have been created and updated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub failed: usize,
    pub rows: Vec<RowOutcome>,
}

impl ImportReport {
    fn push(&mut self, row: RowOutcome) {
        self.total += 1;
        match row.outcome {
            Outcome::Created { .. } | Outcome::WouldCreate => self.created += 1,
            Outcome::Updated { .. } | Outcome::WouldUpdate => self.updated += 1,
            Outcome::Failed { .. } => self.failed += 1,
        }
        self.rows.push(row);
    }

    /// The rows that failed, in file order.
    pub fn failures(&self) -> impl Iterator<Item = &RowOutcome> {
        self.rows
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
    }
}

/// An image a row asks for: a file of the zip, what it shows, and a caption.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImageRef {
    file: String,
    kind: ImageKind,
    caption: String,
}

/// The most images one row may name.
const MAX_IMAGES_PER_ROW: usize = 50;
/// The longest caption, as `products::images::attach` allows.
const MAX_CAPTION_CHARS: usize = 500;

/// Checks one image of a row, whatever the format said it in.
fn image_ref(file: &str, kind: &str, caption: &str) -> Result<ImageRef, String> {
    let file = file.trim();
    if file.is_empty() {
        return Err("images: an image has no file name.".into());
    }
    if file.contains(['/', '\\']) {
        return Err(format!(
            "image {file:?}: give the file name only, as it is inside the zip, without folders."
        ));
    }
    let kind = ImageKind::parse(kind).map_err(|e| format!("image {file:?}: {e}"))?;
    let caption = caption.trim();
    if caption.chars().count() > MAX_CAPTION_CHARS {
        return Err(format!(
            "image {file:?}: a caption may have at most {MAX_CAPTION_CHARS} characters."
        ));
    }
    Ok(ImageRef {
        file: file.to_string(),
        kind,
        caption: caption.to_string(),
    })
}

/// A row as read from the file, before validation.
#[derive(Debug)]
struct ParsedRow {
    line: u64,
    reference: Option<String>,
    record: Result<(ProductInput, Vec<ImageRef>), String>,
}

/// The rows of a file, in order, whatever its format.
enum Rows<'a> {
    Csv(columns::CsvRows<'a>),
    JsonLines(jsonl::Lines<'a>),
}

impl<'a> Rows<'a> {
    /// Reads the header of a CSV file; an unknown or missing column fails the import.
    fn new(format: Format, data: &'a [u8]) -> Result<Rows<'a>, crate::error::AppError> {
        Ok(match format {
            Format::Csv => Rows::Csv(columns::CsvRows::new(data)?),
            Format::JsonLines => Rows::JsonLines(jsonl::Lines::new(data)),
        })
    }

    /// How many rows the file holds, for progress; cheap next to importing them.
    fn count(format: Format, data: &[u8]) -> usize {
        match format {
            Format::Csv => columns::count_records(data),
            Format::JsonLines => jsonl::count_lines(data),
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = ParsedRow;

    fn next(&mut self) -> Option<ParsedRow> {
        match self {
            Rows::Csv(rows) => rows.next(),
            Rows::JsonLines(lines) => lines.next(),
        }
    }
}
