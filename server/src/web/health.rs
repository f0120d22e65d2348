//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::app::AppState;
use crate::db;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready when the database answers and every migration is applied.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let ready = web::block(move || pool.get().ok().map(|mut conn| db::is_migrated(&mut conn)))
        .await
        .ok()
        .flatten();
    match ready {
        Some(true) => HttpResponse::Ok().json(json!({"status": "ready", "database": "ok"})),
        Some(false) => HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not_ready", "database": "migrations pending"})),
        None => HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not_ready", "database": "unreachable"})),
    }
}
