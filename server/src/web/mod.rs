//! HTML pages: mobile-first, plain forms that work without JavaScript.

pub mod account;
pub mod admin;
pub mod alerts;
pub mod assets;
pub mod barcode_photo;
pub mod error_pages;
pub mod feedback;
pub mod health;
pub mod imports;
pub mod lookup;
pub mod members;
pub mod notices;
pub mod photo_search;
pub mod products;
pub mod share_list;
pub mod sign_in;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::{csrf, CurrentUser};
use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    health::routes(cfg);
    assets::routes(cfg);
    sign_in::routes(cfg);
    account::routes(cfg);
    admin::routes(cfg);
    members::routes(cfg);
    lookup::routes(cfg);
    products::routes(cfg);
    imports::routes(cfg);
    share_list::routes(cfg);
    notices::routes(cfg);
    alerts::routes(cfg);
    feedback::routes(cfg);
}

/// Form bodies are small; a bad one is the user's mistake, answered with a clear page.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _| {
            AppError::bad_request("invalid_form", format!("The form could not be read: {err}"))
                .into()
        })
}

/// What the page header shows about the signed-in user.
pub struct UserNav {
    pub name: String,
    pub org_name: String,
    pub role_label: &'static str,
    pub is_admin: bool,
    pub manages_members: bool,
    /// A right holder's member: has products and a share list.
    pub has_products: bool,
    /// A customs administration's member: looks products up.
    pub looks_up: bool,
    /// Sends notices (officers, customs managers) or answers them (responders, owners).
    pub handles_notices: bool,
    /// Reads alerts: customs administrations' members and right holders' members.
    pub reads_alerts: bool,
    /// Unread in-app notifications.
    pub unread: i64,
}

/// Shared by every page: current user, CSRF token, asset version and a notice.
pub struct PageContext {
    pub user: Option<UserNav>,
    pub csrf: String,
    pub asset_version: &'static str,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// Notices come from a fixed list, so a crafted link cannot put words on our pages.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "signed_out" => "You have signed out.",
        "password_changed" => {
            "Your password was changed. Your other sessions and API tokens have ended."
        }
        "profile_saved" => "Your details were saved.",
        "token_revoked" => "The token was revoked.",
        "verified" => "The organisation is verified.",
        "rejected" => "The organisation was rejected.",
        "suspended" => "The organisation is suspended; its members can no longer sign in.",
        "reinstated" => "The organisation is verified again.",
        "role_changed" => "The role was changed.",
        "disabled" => "The member is disabled and their sessions have ended.",
        "enabled" => "The member can sign in again.",
        "ownership_transferred" => "Ownership was handed over. You are now an editor.",
        "invitation_revoked" => "The invitation was withdrawn.",
        "welcome" => "Welcome to Touchstone.",
        "change_password" => "Choose a new password before going on.",
        "product_created" => {
            "The product was created as a draft. Fill in its sections, add images, then publish it."
        }
        "product_saved" => "Saved.",
        "product_published" => "Published: officers can find this product within seconds.",
        "product_unpublished" => {
            "Unpublished: the product is a draft again and officers no longer see it."
        }
        "product_archived" => "Archived: officers no longer see this product.",
        "product_deleted" => "The product was deleted.",
        "images_added" => "The images were added.",
        "image_saved" => "The image was saved.",
        "image_removed" => "The image was removed.",
        "share_list_saved" => "The share list was saved; search follows within seconds.",
        "notice_sent" => "The notice was sent; the right holder has been told.",
        "message_sent" => "Your message was sent.",
        "verdict_saved" => "Your verdict was sent to the customs administration.",
        "outcome_saved" => "The outcome was recorded and the right holder told.",
        "notice_closed" => "The notice is closed.",
        "notifications_read" => "All notifications are marked read.",
        "alert_published" => {
            "The alert is published: officers of the countries it names see it now."
        }
        "alert_saved" => "The alert was saved.",
        "alert_withdrawn" => "The alert was withdrawn: officers no longer see it.",
        _ => return None,
    })
}

impl PageContext {
    pub fn new(req: &HttpRequest, user: Option<&CurrentUser>) -> PageContext {
        let notice = web::Query::<NoticeQuery>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.notice.clone())
            .and_then(|code| notice_text(&code));
        PageContext {
            user: user.map(|u| UserNav {
                name: u.user.name.clone(),
                org_name: u.org.name.clone(),
                role_label: u.role().label(),
                is_admin: u.is_admin(),
                manages_members: u.require_member_manager().is_ok(),
                has_products: crate::products::require_reader(u).is_ok(),
                looks_up: u.org_kind() == crate::models::OrgKind::Customs,
                handles_notices: crate::notices::side_of(u).is_ok(),
                reads_alerts: crate::alerts::reader_of(u).is_ok(),
                unread: u.unread_notifications,
            }),
            csrf: csrf::token_for(req, user),
            asset_version: assets::version(),
            notice,
        }
    }
}

pub fn render(page: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// After a successful form post: see-other, so a reload does not post again.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// Forms that carry nothing but their CSRF token (sign out, revoke, disable...).
#[derive(Deserialize)]
pub struct NoFields {}

/// The absolute URL of a path, for links people copy into e-mails.
pub fn absolute_url(req: &HttpRequest, base_url: Option<&str>, path: &str) -> String {
    match base_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => {
            let info = req.connection_info();
            format!("{}://{}{path}", info.scheme(), info.host())
        }
    }
}
