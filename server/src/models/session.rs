use diesel::prelude::*;

use super::now;
use crate::db::schema::sessions;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub last_seen_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: chrono::NaiveDateTime,
    pub last_seen_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewSession) -> QueryResult<Session> {
    // RETURNING of whole rows is not portable across MultiBackend; ids are.
    let id = diesel::insert_into(sessions::table)
        .values(new)
        .returning(sessions::id)
        .get_result::<i64>(conn)?;
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(conn)
}

/// The live (not revoked, not expired) session with this token hash.
pub fn find_live(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<Session>> {
    sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .select(Session::as_select())
        .first(conn)
        .optional()
}

/// Slides the idle expiry forward.
pub fn touch(conn: &mut DbConnection, id: i64, idle_hours: u32) -> QueryResult<()> {
    let at = now();
    diesel::update(sessions::table.find(id))
        .set((
            sessions::last_seen_at.eq(at),
            sessions::expires_at.eq(at + chrono::Duration::hours(i64::from(idle_hours))),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn revoke(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::revoked_at.eq(Some(now())))
        .execute(conn)
        .map(|_| ())
}
