//! The rxing passes over one view, and only results we trust kept.
//!
//! The 2D codes (DataMatrix, QR) go through rxing's multiple-code reader: their
//! Reed-Solomon error correction makes a single reading trustworthy.
//!
//! The retail codes do not. A 1D reader looks at one row of pixels at a time, and a row
//! of wood grain, text or print that happens to hold a start guard, digit-like bars and a
//! right check digit is a read; rxing takes the first row that reads, and its
//! multiple-code reader also reads inside crops of the photo. On ZXing's photos without
//! barcodes each such false read came from a single row, and misreads beside the right
//! code mostly from one to three neighbouring rows or from a short code read inside a
//! longer one. So we read the rows ourselves with rxing's row decoder and accept a code
//! only when it has [`QUIET_MODULES`] of white on both sides and [`MIN_ROWS`] rows at
//! least [`MIN_SPREAD`] pixels apart agree (zxing-cpp's `minLineCount` is the same idea).
//! Each row is thresholded twice, by rxing's per-row histogram and by the hybrid
//! binariser's local threshold, which reads more rows of soft or unevenly lit bars.

use std::borrow::Cow;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use rxing::common::BitArray;
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
use rxing::oned::{MultiFormatUPCEANReader, OneDReader};
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader,
    RXingResult, RXingResultMetadataType, RXingResultMetadataValue,
};
use search_index::gs1;

use crate::{Code, Symbology};

/// Rows that must read the same retail code before it is accepted.
pub const MIN_ROWS: usize = 3;
/// How far apart (in pixels of the view) the first and last agreeing rows must be.
pub const MIN_SPREAD: usize = 8;
/// White modules required beside the outer bars of a retail code. The standard asks for
/// 7 to 11; photos cropped close to the code have less.
pub const QUIET_MODULES: f32 = 5.0;

/// How grey becomes black and white for the 2D readers. (rxing's 1D readers always use
/// the global histogram per row, whatever the binariser.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binariser {
    /// A threshold per 8x8 block from its neighbourhood: copes with shadows and glare.
    Hybrid,
    /// One threshold from the histogram: copes with soft, low-contrast modules that the
    /// local threshold breaks up.
    GlobalHistogram,
}

fn hints(formats: &[BarcodeFormat]) -> DecodeHints {
    DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(formats.iter().copied().collect::<HashSet<_>>()),
        ..DecodeHints::default()
    }
}

const MATRIX_FORMATS: [BarcodeFormat; 2] = [BarcodeFormat::DATA_MATRIX, BarcodeFormat::QR_CODE];
const RETAIL_FORMATS: [BarcodeFormat; 4] = [
    BarcodeFormat::EAN_13,
    BarcodeFormat::EAN_8,
    BarcodeFormat::UPC_A,
    BarcodeFormat::UPC_E,
];

/// The DataMatrix and QR codes rxing finds in `view` with `binariser`. A panic inside
/// rxing is a miss.
pub fn scan_matrix(view: &GrayImage, binariser: Binariser) -> Vec<Code> {
    let results = guarded(view, |source| {
        let hints = hints(&MATRIX_FORMATS);
        let mut reader = GenericMultipleBarcodeReader::new(MultiFormatReader::default());
        match binariser {
            Binariser::Hybrid => reader.decode_multiple_with_hints(
                &mut BinaryBitmap::new(HybridBinarizer::new(source)),
                &hints,
            ),
            Binariser::GlobalHistogram => reader.decode_multiple_with_hints(
                &mut BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
                &hints,
            ),
        }
        .unwrap_or_default()
    });
    results.iter().filter_map(accept).collect()
}

/// The retail codes read along the rows of `view`, each confirmed by [`MIN_ROWS`] rows;
/// the scan stops at the first confirmed code. Rows are read from the middle outwards,
/// every row up to 256 rows and evenly spaced beyond (rxing's try-harder spacing), each
/// thresholded twice (rxing's per-row histogram, then the hybrid binariser's local
/// threshold) and read left to right, then right to left. A panic inside rxing is a miss
/// of that row.
pub fn scan_retail_rows(view: &GrayImage) -> Vec<Code> {
    guarded(view, |source| {
        let height = view.height() as usize;
        let binarizer = HybridBinarizer::new(source);
        let matrix = binarizer.get_black_matrix().ok();
        let hints = hints(&RETAIL_FORMATS);
        let mut reader = MultiFormatUPCEANReader::new(&hints);
        let mut tally = Tally::default();
        for y in rows_from_the_middle(height) {
            let histogram_row = binarizer.get_black_row(y).ok().map(Cow::into_owned);
            let local_row = matrix.map(|m| m.getRow(y as u32));
            let code = [histogram_row, local_row]
                .into_iter()
                .flatten()
                .find_map(|row| read_row(&mut reader, y, row, &hints));
            if let Some(code) = code {
                if tally.add(code.clone(), y) {
                    return vec![code];
                }
            }
        }
        Vec::new()
    })
}

/// The retail code on one thresholded row, read left to right and then right to left,
/// if it is valid and has its quiet zones.
fn read_row(
    reader: &mut MultiFormatUPCEANReader,
    y: usize,
    mut row: BitArray,
    hints: &DecodeHints,
) -> Option<Code> {
    for reversed in [false, true] {
        if reversed {
            row.reverse();
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            reader.decode_row(y as u32, &row, hints)
        }));
        if let Ok(Ok(result)) = result {
            let code =
                accept(&result).filter(|code| has_quiet_zones(&row, &result, code.symbology));
            if code.is_some() {
                return code;
            }
        }
    }
    None
}

