//! Touchstone's barcode reader: the retail codes (EAN-13, EAN-8, UPC-A, UPC-E) and the 2D
//! codes that carry GS1 data (DataMatrix, QR) in a photo, with `rxing` (the Rust port of
//! ZXing) doing the decoding.
//!
//! A phone photo is rarely the clean, square-on picture a decoder wants, so [`decode`]
//! tries several views of it, cheapest first, and stops at the first that yields a code:
//! the photo as it is, a 2x enlargement when the photo is small, then turns of 15 and 30
//! degrees either way. In each view the 2D codes are looked for with a local (hybrid) and
//! a global-histogram binariser (rxing's try-harder mode covers their 90, 180 and 270
//! degree turns), and the retail codes along the rows and then along the columns. Every
//! rxing call runs under `catch_unwind`: a decoder panic on odd input is a miss, never a
//! crash.
//!
//! A false decode sends an officer to the wrong product, so only the symbologies above
//! are read, and a retail code counts only with a valid check digit, white quiet zones on
//! both sides, and the same text read on several rows spread over the symbol (see
//! `read`); the 2D codes carry their own error correction. A photo holding several retail
//! codes gives the first confirmed one of each view.
//!
//! The cost is bounded whatever the photo: it is shrunk to [`MAX_SIDE`] first, at most
//! six views are scanned (the largest, a 2048 px square turned 30 degrees, is about 2,800
//! px square), each with two 2D passes and at most 511 rows and 511 columns, each row
//! thresholded twice and read both ways. On the shared 2-core development machine, under
//! load, 2000 x 1500 of black and white noise took 6.5 s and 2048 x 2048 of stripes 9 s,
//! both under 32 MB. Callers bound the photo itself (the server: file size and pixel
//! count before decoding).
//!
//! The work is CPU-bound (tens to hundreds of milliseconds per photo): call it off any
//! async executor.

pub mod blackbox;
mod read;
mod transform;

use std::borrow::Cow;
use std::fmt;

use image::{DynamicImage, GrayImage};

use read::Binariser;

/// The symbologies read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    UpcE,
    DataMatrix,
    Qr,
}

impl Symbology {
    /// The name people know it by: `EAN-13`, `EAN-8`, `UPC-A`, `UPC-E`, `DataMatrix`, `QR`.
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Ean13 => "EAN-13",
            Symbology::Ean8 => "EAN-8",
            Symbology::UpcA => "UPC-A",
            Symbology::UpcE => "UPC-E",
            Symbology::DataMatrix => "DataMatrix",
            Symbology::Qr => "QR",
        }
    }

    /// EAN/UPC: a GTIN and nothing else.
    pub fn is_retail(self) -> bool {
        matches!(
            self,
            Symbology::Ean13 | Symbology::Ean8 | Symbology::UpcA | Symbology::UpcE
        )
    }
}

impl fmt::Display for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One code found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Code {
    pub symbology: Symbology,
    /// The decoded text as the symbol holds it: the digits of a retail code (UPC-E as its
    /// 8 digits); for GS1 data, the element string with GS (0x1D) between variable-length
    /// fields and no leading FNC1.
    pub text: String,
    /// The symbol says it carries GS1 data (FNC1 in first position: symbology identifier
    /// `]d2` or `]Q3`). Retail codes are GS1 by nature and are not flagged.
    pub gs1: bool,
}

/// `text` fit for one line of output: control characters (the GS1 separator GS, line
/// breaks) escaped as Rust writes them, `\u{1d}`, `\n`.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Photos are scanned at most this large on their long side; a barcode that fills less
/// than a fraction of a bigger photo is still well above the decoders' needs, and the
/// time per pass grows with the pixel count.
pub const MAX_SIDE: u32 = 2048;
/// Photos whose short side is under this are also scanned at twice their size: the
/// decoders want a few pixels per module, which small crops lack.
pub const SMALL_SIDE: u32 = 400;
/// The turns tried, in degrees, after the upright views.
pub const ANGLES: [f32; 4] = [15.0, -15.0, 30.0, -30.0];

/// Every code found in `img`, in the order found, without duplicates; empty when there is
/// none. CPU-bound.
pub fn decode(img: &DynamicImage) -> Vec<Code> {
    decode_gray(&img.to_luma8())
}

/// [`decode`] for a greyscale image.
pub fn decode_gray(img: &GrayImage) -> Vec<Code> {
    if img.width() == 0 || img.height() == 0 {
        return Vec::new();
    }
    let base = transform::fit_within(img, MAX_SIDE);
    let upscaled =
        (base.width().min(base.height()) < SMALL_SIDE).then(|| transform::upscale2(&base));
    let turn_source: &GrayImage = upscaled.as_ref().unwrap_or(&base);
    let views = std::iter::once(Cow::Borrowed(base.as_ref()))
        .chain(upscaled.as_ref().map(Cow::Borrowed))
        .chain(
            ANGLES
                .iter()
                .map(|&degrees| Cow::Owned(transform::rotate(turn_source, degrees))),
        );
    for view in views {
        let found = scan_view(&view);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// The accepted codes in one view: the 2D codes with each binariser until one finds
/// something, and a retail code confirmed along the rows, or failing that the columns
/// (a code standing upright).
fn scan_view(view: &GrayImage) -> Vec<Code> {
    let mut found: Vec<Code> = Vec::new();
    for binariser in [Binariser::Hybrid, Binariser::GlobalHistogram] {
        for code in read::scan_matrix(view, binariser) {
            if !found.contains(&code) {
                found.push(code);
            }
        }
        if !found.is_empty() {
            break;
        }
    }
    let mut retail = read::scan_retail_rows(view);
    if retail.is_empty() {
        retail = read::scan_retail_rows(&image::imageops::rotate90(view));
    }
    for code in retail {
        if !found.contains(&code) {
            found.push(code);
        }
    }
    found
}

#[cfg(test)]
mod quality_tests;
#[cfg(test)]
mod tests;
