//! Quick regression benchmark of the Hamming index on one million random codes:
//! range search at distance 31 with one photo's 8 variants per query, k-nearest, build.
//! `cargo bench -p search-index --bench hamming`. The FAISS comparison is
//! `bench/hamming_vs_faiss.py`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use search_index::hamming::{HammingIndex, Kernel};
use search_index::Hash256;

const N: usize = 1_000_000;

fn random_hash(rng: &mut StdRng) -> Hash256 {
    Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()])
}

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let entries: Vec<(u64, Hash256)> = (0..N as u64).map(|i| (i, random_hash(&mut rng))).collect();
    // Dihedral variants of a photo are ~128 bits apart: random codes model them.
    let batches: Vec<Vec<Hash256>> = (0..16)
        .map(|_| (0..8).map(|_| random_hash(&mut rng)).collect())
        .collect();
    let index = HammingIndex::from_entries(entries.iter().copied());

    let mut group = c.benchmark_group("hamming_1m");
    group.sample_size(20);
    let mut kernels = vec![Kernel::detect()];
    if Kernel::detect() != Kernel::Popcnt && Kernel::Popcnt.is_supported() {
        kernels.push(Kernel::Popcnt);
    }
    for kernel in kernels {
        let index = index.clone().with_kernel(kernel);
        let mut i = 0;
        group.bench_function(format!("range_d31_8_variants/{kernel:?}"), |b| {
            b.iter(|| {
                i = (i + 1) % batches.len();
                black_box(index.range(&batches[i], 31))
            })
        });
    }
    let mut i = 0;
    group.bench_function("nearest_k10_8_variants", |b| {
        b.iter(|| {
            i = (i + 1) % batches.len();
            black_box(index.nearest(&batches[i], 10))
        })
    });
    group.bench_function("build_from_entries", |b| {
        b.iter_batched(
            || entries.clone(),
            |entries| black_box(HammingIndex::from_entries(entries)),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
