//! `certcopy registry verify`: recomputes the log and the audit chain from the database
//! and checks them against every published tree head and against the register's rows.
//! Each difference is a [`Finding`] with its position: a leaf, a stored node, a head, an
//! audit row, a register entry.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;

use super::audit_chain::{self, START};
use super::heads::{self, LogPublicKey, TreeHead};
use super::merkle::{self, Hash};
use super::{EntryFacts, LogEvent, parse_hash};
use crate::db::models::RegisterEntry;
use crate::db::schema::{log_chains, register_log, register_log_nodes};
use crate::db::{DbConn, DbResult};

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A leaf's content does not hash to its recorded hash, or is not an event.
    LeafAltered,
    /// A leaf is missing from the sequence.
    LeafMissing,
    /// The log's counter and its leaves disagree.
    LogSizeAltered,
    /// A stored subtree does not match the leaves below it.
    NodeAltered,
    /// A tree head is not signed by the trusted key.
    HeadUntrusted,
    /// The leaves no longer give a signed head's root.
    HeadMismatch,
    /// An audit row does not hash to its link of the chain.
    AuditRowAltered,
    /// An audit row is missing from the chain.
    AuditRowMissing,
    /// The audit rows older than the chain changed.
    AuditStartAltered,
    /// The chain no longer gives a signed head's audit head.
    AuditHeadMismatch,
    /// A register row differs from its last event in the log.
    EntryAltered,
    /// A register row has no event in the log.
    EntryNotLogged,
    /// A register row the log knows is gone.
    EntryDeleted,
}

/// One difference, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What.
    pub kind: FindingKind,
    /// Where: `leaf 12`, `audit row 40`, `entry 01/2026-SCT/BS #7`, `head 15/…`.
    pub position: String,
    /// In words (English; operators read it in the terminal).
    pub message: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    /// Leaves in the log.
    pub leaves: u64,
    /// Published tree heads checked.
    pub heads: usize,
    /// Rows in the audit chain.
    pub audit_rows: u64,
    /// Audit rows older than the chain.
    pub audit_rows_before_chain: usize,
    /// Register entries compared with the log.
    pub entries: usize,
    /// Every difference found, in the order of the checks.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    fn find(&mut self, kind: FindingKind, position: String, message: String) {
        self.findings.push(Finding {
            kind,
            position,
            message,
        });
    }
}

fn head_name(head: &TreeHead) -> String {
    format!(
        "head {}/{} signed {}",
        head.tree_size, head.audit_size, head.signed_at
    )
}

/// Runs every check; heads are trusted only when `trusted` signed them.
pub fn run(conn: &mut DbConn, trusted: &LogPublicKey) -> DbResult<CheckReport> {
    let mut report = CheckReport::default();
    let chains: Vec<(String, i64, String)> = log_chains::table
        .select((log_chains::name, log_chains::size, log_chains::head))
        .load(conn)?;
    let chain = |name: &str| {
        chains
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, size, head)| (*size, head.clone()))
            .unwrap_or((0, String::new()))
    };
    let heads = heads::all(conn)?;
    report.heads = heads.len();
    let hashes = check_leaves(
        conn,
        &mut report,
        u64::try_from(chain("register").0).unwrap_or(0),
    )?;
    check_nodes(conn, &mut report, &hashes)?;
    check_heads(&mut report, &heads, &hashes, trusted);
    check_audit(
        conn,
        &mut report,
        &heads,
        chain("audit"),
        &chain("adopted").1,
    )?;
    check_entries(conn, &mut report)?;
    Ok(report)
}

/// A stored leaf: index, entry id, code, content, recorded hash.
type LeafRow = (i64, Option<String>, Option<String>, String, String);

/// The leaves: contiguous, each hashing to its recorded hash; returns the hashes of the
/// leaves' content (what the heads must be the root of).
fn check_leaves(conn: &mut DbConn, report: &mut CheckReport, size: u64) -> DbResult<Vec<Hash>> {
    let rows: Vec<LeafRow> = register_log::table
        .order(register_log::leaf_index.asc())
        .select((
            register_log::leaf_index,
            register_log::entry_id,
            register_log::code,
            register_log::leaf,
            register_log::leaf_hash,
        ))
        .load(conn)?;
    let mut hashes = Vec::with_capacity(rows.len());
    let mut expected = 0u64;
    for (index, entry_id, code, leaf, stored) in rows {
        let index = u64::try_from(index).unwrap_or(u64::MAX);
        while expected < index && expected < size {
            report.find(
                FindingKind::LeafMissing,
                format!("leaf {expected}"),
                format!("leaf {expected} is missing: deleted from the log"),
            );
            hashes.push([0u8; 32]);
            expected += 1;
        }
        if index >= size {
            report.find(
                FindingKind::LogSizeAltered,
                format!("leaf {index}"),
                format!("leaf {index} lies beyond the log's size {size}"),
            );
            continue;
        }
        let hash = merkle::leaf_hash(leaf.as_bytes());
        let event = serde_json::from_str::<LogEvent>(&leaf).ok();
        let columns_agree = event.as_ref().is_some_and(|event| {
            event.entry.as_ref().map(|e| &e.id) == entry_id.as_ref()
                && event.entry.as_ref().map(|e| &e.code) == code.as_ref()
        });
        if parse_hash(&stored) != Some(hash) || !columns_agree {
            report.find(
                FindingKind::LeafAltered,
                format!("leaf {index}"),
                format!("leaf {index} was changed: its content no longer matches its hash"),
            );
        }
        hashes.push(hash);
        expected = index + 1;
    }
    if expected < size {
        report.find(
            FindingKind::LeafMissing,
            format!("leaves {expected}..{size}"),
            format!(
                "the log counts {size} leaves but only {expected} are there: the last were deleted"
            ),
        );
    }
    report.leaves = size;
    Ok(hashes)
}

