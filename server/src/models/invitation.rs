use diesel::prelude::*;

use super::now;
use crate::db::schema::invitations;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub token_hash: String,
    pub organisation_id: i64,
    pub email: String,
    pub role: String,
    pub invited_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
    pub accepted_at: Option<chrono::NaiveDateTime>,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

impl Invitation {
    pub fn is_usable(&self) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none() && self.expires_at > now()
    }
}

#[derive(Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation<'a> {
    pub token_hash: &'a str,
    pub organisation_id: i64,
    pub email: &'a str,
    pub role: &'a str,
    pub invited_by: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewInvitation) -> QueryResult<Invitation> {
    // RETURNING of whole rows is not portable across MultiBackend; ids are.
    let id = diesel::insert_into(invitations::table)
        .values(new)
        .returning(invitations::id)
        .get_result::<i64>(conn)?;
    invitations::table
        .find(id)
        .select(Invitation::as_select())
        .first(conn)
}

pub fn find_by_token_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

pub fn pending_for(conn: &mut DbConnection, organisation_id: i64) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::organisation_id.eq(organisation_id))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(now()))
        .select(Invitation::as_select())
        .order(invitations::created_at.desc())
        .load(conn)
}

pub fn mark_accepted(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(invitations::table.find(id))
        .set(invitations::accepted_at.eq(Some(now())))
        .execute(conn)
        .map(|_| ())
}

pub fn revoke(conn: &mut DbConnection, id: i64, organisation_id: i64) -> QueryResult<usize> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::organisation_id.eq(organisation_id)),
    )
    .set(invitations::revoked_at.eq(Some(now())))
    .execute(conn)
}
