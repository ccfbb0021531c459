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
}
