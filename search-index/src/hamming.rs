//! An exact Hamming-distance index over 256-bit codes (PDQ hashes).
//!
//! A query is a batch of codes, typically the 8 dihedral variants of one photo; a hit
//! names the entry, its smallest distance to any query and which query (variant) gave
//! it. Results are exactly those of a brute-force scan.
//!
//! # Design, decided by measurement
//! The codes sit in two contiguous vectors, the first 128 bits of every code in one
//! (`Vec<[u64; 2]>`) and the last 128 in the other, with a parallel `Vec<u64>` of ids and
//! a compact id -> slot table (removal is `swap_remove`). A query is one pass over the
//! first vector: each half-code is compared with all the variants while it is in
//! registers, and the second half is only read when the first 128 bits already put some
//! variant within the threshold (for random codes at distance 31 that is about one
//! code in a billion), so a scan streams 16 bytes per code, not 32. The kernel uses the CPU's POPCNT or AVX-512 VPOPCNTDQ, chosen at
//! run time.
//!
//! Multi-index hashing was not adopted: exact search at d = 31 on 256 bits needs 16
//! tables of 16 bits probed at radius 1 (272 probes per variant, each followed by
//! random reads of the candidates), and 16 tables of 4-byte postings alone are 64 bytes
//! per entry, beyond the 100-byte budget once the 32-byte code and 8-byte id are
//! counted. Measured on this machine, FAISS's own `IndexBinaryMultiHash(256, 16, 16)`
//! with `nflip = 1` is no faster than its flat scan at one million codes, and this
//! flat scan is many times faster than both (see BENCHMARKS.md).
//!
//! The index is single-threaded per query by default (a server runs many queries at
//! once); [`HammingIndex::set_threads`] splits one scan across threads.

mod kernel;
mod slots;
#[cfg(test)]
mod tests;

use crate::Hash256;
pub use kernel::Kernel;
use kernel::{Codes, Queries, Visit};
use slots::SlotTable;
use std::collections::BinaryHeap;

/// One result: the entry `id`, its smallest `distance` to any query, and `variant`, the
/// index in the query slice of the query at that distance (the first one on ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hit {
    pub id: u64,
    pub distance: u32,
    pub variant: usize,
}

/// Queries are scanned in groups of this many, each group in one pass.
const GROUP: usize = 8;

/// Below this many entries a scan is not worth splitting across threads.
const MIN_PER_THREAD: usize = 1 << 16;

/// Exact Hamming-distance index; see the module documentation.
#[derive(Debug, Clone)]
pub struct HammingIndex {
    /// Words 0 and 1 of each code.
    lo: Vec<[u64; 2]>,
    /// Words 2 and 3 of each code.
    hi: Vec<[u64; 2]>,
    ids: Vec<u64>,
    slots: SlotTable,
    kernel: Kernel,
    threads: usize,
}

impl Default for HammingIndex {
    fn default() -> Self {
        HammingIndex::new()
    }
}

impl HammingIndex {
    pub fn new() -> Self {
        HammingIndex {
            lo: Vec::new(),
            hi: Vec::new(),
            ids: Vec::new(),
            slots: SlotTable::new(),
            kernel: Kernel::detect(),
            threads: 1,
        }
    }

    /// Builds an index from (id, hash) pairs; a repeated id keeps its last hash.
    pub fn from_entries(entries: impl IntoIterator<Item = (u64, Hash256)>) -> Self {
        let entries = entries.into_iter();
        let mut index = HammingIndex::new();
        let (lower, _) = entries.size_hint();
        index.lo.reserve_exact(lower);
        index.hi.reserve_exact(lower);
        index.ids.reserve_exact(lower);
        index.slots.reserve(lower, &index.ids);
        for (id, hash) in entries {
            index.insert(id, hash);
        }
        index.lo.shrink_to_fit();
        index.hi.shrink_to_fit();
        index.ids.shrink_to_fit();
        index
    }

