//! Tests of the upload pipeline on real photos from `../shared/data` and on hostile files
//! built by hand.

use std::io::Cursor;
use std::path::PathBuf;

use image::{DynamicImage, GenericImageView, RgbaImage};
use rand::{Rng, SeedableRng};

use super::process::fit_within;
use super::*;
use crate::error::AppError;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

fn data(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(DATA).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// 451x300 RGB photograph (PNG).
fn chelsea() -> DynamicImage {
    image::load_from_memory(&data("photos/samples/chelsea.png")).unwrap()
}

/// 640x427 baseline JPEG with a plain JFIF header.
fn china_jpeg() -> Vec<u8> {
    data("photos/samples/china.jpg")
}

fn encode(img: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn ok(bytes: &[u8]) -> ProcessedImage {
    process(bytes, &ImageLimits::default()).unwrap()
}

fn err(bytes: &[u8]) -> ImageError {
    process(bytes, &ImageLimits::default()).unwrap_err()
}

fn decode_jpeg(bytes: &[u8]) -> DynamicImage {
    assert_eq!(
        image::guess_format(bytes).unwrap(),
        image::ImageFormat::Jpeg
    );
    image::load_from_memory(bytes).unwrap()
}

/// The markers of a JPEG's header segments, from SOI up to and including SOS.
fn jpeg_header_markers(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut i = 2;
    loop {
        assert_eq!(bytes[i], 0xFF, "segment expected at {i}");
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xDA {
            return markers;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        i += 2 + len;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Asserts a JPEG we produced carries no metadata: its header segments are only the JFIF
/// APP0, tables, frame and scan (no APP1..APP15 such as EXIF/XMP/ICC, no comment).
fn assert_no_metadata(jpeg: &[u8]) {
    for marker in jpeg_header_markers(jpeg) {
        assert!(
            matches!(marker, 0xE0 | 0xDB | 0xC4 | 0xC0 | 0xC2 | 0xDD | 0xDA),
            "unexpected segment FF{marker:02X} in output"
        );
    }
    assert!(!contains(jpeg, b"Exif"));
    assert!(!contains(jpeg, b"http://ns.adobe.com/xap"));
}

// ---------------------------------------------------------------- EXIF built by hand

/// GPSLatitude 48/1, 51/1, 2400/100 (48°51'24" N) as little-endian rationals.
const GPS_LATITUDE_DATA: [u8; 24] = [
    48, 0, 0, 0, 1, 0, 0, 0, 51, 0, 0, 0, 1, 0, 0, 0, 0x60, 0x09, 0, 0, 100, 0, 0, 0,
];
/// The GPSLatitude directory entry: tag 0x0002, type RATIONAL (5), count 3.
const GPS_LATITUDE_ENTRY: [u8; 8] = [0x02, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00];
/// The GPSInfo pointer entry of IFD0: tag 0x8825, type LONG (4), count 1.
const GPS_POINTER_ENTRY: [u8; 8] = [0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00];

/// An APP1 EXIF segment: TIFF header (little-endian), IFD0 with Orientation and a GPSInfo
/// pointer, and a GPS IFD with GPSLatitudeRef "N" and GPSLatitude.
fn exif_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II\x2A\x00");
    tiff.extend_from_slice(&8u32.to_le_bytes()); // IFD0 offset
                                                 // IFD0 at 8: 2 entries, 2 + 2*12 + 4 = 30 bytes, so the GPS IFD is at 38.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00]); // Orientation SHORT x1
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&GPS_POINTER_ENTRY);
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no IFD1
    assert_eq!(tiff.len(), 38);
    // GPS IFD at 38: 2 entries, 30 bytes, so the latitude data is at 68.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00]); // GPSLatitudeRef ASCII x2
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&GPS_LATITUDE_ENTRY);
    tiff.extend_from_slice(&68u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 68);
    tiff.extend_from_slice(&GPS_LATITUDE_DATA);

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    app1.extend_from_slice(&payload);
    app1
}

/// `jpeg` with an EXIF segment inserted right after its SOI.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_app1(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn gps_exif_is_stripped_from_both_outputs() {
    let original = china_jpeg();
    assert!(
        !contains(&original, b"Exif"),
        "the base photo must start clean"
    );
    let input = with_exif(&original, 1);
    // The input really carries the metadata, and a decoder really reads it.
    assert!(contains(&input, b"Exif\0\0II*\0"));
    assert!(contains(&input, &GPS_POINTER_ENTRY));
    assert!(contains(&input, &GPS_LATITUDE_ENTRY));
    assert!(contains(&input, &GPS_LATITUDE_DATA));
    assert!(jpeg_header_markers(&input).contains(&0xE1));
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&input)).unwrap();
    let exif = image::ImageDecoder::exif_metadata(&mut decoder)
        .unwrap()
        .unwrap();
    assert!(contains(&exif, &GPS_LATITUDE_DATA));

    let out = ok(&input);
    assert_eq!((out.width, out.height), (640, 427));
    for jpeg in [&out.display_jpeg, &out.thumb_jpeg] {
        assert!(!jpeg_header_markers(jpeg).contains(&0xE1), "APP1 in output");
        assert_no_metadata(jpeg);
        assert!(!contains(jpeg, &GPS_POINTER_ENTRY));
        assert!(!contains(jpeg, &GPS_LATITUDE_ENTRY));
        assert!(!contains(jpeg, &GPS_LATITUDE_DATA));
        assert!(!contains(jpeg, b"II*\0"));
    }
    // The pixels are the same as without the EXIF block.
    assert_eq!(out.pdq, ok(&original).pdq);
}

