//! Static files, compiled into the binary so a deployment is one file. URLs carry a
//! content hash, so browsers may cache them for a year.

use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const STYLE: &str = include_str!("../../../static/style.css");

pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| hex::encode(&Sha256::digest(STYLE.as_bytes())[..6]))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/style.css", web::get().to(style));
}

async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .body(STYLE)
}
