//! Search by photo: PDQ made tolerant of letterboxing, cropping and small rotations,
//! cheaply.
//!
//! Plain PDQ hashes the whole frame, so black bars, a 10% crop or a 3-degree tilt (with
//! its black corners) move it by 60 bits or more. Here every image is first reduced to a
//! grey working copy (long side at most 512 pixels), its uniform borders (letterbox or
//! pillarbox bars, plain margins) are trimmed, and then several *regions* of what is left
//! are each resampled to 64x64 by exact area averaging and hashed with PDQ:
//!
//! | region | what | indexed | queried |
//! |---|---|---|---|
//! | 0 | the whole trimmed frame | yes | yes |
//! | 1, 2, 3 | centred 90%, 80% and 70% | yes | yes |
//! | 4 to 7 | 90% anchored at each corner | yes | no |
//! | 8 | the untrimmed frame, when trimming removed something | yes | yes |
//!
//! A query hashes the centred 100, 95, 90, 85, 80 and 70% of its trimmed frame, its 95%
//! anchored at each corner, its untrimmed frame when trimming removed something, and its
//! centred 70% turned back by
//! 3 degrees either way, each with all eight dihedral variants, and searches the exact
//! Hamming index within distance 31. A centred crop of the query lines up with a centred
//! region of the indexed image (a 15% crop seen at 95% is the indexed 80%), an
//! off-centre crop with a corner region, and a photo tilted by about 3 degrees, turned
//! back, with the indexed 70% (which holds none of the black corners). Hashes of quality
//! below [`MIN_QUALITY`] never match.
//!
//! Both sides keep their untrimmed frame as well because trimming depends on resolution:
//! a shaded paper margin can pass as uniform line by line in a 400-pixel photo but not
//! in the same photo shrunk to 100 pixels, whose lines have 4 times fewer pixels, so the
//! few that shading or JPEG ringing push past the tolerance weigh 4 times more. Trimmed
//! on one side only, the two were 90 bits apart (`upc1.jpg` of the shared product
//! photos); region 8 lines them up again.

use std::collections::HashMap;

use image::DynamicImage;

use crate::hamming::HammingIndex;
use crate::pdq::{self, LUMA_SIDE};
use crate::Hash256;

/// Name stored with every region hash.
pub const ALGORITHM: &str = "pdq-regions";
/// Bumped whenever a change could alter any stored region hash.
pub const ALGORITHM_VERSION: u32 = 1;
/// The largest distance that counts as a match, as PDQ's authors recommend.
pub const MAX_DISTANCE: u32 = 31;
/// Hashes below this quality are never used to match, on either side.
pub const MIN_QUALITY: u8 = 50;
/// Region hashes kept per indexed image: [`REGIONS`] and the untrimmed frame.
pub const MAX_REGIONS: usize = REGIONS.len() + 1;
/// The region number of the untrimmed frame, indexed only when trimming removed something.
/// Added after version 1 was first stored; it changes no other region's hash, so images
/// stored without it stay valid and simply lack it.
pub const UNTRIMMED_REGION: u8 = REGIONS.len() as u8;

