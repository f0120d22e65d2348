//! Imports started from the web or the API run in the background, one at a time, on a
//! thread of their own: the upload returns at once and the page follows the job's
//! progress. The uploaded files wait under `<data_dir>/imports/<job id>/` and are deleted
//! once the job has run.
//!
//! A job interrupted by a restart (or a crash) is queued again at start-up and runs from
//! the beginning: rows are keyed by reference, so the rows it had written are updated,
//! never duplicated. A job that keeps being interrupted is given up after
//! [`MAX_ATTEMPTS`](crate::models::import_job::MAX_ATTEMPTS) runs.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_multipart::Multipart;

use super::{Format, ImportInput, ImportLimits, Rows, ZipSource};

use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::images::ImageStore;
use crate::models::audit::Actor;
use crate::models::import_job::{self as jobs, Finished, ImportJobRow, JobStatus, NewImportJob};
use crate::models::now;
use crate::search::SearchService;
use crate::uploads::{self, MultipartBody, UploadLimits};

/// How often the worker looks for jobs queued by another node.
const POLL: Duration = Duration::from_secs(5);
/// Progress is written to the database at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// The largest product file and zip of images an upload may carry; larger sets are
/// imported with `touchstone import`, which reads them in place.
pub const MAX_PRODUCT_FILE_BYTES: u64 = 100 * 1024 * 1024;
pub const MAX_IMAGES_ZIP_BYTES: u64 = 1024 * 1024 * 1024;
/// What an import upload may carry.
const UPLOAD_FILES: &[(&str, u64)] = &[
    ("file", MAX_PRODUCT_FILE_BYTES),
    ("images", MAX_IMAGES_ZIP_BYTES),
];
const PRODUCTS_FILE: &str = "products";
const IMAGES_FILE: &str = "images.zip";

/// An import as uploaded.
#[derive(Debug)]
pub struct Upload {
    pub file_name: String,
    pub data: Vec<u8>,
    /// The zip of images: its name and bytes.
    pub images: Option<(String, Vec<u8>)>,
    pub dry_run: bool,
    pub publish: bool,
}

impl Upload {
    /// Reads an upload form (`file`, optional `images`, `dry_run`, `publish`, and on
    /// pages `csrf_token`) within the limits of an import.
    pub async fn read(payload: Multipart) -> Result<MultipartBody, AppError> {
        let limits = UploadLimits {
            files: UPLOAD_FILES,
            max_files: UPLOAD_FILES.len(),
            max_text_bytes: uploads::SHORT_TEXT_BYTES,
        };
        uploads::read(payload, &limits).await
    }

    /// From a multipart body with `file`, optional `images`, `dry_run` and `publish`.
    pub fn from_body(mut body: MultipartBody) -> Result<Upload, AppError> {
        let Some(file) = body.take_file("file") else {
            return Err(AppError::bad_request(
                "missing_file",
                "Choose the product file to import (CSV or JSON Lines).",
            ));
        };
        Ok(Upload {
            file_name: file.name,
            data: file.bytes,
            images: body.take_file("images").map(|zip| (zip.name, zip.bytes)),
            dry_run: body.flag("dry_run"),
            publish: body.flag("publish"),
        })
    }
}

/// The queue of background imports of this node; cheap to clone.
#[derive(Clone)]
pub struct ImportJobs {
    inner: Arc<Inner>,
}

struct Inner {
    pool: DbPool,
    dir: PathBuf,
    limits: ImportLimits,
    wake: Mutex<Sender<()>>,
}

struct Worker {
    pool: DbPool,
    store: Arc<ImageStore>,
    search: SearchService,
    dir: PathBuf,
    limits: ImportLimits,
}

fn internal(context: &str, e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("{context}: {e}"))
}

