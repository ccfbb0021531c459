//! Four eyes for signing power (docs/ARCHITECTURE.md §9).
//!
//! An official signs copies for their office, and the development PKI (or, in
//! production, the certification authority asked by the operator) gives them a signing
//! certificate under the office's seal. So no single admin can make someone an official:
//!
//! 1. an admin **requests** the role for an enabled clerk of the office (or creates the
//!    account with role `official`, which creates it as a clerk and requests the role in
//!    the same transaction);
//! 2. a **second person** approves or refuses: the office's head official (the enabled
//!    official recorded in `office_heads` for the office, appointed by an admin among the
//!    office's officials) or another admin — never the requester, never the person
//!    concerned (the database's CHECK constraints hold this too);
//! 3. on approval the account becomes an official with the requested position; only then
//!    can it pass the `Official` guard, and only then does the development PKI issue its
//!    certificate. Until then it works as a clerk. A refusal leaves it a clerk.
//!
//! Requests, approvals, refusals and head appointments are audited.

use serde_json::json;

use super::AuthError;
use super::lifecycle::{LifecycleError, bounded_reason};
use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::{GrantId, OfficeId, UserId};
use crate::db::models::{GrantStatus, Office, OfficeHead, OfficialGrant, Role, User};
use crate::db::{DbConn, DbError, now_utc, write_transaction};

/// Checks a position (the title printed in the certification statement).
fn valid_position(position: &str) -> Result<String, AuthError> {
    let position = position.trim();
    if position.is_empty()
        || position.chars().count() > 100
        || position.chars().any(char::is_control)
    {
        return Err(AuthError::InvalidField("position"));
    }
    Ok(position.to_owned())
}

/// Records a request for the official role inside the caller's transaction (audited).
/// The account must be an enabled clerk of an office.
pub(super) fn open_request(
    conn: &mut DbConn,
    actor: &Actor,
    user: &User,
    position: &str,
    request_id: Option<&str>,
) -> Result<OfficialGrant, LifecycleError> {
    let position = valid_position(position)?;
    let office_id = match (&user.office_id, user.role(), user.disabled) {
        (Some(office_id), Role::Clerk, false) => office_id.clone(),
        _ => return Err(LifecycleError::NotAClerkOfOffice),
    };
    if user.id == actor.id {
        return Err(LifecycleError::SecondPersonRequired);
    }
    let grant = OfficialGrant {
        id: GrantId::generate(),
        user_id: user.id.clone(),
        office_id: office_id.clone(),
        position,
        status: GrantStatus::Pending.as_str().to_owned(),
        requested_by: actor.id.clone(),
        requested_at: now_utc(),
        decided_by: None,
        decided_at: None,
        refusal_reason: None,
    };
    grant.insert(conn).map_err(|error| match error {
        DbError::Duplicate { .. } => LifecycleError::GrantPending,
        other => other.into(),
    })?;
    let event = AuditEvent {
        action: "official_grant.request",
        target: Some(grant.id.to_string()),
        office_id: Some(office_id),
        detail: json!({ "user": grant.user_id, "position": grant.position }),
    };
    audit::record(conn, Some(actor), event, request_id)?;
    Ok(grant)
}

/// Requests the official role for an existing clerk (admin action, audited).
pub fn request_official_grant(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &UserId,
    position: &str,
    request_id: Option<&str>,
) -> Result<OfficialGrant, LifecycleError> {
    write_transaction(conn, |conn| {
        let user = User::find(conn, user_id)?.ok_or(AuthError::AccountNotFound)?;
        open_request(conn, actor, &user, position, request_id)
    })
}

/// The pending request of an account, if any.
pub fn pending_grant_of(
    conn: &mut DbConn,
    user_id: &UserId,
) -> Result<Option<OfficialGrant>, LifecycleError> {
    Ok(OfficialGrant::pending_of(conn, user_id)?)
}

/// The requests `viewer` may decide or follow: all of them for an admin, those of the
/// office they head for a head official; nobody else sees any.
pub fn list_official_grants(
    conn: &mut DbConn,
    viewer: &User,
    status: Option<GrantStatus>,
) -> Result<Vec<OfficialGrant>, LifecycleError> {
    match viewer.role() {
        Role::Admin => Ok(OfficialGrant::list(conn, None, status)?),
        Role::Official => match OfficeHead::office_of(conn, &viewer.id)? {
            Some(office_id) if viewer.office_id.as_ref() == Some(&office_id) => {
                Ok(OfficialGrant::list(conn, Some(&office_id), status)?)
            }
            _ => Err(LifecycleError::NotApprover),
        },
        _ => Err(AuthError::Forbidden.into()),
    }
}