/// The working copy's long side.
const WORK_SIDE: u32 = 512;
/// Regions as fractions (x0, y0, x1, y1) of the trimmed frame.
const REGIONS: [[f32; 4]; 8] = [
    [0.0, 0.0, 1.0, 1.0],
    [0.05, 0.05, 0.95, 0.95],
    [0.1, 0.1, 0.9, 0.9],
    [0.15, 0.15, 0.85, 0.85],
    [0.0, 0.0, 0.9, 0.9],
    [0.1, 0.0, 1.0, 0.9],
    [0.0, 0.1, 0.9, 1.0],
    [0.1, 0.1, 1.0, 1.0],
];
/// The query's regions anchored at each corner, keeping 95% of each side: with the
/// query's whole frame they line up with the indexed 90% corners for one-sided crops of
/// 5 and 10%.
const QUERY_CORNERS: [[f32; 4]; 4] = [
    [0.0, 0.0, 0.95, 0.95],
    [0.05, 0.0, 1.0, 0.95],
    [0.0, 0.05, 0.95, 1.0],
    [0.05, 0.05, 1.0, 1.0],
];
/// Centred regions a query hashes, as the share of each side kept. Against the indexed
/// 100/90/80/70% regions they line up with centred crops of 5 to 20% within about 1%.
const QUERY_CENTRES: [f32; 6] = [1.0, 0.95, 0.9, 0.85, 0.8, 0.7];
/// The query's centred 70% region is also hashed turned back by these angles, for tilted
/// photos (a 3-degree tilt moves a 64x64 PDQ hash by 40 to 80 bits).
const QUERY_TILTS: [f32; 2] = [-3.0, 3.0];
/// A border line is uniform when this share of its pixels is within [`BORDER_TOLERANCE`]
/// grey levels of its median.
const BORDER_SHARE: f32 = 0.97;
const BORDER_TOLERANCE: f32 = 14.0;
/// Trimming keeps at least this share of each side.
const MIN_KEEP: f32 = 0.4;

/// One region's PDQ hash (the image as given, not a dihedral variant) and its quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionHash {
    pub region: u8,
    pub hash: Hash256,
    pub quality: u8,
}

/// A grey working copy, values 0..=255 as PDQ's luma.
struct Grey {
    width: usize,
    height: usize,
    pixels: Vec<f32>,
}

/// A rectangle in working-copy pixels, `x0..x1` by `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

impl Rect {
    fn part(&self, f: [f32; 4]) -> Rect {
        let (w, h) = (self.x1 - self.x0, self.y1 - self.y0);
        Rect {
            x0: self.x0 + f[0] * w,
            y0: self.y0 + f[1] * h,
            x1: self.x0 + f[2] * w,
            y1: self.y0 + f[3] * h,
        }
    }
}

fn working_copy(img: &DynamicImage) -> Grey {
    let small;
    let source = if img.width().max(img.height()) > WORK_SIDE {
        small = img.thumbnail(WORK_SIDE, WORK_SIDE);
        &small
    } else {
        img
    };
    let rgb = source.to_rgb8();
    let pixels = rgb
        .pixels()
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect();
    Grey {
        width: rgb.width() as usize,
        height: rgb.height() as usize,
        pixels,
    }
}

/// The median of a line when the line is uniform, else `None`.
fn uniform(mut line: Vec<f32>) -> Option<f32> {
    if line.is_empty() {
        return None;
    }
    let mid = line.len() / 2;
    let (_, median, _) = line.select_nth_unstable_by(mid, f32::total_cmp);
    let median = *median;
    let close = line
        .iter()
        .filter(|v| (**v - median).abs() <= BORDER_TOLERANCE)
        .count();
    (close as f32 >= BORDER_SHARE * line.len() as f32).then_some(median)
}

#[derive(Clone, Copy)]
enum Side {
    Top,
    Bottom,
    Left,
    Right,
}

