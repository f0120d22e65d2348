//! One rxing pass over one view: the allowed formats, try-harder, several codes per
//! image, a panic caught, and only results we trust kept.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8Source, MultiFormatReader,
    RXingResult, RXingResultMetadataType, RXingResultMetadataValue,
};
use search_index::gs1;

use crate::{Code, Symbology};

/// How grey becomes black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binariser {
    /// A threshold per 8x8 block from its neighbourhood: copes with shadows and glare.
    Hybrid,
    /// One threshold from the histogram (per row for 1D): copes with soft, low-contrast
    /// bars that the local threshold breaks up.
    GlobalHistogram,
}

fn hints() -> DecodeHints {
    DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([
            BarcodeFormat::EAN_13,
            BarcodeFormat::EAN_8,
            BarcodeFormat::UPC_A,
            BarcodeFormat::UPC_E,
            BarcodeFormat::DATA_MATRIX,
            BarcodeFormat::QR_CODE,
        ])),
        ..DecodeHints::default()
    }
}

/// The codes rxing finds in `view` with `binariser`, keeping only those [`accept`]
/// trusts. A panic inside rxing is a miss.
pub fn scan(view: &GrayImage, binariser: Binariser) -> Vec<Code> {
    let (width, height) = view.dimensions();
    let results = catch_unwind(AssertUnwindSafe(|| {
        let Ok(source) = Luma8Source::new_with_slice(view.as_raw(), width, height) else {
            return Vec::new();
        };
        match binariser {
            Binariser::Hybrid => run(BinaryBitmap::new(HybridBinarizer::new(source))),
            Binariser::GlobalHistogram => {
                run(BinaryBitmap::new(GlobalHistogramBinarizer::new(source)))
            }
        }
    }))
    .unwrap_or_default();
    results.iter().filter_map(accept).collect()
}

fn run<B: Binarizer>(mut bitmap: BinaryBitmap<B>) -> Vec<RXingResult> {
    let mut reader = GenericMultipleBarcodeReader::new(MultiFormatReader::default());
    reader
        .decode_multiple_with_hints(&mut bitmap, &hints())
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
