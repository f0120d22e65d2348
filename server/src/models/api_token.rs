use diesel::prelude::*;
use serde::Serialize;

use super::now;
use crate::db::schema::api_tokens;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    #[serde(skip)]
    pub user_id: i64,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: chrono::NaiveDateTime,
    pub last_used_at: Option<chrono::NaiveDateTime>,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewApiToken) -> QueryResult<ApiToken> {
    // RETURNING of whole rows is not portable across MultiBackend; ids are.
    let id = diesel::insert_into(api_tokens::table)
        .values(new)
        .returning(api_tokens::id)
        .get_result::<i64>(conn)?;
    api_tokens::table
        .find(id)
        .select(ApiToken::as_select())
        .first(conn)
}

pub fn find_live(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .optional()
}

pub fn of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .select(ApiToken::as_select())
        .order(api_tokens::created_at.desc())
        .load(conn)
}

pub fn mark_used(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(Some(now())))
        .execute(conn)
        .map(|_| ())
}

/// Revokes a token of this user; returns false when the user has no such live token.
pub fn revoke(conn: &mut DbConnection, id: i64, user_id: i64) -> QueryResult<bool> {
    let n = diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now())))
    .execute(conn)?;
    Ok(n > 0)
}

pub fn revoke_all_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now())))
    .execute(conn)
}
