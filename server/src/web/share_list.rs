//! The share list: which customs administrations may read a right holder's restricted
//! sections. Every member sees it; only the owner changes it.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{redirect, render, PageContext};
use crate::app::AppState;
use crate::auth::{csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::Role;
use crate::products::{
    self,
    sharing::{self, Administration},
};
use crate::web::products::form_data::Submitted;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/share-list", web::get().to(page))
        .route("/share-list", web::post().to(save));
}

#[derive(Template)]
#[template(path = "products/share_list.html")]
struct ShareListPage {
    ctx: PageContext,
    is_owner: bool,
    administrations: Vec<Administration>,
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    products::require_reader(&user)?;
    let org = user.org.id;
    let administrations = db::run(&state.pool, move |conn| sharing::candidates(conn, org)).await?;
    render(&ShareListPage {
        ctx: PageContext::new(&req, Some(&user)),
        is_owner: user.role() == Role::Owner,
        administrations,
    })
}

/// Checkboxes are named `admin.<id>`; the ones ticked make the new list.
async fn save(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<Submitted>,
) -> Result<HttpResponse, AppError> {
    let ids: Vec<i64> = form
        .keys()
        .filter_map(|k| k.strip_prefix("admin."))
        .filter_map(|id| id.parse().ok())
        .collect();
    db::run(&state.pool, move |conn| {
        products::set_share_list(conn, &user, &ids)
    })
    .await?;
    state.search.notify();
    Ok(redirect("/share-list?notice=share_list_saved"))
}
