//! Times PDQ from file to hash: `cargo run --release -p search-index --example pdq_time -- [--full] [--runs N] FILES`.
//!
//! For each file prints `<median ms>\t<quality>\t<hash>\t<path>`, timed inside the process
//! (reading the file, decoding, hashing all 8 dihedral variants), median of N runs after
//! one warm-up. `--full` disables the DCT-scaled JPEG decode.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use search_index::pdq::{hash_file, DecodeOptions};

fn main() -> ExitCode {
    let mut opts = DecodeOptions::default();
    let mut runs = 5usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--full" => opts.fast_jpeg = false,
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => {
                    eprintln!("--runs needs a positive number");
                    return ExitCode::FAILURE;
                }
            },
            _ => files.push(PathBuf::from(arg)),
        }
    }
    if files.is_empty() {
        eprintln!("usage: pdq_time [--full] [--runs N] FILES...");
        return ExitCode::FAILURE;
    }
    for path in &files {
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for run in 0..=runs {
            let start = Instant::now();
            let result = hash_file(path, &opts);
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            if run > 0 {
                times.push(ms);
            }
            last = Some(result);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        match last {
            Some(Ok(d)) => println!(
                "{median:.2}\t{}\t{}\t{}",
                d.quality,
                d.hashes[0],
                path.display()
            ),
            Some(Err(e)) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            None => return ExitCode::FAILURE,
        }
    }
    ExitCode::SUCCESS
}
