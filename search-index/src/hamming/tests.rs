//! The index against brute force: the PDQ reference range-search ground truth, random
//! uniform and clustered sets, every kernel, threads, and insert/remove churn.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn pdq_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/pdq")
}

/// One hash per line, optionally followed by `,metadata`.
fn read_hashes(name: &str) -> Vec<Hash256> {
    let text = std::fs::read_to_string(pdq_data().join("reg-test-input").join(name)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Hash256::from_hex(l.split(',').next().unwrap()).unwrap())
        .collect()
}

fn brute_best(queries: &[Hash256], code: &Hash256) -> (u32, usize) {
    let mut best = (u32::MAX, 0);
    for (v, q) in queries.iter().enumerate() {
        let d = q.distance(code);
        if d < best.0 {
            best = (d, v);
        }
    }
    best
}

fn brute_all(entries: &BTreeMap<u64, Hash256>, queries: &[Hash256]) -> Vec<Hit> {
    let mut hits: Vec<Hit> = entries
        .iter()
        .map(|(&id, code)| {
            let (distance, variant) = brute_best(queries, code);
            Hit {
                id,
                distance,
                variant,
            }
        })
        .collect();
    hits.sort_by_key(|h| (h.distance, h.id));
    hits
}

fn brute_range(entries: &BTreeMap<u64, Hash256>, queries: &[Hash256], d: u32) -> Vec<Hit> {
    if queries.is_empty() {
        return Vec::new();
    }
    brute_all(entries, queries)
        .into_iter()
        .filter(|h| h.distance <= d)
        .collect()
}

fn brute_nearest(entries: &BTreeMap<u64, Hash256>, queries: &[Hash256], k: usize) -> Vec<Hit> {
    if queries.is_empty() {
        return Vec::new();
    }
    let mut hits = brute_all(entries, queries);
    hits.truncate(k);
    hits
}

fn random_hash(rng: &mut StdRng) -> Hash256 {
    Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()])
}

fn flip(rng: &mut StdRng, hash: Hash256, bits: usize) -> Hash256 {
    let mut out = hash;
    for _ in 0..bits {
        let k = rng.gen_range(0..256);
        out.0[k / 64] ^= 1 << (k % 64);
    }
    out
}

fn kernels() -> Vec<Kernel> {
    [
        Kernel::Portable,
        Kernel::Popcnt,
        Kernel::Avx2,
        Kernel::Avx512,
    ]
    .into_iter()
    .filter(|k| k.is_supported())
    .collect()
}

