//! Signing up, signing in, passwords and the first administrator.

use crate::app::AppState;
use crate::auth::{password, secrets};
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::audit::{self, Actor};
use crate::models::organisation::{self, NewOrganisation, Organisation};
use crate::models::user::{self, NewUser, User};
use crate::models::{now, session, OrgKind, OrgStatus, Role};
use crate::validate;

/// What a company gives to register (also the body of `POST /api/v1/organisations`).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SignUp {
    pub name: String,
    /// ISO 3166-1 alpha-2, e.g. "FR".
    pub country: String,
    #[serde(default)]
    pub website: Option<String>,
    pub owner_name: String,
    pub owner_email: String,
    pub password: String,
}

/// The one message for every failed sign-in, so it reveals nothing about which accounts
/// exist or which part was wrong.
pub const SIGN_IN_FAILED: &str =
    "Wrong e-mail or password. After repeated failures an account is locked for a while.";

/// Registers a right holder (pending until an admin verifies it) with its owner.
pub async fn sign_up(state: &AppState, input: SignUp) -> Result<(Organisation, User), AppError> {
    let name = validate::text("The organisation name", &input.name, validate::MAX_NAME)?;
    let country = validate::country(&input.country)?;
    let website = validate::website(input.website.as_deref())?;
    let owner_name = validate::text("Your name", &input.owner_name, validate::MAX_NAME)?;
    let email = validate::email(&input.owner_email)?;
    password::check_strength(&input.password, &email)?;
    let hash = hash_off_thread(input.password).await?;
    db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            if user::find_by_email(conn, &email)?.is_some() {
                return Err(AppError::Conflict(
                    "An account with this e-mail already exists. Sign in instead.".into(),
                ));
            }
            if organisation::name_taken(conn, OrgKind::RightHolder, &name)? {
                return Err(AppError::Conflict(format!(
                    "A right holder named {name:?} is already registered."
                )));
            }
            let org = organisation::insert(
                conn,
                &NewOrganisation {
                    kind: OrgKind::RightHolder.as_str(),
                    name: &name,
                    country: &country,
                    website: website.as_deref(),
                    status: OrgStatus::Pending.as_str(),
                    created_at: now(),
                },
            )?;
            let owner = user::insert(
                conn,
                &NewUser {
                    organisation_id: org.id,
                    email: &email,
                    name: &owner_name,
                    role: Role::Owner.as_str(),
                    password_hash: &hash,
                    language: "en",
                    must_change_password: false,
                    created_at: now(),
                },
            )?;
            let actor = Actor {
                user_id: Some(owner.id),
                organisation_id: Some(org.id),
                ip: None,
            };
            audit::record(
                conn,
                &actor,
                "organisation.sign_up",
                &target_org(org.id),
                &name,
            )?;
            Ok((org, owner))
        })
    })
    .await
}

pub async fn hash_off_thread(plain: String) -> Result<String, AppError> {
    actix_web::web::block(move || password::hash(&plain))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

/// Checks an e-mail and password, counting failures towards the lock-out. Unknown
/// e-mails cost the same argon2 work as known ones (a dummy hash), so timing does not
/// tell them apart.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    plain: &str,
    actor_ip: Option<String>,
) -> Result<User, AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || plain.is_empty() || plain.len() > password::MAX_LENGTH * 4 {
        return Err(AppError::bad_request("sign_in_failed", SIGN_IN_FAILED));
    }
    let lookup_email = email.clone();
    let found = db::run(&state.pool, move |conn| {
        Ok(user::find_by_email(conn, &lookup_email)?)
    })
    .await?;
    let stored = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let plain = plain.to_string();
    let matches = actix_web::web::block(move || password::verify(&plain, &stored))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?;
    let Some(found) = found else {
        return Err(AppError::bad_request("sign_in_failed", SIGN_IN_FAILED));
    };
    let (threshold, minutes) = (state.config.lockout_threshold, state.config.lockout_minutes);
    // The transaction commits what it records (failures, lock-outs) and reports the
    // outcome; turning a failure into an error inside it would roll the record back.
    let verdict = db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            let user = user::find(conn, found.id)?;
            let org = organisation::find(conn, user.organisation_id)?;
            let actor = Actor {
                user_id: Some(user.id),
                organisation_id: Some(org.id),
                ip: actor_ip,
            };
            if user.is_locked() {
                audit::record(
                    conn,
                    &actor,
                    "user.sign_in_locked",
                    &target_user(user.id),
                    "",
                )?;
                return Ok(Verdict::WrongCredentials);
            }
            if !matches {
                user::record_failed_signin(conn, &user, threshold, minutes)?;
                audit::record(
                    conn,
                    &actor,
                    "user.sign_in_failed",
                    &target_user(user.id),
                    "",
                )?;
                return Ok(Verdict::WrongCredentials);
            }
            if user.disabled {
                return Ok(Verdict::Refused(
                    "This account has been disabled. Ask your organisation's manager.".into(),
                ));
            }
            if !org.allows_sign_in() {
                return Ok(Verdict::Refused(format!(
                    "{} is {}; its members cannot sign in.",
                    org.name, org.status
                )));
            }
            user::record_signin(conn, user.id)?;
            Ok::<_, AppError>(Verdict::SignedIn(Box::new(user)))
        })
    })
    .await?;
    match verdict {
        Verdict::SignedIn(user) => Ok(*user),
        Verdict::WrongCredentials => Err(AppError::bad_request("sign_in_failed", SIGN_IN_FAILED)),
        Verdict::Refused(message) => Err(AppError::Forbidden(message)),
    }
}