#[test]
fn hand_made_orientation_6_swaps_width_and_height() {
    let input = with_exif(&china_jpeg(), 6);
    let out = ok(&input);
    assert_eq!((out.width, out.height), (427, 640));
    assert_eq!(decode_jpeg(&out.display_jpeg).dimensions(), (427, 640));
    assert_eq!(decode_jpeg(&out.thumb_jpeg).dimensions(), (214, 320));
    // The hash is of the rotated pixels: exactly that of the upright photo turned a
    // quarter clockwise, and close to the matching dihedral variant of the upright hash.
    let upright = image::load_from_memory(&china_jpeg()).unwrap();
    let turned = search_index::pdq::dihedral_image(&upright.rotate90());
    assert_eq!(out.pdq, turned.hashes[0]);
    assert_eq!(out.dihedral, turned.hashes);
    let variants = ok(&china_jpeg()).dihedral;
    let closest = variants.iter().map(|h| out.pdq.distance(h)).min().unwrap();
    assert!(closest <= 10, "{closest}");
}

#[test]
fn phone_photos_are_oriented_and_stripped() {
    // Samsung photos of one scene, stored 4032x3024 with orientations 1, 3, 6 and 8, and
    // GPS data in their EXIF.
    for (orientation, expected) in [
        (1, (4032, 3024)),
        (3, (4032, 3024)),
        (6, (3024, 4032)),
        (8, (3024, 4032)),
    ] {
        let input = data(&format!(
            "pdq/reg-test-input/exif-rotn/exif-rotn-{orientation}.jpg"
        ));
        assert!(contains(&input, b"Exif"));
        assert!(
            contains(&input, &[0x25, 0x88]),
            "GPSInfo tag expected in the input"
        );
        let raw = image::ImageReader::new(Cursor::new(&input))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .unwrap();
        assert_eq!(raw, (4032, 3024));

        let out = ok(&input);
        assert_eq!(out.format, ImageFormat::Jpeg);
        assert_eq!(
            (out.width, out.height),
            expected,
            "orientation {orientation}"
        );
        let display = decode_jpeg(&out.display_jpeg);
        let thumb = decode_jpeg(&out.thumb_jpeg);
        if expected.0 > expected.1 {
            assert_eq!(display.dimensions(), (1600, 1200));
            assert_eq!(thumb.dimensions(), (320, 240));
        } else {
            assert_eq!(display.dimensions(), (1200, 1600));
            assert_eq!(thumb.dimensions(), (240, 320));
        }
        assert_no_metadata(&out.display_jpeg);
        assert_no_metadata(&out.thumb_jpeg);
        assert!(out.pdq_quality >= MIN_MATCH_QUALITY);
        // A search with the same photo (the fast, scaled decode of `hash_bytes`) finds it.
        let query =
            search_index::pdq::hash_bytes(&input, &search_index::pdq::DecodeOptions::default())
                .unwrap();
        let d = out.pdq.distance(&query.hashes[0]);
        assert!(d <= 10, "orientation {orientation}: query distance {d}");
    }
}

