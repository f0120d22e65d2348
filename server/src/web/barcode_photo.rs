//! The look-up page's fallback where the browser cannot scan: the officer takes or
//! uploads a photo of the barcode, the server reads it, and the page shows the codes
//! found (GTIN, lot, serial, expiry) and the search results for the GTIN. The photo is
//! read and dropped, never stored.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};

use super::lookup::{search_page, SearchParams};
use crate::app::AppState;
use crate::auth::{csrf, CurrentUser};
use crate::error::AppError;
use crate::services::barcodes::{self, DecodedCode};
use crate::uploads::{self, UploadLimits};

/// A barcode photo read, as the search page shows it.
pub struct ScanView {
    pub codes: Vec<DecodedCode>,
    /// Why the photo could not be read (not an image, too large, damaged).
    pub error: Option<String>,
}

impl ScanView {
    /// At least one code was read but none carries a GTIN to search for.
    pub fn no_gtin(&self) -> bool {
        !self.codes.is_empty() && self.codes.iter().all(|c| c.gtin.is_none())
    }
}

#[derive(Default)]
struct PhotoForm {
    csrf_token: String,
    /// The first non-empty file: the form offers the camera and a file picker.
    file: Vec<u8>,
}

/// Reads the form; the camera and the file picker both send `file`: the first photo
/// given is read, each within `max_bytes`.
async fn read_form(payload: Multipart, max_bytes: u64) -> Result<PhotoForm, AppError> {
    let files = [("file", max_bytes)];
    let limits = UploadLimits {
        files: &files,
        max_files: 2,
        max_text_bytes: uploads::SHORT_TEXT_BYTES,
    };
    let mut body = uploads::read(payload, &limits).await?;
    Ok(PhotoForm {
        csrf_token: body.text("csrf_token").to_string(),
        file: body
            .take_file("file")
            .map(|photo| photo.bytes)
            .unwrap_or_default(),
    })
}

/// `POST /search/barcode`: reads the photo, then shows the search page for the GTIN it
/// carries. A photo that cannot be used is explained on the same page (400 or 413).
pub async fn search_by_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let limits = state.image_limits();
    let form = read_form(payload, limits.max_bytes).await?;
    csrf::verify(&req, &user, &form.csrf_token)?;
    let read = if form.file.is_empty() {
        Err(AppError::bad_request(
            "missing_file",
            "Take or choose a photo of the barcode first.",
        ))
    } else {
        barcodes::read_upload(form.file, limits).await
    };
    let (scan, status) = match read {
        Ok(codes) => (ScanView { codes, error: None }, None),
        Err(e @ (AppError::BadRequest { .. } | AppError::TooLarge(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let error = Some(e.public_message());
            (
                ScanView {
                    codes: Vec::new(),
                    error,
                },
                Some(status),
            )
        }
        Err(e) => return Err(e),
    };
    let gtin = scan
        .codes
        .iter()
        .find_map(|c| c.gtin.clone())
        .unwrap_or_default();
    let mut response = search_page(
        &req,
        &state,
        &user,
        SearchParams::for_code(gtin),
        Some(scan),
    )
    .await?;
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    Ok(response)
}
