//! Telling everyone concerned about a change to a notice, at once: a notification in the
//! app, and an e-mail queued in the outbox (in the same transaction as the change) when
//! SMTP is configured.

use super::{label, OUTCOMES, VERDICTS};
use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::models::notice::{self as rows, NoticeRow};
use crate::models::user::{self, User};
use crate::models::{email_outbox, notification, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Sent,
    Message,
    Verdict,
    Outcome,
    Closed,
}

/// Who hears about what `actor` did: the right holder's responders and owners when the
/// customs side acts; the sender and the officers who wrote in the thread otherwise.
fn recipients(
    conn: &mut DbConnection,
    notice: &NoticeRow,
    actor: &CurrentUser,
) -> Result<Vec<User>, AppError> {
    let people = if actor.org.id == notice.right_holder_id {
        let authors = rows::authors_of(conn, notice.id)?;
        user::members_of(conn, notice.administration_id)?
            .into_iter()
            .filter(|u| u.id == notice.sender_id || authors.contains(&u.id))
            .collect::<Vec<_>>()
    } else {
        user::members_of(conn, notice.right_holder_id)?
            .into_iter()
            .filter(|u| matches!(u.role(), Role::Owner | Role::Responder))
            .collect()
    };
    Ok(people
        .into_iter()
        .filter(|u| !u.disabled && u.id != actor.user.id)
        .collect())
}

/// The sentence shown in the app and used as the e-mail's first line.
fn sentence(event: Event, notice: &NoticeRow, by: &str) -> String {
    let reference = &notice.reference;
    match event {
        Event::Sent => format!(
            "{by} sent suspect-goods notice {reference} about {} ({} held at {}); please answer by {} UTC.",
            notice.brand,
            notice.quantity,
            notice.office,
            notice.deadline_at.format("%Y-%m-%d %H:%M")
        ),
        Event::Message => format!("{by} wrote on notice {reference}."),
        Event::Verdict => format!(
            "{by} gave its verdict on notice {reference}: {}.",
            label(VERDICTS, notice.verdict.as_deref().unwrap_or_default())
        ),
        Event::Outcome => format!(
            "{by} recorded the outcome of notice {reference}: {}.",
            label(OUTCOMES, notice.outcome.as_deref().unwrap_or_default())
        ),
        Event::Closed => format!("{by} closed notice {reference}."),
    }
}

/// Records a notification for everyone concerned and, when `mail`, queues their e-mail;
/// `site` is the public address links in e-mails start with.
pub fn tell(
    conn: &mut DbConnection,
    notice: &NoticeRow,
    actor: &CurrentUser,
    event: Event,
    mail: bool,
    site: &str,
) -> Result<(), AppError> {
    let text = sentence(event, notice, &actor.org.name);
    let link = format!("/notices/{}", notice.id);
    let subject = format!("[Touchstone] {}: {}", notice.reference, notice.brand);
    let body = format!(
        "{text}\n\nOpen the notice: {}{link}\n\n-- \nTouchstone: you receive this because you \
         handle suspect-goods notices.\n",
        site.trim_end_matches('/')
    );
    for person in recipients(conn, notice, actor)? {
        notification::insert(conn, person.id, Some(notice.id), &text, &link)?;
        if mail {
            email_outbox::enqueue(conn, &person.email, &subject, &body)?;
        }
    }
    Ok(())
}
