//! The import loop: read rows in file order, validate each and prepare its images
//! outside any transaction, then write a batch of prepared rows in one transaction,
//! together in multi-row statements. When the database refuses any row of it, nothing of
//! that attempt is kept and the batch is written again with a savepoint per row, so a
//! failing row is rolled back alone and never half-written.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::zip::ImageZip;
use super::{ImportInput, ImportReport, Outcome, ParsedRow, RowOutcome, Rows, MAX_IMAGES_PER_ROW};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::images::{self, ImageLimits, ImageStore};
use crate::models::audit::{self, Actor};
use crate::models::product as rows;
use crate::models::{organisation, OrgKind};
use crate::products::images::{self as product_images, ImageKind, StoredImage};
use crate::products::record::ProductInput;
use crate::products::{self, validate};

/// A batch is written once it has this long been prepared, even if not full, so that
/// rows with many images still show progress and commit regularly.
const BATCH_TIME: Duration = Duration::from_secs(1);

/// Imports `input` into the organisation `org_id` (a right holder), creating products
/// for new references and replacing those whose reference exists. Rows that fail are
/// reported and skipped; `progress(done, total)` is called as rows are handled. With
/// `dry_run` every row is validated, its images processed and its write attempted, but
/// everything is rolled back and no image file is stored.
///
/// Fails as a whole (before writing anything) only when the organisation is unknown or
/// not a right holder, a CSV header is unusable, or the zip of images is refused.
pub fn run(
    pool: &DbPool,
    store: &ImageStore,
    org_id: i64,
    actor: &Actor,
    input: ImportInput,
    dry_run: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, AppError> {
    let mut conn = pool
        .get()
        .map_err(|e| AppError::internal(format!("database: {e}")))?;
    let org = match organisation::find(&mut conn, org_id) {
        Ok(org) => org,
        Err(diesel::NotFound) => {
            return Err(AppError::not_found(&format!("Organisation {org_id}")))
        }
        Err(e) => return Err(e.into()),
    };
    if org.kind() != OrgKind::RightHolder {
        return Err(AppError::bad_request(
            "not_right_holder",
            format!(
                "Organisation {org_id} ({}) is not a right holder; only right holders have products.",
                org.name
            ),
        ));
    }
    let ImportInput {
        format,
        data,
        images,
        limits,
        publish,
    } = input;
    let mut rows = Rows::new(format, &data)?;
    let zip = images
        .map(|source| ImageZip::open(source, &limits.zip))
        .transpose()?;
    let total = Rows::count(format, &data);
    let mut importer = Importer {
        conn: &mut conn,
        org_id,
        actor,
        store,
        dry_run,
        publish,
        zip,
        image_limits: limits.image,
        images: HashMap::new(),
        would_exist: HashSet::new(),
    };
    let mut report = ImportReport {
        dry_run,
        ..ImportReport::default()
    };
    progress(0, total);
    loop {
        let started = Instant::now();
        let mut batch = Vec::new();
        while batch.len() < limits.batch_rows.max(1) && started.elapsed() < BATCH_TIME {
            match rows.next() {
                Some(row) => batch.push(importer.prepare(row)),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        for outcome in importer.write(batch) {
            report.push(outcome);
        }
        progress(report.total, total.max(report.total));
    }
    if !dry_run {
        audit::record(
            importer.conn,
            actor,
            "products.imported",
            &format!("organisation:{org_id}"),
            &format!(
                "{} rows: {} created, {} updated, {} failed",
                report.total, report.created, report.updated, report.failed
            ),
        )?;
    }
    tracing::info!(
        org_id,
        dry_run,
        total = report.total,
        created = report.created,
        updated = report.updated,
        failed = report.failed,
        "product import finished"
    );
    Ok(report)
}

/// An image processed (and, unless in a dry run, stored), ready to attach.
#[derive(Debug, Clone)]
struct ReadyImage {
    display_sha256: String,
    thumb_sha256: String,
    width: u32,
    height: u32,
    pdq_hex: String,
    pdq_quality: u8,
    region_pdq: String,
}

impl ReadyImage {
    fn stored(&self) -> StoredImage {
        StoredImage {
            display_sha256: self.display_sha256.clone(),
            thumb_sha256: self.thumb_sha256.clone(),
            width: self.width,
            height: self.height,
            pdq_hex: self.pdq_hex.clone(),
            pdq_quality: self.pdq_quality,
            pdq_algorithm: pdq_algorithm(),
            region_pdq: self.region_pdq.clone(),
        }
    }
}

/// The hash algorithm and its version, as stored with every hash.
fn pdq_algorithm() -> String {
    format!(
        "{}/{}",
        search_index::pdq::ALGORITHM,
        search_index::pdq::ALGORITHM_VERSION
    )
}

/// A row ready to write: validated, its images processed.
struct Work {
    record: ProductInput,
    images: Vec<(ImageKind, String, ReadyImage)>,
}

struct Prepared {
    line: u64,
    reference: Option<String>,
    work: Result<Work, String>,
}

/// What a row's write gave: the product id and whether it was created.
type Written = Result<(i64, bool), String>;

/// The reason shown for a row that failed; internal details go to the log only.
fn reason(line: u64, e: &AppError) -> String {
    match e {
        AppError::Internal(detail) => {
            tracing::error!(line, detail = %detail, "import row failed");
            "the row could not be stored because of an internal error; it has been logged.".into()
        }
        other => other.to_string(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Why a batch transaction ended without committing.
enum BatchEnd {
    Database(diesel::result::Error),
    /// A row failed, and with it the batch written together.
    Failed(AppError),
    /// A dry run: the batch ran, and is rolled back on purpose.
    DryRun(Vec<Written>),
}

impl From<diesel::result::Error> for BatchEnd {
    fn from(e: diesel::result::Error) -> BatchEnd {
        BatchEnd::Database(e)
    }
}

struct Importer<'a> {
    conn: &'a mut DbConnection,
    org_id: i64,
    actor: &'a Actor,
    store: &'a ImageStore,
    dry_run: bool,
    publish: bool,
    zip: Option<ImageZip>,
    image_limits: ImageLimits,
    /// Each file of the zip is processed once, however many rows name it.
    images: HashMap<String, Result<ReadyImage, String>>,
    /// Dry run: references that a row would have created, so that a later row with the
    /// same reference (after its batch was rolled back) counts as an update.
    would_exist: HashSet<String>,
}

impl Importer<'_> {
    /// Validates a row and processes its images; no database write.
    fn prepare(&mut self, row: ParsedRow) -> Prepared {
        let ParsedRow {
            line,
            reference,
            record,
        } = row;
        let work = record.and_then(|(mut record, refs)| {
            validate::product(&mut record).map_err(|e| reason(line, &e))?;
            if refs.len() > MAX_IMAGES_PER_ROW {
                return Err(format!(
                    "the row names {} images; at most {MAX_IMAGES_PER_ROW} are allowed.",
                    refs.len()
                ));
            }
            let mut images = Vec::with_capacity(refs.len());
            for image in refs {
                let ready = self.image(line, &image.file)?;
                images.push((image.kind, image.caption, ready));
            }
            Ok(Work { record, images })
        });
        let reference = match &work {
            Ok(work) => Some(work.record.reference.clone()),
            Err(_) => reference.filter(|r| !r.is_empty()),
        };
        Prepared {
            line,
            reference,
            work,
        }
    }

    fn image(&mut self, line: u64, file: &str) -> Result<ReadyImage, String> {
        if let Some(done) = self.images.get(file) {
            return done.clone();
        }
        let result = self.load_image(line, file);
        self.images.insert(file.to_string(), result.clone());
        result
    }

    fn load_image(&mut self, line: u64, file: &str) -> Result<ReadyImage, String> {
        let Some(zip) = self.zip.as_mut() else {
            return Err(format!(
                "the row names the image {file:?} but no zip of images was given."
            ));
        };
        let bytes = zip.read(file)?.ok_or_else(|| {
            format!("image {file:?} is not in the zip of images (file names are case-sensitive).")
        })?;
        let processed = images::process(&bytes, &self.image_limits)
            .map_err(|e| format!("image {file:?}: {e}."))?;
        let (display_sha256, thumb_sha256) = if self.dry_run {
            (
                sha256_hex(&processed.display_jpeg),
                sha256_hex(&processed.thumb_jpeg),
            )
        } else {
            let put = |bytes: &[u8]| {
                self.store
                    .put(bytes)
                    .map_err(|e| reason(line, &AppError::internal(format!("image {file:?}: {e}"))))
            };
            (put(&processed.display_jpeg)?, put(&processed.thumb_jpeg)?)
        };
        Ok(ReadyImage {
            display_sha256,
            thumb_sha256,
            width: processed.width,
            height: processed.height,
            pdq_hex: processed.pdq.to_hex(),
            pdq_quality: processed.pdq_quality,
            region_pdq: processed.region_pdq,
        })
    }

    /// Writes the prepared rows of a batch; returns every row's outcome in order.
    fn write(&mut self, batch: Vec<Prepared>) -> Vec<RowOutcome> {
        let ready: Vec<(u64, &Work)> = batch
            .iter()
            .filter_map(|p| p.work.as_ref().ok().map(|w| (p.line, w)))
            .collect();
        let written = self.write_together(&ready).or_else(|e| {
            // A row the database refused (or the commit failed): nothing of the batch
            // was kept. Write it again a savepoint per row, so the bad rows fail alone.
            tracing::debug!(error = %e, "import batch not written together; writing it row by row");
            self.write_batch(&ready)
        });
        let mut written = match written {
            Ok(written) => written,
            Err(e) => {
                // The batch as a whole failed (its commit, or a broken transaction):
                // nothing of it was kept. Try each row alone.
                tracing::warn!(error = %e, "import batch failed; retrying its rows one by one");
                ready
                    .iter()
                    .map(|row| match self.write_batch(std::slice::from_ref(row)) {
                        Ok(mut one) => one.pop().unwrap_or_else(|| Err("not written.".into())),
                        Err(e) => Err(reason(row.0, &e)),
                    })
                    .collect()
            }
        }
        .into_iter();
        batch
            .into_iter()
            .map(|prepared| {
                let outcome = match prepared.work {
                    Err(reason) => Outcome::Failed { reason },
                    Ok(work) => match written.next() {
                        Some(Ok((id, created))) => {
                            self.outcome(&work.record.reference, id, created)
                        }
                        Some(Err(reason)) => Outcome::Failed { reason },
                        None => Outcome::Failed {
                            reason: "not written.".into(),
                        },
                    },
                };
                RowOutcome {
                    line: prepared.line,
                    reference: prepared.reference,
                    outcome,
                }
            })
            .collect()
    }

    fn outcome(&mut self, reference: &str, id: i64, created: bool) -> Outcome {
        match (self.dry_run, created) {
            (false, true) => Outcome::Created { id },
            (false, false) => Outcome::Updated { id },
            (true, true) if self.would_exist.insert(reference.to_string()) => Outcome::WouldCreate,
            (true, _) => Outcome::WouldUpdate,
        }
    }

    /// The rows in one transaction, their products written together in multi-row
    /// statements (`products::upsert_all`); rolled back in a dry run. Fails as a whole
    /// when any row fails, leaving nothing written.
    fn write_together(&mut self, ready: &[(u64, &Work)]) -> Result<Vec<Written>, AppError> {
        let (org_id, actor, publish) = (self.org_id, self.actor, self.publish);
        self.in_transaction(|conn| {
            let records: Vec<&ProductInput> = ready.iter().map(|(_, work)| &work.record).collect();
            let ids = products::upsert_all(conn, org_id, actor, &records, publish)?;
            for ((_, work), (id, created)) in ready.iter().zip(&ids) {
                attach_images(conn, *id, *created, actor, work)?;
            }
            Ok(ids.into_iter().map(Ok).collect())
        })
    }

    /// One transaction for the rows, each in its own savepoint; rolled back in a dry run.
    fn write_batch(&mut self, ready: &[(u64, &Work)]) -> Result<Vec<Written>, AppError> {
        let (org_id, actor, publish) = (self.org_id, self.actor, self.publish);
        self.in_transaction(|conn| {
            Ok(ready
                .iter()
                .map(|(line, work)| {
                    write_row(conn, org_id, actor, work, publish).map_err(|e| reason(*line, &e))
                })
                .collect())
        })
    }

    /// Runs `write` in a transaction that commits, or in a dry run is rolled back.
    fn in_transaction(
        &mut self,
        write: impl FnOnce(&mut DbConnection) -> Result<Vec<Written>, AppError>,
    ) -> Result<Vec<Written>, AppError> {
        let dry_run = self.dry_run;
        let result = db::transaction::<_, BatchEnd, _>(self.conn, |conn| {
            let written = write(conn).map_err(BatchEnd::Failed)?;
            if dry_run {
                Err(BatchEnd::DryRun(written))
            } else {
                Ok(written)
            }
        });
        match result {
            Ok(written) | Err(BatchEnd::DryRun(written)) => Ok(written),
            Err(BatchEnd::Failed(e)) => Err(e),
            Err(BatchEnd::Database(e)) => Err(e.into()),
        }
    }
}

/// Writes one row whole or not at all: the product and its new images in one
/// (nested) transaction.
fn write_row(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &Actor,
    work: &Work,
    publish: bool,
) -> Result<(i64, bool), AppError> {
    if work.images.is_empty() {
        return products::upsert(conn, org_id, actor, &work.record, publish);
    }
    db::transaction(conn, |conn| {
        let (id, created) = products::upsert(conn, org_id, actor, &work.record, publish)?;
        attach_images(conn, id, created, actor, work)?;
        Ok((id, created))
    })
}

/// Adds the row's images to its product; an image already on the product (same display
/// file) is not added again.
fn attach_images(
    conn: &mut DbConnection,
    id: i64,
    created: bool,
    actor: &Actor,
    work: &Work,
) -> Result<(), AppError> {
    if work.images.is_empty() {
        return Ok(());
    }
    let mut present: HashSet<String> = if created {
        HashSet::new()
    } else {
        rows::images_of(conn, id)?
            .into_iter()
            .map(|image| image.display_sha256)
            .collect()
    };
    for (kind, caption, image) in &work.images {
        if present.insert(image.display_sha256.clone()) {
            product_images::attach(conn, id, actor, *kind, caption, &image.stored())?;
        }
    }
    Ok(())
}
