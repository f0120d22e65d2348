//! Reading a multipart form with text fields and image files, refusing what is too big
//! before reading further.

use actix_multipart::Multipart;
use futures_util::StreamExt;
use std::collections::HashMap;

use crate::error::AppError;

/// Text fields are short; descriptions are at most a few thousand characters.
const MAX_FIELD_BYTES: usize = 32 * 1024;

#[derive(Default)]
pub struct MultipartForm {
    pub fields: HashMap<String, String>,
    /// The parts named `file` (or `files`) that were not left empty.
    pub files: Vec<Vec<u8>>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request("invalid_upload", format!("The form could not be read: {e}"))
}

/// Reads the whole form: at most `max_files` files of at most `max_bytes` each.
pub async fn read(
    mut payload: Multipart,
    max_bytes: u64,
    max_files: usize,
) -> Result<MultipartForm, AppError> {
    let mut form = MultipartForm::default();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        let is_file = matches!(name.as_str(), "file" | "files");
        if is_file && form.files.len() >= max_files {
            return Err(AppError::bad_request(
                "too_many_files",
                format!("Attach at most {max_files} photos at a time."),
            ));
        }
        let limit = if is_file {
            usize::try_from(max_bytes).unwrap_or(usize::MAX)
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if is_file {
                    AppError::TooLarge(format!(
                        "A photo is too large: photos may be at most {} MB.",
                        max_bytes / (1024 * 1024)
                    ))
                } else {
                    unreadable(format!("the field {name} is too long"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            // A file input left empty still sends an empty part.
            if !bytes.is_empty() {
                form.files.push(bytes);
            }
        } else {
            let text = String::from_utf8(bytes)
                .map_err(|_| unreadable(format!("the field {name} is not UTF-8 text")))?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}
