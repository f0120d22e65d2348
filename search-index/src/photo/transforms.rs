//! The edits a photo goes through between the right holder's upload and the officer's
//! camera, for the recall tests and `examples/photo_bench.rs` (which includes this file
//! by path). Only the `image` crate is used.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, Rgb, RgbImage};

/// One edit, named for reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edit {
    Jpeg(u8),
    /// Scale both sides by this factor.
    Resize(f32),
    /// Remove this share of the width and of the height, half on each side.
    CropCentre(f32),
    /// Remove this share of the width and of the height from the top and left only.
    CropCorner(f32),
    /// Black bars above and below, together this share of the new height.
    Letterbox(f32),
    Rot90,
    Rot180,
    Rot270,
    /// Rotation about the centre by this many degrees, same canvas, black corners.
    Rotate(f32),
    FlipHorizontal,
    FlipVertical,
    /// A caption in white block letters with a dark outline across the lower third.
    TextOverlay,
}

impl Edit {
    pub fn name(&self) -> String {
        match self {
            Edit::Jpeg(q) => format!("jpeg q{q}"),
            Edit::Resize(f) => format!("resize {:.0}%", f * 100.0),
            Edit::CropCentre(p) => format!("crop {:.0}% centred", p * 100.0),
            Edit::CropCorner(p) => format!("crop {:.0}% top-left", p * 100.0),
            Edit::Letterbox(p) => format!("letterbox {:.0}%", p * 100.0),
            Edit::Rot90 => "rotate 90".into(),
            Edit::Rot180 => "rotate 180".into(),
            Edit::Rot270 => "rotate 270".into(),
            Edit::Rotate(d) => format!("rotate {d} degrees"),
            Edit::FlipHorizontal => "flip horizontal".into(),
            Edit::FlipVertical => "flip vertical".into(),
            Edit::TextOverlay => "text overlay".into(),
        }
    }

    /// The edited photo, re-encoded as a JPEG at quality 90 as a phone would (except
    /// [`Edit::Jpeg`], which sets the quality itself).
    pub fn apply(&self, img: &RgbImage) -> RgbImage {
        let edited = match *self {
            Edit::Jpeg(q) => return jpeg(img, q),
            Edit::Resize(f) => {
                let w = ((img.width() as f32 * f).round() as u32).max(1);
                let h = ((img.height() as f32 * f).round() as u32).max(1);
                imageops::resize(img, w, h, FilterType::Triangle)
            }
            Edit::CropCentre(p) => crop(img, p / 2.0, p / 2.0, p),
            Edit::CropCorner(p) => crop(img, p, p, p),
            Edit::Letterbox(p) => letterbox(img, p),
            Edit::Rot90 => imageops::rotate90(img),
            Edit::Rot180 => imageops::rotate180(img),
            Edit::Rot270 => imageops::rotate270(img),
            Edit::Rotate(d) => rotate(img, d),
            Edit::FlipHorizontal => imageops::flip_horizontal(img),
            Edit::FlipVertical => imageops::flip_vertical(img),
            Edit::TextOverlay => overlay(img),
        };
        jpeg(&edited, 90)
    }
}

/// Encodes and decodes again.
pub fn jpeg(img: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    let encoded = JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(img);
    match encoded
        .ok()
        .and_then(|_| image::load_from_memory(&bytes).ok())
    {
        Some(decoded) => decoded.into_rgb8(),
        None => img.clone(),
    }
}

/// Keeps `1 - p` of each side, starting `left` and `top` (shares) in.
fn crop(img: &RgbImage, left: f32, top: f32, p: f32) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let x = (w * left).round() as u32;
    let y = (h * top).round() as u32;
    let cw = ((w * (1.0 - p)).round() as u32).max(1);
    let ch = ((h * (1.0 - p)).round() as u32).max(1);
    imageops::crop_imm(img, x, y, cw, ch).to_image()
}

fn letterbox(img: &RgbImage, p: f32) -> RgbImage {
    let bars = (img.height() as f32 * p / (1.0 - p)).round() as u32;
    let mut out = RgbImage::new(img.width(), img.height() + bars);
    imageops::replace(&mut out, img, 0, i64::from(bars / 2));
    out
}

fn rotate(img: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = RgbImage::new(w, h);
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        let sx = cos * dx + sin * dy + cx - 0.5;
        let sy = -sin * dx + cos * dy + cy - 0.5;
        if let Some(v) = bilinear(img, sx, sy) {
            *p = v;
        }
    }
    out
}