/// Approves or refuses a pending request (audited). The decider must be a second person:
/// an admin other than the requester, or the head official of the request's office.
/// Approval makes the account an official of the office with the requested position.
pub fn decide_official_grant(
    conn: &mut DbConn,
    decider: &User,
    grant_id: &GrantId,
    approve: bool,
    refusal_reason: Option<&str>,
    request_id: Option<&str>,
) -> Result<OfficialGrant, LifecycleError> {
    let refusal_reason = match (approve, refusal_reason) {
        (true, _) => None,
        (false, Some(reason)) => Some(bounded_reason(reason)?),
        (false, None) => return Err(AuthError::InvalidField("reason").into()),
    };
    if !matches!(decider.role(), Role::Admin | Role::Official) {
        return Err(AuthError::Forbidden.into());
    }
    write_transaction(conn, |conn| {
        let grant = OfficialGrant::find(conn, grant_id)?.ok_or(LifecycleError::GrantNotFound)?;
        // Who may decide comes before the request's state, so an official of another
        // office learns nothing of it.
        if decider.role() == Role::Official && decider.office_id.as_ref() != Some(&grant.office_id)
        {
            return Err(LifecycleError::GrantNotFound);
        }
        if decider.id == grant.requested_by || decider.id == grant.user_id {
            return Err(LifecycleError::SecondPersonRequired);
        }
        let may_decide = match decider.role() {
            Role::Admin => true,
            Role::Official => OfficeHead::of_office(conn, &grant.office_id)?
                .is_some_and(|head| head.user_id == decider.id),
            _ => false,
        };
        if !may_decide {
            return Err(LifecycleError::NotApprover);
        }
        if grant.status() != GrantStatus::Pending {
            return Err(LifecycleError::GrantAlreadyDecided);
        }
        let status = if approve {
            GrantStatus::Approved
        } else {
            GrantStatus::Refused
        };
        let now = now_utc();
        if !OfficialGrant::decide(
            conn,
            grant_id,
            status,
            &decider.id,
            now,
            refusal_reason.as_deref(),
        )? {
            return Err(LifecycleError::GrantAlreadyDecided);
        }
        if approve
            && !User::promote_to_official(conn, &grant.user_id, &grant.office_id, &grant.position)?
        {
            return Err(LifecycleError::NotAClerkOfOffice);
        }
        let action = if approve {
            "official_grant.approve"
        } else {
            "official_grant.refuse"
        };
        let event = AuditEvent {
            action,
            target: Some(grant.id.to_string()),
            office_id: Some(grant.office_id.clone()),
            detail: json!({
                "user": grant.user_id,
                "position": grant.position,
                "requested_by": grant.requested_by,
                "reason": refusal_reason,
            }),
        };
        audit::record(conn, Some(&Actor::from(decider)), event, request_id)?;
        OfficialGrant::find(conn, grant_id)?.ok_or(LifecycleError::GrantNotFound)
    })
}

/// The head official recorded for an office, if any.
pub fn office_head(
    conn: &mut DbConn,
    office_id: &OfficeId,
) -> Result<Option<OfficeHead>, LifecycleError> {
    Ok(OfficeHead::of_office(conn, office_id)?)
}

/// Records the head official of an office (admin action, audited): an enabled official
/// of that office, who may then approve further officials of it.
pub fn appoint_office_head(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    user_id: &UserId,
    request_id: Option<&str>,
) -> Result<OfficeHead, LifecycleError> {
    write_transaction(conn, |conn| {
        Office::find(conn, office_id)?.ok_or(AuthError::OfficeNotFound)?;
        let user = User::find(conn, user_id)?.ok_or(AuthError::AccountNotFound)?;
        if user.role() != Role::Official
            || user.disabled
            || user.office_id.as_ref() != Some(office_id)
        {
            return Err(LifecycleError::NotAnOfficialOfOffice);
        }
        let head = OfficeHead {
            office_id: office_id.clone(),
            user_id: user_id.clone(),
            appointed_by: Some(actor.id.clone()),
            appointed_at: now_utc(),
        };
        head.replace(conn)?;
        let event = AuditEvent {
            action: "office.head_appoint",
            target: Some(user_id.to_string()),
            office_id: Some(office_id.clone()),
            detail: json!({ "position": user.position }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        Ok(head)
    })
}
