//! The image-hash index of this node: PDQ hashes of the images of searchable products,
//! with the maps from image to product and back.

use std::collections::HashMap;

use search_index::hamming::{HammingIndex, Hit};
use search_index::Hash256;

#[derive(Default)]
pub struct ImageIndex {
    hashes: HammingIndex,
    product_of: HashMap<u64, i64>,
    images_of: HashMap<i64, Vec<u64>>,
}

impl ImageIndex {
    pub fn clear(&mut self) {
        *self = ImageIndex::default();
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Replaces the indexed images of a product (an empty list removes them).
    pub fn set_product(&mut self, product: i64, images: &[(i64, Hash256)]) {
        for old in self.images_of.remove(&product).unwrap_or_default() {
            self.hashes.remove(old);
            self.product_of.remove(&old);
        }
        if images.is_empty() {
            return;
        }
        let mut ids = Vec::with_capacity(images.len());
        for (image, hash) in images {
            let id = *image as u64;
            self.hashes.insert(id, *hash);
            self.product_of.insert(id, product);
            ids.push(id);
        }
        self.images_of.insert(product, ids);
    }

    pub fn search(&self, queries: &[Hash256], max_distance: u32) -> Vec<(i64, Hit)> {
        self.hashes
            .range(queries, max_distance)
            .into_iter()
            .filter_map(|hit| self.product_of.get(&hit.id).map(|product| (*product, hit)))
            .collect()
    }
}