#[test]
fn reference_needles_in_haystack_match_the_ground_truth_exactly() {
    let haystack = read_hashes("haystack.txt");
    let needles = read_hashes("needles.txt");
    assert_eq!((haystack.len(), needles.len()), (1350, 100));
    // Ids are the 1-based line numbers.
    let index =
        HammingIndex::from_entries(haystack.iter().enumerate().map(|(i, h)| (i as u64 + 1, *h)));
    for d in [31, 32] {
        let path = pdq_data().join(format!("expected/mih_needles_vs_haystack_d{d}.tsv"));
        let expected: BTreeSet<(usize, u64, u32)> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                assert_eq!(
                    Hash256::from_hex(f[1]).unwrap(),
                    needles[f[0].parse::<usize>().unwrap() - 1]
                );
                (
                    f[0].parse().unwrap(),
                    f[2].parse().unwrap(),
                    f[4].parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(expected.len(), 250);
        for kernel in kernels() {
            let index = index.clone().with_kernel(kernel);
            let mut got = BTreeSet::new();
            for (n, needle) in needles.iter().enumerate() {
                let hits = index.range(&[*needle], d);
                assert!(hits
                    .windows(2)
                    .all(|w| (w[0].distance, w[0].id) < (w[1].distance, w[1].id)));
                for hit in hits {
                    assert_eq!(hit.variant, 0);
                    assert_eq!(
                        hit.distance,
                        needle.distance(&haystack[hit.id as usize - 1])
                    );
                    got.insert((n + 1, hit.id, hit.distance));
                }
            }
            assert_eq!(got, expected, "d={d} kernel={kernel:?}");
        }
    }
    // All 100 needles as one batch: each haystack line once, with its best needle.
    let all = index.range(&needles, 31);
    let lines: BTreeSet<u64> = all.iter().map(|h| h.id).collect();
    assert_eq!(lines.len(), all.len());
    for hit in &all {
        let (d, v) = brute_best(&needles, &haystack[hit.id as usize - 1]);
        assert_eq!((hit.distance, hit.variant), (d, v));
    }
}

/// Uniform random codes plus clusters of near-duplicates (1 to 40 bits from a centre).
fn clustered_set(rng: &mut StdRng, n: usize) -> (BTreeMap<u64, Hash256>, Vec<Hash256>) {
    let centres: Vec<Hash256> = (0..20).map(|_| random_hash(rng)).collect();
    let mut entries = BTreeMap::new();
    while entries.len() < n {
        let id = rng.gen_range(0..u64::MAX / 2);
        let hash = if rng.gen_bool(0.5) {
            let c = centres[rng.gen_range(0..centres.len())];
            let bits = rng.gen_range(0..=40);
            flip(rng, c, bits)
        } else {
            random_hash(rng)
        };
        entries.insert(id, hash);
    }
    // Exact duplicates with other ids, for ties.
    let dupes: Vec<Hash256> = entries.values().take(30).copied().collect();
    for h in dupes {
        entries.insert(rng.gen_range(0..u64::MAX / 2), h);
    }
    (entries, centres)
}

/// A query batch like a photo's 8 dihedral variants: one near a centre, the rest far.
fn query_batch(rng: &mut StdRng, centres: &[Hash256], size: usize) -> Vec<Hash256> {
    (0..size)
        .map(|i| {
            if i == size / 2 || rng.gen_bool(0.2) {
                let c = centres[rng.gen_range(0..centres.len())];
                let bits = rng.gen_range(0..=30);
                flip(rng, c, bits)
            } else {
                random_hash(rng)
            }
        })
        .collect()
}

#[test]
fn random_and_clustered_sets_match_brute_force() {
    let mut rng = StdRng::seed_from_u64(7);
    let (entries, centres) = clustered_set(&mut rng, 5000);
    let base = HammingIndex::from_entries(entries.iter().map(|(&id, &h)| (id, h)));
    assert_eq!(base.len(), entries.len());
    for kernel in kernels() {
        let index = base.clone().with_kernel(kernel);
        for size in [0, 1, 2, 3, 5, 8, 11, 17] {
            for _ in 0..3 {
                let queries = query_batch(&mut rng, &centres, size);
                for d in [0, 5, 20, 31, 32, 50, 64, 100, 128, 200, 256] {
                    assert_eq!(
                        index.range(&queries, d),
                        brute_range(&entries, &queries, d),
                        "range kernel={kernel:?} size={size} d={d}"
                    );
                }
                for k in [0, 1, 7, 10, 100, 6000] {
                    assert_eq!(
                        index.nearest(&queries, k),
                        brute_nearest(&entries, &queries, k),
                        "nearest kernel={kernel:?} size={size} k={k}"
                    );
                }
            }
        }
    }
}

#[test]
fn threaded_scans_match_brute_force() {
    let mut rng = StdRng::seed_from_u64(11);
    let (entries, centres) = clustered_set(&mut rng, 2 * MIN_PER_THREAD + 1000);
    let mut index = HammingIndex::from_entries(entries.iter().map(|(&id, &h)| (id, h)));
    for threads in [1, 2, 3] {
        index.set_threads(threads);
        for size in [1, 8, 9] {
            let queries = query_batch(&mut rng, &centres, size);
            assert_eq!(
                index.range(&queries, 31),
                brute_range(&entries, &queries, 31)
            );
            assert_eq!(
                index.nearest(&queries, 25),
                brute_nearest(&entries, &queries, 25)
            );
        }
    }
}

#[test]
fn insert_remove_and_replace_track_a_model() {
    let mut rng = StdRng::seed_from_u64(3);
    let centres: Vec<Hash256> = (0..5).map(|_| random_hash(&mut rng)).collect();
    let mut model = BTreeMap::new();
    let mut index = HammingIndex::new();
    assert!(index.is_empty());
    for step in 0..20_000 {
        let id = rng.gen_range(0..3000u64);
        match rng.gen_range(0..10) {
            0..=5 => {
                let c = centres[rng.gen_range(0..centres.len())];
                let bits = rng.gen_range(0..60);
                let h = flip(&mut rng, c, bits);
                index.insert(id, h);
                model.insert(id, h);
            }
            _ => assert_eq!(index.remove(id), model.remove(&id).is_some()),
        }
        assert_eq!(index.len(), model.len());
        if step % 997 == 0 {
            for (&id, &h) in &model {
                assert_eq!(index.get(id), Some(h));
            }
            assert!(!index.contains(5000));
            let queries = query_batch(&mut rng, &centres, 8);
            assert_eq!(index.range(&queries, 31), brute_range(&model, &queries, 31));
            assert_eq!(
                index.nearest(&queries, 20),
                brute_nearest(&model, &queries, 20)
            );
            let stored: BTreeMap<u64, Hash256> = index.iter().collect();
            assert_eq!(stored, model);
        }
    }
    // Drain everything.
    let ids: Vec<u64> = model.keys().copied().collect();
    for id in ids {
        assert!(index.remove(id));
        assert!(!index.remove(id));
    }
    assert!(index.is_empty());
    assert!(index.range(&centres, 256).is_empty());
    assert!(index.nearest(&centres, 5).is_empty());
}

#[test]
fn from_entries_keeps_the_last_hash_of_a_repeated_id() {
    let a = Hash256([1, 0, 0, 0]);
    let b = Hash256([3, 0, 0, 0]);
    let index = HammingIndex::from_entries([(9, a), (4, a), (9, b)]);
    assert_eq!(index.len(), 2);
    assert_eq!(index.get(9), Some(b));
    let hits = index.range(&[Hash256::ZERO, b], 1);
    assert_eq!(
        hits,
        vec![
            Hit {
                id: 9,
                distance: 0,
                variant: 1
            },
            Hit {
                id: 4,
                distance: 1,
                variant: 0
            }
        ]
    );
}

#[test]
fn memory_stays_under_100_bytes_per_entry() {
    let mut rng = StdRng::seed_from_u64(5);
    let mut index = HammingIndex::new();
    let mut worst = 0.0f64;
    for i in 0..300_000u64 {
        index.insert(i * 7919, random_hash(&mut rng));
        if i >= 1000 && (i % 1009 == 0 || index.len() == index.ids.capacity()) {
            worst = worst.max(index.memory_bytes() as f64 / index.len() as f64);
        }
    }
    assert!(worst <= 100.0, "{worst} bytes per entry while growing");
    let built = HammingIndex::from_entries(index.iter());
    let per_entry = built.memory_bytes() as f64 / built.len() as f64;
    assert!(
        per_entry <= 60.0,
        "{per_entry} bytes per entry after a rebuild"
    );
    // Removing 90% gives the memory back.
    for i in 0..270_000u64 {
        assert!(index.remove(i * 7919));
        if index.len() >= 1000 && i % 1013 == 0 {
            let per_entry = index.memory_bytes() as f64 / index.len() as f64;
            assert!(
                per_entry <= 100.0,
                "{per_entry} bytes per entry while shrinking"
            );
        }
    }
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<HammingIndex>();
    shareable::<std::sync::RwLock<HammingIndex>>();
}
