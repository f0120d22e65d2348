//! Reading `multipart/form-data` bodies with limits: every file part has a byte limit
//! (refused as soon as it is passed, before the rest is read), text fields are short, and
//! a body with too many files is refused. Pages and the API read uploads through this.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::error::AppError;

/// Text fields of most upload forms are short.
pub const SHORT_TEXT_BYTES: usize = 4096;

/// Text fields of forms with long descriptions (notices, alerts).
pub const LONG_TEXT_BYTES: usize = 64 * 1024;

/// A file part of the body.
#[derive(Debug)]
pub struct UploadedFile {
    /// The form field it came in.
    pub field: String,
    /// The name the browser gave, for messages; never used as a path.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The parts of a body: text fields and non-empty files, in the order they came.
#[derive(Debug, Default)]
pub struct MultipartBody {
    texts: Vec<(String, String)>,
    files: Vec<UploadedFile>,
}

impl MultipartBody {
    /// The text of a field, trimmed; empty when absent.
    pub fn text(&self, field: &str) -> &str {
        self.texts
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.trim())
            .unwrap_or_default()
    }

    /// Every value sent in a field (checkboxes sharing a name), trimmed.
    pub fn texts(&self, field: &str) -> Vec<&str> {
        self.texts
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, value)| value.trim())
            .collect()
    }

    /// A checkbox or boolean field: present with any of the usual "yes" values.
    pub fn flag(&self, field: &str) -> bool {
        matches!(
            self.text(field).to_ascii_lowercase().as_str(),
            "on" | "true" | "1" | "yes"
        )
    }

    /// Takes the first file sent in `field`.
    pub fn take_file(&mut self, field: &str) -> Option<UploadedFile> {
        let at = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.remove(at))
    }

    /// Takes every file sent in `field`.
    pub fn take_files(&mut self, field: &str) -> Vec<UploadedFile> {
        let (taken, kept) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|f| f.field == field);
        self.files = kept;
        taken
    }
}

/// What a body may hold.
pub struct UploadLimits<'a> {
    /// The byte limit of each file field; a file in a field not listed is refused.
    pub files: &'a [(&'a str, u64)],
    /// At most this many files in all.
    pub max_files: usize,
    /// The byte limit of each text field.
    pub max_text_bytes: usize,
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        "invalid_upload",
        format!("The upload could not be read: {e}"),
    )
}

fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// Reads the whole body within `limits`.
pub async fn read(
    mut payload: Multipart,
    limits: &UploadLimits<'_>,
) -> Result<MultipartBody, AppError> {
    let mut body = MultipartBody::default();
    let mut file_count = 0;
    while let Some(part) = payload.next().await {
        let mut part = part.map_err(unreadable)?;
        let field = part.name().unwrap_or_default().to_string();
        let declared_file = limits.files.iter().any(|(name, _)| *name == field);
        // A part is a file when it says so, or when it comes in a file field (some
        // clients send files without a name).
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string)
            .or_else(|| declared_file.then(|| field.clone()));
        let limit = match &file_name {
            Some(file_name) => {
                let Some((_, limit)) = limits.files.iter().find(|(name, _)| *name == field) else {
                    return Err(AppError::bad_request(
                        "unexpected_file",
                        format!("The file {file_name:?} came in the field {field:?}, which takes no file."),
                    ));
                };
                file_count += 1;
                if file_count > limits.max_files {
                    return Err(AppError::bad_request(
                        "too_many_files",
                        format!("Send at most {} files at a time.", limits.max_files),
                    ));
                }
                usize::try_from(*limit).unwrap_or(usize::MAX)
            }
            None => limits.max_text_bytes,
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(match &file_name {
                    Some(file_name) => AppError::TooLarge(format!(
                        "{file_name} is too large: at most {} MB.",
                        megabytes(limit as u64)
                    )),
                    None => unreadable(format!("the field {field} is too long")),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            // A file input left empty still sends an empty part.
            Some(_) if bytes.is_empty() => {}
            Some(name) => body.files.push(UploadedFile { field, name, bytes }),
            None => body
                .texts
                .push((field, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok(body)
}

/// Reads a form of text fields and up to `max_files` photos, each of at most `max_bytes`,
/// sent in fields named `file` (or `files`): the text, and the photos in the order they
/// came. What the photos are is for the image pipeline to check.
pub async fn read_with_photos(
    payload: Multipart,
    max_bytes: u64,
    max_files: usize,
) -> Result<(MultipartBody, Vec<Vec<u8>>), AppError> {
    let files = [("file", max_bytes), ("files", max_bytes)];
    let limits = UploadLimits {
        files: &files,
        max_files,
        max_text_bytes: LONG_TEXT_BYTES,
    };
    let mut body = read(payload, &limits).await?;
    let photos = std::mem::take(&mut body.files)
        .into_iter()
        .map(|f| f.bytes)
        .collect();
    Ok((body, photos))
}
