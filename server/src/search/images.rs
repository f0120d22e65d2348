//! The image-hash index of this node: the region hashes (`search_index::photo`) of the
//! images of searchable products, with the maps from image to product and back.

use std::collections::HashMap;

use search_index::photo::{self, PhotoIndex, PhotoMatch, PhotoQuery, RegionHash};
use search_index::Hash256;

#[derive(Default)]
pub struct ImageIndex {
    hashes: PhotoIndex,
    product_of: HashMap<u64, i64>,
    images_of: HashMap<i64, Vec<u64>>,
}

/// Whether an image can match photos: some region hash of it is good enough.
pub fn is_matchable(regions: &[RegionHash]) -> bool {
    regions.iter().any(|r| r.quality >= photo::MIN_QUALITY)
}

/// The hashes to index for one stored image: its region hashes, or for an image stored
/// before they existed (or by another algorithm version), its plain PDQ hash alone.
pub fn regions_of(pdq_hex: &str, quality: i32, region_pdq: &str) -> Vec<RegionHash> {
    if let Some(regions) = photo::decode(region_pdq) {
        return regions;
    }
    match Hash256::from_hex(pdq_hex) {
        Ok(hash) => vec![RegionHash {
            region: 0,
            hash,
            quality: u8::try_from(quality.clamp(0, 100)).unwrap_or(0),
        }],
        Err(_) => Vec::new(),
    }
}

impl ImageIndex {
    pub fn clear(&mut self) {
        *self = ImageIndex::default();
    }

    /// Images with at least one hash good enough to match on.
    pub fn len(&self) -> usize {
        self.product_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.product_of.is_empty()
    }

    /// Replaces the indexed images of a product (an empty list removes them); hashes
    /// below `photo::MIN_QUALITY` are left out.
    pub fn set_product(&mut self, product: i64, images: &[(i64, Vec<RegionHash>)]) {
        for old in self.images_of.remove(&product).unwrap_or_default() {
            self.hashes.remove(old);
            self.product_of.remove(&old);
        }
        let mut ids = Vec::with_capacity(images.len());
        for (image, regions) in images {
            let Ok(id) = u64::try_from(*image) else {
                continue;
            };
            if !is_matchable(regions) {
                continue;
            }
            self.hashes.insert(id, regions);
            self.product_of.insert(id, product);
            ids.push(id);
        }
        if !ids.is_empty() {
            self.images_of.insert(product, ids);
        }
    }

    /// Images within `max_distance` of the photo, best first, as (product id, match).
    pub fn search(&self, query: &PhotoQuery, max_distance: u32) -> Vec<(i64, PhotoMatch)> {
        self.hashes
            .search(query, max_distance)
            .into_iter()
            .filter_map(|m| {
                self.product_of
                    .get(&m.image_id)
                    .map(|product| (*product, m))
            })
            .collect()
    }
}
