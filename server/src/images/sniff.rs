//! Recognising a file's format from its first bytes. The file name and the declared
//! content type are never consulted: both are whatever the client says.

use super::{ImageError, ImageFormat};

/// The names of formats we recognise but refuse, as they appear in messages.
pub(super) const HEIF: &str = "HEIC/HEIF";
const AVIF: &str = "AVIF";
const PDF: &str = "PDF";
const SVG: &str = "SVG";
const JPEG_XL: &str = "JPEG XL";
const JPEG_2000: &str = "JPEG 2000";
const ICO: &str = "ICO";
const PSD: &str = "Photoshop (PSD)";

/// The accepted format of `bytes`, from its magic number; an error naming the format when
/// it is one we recognise but refuse.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if let Some(format) = accepted(bytes) {
        return Ok(format);
    }
    Err(ImageError::Unsupported {
        detected: refused(bytes),
    })
}

fn accepted(b: &[u8]) -> Option<ImageFormat> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        // Classic TIFF only: the decoder refuses BigTIFF's "II+\0" the same way.
        Some(ImageFormat::Tiff)
    } else if b.starts_with(b"BM") {
        Some(ImageFormat::Bmp)
    } else {
        None
    }
}

fn refused(b: &[u8]) -> Option<&'static str> {
    if let Some(name) = iso_bmff_image(b) {
        return Some(name);
    }
    if b.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if b.starts_with(&[0xFF, 0x0A]) || b.starts_with(b"\0\0\0\x0CJXL \r\n\x87\n") {
        return Some(JPEG_XL);
    }
    if b.starts_with(b"\0\0\0\x0CjP  \r\n\x87\n") || b.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        return Some(JPEG_2000);
    }
    if b.starts_with(b"8BPS") {
        return Some(PSD);
    }
    if b.starts_with(&[0, 0, 1, 0]) && b.len() >= 6 && b[4..6] != [0, 0] {
        return Some(ICO);
    }
    if looks_like_svg(b) {
        return Some(SVG);
    }
    None
}

/// HEIC/HEIF and AVIF share the ISO base media file format: a `ftyp` box at the start
/// whose major brand, or one of whose compatible brands, names the codec.
fn iso_bmff_image(b: &[u8]) -> Option<&'static str> {
    if b.len() < 12 || &b[4..8] != b"ftyp" {
        return None;
    }
    let box_len = usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok()?;
    let end = box_len.clamp(12, b.len().min(256));
    let major = &b[8..12];
    // After the major brand come a 4-byte minor version and then the compatible brands.
    let compatible = b.get(16..end).unwrap_or(&[]).chunks_exact(4);
    let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();
    let is_avif = |brand: &[u8]| matches!(brand, b"avif" | b"avis");
    let is_heif = |brand: &[u8]| {
        matches!(
            brand,
            b"heic"
                | b"heix"
                | b"hevc"
                | b"hevx"
                | b"heim"
                | b"heis"
                | b"hevm"
                | b"hevs"
                | b"mif1"
                | b"msf1"
        )
    };
    // AVIF files also list the generic HEIF brand `mif1`, so AVIF is checked first.
    if brands.iter().any(|b| is_avif(b)) {
        Some(AVIF)
    } else if brands.iter().any(|b| is_heif(b)) {
        Some(HEIF)
    } else {
        None
    }
}

/// SVG is XML text: an optional byte-order mark, white space, an XML declaration or
/// comments, then an `<svg` element somewhere in the first kilobyte.
fn looks_like_svg(b: &[u8]) -> bool {
    let head = &b[..b.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(start) = head.iter().position(|c| !c.is_ascii_whitespace()) else {
        return false;
    };
    if head[start] != b'<' {
        return false;
    }
    head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg"))
}
