//! In-app notifications, one row per user, read or unread.

use diesel::prelude::*;

use super::now;
use crate::db::schema::notifications;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub notice_id: Option<i64>,
    pub message: String,
    pub link: String,
    pub read_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    user_id: i64,
    notice_id: Option<i64>,
    message: &str,
    link: &str,
) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(user_id),
            notifications::notice_id.eq(notice_id),
            notifications::message.eq(message),
            notifications::link.eq(link),
            notifications::created_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A user's notifications, unread first, then newest first.
pub fn of_user(
    conn: &mut DbConnection,
    user_id: i64,
    limit: i64,
) -> QueryResult<Vec<NotificationRow>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .select(NotificationRow::as_select())
        .order((
            notifications::read_at.is_not_null(),
            notifications::id.desc(),
        ))
        .limit(limit)
        .load(conn)
}

pub fn unread_count(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks one of the user's notifications read; false when it is not theirs.
pub fn mark_read(conn: &mut DbConnection, user_id: i64, id: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::user_id.eq(user_id)),
    )
    .set(notifications::read_at.eq(Some(now())))
    .execute(conn)?;
    Ok(changed > 0)
}

pub fn mark_all_read(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now())))
    .execute(conn)
}

/// Reading a notice marks the user's notifications about it read.
pub fn mark_notice_read(conn: &mut DbConnection, user_id: i64, notice_id: i64) -> QueryResult<()> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::notice_id.eq(notice_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now())))
    .execute(conn)
    .map(|_| ())
}
