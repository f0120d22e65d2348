//! The fast JPEG path for hashing: libjpeg-turbo's decoder (as the `mozjpeg` crate builds
//! it, plain C) with its DCT-domain scaling, straight to 8-bit grey, hashed while it
//! decodes.
//!
//! Asking libjpeg for grey output from a YCbCr JPEG returns the Y channel as stored: the
//! chroma components are entropy-decoded (the format requires it) but never transformed,
//! upsampled or converted. Y is ITU-R BT.601 luma, the same weights as PDQ's
//! `0.299 R + 0.587 G + 0.114 B`, but rounded to 8 bits before PDQ sees it rather than
//! computed in `f32` from decoded RGB, so the hash is not bit-identical to the full
//! decode; the tests bound the difference (`fast_jpeg_stays_close_to_full_decode` and the
//! quality >= 80 rule on the reference's JPEGs).
//!
//! The blur consumes rows in order, so when no EXIF rotation has to be applied the rows go
//! from the decoder (this thread) to the hash (a scoped thread) in bands as they are
//! decoded: on two cores the hash costs almost nothing on top of the decode.
//!
//! libjpeg reports fatal errors by unwinding (the `mozjpeg` crate's error manager); the
//! caller runs all of this under `catch_unwind`.

use std::sync::mpsc::{sync_channel, Receiver};

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage};
use mozjpeg::decompress::DecompressStarted;
use mozjpeg::{ColorSpace, Decompress, Marker};

use super::decode::{check_pixels, jpeg_scale};
use super::error::PdqError;
use super::{luma, DecodeOptions, PdqDihedral};

/// The EXIF payload of an APP1 segment starts with this identifier.
const EXIF_ID: &[u8] = b"Exif\0\0";

/// Rows per band handed from the decoder to the hash.
const BAND_ROWS: usize = 16;
/// Bands in flight between them.
const BANDS_IN_FLIGHT: usize = 8;

/// What the fast path produced.
pub(super) enum Scaled {
    /// Hashed while decoding.
    Hashed(Box<PdqDihedral>),
    /// Decoded (and turned as EXIF says) but not hashed.
    Image(DynamicImage),
}

fn decode_error(e: &std::io::Error) -> PdqError {
    PdqError::Decode(format!("libjpeg: {e}"))
}

/// A decoder started at the right scale, with grey output.
struct Started<'a> {
    dec: DecompressStarted<&'a [u8]>,
    width: usize,
    height: usize,
    orientation: Option<Orientation>,
}

/// Reads the header, checks the limits and starts a grey decode at the smallest DCT scale
/// (1/2, 1/4 or 1/8) that keeps the sides at least `min_short` and `min_long`. `Ok(None)`
/// means "use the full decode": the image is too small to scale, or its colour space is
/// not YCbCr or grey.
fn start<'a>(
    bytes: &'a [u8],
    opts: &DecodeOptions,
    min_short: u32,
    min_long: u32,
) -> Result<Option<Started<'a>>, PdqError> {
    let markers: &[Marker] = if opts.apply_exif_orientation {
        &[Marker::APP(1)]
    } else {
        &[]
    };
    let mut dec = Decompress::with_markers(markers)
        .from_mem(bytes)
        .map_err(|e| decode_error(&e))?;
    let (width, height) = (dec.width(), dec.height());
    // Only the header has been read: nothing image-sized is allocated yet.
    check_pixels(width as u64, height as u64, opts)?;
    if !matches!(
        dec.color_space(),
        ColorSpace::JCS_YCbCr | ColorSpace::JCS_GRAYSCALE
    ) {
        return Ok(None);
    }
    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
        return Ok(None);
    };
    let denominator = jpeg_scale(w, h, min_short, min_long);
    if denominator == 1 {
        return Ok(None);
    }
    // 8 / denominator is 4, 2 or 1: a scale of 1/2, 1/4 or 1/8.
    dec.scale((8 / denominator) as u8);
    let orientation = dec
        .markers()
        .filter(|m| matches!(m.marker, Marker::APP(1)))
        .find_map(|m| m.data.strip_prefix(EXIF_ID))
        .and_then(Orientation::from_exif_chunk)
        .filter(|o| *o != Orientation::NoTransforms);
    let dec = dec.grayscale().map_err(|e| decode_error(&e))?;
    let (width, height) = (dec.width(), dec.height());
    Ok(Some(Started {
        dec,
        width,
        height,
        orientation,
    }))
}

