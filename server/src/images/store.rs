//! Content-addressed storage of the re-encoded JPEGs: `<data_dir>/images/ab/abcdef….jpg`,
//! named by the SHA-256 of their bytes. The same bytes are stored once; a file, once
//! written, never changes, so it can be served with a year-long cache header.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ImageError;

/// Whether `sha` is 64 lowercase hex digits: the only strings ever turned into a path.
pub fn is_valid_sha(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Held by every process that may store files before the database rows naming them
/// commit (a running server, a command-line import). It is a shared lock on a file of the
/// store, which the sweep of orphaned files takes exclusively: so the sweep never deletes
/// a file whose row is about to commit. The operating system drops it when the process
/// ends, even when it is killed.
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// What a sweep of orphaned files did.
#[derive(Debug, PartialEq, Eq)]
pub enum Sweep {
    /// The files no row names were deleted: these shas.
    Removed(Vec<String>),
    /// Another process holds the writer lock; nothing was touched.
    Busy,
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

    fn lock_file(&self) -> std::io::Result<File> {
        fs::create_dir_all(&self.root)?;
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(self.root.join(".writers.lock"))
    }

    /// Takes the shared writer lock (see [`WriterLock`]); waits while a sweep runs.
    pub fn lock_for_writing(&self) -> Result<WriterLock, ImageError> {
        let file = self.lock_file()?;
        file.lock_shared()?;
        Ok(WriterLock { _file: file })
    }

    /// Deletes every stored file that `referenced` does not name, and the temporary files
    /// of interrupted writes: what a crash between storing a file and committing its row
    /// (or between deleting a row and its file) leaves behind. Runs only when no other
    /// process holds the writer lock; `referenced` is called once the lock is held, so
    /// it sees every committed row.
    pub fn sweep_orphans<E>(
        &self,
        referenced: impl FnOnce() -> Result<HashSet<String>, E>,
    ) -> Result<Sweep, E>
    where
        E: From<ImageError>,
    {
        let file = self.lock_file().map_err(ImageError::from)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Sweep::Busy),
            Err(TryLockError::Error(e)) => return Err(ImageError::from(e).into()),
        }
        let keep = referenced()?;
        let mut removed = Vec::new();
        for sha in self.all()? {
            if !keep.contains(&sha) && self.remove(&sha)? {
                removed.push(sha);
            }
        }
        self.remove_temporary_files()?;
        Ok(Sweep::Removed(removed))
    }

    /// Deletes the `.<sha>.<random>.tmp` files that an interrupted [`ImageStore::put`]
    /// left; only called under the exclusive lock, when no put is running.
    fn remove_temporary_files(&self) -> Result<(), ImageError> {
        for dir in self.prefix_dirs()? {
            for file in fs::read_dir(dir)? {
                let file = file?;
                let name = file.file_name();
                let is_temporary = name
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"));
                if is_temporary && file.file_type()?.is_file() {
                    fs::remove_file(file.path())?;
                }
            }
        }
        Ok(())
    }

    /// The two-hex-digit folders of the store.
    fn prefix_dirs(&self) -> Result<Vec<PathBuf>, ImageError> {
        let top = match fs::read_dir(&self.root) {
            Ok(top) => top,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut dirs = Vec::new();
        for entry in top {
            let entry = entry?;
            let is_prefix = entry.file_name().to_str().is_some_and(|name| {
                name.len() == 2 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            });
            if is_prefix && entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            }
        }
        Ok(dirs)
    }

    /// Every stored sha, sorted: for finding files that no database row refers to.
    /// Anything else in the folders (temporary files of an interrupted `put`, stray
    /// files) is ignored.
    pub fn all(&self) -> Result<Vec<String>, ImageError> {
        let mut shas = Vec::new();
        for dir in self.prefix_dirs()? {
            for file in fs::read_dir(dir)? {
                let file = file?;
                let name = file.file_name();
                let Some(sha) = name.to_str().and_then(|n| n.strip_suffix(".jpg")) else {
                    continue;
                };
                let in_its_folder = file
                    .path()
                    .parent()
                    .and_then(Path::file_name)
                    .and_then(|p| p.to_str())
                    .is_some_and(|prefix| sha.starts_with(prefix));
                if is_valid_sha(sha) && in_its_folder && file.file_type()?.is_file() {
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
