//! Signed tree heads: the log's size and root and the audit chain's length and head at a
//! moment, signed with the log key (Ed25519). The service publishes one at an interval
//! (`log_head_interval_secs`) and on demand (a proof asked for a leaf no head covers yet,
//! `certcopy registry publish`); verifiers check heads with the log's public key
//! (`log_public_key`), never with a key the database or the file gives them.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use diesel::prelude::*;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::merkle::{self, Hash};
use super::{DbNodes, parse_hash, rfc3339};
use crate::db::schema::{log_chains, log_heads};
use crate::db::{DbConn, DbError, DbResult, now_utc};

/// Why the log key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum LogKeyError {
    /// The file could not be read or written.
    #[error("log key {path}: {source}")]
    Io {
        /// The key file.
        path: std::path::PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file holds no Ed25519 PKCS#8 key.
    #[error("log key {0}: not an Ed25519 private key (PKCS#8 PEM)")]
    Invalid(std::path::PathBuf),
    /// The configured public key is not 32 bytes of base64.
    #[error("log_public_key: not an Ed25519 public key (32 bytes, base64)")]
    PublicKey,
}

/// The key that signs tree heads.
pub struct LogKey {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogKey")
            .field("key_id", &self.public().key_id())
            .finish_non_exhaustive()
    }
}

const PEM_TAG: &str = "PRIVATE KEY";

impl LogKey {
    /// Reads the key from `path` (PKCS#8 PEM), or makes one there (mode 0600) when the
    /// file does not exist: every instance of a service must be given the same file.
    pub fn load_or_create(path: &Path) -> Result<LogKey, LogKeyError> {
        let io = |source| LogKeyError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let der = pem::parse(text.trim())
                    .ok()
                    .filter(|p| p.tag() == PEM_TAG)
                    .ok_or_else(|| LogKeyError::Invalid(path.to_owned()))?;
                let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.contents())
                    .map_err(|_| LogKeyError::Invalid(path.to_owned()))?;
                Ok(LogKey { pair })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let rng = ring::rand::SystemRandom::new();
                let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| io(std::io::Error::other("no randomness")))?;
                let text = pem::encode(&pem::Pem::new(PEM_TAG, pkcs8.as_ref().to_vec()));
                if let Some(dir) = path.parent() {
                    crate::private_files::create_private_dir_all(dir).map_err(io)?;
                }
                crate::private_files::write_atomic(
                    path,
                    text.as_bytes(),
                    crate::private_files::PRIVATE_FILE_MODE,
                )
                .map_err(io)?;
                let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
                    .map_err(|_| LogKeyError::Invalid(path.to_owned()))?;
                tracing::info!(path = %path.display(), "generated the register log key");
                Ok(LogKey { pair })
            }
            Err(error) => Err(io(error)),
        }
    }

    /// The public half.
    pub fn public(&self) -> LogPublicKey {
        let mut key = [0u8; 32];
        key.copy_from_slice(self.pair.public_key().as_ref());
        LogPublicKey(key)
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// The public key tree heads are checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogPublicKey([u8; 32]);

impl LogPublicKey {
    /// From base64 of the 32 key bytes.
    pub fn from_base64(text: &str) -> Result<LogPublicKey, LogKeyError> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| LogKeyError::PublicKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| LogKeyError::PublicKey)?;
        Ok(LogPublicKey(key))
    }

    /// Base64 of the 32 key bytes (what `log_public_key` takes).
    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// The first 8 bytes of the key's SHA-256, hex: names the key in each head.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, self.0)
            .verify(message, signature)
            .is_ok()
    }
}

/// A signed tree head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TreeHead {
    /// Leaves in the register log.
    pub tree_size: u64,
    /// The Merkle root of those leaves (RFC 9162), hex.
    pub root_hash: String,
    /// Rows in the audit chain.
    pub audit_size: u64,
    /// The chain's head after them, hex.
    pub audit_head: String,
    /// When the head was signed (RFC 3339, UTC).
    pub signed_at: String,
    /// The signing key (first 8 bytes of its SHA-256, hex).
    pub key_id: String,
    /// Ed25519 signature of [`TreeHead::signed_message`], base64.
    pub signature: String,
}

