//! Suspect-goods notices, their messages and attachments.

use diesel::prelude::*;

use super::now;
use crate::db::schema::{notice_attachments, notice_messages, notices};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = notices)]
pub struct NoticeRow {
    pub id: i64,
    pub reference: String,
    pub administration_id: i64,
    pub sender_id: i64,
    pub right_holder_id: i64,
    pub product_id: Option<i64>,
    pub brand: String,
    pub product_description: String,
    pub office: String,
    pub found_on: chrono::NaiveDate,
    pub quantity: i32,
    pub transport_mode: String,
    pub origin_country: String,
    pub codes_seen: String,
    pub description: String,
    pub perishable: bool,
    pub deadline_at: chrono::NaiveDateTime,
    pub status: String,
    pub verdict: Option<String>,
    pub outcome: Option<String>,
    pub answered_at: Option<chrono::NaiveDateTime>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl NoticeRow {
    /// Still waiting for the right holder past its deadline.
    pub fn is_overdue(&self) -> bool {
        self.status == "open" && now() > self.deadline_at
    }
}

#[derive(Insertable)]
#[diesel(table_name = notices)]
pub struct NewNotice<'a> {
    pub reference: &'a str,
    pub administration_id: i64,
    pub sender_id: i64,
    pub right_holder_id: i64,
    pub product_id: Option<i64>,
    pub brand: &'a str,
    pub product_description: &'a str,
    pub office: &'a str,
    pub found_on: chrono::NaiveDate,
    pub quantity: i32,
    pub transport_mode: &'a str,
    pub origin_country: &'a str,
    pub codes_seen: &'a str,
    pub description: &'a str,
    pub perishable: bool,
    pub deadline_at: chrono::NaiveDateTime,
    pub status: &'a str,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// Inserts a notice and gives it its reference number, `TS-<year>-<id>`.
pub fn insert(conn: &mut DbConnection, new: &NewNotice) -> QueryResult<NoticeRow> {
    let id = diesel::insert_into(notices::table)
        .values(new)
        .returning(notices::id)
        .get_result::<i64>(conn)?;
    let reference = format!("TS-{}-{id:06}", new.created_at.format("%Y"));
    diesel::update(notices::table.find(id))
        .set(notices::reference.eq(&reference))
        .execute(conn)?;
    find(conn, id)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<NoticeRow> {
    notices::table
        .find(id)
        .select(NoticeRow::as_select())
        .first(conn)
}

/// Every notice of a customs administration, newest first.
pub fn of_administration(conn: &mut DbConnection, org_id: i64) -> QueryResult<Vec<NoticeRow>> {
    notices::table
        .filter(notices::administration_id.eq(org_id))
        .select(NoticeRow::as_select())
        .order(notices::id.desc())
        .load(conn)
}

/// Every notice sent to a right holder, by deadline.
pub fn of_right_holder(conn: &mut DbConnection, org_id: i64) -> QueryResult<Vec<NoticeRow>> {
    notices::table
        .filter(notices::right_holder_id.eq(org_id))
        .select(NoticeRow::as_select())
        .order((notices::deadline_at.asc(), notices::id.asc()))
        .load(conn)
}

/// The notices sent to a right holder since a moment, oldest first.
pub fn of_right_holder_since(
    conn: &mut DbConnection,
    org_id: i64,
    since: chrono::NaiveDateTime,
) -> QueryResult<Vec<NoticeRow>> {
    notices::table
        .filter(notices::right_holder_id.eq(org_id))
        .filter(notices::created_at.ge(since))
        .select(NoticeRow::as_select())
        .order(notices::id.asc())
        .load(conn)
}

/// Records activity on a notice. As the first statement of a transaction it also takes
/// SQLite's write lock before anything is read, so that a write committed meanwhile by
/// another connection (the mailer, say) cannot make the transaction fail as busy.
pub fn touch(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(notices::table.find(id))
        .set(notices::updated_at.eq(now()))
        .execute(conn)
        .map(|_| ())
}

/// The right holder gave a verdict: the notice is answered.
pub fn set_verdict(conn: &mut DbConnection, id: i64, verdict: &str) -> QueryResult<()> {
    let at = now();
    diesel::update(notices::table.find(id))
        .set((
            notices::verdict.eq(Some(verdict)),
            notices::status.eq("answered"),
            notices::answered_at.eq(Some(at)),
            notices::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The right holder wrote in the thread: an open notice becomes answered.
pub fn mark_answered(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    let at = now();
    diesel::update(notices::table.find(id).filter(notices::status.eq("open")))
        .set((
            notices::status.eq("answered"),
            notices::answered_at.eq(Some(at)),
            notices::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_outcome(conn: &mut DbConnection, id: i64, outcome: &str) -> QueryResult<()> {
    diesel::update(notices::table.find(id))
        .set((
            notices::outcome.eq(Some(outcome)),
            notices::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn close(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    let at = now();
    diesel::update(notices::table.find(id))
        .set((
            notices::status.eq("closed"),
            notices::closed_at.eq(Some(at)),
            notices::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notice_messages)]
pub struct MessageRow {
    pub id: i64,
    pub notice_id: i64,
    pub author_id: i64,
    pub organisation_id: i64,
    pub body: String,
    pub created_at: chrono::NaiveDateTime,
}

pub fn add_message(
    conn: &mut DbConnection,
    notice_id: i64,
    author_id: i64,
    organisation_id: i64,
    body: &str,
) -> QueryResult<i64> {
    diesel::insert_into(notice_messages::table)
        .values((
            notice_messages::notice_id.eq(notice_id),
            notice_messages::author_id.eq(author_id),
            notice_messages::organisation_id.eq(organisation_id),
            notice_messages::body.eq(body),
            notice_messages::created_at.eq(now()),
        ))
        .returning(notice_messages::id)
        .get_result(conn)
}

pub fn messages_of(conn: &mut DbConnection, notice_id: i64) -> QueryResult<Vec<MessageRow>> {
    notice_messages::table
        .filter(notice_messages::notice_id.eq(notice_id))
        .select(MessageRow::as_select())
        .order(notice_messages::id.asc())
        .load(conn)
}

/// The authors who wrote in a notice's thread.
pub fn authors_of(conn: &mut DbConnection, notice_id: i64) -> QueryResult<Vec<i64>> {
    notice_messages::table
        .filter(notice_messages::notice_id.eq(notice_id))
        .select(notice_messages::author_id)
        .distinct()
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notice_attachments)]
pub struct AttachmentRow {
    pub id: i64,
    pub notice_id: i64,
    pub message_id: Option<i64>,
    pub display_sha256: String,
    pub thumb_sha256: String,
    pub width: i32,
    pub height: i32,
    pub created_by: i64,
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = notice_attachments)]
pub struct NewAttachment<'a> {
    pub notice_id: i64,
    pub message_id: Option<i64>,
    pub display_sha256: &'a str,
    pub thumb_sha256: &'a str,
    pub width: i32,
    pub height: i32,
    pub created_by: i64,
    pub created_at: chrono::NaiveDateTime,
}

pub fn add_attachment(conn: &mut DbConnection, new: &NewAttachment) -> QueryResult<()> {
    diesel::insert_into(notice_attachments::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn attachments_of(conn: &mut DbConnection, notice_id: i64) -> QueryResult<Vec<AttachmentRow>> {
    notice_attachments::table
        .filter(notice_attachments::notice_id.eq(notice_id))
        .select(AttachmentRow::as_select())
        .order(notice_attachments::id.asc())
        .load(conn)
}

/// True when a notice attachment uses this stored file.
pub fn attachment_file_in_use(conn: &mut DbConnection, sha: &str) -> QueryResult<bool> {
    use diesel::dsl::count_star;
    let n: i64 = notice_attachments::table
        .filter(
            notice_attachments::display_sha256
                .eq(sha)
                .or(notice_attachments::thumb_sha256.eq(sha)),
        )
        .select(count_star())
        .first(conn)?;
    Ok(n > 0)
}

/// Every stored file a notice attachment names (display copies and thumbnails).
pub fn attachment_files(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    notice_attachments::table
        .select((
            notice_attachments::display_sha256,
            notice_attachments::thumb_sha256,
        ))
        .load(conn)
}
