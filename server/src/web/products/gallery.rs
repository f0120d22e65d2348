//! A product's images on its page: upload (several at once, from a file picker, a drop
//! or the phone camera), kind and caption, order, removal, and the files themselves.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
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
use crate::uploads::{self, UploadLimits};
use crate::web::{redirect, render, NoFields};

/// At most this many images in one upload.
const MAX_FILES: usize = 20;

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
    let files = [("file", state.image_limits().max_bytes)];
    let limits = UploadLimits {
        files: &files,
        max_files: MAX_FILES,
        max_text_bytes: uploads::SHORT_TEXT_BYTES,
    };
    let mut form = uploads::read(payload, &limits).await?;
    csrf::verify(&req, &user, form.text("csrf_token"))?;
    let kind = ImageKind::parse(form.text("kind"))?;
    let caption = form.text("caption").to_string();
    let files = form.take_files("file");
    if files.is_empty() {
        return Err(AppError::bad_request(
            "missing_file",
            "Choose one or more images to upload.",
        ));
    }
    let mut report = Vec::new();
    let mut refused = 0;
    for file in files {
        let stored =
            upload::upload(&state, id, user.actor(), kind, caption.clone(), file.bytes).await;
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
