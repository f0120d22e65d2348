//! Times the Hamming index on codes from a file, for `bench/hamming_vs_faiss.py`.
//!
//! ```text
//! cargo run --release -p search-index --example hamming_time -- CODES QUERIES \
//!     [--max-distance 31] [--repeats 5] [--threads 1] [--kernel auto|portable|popcnt|avx2|avx512]
//! ```
//! CODES holds n codes and QUERIES holds m batches of 8, each code 32 raw bytes (the
//! layout of a FAISS binary index, little-endian 64-bit words). Ids are 0..n. Prints one
//! `key=value` line: build time, per-query (one 8-variant batch) microseconds, hits.

use search_index::hamming::{HammingIndex, Kernel};
use search_index::Hash256;
use std::time::Instant;

const VARIANTS: usize = 8;

fn read_codes(path: &str) -> Result<Vec<Hash256>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    if bytes.len() % 32 != 0 {
        return Err(format!(
            "{path}: {} bytes is not a whole number of codes",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|chunk| {
            let mut code = [0u8; 32];
            code.copy_from_slice(chunk);
            Hash256::from_bytes(&code)
        })
        .collect())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut max_distance = 31u32;
    let mut repeats = 5usize;
    let mut threads = 1usize;
    let mut kernel = Kernel::detect();
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1)
                .cloned()
                .ok_or(format!("{} needs a value", args[i]))
        };
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match args[i].as_str() {
            "--max-distance" => max_distance = number(value()?)? as u32,
            "--repeats" => repeats = number(value()?)?.max(1),
            "--threads" => threads = number(value()?)?,
            "--kernel" => {
                kernel = match value()?.as_str() {
                    "auto" => Kernel::detect(),
                    "portable" => Kernel::Portable,
                    "popcnt" => Kernel::Popcnt,
                    "avx2" => Kernel::Avx2,
                    "avx512" => Kernel::Avx512,
                    other => return Err(format!("unknown kernel {other}")),
                }
            }
            other => {
                positional.push(other.to_string());
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let [codes_path, queries_path] = positional.as_slice() else {
        return Err("usage: hamming_time CODES QUERIES [options]".into());
    };
    let codes = read_codes(codes_path)?;
    let queries = read_codes(queries_path)?;
    if queries.len() % VARIANTS != 0 || queries.is_empty() {
        return Err("QUERIES must hold whole batches of 8 codes".into());
    }

    let start = Instant::now();
    let mut index =
        HammingIndex::from_entries(codes.iter().enumerate().map(|(i, &h)| (i as u64, h)))
            .with_kernel(kernel);
    let build = start.elapsed();
    index.set_threads(threads);
    drop(codes);

    let mut times = Vec::new();
    let mut hits = 0;
    for round in 0..repeats {
        for batch in queries.chunks_exact(VARIANTS) {
            let start = Instant::now();
            let found = index.range(batch, max_distance);
            times.push(start.elapsed().as_secs_f64() * 1e6);
            if round == 0 {
                hits += found.len();
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "n={} batches={} kernel={:?} threads={} build_ms={:.1} bytes_per_entry={:.1} \
         per_query_us_median={:.1} per_query_us_mean={:.1} hits={}",
        index.len(),
        queries.len() / VARIANTS,
        index.kernel(),
        threads,
        build.as_secs_f64() * 1e3,
        index.memory_bytes() as f64 / index.len().max(1) as f64,
        median,
        mean,
        hits
    );
    Ok(())
}
