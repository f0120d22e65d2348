//! Scoring the reader on a folder of labelled photos laid out as ZXing's black-box test
//! sets: each image `N.<ext>` beside `N.txt`, which holds the exact text expected (no
//! trailing newline); an image without a `.txt` is a negative, where nothing may be
//! decoded. Used by the quality tests and by `examples/quality.rs`, which writes the
//! figures in BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::Code;

/// Extensions of the images in a folder.
const IMAGE_EXTENSIONS: [&str; 5] = ["png", "jpg", "jpeg", "gif", "bmp"];

/// One image of a folder and what it should give.
#[derive(Debug, Clone)]
pub struct Sample {
    pub image: PathBuf,
    /// The expected text; `None` for a negative.
    pub expected: Option<String>,
}

/// What the reader made of one sample.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub sample: Sample,
    pub found: Vec<Code>,
}

impl Outcome {
    /// The expected text was among the codes found.
    pub fn passed(&self) -> bool {
        self.sample
            .expected
            .as_ref()
            .is_some_and(|want| self.found.iter().any(|c| &c.text == want))
    }

    /// A code other than the expected one was found (any code, on a negative).
    pub fn false_decode(&self) -> bool {
        self.found
            .iter()
            .any(|c| self.sample.expected.as_ref() != Some(&c.text))
    }
}

/// A folder's score.
#[derive(Debug, Clone)]
pub struct FolderScore {
    pub outcomes: Vec<Outcome>,
    pub elapsed: Duration,
}

impl FolderScore {
    pub fn images(&self) -> usize {
        self.outcomes.len()
    }

    /// Images with an expected text.
    pub fn positives(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.sample.expected.is_some())
            .count()
    }

    /// Positives whose expected text was decoded.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed()).count()
    }

    /// Images where something unexpected was decoded.
    pub fn false_decodes(&self) -> usize {
        self.outcomes.iter().filter(|o| o.false_decode()).count()
    }

    /// Positives missed or misread, for messages.
    pub fn failures(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .filter(|o| (o.sample.expected.is_some() && !o.passed()) || o.false_decode())
            .map(|o| {
                let name = o.sample.image.file_name().unwrap_or_default();
                let found: Vec<String> = o
                    .found
                    .iter()
                    .map(|c| format!("{} {:?}", c.symbology, c.text))
                    .collect();
                format!(
                    "{}: expected {:?}, found [{}]",
                    name.to_string_lossy(),
                    o.sample.expected,
                    found.join(", ")
                )
            })
            .collect()
    }
}

/// The images of `dir` with their expected texts, sorted by file name.
pub fn samples(dir: &Path) -> std::io::Result<Vec<Sample>> {
    let mut images: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    images.sort();
    images
        .into_iter()
        .map(|image| {
            let label = image.with_extension("txt");
            let expected = if label.exists() {
                Some(std::fs::read_to_string(&label)?)
            } else {
                None
            };
            Ok(Sample { image, expected })
        })
        .collect()
}

/// Decodes every image of `dir` and scores the results. An image that cannot be read
/// is an error: a test set must be whole.
pub fn score_folder(dir: &Path) -> Result<FolderScore, String> {
    let samples = samples(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let start = Instant::now();
    let mut outcomes = Vec::with_capacity(samples.len());
    for sample in samples {
        let img =
            image::open(&sample.image).map_err(|e| format!("{}: {e}", sample.image.display()))?;
        let found = crate::decode(&img);
        outcomes.push(Outcome { sample, found });
    }
    Ok(FolderScore {
        outcomes,
        elapsed: start.elapsed(),
    })
}
