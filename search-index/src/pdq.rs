//! PDQ, Meta's 256-bit perceptual image hash, bit-for-bit as the reference C++
//! (`facebook/ThreatExchange`, `pdq/cpp`).
//!
//! Pipeline: RGB to `f32` luma; a two-round box ("Jarosz") blur and decimation to 64x64;
//! a quality score from the gradients of that 64x64 image; the 16x16 block of DCT
//! coefficients next to the DC row and column; one bit per coefficient, set when it is
//! above the (Torben) median. The eight dihedral variants (rotations and flips) come from
//! the same DCT by sign changes and transposition.
//!
//! Conversions to RGB follow the `image` crate: alpha is dropped (not composited), grey is
//! copied to R, G and B, and 16-bit samples are scaled to 8 bits. The reference's test
//! suite decoded with Pillow, which clips 16-bit grey instead; see the conformance tests.

mod dct;
mod decode;
mod dihedral;
mod error;
mod jarosz;
mod libjpeg;
mod luma;
mod median;
mod quality;
#[cfg(test)]
mod tests;

use std::io::Read;
use std::path::Path;

use image::DynamicImage;

use crate::Hash256;
use jarosz::OUT;

pub use decode::{decode_image, DecodeOptions, FAST_JPEG_MIN_LONG_SIDE, FAST_JPEG_MIN_SHORT_SIDE};
pub use dihedral::VARIANT_NAMES;
pub use error::PdqError;

/// Name stored with every hash in the image index.
pub const ALGORITHM: &str = "pdq";
/// Bumped whenever a change could alter any stored hash.
pub const ALGORITHM_VERSION: u32 = 1;

/// Images with a side shorter than this hash to zero with quality 0, as in the reference.
pub const MIN_HASHABLE_DIM: u32 = 5;

/// One PDQ hash and its quality (0..=100; the reference suggests ignoring hashes below 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqOutput {
    pub hash: Hash256,
    pub quality: u8,
}

/// The hashes of the eight dihedral variants of one image, in the order of
/// [`VARIANT_NAMES`]: original, rotated 90, 180 and 270 degrees, flipped about the x axis,
/// the y axis, the main diagonal and the anti-diagonal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqDihedral {
    pub quality: u8,
    pub hashes: [Hash256; 8],
}

impl PdqDihedral {
    /// The hash of the image as given (the first variant).
    pub fn original(&self) -> PdqOutput {
        PdqOutput {
            hash: self.hashes[0],
            quality: self.quality,
        }
    }
}

/// Pixels we can compute luma from without converting the whole image first.
#[derive(Clone, Copy)]
enum Pixels<'a> {
    /// R, G, B first in each pixel of `channels` bytes.
    Colour { data: &'a [u8], channels: usize },
    /// Grey first in each pixel of `channels` bytes.
    Grey { data: &'a [u8], channels: usize },
}

struct Luma<'a> {
    width: usize,
    height: usize,
    pixels: Pixels<'a>,
}

impl Luma<'_> {
    fn fill_row(&self, y: usize, out: &mut [f32]) {
        let (data, channels, grey) = match self.pixels {
            Pixels::Colour { data, channels } => (data, channels, false),
            Pixels::Grey { data, channels } => (data, channels, true),
        };
        let row_len = self.width * channels;
        let row = &data[y * row_len..(y + 1) * row_len];
        if grey {
            luma::luma_row_grey(row, channels, out);
        } else {
            luma::luma_row_interleaved(row, channels, out);
        }
    }

    fn too_small(&self) -> bool {
        self.width < MIN_HASHABLE_DIM as usize || self.height < MIN_HASHABLE_DIM as usize
    }

    fn downscaled(&self) -> Box<[[f32; OUT]; OUT]> {
        jarosz::downscale(self.width, self.height, |y, out| self.fill_row(y, out))
    }

    /// The reference's `pdqHash256FromFloatLuma`: a 64x64 input skips the blur.
    fn hash(&self) -> PdqOutput {
        if self.too_small() {
            return PdqOutput {
                hash: Hash256::ZERO,
                quality: 0,
            };
        }
        let buf = if self.width == OUT && self.height == OUT {
            let mut buf = Box::new([[0.0f32; OUT]; OUT]);
            for (y, row) in buf.iter_mut().enumerate() {
                self.fill_row(y, row);
            }
            buf
        } else {
            self.downscaled()
        };
        let block = dct::dct_64_to_16(&buf);
        PdqOutput {
            hash: dihedral::to_bits(&block),
            quality: quality::quality(&buf),
        }
    }

    /// The reference's `pdqDihedralHash256esFromFloatLuma`, which always blurs.
    fn dihedral(&self) -> PdqDihedral {
        dihedral_from_rows(self.width, self.height, |y, out| self.fill_row(y, out))
    }
}