    /// Uses `kernel` instead of the detected one (for tests and benchmarks); a kernel
    /// the CPU lacks runs as [`Kernel::Portable`].
    pub fn with_kernel(mut self, kernel: Kernel) -> Self {
        self.kernel = kernel;
        self
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Splits each scan across `threads` threads (1, the default, scans on the caller's
    /// thread). Small indexes are never split.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Adds an entry, or replaces the hash of an existing id.
    pub fn insert(&mut self, id: u64, hash: Hash256) {
        if let Some((_, slot)) = self.slots.find(id, &self.ids) {
            let [a, b, c, d] = hash.0;
            self.lo[slot] = [a, b];
            self.hi[slot] = [c, d];
            return;
        }
        assert!(
            self.ids.len() < u32::MAX as usize - 1,
            "a HammingIndex holds fewer than 2^32 - 1 entries"
        );
        if self.ids.len() == self.ids.capacity() {
            // Grow by half, not double, to keep the memory per entry bounded.
            let extra = (self.ids.len() / 2).max(64);
            self.lo.reserve_exact(extra);
            self.hi.reserve_exact(extra);
            self.ids.reserve_exact(extra);
        }
        self.slots.insert_new(id, self.ids.len(), &self.ids);
        let [a, b, c, d] = hash.0;
        self.lo.push([a, b]);
        self.hi.push([c, d]);
        self.ids.push(id);
    }

    /// Removes an entry; false if the id was not there.
    pub fn remove(&mut self, id: u64) -> bool {
        let Some((bucket, slot)) = self.slots.find(id, &self.ids) else {
            return false;
        };
        self.slots.remove_bucket(bucket, &self.ids);
        let last = self.ids.len() - 1;
        if slot != last {
            if let Some((moved, _)) = self.slots.find(self.ids[last], &self.ids) {
                self.slots.set_slot(moved, slot);
            }
        }
        self.lo.swap_remove(slot);
        self.hi.swap_remove(slot);
        self.ids.swap_remove(slot);
        // Shrink when capacity passes 1.75 entries per entry (growth leaves 1.5), so that
        // memory per entry stays bounded and insert/remove at a boundary cannot thrash.
        if self.ids.capacity() > 1024 && self.ids.len() * 7 < self.ids.capacity() * 4 {
            let keep = self.ids.len() + self.ids.len() / 4;
            self.lo.shrink_to(keep);
            self.hi.shrink_to(keep);
            self.ids.shrink_to(keep);
        }
        self.slots.maybe_shrink(&self.ids);
        true
    }

    pub fn get(&self, id: u64) -> Option<Hash256> {
        self.slots
            .find(id, &self.ids)
            .map(|(_, slot)| self.hash_at(slot))
    }

    pub fn contains(&self, id: u64) -> bool {
        self.slots.find(id, &self.ids).is_some()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// All (id, hash) pairs, in storage order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Hash256)> + '_ {
        self.ids
            .iter()
            .enumerate()
            .map(|(slot, &id)| (id, self.hash_at(slot)))
    }

    fn hash_at(&self, slot: usize) -> Hash256 {
        let [a, b] = self.lo[slot];
        let [c, d] = self.hi[slot];
        Hash256([a, b, c, d])
    }

    /// Bytes used: the struct and the capacity of everything it owns.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.lo.capacity() * std::mem::size_of::<[u64; 2]>()
            + self.hi.capacity() * std::mem::size_of::<[u64; 2]>()
            + self.ids.capacity() * std::mem::size_of::<u64>()
            + self.slots.memory_bytes()
    }

    /// Every entry within `max_distance` (inclusive) of any query, once, with its best
    /// variant; sorted by distance, then id.
    pub fn range(&self, queries: &[Hash256], max_distance: u32) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (g, group) in queries.chunks(GROUP).enumerate() {
            let group: Vec<[u64; 4]> = group.iter().map(|h| h.0).collect();
            let found = self.scan_split(&group, || RangeVisit {
                max_distance,
                found: Vec::new(),
            });
            for visit in found {
                hits.extend(
                    visit
                        .found
                        .into_iter()
                        .map(|(slot, distance, variant)| Hit {
                            id: self.ids[slot],
                            distance,
                            variant: g * GROUP + variant,
                        }),
                );
            }
        }
        finish(hits, queries.len() > GROUP, usize::MAX)
    }

