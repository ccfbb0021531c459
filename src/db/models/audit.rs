use diesel::prelude::*;
use serde::Serialize;

use crate::db::ids::{OfficeId, UserId};
use crate::db::schema::audit_log;
use crate::db::{DbConn, DbResult};

/// One audit log row: who did what, where, when.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_rfc3339")]
    pub at: time::PrimitiveDateTime,
    /// Acting account (none for the system itself).
    pub actor_id: Option<UserId>,
    /// Role of the actor at the time.
    pub actor_role: Option<String>,
    /// Office concerned.
    pub office_id: Option<OfficeId>,
    /// Action name, e.g. `office.create`.
    pub action: String,
    /// Object acted on (id).
    pub target: Option<String>,
    /// JSON details (never passwords or keys).
    pub detail: String,
    /// Request id of the HTTP request, if any.
    pub request_id: Option<String>,
    /// Place in the audit chain (from 1; none for rows older than the chain).
    #[serde(skip)]
    pub chain_index: Option<i64>,
    /// The chain's head after this row, hex.
    #[serde(skip)]
    pub chain_hash: Option<String>,
}

/// A new audit row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    /// When.
    pub at: time::PrimitiveDateTime,
    /// Actor.
    pub actor_id: Option<UserId>,
    /// Actor role.
    pub actor_role: Option<String>,
    /// Office concerned.
    pub office_id: Option<OfficeId>,
    /// Action name.
    pub action: String,
    /// Target id.
    pub target: Option<String>,
    /// JSON details.
    pub detail: String,
    /// Request id.
    pub request_id: Option<String>,
    /// Place in the audit chain (from 1).
    pub chain_index: Option<i64>,
    /// The chain's head after this row, hex.
    pub chain_hash: Option<String>,
}

/// The narrowing of [`AuditEntry::search`], in stored terms.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Acting account.
    pub actor_id: Option<UserId>,
    /// Office concerned.
    pub office_id: Option<OfficeId>,
    /// An action, or without a dot every action that starts with it and a dot.
    pub action: Option<String>,
    /// At or after (UTC).
    pub since: Option<time::PrimitiveDateTime>,
    /// Before (UTC).
    pub until: Option<time::PrimitiveDateTime>,
    /// Sequence number below this.
    pub before: Option<i64>,
}

impl AuditEntry {
    /// Appends a row; call inside the transaction of the action it records.
    pub fn append(conn: &mut DbConn, entry: &NewAuditEntry) -> DbResult<()> {
        diesel::insert_into(audit_log::table)
            .values(entry)
            .execute(conn)?;
        Ok(())
    }

    /// Latest rows, newest first.
    pub fn latest(conn: &mut DbConn, limit: i64) -> DbResult<Vec<AuditEntry>> {
        Ok(audit_log::table
            .order(audit_log::id.desc())
            .limit(limit)
            .select(AuditEntry::as_select())
            .load(conn)?)
    }

    /// Rows matching `query`, newest first, at most `limit`.
    pub fn search(conn: &mut DbConn, query: &AuditQuery, limit: i64) -> DbResult<Vec<AuditEntry>> {
        let mut q = audit_log::table
            .select(AuditEntry::as_select())
            .order(audit_log::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(actor) = &query.actor_id {
            q = q.filter(audit_log::actor_id.eq(actor.clone()));
        }
        if let Some(office) = &query.office_id {
            q = q.filter(audit_log::office_id.eq(office.clone()));
        }
        if let Some(action) = &query.action {
            if action.contains('.') {
                q = q.filter(audit_log::action.eq(action.clone()));
            } else {
                let escaped: String = action
                    .chars()
                    .flat_map(|c| match c {
                        '\\' | '%' | '_' => vec!['\\', c],
                        other => vec![other],
                    })
                    .collect();
                q = q.filter(
                    audit_log::action
                        .eq(action.clone())
                        .or(audit_log::action.like(format!("{escaped}.%")).escape('\\')),
                );
            }
        }
        if let Some(since) = query.since {
            q = q.filter(audit_log::at.ge(since));
        }
        if let Some(until) = query.until {
            q = q.filter(audit_log::at.lt(until));
        }
        if let Some(before) = query.before {
            q = q.filter(audit_log::id.lt(before));
        }
        Ok(q.load(conn)?)
    }
}