enum Verdict {
    SignedIn(Box<User>),
    WrongCredentials,
    Refused(String),
}

/// Opens a server-side session; returns the secret for the cookie.
pub fn start_session(
    conn: &mut DbConnection,
    user: &User,
    ip: Option<&str>,
    user_agent: Option<&str>,
    idle_hours: u32,
) -> Result<String, AppError> {
    let secret = secrets::generate("");
    let csrf = secrets::generate("");
    let at = now();
    let agent = user_agent.map(|a| a.chars().take(300).collect::<String>());
    session::insert(
        conn,
        &session::NewSession {
            token_hash: &secrets::digest(&secret),
            user_id: user.id,
            csrf_token: &csrf,
            ip,
            user_agent: agent.as_deref(),
            created_at: at,
            last_seen_at: at,
            expires_at: at + chrono::Duration::hours(i64::from(idle_hours)),
        },
    )?;
    let actor = Actor {
        user_id: Some(user.id),
        organisation_id: Some(user.organisation_id),
        ip: ip.map(str::to_string),
    };
    audit::record(conn, &actor, "user.sign_in", &target_user(user.id), "")?;
    Ok(secret)
}

pub fn end_session(
    conn: &mut DbConnection,
    session_id: i64,
    actor: &Actor,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        session::revoke(conn, session_id)?;
        let target = target_user(actor.user_id.unwrap_or_default());
        audit::record(conn, actor, "user.sign_out", &target, "")?;
        Ok(())
    })
}

/// Changes a password after checking the current one; every other session and API token
/// of the user ends, because a password change usually means a credential leaked.
pub async fn change_password(
    state: &AppState,
    user: &User,
    keep_session: Option<i64>,
    current: String,
    new: String,
    actor: Actor,
) -> Result<(), AppError> {
    password::check_strength(&new, &user.email)?;
    if current == new {
        return Err(AppError::bad_request(
            "weak_password",
            "The new password must differ from the current one.",
        ));
    }
    let stored = user.password_hash.clone();
    let ok = actix_web::web::block(move || password::verify(&current, &stored))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?;
    if !ok {
        return Err(AppError::bad_request(
            "wrong_password",
            "The current password is not right.",
        ));
    }
    let hash = hash_off_thread(new).await?;
    let user_id = user.id;
    db::run(&state.pool, move |conn| {
        db::transaction(conn, |conn| {
            user::set_password(conn, user_id, &hash)?;
            let ended = user::revoke_sessions(conn, user_id, keep_session)?;
            crate::models::api_token::revoke_all_of_user(conn, user_id)?;
            audit::record(
                conn,
                &actor,
                "user.password_changed",
                &target_user(user_id),
                &format!("{ended} other sessions ended"),
            )?;
            Ok(())
        })
    })
    .await
}

/// Creates a platform administrator (and the platform organisation if missing).
pub fn create_admin(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    password_hash: &str,
    must_change_password: bool,
) -> Result<User, AppError> {
    let email = validate::email(email)?;
    let name = validate::text("The name", name, validate::MAX_NAME)?;
    db::transaction(conn, |conn| {
        if user::find_by_email(conn, &email)?.is_some() {
            return Err(AppError::Conflict(format!(
                "{email} already has an account."
            )));
        }
        let platform = match organisation::find_platform(conn)? {
            Some(org) => org,
            None => organisation::insert(
                conn,
                &NewOrganisation {
                    kind: OrgKind::Platform.as_str(),
                    name: "Platform operator",
                    country: "ZZ",
                    website: None,
                    status: OrgStatus::Verified.as_str(),
                    created_at: now(),
                },
            )?,
        };
        let admin = user::insert(
            conn,
            &NewUser {
                organisation_id: platform.id,
                email: &email,
                name: &name,
                role: Role::Admin.as_str(),
                password_hash,
                language: "en",
                must_change_password,
                created_at: now(),
            },
        )?;
        let actor = Actor {
            user_id: None,
            organisation_id: Some(platform.id),
            ip: None,
        };
        audit::record(
            conn,
            &actor,
            "user.admin_created",
            &target_user(admin.id),
            &email,
        )?;
        Ok(admin)
    })
}

/// On the very first start (no users at all), creates the first admin with a one-time
/// password. Returns the e-mail and password to print, or None when users exist.
pub fn ensure_first_admin(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<(String, String)>, AppError> {
    if user::count(conn)? > 0 {
        return Ok(None);
    }
    let plain = password::generate();
    let hash = password::hash(&plain)?;
    let admin = create_admin(conn, email, "Administrator", &hash, true)?;
    Ok(Some((admin.email, plain)))
}

pub fn target_user(id: i64) -> String {
    format!("user:{id}")
}

pub fn target_org(id: i64) -> String {
    format!("organisation:{id}")
}