    /// The `k` entries nearest to any query (by smallest distance, then id), each once
    /// with its best variant; sorted by distance, then id.
    pub fn nearest(&self, queries: &[Hash256], k: usize) -> Vec<Hit> {
        if k == 0 {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for (g, group) in queries.chunks(GROUP).enumerate() {
            let group: Vec<[u64; 4]> = group.iter().map(|h| h.0).collect();
            let found = self.scan_split(&group, || NearestVisit {
                k,
                ids: &self.ids,
                heap: BinaryHeap::with_capacity(k.min(1 << 16) + 1),
                threshold: u32::MAX,
            });
            for visit in found {
                hits.extend(visit.heap.into_iter().map(|(distance, id, variant)| Hit {
                    id,
                    distance,
                    variant: g * GROUP + variant,
                }));
            }
        }
        // Exact: an entry in the overall top k is in the top k of the group (and the
        // thread chunk) holding its best variant, because everything ranked above it
        // there is ranked above it overall.
        finish(hits, true, k)
    }

    /// Scans all codes against one group of at most 8 queries, on one thread or split
    /// into contiguous chunks; one visitor per chunk.
    fn scan_split<V: Visit + Send>(&self, group: &[[u64; 4]], make: impl Fn() -> V) -> Vec<V> {
        if group.is_empty() || self.ids.is_empty() {
            return Vec::new();
        }
        let threads = self.threads.min(self.ids.len() / MIN_PER_THREAD).max(1);
        let all = Codes {
            lo: &self.lo,
            hi: &self.hi,
        };
        if threads == 1 {
            let mut visitor = make();
            self.scan_chunk(group, 0, all, &mut visitor);
            return vec![visitor];
        }
        let chunk = self.ids.len().div_ceil(threads);
        let mut visitors: Vec<V> = (0..threads).map(|_| make()).collect();
        std::thread::scope(|scope| {
            for (i, visitor) in visitors.iter_mut().enumerate() {
                let start = (i * chunk).min(self.ids.len());
                let end = (start + chunk).min(self.ids.len());
                let codes = Codes {
                    lo: &self.lo[start..end],
                    hi: &self.hi[start..end],
                };
                scope.spawn(move || self.scan_chunk(group, start, codes, visitor));
            }
        });
        visitors
    }

    fn scan_chunk<V: Visit>(
        &self,
        group: &[[u64; 4]],
        base: usize,
        codes: Codes<'_>,
        visitor: &mut V,
    ) {
        let k = self.kernel;
        match group.len() {
            1 => kernel::scan(k, codes, base, &Queries::<1>::new(group), visitor),
            2 => kernel::scan(k, codes, base, &Queries::<2>::new(group), visitor),
            3 | 4 => kernel::scan(k, codes, base, &Queries::<4>::new(group), visitor),
            _ => kernel::scan(k, codes, base, &Queries::<8>::new(group), visitor),
        }
    }
}

/// Keeps each id's best hit when `dedup` (hits from several groups), sorts by distance
/// then id, and keeps the first `k`.
fn finish(mut hits: Vec<Hit>, dedup: bool, k: usize) -> Vec<Hit> {
    if dedup {
        hits.sort_unstable_by_key(|h| (h.id, h.distance, h.variant));
        hits.dedup_by_key(|h| h.id);
    }
    hits.sort_unstable_by_key(|h| (h.distance, h.id));
    hits.truncate(k);
    hits
}

struct RangeVisit {
    max_distance: u32,
    found: Vec<(usize, u32, usize)>,
}

impl Visit for RangeVisit {
    #[inline(always)]
    fn threshold(&self) -> u32 {
        self.max_distance
    }

    #[inline(always)]
    fn visit(&mut self, slot: usize, distance: u32, variant: usize) {
        self.found.push((slot, distance, variant));
    }
}

/// Keeps the k best (distance, id) seen, as a max-heap.
struct NearestVisit<'a> {
    k: usize,
    ids: &'a [u64],
    heap: BinaryHeap<(u32, u64, usize)>,
    /// The distance of the k-th best so far (u32::MAX until there are k).
    threshold: u32,
}

impl Visit for NearestVisit<'_> {
    #[inline(always)]
    fn threshold(&self) -> u32 {
        self.threshold
    }

    #[inline(always)]
    fn visit(&mut self, slot: usize, distance: u32, variant: usize) {
        let id = self.ids[slot];
        if self.heap.len() < self.k {
            self.heap.push((distance, id, variant));
        } else if let Some(&(worst, worst_id, _)) = self.heap.peek() {
            if (distance, id) < (worst, worst_id) {
                self.heap.pop();
                self.heap.push((distance, id, variant));
            }
        }
        if self.heap.len() >= self.k {
            self.threshold = self.heap.peek().map_or(u32::MAX, |top| top.0);
        }
    }
}
