//! Product records: storing them (with their sections, codes, revision history and a
//! search-outbox row in one transaction), loading them, and deciding who sees what.

pub mod images;
pub mod index_doc;
pub mod record;
pub mod sharing;
pub mod upload;
pub mod validate;

use serde::Serialize;

use self::record::{AccessLevel, Codes, ProductInput, Sections};
use crate::auth::CurrentUser;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::audit::{self, Actor};
use crate::models::organisation::{self, Organisation};
use crate::models::product::{self as rows, ImageRow, ProductChanges, ProductRow};
use crate::models::{now, OrgKind, OrgStatus, Role};

/// Draft, published or archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Published,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "archived" => Some(Status::Archived),
            _ => None,
        }
    }
}

/// A product as stored, with everything needed to show or index it.
#[derive(Debug, Clone)]
pub struct Product {
    pub row: ProductRow,
    pub brand: String,
    pub record: ProductInput,
    pub images: Vec<ImageRow>,
    pub org: Organisation,
}

impl Product {
    pub fn status(&self) -> Status {
        Status::parse(&self.row.status).unwrap_or(Status::Draft)
    }

    /// Officers see a product once it is published by a verified right holder.
    pub fn is_searchable(&self) -> bool {
        self.status() == Status::Published && self.org.status() == OrgStatus::Verified
    }

    /// Days since the record was last reviewed (or created); records over a year are stale.
    pub fn is_stale(&self) -> bool {
        let reviewed = self
            .record
            .last_reviewed_on
            .unwrap_or_else(|| self.row.created_at.date());
        (now().date() - reviewed).num_days() > 365
    }
}

/// How much of a product a user may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Every section, drafts included: the owning right holder and platform admins.
    Full,
    /// Published product; restricted sections too (administration on the share list).
    Shared,
    /// Published product, open sections only.
    OpenOnly,
}

impl Visibility {
    pub fn sees_restricted(self) -> bool {
        matches!(self, Visibility::Full | Visibility::Shared)
    }
}

/// What `user` may see of `product`, or NotFound (not Forbidden: others' drafts do not
/// exist as far as they are concerned).
pub fn visibility(
    conn: &mut DbConnection,
    user: &CurrentUser,
    product: &Product,
) -> Result<Visibility, AppError> {
    if user.org.id == product.org.id || user.is_admin() {
        return Ok(Visibility::Full);
    }
    if user.org_kind() == OrgKind::Customs
        && user.org.status() == OrgStatus::Verified
        && product.is_searchable()
    {
        let shared = rows::share_list_of(conn, product.org.id)?.contains(&user.org.id);
        return Ok(if shared {
            Visibility::Shared
        } else {
            Visibility::OpenOnly
        });
    }
    Err(AppError::not_found("That product"))
}

/// The record with the sections this visibility may not read removed.
pub fn visible_record(record: &ProductInput, visibility: Visibility) -> ProductInput {
    let mut record = record.clone();
    if !visibility.sees_restricted() {
        let open: serde_json::Map<String, serde_json::Value> = section_values(&record.sections)
            .into_iter()
            .filter(|(_, value)| value.get("access").and_then(|a| a.as_str()) != Some("restricted"))
            .collect();
        record.sections =
            serde_json::from_value(serde_json::Value::Object(open)).unwrap_or_default();
    }
    record
}

/// Right holders' owners and editors maintain products.
pub fn require_editor(user: &CurrentUser) -> Result<(), AppError> {
    if user.org_kind() == OrgKind::RightHolder && matches!(user.role(), Role::Owner | Role::Editor)
    {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Only a right holder's owner or editors may change products.",
        ))
    }
}

/// Each present section as (kind, JSON value), read off the struct itself so that a new
/// section needs no list kept in step here.
fn section_values(sections: &Sections) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(sections) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

fn sections_to_rows(sections: &Sections) -> Vec<(String, String, String)> {
    section_values(sections)
        .into_iter()
        .map(|(kind, value)| {
            let access = AccessLevel::parse(
                value
                    .get("access")
                    .and_then(|a| a.as_str())
                    .unwrap_or("open"),
            );
            (kind, access.as_str().to_string(), value.to_string())
        })
        .collect()
}

fn rows_to_sections(section_rows: Vec<rows::SectionRow>) -> Result<Sections, AppError> {
    let mut value = serde_json::Map::new();
    for row in section_rows {
        let content: serde_json::Value = serde_json::from_str(&row.content).map_err(|e| {
            AppError::internal(format!(
                "section {} of product {}: {e}",
                row.kind, row.product_id
            ))
        })?;
        value.insert(row.kind, content);
    }
    serde_json::from_value(serde_json::Value::Object(value))
        .map_err(|e| AppError::internal(format!("sections: {e}")))
}

fn codes_to_rows(codes: &Codes) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    out.extend(codes.gtins.iter().map(|v| ("gtin", v.as_str())));
    out.extend(codes.skus.iter().map(|v| ("sku", v.as_str())));
    out.extend(
        codes
            .serial_formats
            .iter()
            .map(|v| ("serial_format", v.as_str())),
    );
    out.extend(codes.lot_formats.iter().map(|v| ("lot_format", v.as_str())));
    out
}