/// Decodes a YCbCr or grey JPEG at reduced scale as 8-bit grey, turned as its EXIF
/// orientation says when `opts.apply_exif_orientation` is set. `Ok(None)` as for [`start`].
/// For the tests: hashing goes through [`hash_scaled`].
#[cfg(test)]
pub(super) fn decode_grey_scaled(
    bytes: &[u8],
    opts: &DecodeOptions,
    min_short: u32,
    min_long: u32,
) -> Result<Option<DynamicImage>, PdqError> {
    super::decode::guarded(|| match start(bytes, opts, min_short, min_long)? {
        Some(s) => decode_started(s).map(Some),
        None => Ok(None),
    })
}

fn decode_started(s: Started<'_>) -> Result<DynamicImage, PdqError> {
    let Started {
        mut dec,
        width,
        height,
        orientation,
    } = s;
    let pixels: Vec<u8> = dec.read_scanlines().map_err(|e| decode_error(&e))?;
    dec.finish().map_err(|e| decode_error(&e))?;
    let short = || PdqError::Decode("libjpeg returned too few pixels".to_string());
    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(short());
    };
    let mut img = DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, pixels).ok_or_else(short)?);
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// The fast path of [`super::hash_bytes`] for JPEGs: hashes while decoding when the image
/// needs no EXIF turn, else returns the turned image. `Ok(None)` as for [`start`].
pub(super) fn hash_scaled(
    bytes: &[u8],
    opts: &DecodeOptions,
    min_short: u32,
    min_long: u32,
) -> Result<Option<Scaled>, PdqError> {
    let Some(s) = start(bytes, opts, min_short, min_long)? else {
        return Ok(None);
    };
    if s.orientation.is_some() {
        return decode_started(s).map(|img| Some(Scaled::Image(img)));
    }
    stream_hash(s).map(|d| Some(Scaled::Hashed(Box::new(d))))
}

/// Decodes on this thread and hashes on a scoped one, band by band. libjpeg's state
/// stays on this thread (it is not `Send`); the hash thread only sees bytes.
fn stream_hash(s: Started<'_>) -> Result<PdqDihedral, PdqError> {
    let Started {
        mut dec,
        width,
        height,
        ..
    } = s;
    let failed = || PdqError::Decode("libjpeg stopped before the last row".to_string());
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Vec<u8>>(BANDS_IN_FLIGHT);
        let hasher = scope.spawn(move || hash_rows(width, height, &rx));
        let mut y = 0;
        while y < height {
            let mut band = vec![0u8; BAND_ROWS.min(height - y) * width];
            // On a libjpeg error this unwinds: `tx` is dropped, the hash thread sees the
            // channel close and ends, and the caller's `catch_unwind` takes the panic.
            dec.read_scanlines_into(&mut band)
                .map_err(|e| decode_error(&e))?;
            y += band.len() / width;
            if tx.send(band).is_err() {
                break;
            }
        }
        drop(tx);
        let hashed = hasher.join().map_err(|_| failed())?;
        dec.finish().map_err(|e| decode_error(&e))?;
        hashed.ok_or_else(failed)
    })
}

/// Hashes grey rows arriving in bands; `None` if the bands stop before the last row.
fn hash_rows(width: usize, height: usize, rx: &Receiver<Vec<u8>>) -> Option<PdqDihedral> {
    let mut band = Vec::new();
    let mut band_start = 0usize;
    let mut complete = true;
    let hash = super::dihedral_from_rows(width, height, |y, out| {
        while complete && y >= band_start + band.len() / width {
            band_start += band.len() / width;
            match rx.recv() {
                Ok(b) => band = b,
                Err(_) => complete = false,
            }
        }
        if complete {
            let at = (y - band_start) * width;
            luma::luma_row_grey(&band[at..at + width], 1, out);
        } else {
            out.fill(0.0);
        }
    });
    complete.then_some(hash)
}
