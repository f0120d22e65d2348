//! One product: its overview, the form for each part of the record, publishing,
//! deleting and the revision history.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::fields::{self, FormSpec, SECTIONS};
use super::form_data::{self, FormView, ImageOption, Submitted};
use super::{edit_language, image_path, own_product};
use crate::app::AppState;
use crate::auth::{csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::product as rows;
use crate::models::user;
use crate::products::record::{ProductInput, Sections};
use crate::products::{self, images::ImageKind, upload, Product, Status};
use crate::web::{redirect, render, NoFields, PageContext};

/// The form for one part of a product (or the basics of a new one).
#[derive(Template)]
#[template(path = "products/form.html")]
pub struct FormPage {
    pub ctx: PageContext,
    pub title: &'static str,
    pub intro: &'static str,
    pub product_id: Option<i64>,
    pub product_name: String,
    pub action: String,
    pub lang: String,
    pub localized: bool,
    pub version: i32,
    pub form: FormView,
    pub error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub fn form_page(
    req: &HttpRequest,
    user: &CurrentUser,
    spec: &'static FormSpec,
    product: Option<&Product>,
    value: &Value,
    lang: &str,
    images: &[ImageOption],
) -> FormPage {
    let localized = spec
        .fields
        .iter()
        .chain(spec.groups.iter().flat_map(|g| g.fields.iter()))
        .any(|f| f.input.is_localized());
    let mut form = form_data::render(spec, value, lang, images);
    form.languages.insert(lang.to_string());
    FormPage {
        ctx: PageContext::new(req, Some(user)),
        title: spec.title,
        intro: spec.intro,
        product_id: product.map(|p| p.row.id),
        product_name: product.map(|p| p.row.name.clone()).unwrap_or_default(),
        action: match product {
            Some(p) => format!("/products/{}/edit/{}", p.row.id, spec.id),
            None => "/products".into(),
        },
        lang: lang.to_string(),
        localized,
        version: product.map(|p| p.row.version).unwrap_or(0),
        form,
        error: None,
    }
}

/// A form shown again with what was typed and why it was not saved.
pub fn refused(page: &FormPage) -> Result<HttpResponse, AppError> {
    let mut response = render(page)?;
    *response.status_mut() = StatusCode::BAD_REQUEST;
    Ok(response)
}

/// The part of the record a form edits, as JSON.
fn part_of(record: &ProductInput, spec: &FormSpec) -> Value {
    let mut value = serde_json::to_value(record).unwrap_or_default();
    if spec.id == fields::BASICS.id {
        if let Value::Object(map) = &mut value {
            map.remove("sections");
        }
        value
    } else {
        value["sections"]
            .get(spec.id)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// The record with a form's part replaced by `part`.
fn with_part(record: &ProductInput, spec: &FormSpec, part: Value) -> Result<ProductInput, String> {
    let unreadable = |e: serde_json::Error| format!("The form could not be read: {e}");
    if spec.id == fields::BASICS.id {
        let mut value = part;
        value["sections"] = serde_json::to_value(&record.sections).map_err(unreadable)?;
        return serde_json::from_value(value).map_err(unreadable);
    }
    let mut sections = serde_json::to_value(&record.sections).map_err(unreadable)?;
    if let Value::Object(map) = &mut sections {
        if form_data::is_empty_section(spec, &part) {
            map.remove(spec.id);
        } else {
            map.insert(spec.id.to_string(), part);
        }
    }
    let sections: Sections = serde_json::from_value(sections).map_err(unreadable)?;
    Ok(ProductInput {
        sections,
        ..record.clone()
    })
}

fn image_options(product: &Product) -> Vec<ImageOption> {
    product
        .images
        .iter()
        .map(|i| ImageOption {
            id: i.id,
            label: if i.caption.is_empty() {
                i.kind.clone()
            } else {
                format!("{}: {}", i.kind, i.caption)
            },
            thumb_url: image_path(product.row.id, i.id, "thumb"),
        })
        .collect()
}

fn spec_of(part: &str) -> Result<&'static FormSpec, AppError> {
    fields::spec(part).ok_or_else(|| AppError::not_found("That part of the product"))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, part) = path.into_inner();
    products::require_editor(&user)?;
    let spec = spec_of(&part)?;
    let product = own_product(&state, &user, id).await?;
    let lang = edit_language(query.lang.as_deref());
    let value = part_of(&product.record, spec);
    render(&form_page(
        &req,
        &user,
        spec,
        Some(&product),
        &value,
        &lang,
        &image_options(&product),
    ))
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    CsrfForm(form): CsrfForm<Submitted>,
) -> Result<HttpResponse, AppError> {
    let (id, part) = path.into_inner();
    products::require_editor(&user)?;
    let spec = spec_of(&part)?;
    let product = own_product(&state, &user, id).await?;
    let lang = edit_language(form.get("_lang").map(String::as_str));
    let current = part_of(&product.record, spec);
    let show_again = |value: &Value, message: String| {
        let mut page = form_page(
            &req,
            &user,
            spec,
            Some(&product),
            value,
            &lang,
            &image_options(&product),
        );
        page.error = Some(message);
        refused(&page)
    };
    // Two editors on one product: the second save would silently undo the first.
    let current_version = product.row.version.to_string();
    if form.get("_version").map(|v| v.trim()) != Some(current_version.as_str()) {
        return show_again(
            &current,
            "Someone saved this product after you opened the form, so your changes were not saved. \
             The form now shows the latest version."
                .into(),
        );
    }
    let part = match form_data::apply(spec, &current, &form, &lang) {
        Ok(part) => part,
        Err(message) => return show_again(&current, message),
    };
    let record = match with_part(&product.record, spec, part.clone()) {
        Ok(record) => record,
        Err(message) => return show_again(&part, message),
    };
    let acting = user.clone();
    let saved = db::run(&state.pool, move |conn| {
        products::replace(conn, &acting, id, record)
    })
    .await;
    match saved {
        Ok(()) => {
            state.search.notify();
            Ok(redirect(&format!("/products/{id}?notice=product_saved")))
        }
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict(_))) => {
            show_again(&part, e.public_message())
        }
        Err(e) => Err(e),
    }
}

