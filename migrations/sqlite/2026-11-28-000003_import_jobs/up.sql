-- Bulk imports started from the web or the API run in the background; this row is their
-- progress and, once finished, their per-row report (JSON). The uploaded files wait under
-- <data_dir>/imports/<id>/ until the job has run.
CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    user_id BIGINT REFERENCES users (id),
    file_name TEXT NOT NULL,
    images_name TEXT,
    dry_run BOOLEAN NOT NULL,
    publish BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed')),
    -- how many times a run was started: a job interrupted by a restart runs again
    attempts INTEGER NOT NULL DEFAULT 0,
    total_rows INTEGER NOT NULL DEFAULT 0,
    done_rows INTEGER NOT NULL DEFAULT 0,
    created_rows INTEGER NOT NULL DEFAULT 0,
    updated_rows INTEGER NOT NULL DEFAULT 0,
    failed_rows INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    report TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX import_jobs_organisation ON import_jobs (organisation_id, id);
CREATE INDEX import_jobs_status ON import_jobs (status);
