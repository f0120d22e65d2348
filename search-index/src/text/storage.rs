//! The on-disk layout: `<root>/current` names the live index directory
//! `<root>/v<schema version>-<unix nanos>`. A schema-version change creates a fresh
//! directory, switches `current` to it atomically (write + rename) and deletes the old one.

use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use tantivy::Index;

use super::error::TextIndexError;
use super::schema::{Fields, SCHEMA_VERSION};

const CURRENT: &str = "current";

pub(crate) struct Opened {
    pub index: Index,
    /// True when the index was created empty (first start or schema change).
    pub created: bool,
}

fn version_prefix() -> String {
    format!("v{SCHEMA_VERSION}-")
}

/// Opens the live index under `root`, or creates a fresh one when there is none or it was
/// built with another schema version.
pub(crate) fn open_dir(root: &Path, fields: &Fields) -> Result<Opened, TextIndexError> {
    fs::create_dir_all(root)?;
    let current = fs::read_to_string(root.join(CURRENT))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && !s.contains(['/', '\\']) && s != "..");
    if let Some(name) = &current {
        let dir = root.join(name);
        if name.starts_with(&version_prefix()) && dir.join("meta.json").is_file() {
            let index = Index::open_in_dir(&dir)?;
            if index.schema() == fields.schema {
                return Ok(Opened {
                    index,
                    created: false,
                });
            }
        }
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!("{}{nanos}", version_prefix());
    let dir = root.join(&name);
    fs::create_dir_all(&dir)?;
    let index = Index::create_in_dir(&dir, fields.schema.clone())?;
    let tmp = root.join(format!("{CURRENT}.tmp"));
    fs::write(&tmp, format!("{name}\n"))?;
    fs::rename(&tmp, root.join(CURRENT))?;
    // Remove every other index directory (the old version, or leftovers of a crash).
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(other) = file_name.to_str() else {
            continue;
        };
        if other != name && other.starts_with('v') && other.contains('-') && entry.path().is_dir() {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(Opened {
        index,
        created: true,
    })
}

/// The outbox sequence recorded in a commit payload (`None` payload = 0).
pub(crate) fn parse_payload(payload: Option<&str>) -> Result<u64, TextIndexError> {
    match payload {
        None => Ok(0),
        Some(p) => p
            .strip_prefix("last_applied=")
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| TextIndexError::BadPayload(p.to_string())),
    }
}

pub(crate) fn payload(seq: u64) -> String {
    format!("last_applied={seq}")
}
