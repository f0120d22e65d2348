use diesel::prelude::*;
use serde::Serialize;

use super::now;
use crate::db::schema::audit_log;
use crate::db::{on_backend, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_user_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

/// Who did something and from where; passed to every state-changing service call.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub ip: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct NewAuditEntry<'a> {
    actor_user_id: Option<i64>,
    organisation_id: Option<i64>,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
    ip: Option<&'a str>,
    created_at: chrono::NaiveDateTime,
}

/// Writes one audit row; call it inside the transaction of the change it records.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: &str,
) -> QueryResult<()> {
    record_all(conn, actor, &[(action, target, detail)])
}

/// Writes audit rows of one actor, in this order, each (action, target, detail); call it
/// inside the transaction of the changes it records.
pub fn record_all(
    conn: &mut DbConnection,
    actor: &Actor,
    entries: &[(&str, &str, &str)],
) -> QueryResult<()> {
    let created_at = now();
    // Small enough chunks for any backend's limit on bind parameters (7 a row).
    for chunk in entries.chunks(1000) {
        let rows: Vec<NewAuditEntry> = chunk
            .iter()
            .map(|(action, target, detail)| NewAuditEntry {
                actor_user_id: actor.user_id,
                organisation_id: actor.organisation_id,
                action,
                target,
                detail,
                ip: actor.ip.as_deref(),
                created_at,
            })
            .collect();
        on_backend!(&mut *conn, |c| diesel::insert_into(audit_log::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .select(AuditEntry::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .load(conn)
}
