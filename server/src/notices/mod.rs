//! Suspect-goods notices: an officer tells a right holder about goods held at the border,
//! the right holder answers in a thread and gives a verdict, the officer records the
//! outcome. A notice is seen only by its customs administration and its right holder.

pub mod mailer;
pub mod notify;
pub mod view;

use diesel::Connection;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::{secrets, CurrentUser};
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::images::ProcessedImage;
use crate::models::notice::{self as rows, NewAttachment, NewNotice, NoticeRow};
use crate::models::{audit, now, organisation, OrgKind, OrgStatus, Role};
use crate::products;
use notify::Event;

pub const TRANSPORT_MODES: &[(&str, &str)] = &[
    ("sea", "Sea freight"),
    ("air", "Air freight"),
    ("road", "Road"),
    ("rail", "Rail"),
    ("post", "Postal parcel"),
    ("courier", "Express courier"),
    ("passenger", "Passenger luggage"),
    ("other", "Other"),
];
pub const VERDICTS: &[(&str, &str)] = &[
    ("genuine", "Genuine"),
    ("counterfeit", "Counterfeit"),
    ("not_ours", "Not our product"),
    ("need_info", "Need more information"),
];
pub const OUTCOMES: &[(&str, &str)] = &[
    ("released", "Released"),
    ("detained", "Detained"),
    ("destroyed", "Destroyed"),
    ("seized", "Seized"),
];
/// At most this many photos with a notice or a message.
pub const MAX_PHOTOS: usize = 10;
const MAX_TEXT: usize = 5000;