/// Row numbers from the middle out, `step` apart: middle, middle + step, middle - step,
/// middle + 2 step, ... while either side is in the image.
pub(crate) fn rows_from_the_middle(height: usize) -> impl Iterator<Item = usize> {
    let step = (height >> 8).max(1);
    let middle = height / 2;
    (0..=2 * (height / step) + 1).filter_map(move |i| {
        let offset = step * i.div_ceil(2);
        let y = if i % 2 == 0 {
            middle.checked_sub(offset)
        } else {
            Some(middle + offset)
        };
        y.filter(|&y| y < height)
    })
}

/// The rows on which each code was read.
#[derive(Default)]
pub(crate) struct Tally {
    codes: Vec<(Code, Vec<usize>)>,
}

impl Tally {
    /// Records a reading of `code` on row `y`; true once the code is confirmed: read on
    /// [`MIN_ROWS`] rows at least [`MIN_SPREAD`] pixels apart.
    pub(crate) fn add(&mut self, code: Code, y: usize) -> bool {
        let rows = match self.codes.iter().position(|(c, _)| c == &code) {
            Some(index) => &mut self.codes[index].1,
            None => {
                self.codes.push((code, Vec::new()));
                let last = self.codes.len() - 1;
                &mut self.codes[last].1
            }
        };
        rows.push(y);
        let spread = match (rows.iter().min(), rows.iter().max()) {
            (Some(low), Some(high)) => high - low,
            _ => 0,
        };
        rows.len() >= MIN_ROWS && spread >= MIN_SPREAD
    }
}

/// Whether the row is white for [`QUIET_MODULES`] modules before the start guard and
/// after the end guard of a retail code (where the row runs off the image, as far as
/// it goes). rxing asks for only 3 modules before and the end guard's width after, which
/// a code read inside a longer code (an EAN-8 within a UPC-A) or inside text passes.
fn has_quiet_zones(row: &BitArray, result: &RXingResult, symbology: Symbology) -> bool {
    // Modules from the middle of the start guard to the middle of the end guard, and
    // from the middle of the end guard to its last bar.
    let (span, end_half) = match symbology {
        Symbology::Ean13 | Symbology::UpcA => (92.0, 1.5),
        Symbology::Ean8 => (64.0, 1.5),
        Symbology::UpcE => (46.5, 3.0),
        Symbology::DataMatrix | Symbology::Qr => return true,
    };
    let (Some(left), Some(right)) = (result.getPoints().first(), result.getPoints().get(1)) else {
        return false;
    };
    let module = (right.x - left.x) / span;
    if module.is_nan() || module <= 0.0 {
        return false;
    }
    let first_bar = left.x - 1.5 * module;
    let last_bar = right.x + end_half * module;
    // Half a module of slack beside the bars for the blur of their edges.
    let quiet = QUIET_MODULES * module;
    white(row, first_bar - quiet, first_bar - 0.5 * module)
        && white(row, last_bar + 0.5 * module, last_bar + quiet)
}

/// The pixels from `from` to `to` that lie in the row are all white.
pub(crate) fn white(row: &BitArray, from: f32, to: f32) -> bool {
    let size = row.get_size();
    let clamp = |x: f32| (x.max(0.0) as usize).min(size);
    let (from, to) = (clamp(from.floor()), clamp(to.ceil()));
    from >= to || row.isRange(from, to, false).unwrap_or(false)
}

/// Runs `read` on a luminance source over `view`, with a panic or a refused source
/// being nothing found.
fn guarded<T: Default>(view: &GrayImage, read: impl FnOnce(Luma8Source) -> T) -> T {
    let (width, height) = view.dimensions();
    catch_unwind(AssertUnwindSafe(|| {
        match Luma8Source::new_with_slice(view.as_raw(), width, height) {
            Ok(source) => read(source),
            Err(_) => T::default(),
        }
    }))
    .unwrap_or_default()
}

/// The code a result stands for, if we trust it: one of our symbologies, and for the
/// retail codes the right length and a valid check digit.
pub fn accept(result: &RXingResult) -> Option<Code> {
    let text = result.getText();
    let symbology = match result.getBarcodeFormat() {
        BarcodeFormat::EAN_13 => Symbology::Ean13,
        BarcodeFormat::EAN_8 => Symbology::Ean8,
        BarcodeFormat::UPC_A => Symbology::UpcA,
        BarcodeFormat::UPC_E => Symbology::UpcE,
        BarcodeFormat::DATA_MATRIX => Symbology::DataMatrix,
        BarcodeFormat::QR_CODE => Symbology::Qr,
        _ => return None,
    };
    if !valid_text(symbology, text) {
        return None;
    }
    Some(Code {
        symbology,
        text: text.to_string(),
        gs1: !symbology.is_retail() && is_gs1(result),
    })
}

pub fn valid_text(symbology: Symbology, text: &str) -> bool {
    let length = match symbology {
        Symbology::Ean13 => 13,
        Symbology::UpcA => 12,
        Symbology::Ean8 => 8,
        Symbology::UpcE => return text.len() == 8 && gs1::expand_upce(text).is_ok(),
        Symbology::DataMatrix | Symbology::Qr => return !text.is_empty(),
    };
    text.len() == length && gs1::Gtin::parse(text).is_ok()
}

/// FNC1 in first position, as the symbology identifier (`]d2`, `]Q3`) or the content
/// type says.
fn is_gs1(result: &RXingResult) -> bool {
    let metadata = result.getRXingResultMetadata();
    let identifier = matches!(
        metadata.get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER),
        Some(RXingResultMetadataValue::SymbologyIdentifier(id)) if id == "]d2" || id == "]Q3"
    );
    let content = matches!(
        metadata.get(&RXingResultMetadataType::CONTENT_TYPE),
        Some(RXingResultMetadataValue::ContentType(kind)) if kind.eq_ignore_ascii_case("gs1")
    );
    identifier || content
}
