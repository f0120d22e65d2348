use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{
    brands, product_codes, product_images, product_revisions, product_sections, products,
    search_outbox, share_list,
};
use crate::db::DbConnection;
use crate::models::now;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = products)]
pub struct ProductRow {
    pub id: i64,
    pub organisation_id: i64,
    pub brand_id: i64,
    pub reference: String,
    pub name: String,
    pub category: String,
    pub hs_code: Option<String>,
    pub identity: String,
    pub status: String,
    pub last_reviewed_on: Option<chrono::NaiveDate>,
    pub version: i32,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = products)]
pub struct ProductChanges<'a> {
    pub brand_id: i64,
    pub reference: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub hs_code: Option<&'a str>,
    pub identity: &'a str,
    pub last_reviewed_on: Option<chrono::NaiveDate>,
    pub updated_by: Option<i64>,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    pub organisation_id: i64,
    #[diesel(embed)]
    pub changes: ProductChanges<'a>,
    pub status: &'a str,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_sections)]
pub struct SectionRow {
    pub id: i64,
    pub product_id: i64,
    pub kind: String,
    pub access: String,
    pub content: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = product_codes)]
pub struct CodeRow {
    pub id: i64,
    pub product_id: i64,
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = product_images)]
pub struct ImageRow {
    pub id: i64,
    pub product_id: i64,
    pub kind: String,
    pub caption: String,
    pub position: i32,
    pub display_sha256: String,
    pub thumb_sha256: String,
    pub width: i32,
    pub height: i32,
    pub pdq: String,
    pub pdq_quality: i32,
    pub pdq_algorithm: String,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    /// `search_index::photo` region hashes, encoded; empty for older images.
    pub region_pdq: String,
}

#[derive(Insertable)]
#[diesel(table_name = product_images)]
pub struct NewImage<'a> {
    pub product_id: i64,
    pub kind: &'a str,
    pub caption: &'a str,
    pub position: i32,
    pub display_sha256: &'a str,
    pub thumb_sha256: &'a str,
    pub width: i32,
    pub height: i32,
    pub pdq: &'a str,
    pub pdq_quality: i32,
    pub pdq_algorithm: &'a str,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub region_pdq: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = product_revisions)]
