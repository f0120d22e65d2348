//! Benchmark of the product text index on the 250,000 products of
//! `shared/data/products/off-2019-compact.jsonl.gz`: indexing rate and query latency with
//! typo tolerance, prefix matching and the visibility filter on.
//!
//! Normally driven by `bench/text_vs_fts5.py`, which builds the query set, runs the SQLite
//! FTS5 baseline on the same data and compares. Run alone:
//!
//! ```text
//! cargo run --release -p search-index --example text_bench -- \
//!     --data ../shared/data/products/off-2019-compact.jsonl.gz \
//!     --queries queries.json --out results.json
//! ```
//! `queries.json` is a JSON array of strings; `results.json` receives the index figures,
//! every query's latency in microseconds and its top-10 product ids (the product id is the
//! 1-based line number in the data file).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark binary: fail loudly

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use search_index::text::{
    Access, IndexOp, ProductDoc, SearchRequest, SectionKind, SectionText, TextIndex,
    TextIndexConfig, Viewer,
};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn load(path: &str) -> Vec<ProductDoc> {
    let file = std::fs::File::open(path).expect("data file");
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let id = i as i64 + 1;
        let mut sections = Vec::new();
        let ingredients = s("ingredients");
        if !ingredients.is_empty() {
            sections.push(SectionText {
                kind: SectionKind::Description,
                language: "und".into(),
                text: ingredients,
                access: Access::Open,
            });
        }
        // One product in twenty has a restricted section, shared with administration 7
        // or 8, so the visibility filter has real work to do.
        if id % 20 == 0 {
            sections.push(SectionText {
                kind: SectionKind::Features,
                language: "en".into(),
                text: format!("Covert marking {id}: hologram with microtext under the lid."),
                access: Access::Restricted {
                    administrations: vec![7 + (id / 20) % 2],
                },
            });
        }
        out.push(ProductDoc {
            product_id: id,
            org_id: 1 + id % 500,
            right_holder: format!("Holder {}", id % 500),
            brand: String::new(),
            name: s("product_name"),
            gtins: vec![s("barcode_id")],
            countries: vec![["FR", "DE", "ES", "US", "GB"][(id % 5) as usize].into()],
            sections,
            ..ProductDoc::default()
        });
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn main() {
    let data = arg("--data").unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/products/off-2019-compact.jsonl.gz"
        )
        .into()
    });
    let queries: Vec<String> = match arg("--queries") {
        Some(p) => serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap(),
        None => vec!["nutela".into(), "chocolat noir".into(), "coca co".into()],
    };
    let out = arg("--out");
    let threads: usize = arg("--writer-threads").map_or(1, |t| t.parse().unwrap());

    let products = load(&data);
    let n = products.len();
    let dir = tempfile::tempdir().unwrap();
    let config = TextIndexConfig {
        commit_every_docs: 50_000,
        commit_interval: Duration::from_secs(600),
        writer_memory_bytes: 256 << 20,
        writer_threads: threads,
    };
    let idx = TextIndex::open(dir.path(), config).unwrap();
    let t = Instant::now();
    for (i, p) in products.into_iter().enumerate() {
        idx.apply(i as u64 + 1, IndexOp::Upsert(p)).unwrap();
    }
    let last = idx.flush().unwrap();
    let index_secs = t.elapsed().as_secs_f64();
    assert_eq!(last, n as u64);
    eprintln!(
        "indexed {n} products in {index_secs:.1} s ({:.0} products/s, {threads} tantivy thread(s))",
        n as f64 / index_secs
    );

    // Let background merges settle (bounded), as they would on a live server.
    let settle = Instant::now();
    let mut last_change = Instant::now();
    let mut segments = idx.num_segments();
    while last_change.elapsed() < Duration::from_secs(3)
        && settle.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(200));
        let now = idx.num_segments();
        if now != segments {
            segments = now;
            last_change = Instant::now();
        }
    }
    eprintln!(
        "{segments} segment(s) after {:.1} s of merging",
        settle.elapsed().as_secs_f64()
    );

    let viewer = Viewer::Officer {
        administration_id: 7,
    };
    let run = |q: &str| {
        let req = SearchRequest {
            text: q.to_string(),
            limit: 10,
            ..SearchRequest::default()
        };
        let t = Instant::now();
        let res = idx.search(&req, &viewer).unwrap();
        (t.elapsed(), res)
    };
    // Warm-up pass (page cache, lazily opened structures), then three measured passes.
    // This machine is shared (2 cores, other builds running), so besides the first
    // measured pass we report each query's fastest of the three passes, which filters out
    // preemption by other processes.
    for q in &queries {
        let _ = run(q);
    }
    let mut first = Vec::with_capacity(queries.len());
    let mut best = vec![Duration::MAX; queries.len()];
    let mut tops = Vec::with_capacity(queries.len());
    let mut totals = 0usize;
    for pass in 0..3 {
        for (i, q) in queries.iter().enumerate() {
            let (d, res) = run(q);
            best[i] = best[i].min(d);
            if pass == 0 {
                first.push(d);
                totals += res.total;
                tops.push(res.hits.iter().map(|h| h.product_id).collect::<Vec<i64>>());
            }
        }
    }
    let stats = |lat: &[Duration]| {
        let mut sorted = lat.to_vec();
        sorted.sort_unstable();
        let mean = lat.iter().map(Duration::as_secs_f64).sum::<f64>() / lat.len() as f64 * 1e3;
        (
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99),
            percentile(&sorted, 1.0),
            mean,
        )
    };
    let (p50, p99, max, mean) = stats(&first);
    let (bp50, bp99, bmax, bmean) = stats(&best);
    eprintln!(
        "{} queries, first pass: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, mean {mean:.2} ms; \
         best of 3: p50 {bp50:.2} ms, p99 {bp99:.2} ms, max {bmax:.2} ms, mean {bmean:.2} ms; \
         mean total {:.0} products",
        queries.len(),
        totals as f64 / queries.len() as f64
    );
    if let Some(out) = out {
        let json = serde_json::json!({
            "products": n,
            "index_seconds": index_secs,
            "writer_threads": threads,
            "segments": segments,
            "p50_ms": p50, "p99_ms": p99, "max_ms": max, "mean_ms": mean,
            "latency_us": first.iter().map(|d| d.as_micros() as u64).collect::<Vec<u64>>(),
            "best_latency_us": best.iter().map(|d| d.as_micros() as u64).collect::<Vec<u64>>(),
            "top10": tops,
        });
        std::fs::write(out, json.to_string()).unwrap();
    }
    idx.shutdown().unwrap();
}
