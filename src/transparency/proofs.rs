//! Proofs from the log: that a copy's register events are leaves of a signed tree
//! (inclusion), that one signed tree extends another (consistency), and what a copy's
//! verification says of its entry.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::heads::{self, LogKey, LogPublicKey, TreeHead};
use super::merkle;
use super::{DbNodes, EntryFacts, LogEvent, parse_hash};
use crate::db::schema::register_log;
use crate::db::{DbConn, DbResult};
use crate::verification::{TransparencyState, TransparencyStatus};

/// One leaf with its audit path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeafProof {
    /// The leaf's place in the log (from 0).
    pub leaf_index: u64,
    /// The leaf as stored: the event as canonical JSON; its RFC 9162 leaf hash is
    /// SHA-256 of a 0 byte and these bytes (UTF-8).
    pub leaf: String,
    /// The audit path to the tree head's root, leaf side first, hex.
    pub audit_path: Vec<String>,
}

/// Everything needed to check offline, with the log's public key only, that the register
/// events of a copy are in the log: a signed tree head and each event's leaf with its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InclusionBundle {
    /// The copy's verification code.
    pub code: String,
    /// The signed head the paths lead to.
    pub tree_head: TreeHead,
    /// The copy's events, oldest first (a line reserved, issued, and annulled if it was).
    pub leaves: Vec<LeafProof>,
}

/// Why a bundle does not check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The head is not signed by the trusted key.
    #[error("the tree head is not signed by the trusted log key")]
    Untrusted,
    /// A path does not lead to the head's root.
    #[error("leaf {0} is not included under the tree head")]
    NotIncluded(u64),
    /// A leaf is not an event of the copy with this code.
    #[error("leaf {0} is not an event of this copy")]
    OtherCopy(u64),
    /// No leaf.
    #[error("the bundle holds no leaf")]
    Empty,
}

impl InclusionBundle {
    /// Checks the bundle with the log's public key; on success, the copy's state as the
    /// log last recorded it.
    pub fn check(&self, key: &LogPublicKey) -> Result<EntryFacts, BundleError> {
        if !self.tree_head.signed_by(key) {
            return Err(BundleError::Untrusted);
        }
        let root = self.tree_head.root().ok_or(BundleError::Untrusted)?;
        let mut last = None;
        for leaf in &self.leaves {
            let path: Option<Vec<merkle::Hash>> =
                leaf.audit_path.iter().map(|h| parse_hash(h)).collect();
            let included = path.is_some_and(|path| {
                merkle::verify_inclusion(
                    leaf.leaf_index,
                    self.tree_head.tree_size,
                    &merkle::leaf_hash(leaf.leaf.as_bytes()),
                    &path,
                    &root,
                )
            });
            if !included {
                return Err(BundleError::NotIncluded(leaf.leaf_index));
            }
            let facts = serde_json::from_str::<LogEvent>(&leaf.leaf)
                .ok()
                .and_then(|event| event.entry)
                .filter(|facts| facts.code == self.code)
                .ok_or(BundleError::OtherCopy(leaf.leaf_index))?;
            last = Some(facts);
        }
        last.ok_or(BundleError::Empty)
    }
}

/// The leaves of the copy with this code, oldest first: index, leaf text, leaf hash.
fn leaves_of_code(conn: &mut DbConn, code: &str) -> DbResult<Vec<(i64, String, String)>> {
    Ok(register_log::table
        .filter(register_log::code.eq(code))
        .order(register_log::leaf_index.asc())
        .select((
            register_log::leaf_index,
            register_log::leaf,
            register_log::leaf_hash,
        ))
        .load(conn)?)
}

