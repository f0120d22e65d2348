//! Content-addressed storage of the re-encoded JPEGs: `<data_dir>/images/ab/abcdef….jpg`,
//! named by the SHA-256 of their bytes. The same bytes are stored once; a file, once
//! written, never changes, so it can be served with a year-long cache header.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ImageError;

/// Whether `sha` is 64 lowercase hex digits: the only strings ever turned into a path.
pub fn is_valid_sha(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The image files under `<data_dir>/images`.
#[derive(Debug, Clone)]
pub struct ImageStore {
    root: PathBuf,
}

impl ImageStore {
    /// The store under `<data_dir>/images`. Touches nothing on disk: folders are made by
    /// the first [`ImageStore::put`].
    pub fn new(data_dir: impl AsRef<Path>) -> ImageStore {
        ImageStore {
            root: data_dir.as_ref().join("images"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores `bytes` and returns their SHA-256 in lowercase hex. Atomic: the bytes go to
    /// a temporary file in the destination folder, are flushed to disk, and the file is
    /// renamed into place, so a reader never sees a partial file. Storing bytes that are
    /// already there does nothing.
    pub fn put(&self, bytes: &[u8]) -> Result<String, ImageError> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha)?;
        if path.exists() {
            return Ok(sha);
        }
        let dir = self.root.join(&sha[..2]);
        fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{sha}.{:016x}.tmp", rand::random::<u64>()));
        let written = write_synced(&tmp, bytes).and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            // Best effort: the write already failed, and `all()` skips stray temp files.
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
        sync_dir(&dir)?;
        Ok(sha)
    }

    /// Where the image `sha` is (or would be) stored.
    pub fn path(&self, sha: &str) -> Result<PathBuf, ImageError> {
        if !is_valid_sha(sha) {
            return Err(ImageError::InvalidSha);
        }
        Ok(self.root.join(&sha[..2]).join(format!("{sha}.jpg")))
    }

    /// The bytes of image `sha`, or `None` when it is not stored.
    pub fn read(&self, sha: &str) -> Result<Option<Vec<u8>>, ImageError> {
        match fs::read(self.path(sha)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes image `sha`; `false` when it was not stored. The emptied two-letter
    /// folder stays (it will be reused).
    pub fn remove(&self, sha: &str) -> Result<bool, ImageError> {
        match fs::remove_file(self.path(sha)?) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub fn exists(&self, sha: &str) -> Result<bool, ImageError> {
        Ok(self.path(sha)?.try_exists()?)
    }

    /// Every stored sha, sorted: for finding files that no database row refers to.
    /// Anything else in the folders (temporary files of an interrupted `put`, stray
    /// files) is ignored.
    pub fn all(&self) -> Result<Vec<String>, ImageError> {
        let mut shas = Vec::new();
        let top = match fs::read_dir(&self.root) {
            Ok(top) => top,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(shas),
            Err(e) => return Err(e.into()),
        };
        for entry in top {
            let entry = entry?;
            let Some(prefix) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let is_prefix = prefix.len() == 2
                && prefix
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            if !is_prefix || !entry.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(entry.path())? {
                let file = file?;
                let name = file.file_name();
                let Some(sha) = name.to_str().and_then(|n| n.strip_suffix(".jpg")) else {
                    continue;
                };
                if is_valid_sha(sha) && sha.starts_with(&prefix) && file.file_type()?.is_file() {
                    shas.push(sha.to_owned());
                }
            }
        }
        shas.sort_unstable();
        Ok(shas)
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename itself durable. Directories cannot be opened for syncing on Windows.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}