// ---------------------------------------------------------------- formats

#[test]
fn every_accepted_format_round_trips() {
    let src = chelsea();
    let reference = ok(&encode(&src, image::ImageFormat::Png));
    for (format, ours, max_distance) in [
        (image::ImageFormat::Jpeg, ImageFormat::Jpeg, 10),
        (image::ImageFormat::Png, ImageFormat::Png, 0),
        (image::ImageFormat::WebP, ImageFormat::WebP, 0),
        // GIF quantises to a 256-colour palette.
        (image::ImageFormat::Gif, ImageFormat::Gif, 16),
        (image::ImageFormat::Tiff, ImageFormat::Tiff, 0),
        (image::ImageFormat::Bmp, ImageFormat::Bmp, 0),
    ] {
        let bytes = encode(&src, format);
        assert_eq!(sniff(&bytes).unwrap(), ours);
        let out = ok(&bytes);
        assert_eq!(out.format, ours);
        assert_eq!((out.width, out.height), (451, 300), "{ours:?}");
        // No upscaling for the display copy; the thumbnail fits 320.
        assert_eq!(decode_jpeg(&out.display_jpeg).dimensions(), (451, 300));
        assert_eq!(decode_jpeg(&out.thumb_jpeg).dimensions(), (320, 213));
        assert_no_metadata(&out.display_jpeg);
        assert_no_metadata(&out.thumb_jpeg);
        assert_eq!(out.pdq, out.dihedral[0]);
        assert!(out.pdq_quality >= MIN_MATCH_QUALITY, "{ours:?}");
        let d = out.pdq.distance(&reference.pdq);
        assert!(d <= max_distance, "{ours:?}: distance {d}");
    }
}

#[test]
fn large_photo_is_shrunk_to_1600_and_320() {
    // 1680x1050 wallpaper.
    let out = ok(&data("photos/wallpapers/mate-Dune.jpg"));
    assert_eq!((out.width, out.height), (1680, 1050));
    assert_eq!(decode_jpeg(&out.display_jpeg).dimensions(), (1600, 1000));
    assert_eq!(decode_jpeg(&out.thumb_jpeg).dimensions(), (320, 200));
    // The display copy still hashes like the original.
    let again = ok(&out.display_jpeg);
    assert!(again.pdq.distance(&out.pdq) <= 10);
}

#[test]
fn transparency_is_flattened_onto_white() {
    let mut img = RgbaImage::from_pixel(40, 20, image::Rgba([0, 0, 0, 0]));
    img.put_pixel(0, 0, image::Rgba([0, 0, 0, 255]));
    let png = encode(&DynamicImage::ImageRgba8(img), image::ImageFormat::Png);
    let out = ok(&png);
    let display = decode_jpeg(&out.display_jpeg).into_rgb8();
    assert_eq!(display.dimensions(), (40, 20));
    let corner = display.get_pixel(39, 19);
    assert!(corner.0.iter().all(|&c| c >= 250), "{corner:?}");
}

#[test]
fn fit_within_keeps_aspect_and_never_upscales() {
    assert_eq!(fit_within(1600, 1200, 1600), None);
    assert_eq!(fit_within(100, 50, 1600), None);
    assert_eq!(fit_within(4032, 3024, 1600), Some((1600, 1200)));
    assert_eq!(fit_within(3024, 4032, 320), Some((240, 320)));
    assert_eq!(fit_within(100_000, 1, 320), Some((320, 1)));
    assert_eq!(fit_within(1, 100_000, 320), Some((1, 320)));
}

// ---------------------------------------------------------------- refusals

