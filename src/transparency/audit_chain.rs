//! The audit log as a hash chain: row `n` carries `h(n) = SHA-256("certcopy audit chain
//! v1" ‖ h(n-1) ‖ SHA-256(row n))`, where the row is its place and every column as
//! canonical JSON. The chain starts from 32 zero bytes, or, in a database that had audit
//! rows before the chain, from the chain of those rows in id order ([`adopt`]). Tree heads
//! sign the chain's length and head, so a row edited, deleted or moved — even with every
//! later hash rewritten — no longer matches a signed head.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::merkle::Hash;
use super::{lock_appends, parse_hash};
use crate::db::models::{AuditEntry, NewAuditEntry};
use crate::db::schema::{audit_log, log_chains};
use crate::db::{DbConn, DbResult};

const DOMAIN: &[u8] = b"certcopy audit chain v1";

/// The head of an empty chain.
pub const START: Hash = [0u8; 32];

/// The columns of a row, as the chain hashes them.
#[allow(clippy::too_many_arguments)]
fn row_bytes(
    index: Option<i64>,
    at: time::PrimitiveDateTime,
    actor_id: Option<&str>,
    actor_role: Option<&str>,
    office_id: Option<&str>,
    action: &str,
    target: Option<&str>,
    detail: &str,
    request_id: Option<&str>,
) -> Vec<u8> {
    let at = at.assume_utc().unix_timestamp_nanos() / 1_000;
    serde_json::json!([
        index, at, actor_id, actor_role, office_id, action, target, detail, request_id
    ])
    .to_string()
    .into_bytes()
}

/// The head after a row.
pub fn link(previous: &Hash, row: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(previous);
    hasher.update(Sha256::digest(row));
    hasher.finalize().into()
}

/// What the chain hashes of a stored row (`index` is its place, or none for a row older
/// than the chain).
pub fn stored_row_bytes(row: &AuditEntry, index: Option<i64>) -> Vec<u8> {
    row_bytes(
        index,
        row.at,
        row.actor_id.as_ref().map(|id| id.as_str()),
        row.actor_role.as_deref(),
        row.office_id.as_ref().map(|id| id.as_str()),
        &row.action,
        row.target.as_deref(),
        &row.detail,
        row.request_id.as_deref(),
    )
}

/// Appends an audit row as the chain's next link, in the caller's transaction.
pub(crate) fn append(conn: &mut DbConn, mut entry: NewAuditEntry) -> DbResult<()> {
    conn.transaction(|conn| {
        lock_appends(conn)?;
        let (size, head): (i64, String) = diesel::update(log_chains::table.find("audit"))
            .set(log_chains::size.eq(log_chains::size + 1))
            .returning((log_chains::size, log_chains::head))
            .get_result(conn)?;
        let previous = parse_hash(&head).unwrap_or(START);
        let hash = link(
            &previous,
            &row_bytes(
                Some(size),
                entry.at,
                entry.actor_id.as_ref().map(|id| id.as_str()),
                entry.actor_role.as_deref(),
                entry.office_id.as_ref().map(|id| id.as_str()),
                &entry.action,
                entry.target.as_deref(),
                &entry.detail,
                entry.request_id.as_deref(),
            ),
        );
        let hash = hex::encode(hash);
        entry.chain_index = Some(size);
        entry.chain_hash = Some(hash.clone());
        AuditEntry::append(conn, &entry)?;
        diesel::update(log_chains::table.find("audit"))
            .set(log_chains::head.eq(hash))
            .execute(conn)?;
        Ok(())
    })
}

/// The chain of the rows older than the chain (no place in it), in id order.
pub fn chain_of_unplaced(rows: &[AuditEntry]) -> Hash {
    rows.iter()
        .fold(START, |head, row| link(&head, &stored_row_bytes(row, None)))
}

/// Rows without a place in the chain, in id order.
pub fn unplaced_rows(conn: &mut DbConn) -> DbResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::chain_index.is_null())
        .order(audit_log::id.asc())
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Rows with a place in the chain, in chain order.
pub fn placed_rows(conn: &mut DbConn) -> DbResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::chain_index.is_not_null())
        .order(audit_log::chain_index.asc())
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Takes the audit rows older than the chain in: the chain (still empty) starts from their
/// hash. Returns how many there were.
pub(crate) fn adopt(conn: &mut DbConn) -> DbResult<usize> {
    lock_appends(conn)?;
    let rows = unplaced_rows(conn)?;
    let start = chain_of_unplaced(&rows);
    diesel::update(
        log_chains::table
            .find("audit")
            .filter(log_chains::size.eq(0)),
    )
    .set(log_chains::head.eq(hex::encode(start)))
    .execute(conn)?;
    // Kept apart too, so the check can tell a change among these rows from one after.
    diesel::update(log_chains::table.find("adopted"))
        .set(log_chains::head.eq(hex::encode(start)))
        .execute(conn)?;
    Ok(rows.len())
}
