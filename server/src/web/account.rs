//! My account: details, password and API tokens.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{redirect, render, PageContext};
use crate::app::AppState;
use crate::auth::{csrf::CsrfForm, CurrentUser};
use crate::db;
use crate::error::AppError;
use crate::models::api_token::{self, ApiToken};
use crate::models::{audit, user};
use crate::services::{accounts, tokens};
use crate::validate;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(account_page))
        .route("/account", web::post().to(save_account))
        .route("/account/password", web::get().to(password_page))
        .route("/account/password", web::post().to(change_password))
        .route("/account/tokens", web::get().to(tokens_page))
        .route("/account/tokens", web::post().to(create_token))
        .route("/account/tokens/{id}/revoke", web::post().to(revoke_token));
}

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    ctx: PageContext,
    email: String,
    name: String,
    language: String,
    role: &'static str,
    org_name: String,
    org_kind: &'static str,
    last_signin: String,
}

async fn account_page(req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    render(&AccountPage {
        ctx: PageContext::new(&req, Some(&user)),
        email: user.user.email.clone(),
        name: user.user.name.clone(),
        language: user.user.language.clone(),
        role: user.role().label(),
        org_name: user.org.name.clone(),
        org_kind: user.org_kind().label(),
        last_signin: user
            .user
            .last_signin_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "never".into()),
    })
}

#[derive(Deserialize)]
struct AccountForm {
    name: String,
    language: String,
}

async fn save_account(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let name = validate::text("Your name", &form.name, validate::MAX_NAME)?;
    let language = validate::language(&form.language)?;
    let actor = user.actor();
    let user_id = user.user.id;
    db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            user::set_profile(conn, user_id, &name, &language)?;
            audit::record(
                conn,
                &actor,
                "user.profile",
                &accounts::target_user(user_id),
                &language,
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(redirect("/account?notice=profile_saved"))
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    ctx: PageContext,
    forced: bool,
    min_length: usize,
}

async fn password_page(req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    render(&PasswordPage {
        ctx: PageContext::new(&req, Some(&user)),
        forced: user.user.must_change_password,
        min_length: crate::auth::password::MIN_LENGTH,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_again: String,
}

async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    if form.new_password != form.new_password_again {
        return Err(AppError::bad_request(
            "password_mismatch",
            "The two new passwords differ.",
        ));
    }
    accounts::change_password(
        &state,
        &user.user,
        user.session_id(),
        form.current_password,
        form.new_password,
        user.actor(),
    )
    .await?;
    Ok(redirect("/account?notice=password_changed"))
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    ctx: PageContext,
    tokens: Vec<ApiToken>,
    new_secret: Option<String>,
}

async fn tokens_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let user_id = user.user.id;
    let list = db::run(&state.pool, move |conn| {
        Ok(api_token::of_user(conn, user_id)?)
    })
    .await?;
    render(&TokensPage {
        ctx: PageContext::new(&req, Some(&user)),
        tokens: list,
        new_secret: None,
    })
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

/// Shows the new secret once, on the response page itself (never in a URL).
async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let owner = user.user.clone();
    let actor = user.actor();
    let (list, secret) = db::run(&state.pool, move |conn| {
        let (_, secret) = tokens::create(conn, &owner, &form.name, &actor)?;
        Ok((api_token::of_user(conn, owner.id)?, secret))
    })
    .await?;
    render(&TokensPage {
        ctx: PageContext::new(&req, Some(&user)),
        tokens: list,
        new_secret: Some(secret),
    })
}

async fn revoke_token(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<super::NoFields>,
) -> Result<HttpResponse, AppError> {
    let token_id = path.into_inner();
    let owner = user.user.clone();
    let actor = user.actor();
    db::run(&state.pool, move |conn| {
        tokens::revoke(conn, &owner, token_id, &actor)
    })
    .await?;
    Ok(redirect("/account/tokens?notice=token_revoked"))
}
