//! Why an image could not be hashed.

/// Errors of PDQ hashing and of the limited image decode.
#[derive(Debug, thiserror::Error)]
pub enum PdqError {
    #[error("could not read the image file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not an image format we can read: {0}")]
    UnsupportedFormat(String),
    #[error("the image is corrupt or truncated: {0}")]
    Decode(String),
    #[error("the image is {width}x{height} pixels; the limit is {max_pixels} pixels")]
    TooLarge {
        width: u64,
        height: u64,
        max_pixels: u64,
    },
    #[error("the file is {bytes} bytes; the limit is {max_bytes} bytes")]
    FileTooLarge { bytes: u64, max_bytes: u64 },
    #[error("decoding the image would need more memory than allowed: {0}")]
    MemoryLimit(String),
    #[error("a {width}x{height} RGB buffer needs {expected} bytes, got {actual}")]
    BufferSize {
        width: u32,
        height: u32,
        expected: u64,
        actual: u64,
    },
}

impl From<image::ImageError> for PdqError {
    fn from(e: image::ImageError) -> Self {
        use image::ImageError as E;
        match e {
            E::IoError(io) => PdqError::Decode(io.to_string()),
            E::Unsupported(u) => PdqError::UnsupportedFormat(u.to_string()),
            E::Limits(l) => PdqError::MemoryLimit(l.to_string()),
            other => PdqError::Decode(other.to_string()),
        }
    }
}