#[test]
fn refused_formats_are_named() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0";
    let e = err(heic);
    assert!(matches!(
        e,
        ImageError::Unsupported {
            detected: Some("HEIC/HEIF")
        }
    ));
    assert!(e.to_string().contains("export it as JPEG"), "{e}");

    let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf\0\0\0\0";
    assert!(matches!(
        err(avif),
        ImageError::Unsupported {
            detected: Some("AVIF")
        }
    ));
    // AVIF with the generic brand first.
    let avif2 = b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf\0\0\0\0";
    assert!(matches!(
        err(avif2),
        ImageError::Unsupported {
            detected: Some("AVIF")
        }
    ));
    let e = err(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj");
    assert!(matches!(
        e,
        ImageError::Unsupported {
            detected: Some("PDF")
        }
    ));
    assert!(
        e.to_string().starts_with("PDF files cannot be used here"),
        "{e}"
    );
    let svg = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- x -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    assert!(matches!(
        err(svg),
        ImageError::Unsupported {
            detected: Some("SVG")
        }
    ));
    assert!(matches!(
        err(b"  <SVG width=\"1\"></SVG>"),
        ImageError::Unsupported {
            detected: Some("SVG")
        }
    ));
    let e = err(b"hello, this is text");
    assert!(matches!(e, ImageError::Unsupported { detected: None }));
    assert!(
        e.to_string().contains("JPEG, PNG, WebP, GIF, TIFF or BMP"),
        "{e}"
    );
}

#[test]
fn the_file_name_and_declared_type_play_no_part() {
    // A PNG is a PNG whatever it is called: only bytes reach `process`; and a JPEG
    // signature followed by PNG data is a (corrupt) JPEG.
    let png = encode(&chelsea(), image::ImageFormat::Png);
    assert_eq!(ok(&png).format, ImageFormat::Png);
    let mut fake = vec![0xFF, 0xD8, 0xFF];
    fake.extend_from_slice(&png);
    assert!(matches!(err(&fake), ImageError::Corrupt(_)));
}

#[test]
fn empty_file_is_refused() {
    let e = err(&[]);
    assert!(matches!(e, ImageError::Empty));
    let app = AppError::from(e);
    assert_eq!(app.code(), "empty_image");
}

#[test]
fn oversized_file_is_refused_before_anything_else() {
    let mut big = vec![0u8; 20 * 1024 * 1024 + 1];
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let e = err(&big);
    assert!(matches!(
        e,
        ImageError::TooLarge {
            bytes: 20_971_521,
            max_bytes: 20_971_520
        }
    ));
    assert!(e.to_string().contains("the limit is 20 MB"), "{e}");
    let app = AppError::from(e);
    assert!(matches!(&app, AppError::TooLarge(m) if m.contains("20 MB")));
    assert_eq!(app.code(), "too_large");
    // Exactly at the limit the size is fine (and the rest is garbage).
    assert!(matches!(err(&big[..big.len() - 1]), ImageError::Corrupt(_)));
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let jpeg = china_jpeg();
    for cut in [jpeg.len() / 2, jpeg.len() - 2, 200, 20, 4] {
        let e = err(&jpeg[..cut]);
        assert!(matches!(e, ImageError::Corrupt(_)), "cut at {cut}: {e:?}");
        assert_eq!(AppError::from(e).code(), "corrupt_image");
    }
}

#[test]
fn truncated_files_of_every_format_are_errors() {
    let src = chelsea();
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::WebP,
        image::ImageFormat::Gif,
        image::ImageFormat::Tiff,
        image::ImageFormat::Bmp,
    ] {
        let bytes = encode(&src, format);
        for cut in [bytes.len() / 2, 64, 12] {
            assert!(
                process(&bytes[..cut], &ImageLimits::default()).is_err(),
                "{format:?} cut at {cut} was accepted"
            );
        }
    }
}

#[test]
fn random_bytes_are_refused() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..50 {
        let len = rng.gen_range(1..5000);
        let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        // Never a panic; any success would have to be a real image.
        if let Ok(out) = process(&bytes, &ImageLimits::default()) {
            panic!("random bytes accepted as {out:?}");
        }
    }
    // Random data behind each accepted signature.
    for magic in [
        &b"\xFF\xD8\xFF\xE0"[..],
        b"\x89PNG\r\n\x1a\n",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"GIF89a",
        b"II*\0",
        b"MM\0*",
        b"BM",
    ] {
        for _ in 0..20 {
            let mut bytes = magic.to_vec();
            bytes.extend((0..rng.gen_range(0..3000)).map(|_| rng.gen::<u8>()));
            assert!(process(&bytes, &ImageLimits::default()).is_err());
        }
    }
}

