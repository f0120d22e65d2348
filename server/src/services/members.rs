//! What owners and customs managers do to their colleagues, and accepting invitations.

use super::accounts::{target_org, target_user};
use crate::auth::{password, secrets, CurrentUser};
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::audit::{self, Actor};
use crate::models::invitation::{self, Invitation, NewInvitation};
use crate::models::organisation::{self, Organisation};
use crate::models::user::{self, NewUser, User};
use crate::models::{api_token, now, Role};
use crate::validate;

/// A new invitation; the token is shown once (as a link) and stored only as a digest.
pub struct Invited {
    pub invitation: Invitation,
    pub token: String,
}

pub fn invitation_path(token: &str) -> String {
    format!("/invitations/{token}")
}

pub fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw.trim())
        .ok_or_else(|| AppError::bad_request("invalid_role", format!("{raw:?} is not a role.")))
}

fn check_assignable(org: &Organisation, role: Role) -> Result<(), AppError> {
    if org.kind().assignable_roles().contains(&role) {
        Ok(())
    } else {
        let allowed: Vec<&str> = org
            .kind()
            .assignable_roles()
            .iter()
            .map(|r| r.as_str())
            .collect();
        Err(AppError::bad_request(
            "invalid_role",
            format!(
                "In a {} the roles you can give are: {}.",
                org.kind().label(),
                allowed.join(", ")
            ),
        ))
    }
}

pub fn create_invitation(
    conn: &mut DbConnection,
    actor: &Actor,
    org: &Organisation,
    email: &str,
    role: Role,
    days: u32,
) -> Result<Invited, AppError> {
    let token = secrets::generate("");
    let invitation = invitation::insert(
        conn,
        &NewInvitation {
            token_hash: &secrets::digest(&token),
            organisation_id: org.id,
            email,
            role: role.as_str(),
            invited_by: actor.user_id,
            created_at: now(),
            expires_at: now() + chrono::Duration::days(i64::from(days)),
        },
    )?;
    audit::record(
        conn,
        actor,
        "member.invite",
        &target_org(org.id),
        &format!("{email} as {role}"),
    )?;
    Ok(Invited { invitation, token })
}

/// A manager invites someone into their own organisation.
pub fn invite(
    conn: &mut DbConnection,
    manager: &CurrentUser,
    email: &str,
    role: Role,
    days: u32,
) -> Result<Invited, AppError> {
    manager.require_member_manager()?;
    let email = validate::email(email)?;
    check_assignable(&manager.org, role)?;
    db::transaction(conn, |conn| {
        if user::find_by_email(conn, &email)?.is_some() {
            return Err(AppError::Conflict(format!(
                "{email} already has an account."
            )));
        }
        create_invitation(conn, &manager.actor(), &manager.org, &email, role, days)
    })
}

/// A usable invitation and its organisation, or a message saying why it cannot be used.
pub fn find_usable(
    conn: &mut DbConnection,
    token: &str,
) -> Result<(Invitation, Organisation), AppError> {
    let found = invitation::find_by_token_hash(conn, &secrets::digest(token))?;
    let Some(invitation) = found.filter(Invitation::is_usable) else {
        return Err(AppError::NotFound(
            "This invitation link is unknown, already used or expired. Ask for a new one.".into(),
        ));
    };
    let org = organisation::find(conn, invitation.organisation_id)?;
    if !org.allows_sign_in() {
        return Err(AppError::forbidden(format!(
            "{} is {}.",
            org.name, org.status
        )));
    }
    Ok((invitation, org))
}

/// Creates the invited account; `password_hash` was computed off the async threads.
pub fn accept(
    conn: &mut DbConnection,
    token: &str,
    name: &str,
    password_hash: &str,
    ip: Option<String>,
) -> Result<User, AppError> {
    let name = validate::text("Your name", name, validate::MAX_NAME)?;
    db::transaction(conn, |conn| {
        let (invitation, org) = find_usable(conn, token)?;
        if user::find_by_email(conn, &invitation.email)?.is_some() {
            return Err(AppError::Conflict(format!(
                "{} already has an account.",
                invitation.email
            )));
        }
        let member = user::insert(
            conn,
            &NewUser {
                organisation_id: org.id,
                email: &invitation.email,
                name: &name,
                role: &invitation.role,
                password_hash,
                language: "en",
                must_change_password: false,
                created_at: now(),
            },
        )?;
        invitation::mark_accepted(conn, invitation.id)?;
        let actor = Actor {
            user_id: Some(member.id),
            organisation_id: Some(org.id),
            ip,
        };
        audit::record(
            conn,
            &actor,
            "member.accept_invitation",
            &target_user(member.id),
            &invitation.role,
        )?;
        Ok(member)
    })
}

