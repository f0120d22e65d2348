//! The zip of images of an import, opened defensively. Before any row is imported the
//! whole archive is checked and every entry is decompressed once, counting its real
//! size: a zip with an entry whose name could escape its folder (absolute, `..`, a
//! backslash), a symbolic link, an encrypted entry, too many entries, or an entry or a
//! total that expands beyond the limits (whatever its header declares) is refused whole.
//! Entries are then found by their file name (the last part of their path).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};

use ::zip::{CompressionMethod, ZipArchive};

use super::ZipSource;
use crate::error::AppError;

/// How much a zip of images may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries of every kind, folders included.
    pub max_entries: usize,
    /// The largest image once decompressed, in bytes.
    pub max_entry_bytes: u64,
    /// All entries together, decompressed, in bytes.
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    /// 10,000 entries, 20 MB per image (the upload limit), 2 GB in all.
    fn default() -> Self {
        ZipLimits {
            max_entries: 10_000,
            max_entry_bytes: 20 * 1024 * 1024,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// A checked zip of images, read entry by entry.
pub(super) struct ImageZip {
    archive: ZipArchive<Box<dyn ReadSeek>>,
    /// File name -> entry index.
    index: HashMap<String, usize>,
    max_entry_bytes: u64,
}

fn refused(reason: String) -> AppError {
    AppError::bad_request(
        "zip_refused",
        format!("The zip of images is refused: {reason}. Nothing was imported."),
    )
}

/// Why an entry's name is unsafe, if it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.contains('\0') {
        Some("contains a NUL character")
    } else if name.contains('\\') {
        Some("contains a backslash")
    } else if name.starts_with('/') {
        Some("is an absolute path")
    } else if name.as_bytes().get(1) == Some(&b':') {
        Some("starts with a drive letter")
    } else if name.split('/').any(|part| part == "..") {
        Some("contains \"..\"")
    } else {
        None
    }
}

/// The real decompressed size of an entry, reading at most `limit + 1` bytes.
fn real_size(entry: &mut impl Read, limit: u64) -> io::Result<u64> {
    io::copy(&mut entry.take(limit.saturating_add(1)), &mut io::sink())
}

impl ImageZip {
    pub(super) fn open(source: ZipSource, limits: &ZipLimits) -> Result<ImageZip, AppError> {
        let reader: Box<dyn ReadSeek> = match source {
            ZipSource::Bytes(bytes) => Box::new(Cursor::new(bytes)),
            ZipSource::Path(path) => Box::new(BufReader::new(File::open(&path).map_err(|e| {
                AppError::bad_request(
                    "invalid_zip",
                    format!(
                        "The zip of images {} cannot be opened: {e}.",
                        path.display()
                    ),
                )
            })?)),
        };
        let mut archive = ZipArchive::new(reader)
            .map_err(|e| refused(format!("it is not a zip file that can be read ({e})")))?;
        if archive.len() > limits.max_entries {
            return Err(refused(format!(
                "it has {} entries and at most {} are allowed",
                archive.len(),
                limits.max_entries
            )));
        }
        let mut index = HashMap::new();
        let mut declared_total: u64 = 0;
        let mut real_total: u64 = 0;
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| refused(format!("entry {} cannot be read ({e})", i + 1)))?;
            let name = entry.name().map(|n| n.into_owned()).map_err(|e| {
                refused(format!("the name of entry {} cannot be read ({e})", i + 1))
            })?;
            if let Some(why) = unsafe_name(&name) {
                return Err(refused(format!("the entry {name:?} {why}")));
            }
            if entry.enclosed_name().is_none() {
                return Err(refused(format!(
                    "the entry {name:?} points outside the zip"
                )));
            }
            if entry.is_symlink() {
                return Err(refused(format!("the entry {name:?} is a symbolic link")));
            }
            if entry.is_dir() {
                continue;
            }
            if entry.encrypted() {
                return Err(refused(format!("the entry {name:?} is encrypted")));
            }
            if !matches!(
                entry.compression(),
                CompressionMethod::Stored | CompressionMethod::Deflated
            ) {
                return Err(refused(format!(
                    "the entry {name:?} is compressed with {}; only stored and deflate entries can be read",
                    entry.compression()
                )));
            }
            let too_big = || {
                refused(format!(
                    "the entry {name:?} is larger than {} bytes once decompressed",
                    limits.max_entry_bytes
                ))
            };
            if entry.size() > limits.max_entry_bytes {
                return Err(too_big());
            }
            declared_total = declared_total.saturating_add(entry.size());
            if declared_total > limits.max_total_bytes {
                return Err(refused(format!(
                    "its entries add up to more than {} bytes once decompressed",
                    limits.max_total_bytes
                )));
            }
            // The header may lie: decompress and count, stopping just past the limit.
            let size = real_size(&mut entry, limits.max_entry_bytes)
                .map_err(|e| refused(format!("the entry {name:?} cannot be decompressed ({e})")))?;
            if size > limits.max_entry_bytes {
                return Err(too_big());
            }
            drop(entry);
            real_total = real_total.saturating_add(size);
            if real_total > limits.max_total_bytes {
                return Err(refused(format!(
                    "its entries add up to more than {} bytes once decompressed",
                    limits.max_total_bytes
                )));
            }
            if name.starts_with("__MACOSX/") {
                // Finder's resource forks: not images.
                continue;
            }
            let file_name = name.rsplit('/').next().unwrap_or_default().to_string();
            if let Some(other) = index.insert(file_name.clone(), i) {
                let other = archive
                    .name_for_index(other)
                    .and_then(Result::ok)
                    .map(|n| n.into_owned())
                    .unwrap_or_default();
                return Err(refused(format!(
                    "two entries, {other:?} and {name:?}, have the file name {file_name:?}; rows could not say which they mean"
                )));
            }
        }
        Ok(ImageZip {
            archive,
            index,
            max_entry_bytes: limits.max_entry_bytes,
        })
    }

    /// The bytes of the entry with this file name, `None` when there is none. The real
    /// size is enforced again while reading.
    pub(super) fn read(&mut self, file: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(&i) = self.index.get(file) else {
            return Ok(None);
        };
        let cannot =
            |e: &dyn std::fmt::Display| format!("image {file:?} cannot be read from the zip: {e}.");
        let entry = self.archive.by_index(i).map_err(|e| cannot(&e))?;
        let mut bytes = Vec::new();
        entry
            .take(self.max_entry_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| cannot(&e))?;
        if bytes.len() as u64 > self.max_entry_bytes {
            return Err(format!(
                "image {file:?} is larger than {} bytes once decompressed.",
                self.max_entry_bytes
            ));
        }
        Ok(Some(bytes))
    }
}
