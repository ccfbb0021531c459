//! The register as a transparency log, and the audit log as a hash chain
//! (docs/ARCHITECTURE.md §15).
//!
//! Every register event — a line reserved, a copy issued, a line voided, a copy annulled,
//! a request refused, a book exported — is a leaf of one append-only Merkle tree of the
//! service, hashed as RFC 9162 says ([`merkle`]), appended in the transaction of the event
//! ([`append`]). Every audit row is a link of a hash chain ([`audit_chain`]). A signed tree
//! head ([`heads`]) fixes, at a moment, the tree's size and root and the chain's length
//! and head, under the log key: whoever edits, deletes or reorders rows afterwards cannot
//! sign a head that matches, so [`check`] (`certcopy registry verify`) finds the change,
//! and a copy's verification ([`proofs`]) shows whether its register entry is in a tree
//! the verifier trusts, with an inclusion proof that can be checked offline.
//!
//! Appends serialise on one counter row (`log_chains`, name `audit`), taken first by both
//! the register log and the audit chain, so two transactions never wait on each other in
//! opposite orders.

pub mod audit_chain;
pub mod check;
pub mod heads;
pub mod merkle;
pub mod proofs;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use crate::db::models::RegisterEntry;
use crate::db::schema::{log_chains, register_log, register_log_nodes};
use crate::db::{DbConn, DbError, DbResult, now_utc};
use merkle::{Hash, Nodes as _};

/// What a register entry is after an event: the facts a leaf fixes, which the register row
/// must still show (the last leaf of an entry is its current state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFacts {
    /// Entry id.
    pub id: String,
    /// Issuing office.
    pub office_id: String,
    /// Book year.
    pub year: i32,
    /// Certification number within the book.
    pub sequence: i64,
    /// Book reference.
    pub book: String,
    /// Verification code printed on the copy.
    pub code: String,
    /// Status after the event (`pending`, `valid`, `void`, `annulled`).
    pub status: String,
    /// SHA-256 of the signed copy, once issued.
    pub sha256: Option<String>,
    /// Reason of a void line or an annulment.
    pub reason: Option<String>,
}

impl From<&RegisterEntry> for EntryFacts {
    fn from(entry: &RegisterEntry) -> Self {
        EntryFacts {
            id: entry.id.to_string(),
            office_id: entry.office_id.to_string(),
            year: entry.year,
            sequence: entry.sequence,
            book: entry.book.clone(),
            code: entry.verification_code.clone(),
            status: entry.status.clone(),
            sha256: entry.document_sha256.clone(),
            reason: entry
                .annulled_reason
                .clone()
                .or_else(|| entry.void_reason.clone()),
        }
    }
}

/// One leaf of the log: an event of the register, as canonical JSON (fields in this order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    /// What happened, as the audit log names it (`copy.issue`, `copy.annul`, …).
    pub event: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Office concerned.
    pub office_id: Option<String>,
    /// What the event is about when it is not a register entry (a certification request,
    /// a book).
    pub subject: Option<String>,
    /// The entry after the event.
    pub entry: Option<EntryFacts>,
    /// Further facts.
    pub detail: Option<serde_json::Value>,
}

impl LogEvent {
    /// An event of one register entry, with the entry as it is now.
    pub fn of_entry(event: &str, entry: &RegisterEntry) -> LogEvent {
        LogEvent {
            event: event.to_owned(),
            at: rfc3339(now_utc()),
            office_id: Some(entry.office_id.to_string()),
            subject: None,
            entry: Some(EntryFacts::from(entry)),
            detail: None,
        }
    }

