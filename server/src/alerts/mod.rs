//! Alerts: a right holder warns officers about a counterfeit trend (a new fake, a route,
//! a concealment method). An alert has a severity, concerns some of the right holder's
//! products and some countries (none: every country), lasts until a given day and may
//! carry photos. Officers see the current alerts for their administration's country and
//! the global ones, most severe first.

pub mod view;

use serde::Deserialize;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::alert::{self as rows, AlertChanges, AlertRow, NewAlert, NewAlertImage};
use crate::models::{audit, now, OrgKind, OrgStatus, Role};
use crate::notices::{long_text, store_photos, StoredPhoto};

/// Severities, from least to most severe: (stored value, key, label).
pub const SEVERITIES: &[(i32, &str, &str)] = &[
    (1, "low", "Low"),
    (2, "medium", "Medium"),
    (3, "high", "High"),
    (4, "critical", "Critical"),
];
const MAX_TEXT: usize = 10_000;
const MAX_COUNTRIES: usize = 250;
const MAX_PRODUCTS: usize = 500;
/// An alert is a current warning, not an archive: at most this far ahead.
const MAX_VALIDITY_DAYS: i64 = 3 * 366;

/// The key of a stored severity (`critical`...).
pub fn severity_key(value: i32) -> &'static str {
    SEVERITIES
        .iter()
        .find(|(v, _, _)| *v == value)
        .map_or("low", |(_, key, _)| *key)
}

pub fn severity_label(value: i32) -> &'static str {
    SEVERITIES
        .iter()
        .find(|(v, _, _)| *v == value)
        .map_or("Low", |(_, _, label)| *label)
}

/// The stored value of a severity key; BadRequest for anything else.
pub fn parse_severity(key: &str) -> Result<i32, AppError> {
    SEVERITIES
        .iter()
        .find(|(_, k, _)| k.eq_ignore_ascii_case(key.trim()))
        .map(|(v, _, _)| *v)
        .ok_or_else(|| {
            AppError::bad_request(
                "invalid_severity",
                "The severity is one of low, medium, high or critical.",
            )
        })
}

/// Who reads alerts, and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// A member of a verified customs administration: current alerts for its country.
    Customs,
    /// A member of a right holder: its own alerts, current or not.
    RightHolder,
}

pub fn reader_of(user: &CurrentUser) -> Result<Reader, AppError> {
    match user.org_kind() {
        OrgKind::Customs if user.org.status() == OrgStatus::Verified => Ok(Reader::Customs),
        OrgKind::RightHolder => Ok(Reader::RightHolder),
        _ => Err(AppError::forbidden(
            "Alerts are published by right holders and read by customs administrations.",
        )),
    }
}

/// Owners and editors publish alerts, as they publish products.
pub fn require_publisher(user: &CurrentUser) -> Result<(), AppError> {
    if user.org_kind() == OrgKind::RightHolder && matches!(user.role(), Role::Owner | Role::Editor)
    {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Only a right holder's owner or editors publish alerts.",
        ))
    }
}

/// What a right holder writes in an alert.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AlertInput {
    pub title: String,
    /// What officers should look for; plain text, several paragraphs allowed.
    pub body: String,
    /// low, medium, high or critical
    pub severity: String,
    /// The last day officers are shown the alert.
    pub valid_until: chrono::NaiveDate,
    /// Two-letter ISO codes of the countries concerned; none means every country.
    #[serde(default)]
    pub countries: Vec<String>,
    /// The right holder's products the alert is about.
    #[serde(default)]
    pub product_ids: Vec<i64>,
}

/// An alert input after its checks.
#[derive(Debug, Clone)]
pub struct CheckedAlert {
    pub title: String,
    pub body: String,
    pub severity: i32,
    pub valid_until: chrono::NaiveDate,
    pub countries: Vec<String>,
    pub product_ids: Vec<i64>,
}

impl AlertInput {
    /// Checks and tidies every field; the message says what to fix.
    pub fn validate(self) -> Result<CheckedAlert, AppError> {
        let title = crate::validate::text("The title", &self.title, 200)?;
        let body = long_text("The text", &self.body, MAX_TEXT, true)?;
        let severity = parse_severity(&self.severity)?;
        let today = now().date();
        if self.valid_until < today
            || self.valid_until > today + chrono::Duration::days(MAX_VALIDITY_DAYS)
        {
            return Err(AppError::bad_request(
                "invalid_date",
                "The alert is valid until a day from today to three years ahead.",
            ));
        }
        let mut countries = Vec::new();
        for raw in self.countries.iter().filter(|c| !c.trim().is_empty()) {
            countries.push(crate::validate::country(raw)?);
        }
        countries.sort();
        countries.dedup();
        let mut product_ids = self.product_ids;
        product_ids.sort_unstable();
        product_ids.dedup();
        if countries.len() > MAX_COUNTRIES || product_ids.len() > MAX_PRODUCTS {
            return Err(AppError::bad_request(
                "too_many_items",
                format!(
                    "An alert concerns at most {MAX_COUNTRIES} countries and {MAX_PRODUCTS} products."
                ),
            ));
        }
        Ok(CheckedAlert {
            title,
            body,
            severity,
            valid_until: self.valid_until,
            countries,
            product_ids,
        })
    }
}

