//! E-mails waiting to be sent. A row is written in the transaction of the change it
//! tells about; the mailer task sends it, retrying with a growing wait.

use diesel::prelude::*;

use super::now;
use crate::db::schema::email_outbox;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct EmailRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub sent_at: Option<chrono::NaiveDateTime>,
    pub failed_at: Option<chrono::NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

pub fn enqueue(
    conn: &mut DbConnection,
    recipient: &str,
    subject: &str,
    body: &str,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::recipient.eq(recipient),
            email_outbox::subject.eq(subject),
            email_outbox::body.eq(body),
            email_outbox::next_attempt_at.eq(at),
            email_outbox::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// E-mails due now, oldest first.
pub fn due(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<EmailRow>> {
    email_outbox::table
        .filter(email_outbox::sent_at.is_null())
        .filter(email_outbox::failed_at.is_null())
        .filter(email_outbox::next_attempt_at.le(now()))
        .select(EmailRow::as_select())
        .order(email_outbox::id.asc())
        .limit(limit)
        .load(conn)
}

/// Takes an e-mail for `lease` so that another app node does not send it too; false
/// when another node took it first.
pub fn claim(
    conn: &mut DbConnection,
    row: &EmailRow,
    lease: chrono::Duration,
) -> QueryResult<bool> {
    let changed = diesel::update(
        email_outbox::table
            .find(row.id)
            .filter(email_outbox::next_attempt_at.eq(row.next_attempt_at))
            .filter(email_outbox::sent_at.is_null()),
    )
    .set(email_outbox::next_attempt_at.eq(now() + lease))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn mark_sent(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(email_outbox::table.find(id))
        .set(email_outbox::sent_at.eq(Some(now())))
        .execute(conn)
        .map(|_| ())
}

/// Records a failed try: again after `retry_in`, or never when `give_up`.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    error: &str,
    retry_in: chrono::Duration,
    give_up: bool,
) -> QueryResult<()> {
    let at = now();
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::attempts.eq(email_outbox::attempts + 1),
            email_outbox::last_error.eq(Some(error)),
            email_outbox::next_attempt_at.eq(at + retry_in),
            email_outbox::failed_at.eq(give_up.then_some(at)),
        ))
        .execute(conn)
        .map(|_| ())
}
