#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use image::{GrayImage, Luma};

use super::*;

fn data(path: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/barcodes"
    ))
    .join(path)
}

fn open(path: &str) -> DynamicImage {
    image::open(data(path)).expect("test image")
}

#[test]
fn reads_an_ean13_with_its_symbology() {
    let expected = std::fs::read_to_string(data("ean13-3/01.txt")).unwrap();
    let codes = decode(&open("ean13-3/01.png"));
    assert_eq!(
        codes,
        vec![Code {
            symbology: Symbology::Ean13,
            text: expected,
            gs1: false
        }]
    );
}

#[test]
fn gs1_datamatrix_and_qr_are_flagged_with_their_separators() {
    for (name, symbology) in [
        (
            "datamatrix-1__gs1-figure-4.15.1-2-32x32",
            Symbology::DataMatrix,
        ),
        ("cpp__qrcode-2__gs1-figure-4.15.1-2", Symbology::Qr),
    ] {
        let expected = std::fs::read_to_string(data(&format!("gs1/{name}.txt"))).unwrap();
        let codes = decode(&open(&format!("gs1/{name}.png")));
        assert_eq!(codes.len(), 1, "{name}: {codes:?}");
        assert_eq!(codes[0].symbology, symbology);
        assert_eq!(codes[0].text, expected);
        assert!(codes[0].text.contains('\u{1d}'));
        assert!(codes[0].gs1, "{name} is GS1");
    }
}

#[test]
fn blank_and_empty_images_give_nothing() {
    assert!(decode_gray(&GrayImage::new(0, 0)).is_empty());
    assert!(decode_gray(&GrayImage::from_pixel(300, 200, Luma([255]))).is_empty());
}

#[test]
fn only_valid_retail_texts_are_accepted() {
    assert!(read::valid_text(Symbology::Ean13, "4006381333931"));
    assert!(!read::valid_text(Symbology::Ean13, "4006381333932"));
    assert!(!read::valid_text(Symbology::Ean13, "036000291452"));
    assert!(read::valid_text(Symbology::UpcA, "036000291452"));
    assert!(read::valid_text(Symbology::Ean8, "96385074"));
    assert!(read::valid_text(Symbology::UpcE, "05096893"));
    assert!(!read::valid_text(Symbology::UpcE, "05096894"));
    assert!(read::valid_text(Symbology::Qr, "anything"));
    assert!(!read::valid_text(Symbology::DataMatrix, ""));
}

#[test]
fn rows_are_read_from_the_middle_out_and_all_of_them() {
    let rows: Vec<usize> = read::rows_from_the_middle(4).collect();
    assert_eq!(rows, vec![2, 3, 1, 0]);
    let mut rows: Vec<usize> = read::rows_from_the_middle(5).collect();
    assert_eq!(rows[..3], [2, 3, 1]);
    rows.sort_unstable();
    assert_eq!(rows, vec![0, 1, 2, 3, 4]);
    // Beyond 256 rows, evenly spaced: 1024 rows, every 4th.
    let tall: Vec<usize> = read::rows_from_the_middle(1024).collect();
    assert_eq!(tall[..3], [512, 516, 508]);
    assert_eq!(tall.len(), 256);
    assert!(tall.iter().all(|&y| y < 1024 && y % 4 == 0));
}

#[test]
fn a_retail_code_needs_rows_spread_over_the_symbol() {
    let code = |text: &str| Code {
        symbology: Symbology::Ean13,
        text: text.to_string(),
        gs1: false,
    };
    let mut tally = read::Tally::default();
    // Three neighbouring rows are not enough: a blemish or a texture can do that.
    assert!(!tally.add(code("4006381333931"), 100));
    assert!(!tally.add(code("4006381333931"), 101));
    assert!(!tally.add(code("9780764544200"), 104));
    assert!(!tally.add(code("4006381333931"), 102));
    assert!(tally.add(code("4006381333931"), 109));
    assert!(!tally.add(code("9780764544200"), 200));
}

#[test]
fn quiet_zones_are_white_where_they_are_in_the_row() {
    let mut row = rxing::common::BitArray::with_size(100);
    for black in [10, 40, 41] {
        row.set(black);
    }
    assert!(read::white(&row, 11.0, 39.0));
    assert!(!read::white(&row, 5.0, 20.0));
    // Off the ends of the row counts as white; so does an empty range.
    assert!(read::white(&row, -30.0, 9.0));
    assert!(read::white(&row, 42.0, 500.0));
    assert!(read::white(&row, 20.0, 20.0));
}

#[test]
fn hostile_shapes_give_nothing_without_panicking() {
    // Extreme aspect ratios: 1 x 5000 is shrunk to 1 x 2048; 8000 x 2 of stripes to
    // 2048 x 1, then enlarged and turned.
    assert!(decode_gray(&GrayImage::from_pixel(1, 5000, Luma([0]))).is_empty());
    let stripes = GrayImage::from_fn(8000, 2, |x, _| Luma([if x / 3 % 2 == 0 { 0 } else { 255 }]));
    assert!(decode_gray(&stripes).is_empty());
    // Noise: every row is full of guard-like patterns, none is a code.
    let mut seed = 0x2545_f491_u32;
    let noise = GrayImage::from_fn(640, 480, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        Luma([if seed & 1 == 0 { 0 } else { 255 }])
    });
    assert!(decode_gray(&noise).is_empty());
}

#[test]
fn views_keep_the_whole_picture() {
    let img = GrayImage::from_pixel(300, 100, Luma([0]));
    let turned = transform::rotate(&img, 30.0);
    // 300 cos 30 + 100 sin 30 = 309.8; 300 sin 30 + 100 cos 30 = 236.6
    assert_eq!(turned.dimensions(), (310, 237));
    assert_eq!(turned.get_pixel(155, 118)[0], 0);
    assert_eq!(turned.get_pixel(0, 0)[0], 255);
    assert_eq!(transform::upscale2(&img).dimensions(), (600, 200));
    let big = GrayImage::new(4000, 3000);
    assert_eq!(transform::fit_within(&big, 2048).dimensions(), (2048, 1536));
    assert!(matches!(
        transform::fit_within(&img, 2048),
        std::borrow::Cow::Borrowed(_)
    ));
}