pub struct RevisionRow {
    pub id: i64,
    pub product_id: i64,
    pub version: i32,
    pub user_id: Option<i64>,
    pub summary: String,
    pub snapshot: String,
    pub created_at: chrono::NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<ProductRow> {
    products::table
        .find(id)
        .select(ProductRow::as_select())
        .first(conn)
}

pub fn find_by_reference(
    conn: &mut DbConnection,
    org: i64,
    reference: &str,
) -> QueryResult<Option<ProductRow>> {
    products::table
        .filter(products::organisation_id.eq(org))
        .filter(products::reference.eq(reference))
        .select(ProductRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, new: &NewProduct) -> QueryResult<i64> {
    diesel::insert_into(products::table)
        .values(new)
        .returning(products::id)
        .get_result(conn)
}

pub fn update(conn: &mut DbConnection, id: i64, changes: &ProductChanges) -> QueryResult<()> {
    diesel::update(products::table.find(id))
        .set((changes, products::version.eq(products::version + 1)))
        .execute(conn)
        .map(|_| ())
}

pub fn set_status(
    conn: &mut DbConnection,
    id: i64,
    status: &str,
    user: Option<i64>,
) -> QueryResult<()> {
    diesel::update(products::table.find(id))
        .set((
            products::status.eq(status),
            products::version.eq(products::version + 1),
            products::updated_by.eq(user),
            products::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(products::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// A brand of the organisation, created on first use.
pub fn brand_id(conn: &mut DbConnection, org: i64, name: &str) -> QueryResult<i64> {
    let existing = brands::table
        .filter(brands::organisation_id.eq(org))
        .filter(brands::name.eq(name))
        .select(brands::id)
        .first::<i64>(conn)
        .optional()?;
    match existing {
        Some(id) => Ok(id),
        None => diesel::insert_into(brands::table)
            .values((
                brands::organisation_id.eq(org),
                brands::name.eq(name),
                brands::created_at.eq(now()),
            ))
            .returning(brands::id)
            .get_result(conn),
    }
}

pub fn brand_name(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    brands::table.find(id).select(brands::name).first(conn)
}

pub fn sections_of(conn: &mut DbConnection, product: i64) -> QueryResult<Vec<SectionRow>> {
    product_sections::table
        .filter(product_sections::product_id.eq(product))
        .select(SectionRow::as_select())
        .order(product_sections::kind.asc())
        .load(conn)
}

/// Replaces every section of a product.
pub fn replace_sections(
    conn: &mut DbConnection,
    product: i64,
    rows: &[(String, String, String)],
) -> QueryResult<()> {
    diesel::delete(product_sections::table.filter(product_sections::product_id.eq(product)))
        .execute(conn)?;
    insert_sections(conn, product, rows)
}

/// Adds sections to a product that has none (a new one).
pub fn insert_sections(
    conn: &mut DbConnection,
    product: i64,
    rows: &[(String, String, String)],
) -> QueryResult<()> {
    for (kind, access, content) in rows {
        diesel::insert_into(product_sections::table)
            .values((
                product_sections::product_id.eq(product),
                product_sections::kind.eq(kind),
                product_sections::access.eq(access),
                product_sections::content.eq(content),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn codes_of(conn: &mut DbConnection, product: i64) -> QueryResult<Vec<CodeRow>> {
    product_codes::table
        .filter(product_codes::product_id.eq(product))
        .select(CodeRow::as_select())
        .order((product_codes::kind.asc(), product_codes::id.asc()))
        .load(conn)
}

pub fn replace_codes(
    conn: &mut DbConnection,
    product: i64,
    codes: &[(&str, &str)],
) -> QueryResult<()> {
    diesel::delete(product_codes::table.filter(product_codes::product_id.eq(product)))
        .execute(conn)?;
    insert_codes(conn, product, codes)
}

/// Adds codes to a product that has none (a new one).
pub fn insert_codes(
    conn: &mut DbConnection,
    product: i64,
    codes: &[(&str, &str)],
) -> QueryResult<()> {
    for (kind, value) in codes {
        diesel::insert_into(product_codes::table)
            .values((
                product_codes::product_id.eq(product),
                product_codes::kind.eq(kind),
                product_codes::value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn images_of(conn: &mut DbConnection, product: i64) -> QueryResult<Vec<ImageRow>> {
    product_images::table
        .filter(product_images::product_id.eq(product))
        .select(ImageRow::as_select())
        .order((product_images::position.asc(), product_images::id.asc()))
        .load(conn)
}

pub fn insert_image(conn: &mut DbConnection, new: &NewImage) -> QueryResult<i64> {
    diesel::insert_into(product_images::table)
        .values(new)
        .returning(product_images::id)
        .get_result(conn)
}

pub fn find_image(conn: &mut DbConnection, id: i64) -> QueryResult<ImageRow> {
    product_images::table
        .find(id)
        .select(ImageRow::as_select())
        .first(conn)
}

pub fn delete_image(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(product_images::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// Records the product's current version as a revision.
pub fn add_revision(
    conn: &mut DbConnection,
    product: i64,
    user: Option<i64>,
    summary: &str,
    snapshot: &str,
) -> QueryResult<()> {
    let version: i32 = products::table
        .find(product)
        .select(products::version)
        .first(conn)?;
    add_revision_at(conn, product, version, user, summary, snapshot)
}

/// Records a revision of a known version (a new product is version 1).
pub fn add_revision_at(
    conn: &mut DbConnection,
    product: i64,
    version: i32,
    user: Option<i64>,
    summary: &str,
    snapshot: &str,
) -> QueryResult<()> {
    diesel::insert_into(product_revisions::table)
        .values((
            product_revisions::product_id.eq(product),
            product_revisions::version.eq(version),
            product_revisions::user_id.eq(user),
            product_revisions::summary.eq(summary),
            product_revisions::snapshot.eq(snapshot),
            product_revisions::created_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn revisions_of(conn: &mut DbConnection, product: i64) -> QueryResult<Vec<RevisionRow>> {
    product_revisions::table
        .filter(product_revisions::product_id.eq(product))
        .select(RevisionRow::as_select())
        .order(product_revisions::id.desc())
        .load(conn)
}

/// Queues a product for re-indexing; call inside the transaction of the change.
pub fn enqueue_search(conn: &mut DbConnection, product: i64) -> QueryResult<()> {
    diesel::insert_into(search_outbox::table)
        .values((
            search_outbox::product_id.eq(product),
            search_outbox::created_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Queues every product of an organisation (its status changed, or its name).
pub fn enqueue_organisation(conn: &mut DbConnection, org: i64) -> QueryResult<()> {
    let ids: Vec<i64> = products::table
        .filter(products::organisation_id.eq(org))
        .select(products::id)
        .load(conn)?;
    for id in ids {
        enqueue_search(conn, id)?;
    }
    Ok(())
}

/// Outbox rows after `after`, oldest first.
pub fn outbox_after(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    search_outbox::table
        .filter(search_outbox::id.gt(after))
        .select((search_outbox::id, search_outbox::product_id))
        .order(search_outbox::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn last_outbox_id(conn: &mut DbConnection) -> QueryResult<i64> {
    search_outbox::table
        .select(diesel::dsl::max(search_outbox::id))
        .first::<Option<i64>>(conn)
        .map(|v| v.unwrap_or(0))
}

pub fn share_list_of(conn: &mut DbConnection, right_holder: i64) -> QueryResult<Vec<i64>> {
    share_list::table
        .filter(share_list::right_holder_id.eq(right_holder))
        .select(share_list::administration_id)
        .order(share_list::administration_id.asc())
        .load(conn)
}

pub fn set_share_list(
    conn: &mut DbConnection,
    right_holder: i64,
    administrations: &[i64],
) -> QueryResult<()> {
    diesel::delete(share_list::table.filter(share_list::right_holder_id.eq(right_holder)))
        .execute(conn)?;
    for admin in administrations {
        diesel::insert_into(share_list::table)
            .values((
                share_list::right_holder_id.eq(right_holder),
                share_list::administration_id.eq(admin),
                share_list::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Products of an organisation for its own list page, newest first.
pub fn list_for_org(
    conn: &mut DbConnection,
    org: i64,
    status: Option<&str>,
    text: Option<&str>,
) -> QueryResult<Vec<(ProductRow, String)>> {
    let mut query = products::table
        .inner_join(brands::table)
        .filter(products::organisation_id.eq(org))
        .select((ProductRow::as_select(), brands::name))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(products::status.eq(status.to_string()));
    }
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        use crate::models::lower;
        let pattern = format!("%{}%", text.replace(['%', '_'], "").to_lowercase());
        query = query.filter(
            lower(products::name)
                .like(pattern.clone())
                .or(lower(products::reference).like(pattern.clone()))
                .or(lower(brands::name).like(pattern)),
        );
    }
    query
        .order(products::updated_at.desc())
        .limit(500)
        .load(conn)
}

/// One searchable image's hashes: (image id, product id, pdq hex, quality, region hashes).
pub type SearchableImage = (i64, i64, String, i32, String);

/// The hashes of every image of published products of verified organisations: the
/// image-hash index is rebuilt from these at start.
pub fn searchable_images(conn: &mut DbConnection) -> QueryResult<Vec<SearchableImage>> {
    use crate::db::schema::organisations;
    product_images::table
        .inner_join(products::table.inner_join(organisations::table))
        .filter(products::status.eq("published"))
        .filter(organisations::status.eq("verified"))
        .select((
            product_images::id,
            product_images::product_id,
            product_images::pdq,
            product_images::pdq_quality,
            product_images::region_pdq,
        ))
        .load(conn)
}

pub fn all_product_ids(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    products::table
        .select(products::id)
        .order(products::id.asc())
        .load(conn)
}

/// True when some image record still points at this stored file.
pub fn image_file_in_use(conn: &mut DbConnection, sha: &str) -> QueryResult<bool> {
    use diesel::dsl::count_star;
    let n: i64 = product_images::table
        .filter(
            product_images::display_sha256
                .eq(sha)
                .or(product_images::thumb_sha256.eq(sha)),
        )
        .select(count_star())
        .first(conn)?;
    Ok(n > 0)
}

/// Changes what an image shows and its caption.
pub fn relabel_image(
    conn: &mut DbConnection,
    id: i64,
    kind: &str,
    caption: &str,
) -> QueryResult<()> {
    diesel::update(product_images::table.find(id))
        .set((
            product_images::kind.eq(kind),
            product_images::caption.eq(caption),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_image_position(conn: &mut DbConnection, id: i64, position: i32) -> QueryResult<()> {
    diesel::update(product_images::table.find(id))
        .set(product_images::position.eq(position))
        .execute(conn)
        .map(|_| ())
}

/// How many products officers can find: published, by a verified right holder.
pub fn count_searchable(conn: &mut DbConnection) -> QueryResult<i64> {
    use crate::db::schema::organisations;
    use diesel::dsl::count_star;
    products::table
        .inner_join(organisations::table)
        .filter(products::status.eq("published"))
        .filter(organisations::status.eq("verified"))
        .select(count_star())
        .first(conn)
}

/// Every stored file a product image names (display copies and thumbnails).
pub fn image_files(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    product_images::table
        .select((product_images::display_sha256, product_images::thumb_sha256))
        .load(conn)
}
