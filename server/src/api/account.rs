//! Tokens, public sign-up, and the caller's own account.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::identity::client_ip;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::models::api_token::{self, ApiToken};
use crate::models::{OrgKind, OrgStatus, Role};
use crate::services::accounts::{self, SignUp};
use crate::services::tokens;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// A name to recognise the token by, e.g. "ERP sync".
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    pub name: String,
    /// The secret; shown once, never again.
    pub token: String,
}

fn throttle(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    match client_ip(req) {
        Some(ip) if !state.throttle.allow(ip) => Err(AppError::TooManyRequests),
        _ => Ok(()),
    }
}

/// Exchanges an e-mail and password for an API token.
#[utoipa::path(tag = "account", request_body = TokenRequest, responses(
    (status = 201, body = TokenCreated),
    (status = 400, body = ErrorBody, description = "wrong e-mail or password"),
    (status = 403, body = ErrorBody, description = "disabled account, suspended organisation, or password change due"),
    (status = 429, body = ErrorBody)))]
#[post("/tokens")]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    throttle(&req, &state)?;
    let body = body.into_inner();
    let ip = client_ip(&req).map(|i| i.to_string());
    let user = accounts::authenticate(&state, &body.email, &body.password, ip.clone()).await?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    let actor = crate::models::audit::Actor {
        user_id: Some(user.id),
        organisation_id: Some(user.organisation_id),
        ip,
    };
    let (token, secret) = db::run(&state.pool, move |conn| {
        tokens::create(conn, &user, &body.name, &actor)
    })
    .await?;
    Ok(HttpResponse::Created().json(TokenCreated {
        id: token.id,
        name: token.name,
        token: secret,
    }))
}

/// The caller's API tokens (secrets are never shown again).
#[utoipa::path(tag = "account", security(("bearer" = [])), responses((status = 200, body = Vec<ApiToken>)))]
#[get("/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let id = user.user.id;
    let list = db::run(&state.pool, move |conn| Ok(api_token::of_user(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(tag = "account", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = user.actor();
    db::run(&state.pool, move |conn| {
        tokens::revoke(conn, &user.user, id, &actor)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct SignUpCreated {
    pub id: i64,
    pub status: OrgStatus,
}

/// Registers a right-holder organisation and its owner; it stays pending until an
/// administrator verifies it.
#[utoipa::path(tag = "organisations", request_body = SignUp, responses(
    (status = 201, body = SignUpCreated),
    (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/organisations")]
pub async fn sign_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignUp>,
) -> Result<HttpResponse, AppError> {
    throttle(&req, &state)?;
    let (org, _) = accounts::sign_up(&state, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(SignUpCreated {
        id: org.id,
        status: org.status(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationSummary {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub status: OrgStatus,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub language: String,
    pub organisation: OrganisationSummary,
}

/// Who the token belongs to.
#[utoipa::path(tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
#[get("/me")]
pub async fn me(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        email: user.user.email.clone(),
        name: user.user.name.clone(),
        role: user.role(),
        language: user.user.language.clone(),
        organisation: OrganisationSummary {
            id: user.org.id,
            name: user.org.name.clone(),
            kind: user.org_kind(),
            status: user.org.status(),
        },
    })
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password; every session and every API token ends, this one too.
#[utoipa::path(tag = "account", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorBody)))]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    accounts::change_password(
        &state,
        &user.user,
        None,
        body.current_password,
        body.new_password,
        user.actor(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
