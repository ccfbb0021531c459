//! Re-timestamping stored copies (PAdES B-LTA renewal; docs/ARCHITECTURE.md §17).
//!
//! A copy's last document time-stamp keeps it verifiable only while the certificate of the
//! authority that made it is valid. Before that certificate expires, a copy gets a new
//! incremental update: the DSS extended with the validation data of now (the new
//! authority's chain, the current CRLs of every CA in the DSS), then a fresh document
//! time-stamp over everything, which proves the earlier one existed while it was valid.
//!
//! Which copies: valid entries whose `timestamp_valid_until` falls before now plus the
//! horizon (`retimestamp_horizon_days`). For each, the stored file is read (its SHA-256
//! checked by the store), extended, stored under its new digest, and the entry moved to it
//! only if it still points at the file that was read (two runs at once never lose a
//! time-stamp: the later one finds the entry moved and leaves it), with an audit row. The
//! signed content, its digest in the register and the register log do not change; the old
//! file stays in the store.

use std::sync::Arc;

use diesel::prelude::*;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, AuditEvent};
use crate::config::TrustStore;
use crate::db::ids::CopyId;
use crate::db::models::{EntryStatus, RegisterEntry};
use crate::db::schema::register_entries;
use crate::db::{Db, DbError, write_transaction};
use crate::signing::{SigningError, Timestamper, ValidationMaterial, add_dss, timestamp_pdf};
use crate::storage::{BlobStore, Sha256Hex, StorageError};
use crate::tsa::OwnTsa;

/// Why one copy could not be re-timestamped.
#[derive(Debug, thiserror::Error)]
pub enum RetimestampError {
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The stored file could not be read or written.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The DSS or the time-stamp could not be added.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// The TSA policy setting is not an OID.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The blocking task failed.
    #[error("re-timestamping task: {0}")]
    Task(String),
}

/// What happened to one copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewal {
    /// A new document time-stamp was added; the file's new SHA-256 and the new horizon.
    Stamped {
        /// SHA-256 of the new stored file.
        file_sha256: String,
        /// When the new time-stamp's authority certificate expires.
        valid_until: Option<OffsetDateTime>,
    },
    /// Nothing to do any more (annulled, already renewed, or moved by another run).
    Skipped,
}

/// The re-timestamping of stored copies.
pub struct Retimestamper {
    /// Database.
    pub db: Db,
    /// Blob store.
    pub blobs: BlobStore,
    /// The service's time-stamping authority, loaded once for the whole run.
    pub tsa: Arc<OwnTsa>,
    /// The CRLs added to the DSS come from here.
    pub trust: Arc<TrustStore>,
}

impl Retimestamper {
    /// The copies whose time-stamp horizon falls before `until`, oldest horizon first.
    pub async fn due(&self, until: OffsetDateTime) -> Result<Vec<CopyId>, RetimestampError> {
        let until = crate::local_time::to_utc_primitive(until)
            .ok_or_else(|| RetimestampError::Task("horizon out of range".into()))?;
        Ok(self
            .db
            .run(move |conn| {
                register_entries::table
                    .filter(register_entries::status.eq(EntryStatus::Valid.as_str()))
                    .filter(register_entries::timestamp_valid_until.lt(until))
                    .order(register_entries::timestamp_valid_until.asc())
                    .select(register_entries::id)
                    .load::<CopyId>(conn)
                    .map_err(DbError::from)
            })
            .await?)
    }

