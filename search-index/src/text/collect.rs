//! Collects every matching (visible) document, groups them by product, counts facets per
//! product and ranks products, so totals, paging and facets count products, not documents.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::error::TextIndexError;
use super::model::Facets;

/// At most this many values per facet are returned.
pub(crate) const FACET_LIMIT: usize = 50;

/// Every match of one segment: (product id, score, doc).
pub(crate) struct SegmentMatches {
    segment: SegmentOrdinal,
    matches: Vec<(i64, Score, DocId)>,
}

impl SegmentMatches {
    pub(crate) fn is_empty(&self) -> bool {
        self.matches.is_empty()
    }
}

pub(crate) struct MatchCollector;

pub(crate) struct MatchSegmentCollector {
    ids: Column<i64>,
    out: SegmentMatches,
}

impl Collector for MatchCollector {
    type Fruit = Vec<SegmentMatches>;
    type Child = MatchSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<MatchSegmentCollector> {
        Ok(MatchSegmentCollector {
            ids: reader.fast_fields().i64("product_id")?,
            out: SegmentMatches {
                segment,
                matches: Vec::new(),
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentMatches>) -> tantivy::Result<Vec<SegmentMatches>> {
        Ok(fruits)
    }
}

impl SegmentCollector for MatchSegmentCollector {
    type Fruit = SegmentMatches;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(id) = self.ids.first(doc) {
            self.out.matches.push((id, score, doc));
        }
    }

    fn harvest(self) -> SegmentMatches {
        self.out
    }
}

/// The best-scoring visible document of one product.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProductMatch {
    pub product_id: i64,
    pub score: Score,
    pub doc: DocAddress,
}

/// One entry per product, with its best document.
pub(crate) fn group(fruits: &[SegmentMatches]) -> Vec<ProductMatch> {
    let mut best: HashMap<i64, ProductMatch> = HashMap::new();
    for seg in fruits {
        for &(product_id, score, doc) in &seg.matches {
            let m = ProductMatch {
                product_id,
                score,
                doc: DocAddress::new(seg.segment, doc),
            };
            best.entry(product_id)
                .and_modify(|b| {
                    if score > b.score {
                        *b = m;
                    }
                })
                .or_insert(m);
        }
    }
    best.into_values().collect()
}

/// Sorts so that `products[..offset + limit]` are the best, in order (score, then id).
pub(crate) fn rank(products: &mut [ProductMatch], upto: usize) {
    let cmp = |a: &ProductMatch, b: &ProductMatch| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.product_id.cmp(&b.product_id))
    };
    if upto < products.len() {
        if upto > 0 {
            products.select_nth_unstable_by(upto - 1, cmp);
        }
        products[..upto].sort_unstable_by(cmp);
    } else {
        products.sort_unstable_by(cmp);
    }
}

/// Facet counts over the products (each product counted once, from its best document,
/// which carries the product's facet values whatever its kind).
pub(crate) fn facet_counts(
    searcher: &Searcher,
    products: &[ProductMatch],
) -> Result<Facets, TextIndexError> {
    const NAMES: [&str; 4] = ["brand", "category", "country", "right_holder"];
    let segments = searcher.segment_readers();
    let mut columns: Vec<[Option<StrColumn>; 4]> = Vec::with_capacity(segments.len());
    let mut counts: Vec<[Vec<u32>; 4]> = Vec::with_capacity(segments.len());
    for s in segments {
        let ff = s.fast_fields();
        let cols = [
            ff.str(NAMES[0])?,
            ff.str(NAMES[1])?,
            ff.str(NAMES[2])?,
            ff.str(NAMES[3])?,
        ];
        counts.push(std::array::from_fn(|i| {
            vec![0; cols[i].as_ref().map_or(0, |c| c.num_terms())]
        }));
        columns.push(cols);
    }
    for p in products {
        let seg = p.doc.segment_ord as usize;
        let (Some(cols), Some(cnt)) = (columns.get(seg), counts.get_mut(seg)) else {
            continue;
        };
        for (col, c) in cols.iter().zip(cnt.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(p.doc.doc_id) {
                    if let Some(slot) = c.get_mut(ord as usize) {
                        *slot += 1;
                    }
                }
            }
        }
    }
    // Resolve the counted ordinals to strings in one sorted pass per dictionary.
    let mut merged: [HashMap<String, usize>; 4] = Default::default();
    for (cols, cnt) in columns.iter().zip(counts.iter()) {
        for i in 0..4 {
            let Some(col) = &cols[i] else { continue };
            let (ords, ns): (Vec<u64>, Vec<u32>) = cnt[i]
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(ord, &n)| (ord as u64, n))
                .unzip();
            let mut k = 0;
            col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                if let (Ok(term), Some(&n)) = (std::str::from_utf8(bytes), ns.get(k)) {
                    *merged[i].entry(term.to_string()).or_default() += n as usize;
                }
                k += 1;
            })?;
        }
    }
    let [brand, category, country, right_holder] = merged.map(|m| {
        let mut v: Vec<(String, usize)> = m.into_iter().filter(|(k, _)| !k.is_empty()).collect();
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(FACET_LIMIT);
        v
    });
    Ok(Facets {
        brand,
        category,
        country,
        right_holder,
    })
}