#[test]
fn damaged_real_files_never_panic() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let src = chelsea().resize(120, 120, image::imageops::FilterType::Triangle);
    for format in [
        image::ImageFormat::Jpeg,
        image::ImageFormat::Png,
        image::ImageFormat::WebP,
        image::ImageFormat::Gif,
        image::ImageFormat::Tiff,
        image::ImageFormat::Bmp,
    ] {
        let clean = encode(&src, format);
        for _ in 0..40 {
            let mut bytes = clean.clone();
            for _ in 0..rng.gen_range(1..8) {
                let at = rng.gen_range(0..bytes.len());
                bytes[at] = rng.gen();
            }
            // Either outcome is fine; returning is the point.
            let _ = process(&bytes, &ImageLimits::default());
        }
    }
}

/// A PNG chunk: length, type, data, CRC-32 of type and data.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    // A tiny zlib stream: far too little data for the claimed size.
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[test]
fn png_claiming_100000_by_100000_is_refused_from_its_header() {
    let png = png_claiming(100_000, 100_000);
    assert!(png.len() < 100);
    let e = err(&png);
    assert!(
        matches!(
            e,
            ImageError::TooManyPixels {
                width: 100_000,
                height: 100_000,
                max_pixels: 50_000_000
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("the limit is 50 MP"), "{e}");
    assert_eq!(AppError::from(e).code(), "too_large");
    // Within the pixel limit, the same lie is caught as corrupt data.
    assert!(matches!(
        err(&png_claiming(5000, 5000)),
        ImageError::Corrupt(_)
    ));
}

#[test]
fn limits_are_configurable_and_checked_before_decoding() {
    let small = ImageLimits {
        max_bytes: 20 * 1024 * 1024,
        max_pixels: 100_000,
    };
    // 640x427 = 273,280 pixels.
    let e = process(&china_jpeg(), &small).unwrap_err();
    assert!(
        matches!(
            e,
            ImageError::TooManyPixels {
                width: 640,
                height: 427,
                max_pixels: 100_000
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("0.3 MP"), "{e}");
    assert!(e.to_string().contains("the limit is 0.1 MP"), "{e}");
    // Before decoding: a PNG cut right after its first data chunk header, which could
    // never decode, still gets the size answer, not a corruption one.
    let png = encode(&chelsea(), image::ImageFormat::Png);
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    let tiny = ImageLimits {
        max_bytes: 1 << 20,
        max_pixels: 1000,
    };
    assert!(matches!(
        process(&png[..idat + 16], &tiny).unwrap_err(),
        ImageError::TooManyPixels {
            width: 451,
            height: 300,
            ..
        }
    ));
    // The byte limit too.
    let e = process(
        &png,
        &ImageLimits {
            max_bytes: 100_000,
            max_pixels: 50_000_000,
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ImageError::TooLarge {
                max_bytes: 100_000,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("the limit is 0.1 MB"), "{e}");
}

#[test]
fn defaults_are_20_mb_and_50_mp() {
    let limits = ImageLimits::default();
    assert_eq!(limits.max_bytes, 20 * 1024 * 1024);
    assert_eq!(limits.max_pixels, 50_000_000);
}

#[test]
fn errors_map_to_app_errors() {
    let cases: Vec<(ImageError, &str)> = vec![
        (ImageError::Empty, "empty_image"),
        (
            ImageError::Unsupported { detected: None },
            "unsupported_image",
        ),
        (
            ImageError::Unsupported {
                detected: Some("HEIC/HEIF"),
            },
            "unsupported_image",
        ),
        (
            ImageError::UnsupportedFeature {
                format: "JPEG",
                detail: "12-bit".into(),
            },
            "unsupported_image",
        ),
        (ImageError::Corrupt("x".into()), "corrupt_image"),
        (
            ImageError::TooLarge {
                bytes: 2,
                max_bytes: 1,
            },
            "too_large",
        ),
        (
            ImageError::TooManyPixels {
                width: 2,
                height: 2,
                max_pixels: 1,
            },
            "too_large",
        ),
        (ImageError::InvalidSha, "not_found"),
        (
            ImageError::Io(std::io::Error::other("disk full")),
            "internal",
        ),
    ];
    for (e, code) in cases {
        let message = e.to_string();
        let app = AppError::from(e);
        assert_eq!(app.code(), code, "{message}");
        if code != "internal" && code != "not_found" {
            assert_eq!(app.public_message(), message);
        }
    }
}

// ---------------------------------------------------------------- store

#[test]
fn store_is_content_addressed_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::new(dir.path());
    assert_eq!(store.root(), dir.path().join("images"));
    assert_eq!(store.all().unwrap(), Vec::<String>::new());

    let bytes = ok(&china_jpeg()).thumb_jpeg;
    let sha = store.put(&bytes).unwrap();
    assert!(is_valid_sha(&sha));
    // sha256 of the bytes, independently computed.
    use sha2::Digest;
    assert_eq!(sha, hex::encode(sha2::Sha256::digest(&bytes)));
    let path = store.path(&sha).unwrap();
    assert_eq!(
        path,
        dir.path()
            .join("images")
            .join(&sha[..2])
            .join(format!("{sha}.jpg"))
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    // Twice: the same id, one file, nothing left behind.
    assert_eq!(store.put(&bytes).unwrap(), sha);
    let files: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, vec![std::ffi::OsString::from(format!("{sha}.jpg"))]);

    assert!(store.exists(&sha).unwrap());
    assert_eq!(store.read(&sha).unwrap().unwrap(), bytes);

    let other = store.put(b"other bytes").unwrap();
    let mut expected = vec![sha.clone(), other.clone()];
    expected.sort();
    assert_eq!(store.all().unwrap(), expected);

    assert!(store.remove(&sha).unwrap());
    assert!(!store.remove(&sha).unwrap());
    assert!(!store.exists(&sha).unwrap());
    assert_eq!(store.read(&sha).unwrap(), None);
    assert_eq!(store.all().unwrap(), vec![other]);
}

#[test]
fn store_all_ignores_temporary_and_stray_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::new(dir.path());
    let sha = store.put(b"x").unwrap();
    let sub = store.root().join(&sha[..2]);
    std::fs::write(sub.join(format!(".{sha}.0123456789abcdef.tmp")), b"partial").unwrap();
    std::fs::write(sub.join("notes.txt"), b"").unwrap();
    // A valid name in the wrong folder is not one of ours.
    let wrong = if sha.starts_with("00") { "01" } else { "00" };
    std::fs::create_dir_all(store.root().join(wrong)).unwrap();
    std::fs::write(store.root().join(wrong).join(format!("{sha}.jpg")), b"x").unwrap();
    std::fs::write(store.root().join("README"), b"").unwrap();
    std::fs::create_dir_all(store.root().join("zz")).unwrap();
    assert_eq!(store.all().unwrap(), vec![sha]);
}

#[test]
fn store_refuses_bad_ids_before_touching_paths() {
    let dir = tempfile::tempdir().unwrap();
    let store = ImageStore::new(dir.path());
    let good = "a".repeat(64);
    assert!(store.path(&good).is_ok());
    for bad in [
        String::new(),
        "../../etc/passwd".to_string(),
        format!("../{}", "a".repeat(61)),
        "A".repeat(64),
        "a".repeat(63),
        "a".repeat(65),
        format!("{}g", "a".repeat(63)),
        format!("{}/", "a".repeat(63)),
        format!("{}\0", "a".repeat(63)),
        format!("{}é", "a".repeat(62)),
    ] {
        assert!(!is_valid_sha(&bad), "{bad:?}");
        assert!(matches!(store.path(&bad), Err(ImageError::InvalidSha)));
        assert!(matches!(store.read(&bad), Err(ImageError::InvalidSha)));
        assert!(matches!(store.exists(&bad), Err(ImageError::InvalidSha)));
        assert!(matches!(store.remove(&bad), Err(ImageError::InvalidSha)));
    }
    assert!(!store.root().exists(), "nothing may have been created");
}
