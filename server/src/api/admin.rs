//! Platform administration over the API.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{AppError, ErrorBody};
use crate::models::organisation::{self, Organisation};
use crate::models::{OrgKind, OrgStatus};
use crate::services::consistency::{self as checks, ConsistencyReport};
use crate::services::members::invitation_path;
use crate::services::organisations::{self, Decision};
use crate::web::absolute_url;

#[derive(Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    pub kind: OrgKind,
    pub name: String,
    pub country: String,
    pub website: Option<String>,
    pub status: OrgStatus,
    pub status_reason: Option<String>,
    pub verified_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
}

impl From<Organisation> for OrganisationView {
    fn from(org: Organisation) -> OrganisationView {
        OrganisationView {
            id: org.id,
            kind: org.kind(),
            status: org.status(),
            name: org.name,
            country: org.country,
            website: org.website,
            status_reason: org.status_reason,
            verified_at: org.verified_at,
            created_at: org.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct OrganisationFilter {
    pub status: Option<OrgStatus>,
    pub kind: Option<OrgKind>,
}

/// Organisations, optionally by status and kind (admin only).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(OrganisationFilter),
    responses((status = 200, body = Vec<OrganisationView>), (status = 403, body = ErrorBody)))]
#[get("/admin/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    admin: CurrentUser,
    filter: web::Query<OrganisationFilter>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let OrganisationFilter { status, kind } = filter.into_inner();
    let list = db::run(&state.pool, move |conn| {
        Ok(organisation::list(conn, status, kind)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(OrganisationView::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct Reason {
    /// Required to reject or suspend; shown to the organisation.
    pub reason: Option<String>,
}

async fn apply_decision(
    state: &AppState,
    admin: CurrentUser,
    id: i64,
    decision: Decision,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let reason = body.map(|b| b.into_inner()).unwrap_or_default().reason;
    let org = db::run(&state.pool, move |conn| {
        organisations::decide(conn, &admin, id, decision, reason.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationView::from(org)))
}

/// Verifies a pending (or previously rejected) right holder: its data becomes visible to officers.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<Reason>),
    responses((status = 200, body = OrganisationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/admin/organisations/{id}/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    admin: CurrentUser,
    path: web::Path<i64>,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    apply_decision(&state, admin, path.into_inner(), Decision::Verify, body).await
}

/// Rejects a pending right holder; `reason` is required and shown to its owner.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = OrganisationView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/admin/organisations/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    admin: CurrentUser,
    path: web::Path<i64>,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    apply_decision(&state, admin, path.into_inner(), Decision::Reject, body).await
}

/// Suspends an organisation; `reason` is required. Its members can no longer sign in.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = OrganisationView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/admin/organisations/{id}/suspend")]
pub async fn suspend(
    state: web::Data<AppState>,
    admin: CurrentUser,
    path: web::Path<i64>,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    apply_decision(&state, admin, path.into_inner(), Decision::Suspend, body).await
}

/// Lifts a suspension.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<Reason>),
    responses((status = 200, body = OrganisationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/admin/organisations/{id}/reinstate")]
pub async fn reinstate(
    state: web::Data<AppState>,
    admin: CurrentUser,
    path: web::Path<i64>,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    apply_decision(&state, admin, path.into_inner(), Decision::Reinstate, body).await
}

#[derive(Deserialize, ToSchema)]
pub struct NewCustoms {
    pub name: String,
    pub country: String,
    pub manager_email: String,
}

#[derive(Serialize, ToSchema)]
pub struct CustomsCreated {
    pub id: i64,
    /// Send this link to the manager; it is shown once.
    pub invitation_url: String,
}

/// Creates a customs administration and invites its manager (admin only).
#[utoipa::path(tag = "admin", security(("bearer" = [])), request_body = NewCustoms,
    responses((status = 201, body = CustomsCreated), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/admin/customs-administrations")]
pub async fn create_customs(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentUser,
    body: web::Json<NewCustoms>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let body = body.into_inner();
    let days = state.config.invitation_days;
    let (org, invited) = db::run(&state.pool, move |conn| {
        organisations::create_customs(
            conn,
            &admin,
            &body.name,
            &body.country,
            &body.manager_email,
            days,
        )
    })
    .await?;
    let url = absolute_url(
        &req,
        state.config.base_url.as_deref(),
        &invitation_path(&invited.token),
    );
    Ok(HttpResponse::Created().json(CustomsCreated {
        id: org.id,
        invitation_url: url,
    }))
}

/// Whether the search indexes and the image store agree with the database, after
/// applying the whole search outbox (admin only).
#[utoipa::path(tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = ConsistencyReport), (status = 403, body = ErrorBody)))]
#[get("/admin/consistency")]
pub async fn consistency(
    state: web::Data<AppState>,
    admin: CurrentUser,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let checked = state.clone();
    let report = web::block(move || checks::check(&checked))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??;
    Ok(HttpResponse::Ok().json(report))
}
