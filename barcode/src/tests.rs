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
