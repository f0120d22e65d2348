//! A product's images on its page: upload (several at once, from a file picker, a drop
//! or the phone camera), kind and caption, order, removal, and the files themselves.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;

use super::edit::overview_page;
use super::own_product;
use crate::api::products::serve_image;
use crate::app::AppState;
use crate::auth::{csrf, csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::products::images::{detach, relabel as relabel_image, shift as shift_image, ImageKind};
use crate::products::{self, upload};
use crate::web::{redirect, render, NoFields};

/// At most this many images in one upload.
const MAX_FILES: usize = 20;
/// Text fields of the upload form are short.
const MAX_FIELD_BYTES: usize = 4096;

struct UploadedFile {
    name: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
struct GalleryUpload {
    csrf_token: String,
    kind: String,
    caption: String,
    files: Vec<UploadedFile>,
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        "invalid_upload",
        format!("The upload could not be read: {e}"),
    )
}

/// Reads the upload form, refusing any file over `max_bytes` and more than
/// [`MAX_FILES`] files before reading further.
async fn read_form(mut payload: Multipart, max_bytes: u64) -> Result<GalleryUpload, AppError> {
    let mut form = GalleryUpload::default();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("image")
            .to_string();
        if name == "file" && form.files.len() >= MAX_FILES {
            return Err(AppError::bad_request(
                "too_many_files",
                format!("Upload at most {MAX_FILES} images at a time."),
            ));
        }
        let limit = if name == "file" {
            usize::try_from(max_bytes).unwrap_or(usize::MAX)
        } else {
            MAX_FIELD_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    AppError::TooLarge(format!(
                        "{file_name} is too large: images may be at most {} MB.",
                        max_bytes / (1024 * 1024)
                    ))
                } else {
                    unreadable(format!("the field {name} is too long"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "csrf_token" => form.csrf_token = text(),
            "kind" => form.kind = text(),
            "caption" => form.caption = text(),
            // A file input left empty still sends an empty part.
            "file" if !bytes.is_empty() => form.files.push(UploadedFile {
                name: file_name,
                bytes,
            }),
            _ => {}
        }
    }
    Ok(form)
}

/// Stores every uploaded image; one that is refused does not stop the others, and the
/// page says what happened to each.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    products::require_editor(&user)?;
    own_product(&state, &user, id).await?;
    let form = read_form(payload, state.image_limits().max_bytes).await?;
    csrf::verify(&req, &user, &form.csrf_token)?;
    let kind = ImageKind::parse(&form.kind)?;
    if form.files.is_empty() {
        return Err(AppError::bad_request(
            "missing_file",
            "Choose one or more images to upload.",
        ));
    }
    let mut report = Vec::new();
    let mut refused = 0;
    for file in form.files {
        let stored = upload::upload(
            &state,
            id,
            user.actor(),
            kind,
            form.caption.clone(),
            file.bytes,
        )
        .await;
        match stored {
            Ok(_) => report.push(format!("{}: added.", file.name)),
            Err(e @ (AppError::BadRequest { .. } | AppError::TooLarge(_))) => {
                refused += 1;
                report.push(format!("{}: not added. {}", file.name, e.public_message()));
            }
            Err(e) => return Err(e),
        }
    }
    if refused == 0 {
        return Ok(redirect(&format!(
            "/products/{id}?notice=images_added#images"
        )));
    }
    let product = own_product(&state, &user, id).await?;
    render(&overview_page(&req, &state, &user, &product, report))
}

#[derive(Deserialize)]
pub struct RelabelForm {
    kind: String,
    caption: String,
}

pub async fn relabel(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<RelabelForm>,
) -> Result<HttpResponse, AppError> {
    let (id, image_id) = path.into_inner();
    let kind = ImageKind::parse(&form.kind)?;
    db::run(&state.pool, move |conn| {
        products::load_own(conn, &user, id)?;
        relabel_image(conn, id, image_id, &user.actor(), kind, &form.caption)
    })
    .await?;
    state.search.notify();
    Ok(redirect(&format!(
        "/products/{id}?notice=image_saved#images"
    )))
}

#[derive(Deserialize)]
pub struct ShiftForm {
    direction: String,
}

pub async fn shift(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<ShiftForm>,
) -> Result<HttpResponse, AppError> {
    let (id, image_id) = path.into_inner();
    let up = form.direction == "up";
    db::run(&state.pool, move |conn| {
        products::load_own(conn, &user, id)?;
        shift_image(conn, id, image_id, &user.actor(), up)
    })
    .await?;
    Ok(redirect(&format!("/products/{id}#image-{image_id}")))
}

pub async fn remove(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (id, image_id) = path.into_inner();
    let image = db::run(&state.pool, move |conn| {
        products::load_own(conn, &user, id)?;
        detach(conn, id, image_id, &user.actor())
    })
    .await?;
    state.search.notify();
    upload::remove_unused(&state, vec![image.display_sha256, image.thumb_sha256]).await;
    Ok(redirect(&format!(
        "/products/{id}?notice=image_removed#images"
    )))
}

/// An image file, for anyone who may see the product (officers included).
pub async fn file(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, image_id, size) = path.into_inner();
    serve_image(&state, user, id, image_id, &size).await
}