impl TreeHead {
    /// What the signature covers: the head's facts, one per line.
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "certcopy tree head v1\n{}\n{}\n{}\n{}\n{}\n",
            self.tree_size, self.root_hash, self.audit_size, self.audit_head, self.signed_at
        )
        .into_bytes()
    }

    /// Whether `key` signed this head.
    pub fn signed_by(&self, key: &LogPublicKey) -> bool {
        self.key_id == key.key_id()
            && B64
                .decode(&self.signature)
                .is_ok_and(|signature| key.verifies(&self.signed_message(), &signature))
    }

    /// The root, as bytes.
    pub fn root(&self) -> Option<Hash> {
        parse_hash(&self.root_hash)
    }
}

/// A row of `log_heads`, all its columns in table order.
type HeadRow = (
    i64,
    i64,
    String,
    String,
    time::PrimitiveDateTime,
    String,
    String,
);

fn from_row(row: HeadRow) -> TreeHead {
    let (tree_size, audit_size, root_hash, audit_head, signed_at, key_id, signature) = row;
    TreeHead {
        tree_size: u64::try_from(tree_size).unwrap_or(0),
        root_hash,
        audit_size: u64::try_from(audit_size).unwrap_or(0),
        audit_head,
        signed_at: rfc3339(signed_at),
        key_id,
        signature,
    }
}

/// The newest head.
pub fn latest(conn: &mut DbConn) -> DbResult<Option<TreeHead>> {
    let row: Option<HeadRow> = log_heads::table
        .order((log_heads::tree_size.desc(), log_heads::audit_size.desc()))
        .first(conn)
        .optional()?;
    Ok(row.map(from_row))
}

/// Every head, oldest first.
pub fn all(conn: &mut DbConn) -> DbResult<Vec<TreeHead>> {
    let rows: Vec<HeadRow> = log_heads::table
        .order((log_heads::tree_size.asc(), log_heads::audit_size.asc()))
        .load(conn)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The head of a tree of `size` leaves, if one was published (the latest such).
pub fn of_size(conn: &mut DbConn, size: u64) -> DbResult<Option<TreeHead>> {
    let row: Option<HeadRow> = log_heads::table
        .filter(log_heads::tree_size.eq(i64::try_from(size).unwrap_or(i64::MAX)))
        .order(log_heads::audit_size.desc())
        .first(conn)
        .optional()?;
    Ok(row.map(from_row))
}

/// Signs and stores a head of the log and the chain as they are now, unless the newest head
/// already is; returns the head.
pub fn publish(conn: &mut DbConn, key: &LogKey) -> DbResult<TreeHead> {
    // One statement: both counters of the same committed moment.
    let chains: Vec<(String, i64, String)> = log_chains::table
        .filter(log_chains::name.eq_any(["register", "audit"]))
        .select((log_chains::name, log_chains::size, log_chains::head))
        .load(conn)?;
    let find = |name: &str| chains.iter().find(|(n, _, _)| n == name).cloned();
    let (Some((_, tree_size, _)), Some((_, audit_size, audit_head))) =
        (find("register"), find("audit"))
    else {
        return Err(DbError::Query(diesel::result::Error::NotFound));
    };
    let tree = u64::try_from(tree_size).unwrap_or(0);
    let audit = u64::try_from(audit_size).unwrap_or(0);
    if let Some(newest) = latest(conn)?
        && newest.tree_size == tree
        && newest.audit_size == audit
    {
        return Ok(newest);
    }
    let root = merkle::root(&mut DbNodes { conn: &mut *conn }, tree)?;
    let signed_at = now_utc();
    let mut head = TreeHead {
        tree_size: tree,
        root_hash: hex::encode(root),
        audit_size: audit,
        audit_head,
        signed_at: rfc3339(signed_at),
        key_id: key.public().key_id(),
        signature: String::new(),
    };
    head.signature = B64.encode(key.sign(&head.signed_message()));
    // Two instances publishing the same moment: the first stored wins.
    let stored = conn.transaction(|conn| {
        diesel::insert_into(log_heads::table)
            .values((
                log_heads::tree_size.eq(tree_size),
                log_heads::audit_size.eq(audit_size),
                log_heads::root_hash.eq(&head.root_hash),
                log_heads::audit_head.eq(&head.audit_head),
                log_heads::signed_at.eq(signed_at),
                log_heads::key_id.eq(&head.key_id),
                log_heads::signature.eq(&head.signature),
            ))
            .execute(conn)
    });
    match stored {
        Ok(_) => Ok(head),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(latest(conn)?.unwrap_or(head)),
        Err(other) => Err(other.into()),
    }
}