/// The label of a value from one of the lists above.
pub fn label(list: &[(&'static str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, l)| *l)
}

/// Which side of a notice a user is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Officers and customs managers: send notices and follow them.
    Customs,
    /// Right holders' owners and responders: answer them.
    RightHolder,
}

/// The user's side, or Forbidden for roles that do not handle notices.
pub fn side_of(user: &CurrentUser) -> Result<Side, AppError> {
    match (user.org_kind(), user.role()) {
        (OrgKind::Customs, Role::Officer | Role::CustomsManager) => Ok(Side::Customs),
        (OrgKind::RightHolder, Role::Owner | Role::Responder) => Ok(Side::RightHolder),
        _ => Err(AppError::forbidden(
            "Notices are sent by officers and customs managers and answered by right holders' \
             responders and owners.",
        )),
    }
}

/// Loads a notice for `user`: NotFound unless it belongs to their administration or
/// right holder (others' notices do not exist as far as they are concerned).
pub fn load_for(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<(NoticeRow, Side), AppError> {
    let side = side_of(user)?;
    let notice = rows::find(conn, id).map_err(|_| AppError::not_found("That notice"))?;
    let own = match side {
        Side::Customs => notice.administration_id == user.org.id,
        Side::RightHolder => notice.right_holder_id == user.org.id,
    };
    if own {
        Ok((notice, side))
    } else {
        Err(AppError::not_found("That notice"))
    }
}

/// The notices a user follows: their administration's, newest first, or their right
/// holder's inbox with overdue ones first, then open by deadline, answered, closed.
pub fn list_for(conn: &mut DbConnection, user: &CurrentUser) -> Result<Vec<NoticeRow>, AppError> {
    Ok(match side_of(user)? {
        Side::Customs => rows::of_administration(conn, user.org.id)?,
        Side::RightHolder => {
            let mut list = rows::of_right_holder(conn, user.org.id)?;
            list.sort_by_key(|n| {
                let rank = match n.status.as_str() {
                    _ if n.is_overdue() => 0,
                    "open" => 1,
                    "answered" => 2,
                    _ => 3,
                };
                (rank, n.deadline_at)
            });
            list
        }
    })
}

/// What an officer reports. Either `product_id` (from the guide), or `right_holder_id`
/// with `brand` and `product_description` when the product is not in Touchstone.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NoticeInput {
    pub product_id: Option<i64>,
    pub right_holder_id: Option<i64>,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub product_description: String,
    /// Customs office or port where the goods are held.
    pub office: String,
    /// When the goods were found.
    pub found_on: chrono::NaiveDate,
    pub quantity: i32,
    /// sea, air, road, rail, post, courier, passenger or other
    pub transport_mode: String,
    /// Two-letter ISO code of the country the goods came from.
    pub origin_country: String,
    /// Barcodes, serial or lot numbers read on the goods.
    #[serde(default)]
    pub codes_seen: String,
    pub description: String,
    /// Perishable goods get the short deadline.
    #[serde(default)]
    pub perishable: bool,
}

/// Required text that may span lines.
pub fn long_text(field: &str, raw: &str, max: usize, required: bool) -> Result<String, AppError> {
    let trimmed = raw.trim();
    if required && trimmed.is_empty() {
        return Err(AppError::bad_request(
            "missing_field",
            format!("{field} is required."),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::bad_request(
            "field_too_long",
            format!("{field} may have at most {max} characters."),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::bad_request(
            "invalid_field",
            format!("{field} must not contain control characters."),
        ));
    }
    Ok(trimmed.replace("\r\n", "\n"))
}

impl NoticeInput {
    /// Checks and tidies every field; the message says what to fix.
    pub fn validate(mut self) -> Result<NoticeInput, AppError> {
        self.office = crate::validate::text("The office or port", &self.office, 200)?;
        let today = now().date();
        if self.found_on > today + chrono::Duration::days(1)
            || self.found_on < today - chrono::Duration::days(3650)
        {
            return Err(AppError::bad_request(
                "invalid_date",
                "The date the goods were found must be today or in the past ten years.",
            ));
        }
        if !(1..=100_000_000).contains(&self.quantity) {
            return Err(AppError::bad_request(
                "invalid_quantity",
                "The quantity is a whole number of items, at least 1.",
            ));
        }
        if label(TRANSPORT_MODES, &self.transport_mode).is_empty() {
            return Err(AppError::bad_request(
                "invalid_transport_mode",
                "The transport mode is one of sea, air, road, rail, post, courier, passenger or other.",
            ));
        }
        self.origin_country = crate::validate::country(&self.origin_country)?;
        self.codes_seen = long_text("The codes seen", &self.codes_seen, 2000, false)?;
        self.description = long_text("The description", &self.description, MAX_TEXT, true)?;
        if self.product_id.is_none() {
            if self.right_holder_id.is_none() {
                return Err(AppError::bad_request(
                    "missing_right_holder",
                    "Choose the right holder the goods claim to come from.",
                ));
            }
            self.brand = crate::validate::text("The brand", &self.brand, 200)?;
            self.product_description =
                long_text("What the product is", &self.product_description, 1000, true)?;
        }
        Ok(self)
    }
}

/// A photo already processed and stored, to record with a notice or a message.
pub struct StoredPhoto {
    pub display_sha256: String,
    pub thumb_sha256: String,
    pub width: i32,
    pub height: i32,
}

/// Processes and stores photos (off the async threads) through the image pipeline.
pub async fn store_photos(
    state: &AppState,
    files: Vec<Vec<u8>>,
) -> Result<Vec<StoredPhoto>, AppError> {
    if files.len() > MAX_PHOTOS {
        return Err(AppError::bad_request(
            "too_many_files",
            format!("Attach at most {MAX_PHOTOS} photos at a time."),
        ));
    }
    let limits = state.image_limits();
    let store = state.images.clone();
    actix_web::web::block(move || -> Result<Vec<StoredPhoto>, AppError> {
        let mut stored = Vec::new();
        for bytes in files {
            let processed: ProcessedImage = crate::images::process(&bytes, &limits)?;
            stored.push(StoredPhoto {
                display_sha256: store.put(&processed.display_jpeg)?,
                thumb_sha256: store.put(&processed.thumb_jpeg)?,
                width: i32::try_from(processed.width).unwrap_or(i32::MAX),
                height: i32::try_from(processed.height).unwrap_or(i32::MAX),
            });
        }
        Ok(stored)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

fn record_photos(
    conn: &mut DbConnection,
    notice_id: i64,
    message_id: Option<i64>,
    author: i64,
    photos: &[StoredPhoto],
) -> Result<(), AppError> {
    for photo in photos {
        rows::add_attachment(
            conn,
            &NewAttachment {
                notice_id,
                message_id,
                display_sha256: &photo.display_sha256,
                thumb_sha256: &photo.thumb_sha256,
                width: photo.width,
                height: photo.height,
                created_by: author,
                created_at: now(),
            },
        )?;
    }
    Ok(())
}

/// Removes the files of photos whose recording failed, unless something else uses them.
async fn forget_photos(state: &AppState, photos: &[StoredPhoto]) {
    let shas = photos
        .iter()
        .flat_map(|p| [p.display_sha256.clone(), p.thumb_sha256.clone()])
        .collect();
    products::upload::remove_unused(state, shas).await;
}

/// The right holder, brand and product text of a new notice.
struct Target {
    right_holder_id: i64,
    product_id: Option<i64>,
    brand: String,
    product_description: String,
}

fn target_of(
    conn: &mut DbConnection,
    user: &CurrentUser,
    input: &NoticeInput,
) -> Result<Target, AppError> {
    if let Some(id) = input.product_id {
        let product = products::load(conn, id)?;
        products::visibility(conn, user, &product)?;
        return Ok(Target {
            right_holder_id: product.org.id,
            product_id: Some(id),
            brand: product.brand.clone(),
            product_description: product.row.name.clone(),
        });
    }
    let unknown = || {
        AppError::bad_request(
            "unknown_right_holder",
            "That right holder is not in Touchstone; choose one from the list.",
        )
    };
    let id = input.right_holder_id.ok_or_else(unknown)?;
    let org = organisation::find(conn, id).map_err(|_| unknown())?;
    if org.kind() != OrgKind::RightHolder || org.status() != OrgStatus::Verified {
        return Err(unknown());
    }
    Ok(Target {
        right_holder_id: id,
        product_id: None,
        brand: input.brand.clone(),
        product_description: input.product_description.clone(),
    })
}

/// The platform's response deadline for a notice sent now.
pub fn deadline(state: &AppState, perishable: bool) -> chrono::NaiveDateTime {
    let config = &state.config;
    now()
        + if perishable {
            chrono::Duration::hours(i64::from(config.notice_perishable_hours))
        } else {
            chrono::Duration::days(i64::from(config.notice_response_days))
        }
}

/// Sends a notice: records it with its photos and tells the right holder at once.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    input: NoticeInput,
    photos: Vec<Vec<u8>>,
    site: String,
) -> Result<NoticeRow, AppError> {
    if side_of(user)? != Side::Customs {
        return Err(AppError::forbidden(
            "Only officers and customs managers send notices.",
        ));
    }
    let input = input.validate()?;
    let (reader, checked) = (user.clone(), input.clone());
    // Read before the transaction, whose first statement is then a write (see
    // `rows::touch`): the target cannot change in a way that matters meanwhile.
    let target = db::run(&state.pool, move |conn| target_of(conn, &reader, &checked)).await?;
    let photos = store_photos(state, photos).await?;
    let sender = user.clone();
    let deadline_at = deadline(state, input.perishable);
    let mail = state.mail.configured();
    let stored = std::sync::Arc::new(photos);
    let recorded = {
        let stored = stored.clone();
        db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                let at = now();
                let notice = rows::insert(
                    conn,
                    &NewNotice {
                        reference: &secrets::generate("pending-"),
                        administration_id: sender.org.id,
                        sender_id: sender.user.id,
                        right_holder_id: target.right_holder_id,
                        product_id: target.product_id,
                        brand: &target.brand,
                        product_description: &target.product_description,
                        office: &input.office,
                        found_on: input.found_on,
                        quantity: input.quantity,
                        transport_mode: &input.transport_mode,
                        origin_country: &input.origin_country,
                        codes_seen: &input.codes_seen,
                        description: &input.description,
                        perishable: input.perishable,
                        deadline_at,
                        status: "open",
                        created_at: at,
                        updated_at: at,
                    },
                )?;
                record_photos(conn, notice.id, None, sender.user.id, &stored)?;
                audit::record(
                    conn,
                    &sender.actor(),
                    "notice.create",
                    &format!("notice:{}", notice.id),
                    &notice.reference,
                )?;
                notify::tell(conn, &notice, &sender, Event::Sent, mail, &site)?;
                Ok(notice)
            })
        })
        .await
    };
    finish(state, recorded, &stored).await
}

async fn finish<T>(
    state: &AppState,
    recorded: Result<T, AppError>,
    photos: &[StoredPhoto],
) -> Result<T, AppError> {
    match recorded {
        Ok(value) => {
            state.mail.wake();
            Ok(value)
        }
        Err(e) => {
            forget_photos(state, photos).await;
            Err(e)
        }
    }
}

fn require_not_closed(notice: &NoticeRow) -> Result<(), AppError> {
    if notice.status == "closed" {
        Err(AppError::Conflict(
            "This notice is closed; it takes no more changes.".into(),
        ))
    } else {
        Ok(())
    }
}

/// Posts a message, with photos, in a notice's thread; tells the other side.
pub async fn reply(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    body: &str,
    photos: Vec<Vec<u8>>,
    site: String,
) -> Result<i64, AppError> {
    let body = long_text("The message", body, MAX_TEXT, photos.is_empty())?;
    let reader = user.clone();
    db::run(&state.pool, move |conn| {
        let (notice, _) = load_for(conn, &reader, id)?;
        require_not_closed(&notice)
    })
    .await?;
    let author = user.clone();
    let photos = store_photos(state, photos).await?;
    let mail = state.mail.configured();
    let stored = std::sync::Arc::new(photos);
    let recorded = {
        let stored = stored.clone();
        db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                rows::touch(conn, id)?;
                let (notice, side) = load_for(conn, &author, id)?;
                require_not_closed(&notice)?;
                let message_id =
                    rows::add_message(conn, notice.id, author.user.id, author.org.id, &body)?;
                record_photos(conn, notice.id, Some(message_id), author.user.id, &stored)?;
                if side == Side::RightHolder {
                    rows::mark_answered(conn, notice.id)?;
                }
                audit::record(
                    conn,
                    &author.actor(),
                    "notice.message",
                    &format!("notice:{}", notice.id),
                    &notice.reference,
                )?;
                notify::tell(conn, &notice, &author, Event::Message, mail, &site)?;
                Ok(message_id)
            })
        })
        .await
    };
    finish(state, recorded, &stored).await
}

