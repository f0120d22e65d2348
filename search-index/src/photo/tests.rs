use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};

use super::transforms::{self, Edit};
use super::*;

const PHOTOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/photos");

fn jpgs(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(PHOTOS).join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "png"))
        .collect();
    files.sort();
    files
}

/// Decoded and shrunk to a long side of at most `side`, as the display copy would be.
fn load(path: &Path, side: u32) -> RgbImage {
    let img = image::open(path).unwrap();
    if img.width().max(img.height()) > side {
        img.resize(side, side, FilterType::Triangle).into_rgb8()
    } else {
        img.into_rgb8()
    }
}

#[test]
fn encode_and_decode_round_trip() {
    let img = DynamicImage::ImageRgb8(load(&jpgs("products")[0], 800));
    let hashes = index_hashes(&img);
    assert!(hashes.len() >= MAX_REGIONS - 1, "{}", hashes.len());
    assert_eq!(decode(&encode(&hashes)).unwrap(), hashes);
    assert!(decode("pdq-regions/0;0:00:90").is_none());
    assert!(decode("pdq-regions/1;0:zz:90").is_none());
    assert!(decode("").is_none());
}

#[test]
fn trimming_finds_letterbox_bars_and_keeps_plain_photos() {
    let img = load(&jpgs("products")[1], 600);
    let grey = working_copy(&DynamicImage::ImageRgb8(img.clone()));
    let frame = grey.trimmed();
    let boxed = Edit::Letterbox(0.3).apply(&img);
    let boxed_grey = working_copy(&DynamicImage::ImageRgb8(boxed));
    let boxed_frame = boxed_grey.trimmed();
    // The bars are 15% of the height each; what is left is the photo, within a line or two.
    let bar = boxed_grey.height as f32 * 0.15;
    assert!(
        (boxed_frame.y0 - bar - frame.y0).abs() < 3.0,
        "{boxed_frame:?}"
    );
    assert!(
        (boxed_grey.height as f32 - boxed_frame.y1 - bar).abs()
            < 3.0 + grey.height as f32 - frame.y1,
        "{boxed_frame:?}"
    );
}

#[test]
fn a_photo_without_detail_gives_an_empty_query() {
    let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(300, 200, image::Rgb([90, 90, 90])));
    let query = PhotoQuery::of_image(&flat);
    assert!(query.is_empty());
    let mut index = PhotoIndex::new();
    index.insert(1, &index_hashes(&flat));
    assert!(index.is_empty(), "low-quality hashes are not indexed");
}

#[test]
fn insert_replaces_and_remove_removes() {
    let img = DynamicImage::ImageRgb8(load(&jpgs("products")[2], 600));
    let hashes = index_hashes(&img);
    let mut index = PhotoIndex::new();
    index.insert(7, &hashes);
    let held = index.len();
    assert!(held > 0 && held <= MAX_REGIONS);
    index.insert(7, &hashes);
    assert_eq!(index.len(), held);
    let found = index.search(&PhotoQuery::of_image(&img), MAX_DISTANCE);
    assert_eq!(found[0].image_id, 7);
    assert_eq!(found[0].distance, 0);
    assert_eq!(found[0].variant_name(), "orig");
    assert!(index.remove(7));
    assert!(index.is_empty());
    assert!(!index.remove(7));
}

/// Recall@1 per edit of the product photos among distractors cut from the wallpapers,
/// and the number of queries that also matched some other image.
fn recall(targets: &[RgbImage], distractors: usize) -> Vec<(Edit, f32, usize)> {
    let mut index = PhotoIndex::new();
    for (id, target) in targets.iter().enumerate() {
        index.insert(
            id as u64,
            &index_hashes(&DynamicImage::ImageRgb8(target.clone())),
        );
    }
    let sources: Vec<DynamicImage> = jpgs("wallpapers")
        .iter()
        .map(|p| DynamicImage::ImageRgb8(load(p, 768)))
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut pick = |n: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(n.max(1))) as u32
    };
    for d in 0..distractors {
        let source = &sources[d % sources.len()];
        let img = transforms::distractor(source, &mut pick);
        index.insert(1_000_000 + d as u64, &index_hashes(&img));
    }
    transforms::all_edits()
        .into_iter()
        .map(|edit| {
            let mut hits = 0;
            let mut false_matches = 0;
            for (id, target) in targets.iter().enumerate() {
                let query = PhotoQuery::of_image(&DynamicImage::ImageRgb8(edit.apply(target)));
                let found = index.search(&query, MAX_DISTANCE);
                if found.first().is_some_and(|m| m.image_id == id as u64) {
                    hits += 1;
                }
                if found.iter().any(|m| m.image_id != id as u64) {
                    false_matches += 1;
                }
            }
            (edit, hits as f32 / targets.len() as f32, false_matches)
        })
        .collect()
}

/// The bars of the issue on every product photo (the full figures, against 10,000
/// distractors, come from `examples/photo_bench.rs`).
#[test]
fn recall_of_edited_product_photos_among_distractors() {
    // At most 800 pixels: enough to see each edit work while keeping the test quick.
    let targets: Vec<RgbImage> = jpgs("products").iter().map(|p| load(p, 800)).collect();
    assert!(targets.len() >= 30, "product photos missing");
    let table = recall(&targets, 300);
    for (edit, recall, false_matches) in &table {
        eprintln!(
            "{:<22} recall@1 {recall:.3} false {false_matches}",
            edit.name()
        );
    }
    for (edit, recall, false_matches) in table {
        // Resizing includes `upc1.jpg`, whose paper margin is trimmed at 400 pixels but
        // not at 100: it is found through the indexed untrimmed frame (region 8). The
        // issue sets no bar for crops of 5, 15 and 20%; 0.8 guards them.
        let bar = match edit {
            Edit::Jpeg(_) | Edit::Resize(_) => 0.99,
            Edit::Rot90 | Edit::Rot180 | Edit::Rot270 => 0.99,
            Edit::FlipHorizontal | Edit::FlipVertical => 0.99,
            Edit::Letterbox(_) => 0.95,
            Edit::CropCentre(p) | Edit::CropCorner(p) if (p - 0.1).abs() < 1e-6 => 0.9,
            Edit::CropCentre(_) | Edit::CropCorner(_) => 0.8,
            Edit::TextOverlay => 0.9,
            Edit::Rotate(_) => 0.8,
        };
        assert!(recall >= bar, "{}: recall@1 {recall} < {bar}", edit.name());
        assert_eq!(false_matches, 0, "{}: false matches", edit.name());
    }
}
