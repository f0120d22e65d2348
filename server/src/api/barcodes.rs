//! Reading the barcodes in a photo. The photo is checked like every upload and dropped
//! once read: it is never stored.

use actix_multipart::Multipart;
use actix_web::{post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::products::read_upload;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::services::barcodes::{self, DecodedCode};

#[derive(Serialize, ToSchema)]
pub struct DecodeResponse {
    /// The codes found, in the order found; empty when the photo shows none.
    pub codes: Vec<DecodedCode>,
}

/// Multipart body of a barcode photo (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BarcodePhoto {
    /// JPEG, PNG, WebP, GIF, TIFF or BMP; at most 20 MB and 50 megapixels by default.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Reads the EAN-13, EAN-8, UPC-A, UPC-E, DataMatrix and QR codes in a photo, with the
/// GTIN (14 digits), lot, serial and expiry that each carries. Any signed-in account may
/// use it: it reads no stored data.
#[utoipa::path(tag = "search", security(("bearer" = [])),
    request_body(content = BarcodePhoto, content_type = "multipart/form-data"),
    responses((status = 200, body = DecodeResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
#[post("/barcodes/decode")]
pub async fn decode(
    state: web::Data<AppState>,
    _user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let limits = state.image_limits();
    let form = read_upload(payload, limits.max_bytes).await?;
    let codes = barcodes::read_upload(form.file, limits).await?;
    Ok(HttpResponse::Ok().json(DecodeResponse { codes }))
}
