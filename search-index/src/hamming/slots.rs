//! A compact id -> slot map: an open-addressing table of slot numbers (4 bytes a bucket)
//! whose keys live in the index's own `ids` vector. The load stays between 1/4 and 3/4,
//! so an entry costs 5 to 16 bytes here, where a `HashMap<u64, u32>` (16-byte buckets
//! plus control bytes) costs up to ~40 just after it grows.

const EMPTY: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub(super) struct SlotTable {
    buckets: Vec<u32>,
    /// 64 - log2(buckets.len()).
    shift: u32,
    len: usize,
}

impl SlotTable {
    pub fn new() -> Self {
        SlotTable {
            buckets: vec![EMPTY; 16],
            shift: 60,
            len: 0,
        }
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<u32>()
    }

    #[inline]
    fn home(&self, id: u64) -> usize {
        // Fibonacci hashing: the top bits of id * 2^64/phi spread sequential ids well.
        (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets.len() - 1
    }

    /// The bucket holding `id` and its slot.
    pub fn find(&self, id: u64, ids: &[u64]) -> Option<(usize, usize)> {
        let mask = self.mask();
        let mut pos = self.home(id);
        loop {
            let slot = self.buckets[pos];
            if slot == EMPTY {
                return None;
            }
            if ids[slot as usize] == id {
                return Some((pos, slot as usize));
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Adds `id` (not present) at `slot`; `ids` holds exactly the ids already added.
    pub fn insert_new(&mut self, id: u64, slot: usize, ids: &[u64]) {
        if (self.len + 1) * 4 > self.buckets.len() * 3 {
            self.resize(self.buckets.len() * 2, ids);
        }
        self.place(id, slot);
        self.len += 1;
    }

    fn place(&mut self, id: u64, slot: usize) {
        let mask = self.mask();
        let mut pos = self.home(id);
        while self.buckets[pos] != EMPTY {
            pos = (pos + 1) & mask;
        }
        // Slots are below u32::MAX: the index refuses to grow past that.
        self.buckets[pos] = slot as u32;
    }

    pub fn set_slot(&mut self, bucket: usize, slot: usize) {
        self.buckets[bucket] = slot as u32;
    }

    /// Empties `bucket` with backward-shift deletion, so probes never meet a tombstone.
    /// `ids` must still resolve every slot in the table.
    pub fn remove_bucket(&mut self, bucket: usize, ids: &[u64]) {
        let mask = self.mask();
        let mut hole = bucket;
        let mut j = bucket;
        loop {
            j = (j + 1) & mask;
            let slot = self.buckets[j];
            if slot == EMPTY {
                break;
            }
            let home = self.home(ids[slot as usize]);
            // The entry at j may move back into the hole unless its home lies strictly
            // between the hole and j (cyclically).
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.buckets[hole] = slot;
                hole = j;
            }
        }
        self.buckets[hole] = EMPTY;
        self.len -= 1;
    }

    /// Shrinks the table after many removals; `ids` holds exactly the table's ids.
    pub fn maybe_shrink(&mut self, ids: &[u64]) {
        if self.buckets.len() > 16 && self.len * 4 < self.buckets.len() {
            let target = (self.len * 2).next_power_of_two().max(16);
            self.resize(target, ids);
        }
    }

    /// Makes room for `additional` more entries without resizing on the way.
    pub fn reserve(&mut self, additional: usize, ids: &[u64]) {
        let needed = ((self.len + additional) * 4).div_ceil(3);
        if needed > self.buckets.len() {
            self.resize(needed.next_power_of_two(), ids);
        }
    }

    /// Re-places every id; `ids` holds exactly the table's ids (slot i holds ids[i]).
    fn resize(&mut self, buckets: usize, ids: &[u64]) {
        self.buckets = vec![EMPTY; buckets];
        self.shift = 64 - buckets.trailing_zeros();
        for (slot, &id) in ids.iter().enumerate() {
            self.place(id, slot);
        }
        self.len = ids.len();
    }
}