/// A member of the manager's own organisation, other than the manager.
fn colleague(
    conn: &mut DbConnection,
    manager: &CurrentUser,
    user_id: i64,
) -> Result<User, AppError> {
    manager.require_member_manager()?;
    let member = user::find(conn, user_id).map_err(|_| AppError::not_found("That member"))?;
    if member.organisation_id != manager.org.id {
        // Same answer as for an unknown id: another organisation's members are not ours
        // to know about.
        return Err(AppError::not_found("That member"));
    }
    if member.id == manager.user.id {
        return Err(AppError::bad_request(
            "own_account",
            "You cannot change your own role or access here; hand over ownership instead.",
        ));
    }
    Ok(member)
}

pub fn change_role(
    conn: &mut DbConnection,
    manager: &CurrentUser,
    user_id: i64,
    role: Role,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let member = colleague(conn, manager, user_id)?;
        check_assignable(&manager.org, role)?;
        if member.role() == Role::Owner {
            return Err(AppError::bad_request(
                "owner_role",
                "The owner's role changes only by handing over ownership.",
            ));
        }
        user::set_role(conn, member.id, role)?;
        audit::record(
            conn,
            &manager.actor(),
            "member.change_role",
            &target_user(member.id),
            &format!("{} -> {}", member.role, role),
        )?;
        Ok(())
    })
}

/// Disables (ending every session and API token at once) or re-enables a member.
pub fn set_disabled(
    conn: &mut DbConnection,
    manager: &CurrentUser,
    user_id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    db::transaction(conn, |conn| {
        let member = colleague(conn, manager, user_id)?;
        if disabled && member.role() == Role::Owner {
            return Err(AppError::bad_request(
                "owner_role",
                "The owner cannot be disabled.",
            ));
        }
        user::set_disabled(conn, member.id, disabled)?;
        if disabled {
            user::revoke_sessions(conn, member.id, None)?;
            api_token::revoke_all_of_user(conn, member.id)?;
        }
        let action = if disabled {
            "member.disable"
        } else {
            "member.enable"
        };
        audit::record(conn, &manager.actor(), action, &target_user(member.id), "")?;
        Ok(())
    })
}

/// The owner of a right holder hands the owner role to a colleague and becomes an editor.
pub fn transfer_ownership(
    conn: &mut DbConnection,
    owner: &CurrentUser,
    user_id: i64,
) -> Result<(), AppError> {
    if owner.role() != Role::Owner {
        return Err(AppError::forbidden(
            "Only the owner can hand over ownership.",
        ));
    }
    db::transaction(conn, |conn| {
        let member = colleague(conn, owner, user_id)?;
        if member.disabled {
            return Err(AppError::bad_request(
                "member_disabled",
                "Enable the member first.",
            ));
        }
        user::set_role(conn, member.id, Role::Owner)?;
        user::set_role(conn, owner.user.id, Role::Editor)?;
        audit::record(
            conn,
            &owner.actor(),
            "member.transfer_ownership",
            &target_user(member.id),
            "",
        )?;
        Ok(())
    })
}

pub fn revoke_invitation(
    conn: &mut DbConnection,
    manager: &CurrentUser,
    invitation_id: i64,
) -> Result<(), AppError> {
    manager.require_member_manager()?;
    db::transaction(conn, |conn| {
        if invitation::revoke(conn, invitation_id, manager.org.id)? == 0 {
            return Err(AppError::not_found("That invitation"));
        }
        audit::record(
            conn,
            &manager.actor(),
            "member.revoke_invitation",
            &format!("invitation:{invitation_id}"),
            "",
        )?;
        Ok(())
    })
}

/// Password-strength check for an invited person, before the hash is computed.
pub fn check_new_password(invitation: &Invitation, plain: &str) -> Result<(), AppError> {
    password::check_strength(plain, &invitation.email)
}
