//! Platform administration: organisations, customs administrations, the audit log.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{absolute_url, redirect, render, PageContext};
use crate::app::AppState;
use crate::auth::{csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::audit::{self, AuditEntry};
use crate::models::organisation::{self, Organisation};
use crate::models::user::{self, User};
use crate::models::{OrgStatus, Role};
use crate::services::members::invitation_path;
use crate::services::organisations::{self, Decision};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/organisations", web::get().to(list))
        .route("/admin/organisations/{id}", web::get().to(detail))
        .route(
            "/admin/organisations/{id}/{decision}",
            web::post().to(decide),
        )
        .route("/admin/customs/new", web::get().to(new_customs_page))
        .route("/admin/customs", web::post().to(create_customs))
        .route("/admin/audit", web::get().to(audit_page));
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct ListPage {
    ctx: PageContext,
    status: &'static str,
    statuses: &'static [OrgStatus],
    organisations: Vec<Organisation>,
    /// Where notice e-mails go, or None when SMTP is not configured.
    mail_server: Option<String>,
}

#[derive(Deserialize)]
struct StatusQuery {
    status: Option<String>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentUser,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let status = match query.status.as_deref() {
        None | Some("") => OrgStatus::Pending,
        Some(text) => OrgStatus::parse(text).ok_or_else(|| {
            AppError::bad_request("invalid_status", format!("{text:?} is not a status."))
        })?,
    };
    let organisations = db::run(&state.pool, move |conn| {
        Ok(organisation::list(conn, Some(status), None)?)
    })
    .await?;
    render(&ListPage {
        ctx: PageContext::new(&req, Some(&admin)),
        status: status.as_str(),
        statuses: OrgStatus::ALL,
        organisations,
        mail_server: state
            .config
            .smtp_host
            .as_ref()
            .map(|host| format!("{host}:{}", state.config.smtp_port)),
    })
}

#[derive(Template)]
#[template(path = "admin/organisation.html")]
struct DetailPage {
    ctx: PageContext,
    org: Organisation,
    members: Vec<User>,
}

async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let id = path.into_inner();
    let (org, members) = db::run(&state.pool, move |conn| {
        let org =
            organisation::find(conn, id).map_err(|_| AppError::not_found("That organisation"))?;
        Ok((org, user::members_of(conn, id)?))
    })
    .await?;
    render(&DetailPage {
        ctx: PageContext::new(&req, Some(&admin)),
        org,
        members,
    })
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: Option<String>,
}

pub fn parse_decision(text: &str) -> Result<Decision, AppError> {
    match text {
        "verify" => Ok(Decision::Verify),
        "reject" => Ok(Decision::Reject),
        "suspend" => Ok(Decision::Suspend),
        "reinstate" => Ok(Decision::Reinstate),
        _ => Err(AppError::NotFound("There is no such action.".into())),
    }
}

async fn decide(
    state: web::Data<AppState>,
    admin: CurrentUser,
    path: web::Path<(i64, String)>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (id, decision_text) = path.into_inner();
    let decision = parse_decision(&decision_text)?;
    admin.require_admin()?;
    let notice = match decision {
        Decision::Verify => "verified",
        Decision::Reject => "rejected",
        Decision::Suspend => "suspended",
        Decision::Reinstate => "reinstated",
    };
    db::run(&state.pool, move |conn| {
        organisations::decide(conn, &admin, id, decision, form.reason.as_deref())
    })
    .await?;
    Ok(redirect(&format!(
        "/admin/organisations/{id}?notice={notice}"
    )))
}

#[derive(Template)]
#[template(path = "admin/customs_new.html")]
struct NewCustomsPage {
    ctx: PageContext,
    created: Option<(Organisation, String)>,
}

async fn new_customs_page(req: HttpRequest, admin: CurrentUser) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    render(&NewCustomsPage {
        ctx: PageContext::new(&req, Some(&admin)),
        created: None,
    })
}

#[derive(Deserialize)]
struct CustomsForm {
    name: String,
    country: String,
    manager_email: String,
}

async fn create_customs(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentUser,
    CsrfForm(form): CsrfForm<CustomsForm>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let days = state.config.invitation_days;
    let acting = admin.clone();
    let (org, invited) = db::run(&state.pool, move |conn| {
        organisations::create_customs(
            conn,
            &acting,
            &form.name,
            &form.country,
            &form.manager_email,
            days,
        )
    })
    .await?;
    let link = absolute_url(
        &req,
        state.config.base_url.as_deref(),
        &invitation_path(&invited.token),
    );
    render(&NewCustomsPage {
        ctx: PageContext::new(&req, Some(&admin)),
        created: Some((org, link)),
    })
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: PageContext,
    entries: Vec<AuditEntry>,
}

async fn audit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentUser,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let entries = db::run(&state.pool, |conn| Ok(audit::recent(conn, 500)?)).await?;
    render(&AuditPage {
        ctx: PageContext::new(&req, Some(&admin)),
        entries,
    })
}

/// Role labels for templates.
pub fn role_label(role: &str) -> &'static str {
    Role::parse(role).map(Role::label).unwrap_or("Unknown")
}
