//! What platform administrators do to organisations.

use super::accounts::target_org;
use super::members::{self, Invited};
use crate::auth::CurrentUser;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::models::audit;
use crate::models::organisation::{self, NewOrganisation, Organisation};
use crate::models::{now, OrgKind, OrgStatus, Role};
use crate::validate;

/// The status changes an admin may make, and from which statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Verify,
    Reject,
    Suspend,
    Reinstate,
}

impl Decision {
    fn target(self) -> OrgStatus {
        match self {
            Decision::Verify | Decision::Reinstate => OrgStatus::Verified,
            Decision::Reject => OrgStatus::Rejected,
            Decision::Suspend => OrgStatus::Suspended,
        }
    }

    fn allowed_from(self, status: OrgStatus) -> bool {
        match self {
            Decision::Verify => matches!(status, OrgStatus::Pending | OrgStatus::Rejected),
            Decision::Reject => status == OrgStatus::Pending,
            Decision::Suspend => matches!(status, OrgStatus::Verified | OrgStatus::Pending),
            Decision::Reinstate => status == OrgStatus::Suspended,
        }
    }

    fn needs_reason(self) -> bool {
        matches!(self, Decision::Reject | Decision::Suspend)
    }

    fn action(self) -> &'static str {
        match self {
            Decision::Verify => "organisation.verify",
            Decision::Reject => "organisation.reject",
            Decision::Suspend => "organisation.suspend",
            Decision::Reinstate => "organisation.reinstate",
        }
    }
}

/// Applies an admin's decision to an organisation.
pub fn decide(
    conn: &mut DbConnection,
    admin: &CurrentUser,
    org_id: i64,
    decision: Decision,
    reason: Option<&str>,
) -> Result<Organisation, AppError> {
    admin.require_admin()?;
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(validate::text("The reason", r, validate::MAX_REASON)?),
        None if decision.needs_reason() => {
            return Err(AppError::bad_request(
                "missing_reason",
                "Give a reason: the organisation's owner will read it.",
            ))
        }
        None => None,
    };
    db::transaction(conn, |conn| {
        let org = organisation::find(conn, org_id)?;
        if org.kind() == OrgKind::Platform {
            return Err(AppError::forbidden(
                "The platform organisation cannot be changed.",
            ));
        }
        if decision == Decision::Verify && org.kind() != OrgKind::RightHolder {
            return Err(AppError::bad_request(
                "not_a_right_holder",
                "Only right holders are verified; customs administrations are created verified.",
            ));
        }
        if !decision.allowed_from(org.status()) {
            return Err(AppError::Conflict(format!(
                "{} is {}, so it cannot be changed that way.",
                org.name, org.status
            )));
        }
        organisation::set_status(
            conn,
            org.id,
            decision.target(),
            reason.as_deref(),
            Some(admin.user.id),
        )?;
        audit::record(
            conn,
            &admin.actor(),
            decision.action(),
            &target_org(org.id),
            reason.as_deref().unwrap_or(""),
        )?;
        Ok(organisation::find(conn, org.id)?)
    })
}

/// Creates a customs administration (verified at once) and invites its manager.
pub fn create_customs(
    conn: &mut DbConnection,
    admin: &CurrentUser,
    name: &str,
    country: &str,
    manager_email: &str,
    invitation_days: u32,
) -> Result<(Organisation, Invited), AppError> {
    admin.require_admin()?;
    let name = validate::text("The administration's name", name, validate::MAX_NAME)?;
    let country = validate::country(country)?;
    let email = validate::email(manager_email)?;
    db::transaction(conn, |conn| {
        if organisation::name_taken(conn, OrgKind::Customs, &name)? {
            return Err(AppError::Conflict(format!(
                "A customs administration named {name:?} already exists."
            )));
        }
        let org = organisation::insert(
            conn,
            &NewOrganisation {
                kind: OrgKind::Customs.as_str(),
                name: &name,
                country: &country,
                website: None,
                status: OrgStatus::Verified.as_str(),
                created_at: now(),
            },
        )?;
        organisation::set_status(conn, org.id, OrgStatus::Verified, None, Some(admin.user.id))?;
        audit::record(
            conn,
            &admin.actor(),
            "organisation.create_customs",
            &target_org(org.id),
            &name,
        )?;
        let invited = members::create_invitation(
            conn,
            &admin.actor(),
            &org,
            &email,
            Role::CustomsManager,
            invitation_days,
        )?;
        Ok((organisation::find(conn, org.id)?, invited))
    })
}
