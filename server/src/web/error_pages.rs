//! Turns errors on page routes into HTML: a sign-in redirect for anonymous visitors, a
//! password-change redirect when one is due, and `error.html` otherwise. API routes keep
//! the JSON body of `AppError`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use askama::Template;

use crate::auth::identity::is_api;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "That did not work",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Already there",
        413 => "Too large",
        429 => "Slow down",
        503 => "Busy",
        _ => "Something went wrong",
    }
}

pub async fn render_html_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if is_api(req.request()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let path = req.path().to_string();
    let query = req.query_string().to_string();
    let response = next.call(req).await?;
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(response.map_into_boxed_body());
    }
    let (message, kind) = match response.response().error() {
        Some(err) => match err.as_error::<AppError>() {
            Some(app) => (app.public_message(), Some(app.code())),
            None if status.is_server_error() => (AppError::internal("").public_message(), None),
            None => (err.to_string(), None),
        },
        None => return Ok(response.map_into_boxed_body()),
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let (request, _) = response.into_parts();
    let replacement = match kind {
        Some("unauthorised") => {
            let next_path = if query.is_empty() {
                path
            } else {
                format!("{path}?{query}")
            };
            let target = format!(
                "/signin?next={}",
                url::form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
            );
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish()
        }
        Some("password_change_required") => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/account/password?notice=change_password"))
            .finish(),
        _ => {
            let page = ErrorPage {
                status: status.as_u16(),
                title: title(status),
                message,
            };
            let body = page.render().unwrap_or_else(|_| "Error".to_string());
            let mut html = HttpResponse::build(status);
            if let Some(value) = retry_after {
                html.insert_header((header::RETRY_AFTER, value));
            }
            html.content_type("text/html; charset=utf-8").body(body)
        }
    };
    Ok(ServiceResponse::new(request, replacement))
}