fn bilinear(img: &RgbImage, x: f32, y: f32) -> Option<Rgb<u8>> {
    if x < 0.0 || y < 0.0 || x > (img.width() - 1) as f32 || y > (img.height() - 1) as f32 {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = (
        (x0 + 1).min(img.width() - 1),
        (y0 + 1).min(img.height() - 1),
    );
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let mut out = [0u8; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let at = |x, y| f32::from(img.get_pixel(x, y)[c]);
        let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
        let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
        *o = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    Some(Rgb(out))
}

/// 5x7 glyphs of the caption "COUNTERFEIT?", one row per byte, bit 4 the left column.
const CAPTION: [[u8; 7]; 12] = [
    [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], // C
    [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], // O
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], // U
    [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11], // N
    [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04], // T
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], // E
    [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11], // R
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10], // F
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], // E
    [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], // I
    [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04], // T
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04], // ?
];

/// Draws the caption across 80% of the width, centred on the line two thirds down.
fn overlay(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    let cell = ((img.width() as f32 * 0.8) / (CAPTION.len() as f32 * 6.0)).max(1.0) as u32;
    let text_w = cell * 6 * CAPTION.len() as u32;
    let x0 = (img.width().saturating_sub(text_w)) / 2;
    let y0 = (img.height() * 2 / 3).saturating_sub(cell * 7 / 2);
    for pass in [0u8, 1] {
        // Pass 0 draws a dark outline one cell-third wide, pass 1 the white letters.
        let (grow, colour) = if pass == 0 {
            ((cell / 3).max(1), Rgb([20, 20, 20]))
        } else {
            (0, Rgb([255, 255, 255]))
        };
        for (g, glyph) in CAPTION.iter().enumerate() {
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..5u32 {
                    if bits & (0x10 >> col) == 0 {
                        continue;
                    }
                    let x = x0 + (g as u32 * 6 + col) * cell;
                    let y = y0 + row as u32 * cell;
                    fill(&mut out, x, y, cell, grow, colour);
                }
            }
        }
    }
    out
}

fn fill(img: &mut RgbImage, x: u32, y: u32, cell: u32, grow: u32, colour: Rgb<u8>) {
    let (x_start, y_start) = (x.saturating_sub(grow), y.saturating_sub(grow));
    let x_end = (x + cell + grow).min(img.width());
    let y_end = (y + cell + grow).min(img.height());
    for yy in y_start..y_end {
        for xx in x_start..x_end {
            img.put_pixel(xx, yy, colour);
        }
    }
}

/// The edits of the benchmark, in report order.
pub fn all_edits() -> Vec<Edit> {
    let mut edits: Vec<Edit> = [30, 50, 70, 90].into_iter().map(Edit::Jpeg).collect();
    edits.push(Edit::Resize(0.25));
    edits.extend([0.05, 0.1, 0.15, 0.2].into_iter().map(Edit::CropCentre));
    edits.extend([0.05, 0.1].into_iter().map(Edit::CropCorner));
    edits.push(Edit::Letterbox(0.2));
    edits.extend([Edit::Rot90, Edit::Rot180, Edit::Rot270]);
    edits.extend([Edit::Rotate(3.0), Edit::Rotate(-3.0)]);
    edits.extend([Edit::FlipHorizontal, Edit::FlipVertical, Edit::TextOverlay]);
    edits
}

/// A distractor cut from `source`: a random crop of 20% to 70% of each side, or a tile
/// of a 3x3 grid, scaled by 0.5 to 1; `pick(n)` returns a random number below `n`.
pub fn distractor(source: &DynamicImage, mut pick: impl FnMut(u32) -> u32) -> DynamicImage {
    let (w, h) = (source.width().max(4), source.height().max(4));
    let (x, y, cw, ch) = if pick(4) == 0 {
        let (tx, ty) = (pick(3), pick(3));
        (tx * w / 3, ty * h / 3, w / 3, h / 3)
    } else {
        let cw = (w * (20 + pick(51)) / 100).max(2);
        let ch = (h * (20 + pick(51)) / 100).max(2);
        (pick(w - cw + 1), pick(h - ch + 1), cw, ch)
    };
    let tile = source.crop_imm(x, y, cw, ch);
    let scale = 50 + pick(51);
    let nw = (cw * scale / 100).max(8);
    let nh = (ch * scale / 100).max(8);
    tile.resize_exact(nw, nh, FilterType::Triangle)
}