/// A new photo for an alert: the uploaded bytes and an optional caption.
pub struct NewPhoto {
    pub bytes: Vec<u8>,
    pub caption: String,
}

/// Loads an alert of the user's own organisation for a change; others' do not exist.
fn load_own(conn: &mut DbConnection, user: &CurrentUser, id: i64) -> Result<AlertRow, AppError> {
    match rows::find(conn, id) {
        Ok(alert) if alert.organisation_id == user.org.id => Ok(alert),
        _ => Err(AppError::not_found("That alert")),
    }
}

fn check_products(
    conn: &mut DbConnection,
    user: &CurrentUser,
    ids: &[i64],
) -> Result<(), AppError> {
    let own = rows::own_products(conn, user.org.id, ids)?;
    if own.len() == ids.len() {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "unknown_product",
            "An alert concerns only your organisation's own products; one of them is not.",
        ))
    }
}

fn caption_of(raw: &str) -> Result<String, AppError> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    crate::validate::text("The caption", raw, 300)
}

fn record_photos(
    conn: &mut DbConnection,
    alert_id: i64,
    author: i64,
    photos: &[(StoredPhoto, String)],
) -> Result<Vec<i64>, AppError> {
    let first = rows::images_of(conn, alert_id)?
        .iter()
        .map(|i| i.position + 1)
        .max()
        .unwrap_or(0);
    let mut ids = Vec::new();
    for (position, (photo, caption)) in (first..).zip(photos) {
        let id = rows::add_image(
            conn,
            &NewAlertImage {
                alert_id,
                caption,
                position,
                display_sha256: &photo.display_sha256,
                thumb_sha256: &photo.thumb_sha256,
                width: photo.width,
                height: photo.height,
                created_by: Some(author),
                created_at: now(),
            },
        )?;
        ids.push(id);
    }
    Ok(ids)
}

/// Stores the photos through the image pipeline, with their checked captions.
async fn store(
    state: &AppState,
    photos: Vec<NewPhoto>,
) -> Result<Vec<(StoredPhoto, String)>, AppError> {
    let captions = photos
        .iter()
        .map(|p| caption_of(&p.caption))
        .collect::<Result<Vec<_>, _>>()?;
    let stored = store_photos(state, photos.into_iter().map(|p| p.bytes).collect()).await?;
    Ok(stored.into_iter().zip(captions).collect())
}

/// Removes stored files that no row names any more (after a failed write, or removed photos).
async fn forget(state: &AppState, shas: Vec<String>) {
    crate::products::upload::remove_unused(state, shas).await;
}

/// A write that failed leaves no stored photo behind.
async fn forget_if_failed<T>(
    state: &AppState,
    written: Result<T, AppError>,
    photos: &[(StoredPhoto, String)],
) -> Result<T, AppError> {
    if written.is_err() {
        forget(state, files_of(photos)).await;
    }
    written
}

fn files_of(photos: &[(StoredPhoto, String)]) -> Vec<String> {
    photos
        .iter()
        .flat_map(|(p, _)| [p.display_sha256.clone(), p.thumb_sha256.clone()])
        .collect()
}

/// Publishes an alert with its photos; officers see it at once.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    input: AlertInput,
    photos: Vec<NewPhoto>,
) -> Result<i64, AppError> {
    require_publisher(user)?;
    let input = input.validate()?;
    let stored = std::sync::Arc::new(store(state, photos).await?);
    let (author, kept) = (user.clone(), stored.clone());
    let created = db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            check_products(conn, &author, &input.product_ids)?;
            let at = now();
            let id = rows::insert(
                conn,
                &NewAlert {
                    organisation_id: author.org.id,
                    title: &input.title,
                    body: &input.body,
                    severity: input.severity,
                    valid_until: input.valid_until,
                    created_by: Some(author.user.id),
                    updated_by: Some(author.user.id),
                    created_at: at,
                    updated_at: at,
                },
            )?;
            rows::set_countries(conn, id, &input.countries)?;
            rows::set_products(conn, id, &input.product_ids)?;
            record_photos(conn, id, author.user.id, &kept)?;
            audit::record(
                conn,
                &author.actor(),
                "alert.create",
                &format!("alert:{id}"),
                &input.title,
            )?;
            Ok(id)
        })
    })
    .await;
    forget_if_failed(state, created, &stored).await
}

