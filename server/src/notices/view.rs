//! Notices as the pages and the API show them.

use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

use super::{label, OUTCOMES, TRANSPORT_MODES, VERDICTS};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::notice::{self as rows, AttachmentRow, NoticeRow};
use crate::models::{organisation, user};

#[derive(Serialize, ToSchema)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
}

/// One line of a list of notices.
#[derive(Serialize, ToSchema)]
pub struct NoticeSummary {
    pub id: i64,
    pub reference: String,
    pub administration: String,
    pub right_holder: String,
    pub brand: String,
    pub product_description: String,
    pub office: String,
    /// open, answered or closed
    pub status: String,
    pub verdict: Option<String>,
    pub outcome: Option<String>,
    pub perishable: bool,
    /// UTC
    pub deadline_at: chrono::NaiveDateTime,
    /// Still open past its deadline.
    pub overdue: bool,
    pub created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub verdict_label: &'static str,
}

/// Organisation names, looked up once each.
#[derive(Default)]
pub struct Names {
    orgs: HashMap<i64, String>,
    users: HashMap<i64, String>,
}

impl Names {
    pub fn org(&mut self, conn: &mut DbConnection, id: i64) -> Result<String, AppError> {
        if let Some(name) = self.orgs.get(&id) {
            return Ok(name.clone());
        }
        let name = organisation::find(conn, id)?.name;
        self.orgs.insert(id, name.clone());
        Ok(name)
    }

    pub fn user(&mut self, conn: &mut DbConnection, id: i64) -> Result<String, AppError> {
        if let Some(name) = self.users.get(&id) {
            return Ok(name.clone());
        }
        let name = user::find(conn, id)?.name;
        self.users.insert(id, name.clone());
        Ok(name)
    }
}

impl NoticeSummary {
    pub fn of(
        conn: &mut DbConnection,
        names: &mut Names,
        n: &NoticeRow,
    ) -> Result<NoticeSummary, AppError> {
        Ok(NoticeSummary {
            id: n.id,
            reference: n.reference.clone(),
            administration: names.org(conn, n.administration_id)?,
            right_holder: names.org(conn, n.right_holder_id)?,
            brand: n.brand.clone(),
            product_description: n.product_description.clone(),
            office: n.office.clone(),
            status: n.status.clone(),
            verdict: n.verdict.clone(),
            outcome: n.outcome.clone(),
            perishable: n.perishable,
            deadline_at: n.deadline_at,
            overdue: n.is_overdue(),
            created_at: n.created_at,
            verdict_label: label(VERDICTS, n.verdict.as_deref().unwrap_or_default()),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub width: i32,
    pub height: i32,
    /// The re-encoded photo (at most 1600 px); only for the notice's two organisations.
    pub url: String,
    pub thumb_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub author: String,
    pub organisation: String,
    /// Written by the right holder (otherwise by the customs administration).
    pub from_right_holder: bool,
    pub body: String,
    pub created_at: chrono::NaiveDateTime,
    pub attachments: Vec<AttachmentView>,
}

/// A notice with its thread, as both sides see it.
#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    pub id: i64,
    pub reference: String,
    pub administration: OrgRef,
    pub sender: String,
    pub right_holder: OrgRef,
    /// The product of the guide the notice was sent from, if any.
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
    /// UTC
    pub deadline_at: chrono::NaiveDateTime,
    pub overdue: bool,
    /// open, answered or closed
    pub status: String,
    /// genuine, counterfeit, not_ours or need_info
    pub verdict: Option<String>,
    /// released, detained, destroyed or seized
    pub outcome: Option<String>,
    pub answered_at: Option<chrono::NaiveDateTime>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
    /// The photos sent with the notice.
    pub attachments: Vec<AttachmentView>,
    pub messages: Vec<MessageView>,
    #[serde(skip)]
    pub transport_label: &'static str,
    #[serde(skip)]
    pub verdict_label: &'static str,
    #[serde(skip)]
    pub outcome_label: &'static str,
}

fn attachment(prefix: &str, a: &AttachmentRow) -> AttachmentView {
    let base = format!("{prefix}/notices/{}/attachments/{}", a.notice_id, a.id);
    AttachmentView {
        id: a.id,
        width: a.width,
        height: a.height,
        url: format!("{base}/display"),
        thumb_url: format!("{base}/thumb"),
    }
}

impl NoticeView {
    /// `prefix` is `/api/v1` for the API and empty for the pages.
    pub fn build(
        conn: &mut DbConnection,
        n: NoticeRow,
        prefix: &str,
    ) -> Result<NoticeView, AppError> {
        let mut names = Names::default();
        let files = rows::attachments_of(conn, n.id)?;
        let of_message = |id: Option<i64>| -> Vec<AttachmentView> {
            files
                .iter()
                .filter(|a| a.message_id == id)
                .map(|a| attachment(prefix, a))
                .collect()
        };
        let mut messages = Vec::new();
        for m in rows::messages_of(conn, n.id)? {
            messages.push(MessageView {
                id: m.id,
                author: names.user(conn, m.author_id)?,
                organisation: names.org(conn, m.organisation_id)?,
                from_right_holder: m.organisation_id == n.right_holder_id,
                body: m.body,
                created_at: m.created_at,
                attachments: of_message(Some(m.id)),
            });
        }
        Ok(NoticeView {
            id: n.id,
            administration: OrgRef {
                id: n.administration_id,
                name: names.org(conn, n.administration_id)?,
            },
            sender: names.user(conn, n.sender_id)?,
            right_holder: OrgRef {
                id: n.right_holder_id,
                name: names.org(conn, n.right_holder_id)?,
            },
            overdue: n.is_overdue(),
            attachments: of_message(None),
            messages,
            transport_label: label(TRANSPORT_MODES, &n.transport_mode),
            verdict_label: label(VERDICTS, n.verdict.as_deref().unwrap_or_default()),
            outcome_label: label(OUTCOMES, n.outcome.as_deref().unwrap_or_default()),
            reference: n.reference,
            product_id: n.product_id,
            brand: n.brand,
            product_description: n.product_description,
            office: n.office,
            found_on: n.found_on,
            quantity: n.quantity,
            transport_mode: n.transport_mode,
            origin_country: n.origin_country,
            codes_seen: n.codes_seen,
            description: n.description,
            perishable: n.perishable,
            deadline_at: n.deadline_at,
            status: n.status,
            verdict: n.verdict,
            outcome: n.outcome,
            answered_at: n.answered_at,
            closed_at: n.closed_at,
            created_at: n.created_at,
        })
    }
}

/// The stored file of an attachment for `user`, or NotFound.
pub fn attachment_file(
    conn: &mut DbConnection,
    user: &crate::auth::CurrentUser,
    notice_id: i64,
    attachment_id: i64,
    size: &str,
) -> Result<String, AppError> {
    let thumb = match size {
        "thumb" => true,
        "display" => false,
        _ => return Err(AppError::not_found("That image size")),
    };
    super::load_for(conn, user, notice_id)?;
    let file = rows::attachments_of(conn, notice_id)?
        .into_iter()
        .find(|a| a.id == attachment_id)
        .ok_or_else(|| AppError::not_found("That photo"))?;
    Ok(if thumb {
        file.thumb_sha256
    } else {
        file.display_sha256
    })
}
