//! The upload pipeline for product photos: recognise the format from the bytes, refuse
//! what is too big before decoding it, decode with memory limits, apply the EXIF
//! orientation, hash it with PDQ, and re-encode a display copy and a thumbnail as plain
//! JPEG, then keep those content-addressed on disk.
//!
//! Nothing of the uploaded file survives but its pixels: the outputs are encoded from
//! decoded pixels, so EXIF (GPS position, camera serial numbers), XMP, ICC profiles and
//! comments are all dropped. Only the re-encoded JPEGs are ever stored or served.
//!
//! [`process`] is CPU-heavy (a 12 MP photo takes a fraction of a second): call it inside
//! `web::block`. [`sniff`] is cheap and may run on the request thread to refuse an
//! unsupported file early.

mod process;
mod sniff;
mod store;
#[cfg(test)]
mod tests;

use search_index::pdq::PdqError;

use crate::error::AppError;

pub use process::{
    decode, process, search_photo, ProcessedImage, SearchPhoto, DISPLAY_MAX_SIDE, THUMB_MAX_SIDE,
};
pub use sniff::sniff;
pub use store::{is_valid_sha, ImageStore, Sweep, WriterLock};

/// Hashes with a PDQ quality below this are kept but not used to match: flat or
/// featureless images (a white box, a blurred shot) hash to near-random bits. The
/// reference implementation suggests the same threshold.
pub const MIN_MATCH_QUALITY: u8 = 50;

/// The largest upload accepted, checked before any decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest encoded file, in bytes.
    pub max_bytes: u64,
    /// Largest width x height, read from the file's header before decoding.
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    /// 20 MB (MiB) and 50 megapixels: above any phone camera of today, far below what
    /// would hurt the server.
    fn default() -> Self {
        ImageLimits {
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 50_000_000,
        }
    }
}

/// The formats we accept, recognised by their magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Png,
    WebP,
    Gif,
    Tiff,
    Bmp,
}

impl ImageFormat {
    /// A stable lowercase name, fit for storing: `jpeg`, `png`, `webp`, `gif`, `tiff`, `bmp`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::WebP => "webp",
            ImageFormat::Gif => "gif",
            ImageFormat::Tiff => "tiff",
            ImageFormat::Bmp => "bmp",
        }
    }

    /// The name people know it by, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
            ImageFormat::WebP => "WebP",
            ImageFormat::Gif => "GIF",
            ImageFormat::Tiff => "TIFF",
            ImageFormat::Bmp => "BMP",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::WebP => "image/webp",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Tiff => "image/tiff",
            ImageFormat::Bmp => "image/bmp",
        }
    }
}

const ACCEPTED: &str = "JPEG, PNG, WebP, GIF, TIFF or BMP";

/// Why an upload was refused, or the store failed.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the file is empty; choose a photo and upload it again")]
    Empty,
    #[error(
        "the file is {} and the limit is {}; upload a smaller photo",
        megabytes(*bytes),
        megabytes(*max_bytes)
    )]
    TooLarge { bytes: u64, max_bytes: u64 },
    #[error(
        "the image is {width}x{height} pixels ({}) and the limit is {}; upload a smaller photo",
        megapixels(width.saturating_mul(*height)),
        megapixels(*max_pixels)
    )]
    TooManyPixels {
        width: u64,
        height: u64,
        max_pixels: u64,
    },
    /// Not a format we accept; `detected` names it when we recognised it (`"HEIC/HEIF"`,
    /// `"AVIF"`, `"PDF"`, `"SVG"`...).
    #[error("{}", unsupported_message(*detected))]
    Unsupported { detected: Option<&'static str> },
    /// An accepted format using a feature our decoder lacks (a 12-bit JPEG, an unusual
    /// TIFF compression).
    #[error("this {format} file uses a feature we cannot read ({detail}); save it as a standard JPEG or PNG and upload it again")]
    UnsupportedFeature {
        format: &'static str,
        detail: String,
    },
    #[error("the image could not be read: it is damaged or incomplete ({0}); upload the original photo again")]
    Corrupt(String),
    /// Not a valid image id (64 lowercase hex digits); never reaches the file system.
    #[error("not a valid image id")]
    InvalidSha,
    #[error("image storage: {0}")]
    Io(#[from] std::io::Error),
}

fn unsupported_message(detected: Option<&'static str>) -> String {
    match detected {
        Some(sniff::HEIF) => format!(
            "HEIC/HEIF photos (the iPhone default) cannot be used here: export it as JPEG \
             (or set the camera to \"Most Compatible\") and upload it again; we accept {ACCEPTED}"
        ),
        Some(name) => {
            format!("{name} files cannot be used here: upload a photo in {ACCEPTED} format")
        }
        None => {
            format!("this file is not an image we recognise: upload a photo in {ACCEPTED} format")
        }
    }
}

/// "20 MB", "20.5 MB" (binary megabytes, as the default limit).
fn megabytes(bytes: u64) -> String {
    one_decimal(bytes as f64 / (1024.0 * 1024.0), "MB")
}

/// "50 MP", "0.3 MP".
fn megapixels(pixels: u64) -> String {
    one_decimal(pixels as f64 / 1_000_000.0, "MP")
}

fn one_decimal(value: f64, unit: &str) -> String {
    let tenths = (value * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{} {unit}", tenths / 10.0)
    } else {
        format!("{:.1} {unit}", tenths / 10.0)
    }
}

impl ImageError {
    /// The error of a decode that `search_index` refused, for an upload whose format
    /// [`sniff`] recognised as `format`.
    fn from_decode(e: PdqError, format: ImageFormat) -> ImageError {
        match e {
            PdqError::FileTooLarge { bytes, max_bytes } => {
                ImageError::TooLarge { bytes, max_bytes }
            }
            PdqError::TooLarge {
                width,
                height,
                max_pixels,
            } => ImageError::TooManyPixels {
                width,
                height,
                max_pixels,
            },
            PdqError::UnsupportedFormat(detail) => ImageError::UnsupportedFeature {
                format: format.display_name(),
                detail,
            },
            // The header passed the pixel limit, so a decoder asking for more memory
            // means the file lies about itself.
            PdqError::MemoryLimit(detail) => ImageError::Corrupt(format!(
                "it needs more memory than its size allows: {detail}"
            )),
            PdqError::Decode(detail) => ImageError::Corrupt(detail),
            PdqError::BufferSize { .. } => ImageError::Corrupt(e.to_string()),
            PdqError::Io(io) => ImageError::Io(io),
        }
    }
}

impl From<ImageError> for AppError {
    fn from(e: ImageError) -> AppError {
        let message = e.to_string();
        match e {
            ImageError::Empty => AppError::bad_request("empty_image", message),
            ImageError::Unsupported { .. } | ImageError::UnsupportedFeature { .. } => {
                AppError::bad_request("unsupported_image", message)
            }
            ImageError::Corrupt(_) => AppError::bad_request("corrupt_image", message),
            ImageError::TooLarge { .. } | ImageError::TooManyPixels { .. } => {
                AppError::TooLarge(message)
            }
            // A malformed id cannot name a stored image.
            ImageError::InvalidSha => AppError::not_found("the image"),
            ImageError::Io(_) => AppError::internal(message),
        }
    }
}
