//! The application: its shared state, and the HTTP server built from it. Tests build the
//! same `Application` on port 0.

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

use crate::auth::throttle::Throttle;
use crate::auth::{csrf, password};
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::images::{ImageLimits, ImageStore, WriterLock};
use crate::import::jobs::ImportJobs;
use crate::import::ImportLimits;
use crate::notices::mailer::{self, MailHandle};
use crate::search::SearchService;
use crate::services::{accounts, consistency};
use crate::{api, web as pages};

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: DbPool,
    pub throttle: Arc<Throttle>,
    /// Verified against when an e-mail is unknown, so that such sign-ins cost the same.
    pub dummy_hash: Arc<str>,
    pub images: Arc<ImageStore>,
    /// Held while the server runs, so no other process sweeps the store under it.
    pub image_writer_lock: Arc<WriterLock>,
    pub search: SearchService,
    pub imports: ImportJobs,
    /// Whether notice e-mails are sent, and how to wake the mailer.
    pub mail: MailHandle,
}

/// Creates the data dir, opens the database pool and applies pending migrations: all
/// that commands which do not serve need.
pub fn prepare_database(config: &Config) -> Result<DbPool, AppError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        AppError::internal(format!(
            "cannot create the data dir {}: {e}",
            config.data_dir.display()
        ))
    })?;
    let pool = db::build_pool(&config.effective_database_url(), config.pool_size)?;
    let mut conn = pool
        .get()
        .map_err(|e| AppError::internal(format!("database: {e}")))?;
    db::run_migrations(&mut conn)?;
    Ok(pool)
}

impl AppState {
    /// Opens the database and the search indexes (rebuilding or catching up as needed).
    pub fn new(config: Config) -> Result<AppState, AppError> {
        let pool = prepare_database(&config)?;
        let dummy_hash: Arc<str> = password::hash(&password::generate())?.into();
        let throttle = Arc::new(Throttle::per_minute(config.attempts_per_minute_per_address));
        let images = Arc::new(ImageStore::new(&config.data_dir));
        {
            // Files a crash left without their rows (or rows' deletions without their
            // files' deletions) go before anything new is written.
            let mut conn = pool
                .get()
                .map_err(|e| AppError::internal(format!("database: {e}")))?;
            consistency::sweep_orphaned_files(&mut conn, &images)?;
        }
        let image_writer_lock = Arc::new(images.lock_for_writing()?);
        let search = SearchService::start(
            pool.clone(),
            &config.data_dir.join("index"),
            config.index_settings(),
        )?;
        let imports = ImportJobs::start(
            pool.clone(),
            images.clone(),
            search.clone(),
            &config.data_dir,
            ImportLimits::for_images(config.image_limits()),
        )?;
        let mail = MailHandle::new(&config);
        Ok(AppState {
            mail,
            config: Arc::new(config),
            pool,
            throttle,
            dummy_hash,
            images,
            image_writer_lock,
            search,
            imports,
        })
    }

    pub fn image_limits(&self) -> ImageLimits {
        self.config.image_limits()
    }

    /// Creates the first admin when the database has no user yet.
    pub fn bootstrap_first_admin(&self) -> Result<Option<(String, String)>, AppError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| AppError::internal(format!("database: {e}")))?;
        accounts::ensure_first_admin(&mut conn, &self.config.initial_admin_email)
    }
}

pub struct Application {
    server: Server,
    port: u16,
    pub state: AppState,
    /// The first admin's e-mail and one-time password, when this start created them.
    pub first_admin: Option<(String, String)>,
}

impl Application {
    /// Binds the configured address (port 0 picks a free one) and prepares the server.
    pub fn build(config: Config) -> Result<Application, AppError> {
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| AppError::internal(format!("cannot listen on {}: {e}", config.bind)))?;
        let port = listener
            .local_addr()
            .map_err(|e| AppError::internal(e.to_string()))?
            .port();
        let state = AppState::new(config)?;
        let first_admin = state.bootstrap_first_admin()?;
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(api::json_config())
                .app_data(api::query_config())
                .app_data(api::path_config())
                .app_data(pages::form_config())
                .wrap(from_fn(pages::error_pages::render_html_errors))
                .wrap(from_fn(csrf::ensure_cookie))
                .wrap(security_headers())
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
                .service(api::scope())
                .configure(pages::routes)
                .default_service(web::to(not_found))
        })
        .listen(listener)
        .map_err(|e| AppError::internal(format!("cannot start the server: {e}")))?
        .shutdown_timeout(10)
        .run();
        Ok(Application {
            server,
            port,
            state,
            first_admin,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (actix stops taking requests and finishes those in
    /// flight), then lets the pool close. The mailer runs beside the server; e-mails it
    /// had not sent stay in the outbox for the next start.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let mailer =
            mailer::spawn(&self.state).map_err(|e| std::io::Error::other(e.to_string()))?;
        let served = self.server.await;
        if let Some(task) = mailer {
            task.abort();
        }
        self.state.search.shutdown();
        served
    }
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound(
        "There is no page at this address.".into(),
    ))
}

/// Headers every response carries. No inline script or style is used anywhere, so the
/// policy needs no nonce.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(self), geolocation=(), microphone=()",
        ))
        .add(("Cache-Control", "no-store"))
}