pub struct SectionSummary {
    pub id: &'static str,
    pub title: &'static str,
    pub restricted: bool,
    pub summary: String,
}

pub struct GalleryItem {
    pub id: i64,
    pub kind: String,
    pub caption: String,
    pub thumb_url: String,
    pub display_url: String,
    pub size: String,
    /// The hash is too weak to match photos (quality below 50).
    pub weak: bool,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "products/show.html")]
pub struct OverviewPage {
    pub ctx: PageContext,
    pub id: i64,
    pub reference: String,
    pub brand: String,
    pub name: String,
    pub status: String,
    pub stale: bool,
    pub last_reviewed: String,
    pub updated: String,
    pub can_edit: bool,
    pub sections: Vec<SectionSummary>,
    pub gallery: Vec<GalleryItem>,
    pub kinds: Vec<&'static str>,
    pub max_mb: u64,
    pub upload_report: Vec<String>,
}

fn summarise(spec: &FormSpec, value: &Value) -> String {
    if value.is_null() || form_data::is_empty_section(spec, value) {
        return "Not filled in".into();
    }
    let counts: Vec<String> = spec
        .groups
        .iter()
        .filter_map(|g| {
            let n = value
                .get(g.key)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            (n > 0).then(|| format!("{n} {}{}", g.item, if n == 1 { "" } else { "s" }))
        })
        .collect();
    if counts.is_empty() {
        "Filled in".into()
    } else {
        counts.join(", ")
    }
}

pub fn overview_page(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    product: &Product,
    upload_report: Vec<String>,
) -> OverviewPage {
    let sections = SECTIONS
        .iter()
        .map(|spec| {
            let value = part_of(&product.record, spec);
            SectionSummary {
                id: spec.id,
                title: spec.title,
                restricted: value.get("access").and_then(Value::as_str) == Some("restricted"),
                summary: summarise(spec, &value),
            }
        })
        .collect();
    let count = product.images.len();
    let gallery = product
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| GalleryItem {
            id: image.id,
            kind: image.kind.clone(),
            caption: image.caption.clone(),
            thumb_url: image_path(product.row.id, image.id, "thumb"),
            display_url: image_path(product.row.id, image.id, "display"),
            size: format!("{} x {}", image.width, image.height),
            weak: image.pdq_quality < 50,
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    OverviewPage {
        ctx: PageContext::new(req, Some(user)),
        id: product.row.id,
        reference: product.row.reference.clone(),
        brand: product.brand.clone(),
        name: product.row.name.clone(),
        status: product.row.status.clone(),
        stale: product.is_stale(),
        last_reviewed: product
            .record
            .last_reviewed_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "never".into()),
        updated: product
            .row
            .updated_at
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        can_edit: products::require_editor(user).is_ok(),
        sections,
        gallery,
        kinds: ImageKind::ALL.iter().map(|k| k.as_str()).collect(),
        max_mb: state.image_limits().max_bytes / (1024 * 1024),
        upload_report,
    }
}

