//! `touchstone import --org <id> FILE [--images ZIP] [--dry-run]`: a progress bar on
//! stderr, then a summary and every failed row with its line number on stdout.

use std::io::Write;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use super::{Format, ImportInput, ImportReport, Outcome, ZipSource};
use crate::db::DbPool;
use crate::error::AppError;
use crate::images::ImageStore;
use crate::models::audit::Actor;
use std::path::Path;

/// Imports a right holder's products from a CSV or JSON Lines file (see docs/import.md).
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Id of the right-holder organisation that owns the products.
    #[arg(long)]
    pub org: i64,
    /// The product file: `.csv` or `.jsonl` (JSON Lines); other names are recognised by
    /// their content.
    pub file: PathBuf,
    /// A zip of the images that rows name by file name.
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// Check every row (and process its images) and report what would change, writing
    /// nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Publish the imported products (new products are drafts otherwise).
    #[arg(long)]
    pub publish: bool,
}

/// Runs the import; `Err` (a message for the terminal) when the file could not be
/// imported at all. Rows that failed are listed but do not make it an error.
/// It needs only the database and the image store: a running server's indexer picks the
/// changes up from the search outbox (or `touchstone reindex` does).
pub fn execute(pool: &DbPool, data_dir: &Path, args: &ImportArgs) -> Result<(), String> {
    let data = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let format = Format::detect(Some(&args.file), &data);
    let mut input = ImportInput::new(format, data).publishing(args.publish);
    if let Some(zip) = &args.images {
        input = input.with_images(ZipSource::Path(zip.clone()));
    }
    let store = ImageStore::new(data_dir);
    let _writing = store
        .lock_for_writing()
        .map_err(|e| format!("cannot lock the image store: {e}"))?;
    let actor = Actor {
        user_id: None,
        organisation_id: Some(args.org),
        ip: None,
    };
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} rows  {per_sec}  {elapsed_precise} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    let result = super::run(
        pool,
        &store,
        args.org,
        &actor,
        input,
        args.dry_run,
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    let report = result.map_err(|e| match e {
        AppError::Internal(detail) => detail,
        other => other.to_string(),
    })?;
    let mut out = std::io::stdout().lock();
    write_summary(&mut out, &args.file, &report)
        .map_err(|e| format!("cannot write the report: {e}"))
}

fn write_summary(
    out: &mut impl Write,
    file: &std::path::Path,
    report: &ImportReport,
) -> std::io::Result<()> {
    if report.dry_run {
        writeln!(
            out,
            "Dry run of {}: {} rows; {} would be created, {} updated, {} failed. Nothing was written.",
            file.display(),
            report.total,
            report.created,
            report.updated,
            report.failed
        )?;
    } else {
        writeln!(
            out,
            "Imported {}: {} rows; {} created, {} updated, {} failed.",
            file.display(),
            report.total,
            report.created,
            report.updated,
            report.failed
        )?;
    }
    if report.failed > 0 {
        writeln!(out, "Failed rows:")?;
        for row in report.failures() {
            if let Outcome::Failed { reason } = &row.outcome {
                match &row.reference {
                    Some(reference) => {
                        writeln!(out, "  line {} ({reference}): {reason}", row.line)?
                    }
                    None => writeln!(out, "  line {}: {reason}", row.line)?,
                }
            }
        }
    }
    Ok(())
}
