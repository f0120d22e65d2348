use diesel::prelude::*;
use serde::Serialize;

use super::{now, Role};
use crate::db::schema::{sessions, users};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub language: String,
    pub disabled: bool,
    pub must_change_password: bool,
    pub failed_signins: i32,
    pub locked_until: Option<chrono::NaiveDateTime>,
    pub last_signin_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
}

impl User {
    pub fn role(&self) -> Role {
        // The column has a CHECK constraint; an unknown value would be a bug, and the
        // least-privileged reading is the safe one.
        Role::parse(&self.role).unwrap_or(Role::Responder)
    }

    pub fn is_locked(&self) -> bool {
        self.locked_until.is_some_and(|until| until > now())
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub organisation_id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub language: &'a str,
    pub must_change_password: bool,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewUser) -> QueryResult<User> {
    // RETURNING of whole rows is not portable across MultiBackend; ids are.
    let id = diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result::<i64>(conn)?;
    users::table.find(id).select(User::as_select()).first(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

/// Looks a user up by e-mail, ignoring case (e-mails are stored lower-cased).
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn members_of(conn: &mut DbConnection, organisation_id: i64) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::organisation_id.eq(organisation_id))
        .select(User::as_select())
        .order((users::name.asc(), users::id.asc()))
        .load(conn)
}

pub fn record_failed_signin(
    conn: &mut DbConnection,
    user: &User,
    threshold: u32,
    lock_minutes: u32,
) -> QueryResult<()> {
    let failures = user.failed_signins + 1;
    if failures >= threshold as i32 {
        let until = now() + chrono::Duration::minutes(i64::from(lock_minutes));
        diesel::update(users::table.find(user.id))
            .set((
                users::failed_signins.eq(0),
                users::locked_until.eq(Some(until)),
            ))
            .execute(conn)?;
    } else {
        diesel::update(users::table.find(user.id))
            .set(users::failed_signins.eq(failures))
            .execute(conn)?;
    }
    Ok(())
}

pub fn record_signin(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::failed_signins.eq(0),
            users::locked_until.eq(None::<chrono::NaiveDateTime>),
            users::last_signin_at.eq(Some(now())),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_password(conn: &mut DbConnection, user_id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::must_change_password.eq(false),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_role(conn: &mut DbConnection, user_id: i64, role: Role) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::role.eq(role.as_str()))
        .execute(conn)
        .map(|_| ())
}

pub fn set_disabled(conn: &mut DbConnection, user_id: i64, disabled: bool) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::disabled.eq(disabled))
        .execute(conn)
        .map(|_| ())
}

pub fn set_profile(
    conn: &mut DbConnection,
    user_id: i64,
    name: &str,
    language: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((users::name.eq(name), users::language.eq(language)))
        .execute(conn)
        .map(|_| ())
}

/// Ends every open session of a user, except `keep` (the one making a password change).
pub fn revoke_sessions(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<i64>,
) -> QueryResult<usize> {
    let open = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::id.ne(keep.unwrap_or(-1)));
    diesel::update(open)
        .set(sessions::revoked_at.eq(Some(now())))
        .execute(conn)
}
