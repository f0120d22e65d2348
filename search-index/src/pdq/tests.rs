//! Conformance with the PDQ reference and robustness of the decode.
//!
//! Expected values: `shared/data/pdq/expected/pdq_reference_core.tsv`, produced by the
//! reference C++ core on pixels decoded by Pillow (see `shared/data/pdq/README.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use image::DynamicImage;

use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

fn data(rel: &str) -> PathBuf {
    Path::new(DATA).join(rel)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Row {
    path: String,
    variant: String,
    format: String,
    mode: String,
    decoded_png: String,
    quality: u8,
    hashes: [Hash256; 8],
}

impl Row {
    fn label(&self) -> String {
        format!("{} ({})", self.path, self.variant)
    }
}

fn reference_rows() -> Vec<Row> {
    let text = std::fs::read_to_string(data("pdq/expected/pdq_reference_core.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c_path, c_variant, c_format, c_mode) =
        (col("path"), col("variant"), col("format"), col("mode"));
    let (c_png, c_quality) = (col("decoded_png"), col("quality"));
    let c_hashes: Vec<usize> = VARIANT_NAMES.iter().map(|n| col(n)).collect();
    let rows: Vec<Row> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let mut hashes = [Hash256::ZERO; 8];
            for (h, &c) in hashes.iter_mut().zip(&c_hashes) {
                *h = Hash256::from_hex(f[c]).unwrap();
            }
            Row {
                path: f[c_path].to_string(),
                variant: f[c_variant].to_string(),
                format: f[c_format].to_string(),
                mode: f[c_mode].to_string(),
                decoded_png: f[c_png].to_string(),
                quality: f[c_quality].parse().unwrap(),
                hashes,
            }
        })
        .collect();
    assert_eq!(rows.len(), 58, "54 images + 4 EXIF-transposed rows");
    rows
}

fn describe(got: &PdqDihedral, row: &Row) -> String {
    let d: Vec<u32> = got
        .hashes
        .iter()
        .zip(&row.hashes)
        .map(|(a, b)| a.distance(b))
        .collect();
    format!(
        "{}: quality {} (want {}), distances {:?}",
        row.label(),
        got.quality,
        row.quality,
        d
    )
}

fn exact(got: &PdqDihedral, row: &Row) -> bool {
    got.quality == row.quality && got.hashes == row.hashes
}

/// The 8-bit RGB that Pillow's `convert("RGB")` gives for a 16-bit grey image: values
/// above 255 clip to 255 (the convention the reference suite used for `I16.png`).
fn pillow_rgb_from_grey16(img: &DynamicImage) -> image::RgbImage {
    let grey = img.to_luma16();
    image::RgbImage::from_fn(grey.width(), grey.height(), |x, y| {
        let v = grey.get_pixel(x, y)[0].min(255) as u8;
        image::Rgb([v, v, v])
    })
}

/// Lossless pixels (PNG originals and Pillow's decodes kept under `decoded-rgb/`): all
/// eight hashes and the quality are bit-for-bit the reference's, for every row that has
/// lossless pixels.
#[test]
fn lossless_rows_match_the_reference_bit_for_bit() {
    let as_stored = DecodeOptions {
        apply_exif_orientation: false,
        ..DecodeOptions::default()
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in reference_rows() {
        if row.format == "PNG" {
            let bytes = read(&data(&format!("pdq/{}", row.path)));
            if row.mode == "I;16" {
                // Convention, not rule: Pillow clips 16-bit grey to 255 where we (and the
                // `image` crate, and any browser) scale it to 8 bits. The core must match
                // on the reference's pixels; our decode deliberately does not clip, which
                // gives a different hash (quality 100 instead of 36).
                let img = decode_image(&bytes, &as_stored).unwrap();
                let rgb = pillow_rgb_from_grey16(&img);
                let got = dihedral_rgb8(rgb.width(), rgb.height(), rgb.as_raw()).unwrap();
                if !exact(&got, &row) {
                    failures.push(format!("clipped {}", describe(&got, &row)));
                }
                let ours = hash_bytes(&bytes, &as_stored).unwrap();
                assert_ne!(
                    ours.hashes[0], row.hashes[0],
                    "16-bit grey is scaled, not clipped"
                );
            } else {
                // Alpha is dropped, not composited; palette and grey expand to RGB; all
                // as the reference suite did.
                let got = hash_bytes(&bytes, &as_stored).unwrap();
                if !exact(&got, &row) {
                    failures.push(describe(&got, &row));
                }
                // The same through the raw-RGB entry point.
                let rgb = decode_image(&bytes, &as_stored).unwrap().to_rgb8();
                let raw = dihedral_rgb8(rgb.width(), rgb.height(), rgb.as_raw()).unwrap();
                assert_eq!(raw, got, "{}", row.label());
            }
            checked += 1;
        }
        if !row.decoded_png.is_empty() {
            let bytes = read(&data(&format!("pdq/{}", row.decoded_png)));
            let got = hash_bytes(&bytes, &as_stored).unwrap();
            if !exact(&got, &row) {
                failures.push(format!("{}: {}", row.decoded_png, describe(&got, &row)));
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} lossless inputs found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// JPEG and WebP through our own decoders (zune-jpeg / image-webp, and libjpeg's scaled
/// grey decode): the upstream rule "quality >= 80 implies distance <= 10", asserted for
/// all eight variants. `variant=exif-transposed` rows are hashed with EXIF orientation
/// applied, `as-stored` rows without.
fn lossy_rows_within_rule_2(fast_jpeg: bool) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in reference_rows() {
        if row.format != "JPEG" && row.format != "WEBP" {
            continue;
        }
        let opts = DecodeOptions {
            apply_exif_orientation: row.variant == "exif-transposed",
            fast_jpeg,
            ..DecodeOptions::default()
        };
        let got = hash_bytes(&read(&data(&format!("pdq/{}", row.path))), &opts).unwrap();
        let worst = got
            .hashes
            .iter()
            .zip(&row.hashes)
            .map(|(a, b)| a.distance(b))
            .max()
            .unwrap();
        if row.quality >= 80 {
            checked += 1;
            if worst > 10 {
                failures.push(describe(&got, &row));
            }
        } else {
            // Low-quality hashes are unstable by design; only the score must stay low.
            assert!(got.quality < 80, "{}", describe(&got, &row));
        }
    }
    assert!(
        checked >= 30,
        "only {checked} lossy rows with quality >= 80"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lossy_rows_full_decode_within_10_bits() {
    lossy_rows_within_rule_2(false);
}

#[test]
fn lossy_rows_fast_decode_within_10_bits() {
    lossy_rows_within_rule_2(true);
}

#[test]
fn exif_orientation_is_applied_only_when_asked() {
    let rows = reference_rows();
    let bytes = read(&data("pdq/reg-test-input/exif-rotn/exif-rotn-6.jpg"));
    let find = |variant: &str| {
        rows.iter()
            .find(|r| r.path.ends_with("exif-rotn-6.jpg") && r.variant == variant)
            .unwrap()
    };
    let (stored, turned) = (find("as-stored"), find("exif-transposed"));
    let on = hash_bytes(&bytes, &DecodeOptions::default()).unwrap();
    let off = hash_bytes(
        &bytes,
        &DecodeOptions {
            apply_exif_orientation: false,
            ..DecodeOptions::default()
        },
    )
    .unwrap();
    assert!(on.hashes[0].distance(&turned.hashes[0]) <= 10);
    assert!(on.hashes[0].distance(&stored.hashes[0]) > 60);
    assert!(off.hashes[0].distance(&stored.hashes[0]) <= 10);
    // The full decode rotates too.
    let img = decode_image(&bytes, &DecodeOptions::default()).unwrap();
    assert_eq!((img.width(), img.height()), (3024, 4032));
}

#[test]
fn images_under_5_pixels_hash_to_zero_with_quality_0() {
    for (w, h) in [(4u32, 100u32), (100, 4), (1, 1), (0, 0)] {
        let rgb = vec![200u8; (w * h * 3) as usize];
        let d = dihedral_rgb8(w, h, &rgb).unwrap();
        assert_eq!(d.quality, 0);
        assert!(d.hashes.iter().all(|x| *x == Hash256::ZERO));
        assert_eq!(hash_rgb8(w, h, &rgb).unwrap().hash, Hash256::ZERO);
    }
    let tiny = DynamicImage::new_rgb8(3, 3);
    let mut png = Vec::new();
    tiny.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let d = hash_bytes(&png, &DecodeOptions::default()).unwrap();
    assert_eq!((d.quality, d.hashes[0]), (0, Hash256::ZERO));
    // 5x5 is hashed.
    let rgb: Vec<u8> = (0..75).map(|k| (k * 37 % 256) as u8).collect();
    assert_ne!(hash_rgb8(5, 5, &rgb).unwrap().hash, Hash256::ZERO);
}

#[test]
fn the_single_hash_is_the_first_dihedral_variant() {
    let bytes = read(&data(
        "pdq/decoded-rgb/reg-test-input/labelme-subset/q0122.png",
    ));
    let img = decode_image(&bytes, &DecodeOptions::default()).unwrap();
    assert_eq!(hash_image(&img), dihedral_image(&img).original());
    assert_eq!(VARIANT_NAMES[0], "orig");
    assert_eq!((ALGORITHM, ALGORITHM_VERSION), ("pdq", 1));
}

fn photo_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(data("photos")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(
                ext.to_ascii_lowercase().as_str(),
                "jpg" | "jpeg" | "png" | "webp"
            ) {
                files.push(f);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 90, "photos missing: {}", files.len());
    files
}

/// The DCT-scaled JPEG decode stays within 10 bits of the full decode, for all eight
/// variants, on every photo of `shared/data/photos/`.
#[test]
fn fast_jpeg_stays_close_to_full_decode() {
    let full = DecodeOptions {
        fast_jpeg: false,
        ..DecodeOptions::default()
    };
    let fast = DecodeOptions::default();
    let mut worst = (0, String::new());
    let mut failures = Vec::new();
    for f in photo_files() {
        let bytes = read(&f);
        let a = hash_bytes(&bytes, &full).unwrap();
        let b = hash_bytes(&bytes, &fast).unwrap();
        let d = a
            .hashes
            .iter()
            .zip(&b.hashes)
            .map(|(x, y)| x.distance(y))
            .max()
            .unwrap();
        if d > worst.0 {
            worst = (d, f.display().to_string());
        }
        if d > 10 {
            failures.push(format!("{}: {d} bits", f.display()));
        }
    }
    eprintln!(
        "fast vs full JPEG decode: worst {} bits ({})",
        worst.0, worst.1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------- hostile input

fn small_jpeg() -> Vec<u8> {
    read(&data("pdq/bridge-mods/square-256x256.jpg"))
}

fn small_png() -> Vec<u8> {
    read(&data("pdq/decoded-rgb/bridge-mods/square-128x128.png"))
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
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

/// A valid PNG signature and IHDR claiming `w x h` RGB pixels, followed by a tiny IDAT.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], body: &[u8]| {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend_from_slice(body);
        out.extend_from_slice(&typed);
        out.extend_from_slice(&crc32(&typed).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

/// A real JPEG whose SOF header is patched to claim `w x h`.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = small_jpeg();
    let sof = (0..bytes.len() - 1)
        .find(|&i| bytes[i] == 0xFF && matches!(bytes[i + 1], 0xC0..=0xC2))
        .unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

#[test]
fn headers_claiming_huge_dimensions_are_refused_before_decoding() {
    let opts = DecodeOptions::default();
    for bytes in [
        png_claiming(100_000, 100_000),
        png_claiming(1, u32::MAX >> 1),
    ] {
        let err = hash_bytes(&bytes, &opts).unwrap_err();
        assert!(
            matches!(err, PdqError::TooLarge { .. } | PdqError::MemoryLimit(_)),
            "{err}"
        );
    }
    assert!(matches!(
        hash_bytes(&png_claiming(100_000, 100_000), &opts),
        Err(PdqError::TooLarge { .. })
    ));
    for fast_jpeg in [true, false] {
        let o = DecodeOptions {
            fast_jpeg,
            ..DecodeOptions::default()
        };
        let err = hash_bytes(&jpeg_claiming(65_000, 65_000), &o).unwrap_err();
        assert!(matches!(err, PdqError::TooLarge { .. }), "{err}");
        let err = decode_image(&jpeg_claiming(65_000, 65_000), &o).unwrap_err();
        assert!(matches!(err, PdqError::TooLarge { .. }), "{err}");
    }
    // A tighter pixel limit applies to ordinary images too.
    let tight = DecodeOptions {
        max_pixels: 1000,
        ..DecodeOptions::default()
    };
    assert!(matches!(
        hash_bytes(&small_jpeg(), &tight),
        Err(PdqError::TooLarge { .. })
    ));
}

#[test]
fn oversized_files_are_refused() {
    let opts = DecodeOptions {
        max_bytes: 1000,
        ..DecodeOptions::default()
    };
    assert!(matches!(
        hash_bytes(&small_jpeg(), &opts),
        Err(PdqError::FileTooLarge { .. })
    ));
    let path = data("pdq/bridge-mods/square-256x256.jpg");
    assert!(matches!(
        hash_file(&path, &opts),
        Err(PdqError::FileTooLarge { .. })
    ));
    assert!(hash_file(&path, &DecodeOptions::default()).is_ok());
    assert!(matches!(
        hash_file(Path::new("/nonexistent/x.jpg"), &DecodeOptions::default()),
        Err(PdqError::Io(_))
    ));
}

#[test]
fn garbage_and_truncated_files_are_errors() {
    let opts = DecodeOptions::default();
    assert!(matches!(
        hash_bytes(b"", &opts),
        Err(PdqError::UnsupportedFormat(_))
    ));
    assert!(matches!(
        hash_bytes(b"definitely not an image, just text", &opts),
        Err(PdqError::UnsupportedFormat(_))
    ));
    let mut png_garbage = b"\x89PNG\r\n\x1a\n".to_vec();
    png_garbage.extend_from_slice(&[0x42; 100]);
    assert!(hash_bytes(&png_garbage, &opts).is_err());
    assert!(hash_bytes(&[0xFF, 0xD8, 0xFF, 0x00, 0x13], &opts).is_err());

    let webp = read(&data("pdq/misc-images/modes/F.webp"));
    for (name, bytes) in [("jpeg", small_jpeg()), ("png", small_png()), ("webp", webp)] {
        for fraction in [2, 3, 5, 10] {
            let cut = &bytes[..bytes.len() / fraction];
            for fast_jpeg in [true, false] {
                let o = DecodeOptions {
                    fast_jpeg,
                    ..DecodeOptions::default()
                };
                let r = hash_bytes(cut, &o);
                assert!(r.is_err(), "{name} cut to 1/{fraction} decoded: {r:?}");
            }
        }
    }
    let big = read(&data("photos/products/3023470001015_103.jpg"));
    let r = hash_bytes(&big[..big.len() / 2], &DecodeOptions::default());
    assert!(
        r.is_err(),
        "truncated large JPEG (fast path) decoded: {r:?}"
    );
}

#[test]
fn corrupted_bytes_never_panic() {
    // Flip bytes all over small JPEG, PNG, and WebP files; every outcome must be a value.
    // A flipped header byte can claim a large image that the lenient decoders then fill;
    // a tight pixel limit keeps that quick in a debug build.
    let opts = DecodeOptions {
        max_pixels: 2_000_000,
        ..DecodeOptions::default()
    };
    let webp = read(&data("pdq/misc-images/modes/F.webp"));
    for bytes in [small_jpeg(), small_png(), webp] {
        let mut state = 0x1234_5678u32;
        for round in 0..60 {
            let mut b = bytes.clone();
            for _ in 0..(1 + round % 8) {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let i = (state as usize >> 3) % b.len();
                b[i] ^= (state >> 24) as u8 | 1;
            }
            let _ = hash_bytes(&b, &opts);
        }
    }
}

#[test]
fn rgb_buffers_of_the_wrong_size_are_errors() {
    assert!(matches!(
        hash_rgb8(10, 10, &[0; 299]),
        Err(PdqError::BufferSize { .. })
    ));
    assert!(matches!(
        dihedral_rgb8(10, 10, &[0; 301]),
        Err(PdqError::BufferSize { .. })
    ));
}

/// Measurement behind `FAST_JPEG_MIN_SHORT_SIDE` and `FAST_JPEG_MIN_LONG_SIDE`: the worst
/// distance (over the 8 variants) between full and scaled decode, per (short, long) floor.
/// Run with `--ignored --nocapture`.
#[test]
#[ignore]
fn measure_fast_jpeg_min_side() {
    let full = DecodeOptions {
        fast_jpeg: false,
        ..DecodeOptions::default()
    };
    let sides = [(256u32, 0u32), (512, 0), (768, 0), (1024, 0), (768, 1536)];
    let mut worst = vec![0u32; sides.len()];
    for f in photo_files() {
        let bytes = read(&f);
        let Ok(a) = hash_bytes(&bytes, &full) else {
            continue;
        };
        let mut line = format!("{:60}", f.file_name().unwrap().to_string_lossy());
        for (k, &(short, long)) in sides.iter().enumerate() {
            let Ok(Some(img)) = libjpeg::decode_grey_scaled(&bytes, &full, short, long) else {
                line.push_str("    -");
                continue;
            };
            let b = dihedral_image(&img);
            let d = a
                .hashes
                .iter()
                .zip(&b.hashes)
                .map(|(x, y)| x.distance(y))
                .max()
                .unwrap();
            worst[k] = worst[k].max(d);
            line.push_str(&format!(" {:4}", d));
        }
        eprintln!("{line}");
    }
    eprintln!("(short, long) {sides:?}\nworst {worst:?}");
}

/// Hashing while libjpeg decodes gives exactly the hashes of the decoded grey image.
#[test]
fn streamed_fast_jpeg_hash_equals_the_hash_of_the_scaled_image() {
    let opts = DecodeOptions::default();
    let mut checked = 0;
    for f in photo_files() {
        let bytes = read(&f);
        let Ok(Some(img)) = libjpeg::decode_grey_scaled(
            &bytes,
            &opts,
            FAST_JPEG_MIN_SHORT_SIDE,
            FAST_JPEG_MIN_LONG_SIDE,
        ) else {
            continue;
        };
        let streamed = hash_bytes(&bytes, &opts).unwrap();
        assert_eq!(streamed, dihedral_image(&img), "{}", f.display());
        checked += 1;
        if checked == 12 {
            break;
        }
    }
    assert!(checked >= 5, "only {checked} scalable JPEGs");
}
