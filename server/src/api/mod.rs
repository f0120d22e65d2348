//! The JSON API under `/api/v1`, authenticated by `Authorization: Bearer <token>`. The
//! OpenAPI document is generated from the handlers' annotations as they are registered
//! (utoipa-actix-web), so it cannot drift from the routes.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod barcodes;
pub mod feedback;
pub mod imports;
pub mod members;
pub mod notices;
pub mod openapi;
pub mod photo;
pub mod products;
pub mod search;

use actix_web::web;
use utoipa_actix_web::scope::Scope;

use crate::error::AppError;

/// All API routes; `utoipa_actix_web` collects their OpenAPI paths as they are added.
pub fn scope() -> Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope("/api/v1")
        .service(openapi::document)
        .service(account::create_token)
        .service(account::list_tokens)
        .service(account::revoke_token)
        .service(account::sign_up)
        .service(account::me)
        .service(account::change_password)
        .service(admin::list_organisations)
        .service(admin::verify)
        .service(admin::reject)
        .service(admin::suspend)
        .service(admin::reinstate)
        .service(admin::create_customs)
        .service(admin::consistency)
        .service(members::list)
        .service(members::invite)
        .service(members::change_role)
        .service(members::disable)
        .service(members::enable)
        .service(members::transfer_ownership)
        .service(products::list)
        .service(products::create)
        .service(products::read)
        .service(products::replace)
        .service(products::remove)
        .service(products::publish)
        .service(products::unpublish)
        .service(products::archive)
        .service(products::revisions)
        .service(products::add_image)
        .service(products::remove_image)
        .service(products::image_file)
        .service(products::guide)
        .service(imports::create)
        .service(imports::list)
        .service(imports::read)
        .service(search::search)
        .service(photo::search_image)
        .service(barcodes::decode)
        .service(search::share_list)
        .service(search::set_share_list)
        .service(notices::list)
        .service(notices::create)
        .service(notices::read)
        .service(notices::post_message)
        .service(notices::set_verdict)
        .service(notices::set_outcome)
        .service(notices::close)
        .service(notices::attachment)
        .service(alerts::list)
        .service(alerts::create)
        .service(alerts::read)
        .service(alerts::replace)
        .service(alerts::withdraw)
        .service(alerts::add_photo)
        .service(alerts::remove_photo)
        .service(alerts::photo)
        .service(feedback::report)
        .default_service(web::to(unknown_endpoint))
}

/// Sends a stored JPEG (an image, a thumbnail, a private photo) after the caller's access
/// was checked. A file the database names but the store lacks is our fault, not theirs.
pub async fn stored_jpeg(
    state: &crate::app::AppState,
    sha: String,
    cache_control: &'static str,
) -> Result<actix_web::HttpResponse, AppError> {
    let store = state.images.clone();
    let bytes = web::block(move || store.read(&sha))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??
        .ok_or_else(|| AppError::internal("a stored image file is missing"))?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", cache_control))
        .body(bytes))
}

async fn unknown_endpoint() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound(
        "There is no such API endpoint; see /api/v1/openapi.json.".into(),
    ))
}

/// Malformed JSON is the caller's mistake: 400 with our error shape, never a bare text.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _| {
            AppError::bad_request(
                "invalid_json",
                format!("The request body is not the expected JSON: {err}"),
            )
            .into()
        })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        AppError::bad_request(
            "invalid_query",
            format!("The query string is not valid: {err}"),
        )
        .into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _| AppError::NotFound(format!("No such resource: {err}")).into())
}