fn rows_to_codes(code_rows: Vec<rows::CodeRow>) -> Codes {
    let mut codes = Codes::default();
    for row in code_rows {
        match row.kind.as_str() {
            "gtin" => codes.gtins.push(row.value),
            "sku" => codes.skus.push(row.value),
            "serial_format" => codes.serial_formats.push(row.value),
            _ => codes.lot_formats.push(row.value),
        }
    }
    codes
}

pub fn load(conn: &mut DbConnection, id: i64) -> Result<Product, AppError> {
    let row = rows::find(conn, id).map_err(|_| AppError::not_found("That product"))?;
    let brand = rows::brand_name(conn, row.brand_id)?;
    let org = organisation::find(conn, row.organisation_id)?;
    let identity = serde_json::from_str(&row.identity)
        .map_err(|e| AppError::internal(format!("identity of product {id}: {e}")))?;
    let record = ProductInput {
        reference: row.reference.clone(),
        brand: brand.clone(),
        name: row.name.clone(),
        category: row.category.clone(),
        hs_code: row.hs_code.clone(),
        identity,
        codes: rows_to_codes(rows::codes_of(conn, id)?),
        last_reviewed_on: row.last_reviewed_on,
        sections: rows_to_sections(rows::sections_of(conn, id)?)?,
    };
    let images = rows::images_of(conn, id)?;
    Ok(Product {
        row,
        brand,
        record,
        images,
        org,
    })
}

/// Loads a product for a change by `user`: it must belong to the user's organisation.
pub fn load_own(conn: &mut DbConnection, user: &CurrentUser, id: i64) -> Result<Product, AppError> {
    require_editor(user)?;
    let product = load(conn, id)?;
    if product.org.id != user.org.id {
        return Err(AppError::not_found("That product"));
    }
    Ok(product)
}

/// Image ids named by features must be images of this product.
fn check_image_refs(record: &ProductInput, images: &[ImageRow]) -> Result<(), AppError> {
    if let Some(features) = &record.sections.features {
        for id in features.items.iter().flat_map(|f| f.image_ids.iter()) {
            if !images.iter().any(|i| i.id == *id) {
                return Err(AppError::bad_request(
                    "invalid_product",
                    format!("features: image {id} is not an image of this product."),
                ));
            }
        }
    }
    Ok(())
}

/// Writes the sections and codes of a product; a new one has none to replace.
fn write_fields(
    conn: &mut DbConnection,
    product_id: i64,
    record: &ProductInput,
    created: bool,
) -> Result<(), AppError> {
    let sections = sections_to_rows(&record.sections);
    let codes = codes_to_rows(&record.codes);
    if created {
        rows::insert_sections(conn, product_id, &sections)?;
        rows::insert_codes(conn, product_id, &codes)?;
    } else {
        rows::replace_sections(conn, product_id, &sections)?;
        rows::replace_codes(conn, product_id, &codes)?;
    }
    Ok(())
}

fn changes<'a>(
    record: &'a ProductInput,
    brand_id: i64,
    identity: &'a str,
    user: Option<i64>,
) -> ProductChanges<'a> {
    ProductChanges {
        brand_id,
        reference: &record.reference,
        name: &record.name,
        category: &record.category,
        hs_code: record.hs_code.as_deref(),
        identity,
        last_reviewed_on: record.last_reviewed_on,
        updated_by: user,
        updated_at: now(),
    }
}

fn snapshot(record: &ProductInput, status: &str) -> Result<String, AppError> {
    serde_json::to_string(&serde_json::json!({"status": status, "record": record}))
        .map_err(|e| AppError::internal(format!("snapshot: {e}")))
}

/// Writes a validated record over `existing`, or as a new product when None: a draft,
/// or published with `publish` (which also publishes an existing product).
fn store(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &Actor,
    existing: Option<&ProductRow>,
    record: &ProductInput,
    publish: bool,
) -> Result<(i64, bool), AppError> {
    let brand_id = rows::brand_id(conn, org_id, &record.brand)?;
    let identity = serde_json::to_string(&record.identity)
        .map_err(|e| AppError::internal(format!("identity to JSON: {e}")))?;
    let fields = changes(record, brand_id, &identity, actor.user_id);
    let (id, created, status) = match existing {
        Some(row) => {
            check_image_refs(record, &rows::images_of(conn, row.id)?)?;
            rows::update(conn, row.id, &fields)?;
            let published = Status::Published.as_str();
            if publish && row.status != published {
                rows::set_status(conn, row.id, published, actor.user_id)?;
                (row.id, false, published.to_string())
            } else {
                (row.id, false, row.status.clone())
            }
        }
        None => {
            check_image_refs(record, &[])?;
            let status = if publish {
                Status::Published
            } else {
                Status::Draft
            };
            let new = rows::NewProduct {
                organisation_id: org_id,
                changes: fields,
                status: status.as_str(),
                created_by: actor.user_id,
                created_at: now(),
            };
            (rows::insert(conn, &new)?, true, status.as_str().to_string())
        }
    };
    write_fields(conn, id, record, created)?;
    let summary = if created { "created" } else { "updated" };
    let snapshot = snapshot(record, &status)?;
    if created {
        rows::add_revision_at(conn, id, 1, actor.user_id, summary, &snapshot)?;
    } else {
        rows::add_revision(conn, id, actor.user_id, summary, &snapshot)?;
    }
    rows::enqueue_search(conn, id)?;
    audit::record(
        conn,
        actor,
        &format!("product.{summary}"),
        &format!("product:{id}"),
        &record.reference,
    )?;
    Ok((id, created))
}

