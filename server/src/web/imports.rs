//! Bulk import pages for right holders' editors: upload a product file (and a zip of
//! images) with a progress bar, follow the background job, and read its per-row report.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{redirect, render, PageContext};
use crate::app::AppState;
use crate::auth::{csrf, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::import::jobs::Upload;
use crate::import::view::{self, JobView, RowView};
use crate::models::import_job as jobs;
use crate::products;

/// Jobs listed on the imports page.
const LISTED_JOBS: i64 = 50;
/// Rows shown on a report page besides the failed ones (all of which are shown).
const SHOWN_ROWS: usize = 200;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/imports", web::get().to(list))
        .route("/imports", web::post().to(upload))
        .route("/imports/format", web::get().to(format))
        .route("/imports/{id}", web::get().to(show))
        .route("/imports/{id}/report.csv", web::get().to(report_csv));
}

#[derive(Template)]
#[template(path = "imports/list.html")]
struct ImportsPage {
    ctx: PageContext,
    jobs: Vec<JobView>,
    /// Why the last upload was refused, shown above the form.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct JobPage {
    ctx: PageContext,
    job: JobView,
    failed: Vec<RowView>,
    others: Vec<RowView>,
    /// Rows not shown (the CSV has them all).
    hidden: usize,
}

async fn imports_page(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let org = user.org.id;
    let rows = db::run(&state.pool, move |conn| {
        Ok(jobs::recent_of(conn, org, LISTED_JOBS)?)
    })
    .await?;
    render(&ImportsPage {
        ctx: PageContext::new(req, Some(user)),
        jobs: rows.iter().map(JobView::of).collect(),
        error,
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    imports_page(&req, &state, &user, None).await
}

/// Queues the upload and goes to its page; a refused upload shows the form again with
/// the reason.
async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    let body = Upload::read(payload).await?;
    csrf::verify(&req, &user, body.text("csrf_token"))?;
    let queued = match Upload::from_body(body) {
        Ok(upload) => {
            let (imports, org, user_id) = (state.imports.clone(), user.org.id, user.user.id);
            db::run(&state.pool, move |_| imports.submit(org, user_id, upload)).await
        }
        Err(e) => Err(e),
    };
    match queued {
        Ok(id) => Ok(redirect(&format!("/imports/{id}"))),
        Err(e @ (AppError::BadRequest { .. } | AppError::TooLarge(_))) => {
            imports_page(&req, &state, &user, Some(e.public_message())).await
        }
        Err(e) => Err(e),
    }
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let job = view::own_job(&state, &user, path.into_inner()).await?;
    let report = view::report_of(&job)?;
    let (failed, others): (Vec<RowView>, Vec<RowView>) = report
        .rows
        .iter()
        .map(RowView::of)
        .partition(RowView::failed);
    let hidden = others.len().saturating_sub(SHOWN_ROWS);
    render(&JobPage {
        ctx: PageContext::new(&req, Some(&user)),
        job: JobView::of(&job),
        failed,
        others: others.into_iter().take(SHOWN_ROWS).collect(),
        hidden,
    })
}

async fn report_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let job = view::own_job(&state, &user, id).await?;
    let csv = view::report_csv(&view::report_of(&job)?)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"import-{id}-report.csv\""),
        ))
        .body(csv))
}

/// The import format, from the same document the repository keeps (docs/import.md).
async fn format(user: CurrentUser) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(include_str!("../../../docs/import.md")))
}
