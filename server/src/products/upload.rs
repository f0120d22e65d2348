//! An uploaded image, from bytes to an attached, searchable product image: validated,
//! re-encoded without metadata, stored content-addressed, hashed and recorded.

use actix_web::web;

use super::images::{attach, ImageKind, StoredImage};
use crate::app::AppState;
use crate::db;
use crate::error::AppError;
use crate::images::{self, ProcessedImage};
use crate::models::audit::Actor;
use crate::models::product::ImageRow;

fn blocking_failed(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("blocking task failed: {e}"))
}

/// Processes and stores the bytes (off the async threads); returns what to record.
pub async fn store_bytes(state: &AppState, bytes: Vec<u8>) -> Result<StoredImage, AppError> {
    let limits = state.image_limits();
    let store = state.images.clone();
    web::block(move || -> Result<StoredImage, AppError> {
        let processed: ProcessedImage = images::process(&bytes, &limits)?;
        let display_sha256 = store.put(&processed.display_jpeg)?;
        let thumb_sha256 = store.put(&processed.thumb_jpeg)?;
        Ok(StoredImage {
            display_sha256,
            thumb_sha256,
            width: processed.width,
            height: processed.height,
            pdq_hex: processed.pdq.to_hex(),
            pdq_quality: processed.pdq_quality,
            region_pdq: processed.region_pdq,
            pdq_algorithm: format!(
                "{}/{}",
                search_index::pdq::ALGORITHM,
                search_index::pdq::ALGORITHM_VERSION
            ),
        })
    })
    .await
    .map_err(blocking_failed)?
}

/// Stores an uploaded image and attaches it to a product. If recording fails, the files
/// written for it are removed again unless another record uses them.
pub async fn upload(
    state: &AppState,
    product_id: i64,
    actor: Actor,
    kind: ImageKind,
    caption: String,
    bytes: Vec<u8>,
) -> Result<ImageRow, AppError> {
    let stored = store_bytes(state, bytes).await?;
    let files = [stored.display_sha256.clone(), stored.thumb_sha256.clone()];
    let recorded = db::run(&state.pool, move |conn| {
        attach(conn, product_id, &actor, kind, &caption, &stored)
    })
    .await;
    if recorded.is_err() {
        remove_unused(state, files.to_vec()).await;
    }
    let row = recorded?;
    state.search.notify();
    Ok(row)
}

/// Deletes image files that no image record references any more.
pub async fn remove_unused(state: &AppState, shas: Vec<String>) {
    let pool = state.pool.clone();
    let store = state.images.clone();
    let result = web::block(move || -> Result<(), AppError> {
        let mut conn = pool.get().map_err(|_| AppError::Unavailable)?;
        for sha in shas {
            if !crate::services::consistency::file_in_use(&mut conn, &sha)? {
                store.remove(&sha)?;
            }
        }
        Ok(())
    })
    .await;
    if let Ok(Err(e)) | Err(e) = result.map_err(blocking_failed) {
        tracing::warn!(error = %e, "could not remove unused image files");
    }
}
