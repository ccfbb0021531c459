//! Issued copies as their holders see them: the typed [`CopyView`] of API answers and
//! pages, and the look-ups behind "my copies" and downloads, with who may see what.

use serde::Serialize;

use super::RegistryError;
use super::code::display_code;
use super::issuance::downloadable;
use crate::db::DbConn;
use crate::db::ids::CopyId;
use crate::db::models::{RegisterEntry, User};

/// One issued copy, for the official who issued it and the citizen it was issued to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CopyView {
    /// Register entry id.
    pub id: CopyId,
    /// `pending`, `valid`, `void` or `annulled`.
    pub status: String,
    /// Number in the office's book.
    pub certification_number: i64,
    /// Book number, e.g. `01/2026`.
    pub book: String,
    /// Book with its type code, e.g. `01/2026-SCT/BS`.
    pub book_reference: String,
    /// Verification code as printed (groups of four).
    pub code: String,
    /// SHA-256 of the PDF served at `download_url` (it changes when the copy is given a new
    /// document time-stamp).
    pub sha256: Option<String>,
    /// SHA-256 of the signed content: the file up to the end of the office seal's
    /// signature, before the DSS and document time-stamps. The register and verification
    /// reports identify the copy by it; it never changes.
    pub signed_content_sha256: Option<String>,
    /// Title of the original document.
    pub document_title: String,
    /// Pages of the original.
    pub page_count: i32,
    /// Copies certified.
    pub copies: i32,
    /// Fee in VND.
    pub fee_vnd: i64,
    /// The certifying official.
    pub signer: String,
    /// When it was issued (UTC, RFC 3339).
    pub issued_at: Option<String>,
    /// Where its holders download the PDF.
    pub download_url: String,
    /// The public page its QR code leads to.
    pub verify_url: String,
}

impl CopyView {
    /// The view of `entry`, with links under `base_url`.
    pub fn new(entry: &RegisterEntry, base_url: &str) -> Self {
        let code = display_code(&entry.verification_code);
        CopyView {
            id: entry.id.clone(),
            status: entry.status.clone(),
            certification_number: entry.sequence,
            book: entry.book.clone(),
            book_reference: format!("{}-{}", entry.book, entry.type_code),
            sha256: entry.file_digest().map(str::to_owned),
            signed_content_sha256: entry.document_sha256.clone(),
            document_title: entry.document_title.clone(),
            page_count: entry.page_count,
            copies: entry.copies,
            fee_vnd: entry.fee_vnd,
            signer: entry.signer_name.clone(),
            issued_at: entry.issued_at.map(crate::local_time::utc_text),
            download_url: format!("/api/v1/copies/{}/pdf", entry.id),
            verify_url: format!("{base_url}/v/{code}"),
            code,
        }
    }
}

/// The entry of a copy `viewer` may download (staff of the issuing office, the citizen on
/// the copy; published copies only); [`RegistryError::NotFound`] otherwise, so that
/// nobody learns which ids exist.
pub fn copy_for_download(
    conn: &mut DbConn,
    id: &CopyId,
    viewer: &User,
) -> Result<RegisterEntry, RegistryError> {
    RegisterEntry::find(conn, id)?
        .filter(|entry| downloadable(entry, viewer))
        .ok_or(RegistryError::NotFound)
}

/// The published copies (valid and annulled) issued to a citizen ID, newest first.
pub fn citizen_copies(
    conn: &mut DbConn,
    citizen_id: &str,
) -> Result<Vec<RegisterEntry>, RegistryError> {
    Ok(RegisterEntry::published_for_citizen(conn, citizen_id)?)
}
