//! Scores the reader on labelled folders and prints a Markdown table for BENCHMARKS.md.
//!
//! ```sh
//! cargo run --release -p barcode --example quality -- ../shared/data/barcodes
//! ```
//!
//! Each sub-folder of the given folder is scored (see `barcode::blackbox`); the bar
//! columns are ZXing's own pass bars at 0 degrees without / with try-harder, from the
//! data set's README.

use std::path::PathBuf;
use std::process::ExitCode;

/// (folder, ZXing's bar without try-harder, with try-harder) from the data set's README;
/// for the negatives, the most false decodes allowed.
const BARS: [(&str, &str); 9] = [
    ("ean13-2", "12 / 17"),
    ("ean13-3", "53 / 55"),
    ("upca-1", "14 / 18"),
    ("upca-2", "28 / 36"),
    ("upca-3", "7 / 9"),
    ("upce-2", "31 / 35"),
    ("datamatrix-2", "13 / 13"),
    ("falsepositives", "at most 2 false"),
    ("gs1", "2 / 2"),
];

fn main() -> ExitCode {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: quality <folder of labelled sub-folders>");
        return ExitCode::FAILURE;
    };
    println!("| folder | images | decoded | ZXing bar (plain / try-harder) | false decodes | ms per image |");
    println!("|---|---|---|---|---|---|");
    for (folder, bar) in BARS {
        let score = match barcode::blackbox::score_folder(&root.join(folder)) {
            Ok(score) => score,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let per_image = score.elapsed.as_secs_f64() * 1000.0 / score.images().max(1) as f64;
        println!(
            "| {folder} | {} | {} / {} | {bar} | {} | {per_image:.0} |",
            score.images(),
            score.passed(),
            score.positives(),
            score.false_decodes(),
        );
        for failure in score.failures() {
            eprintln!("{folder}/{failure}");
        }
    }
    ExitCode::SUCCESS
}