    /// Re-timestamps one copy if it is still due before `until`.
    pub async fn renew(
        &self,
        id: &CopyId,
        until: OffsetDateTime,
    ) -> Result<Renewal, RetimestampError> {
        let lookup = id.clone();
        let entry = self
            .db
            .run(move |conn| RegisterEntry::find(conn, &lookup))
            .await?;
        // Only B-LTA copies have a horizon, and their file always has a digest of its own.
        let still_due = |entry: &RegisterEntry| {
            entry.status() == EntryStatus::Valid
                && entry
                    .timestamp_valid_until
                    .is_some_and(|horizon| crate::local_time::from_utc_primitive(horizon) < until)
        };
        let Some((entry, old_digest)) = entry.filter(still_due).and_then(|entry| {
            let digest = entry.file_sha256.clone()?;
            Some((entry, digest))
        }) else {
            return Ok(Renewal::Skipped);
        };
        let bytes = self.blobs.get(&Sha256Hex::parse(&old_digest)?).await?;
        let (tsa, trust) = (self.tsa.clone(), self.trust.clone());
        let (stamped, digest, valid_until) =
            rocket::tokio::task::spawn_blocking(move || extend(bytes, &tsa, &trust.crls))
                .await
                .map_err(|error| RetimestampError::Task(error.to_string()))??;
        let digest = self
            .blobs
            .put_hashed(bytes::Bytes::from(stamped), Sha256Hex::from_digest(digest))
            .await?;
        let new_digest = digest.as_str().to_owned();
        let recorded = new_digest.clone();
        let moved = self
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    move_file(conn, &entry, &old_digest, &recorded, valid_until)
                })
            })
            .await?;
        if !moved {
            tracing::info!(copy = %id, "re-timestamped file left: the copy moved meanwhile");
            return Ok(Renewal::Skipped);
        }
        tracing::info!(copy = %id, file = %new_digest, "copy re-timestamped");
        Ok(Renewal::Stamped {
            file_sha256: new_digest,
            valid_until,
        })
    }
}

/// Totals of [`Retimestamper::renew_due`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenewalRun {
    /// Copies due.
    pub due: usize,
    /// Copies given a new time-stamp.
    pub stamped: usize,
    /// Copies left alone (no longer due, or moved by another run).
    pub skipped: usize,
    /// Copies that could not be renewed, with the reason.
    pub failed: Vec<(CopyId, String)>,
}

impl Retimestamper {
    /// Renews every copy due before `until`, one after the other; `on_copy` hears of each
    /// (its position, the count due, the copy and what happened). One copy's failure does
    /// not stop the others.
    pub async fn renew_due(
        &self,
        until: OffsetDateTime,
        mut on_copy: impl FnMut(usize, usize, &CopyId, &Result<Renewal, RetimestampError>),
    ) -> Result<RenewalRun, RetimestampError> {
        let due = self.due(until).await?;
        let mut run = RenewalRun {
            due: due.len(),
            ..RenewalRun::default()
        };
        for (index, id) in due.iter().enumerate() {
            let outcome = self.renew(id, until).await;
            on_copy(index, due.len(), id, &outcome);
            match outcome {
                Ok(Renewal::Stamped { .. }) => run.stamped += 1,
                Ok(Renewal::Skipped) => run.skipped += 1,
                Err(error) => run.failed.push((id.clone(), error.to_string())),
            }
        }
        Ok(run)
    }
}

/// A renewed file, its SHA-256 and the new time-stamp authority's horizon.
type Extended = (Vec<u8>, [u8; 32], Option<OffsetDateTime>);

/// The file with the validation data of now and a new document time-stamp.
fn extend(bytes: Vec<u8>, tsa: &OwnTsa, crls: &[Vec<u8>]) -> Result<Extended, RetimestampError> {
    let material = ValidationMaterial::for_chains(&[tsa.certificate_chain()], crls)?;
    // With current CRLs for every CA already in the DSS, so the earlier time-stamps and the
    // signatures validate at the time of the new one.
    let with_dss = add_dss(bytes, &material, crls)?;
    let (stamped, prefix) = timestamp_pdf(with_dss, tsa, None)?;
    let digest = prefix.finish(&stamped).ok_or(SigningError::Pdf(
        crate::signing::PdfError::ReadBackMismatch,
    ))?;
    Ok((stamped, digest, tsa.valid_until()))
}

/// Points the entry at its new file, if it still points at `old_digest`; records it.
fn move_file(
    conn: &mut crate::db::DbConn,
    entry: &RegisterEntry,
    old_digest: &str,
    new_digest: &str,
    valid_until: Option<OffsetDateTime>,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        register_entries::table
            .filter(register_entries::id.eq(&entry.id))
            .filter(register_entries::file_sha256.eq(old_digest)),
    )
    .set((
        register_entries::file_sha256.eq(new_digest),
        register_entries::timestamp_valid_until
            .eq(valid_until.and_then(crate::local_time::to_utc_primitive)),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Ok(false);
    }
    audit::record(
        conn,
        None,
        AuditEvent {
            action: "copy.retimestamp",
            target: Some(entry.id.to_string()),
            office_id: Some(entry.office_id.clone()),
            detail: json!({
                "from": old_digest,
                "to": new_digest,
                "valid_until": valid_until.map(crate::local_time::rfc3339),
            }),
        },
        None,
    )?;
    Ok(true)
}
