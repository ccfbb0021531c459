//! The audit log: who did what, when. Every staff and admin action — in accounts,
//! booking and the register — appends a row with [`record`] in the same transaction as
//! the action itself; [`Actor`] is the account acting. Admins read it with [`search`]:
//! newest first, narrowed by actor, office, action and local dates, a page at a time.

use std::collections::BTreeMap;

use time::{Date, PrimitiveDateTime, Time};

use crate::db::ids::{OfficeId, UserId};
use crate::db::models::{AuditEntry, AuditQuery, NewAuditEntry, Role, User};
use crate::db::{DbConn, DbResult, now_utc};
use crate::local_time::local_to_utc;

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
    crate::transparency::audit_chain::append(
        conn,
        NewAuditEntry {
            at: now_utc(),
            actor_id: actor.map(|a| a.id.clone()),
            actor_role: actor.map(|a| a.role.as_str().to_owned()),
            office_id,
            action: event.action.to_owned(),
            target: event.target,
            detail: event.detail.to_string(),
            request_id: request_id.map(str::to_owned),
            chain_index: None,
            chain_hash: None,
        },
    )
}

/// The newest `limit` rows of the log (at most 1,000), newest first: what an admin reads.
pub fn latest(conn: &mut DbConn, limit: i64) -> DbResult<Vec<AuditEntry>> {
    AuditEntry::latest(conn, limit.clamp(1, 1000))
}

/// Most rows one read of the log returns.
pub const MAX_ROWS: i64 = 1000;

/// What an admin looks for in the log; each field given narrows the rows, none gives
/// them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The account that acted: its username or its id.
    pub actor: Option<String>,
    /// The office the action concerns.
    pub office_id: Option<OfficeId>,
    /// One action (`office.create`), or, without a dot, every action on one kind of
    /// thing (`account` is `account.disable`, `account.enable`, …).
    pub action: Option<String>,
    /// First day, Viet Nam local date, inclusive.
    pub from: Option<Date>,
    /// Last day, Viet Nam local date, inclusive.
    pub to: Option<Date>,
    /// Only rows older than this sequence number (the next page of a listing).
    pub before: Option<i64>,
}

/// The rows matching `filter`, newest first, at most `limit` (1 to [`MAX_ROWS`]). An
/// actor that names no account matches nothing.
pub fn search(conn: &mut DbConn, filter: &AuditFilter, limit: i64) -> DbResult<Vec<AuditEntry>> {
    let actor = match filter.actor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match UserId::parse(text) {
            Some(id) => Some(id),
            None => match User::find_by_username(conn, &text.to_lowercase())? {
                Some(user) => Some(user.id),
                None => return Ok(Vec::new()),
            },
        },
    };
    let midnight_utc = |date: Date| local_to_utc(PrimitiveDateTime::new(date, Time::MIDNIGHT));
    let query = AuditQuery {
        actor_id: actor,
        office_id: filter.office_id.clone(),
        action: filter
            .action
            .as_deref()
            .map(str::trim)
            .filter(|action| !action.is_empty())
            .map(str::to_owned),
        since: filter.from.and_then(midnight_utc),
        until: filter
            .to
            .and_then(|date| date.next_day())
            .and_then(midnight_utc),
        before: filter.before,
    };
    AuditEntry::search(conn, &query, limit.clamp(1, MAX_ROWS))
}

/// How the actors of `entries` are named to a reader: their username, else their full
/// name, by account id.
pub fn actor_names(
    conn: &mut DbConn,
    entries: &[AuditEntry],
) -> DbResult<BTreeMap<UserId, String>> {
    let mut ids: Vec<UserId> = entries.iter().filter_map(|e| e.actor_id.clone()).collect();
    ids.sort();
    ids.dedup();
    Ok(User::find_many(conn, &ids)?
        .into_iter()
        .map(|user| {
            let name = user.username.clone().unwrap_or(user.full_name);
            (user.id, name)
        })
        .collect())
}
