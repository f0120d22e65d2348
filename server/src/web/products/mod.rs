//! Right holders' product pages: the list, the forms for every part of the record, the
//! image gallery, publishing, history and a preview of what officers will see.

mod edit;
pub mod fields;
pub mod form_data;
mod gallery;
pub mod guide;
mod list;
pub mod preview;

use actix_web::web;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::products::{self, Product};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/products/new` before `/products/{id}`: routes match in the order they are added.
    cfg.route("/products", web::get().to(list::list))
        .route("/products", web::post().to(list::create))
        .route("/products/new", web::get().to(list::new_form))
        .route("/products/{id}", web::get().to(edit::overview))
        .route("/products/{id}/edit/{part}", web::get().to(edit::edit_form))
        .route("/products/{id}/edit/{part}", web::post().to(edit::save))
        .route("/products/{id}/status", web::post().to(edit::change_status))
        .route("/products/{id}/delete", web::post().to(edit::delete))
        .route("/products/{id}/history", web::get().to(edit::history))
        .route("/products/{id}/preview", web::get().to(preview::preview))
        .route("/products/{id}/images", web::post().to(gallery::upload))
        .route(
            "/products/{id}/images/{image_id}",
            web::post().to(gallery::relabel),
        )
        .route(
            "/products/{id}/images/{image_id}/move",
            web::post().to(gallery::shift),
        )
        .route(
            "/products/{id}/images/{image_id}/delete",
            web::post().to(gallery::remove),
        )
        .route(
            "/products/{id}/images/{image_id}/{size}",
            web::get().to(gallery::file),
        );
}

/// The language a form edits: a language tag such as `en`, `fr` or `pt-BR`; English
/// when none or a malformed one is asked for.
pub fn edit_language(asked: Option<&str>) -> String {
    let Some(tag) = asked.map(str::trim) else {
        return "en".into();
    };
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
    let rest_ok = parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(char::is_alphanumeric));
    if primary_ok && rest_ok && tag.len() <= 20 {
        tag.to_string()
    } else {
        "en".into()
    }
}

/// A product of the user's own organisation, for reading (any member of the right
/// holder) — others' products do not exist here.
async fn own_product(state: &AppState, user: &CurrentUser, id: i64) -> Result<Product, AppError> {
    products::require_reader(user)?;
    let org = user.org.id;
    let product = db::run(&state.pool, move |conn| products::load(conn, id)).await?;
    if product.org.id != org {
        return Err(AppError::not_found("That product"));
    }
    Ok(product)
}

/// The page address of one of a product's image files.
pub fn image_path(product_id: i64, image_id: i64, size: &str) -> String {
    format!("/products/{product_id}/images/{image_id}/{size}")
}

#[cfg(test)]
mod tests {
    use super::edit_language;

    #[test]
    fn language_tags_are_checked() {
        assert_eq!(edit_language(Some("fr")), "fr");
        assert_eq!(edit_language(Some("pt-BR")), "pt-BR");
        assert_eq!(edit_language(Some("<script>")), "en");
        assert_eq!(edit_language(Some("")), "en");
        assert_eq!(edit_language(None), "en");
    }
}