/// Creates (when the reference is new) or replaces the organisation's product with this
/// reference, as bulk imports do. The record must have been validated. Returns the id and
/// whether the product is new. With `publish` the product ends up published.
pub fn upsert(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &Actor,
    record: &ProductInput,
    publish: bool,
) -> Result<(i64, bool), AppError> {
    db::transaction(conn, |conn| {
        let existing = rows::find_by_reference(conn, org_id, &record.reference)?;
        store(conn, org_id, actor, existing.as_ref(), record, publish)
    })
}

/// Creates a product; a reference already in use is a conflict (PUT replaces).
pub fn create(
    conn: &mut DbConnection,
    user: &CurrentUser,
    mut record: ProductInput,
) -> Result<i64, AppError> {
    require_editor(user)?;
    validate::product(&mut record)?;
    db::transaction(conn, |conn| {
        if rows::find_by_reference(conn, user.org.id, &record.reference)?.is_some() {
            return Err(AppError::Conflict(format!(
                "A product with the reference {:?} already exists; change that one instead.",
                record.reference
            )));
        }
        store(conn, user.org.id, &user.actor(), None, &record, false).map(|(id, _)| id)
    })
}

/// Replaces every field of an existing product of the user's organisation.
pub fn replace(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: i64,
    mut record: ProductInput,
) -> Result<(), AppError> {
    validate::product(&mut record)?;
    db::transaction(conn, |conn| {
        let current = load_own(conn, user, id)?;
        let taken = rows::find_by_reference(conn, user.org.id, &record.reference)?;
        if taken.is_some_and(|other| other.id != id) {
            return Err(AppError::Conflict(format!(
                "Another product already has the reference {:?}.",
                record.reference
            )));
        }
        store(
            conn,
            user.org.id,
            &user.actor(),
            Some(&current.row),
            &record,
            false,
        )
        .map(|_| ())
    })
}

/// Publishes, unpublishes (back to draft) or archives a product.
pub fn change_status(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: i64,
    status: Status,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let product = load_own(conn, user, id)?;
        rows::set_status(conn, id, status.as_str(), Some(user.user.id))?;
        rows::add_revision(
            conn,
            id,
            Some(user.user.id),
            status.as_str(),
            &snapshot(&product.record, status.as_str())?,
        )?;
        rows::enqueue_search(conn, id)?;
        audit::record(
            conn,
            &user.actor(),
            &format!("product.{}", status.as_str()),
            &format!("product:{id}"),
            "",
        )?;
        Ok(())
    })
}

/// Deletes a product with its sections, codes and image records. The image files are
/// removed by the caller after the transaction commits, when no other record uses them.
pub fn delete(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<Vec<ImageRow>, AppError> {
    db::transaction(conn, |conn| {
        let product = load_own(conn, user, id)?;
        rows::delete(conn, id)?;
        rows::enqueue_search(conn, id)?;
        audit::record(
            conn,
            &user.actor(),
            "product.deleted",
            &format!("product:{id}"),
            &product.row.reference,
        )?;
        Ok(product.images)
    })
}

/// Any member of a right holder reads its own product list.
pub fn require_reader(user: &CurrentUser) -> Result<(), AppError> {
    if user.org_kind() == OrgKind::RightHolder {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Only right holders have a product list.",
        ))
    }
}

/// Replaces the customs administrations allowed to read restricted sections; every
/// product of the right holder is re-indexed so search sees the new list.
pub fn set_share_list(
    conn: &mut DbConnection,
    user: &CurrentUser,
    administrations: &[i64],
) -> Result<(), AppError> {
    if user.org_kind() != OrgKind::RightHolder || user.role() != Role::Owner {
        return Err(AppError::forbidden(
            "Only the right holder's owner decides who sees restricted sections.",
        ));
    }
    let mut ids = administrations.to_vec();
    ids.sort_unstable();
    ids.dedup();
    db::transaction(conn, |conn| {
        for id in &ids {
            let org = organisation::find(conn, *id).map_err(|_| {
                AppError::bad_request(
                    "invalid_administration",
                    format!("There is no customs administration {id}."),
                )
            })?;
            if org.kind() != OrgKind::Customs {
                return Err(AppError::bad_request(
                    "invalid_administration",
                    format!("{} is not a customs administration.", org.name),
                ));
            }
        }
        rows::set_share_list(conn, user.org.id, &ids)?;
        rows::enqueue_organisation(conn, user.org.id)?;
        let detail = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        audit::record(
            conn,
            &user.actor(),
            "share_list.set",
            &format!("organisation:{}", user.org.id),
            &detail,
        )?;
        Ok(())
    })
}
