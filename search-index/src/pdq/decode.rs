//! The limited, orientation-aware decode used for hashing and by the upload pipeline.
//!
//! Limits are checked against the header before any pixel buffer exists, so a small file
//! claiming enormous dimensions (a decompression bomb) costs nothing. For hashing, large
//! JPEGs can be decoded directly at 1/2, 1/4 or 1/8 scale in the DCT domain
//! ([`super::libjpeg`]), which is most of the speed of hashing a photo.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::error::PdqError;
use super::{libjpeg, PdqDihedral};

/// How to decode an image before hashing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Rotate or flip as the EXIF Orientation tag says, so that the hash is of the image
    /// as a person sees it.
    pub apply_exif_orientation: bool,
    /// Largest width x height accepted, checked against the header before decoding.
    pub max_pixels: u64,
    /// Largest encoded size accepted.
    pub max_bytes: u64,
    /// Decode large JPEGs at a reduced scale (DCT-domain scaling). The hash stays within a
    /// few bits of the full-resolution one and is many times faster.
    pub fast_jpeg: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            apply_exif_orientation: true,
            max_pixels: 50_000_000,
            max_bytes: 20 * 1024 * 1024,
            fast_jpeg: true,
        }
    }
}

/// With `fast_jpeg`, a JPEG is decoded at the smallest DCT scale (1/2, 1/4 or 1/8) at
/// which its short side stays at least `FAST_JPEG_MIN_SHORT_SIDE` and its long side at
/// least `FAST_JPEG_MIN_LONG_SIDE` pixels: a 12-megapixel photo is decoded at 1/2.
/// Measured on the 98 photos of `shared/data/photos` (worst distance to the full-decode
/// hash over all 8 variants, test `measure_fast_jpeg_min_side`): a short-side floor
/// alone of 512 or 768 gave up to 16 bits, 1024 at most 8, and 768 with the 1536
/// long-side floor at most 8 while also scaling photos such as 4032x1816.
pub const FAST_JPEG_MIN_SHORT_SIDE: u32 = 768;
/// See [`FAST_JPEG_MIN_SHORT_SIDE`].
pub const FAST_JPEG_MIN_LONG_SIDE: u32 = 1536;

/// The JPEG DCT scale denominator (1, 2, 4 or 8) for a `width x height` image.
pub(super) fn jpeg_scale(width: u32, height: u32, min_short: u32, min_long: u32) -> u32 {
    let (short, long) = (width.min(height), width.max(height));
    [8u32, 4, 2]
        .into_iter()
        .find(|&d| short.div_ceil(d) >= min_short && long.div_ceil(d) >= min_long)
        .unwrap_or(1)
}

/// Memory the decoder may allocate per allowed pixel (enough for 16-bit RGBA) plus slack.
fn max_alloc(opts: &DecodeOptions) -> u64 {
    opts.max_pixels.saturating_mul(8).saturating_add(64 << 20)
}

fn check_size(bytes: &[u8], opts: &DecodeOptions) -> Result<(), PdqError> {
    let len = bytes.len() as u64;
    if len > opts.max_bytes {
        return Err(PdqError::FileTooLarge {
            bytes: len,
            max_bytes: opts.max_bytes,
        });
    }
    Ok(())
}

pub(super) fn check_pixels(width: u64, height: u64, opts: &DecodeOptions) -> Result<(), PdqError> {
    if width.saturating_mul(height) > opts.max_pixels {
        return Err(PdqError::TooLarge {
            width,
            height,
            max_pixels: opts.max_pixels,
        });
    }
    Ok(())
}

/// Runs a decoder, turning a panic on hostile input into an error: image decoders are
/// large and a malformed upload must never take the server thread down.
pub(super) fn guarded<T>(f: impl FnOnce() -> Result<T, PdqError>) -> Result<T, PdqError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(PdqError::Decode(
            "the decoder failed on malformed data".to_string(),
        ))
    })
}

