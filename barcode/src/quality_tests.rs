//! Decoding quality on the shared labelled photos (`../shared/data/barcodes` from the
//! repository root): every folder at or above ZXing's own try-harder pass bar, no code at
//! all on the photos without one, and no more misreads beside the right code than
//! measured (BENCHMARKS.md). A unit-test module, so the workspace keeps one integration
//! test binary.

// A failed expectation in a test is meant to panic with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use crate::blackbox::{score_folder, FolderScore};

fn score(folder: &str) -> FolderScore {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/barcodes"
    ))
    .join(folder);
    score_folder(&dir).expect("folder readable")
}

/// At least `bar` decodes (ZXing's try-harder bar from the data set's README) and at
/// most `misreads` images where another code was found.
fn meets_bar(folder: &str, bar: usize, misreads: usize) {
    let score = score(folder);
    let failures = score.failures().join("\n");
    assert!(
        score.passed() >= bar,
        "{folder}: {} of {} decoded, ZXing's try-harder bar is {bar}\n{failures}",
        score.passed(),
        score.positives()
    );
    assert!(
        score.false_decodes() <= misreads,
        "{folder}: {} images with another code, at most {misreads} expected\n{failures}",
        score.false_decodes()
    );
}

#[test]
fn ean13_2_phone_photos_of_packs() {
    meets_bar("ean13-2", 17, 0);
}

#[test]
fn ean13_3_crops() {
    meets_bar("ean13-3", 55, 0);
}

#[test]
fn upca_1_photos() {
    meets_bar("upca-1", 18, 0);
}

#[test]
fn upca_2() {
    meets_bar("upca-2", 36, 0);
}

#[test]
fn upca_3_reflective() {
    meets_bar("upca-3", 9, 0);
}

#[test]
fn upce_2() {
    // 14.png: a small, coarse UPC-E read the same wrong way on 9 rows, quiet zones and all.
    meets_bar("upce-2", 35, 1);
}

#[test]
fn datamatrix_2_photos() {
    meets_bar("datamatrix-2", 13, 0);
}

#[test]
fn gs1_datamatrix_and_qr() {
    meets_bar("gs1", 2, 0);
}

#[test]
fn nothing_is_decoded_on_photos_without_barcodes() {
    let score = score("falsepositives");
    assert_eq!(score.positives(), 0, "the folder holds negatives only");
    assert!(score.images() >= 20);
    // ZXing's bar allows 2; we allow none.
    assert_eq!(score.false_decodes(), 0, "{}", score.failures().join("\n"));
}
