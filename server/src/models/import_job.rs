//! Background imports: their progress and, once finished, their report.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::import_jobs;
use crate::db::{self, DbConnection};
use crate::models::now;

/// A job runs at most this many times: one that keeps getting interrupted (or crashes
/// the server) is then given up with a message instead of being tried forever.
pub const MAX_ATTEMPTS: i32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Finished,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Finished => "finished",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> JobStatus {
        match text {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "finished" => JobStatus::Finished,
            _ => JobStatus::Failed,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_jobs)]
pub struct ImportJobRow {
    pub id: i64,
    pub organisation_id: i64,
    pub user_id: Option<i64>,
    pub file_name: String,
    pub images_name: Option<String>,
    pub dry_run: bool,
    pub publish: bool,
    pub status: String,
    pub attempts: i32,
    pub total_rows: i32,
    pub done_rows: i32,
    pub created_rows: i32,
    pub updated_rows: i32,
    pub failed_rows: i32,
    pub error: Option<String>,
    pub report: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub started_at: Option<chrono::NaiveDateTime>,
    pub finished_at: Option<chrono::NaiveDateTime>,
}

impl ImportJobRow {
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status)
    }
}

#[derive(Insertable)]
#[diesel(table_name = import_jobs)]
pub struct NewImportJob<'a> {
    pub organisation_id: i64,
    pub user_id: Option<i64>,
    pub file_name: &'a str,
    pub images_name: Option<&'a str>,
    pub dry_run: bool,
    pub publish: bool,
    pub status: &'static str,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewImportJob) -> QueryResult<i64> {
    diesel::insert_into(import_jobs::table)
        .values(new)
        .returning(import_jobs::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<ImportJobRow> {
    import_jobs::table
        .find(id)
        .select(ImportJobRow::as_select())
        .first(conn)
}

/// The organisation's jobs, newest first, without their reports (they can be large).
pub fn recent_of(
    conn: &mut DbConnection,
    organisation: i64,
    limit: i64,
) -> QueryResult<Vec<ImportJobRow>> {
    import_jobs::table
        .filter(import_jobs::organisation_id.eq(organisation))
        .order(import_jobs::id.desc())
        .limit(limit)
        .select(ImportJobRow::as_select())
        .load(conn)
}

/// Jobs a restart interrupted go back to the queue, unless they were tried too often.
/// Returns how many were queued again and how many given up.
pub fn requeue_interrupted(conn: &mut DbConnection) -> QueryResult<(usize, usize)> {
    let running = import_jobs::table.filter(import_jobs::status.eq(JobStatus::Running.as_str()));
    let given_up = diesel::update(running.filter(import_jobs::attempts.ge(MAX_ATTEMPTS)))
        .set((
            import_jobs::status.eq(JobStatus::Failed.as_str()),
            import_jobs::error.eq(Some(
                "The import was interrupted by a restart of the server too many times and was \
                 given up. Rows written before are kept; importing the file again updates them.",
            )),
            import_jobs::finished_at.eq(Some(now())),
        ))
        .execute(conn)?;
    let queued = diesel::update(running)
        .set(import_jobs::status.eq(JobStatus::Queued.as_str()))
        .execute(conn)?;
    Ok((queued, given_up))
}

/// Takes the oldest queued job (marks it running); `None` when the queue is empty.
pub fn claim_next(conn: &mut DbConnection) -> QueryResult<Option<ImportJobRow>> {
    db::transaction(conn, |conn| {
        let next: Option<i64> = import_jobs::table
            .filter(import_jobs::status.eq(JobStatus::Queued.as_str()))
            .order(import_jobs::id.asc())
            .select(import_jobs::id)
            .first(conn)
            .optional()?;
        let Some(id) = next else {
            return Ok(None);
        };
        // Only one node wins a job: the update matches only while it is still queued.
        let claimed = diesel::update(
            import_jobs::table
                .find(id)
                .filter(import_jobs::status.eq(JobStatus::Queued.as_str())),
        )
        .set((
            import_jobs::status.eq(JobStatus::Running.as_str()),
            import_jobs::attempts.eq(import_jobs::attempts + 1),
            import_jobs::started_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if claimed == 0 {
            return Ok(None);
        }
        find(conn, id).map(Some)
    })
}

pub fn set_progress(
    conn: &mut DbConnection,
    id: i64,
    done: usize,
    total: usize,
) -> QueryResult<()> {
    diesel::update(import_jobs::table.find(id))
        .set((
            import_jobs::done_rows.eq(clamp(done)),
            import_jobs::total_rows.eq(clamp(total)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The counts and report of a finished job.
pub struct Finished<'a> {
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub failed: usize,
    pub report: &'a str,
}

pub fn finish(conn: &mut DbConnection, id: i64, done: &Finished) -> QueryResult<()> {
    diesel::update(import_jobs::table.find(id))
        .set((
            import_jobs::status.eq(JobStatus::Finished.as_str()),
            import_jobs::done_rows.eq(clamp(done.total)),
            import_jobs::total_rows.eq(clamp(done.total)),
            import_jobs::created_rows.eq(clamp(done.created)),
            import_jobs::updated_rows.eq(clamp(done.updated)),
            import_jobs::failed_rows.eq(clamp(done.failed)),
            import_jobs::report.eq(Some(done.report)),
            import_jobs::finished_at.eq(Some(now())),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn fail(conn: &mut DbConnection, id: i64, error: &str) -> QueryResult<()> {
    diesel::update(import_jobs::table.find(id))
        .set((
            import_jobs::status.eq(JobStatus::Failed.as_str()),
            import_jobs::error.eq(Some(error)),
            import_jobs::finished_at.eq(Some(now())),
        ))
        .execute(conn)
        .map(|_| ())
}

fn clamp(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