/// The stored subtrees, level by level, against the leaves.
fn check_nodes(conn: &mut DbConn, report: &mut CheckReport, leaves: &[Hash]) -> DbResult<()> {
    let rows: Vec<(i32, i64, String)> = register_log_nodes::table
        .order((
            register_log_nodes::level.asc(),
            register_log_nodes::node_index.asc(),
        ))
        .select((
            register_log_nodes::level,
            register_log_nodes::node_index,
            register_log_nodes::hash,
        ))
        .load(conn)?;
    let mut stored: BTreeMap<(i32, i64), String> = BTreeMap::new();
    for (level, index, hash) in rows {
        stored.insert((level, index), hash);
    }
    let mut below: Vec<Hash> = leaves.to_vec();
    let mut level = 0i32;
    while below.len() > 1 {
        level += 1;
        let above: Vec<Hash> = below
            .chunks_exact(2)
            .map(|pair| merkle::node_hash(&pair[0], &pair[1]))
            .collect();
        for (index, hash) in above.iter().enumerate() {
            let key = (level, i64::try_from(index).unwrap_or(i64::MAX));
            match stored.remove(&key) {
                Some(text) if parse_hash(&text) == Some(*hash) => {}
                _ => report.find(
                    FindingKind::NodeAltered,
                    format!("node {level}/{index}"),
                    format!(
                        "the stored subtree over leaves {}..{} does not match them",
                        index << level,
                        (index + 1) << level
                    ),
                ),
            }
        }
        below = above;
    }
    for (level, index) in stored.keys() {
        report.find(
            FindingKind::NodeAltered,
            format!("node {level}/{index}"),
            "a stored subtree lies beyond the leaves".to_owned(),
        );
    }
    Ok(())
}

/// Every head: signed by the trusted key, and the root of the leaves below its size.
fn check_heads(
    report: &mut CheckReport,
    heads: &[TreeHead],
    leaves: &[Hash],
    trusted: &LogPublicKey,
) {
    let mut last_good = 0u64;
    for head in heads {
        if !head.signed_by(trusted) {
            report.find(
                FindingKind::HeadUntrusted,
                head_name(head),
                "the head is not signed by the trusted log key".to_owned(),
            );
            continue;
        }
        let size = usize::try_from(head.tree_size).unwrap_or(usize::MAX);
        let Some(prefix) = leaves.get(..size) else {
            report.find(
                FindingKind::HeadMismatch,
                head_name(head),
                format!(
                    "the head covers {} leaves but the log has {}: leaves were removed",
                    head.tree_size,
                    leaves.len()
                ),
            );
            continue;
        };
        if head.root() != Some(merkle::root_of(prefix)) {
            report.find(
                FindingKind::HeadMismatch,
                head_name(head),
                format!(
                    "the leaves no longer give this head's root: a leaf between {} and {} was changed, removed or moved",
                    last_good, head.tree_size
                ),
            );
        } else {
            last_good = head.tree_size;
        }
    }
}

