//! Reading the barcodes in a photo (see the `barcode` crate) and what each says in GS1
//! terms: the GTIN in its 14-digit form, and any lot, serial number and expiry date.
//!
//! The photo is only looked at: it goes through the upload checks of `images::decode`
//! (size, format, pixel count, memory limit) and is dropped once read, never stored.

use actix_web::web;
use barcode::{Code, Symbology};
use search_index::gs1::{self, Gs1Data};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::images::{self, ImageError, ImageLimits};

/// One code found in a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DecodedCode {
    /// `EAN-13`, `EAN-8`, `UPC-A`, `UPC-E`, `DataMatrix` or `QR`.
    #[schema(example = "EAN-13")]
    pub symbology: String,
    /// The text the symbol holds; a GS1 element string keeps its GS (U+001D) separators.
    #[schema(example = "4006381333931")]
    pub text: String,
    /// The GTIN it carries, in its 14-digit form.
    #[schema(example = "04006381333931")]
    pub gtin: Option<String>,
    /// Batch or lot number, AI (10).
    pub lot: Option<String>,
    /// Serial number, AI (21).
    pub serial: Option<String>,
    /// Expiry date, AI (17), as YYYY-MM-DD (a day of 00 is the month's last day).
    #[schema(example = "2014-11-20")]
    pub expiry: Option<String>,
}

impl DecodedCode {
    pub fn of(code: &Code) -> DecodedCode {
        let data = gs1_data(code).unwrap_or_default();
        DecodedCode {
            symbology: code.symbology.name().to_string(),
            text: code.text.clone(),
            gtin: data.gtin.map(|g| g.as_str().to_string()),
            lot: data.lot,
            serial: data.serial,
            expiry: data.expiry.map(|d| d.to_string()),
        }
    }

    /// The text for a page: control characters (GS) shown escaped, as `\u{1d}`.
    pub fn printable_text(&self) -> String {
        barcode::printable(&self.text)
    }
}

/// What the code says in GS1 terms, if anything: a retail code is a GTIN; a 2D code may
/// hold a GS1 element string, a GS1 Digital Link URL or a bare GTIN, or other text.
fn gs1_data(code: &Code) -> Option<Gs1Data> {
    let gtin = match code.symbology {
        Symbology::Ean13 | Symbology::Ean8 | Symbology::UpcA => gs1::Gtin::parse(&code.text),
        Symbology::UpcE => gs1::expand_upce(&code.text),
        Symbology::DataMatrix | Symbology::Qr if code.gs1 => {
            return gs1::parse_element_string(&code.text).ok();
        }
        Symbology::DataMatrix | Symbology::Qr => return gs1::recognise_code(&code.text),
    };
    gtin.ok().map(|gtin| Gs1Data {
        gtin: Some(gtin),
        ..Gs1Data::default()
    })
}

/// Checks and decodes an uploaded photo, then reads its codes (none is not an error).
/// CPU-heavy: call it off the async threads, as [`read_upload`] does.
pub fn read(bytes: &[u8], limits: &ImageLimits) -> Result<Vec<DecodedCode>, ImageError> {
    let (_, img) = images::decode(bytes, limits)?;
    Ok(barcode::decode(&img).iter().map(DecodedCode::of).collect())
}

/// [`read`] on a blocking thread; a refused upload is the user's mistake (400 or 413).
pub async fn read_upload(
    bytes: Vec<u8>,
    limits: ImageLimits,
) -> Result<Vec<DecodedCode>, AppError> {
    web::block(move || read(&bytes, &limits))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
        .map_err(AppError::from)
}
