//! The audit log: who did what, when. Every staff and admin action — in accounts,
//! booking and the register — appends a row with [`record`] in the same transaction as
//! the action itself; [`Actor`] is the account acting.

use crate::db::ids::{OfficeId, UserId};
use crate::db::models::{AuditEntry, NewAuditEntry, Role, User};
use crate::db::{DbConn, DbResult, now_utc};

/// Who performed an action.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id.
    pub id: UserId,
    /// Role at the time.
    pub role: Role,
    /// Office of staff.
    pub office_id: Option<OfficeId>,
}

impl From<&User> for Actor {
    fn from(user: &User) -> Self {
        Actor {
            id: user.id.clone(),
            role: user.role(),
            office_id: user.office_id.clone(),
        }
    }
}

/// What is being recorded.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// Action name, `noun.verb` (e.g. `staff.create`).
    pub action: &'a str,
    /// Id of the object acted on.
    pub target: Option<String>,
    /// Office the action concerns (defaults to the actor's).
    pub office_id: Option<OfficeId>,
    /// Details as JSON; never passwords, tokens or keys.
    pub detail: serde_json::Value,
}

/// Appends an audit row. Call inside the transaction that performs the action.
pub fn record(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    event: AuditEvent<'_>,
    request_id: Option<&str>,
) -> DbResult<()> {
    let office_id = event
        .office_id
        .or_else(|| actor.and_then(|a| a.office_id.clone()));
    AuditEntry::append(
        conn,
        &NewAuditEntry {
            at: now_utc(),
            actor_id: actor.map(|a| a.id.clone()),
            actor_role: actor.map(|a| a.role.as_str().to_owned()),
            office_id,
            action: event.action.to_owned(),
            target: event.target,
            detail: event.detail.to_string(),
            request_id: request_id.map(str::to_owned),
        },
    )
}

/// The newest `limit` rows of the log (at most 1,000), newest first: what an admin reads.
pub fn latest(conn: &mut DbConn, limit: i64) -> DbResult<Vec<AuditEntry>> {
    AuditEntry::latest(conn, limit.clamp(1, 1000))
}
