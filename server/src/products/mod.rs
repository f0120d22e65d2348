//! Product records: storing them (with their sections, codes, revision history and a
//! search-outbox row in one transaction), loading them, and deciding who sees what.

pub mod images;
pub mod index_doc;
pub mod record;
pub mod sharing;
pub mod upload;
pub mod validate;

use std::collections::{HashMap, HashSet};

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
    load_all(conn, &[id])?
        .remove(&id)
        .ok_or_else(|| AppError::not_found("That product"))
}

/// The ids, sorted, each once.
fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Groups rows by their product, keeping their order.
fn by_product<T>(rows: Vec<T>, product: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut grouped: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(product(&row)).or_default().push(row);
    }
    grouped
}

/// The products with these ids, as [`load`] gives each, read in a few queries for all of
/// them; an id with no product is absent.
pub fn load_all(conn: &mut DbConnection, ids: &[i64]) -> Result<HashMap<i64, Product>, AppError> {
    let found = rows::find_all(conn, ids)?;
    let ids: Vec<i64> = found.iter().map(|row| row.id).collect();
    let brand_ids = distinct(found.iter().map(|row| row.brand_id));
    let brands: HashMap<i64, String> = rows::brand_names(conn, &brand_ids)?.into_iter().collect();
    let org_ids = distinct(found.iter().map(|row| row.organisation_id));
    let orgs: HashMap<i64, Organisation> = organisation::find_all(conn, &org_ids)?
        .into_iter()
        .map(|org| (org.id, org))
        .collect();
    let mut codes = by_product(rows::codes_of_all(conn, &ids)?, |c| c.product_id);
    let mut sections = by_product(rows::sections_of_all(conn, &ids)?, |s| s.product_id);
    let mut images = by_product(rows::images_of_all(conn, &ids)?, |i| i.product_id);
    let mut products = HashMap::with_capacity(found.len());
    for row in found {
        let id = row.id;
        let missing = |what: &str| AppError::internal(format!("{what} of product {id} not found"));
        let brand = brands
            .get(&row.brand_id)
            .cloned()
            .ok_or_else(|| missing("brand"))?;
        let org = orgs
            .get(&row.organisation_id)
            .cloned()
            .ok_or_else(|| missing("organisation"))?;
        let identity = serde_json::from_str(&row.identity)
            .map_err(|e| AppError::internal(format!("identity of product {id}: {e}")))?;
        let record = ProductInput {
            reference: row.reference.clone(),
            brand: brand.clone(),
            name: row.name.clone(),
            category: row.category.clone(),
            hs_code: row.hs_code.clone(),
            identity,
            codes: rows_to_codes(codes.remove(&id).unwrap_or_default()),
            last_reviewed_on: row.last_reviewed_on,
            sections: rows_to_sections(sections.remove(&id).unwrap_or_default())?,
        };
        let product = Product {
            row,
            brand,
            record,
            images: images.remove(&id).unwrap_or_default(),
            org,
        };
        products.insert(id, product);
    }
    Ok(products)
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

/// Image ids named by features must be images of this product (`existing`; a new one
/// has none). The product's images are read only when the record names some.
fn check_image_refs(
    conn: &mut DbConnection,
    record: &ProductInput,
    existing: Option<i64>,
) -> Result<(), AppError> {
    let Some(features) = &record.sections.features else {
        return Ok(());
    };
    let mut named = features
        .items
        .iter()
        .flat_map(|f| f.image_ids.iter())
        .peekable();
    if named.peek().is_none() {
        return Ok(());
    }
    let images = match existing {
        Some(id) => rows::images_of(conn, id)?,
        None => Vec::new(),
    };
    for id in named {
        if !images.iter().any(|i| i.id == *id) {
            return Err(AppError::bad_request(
                "invalid_product",
                format!("features: image {id} is not an image of this product."),
            ));
        }
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

/// A validated record to write over `existing`, or as a new product when None.
struct Change<'a> {
    existing: Option<&'a ProductRow>,
    record: &'a ProductInput,
}

/// What a change wrote: the product, whether it is new, and its version and status.
struct Stored {
    id: i64,
    created: bool,
    version: i32,
    status: String,
}

/// Writes validated records, each over its existing product or as a new one: a draft, or
/// published with `publish` (which also publishes an existing product). Every product
/// gets its sections and codes, one revision, one search-outbox row and one audit entry,
/// as a single write would, but in a few multi-row statements for all of them. New
/// records must have distinct references and existing products must be distinct.
///
/// Call it inside a transaction: on an error, part of it may have been written, and the
/// caller's transaction (or savepoint) must be rolled back.
fn store_all(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &Actor,
    batch: &[Change],
    publish: bool,
) -> Result<Vec<(i64, bool)>, AppError> {
    let brand_names: Vec<&str> = batch.iter().map(|c| c.record.brand.as_str()).collect();
    let brands = rows::brand_ids(conn, org_id, &brand_names)?;
    let mut identities = Vec::with_capacity(batch.len());
    for change in batch {
        check_image_refs(conn, change.record, change.existing.map(|row| row.id))?;
        identities.push(
            serde_json::to_string(&change.record.identity)
                .map_err(|e| AppError::internal(format!("identity to JSON: {e}")))?,
        );
    }
    let fields = batch
        .iter()
        .zip(&identities)
        .map(|(change, identity)| {
            let brand_id = brands.get(&change.record.brand).copied().ok_or_else(|| {
                AppError::internal(format!("brand {:?} not stored", change.record.brand))
            })?;
            Ok(changes(change.record, brand_id, identity, actor.user_id))
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let new_status = if publish {
        Status::Published
    } else {
        Status::Draft
    };
    let mut new = Vec::new();
    let mut stored = Vec::with_capacity(batch.len());
    for (change, fields) in batch.iter().zip(fields) {
        match change.existing {
            Some(row) => {
                let published = Status::Published.as_str();
                let status = (publish && row.status != published).then_some(published);
                let version = rows::update(conn, row.id, &fields, status)?;
                stored.push(Some(Stored {
                    id: row.id,
                    created: false,
                    version,
                    status: status.unwrap_or(&row.status).to_string(),
                }));
            }
            None => {
                new.push(rows::NewProduct {
                    organisation_id: org_id,
                    changes: fields,
                    status: new_status.as_str(),
                    created_by: actor.user_id,
                    created_at: now(),
                });
                stored.push(None);
            }
        }
    }
    let new_ids = rows::insert_all(conn, &new)?;
    let stored = batch
        .iter()
        .zip(stored)
        .map(|(change, stored)| match stored {
            Some(stored) => Ok(stored),
            None => new_ids
                .get(&change.record.reference)
                .map(|id| Stored {
                    id: *id,
                    created: true,
                    version: 1,
                    status: new_status.as_str().to_string(),
                })
                .ok_or_else(|| {
                    AppError::internal(format!("product {:?} not stored", change.record.reference))
                }),
        })
        .collect::<Result<Vec<_>, AppError>>()?;

    let replaced: Vec<i64> = stored.iter().filter(|s| !s.created).map(|s| s.id).collect();
    rows::clear_fields(conn, &replaced)?;
    let sections: Vec<_> = batch
        .iter()
        .zip(&stored)
        .map(|(change, stored)| (stored.id, sections_to_rows(&change.record.sections)))
        .collect();
    let section_rows: Vec<rows::NewSection> = sections
        .iter()
        .flat_map(|(id, rows)| {
            rows.iter().map(move |(kind, access, content)| {
                (*id, kind.as_str(), access.as_str(), content.as_str())
            })
        })
        .collect();
    rows::insert_sections(conn, &section_rows)?;
    let code_rows: Vec<rows::NewCode> = batch
        .iter()
        .zip(&stored)
        .flat_map(|(change, stored)| {
            codes_to_rows(&change.record.codes)
                .into_iter()
                .map(move |(kind, value)| (stored.id, kind, value))
        })
        .collect();
    rows::insert_codes(conn, &code_rows)?;

    let summary = |stored: &Stored| if stored.created { "created" } else { "updated" };
    let snapshots = batch
        .iter()
        .zip(&stored)
        .map(|(change, stored)| snapshot(change.record, &stored.status))
        .collect::<Result<Vec<_>, AppError>>()?;
    let at = now();
    let revisions: Vec<rows::NewRevision> = stored
        .iter()
        .zip(&snapshots)
        .map(|(stored, snapshot)| rows::NewRevision {
            product_id: stored.id,
            version: stored.version,
            user_id: actor.user_id,
            summary: summary(stored),
            snapshot,
            created_at: at,
        })
        .collect();
    rows::add_revisions(conn, &revisions)?;
    let ids: Vec<i64> = stored.iter().map(|s| s.id).collect();
    rows::enqueue_search_all(conn, &ids)?;
    let actions: Vec<(String, String)> = stored
        .iter()
        .map(|s| {
            (
                format!("product.{}", summary(s)),
                format!("product:{}", s.id),
            )
        })
        .collect();
    let entries: Vec<(&str, &str, &str)> = actions
        .iter()
        .zip(batch)
        .map(|((action, target), change)| {
            (
                action.as_str(),
                target.as_str(),
                change.record.reference.as_str(),
            )
        })
        .collect();
    audit::record_all(conn, actor, &entries)?;
    Ok(stored.iter().map(|s| (s.id, s.created)).collect())
}

/// Writes one validated record over `existing`, or as a new product when None; see
/// [`store_all`].
fn store(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &Actor,
    existing: Option<&ProductRow>,
    record: &ProductInput,
    publish: bool,
) -> Result<(i64, bool), AppError> {
    store_all(conn, org_id, actor, &[Change { existing, record }], publish)?
        .pop()
        .ok_or_else(|| AppError::internal("product not stored"))
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
        upsert_all(conn, org_id, actor, &[record], publish)?
            .pop()
            .ok_or_else(|| AppError::internal("product not stored"))
    })
}

/// [`upsert`] of many validated records at once, in order: a later record with the
/// reference of an earlier one replaces what that one wrote. Returns each record's
/// product id and whether it was created. All or nothing only inside a transaction: on
/// an error the caller must roll back (part of it may have been written).
pub fn upsert_all(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &Actor,
    records: &[&ProductInput],
    publish: bool,
) -> Result<Vec<(i64, bool)>, AppError> {
    let mut written = Vec::with_capacity(records.len());
    let mut rest = records;
    while !rest.is_empty() {
        // A run of distinct references, so that each product is written once per run.
        let mut seen = HashSet::new();
        let distinct = rest
            .iter()
            .take_while(|r| seen.insert(r.reference.as_str()))
            .count();
        let (run, later) = rest.split_at(distinct);
        let references: Vec<&str> = run.iter().map(|r| r.reference.as_str()).collect();
        let existing: HashMap<String, ProductRow> =
            rows::find_by_references(conn, org_id, &references)?
                .into_iter()
                .map(|row| (row.reference.clone(), row))
                .collect();
        let batch: Vec<Change> = run
            .iter()
            .map(|record| Change {
                existing: existing.get(&record.reference),
                record,
            })
            .collect();
        written.extend(store_all(conn, org_id, actor, &batch, publish)?);
        rest = later;
    }
    Ok(written)
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
    let ids = distinct(administrations.iter().copied());
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