/// What a decision changes: the right holder's verdict, the officer's outcome, or closing.
#[derive(Debug, Clone)]
pub enum Decision {
    Verdict(String),
    Outcome(String),
    Close,
}

impl Decision {
    fn check(&self, side: Side) -> Result<(), AppError> {
        let (needs, choice) = match self {
            Decision::Verdict(v) => (Side::RightHolder, Some((VERDICTS, v.as_str(), "verdict"))),
            Decision::Outcome(v) => (Side::Customs, Some((OUTCOMES, v.as_str(), "outcome"))),
            Decision::Close => (Side::Customs, None),
        };
        if side != needs {
            return Err(AppError::forbidden(match needs {
                Side::RightHolder => {
                    "Only the right holder's responders and owners give the verdict."
                }
                Side::Customs => {
                    "Only the customs administration records the outcome and closes a notice."
                }
            }));
        }
        match choice {
            Some((list, value, what)) if label(list, value).is_empty() => {
                let choices: Vec<&str> = list.iter().map(|(v, _)| *v).collect();
                Err(AppError::bad_request(
                    "invalid_choice",
                    format!("The {what} is one of {}.", choices.join(", ")),
                ))
            }
            _ => Ok(()),
        }
    }

    fn apply(&self, conn: &mut DbConnection, id: i64) -> Result<Event, AppError> {
        Ok(match self {
            Decision::Verdict(v) => {
                rows::set_verdict(conn, id, v)?;
                Event::Verdict
            }
            Decision::Outcome(v) => {
                rows::set_outcome(conn, id, v)?;
                Event::Outcome
            }
            Decision::Close => {
                rows::close(conn, id)?;
                Event::Closed
            }
        })
    }

