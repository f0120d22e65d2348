//! A background import as pages and the API show it.

use serde::Serialize;
use utoipa::ToSchema;

use super::{ImportReport, Outcome, RowOutcome};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::import_job::{self as jobs, ImportJobRow, JobStatus};

#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: i64,
    pub file_name: String,
    pub images_name: Option<String>,
    pub dry_run: bool,
    pub publish: bool,
    /// queued, running, finished or failed
    pub status: String,
    /// Rows in the file (known once the job has started) and rows handled so far.
    pub total_rows: i64,
    pub done_rows: i64,
    pub created_rows: i64,
    pub updated_rows: i64,
    pub failed_rows: i64,
    /// Why the whole job failed (a bad header, a refused zip...), when it did.
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl JobView {
    pub fn of(job: &ImportJobRow) -> JobView {
        let time = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        JobView {
            id: job.id,
            file_name: job.file_name.clone(),
            images_name: job.images_name.clone(),
            dry_run: job.dry_run,
            publish: job.publish,
            status: job.status.clone(),
            total_rows: job.total_rows.into(),
            done_rows: job.done_rows.into(),
            created_rows: job.created_rows.into(),
            updated_rows: job.updated_rows.into(),
            failed_rows: job.failed_rows.into(),
            error: job.error.clone(),
            created_at: time(job.created_at),
            finished_at: job.finished_at.map(time),
        }
    }

    /// Still to come: queued or running.
    pub fn is_pending(&self) -> bool {
        matches!(
            JobStatus::parse(&self.status),
            JobStatus::Queued | JobStatus::Running
        )
    }

    /// How far the job is, in percent.
    pub fn percent(&self) -> i64 {
        match JobStatus::parse(&self.status) {
            JobStatus::Finished => 100,
            _ if self.total_rows > 0 => self.done_rows * 100 / self.total_rows,
            _ => 0,
        }
    }
}

/// The job `id` of the user's organisation, for its owner and editors; another
/// organisation's job is not found.
pub async fn own_job(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<ImportJobRow, AppError> {
    crate::products::require_editor(user)?;
    let org = user.org.id;
    db::run(&state.pool, move |conn| load_own(conn, org, id)).await
}

/// The job `id` of the organisation `org_id`; another organisation's job is not found.
pub fn load_own(conn: &mut DbConnection, org_id: i64, id: i64) -> Result<ImportJobRow, AppError> {
    match jobs::find(conn, id) {
        Ok(job) if job.organisation_id == org_id => Ok(job),
        Ok(_) | Err(diesel::NotFound) => Err(AppError::not_found(&format!("Import {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// The per-row report of a finished job (empty before).
pub fn report_of(job: &ImportJobRow) -> Result<ImportReport, AppError> {
    match &job.report {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| AppError::internal(format!("import report {}: {e}", job.id))),
        None => Ok(ImportReport::default()),
    }
}

/// One row of the report, for display and for the CSV download.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowView {
    pub line: u64,
    pub reference: Option<String>,
    /// created, updated, failed, would_create or would_update
    pub outcome: &'static str,
    pub product_id: Option<i64>,
    pub reason: Option<String>,
}

impl RowView {
    pub fn of(row: &RowOutcome) -> RowView {
        let (outcome, product_id, reason) = match &row.outcome {
            Outcome::Created { id } => ("created", Some(*id), None),
            Outcome::Updated { id } => ("updated", Some(*id), None),
            Outcome::Failed { reason } => ("failed", None, Some(reason.clone())),
            Outcome::WouldCreate => ("would_create", None, None),
            Outcome::WouldUpdate => ("would_update", None, None),
        };
        RowView {
            line: row.line,
            reference: row.reference.clone(),
            outcome,
            product_id,
            reason,
        }
    }

    pub fn failed(&self) -> bool {
        self.outcome == "failed"
    }
}

/// The report as CSV: one line per row of the imported file.
pub fn report_csv(report: &ImportReport) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::internal(format!("report CSV: {e}"));
    writer
        .write_record(["line", "reference", "outcome", "product_id", "reason"])
        .map_err(failed)?;
    for row in report.rows.iter().map(RowView::of) {
        writer
            .write_record([
                row.line.to_string(),
                row.reference.unwrap_or_default(),
                row.outcome.to_string(),
                row.product_id.map(|id| id.to_string()).unwrap_or_default(),
                row.reason.unwrap_or_default(),
            ])
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::internal(format!("report CSV: {e}")))
}