impl ImportJobs {
    /// Queues again the jobs a restart interrupted, clears leftover files, and starts
    /// the worker thread.
    pub fn start(
        pool: DbPool,
        store: Arc<ImageStore>,
        search: SearchService,
        data_dir: &Path,
        limits: ImportLimits,
    ) -> Result<ImportJobs, AppError> {
        let dir = data_dir.join("imports");
        fs::create_dir_all(&dir).map_err(|e| internal("cannot create the imports folder", e))?;
        {
            let mut conn = pool.get().map_err(|e| internal("database", e))?;
            let (queued, given_up) = jobs::requeue_interrupted(&mut conn)?;
            if queued + given_up > 0 {
                tracing::warn!(queued, given_up, "imports interrupted by a restart");
            }
            remove_leftover_files(&mut conn, &dir)?;
        }
        let (wake, receiver) = mpsc::channel();
        let worker = Worker {
            pool: pool.clone(),
            store,
            search,
            dir: dir.clone(),
            limits,
        };
        std::thread::Builder::new()
            .name("import-jobs".into())
            .spawn(move || worker.run(receiver))
            .map_err(|e| internal("cannot start the import thread", e))?;
        Ok(ImportJobs {
            inner: Arc::new(Inner {
                pool,
                dir,
                limits,
                wake: Mutex::new(wake),
            }),
        })
    }

    /// Checks the upload as far as can be done at once (the CSV header, the zip), keeps
    /// its files and queues the job; returns its id. Blocking: call it inside
    /// `web::block` (or `db::run`).
    pub fn submit(&self, org_id: i64, user_id: i64, upload: Upload) -> Result<i64, AppError> {
        let format = Format::detect(Some(Path::new(&upload.file_name)), &upload.data);
        Rows::new(format, &upload.data)?;
        let incoming = self
            .inner
            .dir
            .join(format!(".incoming-{:016x}", rand::random::<u64>()));
        let kept = self.keep_files(&incoming, &upload);
        let queued = kept.and_then(|()| self.queue(&incoming, org_id, user_id, &upload));
        if queued.is_err() {
            // Best effort: a leftover folder is also removed at the next start.
            let _ = fs::remove_dir_all(&incoming);
        }
        let id = queued?;
        if let Ok(wake) = self.inner.wake.lock() {
            let _ = wake.send(());
        }
        Ok(id)
    }

    fn keep_files(&self, dir: &Path, upload: &Upload) -> Result<(), AppError> {
        fs::create_dir_all(dir).map_err(|e| internal("cannot keep the upload", e))?;
        fs::write(dir.join(PRODUCTS_FILE), &upload.data)
            .map_err(|e| internal("cannot keep the upload", e))?;
        if let Some((_, zip)) = &upload.images {
            let path = dir.join(IMAGES_FILE);
            fs::write(&path, zip).map_err(|e| internal("cannot keep the upload", e))?;
            super::zip::ImageZip::open(ZipSource::Path(path), &self.inner.limits.zip)?;
        }
        Ok(())
    }

    /// Inserts the job and moves its files into place in one transaction.
    fn queue(
        &self,
        incoming: &Path,
        org_id: i64,
        user_id: i64,
        upload: &Upload,
    ) -> Result<i64, AppError> {
        let mut conn = self.inner.pool.get().map_err(|_| AppError::Unavailable)?;
        db::transaction(&mut conn, |conn| {
            let id = jobs::insert(
                conn,
                &NewImportJob {
                    organisation_id: org_id,
                    user_id: Some(user_id),
                    file_name: &upload.file_name,
                    images_name: upload.images.as_ref().map(|(name, _)| name.as_str()),
                    dry_run: upload.dry_run,
                    publish: upload.publish,
                    status: JobStatus::Queued.as_str(),
                    created_at: now(),
                },
            )?;
            fs::rename(incoming, self.inner.dir.join(id.to_string()))
                .map_err(|e| internal("cannot keep the upload", e))?;
            Ok(id)
        })
    }
}

