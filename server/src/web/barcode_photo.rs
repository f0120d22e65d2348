//! The look-up page's fallback where the browser cannot scan: the officer takes or
//! uploads a photo of the barcode, the server reads it, and the page shows the codes
//! found (GTIN, lot, serial, expiry) and the search results for the GTIN. The photo is
//! read and dropped, never stored.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::lookup::{search_page, SearchParams};
use crate::app::AppState;
use crate::auth::{csrf, CurrentUser};
use crate::error::AppError;
use crate::services::barcodes::{self, DecodedCode};

/// Text fields of the form are short.
const MAX_FIELD_BYTES: usize = 4096;

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

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        "invalid_upload",
        format!("The upload could not be read: {e}"),
    )
}

/// Reads the form, refusing a file over `max_bytes` before reading further.
async fn read_form(mut payload: Multipart, max_bytes: u64) -> Result<PhotoForm, AppError> {
    let mut form = PhotoForm::default();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        let limit = if name == "file" {
            usize::try_from(max_bytes).unwrap_or(usize::MAX)
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    AppError::TooLarge(format!(
                        "The photo is too large: photos may be at most {} MB.",
                        max_bytes / (1024 * 1024)
                    ))
                } else {
                    unreadable(format!("the field {name} is too long"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => form.csrf_token = String::from_utf8_lossy(&bytes).trim().to_string(),
            // An input left empty still sends an empty part.
            "file" if form.file.is_empty() => form.file = bytes,
            _ => {}
        }
    }
    Ok(form)
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
