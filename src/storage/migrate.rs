//! Copying a blob store to another one (a local store to S3 when an office moves to the
//! shared topology), verifying every object on both sides.
//!
//! Each blob of the source is read and checked against its name; if the target already
//! has it, the target's copy is read back and checked too (a run that was interrupted is
//! resumed by running it again: what is there and sound is kept, what is damaged is
//! written again); otherwise it is written and then read back and checked. Nothing in the
//! source is changed. A blob that fails is reported and the run goes on.

use futures::StreamExt;

use super::{BlobStore, Sha256Hex, StorageError};

/// What happened to one blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobOutcome {
    /// Written to the target and read back intact.
    Copied,
    /// Already in the target, read back intact (a resumed run).
    AlreadyThere,
    /// The target held damaged bytes under this name: written again, read back intact.
    Repaired,
    /// Not copied; the reason.
    Failed(String),
}

/// Totals of a run, updated after each blob.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyProgress {
    /// Blobs in the source.
    pub total: u64,
    /// Blobs handled so far.
    pub done: u64,
    /// Written in this run (including repaired ones).
    pub copied: u64,
    /// Found intact in the target.
    pub already_there: u64,
    /// Bytes written in this run.
    pub bytes_copied: u64,
    /// Blobs that could not be copied, with the reason.
    pub failed: Vec<(Sha256Hex, String)>,
}

/// Blobs handled at once (reads and uploads overlap).
const CONCURRENCY: usize = 4;

/// Copies every blob of `from` into `to`. `on_blob` is called after each one with the
/// totals so far (for a progress line). Fails only when the source cannot be listed.
pub async fn copy_store(
    from: &BlobStore,
    to: &BlobStore,
    mut on_blob: impl FnMut(&CopyProgress, &Sha256Hex, &BlobOutcome),
) -> Result<CopyProgress, StorageError> {
    let mut progress = CopyProgress::default();
    let mut listing = from.list();
    while let Some(item) = listing.next().await {
        item?;
        progress.total += 1;
    }
    drop(listing);
    let mut work = from
        .list()
        .map(|item| async move {
            match item {
                Ok((digest, _)) => {
                    let (outcome, bytes) = copy_one(from, to, &digest).await;
                    Ok((digest, outcome, bytes))
                }
                Err(error) => Err(error),
            }
        })
        .buffer_unordered(CONCURRENCY);
    while let Some(result) = work.next().await {
        let (digest, outcome, bytes) = result?;
        progress.done += 1;
        match &outcome {
            BlobOutcome::Copied | BlobOutcome::Repaired => {
                progress.copied += 1;
                progress.bytes_copied += bytes;
            }
            BlobOutcome::AlreadyThere => progress.already_there += 1,
            BlobOutcome::Failed(reason) => progress.failed.push((digest.clone(), reason.clone())),
        }
        on_blob(&progress, &digest, &outcome);
    }
    Ok(progress)
}

/// One blob; answers the outcome and the bytes written.
async fn copy_one(from: &BlobStore, to: &BlobStore, digest: &Sha256Hex) -> (BlobOutcome, u64) {
    let bytes = match from.get(digest).await {
        Ok(bytes) => bytes::Bytes::from(bytes),
        Err(StorageError::Corrupted(_)) => {
            return (
                BlobOutcome::Failed("the source's bytes do not match their SHA-256".into()),
                0,
            );
        }
        Err(error) => {
            return (
                BlobOutcome::Failed(format!("reading the source: {error}")),
                0,
            );
        }
    };
    let repaired = match to.get(digest).await {
        Ok(_) => return (BlobOutcome::AlreadyThere, 0),
        Err(StorageError::NotFound(_)) => false,
        Err(StorageError::Corrupted(_)) => true,
        Err(error) => {
            return (
                BlobOutcome::Failed(format!("reading the target: {error}")),
                0,
            );
        }
    };
    let length = bytes.len() as u64;
    if let Err(error) = to.write(digest, bytes).await {
        return (BlobOutcome::Failed(format!("writing: {error}")), 0);
    }
    match to.get(digest).await {
        Ok(_) if repaired => (BlobOutcome::Repaired, length),
        Ok(_) => (BlobOutcome::Copied, length),
        Err(error) => (
            BlobOutcome::Failed(format!("reading back after writing: {error}")),
            length,
        ),
    }
}
