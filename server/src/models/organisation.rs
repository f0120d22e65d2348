use diesel::prelude::*;
use serde::Serialize;

use super::{now, OrgKind, OrgStatus};
use crate::db::schema::organisations;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub country: String,
    pub website: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub verified_by: Option<i64>,
    pub verified_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
}

impl Organisation {
    pub fn kind(&self) -> OrgKind {
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::RightHolder)
    }

    pub fn status(&self) -> OrgStatus {
        OrgStatus::parse(&self.status).unwrap_or(OrgStatus::Suspended)
    }

    /// Members of a suspended or rejected organisation cannot sign in; members of a
    /// pending right holder can, to see that they are waiting.
    pub fn allows_sign_in(&self) -> bool {
        matches!(self.status(), OrgStatus::Verified | OrgStatus::Pending)
    }
}

#[derive(Insertable)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub country: &'a str,
    pub website: Option<&'a str>,
    pub status: &'a str,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewOrganisation) -> QueryResult<Organisation> {
    // RETURNING of whole rows is not portable across MultiBackend; ids are.
    let id = diesel::insert_into(organisations::table)
        .values(new)
        .returning(organisations::id)
        .get_result::<i64>(conn)?;
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Organisation> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
}

/// The organisations with these ids (those that exist).
pub fn find_all(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(Organisation::as_select())
        .load(conn)
}

pub fn find_platform(conn: &mut DbConnection) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::kind.eq(OrgKind::Platform.as_str()))
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    status: Option<OrgStatus>,
    kind: Option<OrgKind>,
) -> QueryResult<Vec<Organisation>> {
    let mut query = organisations::table
        .select(Organisation::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(organisations::status.eq(status.as_str()));
    }
    if let Some(kind) = kind {
        query = query.filter(organisations::kind.eq(kind.as_str()));
    }
    query
        .order((organisations::created_at.desc(), organisations::id.desc()))
        .load(conn)
}

pub fn set_status(
    conn: &mut DbConnection,
    id: i64,
    status: OrgStatus,
    reason: Option<&str>,
    actor: Option<i64>,
) -> QueryResult<()> {
    let verified = status == OrgStatus::Verified;
    diesel::update(organisations::table.find(id))
        .set((
            organisations::status.eq(status.as_str()),
            organisations::status_reason.eq(reason),
        ))
        .execute(conn)?;
    if verified {
        diesel::update(organisations::table.find(id))
            .set((
                organisations::verified_by.eq(actor),
                organisations::verified_at.eq(Some(now())),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn name_taken(conn: &mut DbConnection, kind: OrgKind, name: &str) -> QueryResult<bool> {
    use diesel::dsl::count_star;
    let n: i64 = organisations::table
        .filter(organisations::kind.eq(kind.as_str()))
        .filter(organisations::name.eq(name))
        .select(count_star())
        .first(conn)?;
    Ok(n > 0)
}
