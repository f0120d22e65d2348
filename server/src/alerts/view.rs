//! Alerts as pages and the API show them, loaded for one reader: officers get the current
//! alerts for their country and the global ones; right holders get their own.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{reader_of, severity_key, severity_label, Reader};
use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::alert::{self as rows, AlertRow, CurrentQuery};
use crate::models::{now, organisation, OrgStatus};

/// At most this many alerts in one list.
const LISTED: i64 = 200;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub right_holder: String,
    pub title: String,
    pub body: String,
    /// low, medium, high or critical
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub valid_until: chrono::NaiveDate,
    /// Shown to officers now: neither withdrawn nor past its last day.
    pub current: bool,
    pub withdrawn: bool,
    /// The countries concerned; empty for every country.
    pub countries: Vec<String>,
    pub products: Vec<AlertProductView>,
    pub photos: Vec<AlertPhotoView>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertProductView {
    pub id: i64,
    pub brand: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertPhotoView {
    pub id: i64,
    pub caption: String,
    pub thumb_url: String,
    pub display_url: String,
}

/// The filters of an alert list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct AlertQuery {
    /// Words to find in the title or the text.
    pub q: Option<String>,
    /// Only alerts at least this severe: low, medium, high or critical.
    pub severity: Option<String>,
    /// Only alerts about this product.
    pub product: Option<i64>,
}

impl AlertQuery {
    fn words(&self) -> Vec<String> {
        self.q
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .take(10)
            .map(str::to_lowercase)
            .collect()
    }

    fn min_severity(&self) -> Result<i32, AppError> {
        match self.severity.as_deref().map(str::trim) {
            None | Some("") => Ok(1),
            Some(key) => super::parse_severity(key),
        }
    }
}

/// Where a photo is served, for the pages or for the API.
fn photo_url(alert: i64, photo: i64, size: &str, for_api: bool) -> String {
    let path = format!("/alerts/{alert}/photos/{photo}/{size}");
    if for_api {
        format!("/api/v1{path}")
    } else {
        path
    }
}

fn build(
    conn: &mut DbConnection,
    row: AlertRow,
    reader: Reader,
    for_api: bool,
) -> Result<AlertView, AppError> {
    let right_holder = organisation::find(conn, row.organisation_id)?.name;
    let products = rows::named_products_of(conn, row.id)?
        .into_iter()
        // Officers never learn of drafts through an alert.
        .filter(|p| reader == Reader::RightHolder || p.status == "published")
        .map(|p| AlertProductView {
            id: p.id,
            brand: p.brand,
            name: p.name,
        })
        .collect();
    let photos = rows::images_of(conn, row.id)?
        .into_iter()
        .map(|i| AlertPhotoView {
            id: i.id,
            caption: i.caption,
            thumb_url: photo_url(row.id, i.id, "thumb", for_api),
            display_url: photo_url(row.id, i.id, "display", for_api),
        })
        .collect();
    Ok(AlertView {
        id: row.id,
        right_holder,
        current: row.is_current(now().date()),
        withdrawn: row.withdrawn_at.is_some(),
        countries: rows::countries_of(conn, row.id)?,
        title: row.title,
        body: row.body,
        severity: severity_key(row.severity),
        severity_label: severity_label(row.severity),
        valid_until: row.valid_until,
        products,
        photos,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The alerts `user` reads: for officers the current ones of their country and the
/// global ones, most severe then newest first; for right holders their own, newest first.
pub fn list(
    conn: &mut DbConnection,
    user: &CurrentUser,
    query: &AlertQuery,
    for_api: bool,
) -> Result<Vec<AlertView>, AppError> {
    let reader = reader_of(user)?;
    let words = query.words();
    let min_severity = query.min_severity()?;
    let found = match reader {
        Reader::Customs => rows::current_for(
            conn,
            &CurrentQuery {
                country: &user.org.country,
                today: now().date(),
                words: &words,
                min_severity,
                product_id: query.product,
                limit: LISTED,
            },
        )?,
        Reader::RightHolder => {
            let own = rows::of_organisation(conn, user.org.id)?;
            let mut kept = Vec::new();
            for alert in own {
                let text = format!("{} {}", alert.title, alert.body).to_lowercase();
                let about_product = match query.product {
                    Some(p) => rows::products_of(conn, alert.id)?.contains(&p),
                    None => true,
                };
                if alert.severity >= min_severity
                    && words.iter().all(|w| text.contains(w.as_str()))
                    && about_product
                {
                    kept.push(alert);
                }
            }
            kept
        }
    };
    found
        .into_iter()
        .map(|row| build(conn, row, reader, for_api))
        .collect()
}

/// Whether `user` may read this alert: officers only current alerts of verified right
/// holders for their country or every country; right holders only their own.
fn readable(
    conn: &mut DbConnection,
    user: &CurrentUser,
    row: &AlertRow,
) -> Result<Reader, AppError> {
    let reader = reader_of(user)?;
    let allowed = match reader {
        Reader::RightHolder => row.organisation_id == user.org.id,
        Reader::Customs => {
            let countries = rows::countries_of(conn, row.id)?;
            row.is_current(now().date())
                && organisation::find(conn, row.organisation_id)?.status() == OrgStatus::Verified
                && (countries.is_empty() || countries.contains(&user.org.country))
        }
    };
    if allowed {
        Ok(reader)
    } else {
        Err(AppError::not_found("That alert"))
    }
}

/// One alert for `user`, or NotFound when they may not read it.
pub fn load(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: i64,
    for_api: bool,
) -> Result<AlertView, AppError> {
    let row = rows::find(conn, id).map_err(|_| AppError::not_found("That alert"))?;
    let reader = readable(conn, user, &row)?;
    build(conn, row, reader, for_api)
}

/// The stored file of an alert photo in one size, when `user` may read the alert.
pub fn photo_file(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: i64,
    photo_id: i64,
    size: &str,
) -> Result<String, AppError> {
    let row = rows::find(conn, id).map_err(|_| AppError::not_found("That alert"))?;
    readable(conn, user, &row)?;
    let photo = rows::images_of(conn, id)?
        .into_iter()
        .find(|i| i.id == photo_id)
        .ok_or_else(|| AppError::not_found("That photo"))?;
    match size {
        "thumb" => Ok(photo.thumb_sha256),
        "display" => Ok(photo.display_sha256),
        _ => Err(AppError::not_found("That photo size")),
    }
}

/// The current alerts about a product that the guide shows `user`: an officer's own
/// country's and the global ones; for the right holder's preview, all current ones.
pub fn for_guide(
    conn: &mut DbConnection,
    user: &CurrentUser,
    product_id: i64,
    for_api: bool,
) -> Result<Vec<AlertView>, AppError> {
    let query = AlertQuery {
        product: Some(product_id),
        ..AlertQuery::default()
    };
    match reader_of(user) {
        Ok(Reader::Customs) => list(conn, user, &query, for_api),
        Ok(Reader::RightHolder) => Ok(list(conn, user, &query, for_api)?
            .into_iter()
            .filter(|a| a.current)
            .collect()),
        Err(_) => Ok(Vec::new()),
    }
}
