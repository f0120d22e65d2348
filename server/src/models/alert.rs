//! Alerts on counterfeit trends, the countries and products they concern, and their photos.

use diesel::prelude::*;

use super::lower;
use crate::db::schema::{alert_countries, alert_images, alert_products, alerts, organisations};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = alerts)]
pub struct AlertRow {
    pub id: i64,
    pub organisation_id: i64,
    pub title: String,
    pub body: String,
    pub severity: i32,
    pub valid_until: chrono::NaiveDate,
    pub withdrawn_at: Option<chrono::NaiveDateTime>,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl AlertRow {
    /// Shown to officers: not withdrawn and not past its last day.
    pub fn is_current(&self, today: chrono::NaiveDate) -> bool {
        self.withdrawn_at.is_none() && self.valid_until >= today
    }
}

#[derive(Insertable)]
#[diesel(table_name = alerts)]
pub struct NewAlert<'a> {
    pub organisation_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub severity: i32,
    pub valid_until: chrono::NaiveDate,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The fields an edit changes.
#[derive(AsChangeset)]
#[diesel(table_name = alerts)]
pub struct AlertChanges<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub severity: i32,
    pub valid_until: chrono::NaiveDate,
    pub updated_by: Option<i64>,
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alert_images)]
pub struct AlertImageRow {
    pub id: i64,
    pub alert_id: i64,
    pub caption: String,
    pub position: i32,
    pub display_sha256: String,
    pub thumb_sha256: String,
    pub width: i32,
    pub height: i32,
}

#[derive(Insertable)]
#[diesel(table_name = alert_images)]
pub struct NewAlertImage<'a> {
    pub alert_id: i64,
    pub caption: &'a str,
    pub position: i32,
    pub display_sha256: &'a str,
    pub thumb_sha256: &'a str,
    pub width: i32,
    pub height: i32,
    pub created_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewAlert) -> QueryResult<i64> {
    diesel::insert_into(alerts::table)
        .values(new)
        .returning(alerts::id)
        .get_result(conn)
}

