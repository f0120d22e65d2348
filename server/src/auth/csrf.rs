//! CSRF protection for every HTML form: a token tied to the session (or, before sign-in,
//! to a random cookie) that the form must echo, plus a check that the browser's Origin
//! header, when sent, names this site. The JSON API is exempt: it takes bearer tokens,
//! not cookies, so a foreign page cannot borrow a user's credentials there.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::identity::{is_api, CurrentUser, MaybeUser};
use super::secrets;
use crate::app::AppState;
use crate::error::AppError;

pub const ANON_COOKIE: &str = "ts_csrf";

/// The token an anonymous visitor's forms carry, created by [`ensure_cookie`].
#[derive(Clone)]
struct AnonToken(String);

/// Middleware: gives every page visitor a CSRF cookie, so forms shown before sign-in
/// (sign in, sign up, accept an invitation) are protected too.
pub async fn ensure_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if is_api(req.request()) {
        return next.call(req).await;
    }
    let existing = req.cookie(ANON_COOKIE).map(|c| c.value().to_string());
    let fresh = existing.is_none().then(|| secrets::generate(""));
    let token = existing.or_else(|| fresh.clone()).unwrap_or_default();
    req.extensions_mut().insert(AnonToken(token));
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.secure_cookies());
    let mut response = next.call(req).await?;
    if let Some(token) = fresh {
        let cookie = Cookie::build(ANON_COOKIE, token)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        response.response_mut().add_cookie(&cookie)?;
    }
    Ok(response)
}

/// The token forms on this page must carry.
pub fn token_for(req: &HttpRequest, user: Option<&CurrentUser>) -> String {
    if let Some(token) = user.and_then(|u| u.csrf_token()) {
        return token.to_string();
    }
    req.extensions()
        .get::<AnonToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

fn check_origin(req: &HttpRequest) -> Result<(), AppError> {
    let Some(origin) = req.headers().get(actix_web::http::header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default();
    let expected = match req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.config.base_url.clone())
    {
        Some(base) => url::Url::parse(&base)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    if origin == expected {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "This form was sent from another site, so it was refused. Reload the page and try again.",
        ))
    }
}

/// Checks a token read from a body the [`CsrfForm`] extractor cannot parse (multipart
/// uploads carry it as a field), with the same Origin check.
pub fn verify(req: &HttpRequest, user: &CurrentUser, token: &str) -> Result<(), AppError> {
    check_origin(req)?;
    let expected = token_for(req, Some(user));
    if expected.is_empty() || !secrets::constant_time_eq(&expected, token) {
        return Err(expired_form());
    }
    Ok(())
}

fn expired_form() -> AppError {
    AppError::forbidden(
        "The form had expired or did not come from this site. Reload the page and try again.",
    )
}

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    fields: T,
}

/// A URL-encoded form whose CSRF token and Origin have been checked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form = web::Form::<Envelope<T>>::from_request(&req, payload);
        Box::pin(async move {
            check_origin(&req)?;
            let MaybeUser(user) = MaybeUser::extract(&req).await?;
            let form = form.await.map_err(|e| {
                AppError::bad_request("invalid_form", format!("The form could not be read: {e}"))
            })?;
            let expected = token_for(&req, user.as_ref());
            if expected.is_empty() || !secrets::constant_time_eq(&expected, &form.csrf_token) {
                return Err(expired_form());
            }
            Ok(CsrfForm(form.into_inner().fields))
        })
    }
}
