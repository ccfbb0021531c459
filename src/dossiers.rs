//! Agency dossiers (docs/ARCHITECTURE.md §13): an agency keeps, per procedure and
//! applicant, the certified copies it relies on. A copy is attached by a share code (a
//! use counted, as a redemption), by its verification code (from the QR), or as an
//! uploaded PDF; it is verified on the way in and the report is kept with the dossier;
//! the same file (SHA-256) is attached once. A dossier is re-verified on demand, and an
//! agency sees only its own dossiers (another's is not found).

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;

use crate::app::App;
use crate::db::ids::{CopyId, DossierId, UserId};
use crate::db::models::{RegisterEntry, User};
use crate::db::schema::{dossier_documents, dossiers};
use crate::db::{DbError, now_utc, write_transaction};
use crate::error::{PublicError, UserFacing};
use crate::registry::check::signed_content_sha256;
use crate::registry::code::normalize_verification_code;
use crate::registry::verifying::{Requester, VerifyError};
use crate::reuse::{self, ReuseError};
use crate::storage::Sha256Hex;
use crate::verification::{DocumentReport, RegisterStatus};

const MAX_TEXT_CHARS: usize = 300;
/// Most documents in one dossier.
pub const MAX_DOCUMENTS: i64 = 200;

/// Errors of dossiers.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    /// No such dossier for this agency.
    #[error("dossier not found")]
    NotFound,
    /// The agency already has a dossier with this reference.
    #[error("reference taken")]
    ReferenceTaken,
    /// A field is empty, too long or has control characters.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// No copy has this verification code.
    #[error("unknown code")]
    UnknownCode,
    /// The dossier holds as many documents as allowed.
    #[error("dossier full")]
    Full,
    /// The share could not be redeemed.
    #[error(transparent)]
    Share(#[from] ReuseError),
    /// The file could not be verified.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The stored file is missing.
    #[error("stored file: {0}")]
    Storage(String),
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for DossierError {
    fn from(error: diesel::result::Error) -> Self {
        DossierError::Db(DbError::from(error))
    }
}

impl UserFacing for DossierError {
    fn public(&self) -> PublicError {
        match self {
            DossierError::NotFound => PublicError::new(
                404,
                "dossier_not_found",
                "Không tìm thấy hồ sơ.".into(),
                "Dossier not found.".into(),
            ),
            DossierError::ReferenceTaken => PublicError::new(
                409,
                "reference_taken",
                "Cơ quan đã có hồ sơ mang số này.".into(),
                "The agency already has a dossier with this reference.".into(),
            ),
            DossierError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}` trống, quá dài hoặc có ký tự không hợp lệ."),
                format!("Field `{field}` is empty, too long or has invalid characters."),
            ),
            DossierError::UnknownCode => PublicError::new(
                404,
                "copy_not_found",
                "Không có bản sao nào mang mã tra cứu này.".into(),
                "No copy has this lookup code.".into(),
            ),
            DossierError::Full => PublicError::new(
                409,
                "dossier_full",
                format!("Hồ sơ đã có đủ {MAX_DOCUMENTS} tài liệu."),
                format!("The dossier already holds {MAX_DOCUMENTS} documents."),
            ),
            DossierError::Share(e) => e.public(),
            DossierError::Verify(e) => e.public(),
            DossierError::Storage(_) => PublicError::internal_error(),
            DossierError::Db(e) => e.public(),
        }
    }
}

/// A new dossier.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDossier {
    /// The agency's own reference (unique per agency).
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
    )]
    pub reference: String,
    /// The administrative procedure.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
    )]
    pub procedure: String,
    /// The applicant's name.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
    )]
    pub applicant_name: String,
}

/// How a document is attached.
#[derive(Debug)]
pub enum Attachment {
    /// A citizen's share code.
    Share(String),
    /// A copy's verification code (from its QR).
    Code(String),
    /// An uploaded PDF.
    Upload(Vec<u8>),
}

impl Attachment {
    fn via(&self) -> &'static str {
        match self {
            Attachment::Share(_) => "share",
            Attachment::Code(_) => "code",
            Attachment::Upload(_) => "upload",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossiers)]
struct DossierRow {
    id: DossierId,
    agency_user_id: UserId,
    reference: String,
    procedure: String,
    applicant_name: String,
    created_at: PrimitiveDateTime,
    updated_at: PrimitiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_documents)]
struct DocumentRow {
    id: String,
    dossier_id: DossierId,
    sha256: String,
    register_entry_id: Option<CopyId>,
    attached_via: String,
    verdict: String,
    register_status: String,
    report: String,
    verified_at: PrimitiveDateTime,
    attached_at: PrimitiveDateTime,
}

/// One document of a dossier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    /// Row id.
    pub id: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// The register entry, when the file is a registered copy.
    pub copy_id: Option<CopyId>,
    /// `share`, `code` or `upload`.
    pub attached_via: String,
    /// The verification's indication (`TOTAL_PASSED`, …).
    pub verdict: String,
    /// `FOUND`, `ANNULLED`, `MISMATCH`, `UNKNOWN`.
    pub register_status: String,
    /// The stored report.
    #[schema(value_type = certcopy_document::verification::DocumentReport)]
    pub report: serde_json::Value,
    /// Last verified (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub verified_at: PrimitiveDateTime,
    /// Attached (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub attached_at: PrimitiveDateTime,
}

/// A dossier with its documents.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DossierView {
    /// Dossier id.
    pub id: DossierId,
    /// The agency's reference.
    pub reference: String,
    /// The procedure.
    pub procedure: String,
    /// The applicant.
    pub applicant_name: String,
    /// Created (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    pub created_at: PrimitiveDateTime,
    /// Some attached copy was annulled since.
    pub has_annulled: bool,
    /// The documents, in attachment order.
    pub documents: Vec<DocumentView>,
}

fn register_code(status: Option<&RegisterStatus>) -> &'static str {
    match status {
        Some(RegisterStatus::Found { .. }) => "FOUND",
        Some(RegisterStatus::Annulled { .. }) => "ANNULLED",
        Some(RegisterStatus::Mismatch) => "MISMATCH",
        _ => "UNKNOWN",
    }
}

fn text(value: &str, field: &'static str) -> Result<String, DossierError> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > MAX_TEXT_CHARS
        || value.chars().any(char::is_control)
    {
        return Err(DossierError::InvalidField(field));
    }
    Ok(value.to_owned())
}

fn own(
    conn: &mut crate::db::DbConn,
    agency: &UserId,
    id: &DossierId,
) -> Result<DossierRow, DossierError> {
    dossiers::table
        .find(id)
        .filter(dossiers::agency_user_id.eq(agency))
        .select(DossierRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(DossierError::NotFound)
}

fn view(conn: &mut crate::db::DbConn, row: DossierRow) -> Result<DossierView, DossierError> {
    let documents: Vec<DocumentRow> = dossier_documents::table
        .filter(dossier_documents::dossier_id.eq(&row.id))
        .order(dossier_documents::attached_at.asc())
        .select(DocumentRow::as_select())
        .load(conn)?;
    let documents: Vec<DocumentView> = documents
        .into_iter()
        .map(|d| DocumentView {
            id: d.id,
            sha256: d.sha256,
            copy_id: d.register_entry_id,
            attached_via: d.attached_via,
            verdict: d.verdict,
            register_status: d.register_status,
            report: serde_json::from_str(&d.report).unwrap_or(serde_json::Value::Null),
            verified_at: d.verified_at,
            attached_at: d.attached_at,
        })
        .collect();
    Ok(DossierView {
        id: row.id,
        reference: row.reference,
        procedure: row.procedure,
        applicant_name: row.applicant_name,
        created_at: row.created_at,
        has_annulled: documents.iter().any(|d| d.register_status == "ANNULLED"),
        documents,
    })
}

/// Marks the documents of every dossier holding the copy `entry` as annulled (inside the
/// annulment's transaction); answers how many.
pub fn mark_annulled(conn: &mut crate::db::DbConn, entry: &CopyId) -> Result<usize, DbError> {
    Ok(diesel::update(
        dossier_documents::table.filter(dossier_documents::register_entry_id.eq(entry)),
    )
    .set(dossier_documents::register_status.eq("ANNULLED"))
    .execute(conn)?)
}

/// Dossiers of agencies, over the register, the blob store and the verifier.
pub struct Dossiers<'a> {
    app: &'a App,
}

impl App {
    /// Agency dossiers.
    pub fn dossiers(&self) -> Dossiers<'_> {
        Dossiers { app: self }
    }
}

impl Dossiers<'_> {
    /// The agency account `who` acts for (an agency, or a member of its staff); anyone
    /// else finds no dossier.
    async fn owner(&self, who: &User) -> Result<User, DossierError> {
        let who = who.clone();
        self.app
            .db
            .run(move |conn| crate::auth::acting_agency(conn, &who))
            .await?
            .ok_or(DossierError::NotFound)
    }

    /// Opens a dossier.
    pub async fn create(
        &self,
        agency: &User,
        request: NewDossier,
    ) -> Result<DossierView, DossierError> {
        let owner = self.owner(agency).await?.id;
        let reference = text(&request.reference, "reference")?;
        let procedure = text(&request.procedure, "procedure")?;
        let applicant_name = text(&request.applicant_name, "applicant_name")?;
        self.app
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    let taken: i64 = dossiers::table
                        .filter(dossiers::agency_user_id.eq(&owner))
                        .filter(dossiers::reference.eq(&reference))
                        .count()
                        .get_result(conn)?;
                    if taken > 0 {
                        return Err(DossierError::ReferenceTaken);
                    }
                    let now = now_utc();
                    let row = DossierRow {
                        id: DossierId::generate(),
                        agency_user_id: owner.clone(),
                        reference,
                        procedure,
                        applicant_name,
                        created_at: now,
                        updated_at: now,
                    };
                    diesel::insert_into(dossiers::table)
                        .values(&row)
                        .execute(conn)?;
                    view(conn, row)
                })
            })
            .await
    }

    /// The agency's dossiers, newest first (at most 500).
    pub async fn list(&self, agency: &User) -> Result<Vec<DossierView>, DossierError> {
        let owner = self.owner(agency).await?.id;
        self.app
            .db
            .run(move |conn| {
                let rows: Vec<DossierRow> = dossiers::table
                    .filter(dossiers::agency_user_id.eq(&owner))
                    .order(dossiers::created_at.desc())
                    .limit(500)
                    .select(DossierRow::as_select())
                    .load(conn)?;
                rows.into_iter().map(|row| view(conn, row)).collect()
            })
            .await
    }

    /// One of the agency's dossiers.
    pub async fn get(&self, agency: &User, id: &DossierId) -> Result<DossierView, DossierError> {
        let (owner, id) = (self.owner(agency).await?.id, id.clone());
        self.app
            .db
            .run(move |conn| {
                let row = own(conn, &owner, &id)?;
                view(conn, row)
            })
            .await
    }

    async fn verify(
        &self,
        bytes: Vec<u8>,
        request_id: Option<&str>,
    ) -> Result<DocumentReport, DossierError> {
        let verifier = self.app.verifier();
        // The attachment itself is the agency's recorded use; the check is not recorded twice.
        let admitted = verifier.admit(Requester::Operator).await?;
        Ok(verifier.verify(&admitted, bytes, request_id).await?)
    }

    async fn stored(&self, entry: &RegisterEntry) -> Result<Vec<u8>, DossierError> {
        let digest = Sha256Hex::parse(entry.file_digest().unwrap_or(""))
            .map_err(|e| DossierError::Storage(e.to_string()))?;
        self.app
            .blobs
            .get(&digest)
            .await
            .map_err(|e| DossierError::Storage(e.to_string()))
    }

    /// Attaches a copy to one of the agency's dossiers, verified on the way in; the same
    /// file twice is one document (answered with `false`: not new).
    pub async fn attach(
        &self,
        agency: &User,
        id: &DossierId,
        attachment: Attachment,
        request_id: Option<String>,
    ) -> Result<(DossierView, bool), DossierError> {
        // Shares are redeemed, and uses recorded, in the agency's name.
        let agency = &self.owner(agency).await?;
        let owner = agency.id.clone();
        let dossier = {
            let (owner, id) = (owner.clone(), id.clone());
            self.app.db.run(move |conn| own(conn, &owner, &id)).await?
        };
        let via = attachment.via();
        let (bytes, entry) = match attachment {
            Attachment::Share(code) => {
                let (agency, rid) = (agency.clone(), request_id.clone());
                let (entry, _) = self
                    .app
                    .db
                    .run(move |conn| reuse::redeem(conn, &agency, &code, now_utc(), rid.as_deref()))
                    .await?;
                (self.stored(&entry).await?, Some(entry))
            }
            Attachment::Code(code) => {
                let normal = normalize_verification_code(&code).ok_or(DossierError::UnknownCode)?;
                let entry = self
                    .app
                    .db
                    .run(move |conn| RegisterEntry::find_by_code(conn, &normal))
                    .await?
                    .filter(|entry| entry.issued_at.is_some())
                    .ok_or(DossierError::UnknownCode)?;
                (self.stored(&entry).await?, Some(entry))
            }
            Attachment::Upload(bytes) => (bytes, None),
        };
        let report = self.verify(bytes.clone(), request_id.as_deref()).await?;
        let digest = self
            .app
            .blobs
            .put(bytes.clone())
            .await
            .map_err(|e| DossierError::Storage(e.to_string()))?;
        let signed = signed_content_sha256(&bytes, &report);
        let report_text = serde_json::to_string(&report).unwrap_or_default();
        let verdict = serde_json::to_value(report.verdict)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let register = register_code(report.register.as_ref()).to_owned();
        let rid = request_id.clone();
        let agency_actor = crate::audit::Actor::from(agency);
        self.app
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    let entry_id = match entry {
                        Some(entry) => Some(entry.id),
                        None => RegisterEntry::find_by_digest(conn, &signed)?.map(|e| e.id),
                    };
                    let existing: i64 = dossier_documents::table
                        .filter(dossier_documents::dossier_id.eq(&dossier.id))
                        .filter(dossier_documents::sha256.eq(digest.as_str()))
                        .count()
                        .get_result(conn)?;
                    let fresh = existing == 0;
                    if fresh {
                        let count: i64 = dossier_documents::table
                            .filter(dossier_documents::dossier_id.eq(&dossier.id))
                            .count()
                            .get_result(conn)?;
                        if count >= MAX_DOCUMENTS {
                            return Err(DossierError::Full);
                        }
                        let now = now_utc();
                        diesel::insert_into(dossier_documents::table)
                            .values(&DocumentRow {
                                id: uuid::Uuid::new_v4().to_string(),
                                dossier_id: dossier.id.clone(),
                                sha256: digest.as_str().to_owned(),
                                register_entry_id: entry_id.clone(),
                                attached_via: via.to_owned(),
                                verdict,
                                register_status: register,
                                report: report_text,
                                verified_at: now,
                                attached_at: now,
                            })
                            .execute(conn)?;
                        diesel::update(dossiers::table.find(&dossier.id))
                            .set(dossiers::updated_at.eq(now))
                            .execute(conn)?;
                        if let (Some(entry), "upload" | "code") = (&entry_id, via) {
                            reuse::record_verification(
                                conn,
                                &agency_actor,
                                entry,
                                now,
                                rid.as_deref(),
                            )?;
                        }
                    }
                    Ok((view(conn, dossier)?, fresh))
                })
            })
            .await
    }

    /// Verifies every document of the dossier again, keeping the new reports.
    pub async fn reverify(
        &self,
        agency: &User,
        id: &DossierId,
        request_id: Option<String>,
    ) -> Result<DossierView, DossierError> {
        let owner = self.owner(agency).await?.id;
        let (dossier, documents) = {
            let (owner, id) = (owner.clone(), id.clone());
            self.app
                .db
                .run(move |conn| {
                    let dossier = own(conn, &owner, &id)?;
                    let documents: Vec<(String, String)> = dossier_documents::table
                        .filter(dossier_documents::dossier_id.eq(&dossier.id))
                        .select((dossier_documents::id, dossier_documents::sha256))
                        .load(conn)?;
                    Ok::<_, DossierError>((dossier, documents))
                })
                .await?
        };
        for (row_id, sha) in documents {
            let digest =
                Sha256Hex::parse(&sha).map_err(|e| DossierError::Storage(e.to_string()))?;
            let bytes = self
                .app
                .blobs
                .get(&digest)
                .await
                .map_err(|e| DossierError::Storage(e.to_string()))?;
            let report = self.verify(bytes, request_id.as_deref()).await?;
            let verdict = serde_json::to_value(report.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let register = register_code(report.register.as_ref()).to_owned();
            let text = serde_json::to_string(&report).unwrap_or_default();
            self.app
                .db
                .run(move |conn| {
                    diesel::update(dossier_documents::table.find(&row_id))
                        .set((
                            dossier_documents::verdict.eq(verdict),
                            dossier_documents::register_status.eq(register),
                            dossier_documents::report.eq(text),
                            dossier_documents::verified_at.eq(now_utc()),
                        ))
                        .execute(conn)
                        .map_err(DbError::from)
                })
                .await?;
        }
        let id = dossier.id.clone();
        self.app
            .db
            .run(move |conn| {
                let row = own(conn, &owner, &id)?;
                view(conn, row)
            })
            .await
    }
}
