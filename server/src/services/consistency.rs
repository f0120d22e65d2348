//! Whether the caches agree with the database, the source of truth: the text index holds
//! exactly the searchable products, the hash index exactly their matchable images, and
//! the image store exactly the files some row names. After a crash the indexer catches up
//! from the outbox and the start-up sweep removes orphaned files; this check proves it
//! (the admin API serves it, and the crash test reads it).

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::images::{ImageStore, Sweep};
use crate::models::product as rows;
use crate::models::{alert, notice};
use crate::search::images::{is_matchable, regions_of};

/// At most this many file names are listed in a report; the counts are always whole.
const LISTED_FILES: usize = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyReport {
    /// Everything below agrees.
    pub consistent: bool,
    /// Published products of verified right holders, in the database.
    pub searchable_products: u64,
    /// Products in the text index.
    pub text_index_products: u64,
    /// Images of searchable products whose hash is good enough to match.
    pub matchable_images: u64,
    /// Hashes in this node's image index.
    pub hash_index_images: u64,
    /// The last search-outbox row in the database, and the last the text index committed.
    pub outbox_last: u64,
    pub text_index_applied: u64,
    /// Files in the image store, and files that database rows name.
    pub stored_files: u64,
    pub referenced_files: u64,
    /// Stored files no row names (first 50), and how many.
    pub orphaned_files: Vec<String>,
    pub orphaned_count: u64,
    /// Files a row names that are not stored (first 50), and how many.
    pub missing_files: Vec<String>,
    pub missing_count: u64,
}

/// Every stored file that some database row names. When a table starts naming stored
/// files, it is added here, or the start-up sweep would delete its files.
pub fn referenced_files(conn: &mut DbConnection) -> Result<HashSet<String>, AppError> {
    let mut files = HashSet::new();
    let product_images = rows::image_files(conn)?;
    let notice_photos = notice::attachment_files(conn)?;
    let alert_photos = alert::image_files(conn)?;
    for (display, thumb) in product_images
        .into_iter()
        .chain(notice_photos)
        .chain(alert_photos)
    {
        files.insert(display);
        files.insert(thumb);
    }
    Ok(files)
}

/// Whether some row names this stored file; the same tables as [`referenced_files`].
pub fn file_in_use(conn: &mut DbConnection, sha: &str) -> Result<bool, AppError> {
    Ok(rows::image_file_in_use(conn, sha)?
        || notice::attachment_file_in_use(conn, sha)?
        || alert::image_file_in_use(conn, sha)?)
}

/// Deletes the image files no row names, unless another process is writing to the store.
pub fn sweep_orphaned_files(
    conn: &mut DbConnection,
    store: &ImageStore,
) -> Result<Sweep, AppError> {
    let sweep = store.sweep_orphans(|| referenced_files(conn))?;
    match &sweep {
        Sweep::Removed(files) if !files.is_empty() => {
            tracing::warn!(
                count = files.len(),
                "removed image files no database row names"
            )
        }
        Sweep::Removed(_) => {}
        Sweep::Busy => tracing::info!(
            "another process is writing to the image store; orphaned files not swept"
        ),
    }
    Ok(sweep)
}

/// Applies the whole outbox, then compares.
pub fn check(state: &AppState) -> Result<ConsistencyReport, AppError> {
    state.search.flush()?;
    let mut conn = state
        .pool
        .get()
        .map_err(|e| AppError::internal(format!("database: {e}")))?;
    let searchable_products = count(rows::count_searchable(&mut conn)?);
    let matchable_images = rows::searchable_images(&mut conn)?
        .iter()
        .filter(|(_, _, hex, quality, regions)| is_matchable(&regions_of(hex, *quality, regions)))
        .count() as u64;
    let outbox_last = count(rows::last_outbox_id(&mut conn)?);
    let referenced = referenced_files(&mut conn)?;
    drop(conn);
    let stored: HashSet<String> = state.images.all()?.into_iter().collect();
    let orphaned = sorted_difference(&stored, &referenced);
    let missing = sorted_difference(&referenced, &stored);
    let mut report = ConsistencyReport {
        consistent: false,
        searchable_products,
        text_index_products: state.search.text_count(),
        matchable_images,
        hash_index_images: state.search.image_count() as u64,
        outbox_last,
        text_index_applied: state.search.text_applied(),
        stored_files: stored.len() as u64,
        referenced_files: referenced.len() as u64,
        orphaned_count: orphaned.len() as u64,
        orphaned_files: orphaned.into_iter().take(LISTED_FILES).collect(),
        missing_count: missing.len() as u64,
        missing_files: missing.into_iter().take(LISTED_FILES).collect(),
    };
    report.consistent = report.searchable_products == report.text_index_products
        && report.matchable_images == report.hash_index_images
        && report.text_index_applied >= report.outbox_last
        && report.orphaned_count == 0
        && report.missing_count == 0;
    Ok(report)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

fn sorted_difference(a: &HashSet<String>, b: &HashSet<String>) -> Vec<String> {
    let mut only_in_a: Vec<String> = a.difference(b).cloned().collect();
    only_in_a.sort_unstable();
    only_in_a
}