/// The inclusion bundle of the copy with this code, under the newest head; a head is
/// published first when none covers the copy's last event yet. `None`: no such copy in
/// the log, or the copy was never issued (its line only reserved or voided).
pub fn bundle_for_code(
    conn: &mut DbConn,
    code: &str,
    key: &LogKey,
) -> DbResult<Option<InclusionBundle>> {
    let leaves = leaves_of_code(conn, code)?;
    let issued = leaves.iter().any(|(_, leaf, _)| {
        serde_json::from_str::<LogEvent>(leaf)
            .ok()
            .and_then(|e| e.entry)
            .is_some_and(|facts| facts.sha256.is_some())
    });
    let Some(last) = leaves.last().map(|(index, _, _)| *index) else {
        return Ok(None);
    };
    if !issued {
        return Ok(None);
    }
    let last = u64::try_from(last).unwrap_or(0);
    let head = match heads::latest(conn)? {
        Some(head) if head.tree_size > last => head,
        _ => heads::publish(conn, key)?,
    };
    let mut proofs = Vec::with_capacity(leaves.len());
    for (index, leaf, _) in leaves {
        let index = u64::try_from(index).unwrap_or(0);
        let path =
            merkle::inclusion_proof(&mut DbNodes { conn: &mut *conn }, index, head.tree_size)?
                .unwrap_or_default();
        proofs.push(LeafProof {
            leaf_index: index,
            leaf,
            audit_path: path.iter().map(hex::encode).collect(),
        });
    }
    Ok(Some(InclusionBundle {
        code: code.to_owned(),
        tree_head: head,
        leaves: proofs,
    }))
}

/// A consistency proof between two published heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsistencyBundle {
    /// The older head.
    pub first: TreeHead,
    /// The newer head.
    pub second: TreeHead,
    /// The RFC 9162 consistency proof, hex.
    pub proof: Vec<String>,
}

/// The proof that the published tree of `first` leaves is a prefix of that of `second`;
/// `None` when either size has no published head or `first` is 0 or above `second`.
pub fn consistency(
    conn: &mut DbConn,
    first: u64,
    second: u64,
) -> DbResult<Option<ConsistencyBundle>> {
    if first == 0 || first > second {
        return Ok(None);
    }
    let (Some(old), Some(new)) = (heads::of_size(conn, first)?, heads::of_size(conn, second)?)
    else {
        return Ok(None);
    };
    let proof = merkle::consistency_proof(&mut DbNodes { conn: &mut *conn }, first, second)?
        .unwrap_or_default();
    Ok(Some(ConsistencyBundle {
        first: old,
        second: new,
        proof: proof.iter().map(hex::encode).collect(),
    }))
}

/// What the log says of a copy found in the register (`entry`, its row as it is now) or
/// claimed by its code when no row has it: whether the row is what the log last
/// recorded, and whether that event is included under the newest head signed by `trusted`.
pub fn entry_status(
    conn: &mut DbConn,
    code: &str,
    row: Option<&EntryFacts>,
    trusted: &LogPublicKey,
) -> DbResult<TransparencyStatus> {
    let leaves = leaves_of_code(conn, code)?;
    let status = |state, leaf_index: Option<u64>, head: Option<&TreeHead>| TransparencyStatus {
        state,
        leaf_index,
        tree_size: head.map(|h| h.tree_size),
        signed_at: head.map(|h| h.signed_at.clone()),
        key_id: head.map(|h| h.key_id.clone()),
        logged_status: None,
    };
    let Some((index, leaf, stored_hash)) = leaves.last() else {
        return Ok(status(TransparencyState::NotInLog, None, None));
    };
    let index = u64::try_from(*index).unwrap_or(0);
    let logged = serde_json::from_str::<LogEvent>(leaf)
        .ok()
        .and_then(|event| event.entry);
    let hash = merkle::leaf_hash(leaf.as_bytes());
    if logged.is_none() || parse_hash(stored_hash) != Some(hash) {
        return Ok(status(TransparencyState::LogAltered, Some(index), None));
    }
    if logged.as_ref() != row {
        let mut answer = status(TransparencyState::RegisterAltered, Some(index), None);
        answer.logged_status = logged.map(|facts| facts.status);
        return Ok(answer);
    }
    let Some(head) = heads::latest(conn)?.filter(|head| head.tree_size > index) else {
        return Ok(status(TransparencyState::NotYetIncluded, Some(index), None));
    };
    if !head.signed_by(trusted) {
        return Ok(status(
            TransparencyState::UntrustedHead,
            Some(index),
            Some(&head),
        ));
    }
    let path = merkle::inclusion_proof(&mut DbNodes { conn: &mut *conn }, index, head.tree_size)?
        .unwrap_or_default();
    let included = head
        .root()
        .is_some_and(|root| merkle::verify_inclusion(index, head.tree_size, &hash, &path, &root));
    let state = if included {
        TransparencyState::Included
    } else {
        TransparencyState::LogAltered
    };
    Ok(status(state, Some(index), Some(&head)))
}