pub async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let product = own_product(&state, &user, path.into_inner()).await?;
    render(&overview_page(&req, &state, &user, &product, Vec::new()))
}

#[derive(Deserialize)]
pub struct StatusForm {
    action: String,
}

pub async fn change_status(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (status, notice) = match form.action.as_str() {
        "publish" => (Status::Published, "product_published"),
        "unpublish" => (Status::Draft, "product_unpublished"),
        "archive" => (Status::Archived, "product_archived"),
        _ => {
            return Err(AppError::bad_request(
                "invalid_action",
                "Choose publish, unpublish or archive.",
            ))
        }
    };
    db::run(&state.pool, move |conn| {
        products::change_status(conn, &user, id, status)
    })
    .await?;
    state.search.notify();
    Ok(redirect(&format!("/products/{id}?notice={notice}")))
}

pub async fn delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let images = db::run(&state.pool, move |conn| products::delete(conn, &user, id)).await?;
    state.search.notify();
    let files = images
        .into_iter()
        .flat_map(|i| [i.display_sha256, i.thumb_sha256])
        .collect();
    upload::remove_unused(&state, files).await;
    Ok(redirect("/products?notice=product_deleted"))
}

pub struct RevisionItem {
    pub version: i32,
    pub when: String,
    pub who: String,
    pub summary: String,
    pub changed: String,
}

#[derive(Template)]
#[template(path = "products/history.html")]
struct HistoryPage {
    ctx: PageContext,
    id: i64,
    name: String,
    revisions: Vec<RevisionItem>,
}

/// The parts of the record that differ between two snapshots, by name.
fn changed_parts(before: &Value, after: &Value) -> Vec<String> {
    let record = |v: &Value| v.get("record").cloned().unwrap_or(Value::Null);
    let (before, after) = (record(before), record(after));
    let mut changed = Vec::new();
    if let Value::Object(fields) = &after {
        for (key, value) in fields {
            if key == "sections" {
                continue;
            }
            if before.get(key) != Some(value) {
                changed.push(key.replace('_', " "));
            }
        }
    }
    for spec in SECTIONS {
        let section = |v: &Value| v.get("sections").and_then(|s| s.get(spec.id)).cloned();
        if section(&before) != section(&after) {
            changed.push(spec.title.to_lowercase());
        }
    }
    changed
}

pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let product = own_product(&state, &user, path.into_inner()).await?;
    let id = product.row.id;
    let entries = db::run(&state.pool, move |conn| {
        let entries = rows::revisions_of(conn, id)?;
        let mut named = Vec::with_capacity(entries.len());
        for entry in entries {
            let who = match entry.user_id {
                Some(uid) => user::find(conn, uid)
                    .map(|u| u.name)
                    .unwrap_or_else(|_| "a former member".into()),
                None => "the command line".into(),
            };
            named.push((entry, who));
        }
        Ok(named)
    })
    .await?;
    let snapshots: Vec<Value> = entries
        .iter()
        .map(|(e, _)| serde_json::from_str(&e.snapshot).unwrap_or(Value::Null))
        .collect();
    let revisions: Vec<RevisionItem> = entries
        .iter()
        .enumerate()
        .map(|(i, (entry, who))| RevisionItem {
            version: entry.version,
            when: entry.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            who: who.clone(),
            summary: entry.summary.clone(),
            // Newest first: the revision before this one is the next entry.
            changed: snapshots
                .get(i + 1)
                .map(|older| changed_parts(older, &snapshots[i]).join(", "))
                .unwrap_or_default(),
        })
        .collect();
    render(&HistoryPage {
        ctx: PageContext::new(&req, Some(&user)),
        id,
        name: product.row.name,
        revisions,
    })
}