/// Integer bounds `[x0, x1) x [y0, y1)` while trimming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Grey {
    fn line(&self, b: Bounds, side: Side) -> Vec<f32> {
        let at = |x: usize, y: usize| self.pixels[y * self.width + x];
        match side {
            Side::Top => (b.x0..b.x1).map(|x| at(x, b.y0)).collect(),
            Side::Bottom => (b.x0..b.x1).map(|x| at(x, b.y1 - 1)).collect(),
            Side::Left => (b.y0..b.y1).map(|y| at(b.x0, y)).collect(),
            Side::Right => (b.y0..b.y1).map(|y| at(b.x1 - 1, y)).collect(),
        }
    }

    /// Moves one side inwards over uniform lines of one colour; true if it moved.
    fn trim_side(&self, b: &mut Bounds, side: Side) -> bool {
        let min_w = ((self.width as f32 * MIN_KEEP).ceil() as usize).max(1);
        let min_h = ((self.height as f32 * MIN_KEEP).ceil() as usize).max(1);
        let mut colour = None;
        let mut moved = false;
        loop {
            let room = match side {
                Side::Top | Side::Bottom => b.y1 - b.y0 > min_h,
                Side::Left | Side::Right => b.x1 - b.x0 > min_w,
            };
            if !room {
                return moved;
            }
            let Some(median) = uniform(self.line(*b, side)) else {
                return moved;
            };
            let first = *colour.get_or_insert(median);
            if (median - first).abs() > BORDER_TOLERANCE {
                return moved;
            }
            match side {
                Side::Top => b.y0 += 1,
                Side::Bottom => b.y1 -= 1,
                Side::Left => b.x0 += 1,
                Side::Right => b.x1 -= 1,
            }
            moved = true;
        }
    }

    /// The frame without its uniform borders; repeated so that a black bar around a
    /// white margin goes too.
    fn trimmed(&self) -> Rect {
        let mut b = Bounds {
            x0: 0,
            y0: 0,
            x1: self.width,
            y1: self.height,
        };
        for _ in 0..4 {
            let mut moved = false;
            for side in [Side::Top, Side::Bottom, Side::Left, Side::Right] {
                moved |= self.trim_side(&mut b, side);
            }
            if !moved {
                break;
            }
        }
        Rect {
            x0: b.x0 as f32,
            y0: b.y0 as f32,
            x1: b.x1 as f32,
            y1: b.y1 as f32,
        }
    }

    fn full(&self) -> Rect {
        Rect {
            x0: 0.0,
            y0: 0.0,
            x1: self.width as f32,
            y1: self.height as f32,
        }
    }

    /// A copy turned by `degrees` about the centre of `frame` (bilinear; black outside).
    fn rotated(&self, degrees: f32, frame: &Rect) -> Grey {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let (cx, cy) = ((frame.x0 + frame.x1) / 2.0, (frame.y0 + frame.y1) / 2.0);
        let (w, h) = (self.width, self.height);
        let mut pixels = vec![0.0f32; w * h];
        for (y, row) in pixels.chunks_mut(w).enumerate() {
            let dy = y as f32 + 0.5 - cy;
            for (x, out) in row.iter_mut().enumerate() {
                let dx = x as f32 + 0.5 - cx;
                let sx = cos * dx + sin * dy + cx - 0.5;
                let sy = -sin * dx + cos * dy + cy - 0.5;
                *out = self.bilinear(sx, sy);
            }
        }
        Grey {
            width: w,
            height: h,
            pixels,
        }
    }

    fn bilinear(&self, x: f32, y: f32) -> f32 {
        if x < 0.0 || y < 0.0 || x > (self.width - 1) as f32 || y > (self.height - 1) as f32 {
            return 0.0;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |x: usize, y: usize| self.pixels[y * self.width + x];
        let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
        let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// `rect` resampled to 64x64 by exact area averaging, then hashed.
    fn hash_region(&self, rect: Rect) -> pdq::PdqDihedral {
        let wx = weights(rect.x0, rect.x1, self.width);
        let wy = weights(rect.y0, rect.y1, self.height);
        // Horizontal pass over the rows the region touches.
        let first_row = wy.iter().flatten().map(|(k, _)| *k).min().unwrap_or(0);
        let last_row = wy.iter().flatten().map(|(k, _)| *k).max().unwrap_or(0);
        let mut rows = vec![[0.0f32; LUMA_SIDE]; last_row + 1 - first_row];
        for (r, row) in rows.iter_mut().enumerate() {
            let src = &self.pixels[(first_row + r) * self.width..(first_row + r + 1) * self.width];
            for (out, taps) in row.iter_mut().zip(&wx) {
                *out = taps.iter().map(|(k, w)| src[*k] * w).sum();
            }
        }
        let mut buf = Box::new([[0.0f32; LUMA_SIDE]; LUMA_SIDE]);
        for (out_row, taps) in buf.iter_mut().zip(&wy) {
            for (k, w) in taps {
                for (o, v) in out_row.iter_mut().zip(&rows[k - first_row]) {
                    *o += v * w;
                }
            }
        }
        pdq::dihedral_luma64(&buf)
    }
}

/// For each of 64 output cells over `[a, b)`, the source pixels (`0..len`) it covers and
/// their normalised overlap.
fn weights(a: f32, b: f32, len: usize) -> Vec<Vec<(usize, f32)>> {
    let a = a.clamp(0.0, len as f32);
    let b = b.clamp(a, len as f32);
    let step = (b - a) / LUMA_SIDE as f32;
    (0..LUMA_SIDE)
        .map(|i| {
            let lo = a + i as f32 * step;
            let hi = (lo + step).max(lo + 1e-3);
            let first = (lo.floor() as usize).min(len.saturating_sub(1));
            let last = (hi.ceil() as usize).clamp(first + 1, len);
            let mut taps: Vec<(usize, f32)> = (first..last)
                .map(|k| {
                    let overlap = (hi.min(k as f32 + 1.0) - lo.max(k as f32)).max(0.0);
                    (k, overlap)
                })
                .filter(|(_, w)| *w > 0.0)
                .collect();
            if taps.is_empty() {
                taps.push((first, 1.0));
            }
            let total: f32 = taps.iter().map(|(_, w)| w).sum();
            for tap in &mut taps {
                tap.1 /= total;
            }
            taps
        })
        .collect()
}

/// The region hashes to index for an image: every one of [`REGIONS`], and the untrimmed
/// frame when trimming removed something, whatever their quality (low-quality ones are
/// skipped when matching).
pub fn index_hashes(img: &DynamicImage) -> Vec<RegionHash> {
    let grey = working_copy(img);
    if grey.width < 2 || grey.height < 2 {
        return Vec::new();
    }
    let frame = grey.trimmed();
    let region_hash = |region: u8, rect: Rect| {
        let d = grey.hash_region(rect);
        RegionHash {
            region,
            hash: d.hashes[0],
            quality: d.quality,
        }
    };
    let mut hashes: Vec<RegionHash> = (0..UNTRIMMED_REGION)
        .zip(REGIONS)
        .map(|(region, f)| region_hash(region, frame.part(f)))
        .collect();
    if frame != grey.full() {
        hashes.push(region_hash(UNTRIMMED_REGION, grey.full()));
    }
    hashes
}

/// The hashes one photo is searched with: each usable region's eight dihedral variants.
#[derive(Debug, Clone, Default)]
pub struct PhotoQuery {
    hashes: Vec<Hash256>,
    /// The dihedral variant (index into [`pdq::VARIANT_NAMES`]) of each hash.
    variants: Vec<u8>,
    /// The best quality among the regions.
    pub best_quality: u8,
}

impl PhotoQuery {
    /// Hashes the query regions of a photo.
    pub fn of_image(img: &DynamicImage) -> PhotoQuery {
        let grey = working_copy(img);
        let mut query = PhotoQuery::default();
        if grey.width < 2 || grey.height < 2 {
            return query;
        }
        let frame = grey.trimmed();
        for keep in QUERY_CENTRES {
            let m = (1.0 - keep) / 2.0;
            query.add(grey.hash_region(frame.part([m, m, 1.0 - m, 1.0 - m])));
        }
        for corner in QUERY_CORNERS {
            query.add(grey.hash_region(frame.part(corner)));
        }
        if frame != grey.full() {
            query.add(grey.hash_region(grey.full()));
        }
        for degrees in QUERY_TILTS {
            let turned = grey.rotated(degrees, &frame);
            query.add(turned.hash_region(frame.part(REGIONS[3])));
        }
        query
    }

    fn add(&mut self, d: pdq::PdqDihedral) {
        self.best_quality = self.best_quality.max(d.quality);
        if d.quality < MIN_QUALITY {
            return;
        }
        for (v, hash) in d.hashes.iter().enumerate() {
            self.hashes.push(*hash);
            self.variants.push(u8::try_from(v).unwrap_or(0));
        }
    }

    /// True when no region of the photo had enough detail to match on.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn hashes(&self) -> &[Hash256] {
        &self.hashes
    }
}

