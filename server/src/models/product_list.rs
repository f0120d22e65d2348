//! The right holder's own product list: filtered, paged, with the total, and the
//! organisation's brands for the filter.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::lower;
use super::product::ProductRow;
use crate::db::schema::{brands, products};
use crate::db::DbConnection;

/// Filters of the product list; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Part of the name, reference or brand.
    pub text: String,
    pub status: String,
    pub brand_id: Option<i64>,
    /// Only records last reviewed (or, never reviewed, created) before this date.
    pub reviewed_before: Option<chrono::NaiveDate>,
}

type Db = <DbConnection as diesel::Connection>::Backend;
type Filtered<'a> =
    diesel::dsl::IntoBoxed<'a, diesel::dsl::InnerJoin<products::table, brands::table>, Db>;

fn filtered(org: i64, query: &ListQuery) -> Filtered<'static> {
    let mut q = products::table
        .inner_join(brands::table)
        .filter(products::organisation_id.eq(org))
        .into_boxed();
    if !query.status.is_empty() {
        q = q.filter(products::status.eq(query.status.clone()));
    }
    if let Some(brand) = query.brand_id {
        q = q.filter(products::brand_id.eq(brand));
    }
    let text = query.text.trim();
    if !text.is_empty() {
        // LIKE wildcards typed by the user are matched literally by dropping them.
        let pattern = format!("%{}%", text.replace(['%', '_'], "").to_lowercase());
        q = q.filter(
            lower(products::name)
                .like(pattern.clone())
                .or(lower(products::reference).like(pattern.clone()))
                .or(lower(brands::name).like(pattern)),
        );
    }
    if let Some(cutoff) = query.reviewed_before {
        let midnight = cutoff.and_time(chrono::NaiveTime::MIN);
        q = q.filter(
            products::last_reviewed_on
                .lt(cutoff)
                .or(products::last_reviewed_on
                    .is_null()
                    .and(products::created_at.lt(midnight))),
        );
    }
    q
}

/// One page of the organisation's products (most recently changed first) and how many
/// match in all.
pub fn page(
    conn: &mut DbConnection,
    org: i64,
    query: &ListQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<(ProductRow, String)>, i64)> {
    let total = filtered(org, query).select(count_star()).first(conn)?;
    let rows = filtered(org, query)
        .select((ProductRow::as_select(), brands::name))
        .order((products::updated_at.desc(), products::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// The organisation's brands, by name.
pub fn brands_of(conn: &mut DbConnection, org: i64) -> QueryResult<Vec<(i64, String)>> {
    brands::table
        .filter(brands::organisation_id.eq(org))
        .select((brands::id, brands::name))
        .order(brands::name.asc())
        .load(conn)
}