fn detect_format(bytes: &[u8]) -> Result<ImageFormat, PdqError> {
    image::guess_format(bytes).map_err(|_| {
        let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        PdqError::UnsupportedFormat(format!("unrecognised signature {}", head.join(" ")))
    })
}

/// Whether a JPEG has its end-of-image marker after the first scan. A truncated upload
/// must be an error, but the JPEG decoders fill missing data with grey and succeed.
/// Markers inside metadata segments (e.g. an EXIF thumbnail's) are skipped by walking the
/// segment lengths up to the first start-of-scan; entropy-coded data cannot contain
/// `FF D9` (0xFF bytes there are stuffed with a zero).
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2;
    while i + 1 < bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        match marker {
            0xFF => i += 1,
            // Searched from the end, where a complete file has it: scanning megabytes of
            // entropy-coded data from the front cost milliseconds per photo.
            0xDA => return bytes[i + 2..].windows(2).rev().any(|w| w == [0xFF, 0xD9]),
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let Some(len) = bytes.get(i + 2..i + 4) else {
                    return false;
                };
                i += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
            }
        }
    }
    false
}

fn check_complete(bytes: &[u8], format: ImageFormat) -> Result<(), PdqError> {
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PdqError::Decode(
            "truncated JPEG: no end-of-image marker after the image data".to_string(),
        ));
    }
    Ok(())
}

/// Decodes an image of any format the `image` crate reads, at full resolution, within the
/// limits of `opts`, and applies the EXIF orientation if asked.
pub fn decode_image(bytes: &[u8], opts: &DecodeOptions) -> Result<DynamicImage, PdqError> {
    check_size(bytes, opts)?;
    let format = detect_format(bytes)?;
    check_complete(bytes, format)?;
    guarded(|| decode_full(bytes, format, opts))
}

fn decode_full(
    bytes: &[u8],
    format: ImageFormat,
    opts: &DecodeOptions,
) -> Result<DynamicImage, PdqError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_alloc(opts));
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let (width, height) = decoder.dimensions();
    check_pixels(u64::from(width), u64::from(height), opts)?;
    // A broken or missing EXIF block is not a reason to reject the image.
    let orientation = if opts.apply_exif_orientation {
        decoder.orientation().unwrap_or(Orientation::NoTransforms)
    } else {
        Orientation::NoTransforms
    };
    let mut img = DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// What [`decode_for_hash`] gives: an image to hash, or the hashes themselves when the
/// fast JPEG path computed them while decoding.
pub(super) enum ForHash {
    Image(DynamicImage),
    Hashed(Box<PdqDihedral>),
}

/// Decodes for hashing: like [`decode_image`], but with `opts.fast_jpeg` a large YCbCr or
/// grey JPEG goes through libjpeg at 1/2, 1/4 or 1/8 scale as grey (see
/// [`super::libjpeg`]), and is usually hashed on the way.
pub(super) fn decode_for_hash(bytes: &[u8], opts: &DecodeOptions) -> Result<ForHash, PdqError> {
    check_size(bytes, opts)?;
    let format = detect_format(bytes)?;
    check_complete(bytes, format)?;
    if format == ImageFormat::Jpeg && opts.fast_jpeg {
        let fast = guarded(|| {
            libjpeg::hash_scaled(
                bytes,
                opts,
                FAST_JPEG_MIN_SHORT_SIDE,
                FAST_JPEG_MIN_LONG_SIDE,
            )
        });
        match fast {
            Ok(Some(libjpeg::Scaled::Hashed(d))) => return Ok(ForHash::Hashed(d)),
            Ok(Some(libjpeg::Scaled::Image(img))) => return Ok(ForHash::Image(img)),
            Err(e @ PdqError::TooLarge { .. }) => return Err(e),
            // Not scalable (small, CMYK) or refused by libjpeg (12-bit, arithmetic coding,
            // damage): the full decode decides, exactly as without `fast_jpeg`.
            Ok(None) | Err(_) => {}
        }
    }
    guarded(|| decode_full(bytes, format, opts)).map(ForHash::Image)
}