/// One indexed image found by a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoMatch {
    pub image_id: u64,
    pub distance: u32,
    /// Which dihedral variant of the photo matched (index into [`pdq::VARIANT_NAMES`]).
    pub variant: u8,
    /// Which region of the indexed image matched.
    pub region: u8,
}

impl PhotoMatch {
    pub fn variant_name(&self) -> &'static str {
        pdq::VARIANT_NAMES
            .get(usize::from(self.variant))
            .copied()
            .unwrap_or("orig")
    }
}

/// An exact Hamming index of the region hashes of images, keyed by image id.
#[derive(Debug, Clone, Default)]
pub struct PhotoIndex {
    codes: HammingIndex,
}

/// Bits of a code id that hold the region.
const REGION_BITS: u32 = 4;
const REGION_MASK: u64 = (1 << REGION_BITS) - 1;

/// Region hashes are stored under `image_id * 16 + region`.
fn code_id(image_id: u64, region: u8) -> u64 {
    (image_id << REGION_BITS) | (u64::from(region) & REGION_MASK)
}

impl PhotoIndex {
    pub fn new() -> PhotoIndex {
        PhotoIndex::default()
    }

    /// Replaces the hashes of an image; those below [`MIN_QUALITY`] are not kept. Image
    /// ids must be below 2^60.
    pub fn insert(&mut self, image_id: u64, hashes: &[RegionHash]) {
        self.remove(image_id);
        for h in hashes {
            if h.quality >= MIN_QUALITY && usize::from(h.region) < MAX_REGIONS {
                self.codes.insert(code_id(image_id, h.region), h.hash);
            }
        }
    }

