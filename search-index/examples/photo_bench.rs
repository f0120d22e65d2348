//! Search by photo: recall@1 and false matches of `search_index::photo` against many
//! distractor images, per edit (JPEG quality, resizing, crops, letterbox, rotations,
//! flips, a text overlay).
//!
//! Targets: the real product photos of `shared/data/photos/products/`, shrunk to a long
//! side of 1600 px as the display copy is, each indexed with its region hashes.
//! Distractors: random crops (20% to 70% of each side) and 3x3 tiles, scaled by 0.5 to 1,
//! of the other photos (`photos/wallpapers/`, `photos/samples/` and every image of
//! `shared/data/pdq/`), so none of them shows a target. A query is an edited target; it
//! counts for recall@1 when its best match is the target, and as a false match when any
//! other image is within distance 31.
//!
//!     cargo run --release -p search-index --example photo_bench -- [--distractors N]

use std::path::{Path, PathBuf};
use std::time::Instant;

use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};
use rand::{Rng, SeedableRng};
use search_index::photo::{index_hashes, PhotoIndex, PhotoQuery, MAX_DISTANCE};

#[path = "../src/photo/transforms.rs"]
#[allow(dead_code)]
mod transforms;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");
const DISTRACTOR_BASE: u64 = 1_000_000;

fn images_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("decoded-rgb") {
                images_under(&path, out);
            }
        } else if path.extension().is_some_and(|e| {
            let e = e.to_string_lossy().to_lowercase();
            matches!(
                e.as_str(),
                "jpg" | "jpeg" | "png" | "gif" | "webp" | "bmp" | "tif" | "tiff"
            )
        }) {
            out.push(path);
        }
    }
}

fn load(path: &Path, side: u32) -> Option<RgbImage> {
    let img = image::open(path).ok()?;
    Some(if img.width().max(img.height()) > side {
        img.resize(side, side, FilterType::Triangle).into_rgb8()
    } else {
        img.into_rgb8()
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let mut distractors = 10_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--distractors" {
            distractors = args
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(distractors);
        }
    }
    let mut target_paths = Vec::new();
    images_under(&Path::new(DATA).join("photos/products"), &mut target_paths);
    target_paths.sort();
    let targets: Vec<RgbImage> = target_paths.iter().filter_map(|p| load(p, 1600)).collect();
    let mut source_paths = Vec::new();
    images_under(
        &Path::new(DATA).join("photos/wallpapers"),
        &mut source_paths,
    );
    images_under(&Path::new(DATA).join("photos/samples"), &mut source_paths);
    images_under(&Path::new(DATA).join("pdq"), &mut source_paths);
    source_paths.sort();
    let sources: Vec<DynamicImage> = source_paths
        .iter()
        .filter_map(|p| load(p, 1024))
        .map(DynamicImage::ImageRgb8)
        .collect();
    println!(
        "{} targets, {} distractor sources, {distractors} distractors",
        targets.len(),
        sources.len()
    );

    let started = Instant::now();
    let mut index = PhotoIndex::new();
    for (id, target) in targets.iter().enumerate() {
        index.insert(
            id as u64,
            &index_hashes(&DynamicImage::ImageRgb8(target.clone())),
        );
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut hash_ms = Vec::new();
    for d in 0..distractors {
        let source = &sources[rng.gen_range(0..sources.len())];
        let img = transforms::distractor(source, |n| rng.gen_range(0..n.max(1)));
        let t = Instant::now();
        let hashes = index_hashes(&img);
        hash_ms.push(t.elapsed().as_secs_f64() * 1e3);
        index.insert(DISTRACTOR_BASE + d as u64, &hashes);
    }
    println!(
        "index: {} hashes ({:.1} per image), {:.1} MB, built in {:.1} s; median {:.2} ms to hash a distractor",
        index.len(),
        index.len() as f64 / (targets.len() + distractors) as f64,
        index.memory_bytes() as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        median(hash_ms)
    );

    println!(
        "\n| edit | recall@1 | queries with a false match | false matches | median query ms |"
    );
    println!("|---|---|---|---|---|");
    let mut total_false = 0;
    let mut total_queries = 0;
    for edit in transforms::all_edits() {
        let mut hits = 0;
        let mut false_queries = 0;
        let mut false_matches = 0;
        let mut times = Vec::new();
        for (id, target) in targets.iter().enumerate() {
            let photo = DynamicImage::ImageRgb8(edit.apply(target));
            let t = Instant::now();
            let query = PhotoQuery::of_image(&photo);
            let found = index.search(&query, MAX_DISTANCE);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            if found.first().is_some_and(|m| m.image_id == id as u64) {
                hits += 1;
            }
            let wrong = found.iter().filter(|m| m.image_id != id as u64).count();
            false_matches += wrong;
            if wrong > 0 {
                false_queries += 1;
            }
        }
        total_false += false_queries;
        total_queries += targets.len();
        println!(
            "| {} | {:.3} | {false_queries} | {false_matches} | {:.1} |",
            edit.name(),
            hits as f64 / targets.len() as f64,
            median(times)
        );
    }
    println!("\n{total_false} of {total_queries} queries had a false match");
}