/// The audit chain: its start, each row's link, its length, and every head's audit head.
fn check_audit(
    conn: &mut DbConn,
    report: &mut CheckReport,
    heads: &[TreeHead],
    (size, head): (i64, String),
    recorded_start: &str,
) -> DbResult<()> {
    let unplaced = audit_chain::unplaced_rows(conn)?;
    report.audit_rows_before_chain = unplaced.len();
    let start = audit_chain::chain_of_unplaced(&unplaced);
    if !recorded_start.is_empty() && parse_hash(recorded_start) != Some(start) {
        report.find(
            FindingKind::AuditStartAltered,
            "audit rows before the chain".to_owned(),
            format!(
                "the {} audit rows older than the chain were changed, removed or added",
                unplaced.len()
            ),
        );
    }
    let rows = audit_chain::placed_rows(conn)?;
    // `truth` follows the rows as they are; `stored` follows each row's recorded link, so
    // that one changed row is reported once, not with every row after it.
    let mut truth = parse_hash(recorded_start).unwrap_or(START);
    if recorded_start.is_empty() {
        truth = start;
    }
    let mut previous_stored = truth;
    let mut truth_at: BTreeMap<u64, Hash> = BTreeMap::new();
    truth_at.insert(0, truth);
    let mut expected = 1i64;
    for row in &rows {
        let index = row.chain_index.unwrap_or(0);
        if index > expected {
            report.find(
                FindingKind::AuditRowMissing,
                format!("audit row {expected}"),
                if index - expected == 1 {
                    format!("audit row {expected} is missing: deleted")
                } else {
                    format!(
                        "audit rows {expected} to {} are missing: deleted",
                        index - 1
                    )
                },
            );
            // The row after a gap cannot be checked against its own link.
            previous_stored = row
                .chain_hash
                .as_deref()
                .and_then(parse_hash)
                .unwrap_or(previous_stored);
            truth = audit_chain::link(&truth, &audit_chain::stored_row_bytes(row, Some(index)));
            truth_at.insert(u64::try_from(index).unwrap_or(0), truth);
            expected = index + 1;
            continue;
        }
        let bytes = audit_chain::stored_row_bytes(row, Some(index));
        let recomputed = audit_chain::link(&previous_stored, &bytes);
        let stored = row.chain_hash.as_deref().and_then(parse_hash);
        if stored != Some(recomputed) {
            report.find(
                FindingKind::AuditRowAltered,
                format!("audit row {index}"),
                format!(
                    "audit row {index} ({}, {}) was changed or moved: it no longer hashes to its link",
                    row.action,
                    super::rfc3339(row.at)
                ),
            );
        }
        previous_stored = stored.unwrap_or(recomputed);
        truth = audit_chain::link(&truth, &bytes);
        truth_at.insert(u64::try_from(index).unwrap_or(0), truth);
        expected = index + 1;
    }
    if expected - 1 != size {
        report.find(
            FindingKind::AuditRowMissing,
            format!("audit rows {expected}..{size}"),
            format!(
                "the chain counts {size} rows but ends at row {}: the last were deleted",
                expected - 1
            ),
        );
    } else if parse_hash(&head) != Some(truth) && report.findings.is_empty() {
        report.find(
            FindingKind::AuditRowAltered,
            format!("audit row {size}"),
            "the chain's recorded head does not match its rows".to_owned(),
        );
    }
    report.audit_rows = u64::try_from(size).unwrap_or(0);
    for head in heads {
        let at = truth_at.get(&head.audit_size);
        if at.is_none() || at.copied() != parse_hash(&head.audit_head) {
            report.find(
                FindingKind::AuditHeadMismatch,
                head_name(head),
                format!(
                    "the audit rows up to {} no longer give this head's audit hash: a row up to there was changed, removed or moved",
                    head.audit_size
                ),
            );
        }
    }
    Ok(())
}

fn entry_name(facts: &EntryFacts) -> String {
    format!(
        "entry of office {} book {} #{}",
        facts.office_id, facts.book, facts.sequence
    )
}

/// Every register row against its last event in the log.
fn check_entries(conn: &mut DbConn, report: &mut CheckReport) -> DbResult<()> {
    let leaves: Vec<(i64, String, String)> = register_log::table
        .filter(register_log::entry_id.is_not_null())
        .order(register_log::leaf_index.asc())
        .select((
            register_log::leaf_index,
            register_log::entry_id.assume_not_null(),
            register_log::leaf,
        ))
        .load(conn)?;
    let mut last: BTreeMap<String, (i64, Option<EntryFacts>)> = BTreeMap::new();
    for (index, entry_id, leaf) in leaves {
        let facts = serde_json::from_str::<LogEvent>(&leaf)
            .ok()
            .and_then(|event| event.entry);
        last.insert(entry_id, (index, facts));
    }
    let entries = RegisterEntry::all_in_order(conn)?;
    report.entries = entries.len();
    for entry in &entries {
        let row = EntryFacts::from(entry);
        match last.remove(&row.id) {
            None => report.find(
                FindingKind::EntryNotLogged,
                entry_name(&row),
                format!(
                    "register entry {} has no event in the log: it was added outside the service",
                    row.id
                ),
            ),
            Some((index, Some(logged))) if logged != row => report.find(
                FindingKind::EntryAltered,
                entry_name(&row),
                format!(
                    "the register row differs from its last event (leaf {index}): the row says {} {}, the log {} {}",
                    row.status,
                    describe(&row),
                    logged.status,
                    describe(&logged)
                ),
            ),
            Some(_) => {}
        }
    }
    for (id, (index, facts)) in last {
        let position = facts
            .as_ref()
            .map(entry_name)
            .unwrap_or_else(|| format!("entry {id}"));
        report.find(
            FindingKind::EntryDeleted,
            position,
            format!("register entry {id} (last event leaf {index}) is no longer in the register"),
        );
    }
    Ok(())
}

fn describe(facts: &EntryFacts) -> String {
    format!(
        "(number {} of book {}, code {}{})",
        facts.sequence,
        facts.book,
        facts.code,
        facts
            .sha256
            .as_deref()
            .map(|s| format!(", sha256 {}…", s.get(..12).unwrap_or(s)))
            .unwrap_or_default()
    )
}