    /// Removes every hash of an image; false if it had none.
    pub fn remove(&mut self, image_id: u64) -> bool {
        let mut any = false;
        for region in 0..MAX_REGIONS as u8 {
            any |= self.codes.remove(code_id(image_id, region));
        }
        any
    }

    /// Hashes held (up to [`MAX_REGIONS`] per image).
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn memory_bytes(&self) -> usize {
        self.codes.memory_bytes()
    }

    /// Every image with a region within `max_distance` of any query hash, once, with its
    /// best distance; best first (then by image id).
    pub fn search(&self, query: &PhotoQuery, max_distance: u32) -> Vec<PhotoMatch> {
        let mut best: HashMap<u64, PhotoMatch> = HashMap::new();
        for hit in self.codes.range(&query.hashes, max_distance) {
            let found = PhotoMatch {
                image_id: hit.id >> REGION_BITS,
                distance: hit.distance,
                variant: query.variants.get(hit.variant).copied().unwrap_or(0),
                region: (hit.id & REGION_MASK) as u8,
            };
            best.entry(found.image_id)
                .and_modify(|m| {
                    if found.distance < m.distance {
                        *m = found;
                    }
                })
                .or_insert(found);
        }
        let mut matches: Vec<PhotoMatch> = best.into_values().collect();
        matches.sort_unstable_by_key(|m| (m.distance, m.image_id));
        matches
    }
}

/// Region hashes as stored beside an image: `pdq-regions/1;0:<hex>:<quality>;1:...`.
pub fn encode(hashes: &[RegionHash]) -> String {
    let mut out = format!("{ALGORITHM}/{ALGORITHM_VERSION}");
    for h in hashes {
        out.push_str(&format!(";{}:{}:{}", h.region, h.hash.to_hex(), h.quality));
    }
    out
}

/// Reads what [`encode`] wrote; `None` for another algorithm or version, or a damaged
/// value (the caller then falls back to the image's plain PDQ hash).
pub fn decode(text: &str) -> Option<Vec<RegionHash>> {
    let mut parts = text.split(';');
    if parts.next()? != format!("{ALGORITHM}/{ALGORITHM_VERSION}") {
        return None;
    }
    parts
        .map(|part| {
            let mut fields = part.split(':');
            let region = fields.next()?.parse().ok()?;
            let hash = Hash256::from_hex(fields.next()?).ok()?;
            let quality = fields.next()?.parse().ok()?;
            Some(RegionHash {
                region,
                hash,
                quality,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod transforms;
