//! Bulk imports over the API: right holders' systems upload a product file (and a zip of
//! images), get a job id at once, and poll the job for its progress and per-row report.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::import::jobs::Upload;
use crate::import::view::{self, JobView, RowView};
use crate::models::import_job as jobs;
use crate::products;

/// Multipart body of an import (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The product file: CSV or JSON Lines (see docs/import.md); at most 100 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A zip of the images the rows name by file name; at most 1 GB.
    #[schema(value_type = Option<String>, format = Binary)]
    images: Option<Vec<u8>>,
    /// "true": check every row and report what would change, saving nothing.
    dry_run: Option<bool>,
    /// "true": publish the imported products (new ones are drafts otherwise).
    publish: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct JobDetail {
    #[serde(flatten)]
    pub job: JobView,
    /// Every row of the file and what became of it, once the job has finished.
    pub rows: Vec<RowView>,
}

/// Queues an import of the organisation's products; the job runs in the background.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 202, body = JobView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
#[post("/imports")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    let upload = Upload::from_body(Upload::read(payload).await?)?;
    let (imports, org, user_id) = (state.imports.clone(), user.org.id, user.user.id);
    let job = db::run(&state.pool, move |conn| {
        let id = imports.submit(org, user_id, upload)?;
        Ok(jobs::find(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/imports/{}", job.id)))
        .json(JobView::of(&job)))
}

/// The organisation's recent imports, newest first.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    responses((status = 200, body = Vec<JobView>), (status = 403, body = ErrorBody)))]
#[get("/imports")]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    let org = user.org.id;
    let rows = db::run(&state.pool, move |conn| {
        Ok(jobs::recent_of(conn, org, 100)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(JobView::of).collect::<Vec<_>>()))
}

/// An import's progress and, once finished, its per-row report.
#[utoipa::path(tag = "imports", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = JobDetail), (status = 404, body = ErrorBody)))]
#[get("/imports/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let job = view::own_job(&state, &user, path.into_inner()).await?;
    let report = view::report_of(&job)?;
    Ok(HttpResponse::Ok().json(JobDetail {
        job: JobView::of(&job),
        rows: report.rows.iter().map(RowView::of).collect(),
    }))
}
