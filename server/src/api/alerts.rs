//! Alerts over the API: right holders publish, edit and withdraw them and add photos;
//! officers list the current ones for their country (and the global ones) and search them.

use actix_multipart::Multipart;
use actix_web::{delete, get, post, put, web, HttpResponse};
use utoipa::ToSchema;

use crate::alerts::view::{self, AlertQuery, AlertView};
use crate::alerts::{self, AlertInput, NewPhoto};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};

async fn view_for(state: &AppState, user: &CurrentUser, id: i64) -> Result<AlertView, AppError> {
    let who = user.clone();
    db::run(&state.pool, move |conn| view::load(conn, &who, id, true)).await
}

/// Officers: the current alerts for their administration's country and the global ones,
/// most severe first, then newest. Right holders: their own alerts, newest first.
#[utoipa::path(tag = "alerts", security(("bearer" = [])), params(AlertQuery),
    responses((status = 200, body = Vec<AlertView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/alerts")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<AlertQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let found = db::run(&state.pool, move |conn| {
        view::list(conn, &user, &query, true)
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Publishes an alert (a right holder's owner or editors); officers see it at once.
#[utoipa::path(tag = "alerts", security(("bearer" = [])), request_body = AlertInput,
    responses((status = 201, body = AlertView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/alerts")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<AlertInput>,
) -> Result<HttpResponse, AppError> {
    let id = alerts::create(&state, &user, body.into_inner(), Vec::new()).await?;
    Ok(HttpResponse::Created().json(view_for(&state, &user, id).await?))
}

#[utoipa::path(tag = "alerts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AlertView), (status = 404, body = ErrorBody)))]
#[get("/alerts/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(view_for(&state, &user, path.into_inner()).await?))
}

/// Replaces an alert's text, severity, validity, countries and products; photos stay.
#[utoipa::path(tag = "alerts", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AlertInput,
    responses((status = 200, body = AlertView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/alerts/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<AlertInput>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    alerts::update(&state, &user, id, body.into_inner(), Vec::new(), Vec::new()).await?;
    Ok(HttpResponse::Ok().json(view_for(&state, &user, id).await?))
}

/// Withdraws an alert before its last day: officers no longer see it.
#[utoipa::path(tag = "alerts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AlertView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/alerts/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    alerts::withdraw(&state, &user, id).await?;
    Ok(HttpResponse::Ok().json(view_for(&state, &user, id).await?))
}

/// Multipart body of an alert photo (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AlertPhotoUpload {
    /// JPEG, PNG, WebP, GIF, TIFF or BMP; re-encoded without metadata.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    caption: Option<String>,
}

/// Adds a photo to an alert.
#[utoipa::path(tag = "alerts", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = AlertPhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = AlertView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
#[post("/alerts/{id}/photos")]
pub async fn add_photo(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    alerts::require_publisher(&user)?;
    let id = path.into_inner();
    let upload = crate::api::products::read_upload(payload, state.image_limits().max_bytes).await?;
    let new_photo = NewPhoto {
        bytes: upload.file,
        caption: upload.caption,
    };
    alerts::add_photo(&state, &user, id, new_photo).await?;
    Ok(HttpResponse::Created().json(view_for(&state, &user, id).await?))
}

/// Removes a photo of an alert.
#[utoipa::path(tag = "alerts", security(("bearer" = [])),
    params(("id" = i64, Path), ("photo_id" = i64, Path)),
    responses((status = 200, body = AlertView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/alerts/{id}/photos/{photo_id}")]
pub async fn remove_photo(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, photo_id) = path.into_inner();
    alerts::remove_photo(&state, &user, id, photo_id).await?;
    Ok(HttpResponse::Ok().json(view_for(&state, &user, id).await?))
}

/// A photo of an alert the caller may read, as JPEG: `thumb` or `display`.
#[utoipa::path(tag = "alerts", security(("bearer" = [])),
    params(("id" = i64, Path), ("photo_id" = i64, Path), ("size" = String, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
#[get("/alerts/{id}/photos/{photo_id}/{size}")]
pub async fn photo(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    serve_photo(&state, user, path.into_inner()).await
}

/// Shared by the API and the pages: checks access, then sends the stored JPEG.
pub async fn serve_photo(
    state: &AppState,
    user: CurrentUser,
    (id, photo_id, size): (i64, i64, String),
) -> Result<HttpResponse, AppError> {
    let sha = db::run(&state.pool, move |conn| {
        view::photo_file(conn, &user, id, photo_id, &size)
    })
    .await?;
    super::stored_jpeg(state, sha, "private, max-age=3600").await
}