/// Changes an alert's text, severity, validity, countries and products, adds photos and
/// removes the photos listed.
pub async fn update(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    input: AlertInput,
    photos: Vec<NewPhoto>,
    remove_images: Vec<i64>,
) -> Result<(), AppError> {
    require_publisher(user)?;
    let input = input.validate()?;
    let reader = user.clone();
    db::run(&state.pool, move |conn| {
        load_own(conn, &reader, id).map(|_| ())
    })
    .await?;
    let stored = std::sync::Arc::new(store(state, photos).await?);
    let (author, kept) = (user.clone(), stored.clone());
    let changed = db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            load_own(conn, &author, id)?;
            check_products(conn, &author, &input.product_ids)?;
            let old_images = rows::images_of(conn, id)?;
            let mut removed = Vec::new();
            for image in remove_images {
                let Some(row) = old_images.iter().find(|i| i.id == image) else {
                    return Err(AppError::bad_request(
                        "unknown_image",
                        "One of the photos to remove is not a photo of this alert.",
                    ));
                };
                rows::remove_image(conn, id, image)?;
                removed.extend([row.display_sha256.clone(), row.thumb_sha256.clone()]);
            }
            rows::update(
                conn,
                id,
                &AlertChanges {
                    title: &input.title,
                    body: &input.body,
                    severity: input.severity,
                    valid_until: input.valid_until,
                    updated_by: Some(author.user.id),
                    updated_at: now(),
                },
            )?;
            rows::set_countries(conn, id, &input.countries)?;
            rows::set_products(conn, id, &input.product_ids)?;
            record_photos(conn, id, author.user.id, &kept)?;
            audit::record(
                conn,
                &author.actor(),
                "alert.update",
                &format!("alert:{id}"),
                &input.title,
            )?;
            Ok(removed)
        })
    })
    .await;
    match changed {
        Ok(removed) => {
            forget(state, removed).await;
            Ok(())
        }
        Err(e) => {
            forget(state, files_of(&stored)).await;
            Err(e)
        }
    }
}

/// Adds one photo to an alert (the API's image upload).
pub async fn add_photo(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    photo: NewPhoto,
) -> Result<i64, AppError> {
    require_publisher(user)?;
    let reader = user.clone();
    db::run(&state.pool, move |conn| {
        load_own(conn, &reader, id).map(|_| ())
    })
    .await?;
    let stored = std::sync::Arc::new(store(state, vec![photo]).await?);
    let (author, kept) = (user.clone(), stored.clone());
    let added = db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            load_own(conn, &author, id)?;
            let added = record_photos(conn, id, author.user.id, &kept)?;
            audit::record(
                conn,
                &author.actor(),
                "alert.photo",
                &format!("alert:{id}"),
                "",
            )?;
            added
                .first()
                .copied()
                .ok_or_else(|| AppError::internal("the photo just added is missing"))
        })
    })
    .await;
    forget_if_failed(state, added, &stored).await
}

/// Removes one photo of an alert.
pub async fn remove_photo(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    image_id: i64,
) -> Result<(), AppError> {
    require_publisher(user)?;
    let author = user.clone();
    let removed = db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            load_own(conn, &author, id)?;
            let image = rows::images_of(conn, id)?
                .into_iter()
                .find(|i| i.id == image_id)
                .ok_or_else(|| AppError::not_found("That photo"))?;
            rows::remove_image(conn, id, image_id)?;
            audit::record(
                conn,
                &author.actor(),
                "alert.photo_removed",
                &format!("alert:{id}"),
                "",
            )?;
            Ok(vec![image.display_sha256, image.thumb_sha256])
        })
    })
    .await?;
    forget(state, removed).await;
    Ok(())
}

/// Withdraws an alert before its last day: officers no longer see it.
pub async fn withdraw(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    require_publisher(user)?;
    let author = user.clone();
    db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            let alert = load_own(conn, &author, id)?;
            if alert.withdrawn_at.is_some() {
                return Err(AppError::Conflict(
                    "This alert was already withdrawn.".into(),
                ));
            }
            rows::withdraw(conn, id, now())?;
            audit::record(
                conn,
                &author.actor(),
                "alert.withdraw",
                &format!("alert:{id}"),
                &alert.title,
            )?;
            Ok(())
        })
    })
    .await
}
