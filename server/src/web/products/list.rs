//! The product list (search, filters, stale records flagged, paging) and creating a
//! product from its basics.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::edit::{form_page, FormPage};
use super::fields::BASICS;
use super::form_data::{self, Submitted};
use crate::app::AppState;
use crate::auth::{csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::now;
use crate::models::product_list::{self, ListQuery};
use crate::products::{self, record::ProductInput};
use crate::web::{redirect, render, PageContext};

const PER_PAGE: i64 = 50;
/// Records not reviewed for this long are flagged.
const STALE_AFTER_DAYS: i64 = 365;

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    brand: String,
    #[serde(default)]
    stale: String,
    page: Option<i64>,
}

pub struct ListRow {
    pub id: i64,
    pub reference: String,
    pub brand: String,
    pub name: String,
    pub status: String,
    pub updated: String,
    pub stale: bool,
}

#[derive(Template)]
#[template(path = "products/list.html")]
struct ListPage {
    ctx: PageContext,
    can_edit: bool,
    rows: Vec<ListRow>,
    brands: Vec<(i64, String)>,
    q: String,
    status: String,
    brand: String,
    stale_only: bool,
    total: i64,
    page: i64,
    pages: i64,
    previous_link: Option<String>,
    next_link: Option<String>,
}

fn page_link(params: &ListParams, page: i64) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &params.q)
        .append_pair("status", &params.status)
        .append_pair("brand", &params.brand)
        .append_pair("stale", &params.stale)
        .append_pair("page", &page.to_string())
        .finish();
    format!("/products?{query}")
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    products::require_reader(&user)?;
    let params = params.into_inner();
    let today = now().date();
    let stale_cutoff = today - chrono::Duration::days(STALE_AFTER_DAYS);
    let query = ListQuery {
        text: params.q.chars().take(200).collect(),
        status: products::Status::parse(&params.status)
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        brand_id: params.brand.parse().ok(),
        reviewed_before: (!params.stale.is_empty()).then_some(stale_cutoff),
    };
    let page = params.page.unwrap_or(1).clamp(1, 1_000_000);
    let org = user.org.id;
    let ((rows, total), brands) = db::run(&state.pool, move |conn| {
        Ok((
            product_list::page(conn, org, &query, (page - 1) * PER_PAGE, PER_PAGE)?,
            product_list::brands_of(conn, org)?,
        ))
    })
    .await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let rows = rows
        .into_iter()
        .map(|(row, brand)| {
            let reviewed = row.last_reviewed_on.unwrap_or(row.created_at.date());
            ListRow {
                id: row.id,
                reference: row.reference,
                brand,
                name: row.name,
                status: row.status,
                updated: row.updated_at.format("%Y-%m-%d").to_string(),
                stale: reviewed < stale_cutoff,
            }
        })
        .collect();
    render(&ListPage {
        ctx: PageContext::new(&req, Some(&user)),
        can_edit: products::require_editor(&user).is_ok(),
        rows,
        brands,
        previous_link: (page > 1).then(|| page_link(&params, page - 1)),
        next_link: (page < pages).then(|| page_link(&params, page + 1)),
        stale_only: !params.stale.is_empty(),
        q: params.q,
        status: params.status,
        brand: params.brand,
        total,
        page,
        pages,
    })
}

fn new_page(req: &HttpRequest, user: &CurrentUser) -> FormPage {
    form_page(req, user, &BASICS, None, &serde_json::json!({}), "en", &[])
}

pub async fn new_form(req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    render(&new_page(&req, &user))
}

/// The basics of a new product, read from the form.
fn new_record(form: &Submitted) -> Result<ProductInput, String> {
    let value = form_data::apply(&BASICS, &serde_json::json!({}), form, "en")?;
    serde_json::from_value(value).map_err(|e| format!("The form could not be read: {e}"))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<Submitted>,
) -> Result<HttpResponse, AppError> {
    products::require_editor(&user)?;
    let record = match new_record(&form) {
        Ok(record) => record,
        Err(message) => {
            let mut page = new_page(&req, &user);
            page.error = Some(message);
            return super::edit::refused(&page);
        }
    };
    let shown = serde_json::to_value(&record).unwrap_or_default();
    let acting = user.clone();
    let created = db::run(&state.pool, move |conn| {
        products::create(conn, &acting, record)
    })
    .await;
    match created {
        Ok(id) => Ok(redirect(&format!("/products/{id}?notice=product_created"))),
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict(_))) => {
            let mut page = form_page(&req, &user, &BASICS, None, &shown, "en", &[]);
            page.error = Some(e.public_message());
            Ok(super::edit::refused(&page)?)
        }
        Err(e) => Err(e),
    }
}