    /// An event of the register that concerns no entry.
    pub fn other(
        event: &str,
        office_id: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> LogEvent {
        LogEvent {
            event: event.to_owned(),
            at: rfc3339(now_utc()),
            office_id: Some(office_id.to_owned()),
            subject: Some(subject.to_owned()),
            entry: None,
            detail: Some(detail),
        }
    }
}

pub(crate) fn rfc3339(at: time::PrimitiveDateTime) -> String {
    at.assume_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

pub(crate) fn parse_hash(text: &str) -> Option<Hash> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(text, &mut hash).ok()?;
    Some(hash)
}

fn query_error(message: String) -> DbError {
    DbError::Query(diesel::result::Error::QueryBuilderError(message.into()))
}

/// Takes the counter row every append serialises on (the audit chain's), inside the
/// caller's transaction: held until it ends.
pub(crate) fn lock_appends(conn: &mut DbConn) -> DbResult<()> {
    diesel::update(log_chains::table.find("audit"))
        .set(log_chains::size.eq(log_chains::size))
        .execute(conn)?;
    Ok(())
}

/// Appends `event` to the log, in the transaction of the event; returns its leaf index.
pub fn append(conn: &mut DbConn, event: &LogEvent) -> DbResult<u64> {
    let leaf = serde_json::to_string(event).map_err(|e| query_error(e.to_string()))?;
    conn.transaction(|conn| {
        lock_appends(conn)?;
        let size: i64 = diesel::update(log_chains::table.find("register"))
            .set(log_chains::size.eq(log_chains::size + 1))
            .returning(log_chains::size)
            .get_result(conn)?;
        let index = size - 1;
        let hash = merkle::leaf_hash(leaf.as_bytes());
        diesel::insert_into(register_log::table)
            .values((
                register_log::leaf_index.eq(index),
                register_log::event.eq(&event.event),
                register_log::entry_id.eq(event.entry.as_ref().map(|e| e.id.clone())),
                register_log::code.eq(event.entry.as_ref().map(|e| e.code.clone())),
                register_log::leaf.eq(&leaf),
                register_log::leaf_hash.eq(hex::encode(hash)),
                register_log::at.eq(now_utc()),
            ))
            .execute(conn)?;
        store_completed_nodes(conn, u64::try_from(index).unwrap_or(0), hash)?;
        Ok(u64::try_from(index).unwrap_or(0))
    })
}

/// Stores the perfect subtrees that leaf `index` completes: while the node just made is a
/// right child, its parent is complete.
fn store_completed_nodes(conn: &mut DbConn, index: u64, leaf: Hash) -> DbResult<()> {
    let mut level = 0u32;
    let mut node_index = index;
    let mut hash = leaf;
    while node_index & 1 == 1 {
        let left = DbNodes { conn: &mut *conn }.node(level, node_index - 1)?;
        hash = merkle::node_hash(&left, &hash);
        level += 1;
        node_index >>= 1;
        diesel::insert_into(register_log_nodes::table)
            .values((
                register_log_nodes::level.eq(i32::try_from(level).unwrap_or(i32::MAX)),
                register_log_nodes::node_index.eq(i64::try_from(node_index).unwrap_or(i64::MAX)),
                register_log_nodes::hash.eq(hex::encode(hash)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The stored subtrees of the log, read from the database.
pub(crate) struct DbNodes<'a> {
    pub(crate) conn: &'a mut DbConn,
}

impl merkle::Nodes for DbNodes<'_> {
    type Error = DbError;
    fn node(&mut self, level: u32, index: u64) -> DbResult<Hash> {
        let index = i64::try_from(index).map_err(|_| query_error("node index".into()))?;
        let text: Option<String> = if level == 0 {
            register_log::table
                .find(index)
                .select(register_log::leaf_hash)
                .first(self.conn)
                .optional()?
        } else {
            register_log_nodes::table
                .find((i32::try_from(level).unwrap_or(i32::MAX), index))
                .select(register_log_nodes::hash)
                .first(self.conn)
                .optional()?
        };
        text.as_deref()
            .and_then(parse_hash)
            .ok_or_else(|| query_error(format!("log node {level}/{index} is missing")))
    }
}

/// The number of leaves in the log.
pub fn size(conn: &mut DbConn) -> DbResult<u64> {
    let size: i64 = log_chains::table
        .find("register")
        .select(log_chains::size)
        .first(conn)?;
    Ok(u64::try_from(size).unwrap_or(0))
}

/// At the first start after the log was added: the register entries and audit rows that
/// were there before it are taken in (each entry as a `register.adopt` leaf with its state
/// then; the old audit rows as the chain's starting hash), once.
pub fn adopt_existing(conn: &mut DbConn) -> DbResult<(usize, usize)> {
    crate::db::write_transaction(conn, |conn| {
        lock_appends(conn)?;
        let claimed = diesel::update(
            log_chains::table
                .find("adopted")
                .filter(log_chains::size.eq(0)),
        )
        .set(log_chains::size.eq(1))
        .execute(conn)?;
        if claimed == 0 {
            return Ok((0, 0));
        }
        let entries = RegisterEntry::all_in_order(conn)?;
        for entry in &entries {
            append(conn, &LogEvent::of_entry("register.adopt", entry))?;
        }
        let audit_rows = audit_chain::adopt(conn)?;
        Ok((entries.len(), audit_rows))
    })
}
