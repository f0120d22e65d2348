//! Members of one's own organisation (owners and customs managers), and accepting an
//! invitation.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::sign_in::session_cookie;
use super::{absolute_url, redirect, render, NoFields, PageContext};
use crate::app::AppState;
use crate::auth::identity::client_ip;
use crate::auth::{csrf::CsrfForm, CurrentUser, MaybeUser};
use crate::db;
use crate::error::AppError;
use crate::models::invitation::{self, Invitation};
use crate::models::user::{self, User};
use crate::models::Role;
use crate::services::{accounts, members};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/members", web::get().to(list))
        .route("/members/invite", web::post().to(invite))
        .route(
            "/members/invitations/{id}/revoke",
            web::post().to(revoke_invitation),
        )
        .route("/members/{id}/role", web::post().to(change_role))
        .route("/members/{id}/{action}", web::post().to(member_action))
        .route("/invitations/{token}", web::get().to(invitation_page))
        .route("/invitations/{token}", web::post().to(accept));
}

#[derive(Template)]
#[template(path = "members/list.html")]
struct MembersPage {
    ctx: PageContext,
    me: i64,
    is_owner: bool,
    members: Vec<User>,
    invitations: Vec<Invitation>,
    roles: &'static [Role],
    new_link: Option<String>,
}

async fn members_page(
    req: &HttpRequest,
    state: &AppState,
    manager: &CurrentUser,
    new_link: Option<String>,
) -> Result<HttpResponse, AppError> {
    manager.require_member_manager()?;
    let org_id = manager.org.id;
    let (list, invitations) = db::run(&state.pool, move |conn| {
        Ok((
            user::members_of(conn, org_id)?,
            invitation::pending_for(conn, org_id)?,
        ))
    })
    .await?;
    render(&MembersPage {
        ctx: PageContext::new(req, Some(manager)),
        me: manager.user.id,
        is_owner: manager.role() == Role::Owner,
        members: list,
        invitations,
        roles: manager.org_kind().assignable_roles(),
        new_link,
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    manager: CurrentUser,
) -> Result<HttpResponse, AppError> {
    members_page(&req, &state, &manager, None).await
}

#[derive(Deserialize)]
struct InviteForm {
    email: String,
    role: String,
}

/// Shows the invitation link on the response page so the manager can copy it.
async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    manager: CurrentUser,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<HttpResponse, AppError> {
    manager.require_member_manager()?;
    let role = members::parse_role(&form.role)?;
    let days = state.config.invitation_days;
    let acting = manager.clone();
    let invited = db::run(&state.pool, move |conn| {
        members::invite(conn, &acting, &form.email, role, days)
    })
    .await?;
    let link = absolute_url(
        &req,
        state.config.base_url.as_deref(),
        &members::invitation_path(&invited.token),
    );
    members_page(&req, &state, &manager, Some(link)).await
}

async fn revoke_invitation(
    state: web::Data<AppState>,
    manager: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    db::run(&state.pool, move |conn| {
        members::revoke_invitation(conn, &manager, id)
    })
    .await?;
    Ok(redirect("/members?notice=invitation_revoked"))
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

async fn change_role(
    state: web::Data<AppState>,
    manager: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let role = members::parse_role(&form.role)?;
    db::run(&state.pool, move |conn| {
        members::change_role(conn, &manager, id, role)
    })
    .await?;
    Ok(redirect("/members?notice=role_changed"))
}

/// Disable, enable or hand over ownership: actions on a colleague that carry no fields.
async fn member_action(
    state: web::Data<AppState>,
    manager: CurrentUser,
    path: web::Path<(i64, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let target = match action.as_str() {
        "disable" => "/members?notice=disabled",
        "enable" => "/members?notice=enabled",
        "transfer-ownership" => "/?notice=ownership_transferred",
        _ => return Err(AppError::NotFound("There is no such action.".into())),
    };
    db::run(&state.pool, move |conn| match action.as_str() {
        "transfer-ownership" => members::transfer_ownership(conn, &manager, id),
        other => members::set_disabled(conn, &manager, id, other == "disable"),
    })
    .await?;
    Ok(redirect(target))
}

#[derive(Template)]
#[template(path = "members/accept.html")]
struct AcceptPage {
    ctx: PageContext,
    token: String,
    email: String,
    org_name: String,
    role: &'static str,
}

async fn invitation_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    MaybeUser(user): MaybeUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let lookup = token.clone();
    let (invitation, org) =
        db::run(&state.pool, move |conn| members::find_usable(conn, &lookup)).await?;
    render(&AcceptPage {
        ctx: PageContext::new(&req, user.as_ref()),
        token,
        email: invitation.email,
        org_name: org.name,
        role: super::admin::role_label(&invitation.role),
    })
}

#[derive(Deserialize)]
struct AcceptForm {
    name: String,
    password: String,
    password_again: String,
}

/// Creates the account and signs the new member in.
async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    if form.password != form.password_again {
        return Err(AppError::bad_request(
            "password_mismatch",
            "The two passwords differ.",
        ));
    }
    let lookup = token.clone();
    let (invitation, _) =
        db::run(&state.pool, move |conn| members::find_usable(conn, &lookup)).await?;
    members::check_new_password(&invitation, &form.password)?;
    let hash = accounts::hash_off_thread(form.password).await?;
    let ip = client_ip(&req).map(|i| i.to_string());
    let idle = state.config.session_idle_hours;
    let secret = db::run(&state.pool, move |conn| {
        let member = members::accept(conn, &token, &form.name, &hash, ip.clone())?;
        accounts::start_session(conn, &member, ip.as_deref(), None, idle)
    })
    .await?;
    let mut response = redirect("/?notice=welcome");
    response
        .add_cookie(&session_cookie(&state, secret))
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(response)
}
