//! The signed-in user behind a request: a session cookie for pages, a bearer token under
//! `/api/`. Every check that can end access (disabled account, suspended organisation,
//! revoked session or token) runs on every request, so revocation is immediate.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use std::net::IpAddr;

use super::secrets;
use crate::app::AppState;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::audit::Actor;
use crate::models::organisation::{self, Organisation};
use crate::models::user::{self, User};
use crate::models::{api_token, notification, now, session, OrgKind, Role};

pub const SESSION_COOKIE: &str = "ts_session";

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    Session { id: i64, csrf_token: String },
    ApiToken { id: i64 },
}

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub org: Organisation,
    pub credential: Credential,
    pub ip: Option<IpAddr>,
    /// Unread in-app notifications, for the count in the page header.
    pub unread_notifications: i64,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role()
    }

    pub fn org_kind(&self) -> OrgKind {
        self.org.kind()
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Role::Admin && self.org_kind() == OrgKind::Platform
    }

    pub fn session_id(&self) -> Option<i64> {
        match self.credential {
            Credential::Session { id, .. } => Some(id),
            Credential::ApiToken { .. } => None,
        }
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::ApiToken { .. } => None,
        }
    }

    /// For the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            organisation_id: Some(self.org.id),
            ip: self.ip.map(|ip| ip.to_string()),
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "Only platform administrators may do this.",
            ))
        }
    }

    /// Owners of right holders and managers of customs administrations manage members.
    pub fn require_member_manager(&self) -> Result<(), AppError> {
        let manages = self.role().manages_members()
            && matches!(self.org_kind(), OrgKind::RightHolder | OrgKind::Customs);
        if manages {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "Only the organisation's owner or customs manager may manage members.",
            ))
        }
    }
}

/// The client's address as seen by this server (proxy headers are not trusted: they are
/// for the client to set, and throttling must not be dodged by forging them).
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

pub fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

/// Paths a user who must change their password may still reach.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(path, "/account/password" | "/signout")
}

/// The result of authentication, cached in the request so that several extractors of
/// one request hit the database once.
#[derive(Clone)]
struct Resolved(Option<CurrentUser>);

async fn resolve(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    if let Some(Resolved(found)) = req.extensions().get::<Resolved>() {
        return Ok(found.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state missing"))?
        .clone();
    let credential = if is_api(req) {
        bearer_token(req).map(|t| (false, t))
    } else {
        req.cookie(SESSION_COOKIE)
            .map(|c| (true, c.value().to_string()))
    };
    let ip = client_ip(req);
    let found = match credential {
        None => None,
        Some((is_session, secret)) => {
            let idle_hours = state.config.session_idle_hours;
            db::run(&state.pool, move |conn| {
                lookup(conn, is_session, &secrets::digest(&secret), idle_hours)
            })
            .await?
            .map(
                |(user, org, credential, unread_notifications)| CurrentUser {
                    user,
                    org,
                    credential,
                    ip,
                    unread_notifications,
                },
            )
        }
    };
    req.extensions_mut().insert(Resolved(found.clone()));
    Ok(found)
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

/// The user, their organisation, how they proved it, and their unread notifications.
type Found = (User, Organisation, Credential, i64);

fn lookup(
    conn: &mut DbConnection,
    is_session: bool,
    digest: &str,
    idle_hours: u32,
) -> Result<Option<Found>, AppError> {
    let (user_id, credential) = if is_session {
        let Some(s) = session::find_live(conn, digest)? else {
            return Ok(None);
        };
        // Writing on every request would serialise readers on SQLite; a minute of slack
        // in the idle expiry is harmless.
        if now() - s.last_seen_at > chrono::Duration::seconds(60) {
            session::touch(conn, s.id, idle_hours)?;
        }
        (
            s.user_id,
            Credential::Session {
                id: s.id,
                csrf_token: s.csrf_token,
            },
        )
    } else {
        let Some(t) = api_token::find_live(conn, digest)? else {
            return Ok(None);
        };
        if t.last_used_at
            .is_none_or(|at| now() - at > chrono::Duration::seconds(60))
        {
            api_token::mark_used(conn, t.id)?;
        }
        (t.user_id, Credential::ApiToken { id: t.id })
    };
    let user = user::find(conn, user_id)?;
    let org = organisation::find(conn, user.organisation_id)?;
    if user.disabled || !org.allows_sign_in() {
        return Ok(None);
    }
    let unread = notification::unread_count(conn, user.id)?;
    Ok(Some((user, org, credential, unread)))
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = resolve(&req).await?.ok_or(AppError::Unauthorised)?;
            if user.user.must_change_password && !allowed_before_password_change(req.path()) {
                return Err(AppError::PasswordChangeRequired);
            }
            Ok(user)
        })
    }
}

/// A signed-in user if there is one; pages that anonymous visitors may see take this.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(resolve(&req).await?)) })
    }
}
