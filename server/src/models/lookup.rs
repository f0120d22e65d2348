//! The look-up log: how many times officers of each administration opened a product's
//! guide, week by week. Nothing about the officer is kept.

use chrono::Datelike;
use diesel::prelude::*;

use crate::db::schema::{organisations, product_lookups, products};
use crate::db::DbConnection;

/// The Monday of the week a day falls in.
pub fn week_of(day: chrono::NaiveDate) -> chrono::NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Counts one look-up. An update first, then an insert for the week's first look-up; when
/// a concurrent request inserted the row meanwhile, the update is tried once more.
pub fn count(
    conn: &mut DbConnection,
    product_id: i64,
    administration_id: i64,
    week_start: chrono::NaiveDate,
) -> QueryResult<()> {
    let bump = |conn: &mut DbConnection| {
        diesel::update(
            product_lookups::table
                .filter(product_lookups::product_id.eq(product_id))
                .filter(product_lookups::administration_id.eq(administration_id))
                .filter(product_lookups::week_start.eq(week_start)),
        )
        .set(product_lookups::lookups.eq(product_lookups::lookups + 1))
        .execute(conn)
    };
    if bump(conn)? > 0 {
        return Ok(());
    }
    let inserted = diesel::insert_into(product_lookups::table)
        .values((
            product_lookups::product_id.eq(product_id),
            product_lookups::administration_id.eq(administration_id),
            product_lookups::week_start.eq(week_start),
            product_lookups::lookups.eq(1),
        ))
        .execute(conn);
    match inserted {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => bump(conn).map(|_| ()),
        other => other.map(|_| ()),
    }
}

/// One line of the log as a right holder reads it: the administration is shown by its
/// name and country.
#[derive(Debug, Clone, Queryable)]
pub struct LookupLine {
    pub product_id: i64,
    pub week_start: chrono::NaiveDate,
    pub administration: String,
    pub country: String,
    pub lookups: i32,
}

/// The look-ups of a right holder's products since `from` (a Monday).
pub fn of_right_holder(
    conn: &mut DbConnection,
    org_id: i64,
    from: chrono::NaiveDate,
) -> QueryResult<Vec<LookupLine>> {
    product_lookups::table
        .inner_join(products::table)
        .inner_join(
            organisations::table.on(organisations::id.eq(product_lookups::administration_id)),
        )
        .filter(products::organisation_id.eq(org_id))
        .filter(product_lookups::week_start.ge(from))
        .select((
            product_lookups::product_id,
            product_lookups::week_start,
            organisations::name,
            organisations::country,
            product_lookups::lookups,
        ))
        .order((
            product_lookups::week_start.asc(),
            product_lookups::product_id.asc(),
        ))
        .load(conn)
}

/// (id, brand, name) of the organisation's products among `ids`.
pub fn product_names(
    conn: &mut DbConnection,
    org_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String)>> {
    use crate::db::schema::brands;
    products::table
        .inner_join(brands::table)
        .filter(products::organisation_id.eq(org_id))
        .filter(products::id.eq_any(ids))
        .select((products::id, brands::name, products::name))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::week_of;
    use chrono::NaiveDate;

    #[test]
    fn weeks_start_on_monday() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for offset in 0..7 {
            assert_eq!(week_of(monday + chrono::Duration::days(offset)), monday);
        }
        assert_eq!(
            week_of(monday - chrono::Duration::days(1)),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
    }
}
