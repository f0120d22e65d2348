//! Search by photo: `POST /api/v1/search/image`, and the work shared with the officers'
//! page. The photo is decoded and checked like any upload, hashed
//! (`search_index::photo`), and dropped: it is never stored.

use std::collections::hash_map::{Entry, HashMap};

use actix_multipart::Multipart;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{self, DbConnection};
use crate::error::{AppError, ErrorBody};
use crate::images::{self, SearchPhoto};
use crate::products;
use crate::uploads::{self, UploadLimits};
use search_index::photo::{self, PhotoMatch};

/// At most this many matches are returned.
pub const MAX_MATCHES: usize = 20;
/// One product image that looks like the photo.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoMatchView {
    pub product_id: i64,
    pub image_id: i64,
    /// Hamming distance between the PDQ hashes, 0 to 31 (lower is closer).
    pub distance: u32,
    /// How the photo is turned relative to the product image: `orig`, `rot90`, `rot180`,
    /// `rot270`, `flipx`, `flipy`, `flipp` or `flipm`.
    pub variant: String,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoSearchResponse {
    /// Best first.
    pub matches: Vec<PhotoMatchView>,
}

/// The multipart body of a photo search.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct PhotoUpload {
    /// The photo: JPEG, PNG, WebP, GIF, TIFF or BMP.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A match with what a results page shows of its product.
pub struct PhotoHit {
    pub view: PhotoMatchView,
    pub brand: String,
    pub name: String,
    pub right_holder: String,
    pub kind: String,
}

/// The fields of a photo-search form: the file and, from a page, the CSRF token.
#[derive(Default)]
pub struct PhotoForm {
    pub csrf_token: String,
    pub file: Option<Vec<u8>>,
}

/// Reads a multipart photo-search form: one photo in `file` (within `max_bytes`) and,
/// from a page, the CSRF token.
pub async fn read_form(payload: Multipart, max_bytes: u64) -> Result<PhotoForm, AppError> {
    let files = [("file", max_bytes)];
    let limits = UploadLimits {
        files: &files,
        max_files: 2,
        max_text_bytes: uploads::SHORT_TEXT_BYTES,
    };
    let mut body = uploads::read(payload, &limits).await?;
    let mut photos = body.take_files("file");
    if photos.len() > 1 {
        return Err(AppError::bad_request(
            "too_many_files",
            "Search with one photo at a time.",
        ));
    }
    Ok(PhotoForm {
        csrf_token: body.text("csrf_token").to_string(),
        file: photos.pop().map(|photo| photo.bytes),
    })
}

/// Hashes the photo off the async threads; refuses one with too little detail to match.
pub async fn hash_photo(
    state: &AppState,
    file: Option<Vec<u8>>,
    with_thumb: bool,
) -> Result<SearchPhoto, AppError> {
    let bytes = file.ok_or_else(|| {
        AppError::bad_request("missing_file", "Choose or take a photo to search with.")
    })?;
    let limits = state.image_limits();
    let photo = web::block(move || images::search_photo(&bytes, &limits, with_thumb))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??;
    if photo.query.is_empty() {
        return Err(AppError::bad_request(
            "photo_without_detail",
            "This photo has too little detail to search by (it is plain, dark or blurred). \
             Take it closer and in focus, with the product filling the frame.",
        ));
    }
    Ok(photo)
}

/// The product if `viewer` may see it (others' drafts, other right holders' products and
/// suspended right holders' products are `None`).
fn visible_product(
    conn: &mut DbConnection,
    viewer: &CurrentUser,
    id: i64,
) -> Result<Option<products::Product>, AppError> {
    let product = match products::load(conn, id) {
        Ok(product) => product,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(other) => return Err(other),
    };
    match products::visibility(conn, viewer, &product) {
        Ok(_) => Ok(Some(product)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The product images within distance 31 of the photo that `user` may see, best first.
pub async fn find(
    state: &AppState,
    user: &CurrentUser,
    photo: &SearchPhoto,
) -> Result<Vec<PhotoHit>, AppError> {
    let found: Vec<(i64, PhotoMatch)> = state.search.photo(&photo.query, photo::MAX_DISTANCE)?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let viewer = user.clone();
    db::run(&state.pool, move |conn| {
        let mut hits = Vec::new();
        let mut seen: HashMap<i64, Option<products::Product>> = HashMap::new();
        for (product_id, m) in found {
            if hits.len() >= MAX_MATCHES {
                break;
            }
            let product = match seen.entry(product_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(new) => new.insert(visible_product(conn, &viewer, product_id)?),
            };
            let Some(product) = product else {
                continue;
            };
            let image_id = i64::try_from(m.image_id).unwrap_or_default();
            // The index may lag a removal by a moment: only images still on the record.
            let Some(image) = product.images.iter().find(|i| i.id == image_id) else {
                continue;
            };
            hits.push(PhotoHit {
                view: PhotoMatchView {
                    product_id,
                    image_id,
                    distance: m.distance,
                    variant: m.variant_name().to_string(),
                },
                brand: product.brand.clone(),
                name: product.row.name.clone(),
                right_holder: product.org.name.clone(),
                kind: image.kind.clone(),
            });
        }
        Ok(hits)
    })
    .await
}

/// Finds product images that look like a photo (PDQ with its rotations and flips, over
/// the trimmed photo and centre crops, within distance 31), among the products the
/// caller may see. The photo is not stored.
#[utoipa::path(tag = "search", security(("bearer" = [])),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = PhotoSearchResponse),
        (status = 400, body = ErrorBody, description = "no photo, not an image, or too little detail"),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
#[post("/search/image")]
pub async fn search_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let payload = Multipart::new(req.headers(), body);
    let form = read_form(payload, state.image_limits().max_bytes).await?;
    let photo = hash_photo(&state, form.file, false).await?;
    let matches = find(&state, &user, &photo)
        .await?
        .into_iter()
        .map(|hit| hit.view)
        .collect();
    Ok(HttpResponse::Ok().json(PhotoSearchResponse { matches }))
}
