//! Members of the caller's organisation (owners and customs managers).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::models::user::{self, User};
use crate::models::Role;
use crate::services::members::{self, invitation_path};
use crate::web::absolute_url;

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub last_signin_at: Option<chrono::NaiveDateTime>,
}

impl From<User> for MemberView {
    fn from(u: User) -> MemberView {
        MemberView {
            id: u.id,
            role: u.role(),
            email: u.email,
            name: u.name,
            disabled: u.disabled,
            last_signin_at: u.last_signin_at,
        }
    }
}

/// The members of the caller's organisation.
#[utoipa::path(tag = "members", security(("bearer" = [])),
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = ErrorBody)))]
#[get("/members")]
pub async fn list(
    state: web::Data<AppState>,
    manager: CurrentUser,
) -> Result<HttpResponse, AppError> {
    manager.require_member_manager()?;
    let org_id = manager.org.id;
    let list = db::run(&state.pool, move |conn| Ok(user::members_of(conn, org_id)?)).await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(MemberView::from).collect::<Vec<_>>()))
}

#[derive(Deserialize, ToSchema)]
pub struct InvitationRequest {
    pub email: String,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationCreated {
    pub id: i64,
    /// The link to send to the invited person; shown once.
    pub invitation_url: String,
    pub expires_at: chrono::NaiveDateTime,
}

/// Invites someone into the caller's organisation with a role.
#[utoipa::path(tag = "members", security(("bearer" = [])), request_body = InvitationRequest,
    responses((status = 201, body = InvitationCreated), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/members/invitations")]
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    manager: CurrentUser,
    body: web::Json<InvitationRequest>,
) -> Result<HttpResponse, AppError> {
    manager.require_member_manager()?;
    let body = body.into_inner();
    let days = state.config.invitation_days;
    let invited = db::run(&state.pool, move |conn| {
        members::invite(conn, &manager, &body.email, body.role, days)
    })
    .await?;
    Ok(HttpResponse::Created().json(InvitationCreated {
        id: invited.invitation.id,
        invitation_url: absolute_url(
            &req,
            state.config.base_url.as_deref(),
            &invitation_path(&invited.token),
        ),
        expires_at: invited.invitation.expires_at,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RoleChange {
    pub role: Role,
}

/// Changes a member's role.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RoleChange,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/members/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    manager: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<RoleChange>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let role = body.role;
    db::run(&state.pool, move |conn| {
        members::change_role(conn, &manager, id, role)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_disabled(
    state: &AppState,
    manager: CurrentUser,
    id: i64,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    db::run(&state.pool, move |conn| {
        members::set_disabled(conn, &manager, id, disabled)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Disables a member: their sessions and API tokens end at once.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/members/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    manager: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_disabled(&state, manager, path.into_inner(), true).await
}

/// Lets a disabled member sign in again.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/members/{id}/enable")]
pub async fn enable(
    state: web::Data<AppState>,
    manager: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_disabled(&state, manager, path.into_inner(), false).await
}

/// Hands the owner role to a colleague (right-holder owners only); the caller becomes an editor.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/members/{id}/transfer-ownership")]
pub async fn transfer_ownership(
    state: web::Data<AppState>,
    owner: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    db::run(&state.pool, move |conn| {
        members::transfer_ownership(conn, &owner, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