pub fn update(conn: &mut DbConnection, id: i64, changes: &AlertChanges) -> QueryResult<()> {
    diesel::update(alerts::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

pub fn withdraw(conn: &mut DbConnection, id: i64, at: chrono::NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        alerts::table
            .find(id)
            .filter(alerts::withdrawn_at.is_null()),
    )
    .set((alerts::withdrawn_at.eq(Some(at)), alerts::updated_at.eq(at)))
    .execute(conn)
    .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<AlertRow> {
    alerts::table
        .find(id)
        .select(AlertRow::as_select())
        .first(conn)
}

/// Replaces the countries an alert concerns (none: every country).
pub fn set_countries(conn: &mut DbConnection, id: i64, countries: &[String]) -> QueryResult<()> {
    diesel::delete(alert_countries::table.filter(alert_countries::alert_id.eq(id)))
        .execute(conn)?;
    for country in countries {
        diesel::insert_into(alert_countries::table)
            .values((
                alert_countries::alert_id.eq(id),
                alert_countries::country.eq(country),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the products an alert concerns.
pub fn set_products(conn: &mut DbConnection, id: i64, products: &[i64]) -> QueryResult<()> {
    diesel::delete(alert_products::table.filter(alert_products::alert_id.eq(id))).execute(conn)?;
    for product in products {
        diesel::insert_into(alert_products::table)
            .values((
                alert_products::alert_id.eq(id),
                alert_products::product_id.eq(product),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn countries_of(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    alert_countries::table
        .filter(alert_countries::alert_id.eq(id))
        .select(alert_countries::country)
        .order(alert_countries::country.asc())
        .load(conn)
}

pub fn products_of(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
    alert_products::table
        .filter(alert_products::alert_id.eq(id))
        .select(alert_products::product_id)
        .order(alert_products::product_id.asc())
        .load(conn)
}

pub fn images_of(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<AlertImageRow>> {
    alert_images::table
        .filter(alert_images::alert_id.eq(id))
        .select(AlertImageRow::as_select())
        .order((alert_images::position.asc(), alert_images::id.asc()))
        .load(conn)
}

pub fn add_image(conn: &mut DbConnection, new: &NewAlertImage) -> QueryResult<i64> {
    diesel::insert_into(alert_images::table)
        .values(new)
        .returning(alert_images::id)
        .get_result(conn)
}

/// Removes one photo of an alert; false when the alert has no such photo.
pub fn remove_image(conn: &mut DbConnection, alert_id: i64, image_id: i64) -> QueryResult<bool> {
    diesel::delete(
        alert_images::table
            .filter(alert_images::id.eq(image_id))
            .filter(alert_images::alert_id.eq(alert_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// Every alert of a right holder, newest first, current or not.
pub fn of_organisation(conn: &mut DbConnection, org_id: i64) -> QueryResult<Vec<AlertRow>> {
    alerts::table
        .filter(alerts::organisation_id.eq(org_id))
        .select(AlertRow::as_select())
        .order((alerts::created_at.desc(), alerts::id.desc()))
        .load(conn)
}

/// What an officer's alert list asks for.
pub struct CurrentQuery<'a> {
    /// The officer's administration's country.
    pub country: &'a str,
    pub today: chrono::NaiveDate,
    /// Words that must all appear in the title or the text, ignoring case.
    pub words: &'a [String],
    /// Only alerts at least this severe.
    pub min_severity: i32,
    /// Only alerts about this product.
    pub product_id: Option<i64>,
    pub limit: i64,
}

/// Current alerts of verified right holders for one country and the global ones, most
/// severe first, then newest.
pub fn current_for(conn: &mut DbConnection, query: &CurrentQuery) -> QueryResult<Vec<AlertRow>> {
    let verified = organisations::table
        .filter(organisations::status.eq("verified"))
        .select(organisations::id);
    let for_country = alert_countries::table
        .filter(alert_countries::country.eq(query.country.to_string()))
        .select(alert_countries::alert_id);
    let with_countries = alert_countries::table.select(alert_countries::alert_id);
    let mut q = alerts::table
        .filter(alerts::withdrawn_at.is_null())
        .filter(alerts::valid_until.ge(query.today))
        .filter(alerts::severity.ge(query.min_severity))
        .filter(alerts::organisation_id.eq_any(verified))
        .filter(
            alerts::id
                .eq_any(for_country)
                .or(diesel::dsl::not(alerts::id.eq_any(with_countries))),
        )
        .into_boxed();
    for word in query.words {
        let pattern = format!("%{}%", escape_like(&word.to_lowercase()));
        q = q.filter(
            lower(alerts::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(alerts::body).like(pattern).escape('\\')),
        );
    }
    if let Some(product) = query.product_id {
        q = q.filter(
            alerts::id.eq_any(
                alert_products::table
                    .filter(alert_products::product_id.eq(product))
                    .select(alert_products::alert_id),
            ),
        );
    }
    q.select(AlertRow::as_select())
        .order((
            alerts::severity.desc(),
            alerts::created_at.desc(),
            alerts::id.desc(),
        ))
        .limit(query.limit)
        .load(conn)
}

/// LIKE treats `%` and `_` as wildcards; a search for them means the characters.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// True when an alert photo uses this stored file.
pub fn image_file_in_use(conn: &mut DbConnection, sha: &str) -> QueryResult<bool> {
    use diesel::dsl::count_star;
    let n: i64 = alert_images::table
        .filter(
            alert_images::display_sha256
                .eq(sha)
                .or(alert_images::thumb_sha256.eq(sha)),
        )
        .select(count_star())
        .first(conn)?;
    Ok(n > 0)
}

/// Every stored file an alert photo names (display copies and thumbnails).
pub fn image_files(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    alert_images::table
        .select((alert_images::display_sha256, alert_images::thumb_sha256))
        .load(conn)
}

/// A product an alert concerns, as lists show it.
#[derive(Debug, Clone, Queryable)]
pub struct AlertProduct {
    pub id: i64,
    pub brand: String,
    pub name: String,
    pub status: String,
}

/// The products an alert concerns, with their brand, by name.
pub fn named_products_of(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<AlertProduct>> {
    use crate::db::schema::{brands, products};
    alert_products::table
        .inner_join(products::table.inner_join(brands::table))
        .filter(alert_products::alert_id.eq(id))
        .select((products::id, brands::name, products::name, products::status))
        .order((brands::name.asc(), products::name.asc()))
        .load(conn)
}

/// Which of these products belong to the organisation.
pub fn own_products(conn: &mut DbConnection, org_id: i64, ids: &[i64]) -> QueryResult<Vec<i64>> {
    use crate::db::schema::products;
    products::table
        .filter(products::organisation_id.eq(org_id))
        .filter(products::id.eq_any(ids))
        .select(products::id)
        .load(conn)
}

/// (reference, id) of the organisation's products with these references.
pub fn products_by_reference(
    conn: &mut DbConnection,
    org_id: i64,
    references: &[String],
) -> QueryResult<Vec<(String, i64)>> {
    use crate::db::schema::products;
    products::table
        .filter(products::organisation_id.eq(org_id))
        .filter(products::reference.eq_any(references))
        .select((products::reference, products::id))
        .load(conn)
}

/// The references of the products an alert concerns, in order.
pub fn product_references_of(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    use crate::db::schema::products;
    alert_products::table
        .inner_join(products::table)
        .filter(alert_products::alert_id.eq(id))
        .select(products::reference)
        .order(products::reference.asc())
        .load(conn)
}
