use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{
    brands, product_codes, product_images, product_revisions, product_sections, products,
    search_outbox, share_list,
};
use crate::db::{on_backend, DbConnection};
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

/// Every field is written as given: `None` stores NULL (an update clears the field, and a
/// multi-row insert never needs SQL's DEFAULT, which SQLite does not take there).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = products, treat_none_as_null = true, treat_none_as_default_value = false)]
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
#[diesel(table_name = products, treat_none_as_default_value = false)]
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

#[derive(Insertable)]
#[diesel(table_name = product_revisions, treat_none_as_default_value = false)]
pub struct NewRevision<'a> {
    pub product_id: i64,
    pub version: i32,
    pub user_id: Option<i64>,
    pub summary: &'a str,
    pub snapshot: &'a str,
    pub created_at: chrono::NaiveDateTime,
}

/// The most rows one multi-row statement reads or writes: with at most 13 columns a row,
/// well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
const ROWS_PER_STATEMENT: usize = 1000;

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

/// Runs `query` on each chunk of `keys` (a statement can only take so many) and
/// concatenates what it returns.
fn by_chunks<K, T>(
    conn: &mut DbConnection,
    keys: &[K],
    mut query: impl FnMut(&mut DbConnection, &[K]) -> QueryResult<Vec<T>>,
) -> QueryResult<Vec<T>> {
    let mut all = Vec::new();
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        all.extend(query(conn, chunk)?);
    }
    Ok(all)
}

/// The products with these ids (those that exist), in id order.
pub fn find_all(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<ProductRow>> {
    by_chunks(conn, ids, |conn, chunk| {
        products::table
            .filter(products::id.eq_any(chunk))
            .select(ProductRow::as_select())
            .order(products::id.asc())
            .load(conn)
    })
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

/// The organisation's products with any of these references, in no particular order.
pub fn find_by_references(
    conn: &mut DbConnection,
    org: i64,
    references: &[&str],
) -> QueryResult<Vec<ProductRow>> {
    by_chunks(conn, references, |conn, chunk| {
        products::table
            .filter(products::organisation_id.eq(org))
            .filter(products::reference.eq_any(chunk))
            .select(ProductRow::as_select())
            .load(conn)
    })
}

/// Inserts new products (of distinct references); returns each one's (reference, id).
pub fn insert_all(
    conn: &mut DbConnection,
    new: &[NewProduct],
) -> QueryResult<HashMap<String, i64>> {
    let mut ids = HashMap::with_capacity(new.len());
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        ids.extend(on_backend!(&mut *conn, |c| diesel::insert_into(
            products::table
        )
        .values(chunk)
        .returning((products::reference, products::id))
        .get_results::<(String, i64)>(c))?);
    }
    Ok(ids)
}

/// Writes `changes` over a product, and its new status when given; returns the new version.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    changes: &ProductChanges,
    status: Option<&str>,
) -> QueryResult<i32> {
    let product = diesel::update(products::table.find(id));
    let version = products::version.eq(products::version + 1);
    match status {
        Some(status) => product
            .set((changes, products::status.eq(status), version))
            .returning(products::version)
            .get_result(conn),
        None => product
            .set((changes, version))
            .returning(products::version)
            .get_result(conn),
    }
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

/// The ids of the organisation's brands with these names (by name), creating those that
/// are new.
pub fn brand_ids(
    conn: &mut DbConnection,
    org: i64,
    names: &[&str],
) -> QueryResult<HashMap<String, i64>> {
    let mut wanted = names.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut ids: HashMap<String, i64> = by_chunks(conn, &wanted, |conn, chunk| {
        brands::table
            .filter(brands::organisation_id.eq(org))
            .filter(brands::name.eq_any(chunk))
            .select((brands::name, brands::id))
            .load(conn)
    })?
    .into_iter()
    .collect();
    let missing: Vec<&str> = wanted
        .into_iter()
        .filter(|name| !ids.contains_key(*name))
        .collect();
    let created_at = now();
    for chunk in missing.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|name| {
                (
                    brands::organisation_id.eq(org),
                    brands::name.eq(*name),
                    brands::created_at.eq(created_at),
                )
            })
            .collect();
        ids.extend(on_backend!(&mut *conn, |c| diesel::insert_into(
            brands::table
        )
        .values(&values)
        .returning((brands::name, brands::id))
        .get_results::<(String, i64)>(c))?);
    }
    Ok(ids)
}

/// (id, name) of the brands with these ids.
pub fn brand_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    by_chunks(conn, ids, |conn, chunk| {
        brands::table
            .filter(brands::id.eq_any(chunk))
            .select((brands::id, brands::name))
            .load(conn)
    })
}

