//! Which customs administrations a right holder may put on its share list, and which it has.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::organisation;
use crate::models::product as rows;
use crate::models::{OrgKind, OrgStatus};

#[derive(Serialize, ToSchema)]
pub struct Administration {
    pub id: i64,
    pub name: String,
    pub country: String,
    /// On the right holder's share list.
    pub shared: bool,
}

/// Every verified customs administration, by country and name, marked when on the
/// share list of `right_holder`.
pub fn candidates(
    conn: &mut DbConnection,
    right_holder: i64,
) -> Result<Vec<Administration>, AppError> {
    let shared = rows::share_list_of(conn, right_holder)?;
    let mut all: Vec<Administration> =
        organisation::list(conn, Some(OrgStatus::Verified), Some(OrgKind::Customs))?
            .into_iter()
            .map(|o| Administration {
                shared: shared.contains(&o.id),
                id: o.id,
                name: o.name,
                country: o.country,
            })
            .collect();
    all.sort_by(|a, b| (&a.country, &a.name).cmp(&(&b.country, &b.name)));
    Ok(all)
}
