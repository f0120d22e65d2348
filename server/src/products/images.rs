//! Attaching stored images to products. The bytes are processed and stored by
//! `crate::images`; this records them, in the product's transaction discipline.

use serde::{Deserialize, Serialize};

use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::audit::{self, Actor};
use crate::models::now;
use crate::models::product::{self as rows, ImageRow, NewImage};

/// What an image is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImageKind {
    Genuine,
    Counterfeit,
    Packaging,
    Label,
    Document,
}

impl ImageKind {
    pub const ALL: [ImageKind; 5] = [
        ImageKind::Genuine,
        ImageKind::Counterfeit,
        ImageKind::Packaging,
        ImageKind::Label,
        ImageKind::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Genuine => "genuine",
            ImageKind::Counterfeit => "counterfeit",
            ImageKind::Packaging => "packaging",
            ImageKind::Label => "label",
            ImageKind::Document => "document",
        }
    }

    pub fn parse(text: &str) -> Result<ImageKind, AppError> {
        ImageKind::ALL.into_iter().find(|k| k.as_str() == text.trim()).ok_or_else(|| {
            AppError::bad_request(
                "invalid_image_kind",
                format!("{text:?} is not an image kind: genuine, counterfeit, packaging, label or document."),
            )
        })
    }
}

/// An image already re-encoded and written to the image store.
pub struct StoredImage {
    pub display_sha256: String,
    pub thumb_sha256: String,
    pub width: u32,
    pub height: u32,
    pub pdq_hex: String,
    pub pdq_quality: u8,
    pub pdq_algorithm: String,
    /// Encoded `search_index::photo` region hashes.
    pub region_pdq: String,
}

fn check_caption(caption: &str) -> Result<(), AppError> {
    if caption.chars().count() > 500 {
        return Err(AppError::bad_request(
            "invalid_caption",
            "A caption may have at most 500 characters.",
        ));
    }
    Ok(())
}

/// The image `image_id`, which must belong to `product_id`.
fn image_of(conn: &mut DbConnection, product_id: i64, image_id: i64) -> Result<ImageRow, AppError> {
    match rows::find_image(conn, image_id) {
        Ok(image) if image.product_id == product_id => Ok(image),
        _ => Err(AppError::not_found("That image")),
    }
}

/// Records an image of a product (after the last one) and queues the product for search.
pub fn attach(
    conn: &mut DbConnection,
    product_id: i64,
    actor: &Actor,
    kind: ImageKind,
    caption: &str,
    stored: &StoredImage,
) -> Result<ImageRow, AppError> {
    let caption = caption.trim();
    check_caption(caption)?;
    db::transaction(conn, |conn| {
        let position = rows::images_of(conn, product_id)?
            .iter()
            .map(|i| i.position + 1)
            .max()
            .unwrap_or(0);
        let id = rows::insert_image(
            conn,
            &NewImage {
                product_id,
                kind: kind.as_str(),
                caption,
                position,
                display_sha256: &stored.display_sha256,
                thumb_sha256: &stored.thumb_sha256,
                width: i32::try_from(stored.width).unwrap_or(i32::MAX),
                height: i32::try_from(stored.height).unwrap_or(i32::MAX),
                pdq: &stored.pdq_hex,
                pdq_quality: i32::from(stored.pdq_quality),
                pdq_algorithm: &stored.pdq_algorithm,
                created_by: actor.user_id,
                created_at: now(),
                region_pdq: &stored.region_pdq,
            },
        )?;
        rows::enqueue_search(conn, product_id)?;
        audit::record(
            conn,
            actor,
            "product.image_added",
            &format!("product:{product_id}"),
            &format!("image:{id}"),
        )?;
        Ok(rows::find_image(conn, id)?)
    })
}

/// Removes an image record; returns it so the caller can delete unused files.
pub fn detach(
    conn: &mut DbConnection,
    product_id: i64,
    image_id: i64,
    actor: &Actor,
) -> Result<ImageRow, AppError> {
    db::transaction(conn, |conn| {
        let image = image_of(conn, product_id, image_id)?;
        rows::delete_image(conn, image_id)?;
        rows::enqueue_search(conn, product_id)?;
        audit::record(
            conn,
            actor,
            "product.image_removed",
            &format!("product:{product_id}"),
            &format!("image:{image_id}"),
        )?;
        Ok(image)
    })
}

/// Changes an image's kind and caption.
pub fn relabel(
    conn: &mut DbConnection,
    product_id: i64,
    image_id: i64,
    actor: &Actor,
    kind: ImageKind,
    caption: &str,
) -> Result<(), AppError> {
    let caption = caption.trim();
    check_caption(caption)?;
    db::transaction(conn, |conn| {
        image_of(conn, product_id, image_id)?;
        rows::relabel_image(conn, image_id, kind.as_str(), caption)?;
        rows::enqueue_search(conn, product_id)?;
        audit::record(
            conn,
            actor,
            "product.image_changed",
            &format!("product:{product_id}"),
            &format!("image:{image_id}"),
        )?;
        Ok(())
    })
}

/// Moves an image one place earlier (`up`) or later in the product's gallery.
pub fn shift(
    conn: &mut DbConnection,
    product_id: i64,
    image_id: i64,
    actor: &Actor,
    up: bool,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        image_of(conn, product_id, image_id)?;
        let mut order: Vec<i64> = rows::images_of(conn, product_id)?
            .iter()
            .map(|i| i.id)
            .collect();
        let Some(at) = order.iter().position(|id| *id == image_id) else {
            return Err(AppError::not_found("That image"));
        };
        let to = if up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|to| *to < order.len())
        };
        let Some(to) = to else { return Ok(()) };
        order.swap(at, to);
        // Renumbered from 0 so equal positions left by older records cannot tie.
        for (position, id) in order.iter().enumerate() {
            rows::set_image_position(conn, *id, i32::try_from(position).unwrap_or(i32::MAX))?;
        }
        audit::record(
            conn,
            actor,
            "product.image_moved",
            &format!("product:{product_id}"),
            &format!("image:{image_id}"),
        )?;
        Ok(())
    })
}
