//! Database access: one connection type over SQLite and PostgreSQL, a pool, and the
//! embedded migrations of each backend.

pub mod schema;
#[cfg(test)]
mod tests;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to whichever backend the configured URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection inside `$conn` (a
/// `&mut DbConnection`), for statements the multi-connection cannot build: multi-row
/// inserts, which its SQLite side lacks. Inside a transaction this is the same
/// connection, so the statement is part of it.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_backend;

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledDb = PooledConnection<ConnectionManager<DbConnection>>;

/// Which backend a URL names; anything not `postgres://` is a SQLite path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Sets the SQLite pragmas we rely on for every pooled connection: foreign keys (off by
/// default in SQLite), WAL so readers do not block the writer, and a busy timeout so
/// concurrent writers wait instead of failing.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(sqlite) = conn {
            sqlite
                .batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens a connection of the backend the URL names (never guessing by trial).
pub fn establish(url: &str) -> ConnectionResult<DbConnection> {
    match Backend::of_url(url) {
        Backend::Postgres => diesel::PgConnection::establish(url).map(DbConnection::Postgres),
        Backend::Sqlite => {
            diesel::SqliteConnection::establish(sqlite_path(url)).map(DbConnection::Sqlite)
        }
    }
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// A pool whose connections are built by [`establish`].
pub fn build_pool(url: &str, size: u32) -> Result<DbPool, AppError> {
    let manager = ConnectionManager::<DbConnection>::new(url);
    Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(manager)
        .map_err(|e| AppError::internal(format!("cannot open the database: {e}")))
}

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, AppError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| AppError::internal(format!("migration failed: {e}")))
}

/// True when no migration of the backend is pending (used by `/readyz`).
pub fn is_migrated(conn: &mut DbConnection) -> bool {
    match conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
    .map(|pending| !pending)
    .unwrap_or(false)
}

/// Reverts every migration then applies them again: proves each `down.sql` undoes its
/// `up.sql`. Used by the migration test only.
pub fn redo_all_migrations(conn: &mut DbConnection) -> Result<(), AppError> {
    let failed = |e| AppError::internal(format!("migration redo failed: {e}"));
    match conn {
        DbConnection::Sqlite(c) => {
            c.revert_all_migrations(SQLITE_MIGRATIONS).map_err(failed)?;
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(failed)?;
        }
        DbConnection::Postgres(c) => {
            c.revert_all_migrations(POSTGRES_MIGRATIONS)
                .map_err(failed)?;
            c.run_pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(failed)?;
        }
    }
    Ok(())
}

/// Runs blocking database work on the thread pool, off the async workers.
pub async fn run<F, T>(pool: &DbPool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(|_| AppError::Unavailable)?;
        work(&mut conn)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

/// Runs `f` in a transaction (a savepoint when one is already open). On SQLite the
/// outermost transaction takes the write lock when it begins (`BEGIN IMMEDIATE`): a
/// plain `BEGIN` that reads first and writes later fails at once, without waiting, when
/// another connection committed in between (SQLITE_BUSY_SNAPSHOT in WAL mode), which a
/// long import committing batch after batch would make frequent. Taking the lock first
/// makes such writers wait their turn under the busy timeout instead.
pub fn transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let began_immediate = match conn {
        DbConnection::Sqlite(sqlite) => {
            let depth = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
                .transaction_depth()?;
            if depth.is_none() {
                AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
            }
            depth.is_none()
        }
        DbConnection::Postgres(_) => false,
    };
    if !began_immediate {
        return conn.transaction(f);
    }
    // The multi-connection's transaction manager delegates to the SQLite connection's,
    // which now knows a transaction is open: commit or roll back through it.
    type Manager = <DbConnection as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}