/// Removes the files of jobs that are not waiting or running, and unfinished uploads.
fn remove_leftover_files(conn: &mut DbConnection, dir: &Path) -> Result<(), AppError> {
    let entries = fs::read_dir(dir).map_err(|e| internal("cannot read the imports folder", e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let job_id = name.to_str().and_then(|n| n.parse::<i64>().ok());
        let keep = match job_id {
            Some(id) => match jobs::find(conn, id) {
                Ok(job) => matches!(job.status(), JobStatus::Queued | JobStatus::Running),
                Err(diesel::NotFound) => false,
                Err(e) => return Err(e.into()),
            },
            None => false,
        };
        if !keep {
            if let Err(e) = fs::remove_dir_all(entry.path()) {
                tracing::warn!(error = %e, path = %entry.path().display(), "cannot remove leftover import files");
            }
        }
    }
    Ok(())
}

impl Worker {
    fn run(self, wake: Receiver<()>) {
        loop {
            match self.run_next() {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "import queue"),
            }
            match wake.recv_timeout(POLL) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Runs the oldest queued job; false when there was none.
    fn run_next(&self) -> Result<bool, AppError> {
        let mut conn = self.pool.get().map_err(|_| AppError::Unavailable)?;
        let Some(job) = jobs::claim_next(&mut conn)? else {
            return Ok(false);
        };
        drop(conn);
        let id = job.id;
        let outcome = catch_unwind(AssertUnwindSafe(|| self.run_job(&job)))
            .unwrap_or_else(|_| Err(AppError::internal("the import panicked")));
        let mut conn = self.pool.get().map_err(|_| AppError::Unavailable)?;
        match outcome {
            Ok(()) => {}
            Err(e) => {
                let message = match &e {
                    AppError::Internal(detail) => {
                        tracing::error!(job = id, detail = %detail, "import failed");
                        "The import stopped because of an internal error; it has been logged. \
                         Rows written before are kept; importing the file again updates them."
                            .to_string()
                    }
                    other => other.public_message(),
                };
                jobs::fail(&mut conn, id, &message)?;
            }
        }
        if let Err(e) = fs::remove_dir_all(self.dir.join(id.to_string())) {
            tracing::warn!(job = id, error = %e, "cannot remove the files of a finished import");
        }
        self.search.notify();
        Ok(true)
    }

    fn run_job(&self, job: &ImportJobRow) -> Result<(), AppError> {
        let files = self.dir.join(job.id.to_string());
        let data = fs::read(files.join(PRODUCTS_FILE))
            .map_err(|e| internal("the uploaded file is missing", e))?;
        let format = Format::detect(Some(Path::new(&job.file_name)), &data);
        let mut input = ImportInput::new(format, data).publishing(job.publish);
        input.limits = self.limits;
        if job.images_name.is_some() {
            input = input.with_images(ZipSource::Path(files.join(IMAGES_FILE)));
        }
        let actor = Actor {
            user_id: job.user_id,
            organisation_id: Some(job.organisation_id),
            ip: None,
        };
        let mut last_write = Instant::now();
        let mut progress = |done: usize, total: usize| {
            if last_write.elapsed() < PROGRESS_EVERY && done < total {
                return;
            }
            last_write = Instant::now();
            let written = self
                .pool
                .get()
                .map_err(|e| e.to_string())
                .and_then(|mut conn| {
                    jobs::set_progress(&mut conn, job.id, done, total).map_err(|e| e.to_string())
                });
            if let Err(e) = written {
                tracing::warn!(job = job.id, error = %e, "cannot record import progress");
            }
            self.search.notify();
        };
        let report = super::run(
            &self.pool,
            &self.store,
            job.organisation_id,
            &actor,
            input,
            job.dry_run,
            &mut progress,
        )?;
        let json = serde_json::to_string(&report).map_err(|e| internal("report to JSON", e))?;
        let mut conn = self.pool.get().map_err(|_| AppError::Unavailable)?;
        jobs::finish(
            &mut conn,
            job.id,
            &Finished {
                total: report.total,
                created: report.created,
                updated: report.updated,
                failed: report.failed,
                report: &json,
            },
        )?;
        Ok(())
    }
}
