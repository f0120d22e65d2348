//! Suspect-goods notices over the API: officers send and follow them, right holders'
//! responders and owners answer. Each side sees only its own organisation's notices.

use actix_multipart::Multipart;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::notices::view::{self, Names, NoticeSummary, NoticeView};
use crate::notices::{self, Decision, NoticeInput, MAX_PHOTOS};

const PREFIX: &str = "/api/v1";

/// The public address links in e-mails start with.
pub fn site(req: &HttpRequest, state: &AppState) -> String {
    crate::web::absolute_url(req, state.config.base_url.as_deref(), "")
}

/// A notice with its thread, for `user`, with addresses under `prefix`.
pub async fn view_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    prefix: &'static str,
) -> Result<NoticeView, AppError> {
    let reader = user.clone();
    db::run(&state.pool, move |conn| {
        let (notice, _) = notices::load_for(conn, &reader, id)?;
        NoticeView::build(conn, notice, prefix)
    })
    .await
}

/// The notices of the caller's administration (newest first), or the right holder's
/// inbox (overdue first, then open by deadline, answered, closed).
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Vec<NoticeSummary>), (status = 403, body = ErrorBody)))]
#[get("/notices")]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let list = db::run(&state.pool, move |conn| {
        let mut names = Names::default();
        notices::list_for(conn, &user)?
            .iter()
            .map(|n| NoticeSummary::of(conn, &mut names, n))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Sends a notice to a right holder (officers and customs managers). Give `product_id`
/// from the guide, or `right_holder_id` with `brand` and `product_description`. Photos
/// are added with a message. The right holder's responders are told at once.
#[utoipa::path(tag = "notices", security(("bearer" = [])), request_body = NoticeInput,
    responses((status = 201, body = NoticeView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/notices")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<NoticeInput>,
) -> Result<HttpResponse, AppError> {
    let notice = notices::create(
        &state,
        &user,
        body.into_inner(),
        Vec::new(),
        site(&req, &state),
    )
    .await?;
    let view = view_for(&state, &user, notice.id, PREFIX).await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(tag = "notices", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 404, body = ErrorBody)))]
#[get("/notices/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(view_for(&state, &user, path.into_inner(), PREFIX).await?))
}

/// Multipart body of a message (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MessageUpload {
    /// The text; may be empty when photos are attached.
    body: String,
    /// Up to 10 photos (JPEG, PNG, WebP, GIF, TIFF or BMP), re-encoded and kept private.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// Posts a message in the thread, with photos; the other side is told at once.
#[utoipa::path(tag = "notices", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = MessageUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = NoticeView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
#[post("/notices/{id}/messages")]
pub async fn post_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    view_for(&state, &user, id, PREFIX).await?;
    let (form, photos) =
        crate::uploads::read_with_photos(payload, state.image_limits().max_bytes, MAX_PHOTOS)
            .await?;
    notices::reply(
        &state,
        &user,
        id,
        form.text("body"),
        photos,
        site(&req, &state),
    )
    .await?;
    Ok(HttpResponse::Created().json(view_for(&state, &user, id, PREFIX).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VerdictBody {
    /// genuine, counterfeit, not_ours or need_info
    pub verdict: String,
}

/// The right holder's verdict (responders and owners); the notice becomes answered.
#[utoipa::path(tag = "notices", security(("bearer" = [])), params(("id" = i64, Path)), request_body = VerdictBody,
    responses((status = 200, body = NoticeView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/notices/{id}/verdict")]
pub async fn set_verdict(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<VerdictBody>,
) -> Result<HttpResponse, AppError> {
    let decision = Decision::Verdict(body.into_inner().verdict);
    decide(&req, &state, &user, path.into_inner(), decision).await
}

#[derive(Deserialize, ToSchema)]
pub struct OutcomeBody {
    /// released, detained, destroyed or seized
    pub outcome: String,
}

/// What customs did with the goods (officers and customs managers).
#[utoipa::path(tag = "notices", security(("bearer" = [])), params(("id" = i64, Path)), request_body = OutcomeBody,
    responses((status = 200, body = NoticeView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/notices/{id}/outcome")]
pub async fn set_outcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<OutcomeBody>,
) -> Result<HttpResponse, AppError> {
    let decision = Decision::Outcome(body.into_inner().outcome);
    decide(&req, &state, &user, path.into_inner(), decision).await
}

/// Closes a notice (officers and customs managers); it takes no more changes.
#[utoipa::path(tag = "notices", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/notices/{id}/close")]
pub async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    decide(&req, &state, &user, path.into_inner(), Decision::Close).await
}

async fn decide(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    decision: Decision,
) -> Result<HttpResponse, AppError> {
    notices::decide(state, user, id, decision, site(req, state)).await?;
    Ok(HttpResponse::Ok().json(view_for(state, user, id, PREFIX).await?))
}

/// A photo of a notice (`display` or `thumb`), only for its administration and right holder.
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path), ("attachment_id" = i64, Path), ("size" = String, Path, description = "display or thumb")),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = ErrorBody)))]
#[get("/notices/{id}/attachments/{attachment_id}/{size}")]
pub async fn attachment(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    serve_attachment(&state, user, path.into_inner()).await
}

/// Shared by the API and the pages: checks access, then sends the stored JPEG.
pub async fn serve_attachment(
    state: &AppState,
    user: CurrentUser,
    (id, attachment_id, size): (i64, i64, String),
) -> Result<HttpResponse, AppError> {
    let sha = db::run(&state.pool, move |conn| {
        view::attachment_file(conn, &user, id, attachment_id, &size)
    })
    .await?;
    super::stored_jpeg(state, sha, "private, no-store").await
}
