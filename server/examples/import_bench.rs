//! Bulk import benchmark (issue 4): imports a JSON Lines product file into a fresh SQLite
//! database with the search indexer running, as a server would, and reports rows per
//! second and the time from the end of the import until search has caught up.
//!
//! The baseline, in the same process on the same disk: the same rows written by the
//! simplest possible loop (one plain INSERT per row into a table without indexes, 500
//! rows per transaction), so that the figure can be read as a ratio on any machine.
//!
//! `bench/import_250k.py` prepares the file from the shared Open Food Facts sample and
//! runs this in release mode; see BENCHMARKS.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use touchstone::app::AppState;
use touchstone::config::Config;
use touchstone::import::{self, Format, ImportInput};
use touchstone::models::audit::Actor;
use touchstone::models::organisation::{self, NewOrganisation};
use touchstone::models::product as rows;
use touchstone::models::{now, OrgKind, OrgStatus};

fn main() -> Result<(), String> {
    let file = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: import_bench FILE.jsonl")?;
    let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let lines = data.iter().filter(|b| **b == b'\n').count();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let state = AppState::new(config).map_err(|e| e.to_string())?;
    let baseline = baseline_rows_per_second(&state, &data)?;

    let org = {
        let mut conn = state.pool.get().map_err(|e| e.to_string())?;
        organisation::insert(
            &mut conn,
            &NewOrganisation {
                kind: OrgKind::RightHolder.as_str(),
                name: "Open Food Facts sample",
                country: "FR",
                website: None,
                status: OrgStatus::Verified.as_str(),
                created_at: now(),
            },
        )
        .map_err(|e| e.to_string())?
        .id
    };
    let actor = Actor {
        user_id: None,
        organisation_id: Some(org),
        ip: None,
    };
    let input = ImportInput::new(Format::JsonLines, data).publishing(true);
    let started = Instant::now();
    let report = import::run(
        &state.pool,
        &state.images,
        org,
        &actor,
        input,
        false,
        &mut |_, _| {},
    )
    .map_err(|e| e.to_string())?;
    let import_secs = started.elapsed().as_secs_f64();
    let imported = Instant::now();
    let last = {
        let mut conn = state.pool.get().map_err(|e| e.to_string())?;
        u64::try_from(rows::last_outbox_id(&mut conn).map_err(|e| e.to_string())?).unwrap_or(0)
    };
    // The indexer commits on its own schedule (count and interval); wait for it as a
    // searcher would, without forcing a flush.
    while state.search.text_applied() < last {
        if imported.elapsed() > Duration::from_secs(1800) {
            return Err("search did not catch up within 30 minutes".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let catch_up_secs = imported.elapsed().as_secs_f64();
    let rate = report.total as f64 / import_secs;
    println!(
        "{{\"lines\": {lines}, \"rows\": {}, \"created\": {}, \"failed\": {}, \
         \"import_s\": {import_secs:.2}, \"rows_per_s\": {rate:.0}, \
         \"search_caught_up_after_s\": {catch_up_secs:.2}, \"indexed\": {}, \
         \"baseline_plain_insert_rows_per_s\": {baseline:.0}, \"ratio_to_baseline\": {:.3}}}",
        report.total,
        report.created,
        report.failed,
        state.search.text_count(),
        rate / baseline
    );
    state.search.shutdown();
    Ok(())
}

/// The same lines, written one plain INSERT each (500 per transaction) into a table with
/// no index and nothing else to do: the floor of what a row costs on this machine.
fn baseline_rows_per_second(state: &AppState, data: &[u8]) -> Result<f64, String> {
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    conn.batch_execute("CREATE TABLE bench_baseline (line TEXT NOT NULL)")
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    let started = Instant::now();
    for chunk in lines.chunks(500) {
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for line in chunk {
                diesel::sql_query("INSERT INTO bench_baseline (line) VALUES (?)")
                    .bind::<Text, _>(*line)
                    .execute(conn)?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    let rate = lines.len() as f64 / started.elapsed().as_secs_f64();
    conn.batch_execute("DROP TABLE bench_baseline")
        .map_err(|e| e.to_string())?;
    Ok(rate)
}