    fn action(&self) -> &'static str {
        match self {
            Decision::Verdict(_) => "notice.verdict",
            Decision::Outcome(_) => "notice.outcome",
            Decision::Close => "notice.close",
        }
    }
}

/// Records a verdict, an outcome or the closing of a notice, and tells the other side.
pub async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    decision: Decision,
    site: String,
) -> Result<NoticeRow, AppError> {
    let actor = user.clone();
    let mail = state.mail.configured();
    let notice = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            rows::touch(conn, id)?;
            let (notice, side) = load_for(conn, &actor, id)?;
            decision.check(side)?;
            require_not_closed(&notice)?;
            let event = decision.apply(conn, id)?;
            audit::record(
                conn,
                &actor.actor(),
                decision.action(),
                &format!("notice:{id}"),
                &notice.reference,
            )?;
            let notice = rows::find(conn, id)?;
            notify::tell(conn, &notice, &actor, event, mail, &site)?;
            Ok(notice)
        })
    })
    .await?;
    state.mail.wake();
    Ok(notice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NoticeInput {
        NoticeInput {
            product_id: None,
            right_holder_id: Some(7),
            brand: "  Acme ".into(),
            product_description: "Watches\r\nsteel".into(),
            office: " Port of Hamburg ".into(),
            found_on: now().date(),
            quantity: 3,
            transport_mode: "sea".into(),
            origin_country: "cn".into(),
            codes_seen: String::new(),
            description: "Crowns look cast.".into(),
            perishable: false,
        }
    }

    fn code_of(result: Result<NoticeInput, AppError>) -> &'static str {
        result.map(|_| "ok").unwrap_or_else(|e| e.code())
    }

    #[test]
    fn validation_tidies_good_input() {
        let checked = input().validate().unwrap();
        assert_eq!(checked.office, "Port of Hamburg");
        assert_eq!(checked.brand, "Acme");
        assert_eq!(checked.origin_country, "CN");
        assert_eq!(checked.product_description, "Watches\nsteel");
    }

    #[test]
    fn validation_refuses_each_bad_field() {
        type Case = (fn(&mut NoticeInput), &'static str);
        let cases: [Case; 9] = [
            (|i| i.office = " ".into(), "missing_field"),
            (|i| i.quantity = 0, "invalid_quantity"),
            (
                |i| i.transport_mode = "ship".into(),
                "invalid_transport_mode",
            ),
            (|i| i.origin_country = "CHN".into(), "invalid_country"),
            (
                |i| i.found_on = now().date() + chrono::Duration::days(30),
                "invalid_date",
            ),
            (|i| i.description = "a\u{0}b".into(), "invalid_field"),
            (|i| i.right_holder_id = None, "missing_right_holder"),
            (|i| i.brand = String::new(), "missing_field"),
            (
                |i| i.description = "x".repeat(MAX_TEXT + 1),
                "field_too_long",
            ),
        ];
        for (change, code) in cases {
            let mut bad = input();
            change(&mut bad);
            assert_eq!(code_of(bad.validate()), code);
        }
        // With a product, brand and product text come from the product.
        let mut known = input();
        known.product_id = Some(1);
        known.right_holder_id = None;
        known.brand = String::new();
        assert_eq!(code_of(known.validate()), "ok");
    }

    #[test]
    fn labels_come_from_the_fixed_lists() {
        assert_eq!(label(VERDICTS, "not_ours"), "Not our product");
        assert_eq!(label(OUTCOMES, "seized"), "Seized");
        assert_eq!(label(TRANSPORT_MODES, "<script>"), "");
    }
}