/// The sections of these products, by product then kind.
pub fn sections_of_all(conn: &mut DbConnection, products: &[i64]) -> QueryResult<Vec<SectionRow>> {
    by_chunks(conn, products, |conn, chunk| {
        product_sections::table
            .filter(product_sections::product_id.eq_any(chunk))
            .select(SectionRow::as_select())
            .order((
                product_sections::product_id.asc(),
                product_sections::kind.asc(),
            ))
            .load(conn)
    })
}

/// Removes every section and code of these products (before writing them anew).
pub fn clear_fields(conn: &mut DbConnection, products: &[i64]) -> QueryResult<()> {
    for chunk in products.chunks(ROWS_PER_STATEMENT) {
        diesel::delete(product_sections::table.filter(product_sections::product_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(product_codes::table.filter(product_codes::product_id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// A section to add: (product, kind, access, content as JSON).
pub type NewSection<'a> = (i64, &'a str, &'a str, &'a str);

/// Adds sections to products that have none (new ones, or cleared).
pub fn insert_sections(conn: &mut DbConnection, sections: &[NewSection]) -> QueryResult<()> {
    for chunk in sections.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(product, kind, access, content)| {
                (
                    product_sections::product_id.eq(*product),
                    product_sections::kind.eq(*kind),
                    product_sections::access.eq(*access),
                    product_sections::content.eq(*content),
                )
            })
            .collect();
        on_backend!(&mut *conn, |c| diesel::insert_into(product_sections::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(())
}

/// The codes of these products, by product, kind, then as written.
pub fn codes_of_all(conn: &mut DbConnection, products: &[i64]) -> QueryResult<Vec<CodeRow>> {
    by_chunks(conn, products, |conn, chunk| {
        product_codes::table
            .filter(product_codes::product_id.eq_any(chunk))
            .select(CodeRow::as_select())
            .order((
                product_codes::product_id.asc(),
                product_codes::kind.asc(),
                product_codes::id.asc(),
            ))
            .load(conn)
    })
}

/// A code to add: (product, kind, value).
pub type NewCode<'a> = (i64, &'a str, &'a str);

/// Adds codes to products that have none (new ones, or cleared).
pub fn insert_codes(conn: &mut DbConnection, codes: &[NewCode]) -> QueryResult<()> {
    for chunk in codes.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(product, kind, value)| {
                (
                    product_codes::product_id.eq(*product),
                    product_codes::kind.eq(*kind),
                    product_codes::value.eq(*value),
                )
            })
            .collect();
        on_backend!(&mut *conn, |c| diesel::insert_into(product_codes::table)
            .values(&values)
            .execute(c))?;
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

/// The images of these products, by product, then in their order.
pub fn images_of_all(conn: &mut DbConnection, products: &[i64]) -> QueryResult<Vec<ImageRow>> {
    by_chunks(conn, products, |conn, chunk| {
        product_images::table
            .filter(product_images::product_id.eq_any(chunk))
            .select(ImageRow::as_select())
            .order((
                product_images::product_id.asc(),
                product_images::position.asc(),
                product_images::id.asc(),
            ))
            .load(conn)
    })
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
    add_revisions(
        conn,
        &[NewRevision {
            product_id: product,
            version,
            user_id: user,
            summary,
            snapshot,
            created_at: now(),
        }],
    )
}

/// Records revisions of several products at once.
pub fn add_revisions(conn: &mut DbConnection, revisions: &[NewRevision]) -> QueryResult<()> {
    for chunk in revisions.chunks(ROWS_PER_STATEMENT) {
        on_backend!(&mut *conn, |c| diesel::insert_into(
            product_revisions::table
        )
        .values(chunk)
        .execute(c))?;
    }
    Ok(())
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
    enqueue_search_all(conn, &[product])
}

/// Queues products for re-indexing, in this order; call inside the transaction of the
/// change.
pub fn enqueue_search_all(conn: &mut DbConnection, products: &[i64]) -> QueryResult<()> {
    let created_at = now();
    for chunk in products.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|product| {
                (
                    search_outbox::product_id.eq(*product),
                    search_outbox::created_at.eq(created_at),
                )
            })
            .collect();
        on_backend!(&mut *conn, |c| diesel::insert_into(search_outbox::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(())
}

/// Queues every product of an organisation (its status changed, or its name).
pub fn enqueue_organisation(conn: &mut DbConnection, org: i64) -> QueryResult<()> {
    let ids: Vec<i64> = products::table
        .filter(products::organisation_id.eq(org))
        .select(products::id)
        .order(products::id.asc())
        .load(conn)?;
    enqueue_search_all(conn, &ids)
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