/// The eight dihedral hashes of a `width x height` image whose luma rows `fill_row(y, out)`
/// writes; rows are asked for once each, in order, so they can be streamed.
fn dihedral_from_rows(
    width: usize,
    height: usize,
    fill_row: impl FnMut(usize, &mut [f32]),
) -> PdqDihedral {
    let min = MIN_HASHABLE_DIM as usize;
    if width < min || height < min {
        return PdqDihedral {
            quality: 0,
            hashes: [Hash256::ZERO; 8],
        };
    }
    let buf = jarosz::downscale(width, height, fill_row);
    let block = dct::dct_64_to_16(&buf);
    PdqDihedral {
        quality: quality::quality(&buf),
        hashes: dihedral::all_variants(&block),
    }
}

/// The eight dihedral hashes of an already resampled 64x64 luma image (no blur: the
/// caller's resampling did the low-pass filtering). Used by [`crate::photo`].
pub fn dihedral_luma64(buf: &[[f32; OUT]; OUT]) -> PdqDihedral {
    let block = dct::dct_64_to_16(buf);
    PdqDihedral {
        quality: quality::quality(buf),
        hashes: dihedral::all_variants(&block),
    }
}

/// Side of the square luma image [`dihedral_luma64`] takes.
pub const LUMA_SIDE: usize = OUT;

fn rgb8_luma(width: u32, height: u32, rgb: &[u8]) -> Result<Luma<'_>, PdqError> {
    let expected = u64::from(width) * u64::from(height) * 3;
    if rgb.len() as u64 != expected {
        return Err(PdqError::BufferSize {
            width,
            height,
            expected,
            actual: rgb.len() as u64,
        });
    }
    Ok(Luma {
        width: width as usize,
        height: height as usize,
        pixels: Pixels::Colour {
            data: rgb,
            channels: 3,
        },
    })
}

/// PDQ of raw 8-bit RGB pixels, row-major, `3 * width * height` bytes.
pub fn hash_rgb8(width: u32, height: u32, rgb: &[u8]) -> Result<PdqOutput, PdqError> {
    Ok(rgb8_luma(width, height, rgb)?.hash())
}

/// The eight dihedral PDQ hashes of raw 8-bit RGB pixels.
pub fn dihedral_rgb8(width: u32, height: u32, rgb: &[u8]) -> Result<PdqDihedral, PdqError> {
    Ok(rgb8_luma(width, height, rgb)?.dihedral())
}

/// Runs `f` on the luma view of `img`, converting to 8-bit RGB first only for pixel types
/// other than 8-bit grey, grey+alpha, RGB and RGBA.
fn with_luma<T>(img: &DynamicImage, f: impl FnOnce(&Luma<'_>) -> T) -> T {
    let (width, height) = (img.width() as usize, img.height() as usize);
    let direct = match img {
        DynamicImage::ImageRgb8(b) => Some(Pixels::Colour {
            data: b.as_raw(),
            channels: 3,
        }),
        DynamicImage::ImageRgba8(b) => Some(Pixels::Colour {
            data: b.as_raw(),
            channels: 4,
        }),
        DynamicImage::ImageLuma8(b) => Some(Pixels::Grey {
            data: b.as_raw(),
            channels: 1,
        }),
        DynamicImage::ImageLumaA8(b) => Some(Pixels::Grey {
            data: b.as_raw(),
            channels: 2,
        }),
        _ => None,
    };
    match direct {
        Some(pixels) => f(&Luma {
            width,
            height,
            pixels,
        }),
        None => {
            let rgb = img.to_rgb8();
            f(&Luma {
                width,
                height,
                pixels: Pixels::Colour {
                    data: rgb.as_raw(),
                    channels: 3,
                },
            })
        }
    }
}

/// PDQ of a decoded image.
pub fn hash_image(img: &DynamicImage) -> PdqOutput {
    with_luma(img, |l| l.hash())
}

/// The eight dihedral PDQ hashes of a decoded image.
pub fn dihedral_image(img: &DynamicImage) -> PdqDihedral {
    with_luma(img, |l| l.dihedral())
}

/// Decodes (within the limits of `opts`) and hashes an encoded image.
pub fn hash_bytes(bytes: &[u8], opts: &DecodeOptions) -> Result<PdqDihedral, PdqError> {
    match decode::decode_for_hash(bytes, opts)? {
        decode::ForHash::Image(img) => Ok(dihedral_image(&img)),
        decode::ForHash::Hashed(d) => Ok(*d),
    }
}

/// Reads, decodes and hashes an image file; files over `opts.max_bytes` are not read.
pub fn hash_file(path: &Path, opts: &DecodeOptions) -> Result<PdqDihedral, PdqError> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > opts.max_bytes {
        return Err(PdqError::FileTooLarge {
            bytes: len,
            max_bytes: opts.max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // `take` guards against a file that grows while we read it.
    file.take(opts.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    hash_bytes(&bytes, opts)
}
