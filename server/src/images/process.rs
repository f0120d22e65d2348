//! Decode, orient, hash and re-encode one upload.

use std::fmt;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
use search_index::pdq::{self, DecodeOptions};
use search_index::photo;
use search_index::Hash256;

use super::{sniff, ImageError, ImageFormat, ImageLimits};

/// The display copy's long side is at most this many pixels (never upscaled).
pub const DISPLAY_MAX_SIDE: u32 = 1600;
/// The thumbnail's long side is at most this many pixels (never upscaled).
pub const THUMB_MAX_SIDE: u32 = 320;
const DISPLAY_QUALITY: u8 = 85;
const THUMB_QUALITY: u8 = 80;

/// What an upload becomes. The original bytes are not kept: only these re-encoded JPEGs,
/// which carry no metadata at all.
#[derive(Clone)]
pub struct ProcessedImage {
    /// The format the upload was in.
    pub format: ImageFormat,
    /// The full size of the uploaded image, after its EXIF orientation was applied (a
    /// portrait phone photo is taller than wide here even if stored sideways).
    pub width: u32,
    pub height: u32,
    /// Long side at most [`DISPLAY_MAX_SIDE`], JPEG quality 85, no metadata.
    pub display_jpeg: Vec<u8>,
    /// Long side at most [`THUMB_MAX_SIDE`], JPEG quality 80, no metadata.
    pub thumb_jpeg: Vec<u8>,
    /// The PDQ hash of the oriented full-size image (`dihedral[0]`).
    pub pdq: Hash256,
    /// PDQ quality, 0..=100; below [`super::MIN_MATCH_QUALITY`] do not match on it.
    pub pdq_quality: u8,
    /// The hashes of the eight rotations and flips, in the order of
    /// `search_index::pdq::VARIANT_NAMES`; the first is `pdq`.
    pub dihedral: [Hash256; 8],
    /// Region hashes for search by photo (trimmed frame, centre and corner crops), as
    /// stored: see `search_index::photo::encode`.
    pub region_pdq: String,
}

impl fmt::Debug for ProcessedImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessedImage")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("display_jpeg_bytes", &self.display_jpeg.len())
            .field("thumb_jpeg_bytes", &self.thumb_jpeg.len())
            .field("pdq", &self.pdq.to_hex())
            .field("pdq_quality", &self.pdq_quality)
            .finish_non_exhaustive()
    }
}

/// Turns an upload into a display copy, a thumbnail and its PDQ hashes, after the
/// checks of [`decode`]. CPU-heavy: call it inside `web::block`.
pub fn process(bytes: &[u8], limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    let (format, img) = decode(bytes, limits)?;
    let (width, height) = img.dimensions();
    let hashes = pdq::dihedral_image(&img);
    let region_pdq = photo::encode(&photo::index_hashes(&img));

    let rgb = flatten_on_white(img);
    let display = shrink_to(&rgb, DISPLAY_MAX_SIDE);
    let thumb = shrink_to(display.as_ref().unwrap_or(&rgb), THUMB_MAX_SIDE);
    let display_jpeg = encode_jpeg(display.as_ref().unwrap_or(&rgb), DISPLAY_QUALITY)?;
    let thumb_jpeg = encode_jpeg(
        thumb.as_ref().or(display.as_ref()).unwrap_or(&rgb),
        THUMB_QUALITY,
    )?;
    Ok(ProcessedImage {
        format,
        width,
        height,
        display_jpeg,
        thumb_jpeg,
        pdq: hashes.hashes[0],
        pdq_quality: hashes.quality,
        dihedral: hashes.hashes,
        region_pdq,
    })
}

/// A photo to search with: its query hashes and, when asked for, a small metadata-free
/// JPEG of it to show back (nothing of it is stored).
pub struct SearchPhoto {
    pub query: photo::PhotoQuery,
    pub thumb_jpeg: Option<Vec<u8>>,
}

/// Checks and decodes a search photo exactly as [`process`] does an upload, then hashes
/// its regions (`search_index::photo`). CPU-heavy: call it inside `web::block`.
pub fn search_photo(
    bytes: &[u8],
    limits: &ImageLimits,
    with_thumb: bool,
) -> Result<SearchPhoto, ImageError> {
    let (_, img) = decode(bytes, limits)?;
    let query = photo::PhotoQuery::of_image(&img);
    let thumb_jpeg = if with_thumb {
        let small = img.thumbnail(THUMB_MAX_SIDE, THUMB_MAX_SIDE);
        Some(encode_jpeg(&flatten_on_white(small), THUMB_QUALITY)?)
    } else {
        None
    };
    Ok(SearchPhoto { query, thumb_jpeg })
}

/// Checks an upload and decodes it, upright by its EXIF orientation: the format it was
/// in and its pixels. Nothing is stored: an upload that is only looked at (a barcode to
/// read) stops here.
///
/// In order, each step before any pixel is decoded: empty file, byte size, format from the
/// magic number, then the width and height from the header against `limits.max_pixels`.
/// The decode itself runs with a memory limit (so a header that lies cannot make it
/// allocate more) and a decoder panic on hostile data becomes [`ImageError::Corrupt`].
/// CPU-heavy: call it inside `web::block`.
pub fn decode(
    bytes: &[u8],
    limits: &ImageLimits,
) -> Result<(ImageFormat, DynamicImage), ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    let len = bytes.len() as u64;
    if len > limits.max_bytes {
        return Err(ImageError::TooLarge {
            bytes: len,
            max_bytes: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    // `decode_image` checks the header's dimensions before decoding, sets `image::Limits`,
    // applies the EXIF orientation and rejects truncated JPEGs (which decoders would
    // otherwise fill with grey).
    let options = DecodeOptions {
        apply_exif_orientation: true,
        max_pixels: limits.max_pixels,
        max_bytes: limits.max_bytes,
        fast_jpeg: false,
    };
    let img = pdq::decode_image(bytes, &options).map_err(|e| ImageError::from_decode(e, format))?;
    Ok((format, img))
}

/// 8-bit RGB, with any transparency composited onto white (transparent product cut-outs
/// would otherwise turn black in a JPEG).
fn flatten_on_white(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(p[3]);
        let mix = |c: u8| {
            let v = (u16::from(c) * a + 255 * (255 - a) + 127) / 255;
            u8::try_from(v).unwrap_or(u8::MAX)
        };
        *o = Rgb([mix(p[0]), mix(p[1]), mix(p[2])]);
    }
    out
}

/// The size that fits `(w, h)` within `max_side` on its long side, keeping the aspect
/// ratio; `None` when it already fits (no upscaling).
pub(super) fn fit_within(w: u32, h: u32, max_side: u32) -> Option<(u32, u32)> {
    let long = w.max(h);
    if long <= max_side || max_side == 0 {
        return None;
    }
    let scale = |side: u32| {
        let scaled =
            (u64::from(side) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_side).clamp(1, max_side)
    };
    Some(if w >= h {
        (max_side, scale(h))
    } else {
        (scale(w), max_side)
    })
}

/// A copy shrunk to fit `max_side`, or `None` when the image already fits.
fn shrink_to(img: &RgbImage, max_side: u32) -> Option<RgbImage> {
    let (w, h) = fit_within(img.width(), img.height(), max_side)?;
    Some(imageops::resize(img, w, h, FilterType::Lanczos3))
}

/// Baseline JPEG from pixels alone: the encoder writes a JFIF header and nothing else (no
/// EXIF, ICC or comment segments).
fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| ImageError::Io(std::io::Error::other(format!("JPEG encoding: {e}"))))?;
    Ok(out)
}
