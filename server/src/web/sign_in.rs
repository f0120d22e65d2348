//! Home, sign in, sign out and the public sign-up of right holders.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{redirect, render, PageContext};
use crate::app::AppState;
use crate::auth::identity::{client_ip, SESSION_COOKIE};
use crate::auth::{csrf::CsrfForm, CurrentUser, MaybeUser};
use crate::db;
use crate::error::AppError;
use crate::models::{OrgKind, OrgStatus};
use crate::services::accounts::{self, SignUp};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/signin", web::get().to(sign_in_page))
        .route("/signin", web::post().to(sign_in))
        .route("/signout", web::post().to(sign_out))
        .route("/signup", web::get().to(sign_up_page))
        .route("/signup", web::post().to(sign_up))
        .route("/signup/pending", web::get().to(pending));
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageContext,
    org_kind: &'static str,
    org_status: String,
    status_reason: Option<String>,
    pending: bool,
}

async fn home(req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    render(&HomePage {
        ctx: PageContext::new(&req, Some(&user)),
        org_kind: user.org_kind().label(),
        org_status: user.org.status.clone(),
        status_reason: user.org.status_reason.clone(),
        pending: user.org.status() == OrgStatus::Pending && user.org_kind() == OrgKind::RightHolder,
    })
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    ctx: PageContext,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the sign-in page cannot bounce people to another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

async fn sign_in_page(
    req: HttpRequest,
    MaybeUser(user): MaybeUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    if user.is_some() {
        return Ok(redirect("/"));
    }
    render(&SignInPage {
        ctx: PageContext::new(&req, None),
        next: safe_next(query.next.as_deref()),
    })
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies())
        // Lax, not Strict: links from e-mails (a notice, an invitation) must arrive signed in.
        .same_site(SameSite::Lax)
        .finish()
}

/// Signs in and renews the session: any session the browser held before is revoked,
/// so a planted session id cannot be carried across sign-in.
async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    MaybeUser(previous): MaybeUser,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req);
    if let Some(ip) = ip {
        if !state.throttle.allow(ip) {
            return Err(AppError::TooManyRequests);
        }
    }
    let ip_text = ip.map(|i| i.to_string());
    let user = accounts::authenticate(&state, &form.email, &form.password, ip_text.clone()).await?;
    let agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let idle = state.config.session_idle_hours;
    let must_change = user.must_change_password;
    let previous_session = previous.as_ref().and_then(CurrentUser::session_id);
    let secret = db::run(&state.pool, move |conn| {
        if let Some(old) = previous_session {
            crate::models::session::revoke(conn, old)?;
        }
        accounts::start_session(conn, &user, ip_text.as_deref(), agent.as_deref(), idle)
    })
    .await?;
    let target = if must_change {
        "/account/password?notice=change_password".to_string()
    } else {
        safe_next(form.next.as_deref())
    };
    let mut response = redirect(&target);
    response
        .add_cookie(&session_cookie(&state, secret))
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(response)
}

async fn sign_out(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(_): CsrfForm<super::NoFields>,
) -> Result<HttpResponse, AppError> {
    if let Some(session_id) = user.session_id() {
        let actor = user.actor();
        db::run(&state.pool, move |conn| {
            accounts::end_session(conn, session_id, &actor)
        })
        .await?;
    }
    let mut response = redirect("/signin?notice=signed_out");
    let mut gone = session_cookie(&state, String::new());
    gone.make_removal();
    response
        .add_cookie(&gone)
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(response)
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    ctx: PageContext,
}

async fn sign_up_page(req: HttpRequest) -> Result<HttpResponse, AppError> {
    render(&SignUpPage {
        ctx: PageContext::new(&req, None),
    })
}

#[derive(Deserialize)]
struct SignUpForm {
    #[serde(flatten)]
    details: SignUp,
    password_again: String,
}

async fn sign_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(ip) = client_ip(&req) {
        if !state.throttle.allow(ip) {
            return Err(AppError::TooManyRequests);
        }
    }
    if form.details.password != form.password_again {
        return Err(AppError::bad_request(
            "password_mismatch",
            "The two passwords differ.",
        ));
    }
    accounts::sign_up(&state, form.details).await?;
    Ok(redirect("/signup/pending"))
}

#[derive(Template)]
#[template(path = "pending.html")]
struct PendingPage {
    ctx: PageContext,
}

async fn pending(req: HttpRequest, MaybeUser(user): MaybeUser) -> Result<HttpResponse, AppError> {
    render(&PendingPage {
        ctx: PageContext::new(&req, user.as_ref()),
    })
}
