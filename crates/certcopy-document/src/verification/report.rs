//! The verification report: per-signature results and the document verdict, serialised to
//! JSON like SiVa's `validationConclusion` (ETSI EN 319 102-1 indications, docs/ARCHITECTURE.md §6).

use serde::Serialize;
use time::OffsetDateTime;

/// The main status of a validation (ETSI EN 319 102-1 §5.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// A check proved the signature (or document) invalid: it must be rejected.
    TotalFailed,
    /// A check could not be completed with the information available: not proven valid.
    Indeterminate,
}

impl Indication {
    /// How bad the indication is, for picking the worst: passed < indeterminate < failed.
    fn severity(self) -> u8 {
        match self {
            Self::TotalPassed => 0,
            Self::Indeterminate => 1,
            Self::TotalFailed => 2,
        }
    }

    /// The worse of two indications.
    pub fn worst(self, other: Self) -> Self {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

/// Why a signature is not `TOTAL_PASSED` (ETSI EN 319 102-1 §5.1.3, plus
/// `MODIFIED_AFTER_SIGNING` for forbidden incremental updates, which ETSI leaves to the
/// PDF layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The signature is not built as the format requires (ByteRange, /Contents, CMS
    /// structure, missing mandatory attributes). `TOTAL_FAILED`.
    FormatFailure,
    /// The signed bytes' digest differs from the signed message-digest. `TOTAL_FAILED`.
    HashFailure,
    /// The signature value does not verify with the signer's public key. `TOTAL_FAILED`.
    SigCryptoFailure,
    /// Content outside the signature's permission was changed in a later revision
    /// (page content, page tree, annotations, DocMDP violations). `TOTAL_FAILED`.
    ModifiedAfterSigning,
    /// A certificate of the chain was revoked at or before the claimed signing time.
    /// `TOTAL_FAILED`.
    Revoked,
    /// A certificate of the chain was revoked after the claimed signing time; nothing proves
    /// the signature existed before the revocation. `INDETERMINATE`.
    RevokedNoPoe,
    /// The signing certificate named by the CMS is not among the certificates. `INDETERMINATE`.
    NoSigningCertificateFound,
    /// No chain leads from the signer to a configured trust anchor. `INDETERMINATE`.
    NoCertificateChainFound,
    /// A certificate of the chain has expired by the validation time and no proof of existence
    /// (trusted timestamp) shows the signature was made before; the claimed signing time is no
    /// such proof. `INDETERMINATE`.
    OutOfBoundsNoPoe,
    /// A certificate of the chain was not yet valid at the signing time. `INDETERMINATE`.
    NotYetValid,
    /// The chain breaks a constraint: basic constraints, path length, key usage, unknown
    /// critical extension. `INDETERMINATE`.
    ChainConstraintsFailure,
    /// A signature constraint fails: signing-certificate attribute mismatch, signing time in
    /// the future. `INDETERMINATE`.
    SigConstraintsFailure,
    /// An algorithm is not supported or not allowed. `INDETERMINATE`.
    CryptoConstraintsFailure,
    /// The signature verifies, but its algorithm or key is below the validation policy's
    /// strength (SHA-1, RSA under 2048 bits), and nothing proves it existed before that
    /// became so. `INDETERMINATE`.
    CryptoConstraintsFailureNoPoe,
    /// No usable revocation information (no CRL configured for the issuer, or it is stale).
    /// `INDETERMINATE`.
    TryLater,
}

impl SubIndication {
    /// The indication this sub-indication belongs to. `REVOKED` is `TOTAL_FAILED` because
    /// it is only used when the revocation date is at or before the claimed signing time.
    pub fn indication(self) -> Indication {
        match self {
            Self::FormatFailure
            | Self::HashFailure
            | Self::SigCryptoFailure
            | Self::ModifiedAfterSigning
            | Self::Revoked => Indication::TotalFailed,
            Self::RevokedNoPoe
            | Self::NoSigningCertificateFound
            | Self::NoCertificateChainFound
            | Self::OutOfBoundsNoPoe
            | Self::NotYetValid
            | Self::ChainConstraintsFailure
            | Self::SigConstraintsFailure
            | Self::CryptoConstraintsFailure
            | Self::CryptoConstraintsFailureNoPoe
            | Self::TryLater => Indication::Indeterminate,
        }
    }
}

/// A problem or note in words a clerk understands, Vietnamese first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportMessage {
    /// Stable machine code, e.g. `BYTE_RANGE_GAP_NOT_CONTENTS`.
    pub code: String,
    /// Vietnamese text.
    pub message_vi: String,
    /// English text.
    pub message_en: String,
}

impl ReportMessage {
    /// A message with its code and both texts.
    pub fn new(code: &str, message_vi: &str, message_en: &str) -> Self {
        ReportMessage {
            code: code.to_owned(),
            message_vi: message_vi.to_owned(),
            message_en: message_en.to_owned(),
        }
    }
}

/// One certificate of the chain, signer first, trust anchor last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateSummary {
    /// Subject distinguished name (RFC 4514 style).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

/// What bytes a signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// The `/ByteRange` as written: `[0, b, c, d]`.
    pub byte_range: [u64; 4],
    /// The second range ends at the end of a revision (`%%EOF`).
    pub covers_whole_revision: bool,
    /// The signed revision is the whole file (nothing appended after it but an end-of-line).
    pub covers_whole_document: bool,
}

/// What a changed object is, for deciding what a signature permits (ISO 32000-1 §12.8.2.2,
/// DocMDP `/P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ModificationKind {
    /// Cross-reference streams and object streams: file structure, no content.
    Structural,
    /// Document information dictionary or XMP metadata.
    Metadata,
    /// Document Security Store (PAdES validation data).
    Dss,
    /// A document timestamp (PAdES B-LTA).
    DocumentTimestamp,
    /// Catalog or AcroForm entries that list fields (bookkeeping for form filling/signing).
    FormBookkeeping,
    /// The value dictionary of a new signature.
    Signature,
    /// A signature field, its widget, or the widget's appearance.
    SignatureField,
    /// Another form field, its widget, or the widget's appearance (form filling).
    FormField,
    /// A non-widget annotation (comment, stamp, link, …) added, changed or removed.
    Annotation,
    /// The page tree: pages added, removed or reordered.
    PageTree,
    /// What a page shows: content streams, resources (images, fonts, forms), page attributes.
    PageContent,
    /// Anything else, including changes to an existing signature value, a replaced catalog,
    /// or objects hidden from the cross-reference data.
    Other,
}

/// One object that a later revision added or changed, relative to a signed revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Modification {
    /// The object, e.g. `"12 0 R"`.
    pub object: String,
    /// What it is.
    pub kind: ModificationKind,
}

/// The DocMDP permission of a certification signature (ISO 32000-1 Table 254).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocMdpPermission {
    /// P=1: no changes at all (PAdES still allows DSS and document timestamps).
    NoChanges,
    /// P=2: filling in forms and signing.
    FillFormsAndSign,
    /// P=3: also annotations.
    FillFormsSignAndAnnotate,
}

/// A signature time-stamp that checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureTimestamp {
    /// The time stamped.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The time-stamping authority (its certificate's subject).
    pub tsa: String,
}

/// The result for one document time-stamp (PAdES B-LTA): an RFC 3161 token over the file
/// up to its revision, proving everything before it existed at its time.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentTimestampReport {
    /// The field holding it.
    pub field_name: String,
    /// `TOTAL_PASSED`: the imprint matches the bytes it covers and the authority is trusted
    /// (at the validation time, or at the time a later document time-stamp proves).
    pub indication: Indication,
    /// Why not, when it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The time stamped (when the token can be read and checks).
    #[serde(with = "time::serde::rfc3339::option")]
    pub time: Option<OffsetDateTime>,
    /// The time-stamping authority (its certificate's subject).
    pub tsa: Option<String>,
    /// Nothing follows its revision in the file.
    pub covers_whole_document: bool,
    /// Problems found.
    pub errors: Vec<ReportMessage>,
}

/// The result for one signature field.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureReport {
    /// Stable id within the report: `S-<object number>-<generation>` of the signature value.
    pub id: String,
    /// Fully qualified field name.
    pub field_name: String,
    /// Main status.
    pub indication: Indication,
    /// Why it is not `TOTAL_PASSED`.
    pub sub_indication: Option<SubIndication>,
    /// The signer's common name (or full subject when there is no CN).
    pub signed_by: Option<String>,
    /// The claimed signing time (`/M` of the signature dictionary).
    #[serde(with = "time::serde::rfc3339::option")]
    pub signing_time: Option<OffsetDateTime>,
    /// `/SubFilter`.
    pub signature_format: Option<String>,
    /// Set when this is a certification (DocMDP) signature.
    pub certification_permission: Option<DocMdpPermission>,
    /// Signer first, trust anchor last (partial when no chain was found).
    pub certificate_chain: Vec<CertificateSummary>,
    /// What the signature covers (absent when the ByteRange is unusable).
    pub coverage: Option<Coverage>,
    /// Objects added or changed after this signature.
    pub modifications: Vec<Modification>,
    /// Why the signature is not valid.
    pub errors: Vec<ReportMessage>,
    /// Notes that do not change the indication.
    pub warnings: Vec<ReportMessage>,
    /// The signature's time-stamp (RFC 3161, a CAdES signature-time-stamp), when it has one
    /// that checks: proof the signature existed at that time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_timestamp: Option<SignatureTimestamp>,
    /// SHA-256 of the signer certificate, hex (for register and "two signatures" checks).
    pub signer_certificate_sha256: Option<String>,
    /// The signer certificate, DER, for the caller's own checks (not serialised).
    #[serde(skip)]
    pub signer_certificate: Option<Vec<u8>>,
}

/// Status of the copy in the certification register (Decree 23/2015, Art. 13), filled in by
/// the caller after [`super::verify_pdf`] (this module never touches the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegisterStatus {
    /// A valid register entry matches the document digest.
    Found {
        /// Certification number as registered, e.g. `12` in book `01/2026-SCT/BS`.
        certification_number: i64,
        /// Book reference, e.g. `01/2026-SCT/BS`.
        book: String,
        /// Issuing office.
        office: String,
        /// Issue time (RFC 3339, UTC).
        issued_at: String,
    },
    /// The entry exists but was annulled.
    Annulled {
        /// Certification number as registered.
        certification_number: i64,
        /// Book reference.
        book: String,
        /// Issuing office.
        office: String,
        /// Issue time (RFC 3339, UTC).
        issued_at: String,
        /// The annulment reason as recorded.
        reason: String,
    },
    /// The file says it is a copy from this register, but no entry has its digest: it is
    /// not the file that was issued.
    Mismatch,
    /// Not a copy issued by this register (or no register was consulted).
    Unknown,
}

/// What the register's transparency log says of a copy (filled in by the caller, like
/// [`RegisterStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransparencyState {
    /// The register entry is what the log last recorded, and that event is included under
    /// a tree head signed by the trusted log key.
    Included,
    /// The entry is what the log last recorded, but no tree head covers that event yet
    /// (heads are published at an interval).
    NotYetIncluded,
    /// The newest tree head is not signed by the trusted log key.
    UntrustedHead,
    /// The register row differs from what the log last recorded: it was changed outside
    /// the service.
    RegisterAltered,
    /// The log's own rows do not hash to what was recorded or signed.
    LogAltered,
    /// The log has no event of this copy (issued before the log, or not from here).
    NotInLog,
}

/// The log's answer for one copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransparencyStatus {
    /// The answer.
    pub state: TransparencyState,
    /// The copy's last event in the log.
    pub leaf_index: Option<u64>,
    /// Size of the signed tree it was checked under.
    pub tree_size: Option<u64>,
    /// When that tree head was signed (RFC 3339, UTC).
    pub signed_at: Option<String>,
    /// The key that signed it.
    pub key_id: Option<String>,
    /// When the register row was altered: the status the log last recorded.
    pub logged_status: Option<String>,
}

/// The report for one PDF.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentReport {
    /// When the validation was done (the policy's validation time).
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// Number of signatures (document timestamps not included).
    pub signatures_count: usize,
    /// Number of signatures with `TOTAL_PASSED`.
    pub valid_signatures_count: usize,
    /// Number of revisions (incremental updates + 1) found in the file.
    pub revisions_count: usize,
    /// Per-signature results in file order.
    pub signatures: Vec<SignatureReport>,
    /// Document time-stamps in file order (not counted as signatures).
    pub document_timestamps: Vec<DocumentTimestampReport>,
    /// Document-level problems (e.g. `NO_SIGNATURE`).
    pub errors: Vec<ReportMessage>,
    /// Document-level notes.
    pub warnings: Vec<ReportMessage>,
    /// Register cross-check, set by the caller.
    pub register: Option<RegisterStatus>,
    /// The register's transparency log on this copy, set by the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transparency: Option<TransparencyStatus>,
    /// `TOTAL_PASSED` only when there is at least one signature and all passed;
    /// `INDETERMINATE` when none failed but some are indeterminate; else `TOTAL_FAILED`.
    pub verdict: Indication,
    /// SHA-256 of the file up to the end of the last signed revision (the whole file when
    /// nothing is signed), as the register records it; computed from the signatures' own
    /// hashing, so the register check does not hash the file again. Not in the JSON.
    #[serde(skip)]
    pub signed_content_sha256: Option<[u8; 32]>,
}

impl DocumentReport {
    /// One past the last byte any signature covers, within a file of `file_len` bytes (the
    /// whole file when nothing is signed): the content the register's SHA-256 is of.
    pub fn signed_end(&self, file_len: usize) -> usize {
        self.signatures
            .iter()
            .filter_map(|s| s.coverage.as_ref().map(|c| c.byte_range))
            .filter_map(|[_, _, start, len]| start.checked_add(len))
            .max()
            .and_then(|end| usize::try_from(end).ok())
            .filter(|end| *end <= file_len)
            .unwrap_or(file_len)
    }

    /// The signer certificates (DER) of all signatures, in file order, for the caller's
    /// "copies issued here carry exactly two signatures" rule (docs/ARCHITECTURE.md §5).
    pub fn signer_certificates(&self) -> Vec<&[u8]> {
        self.signatures
            .iter()
            .filter_map(|s| s.signer_certificate.as_deref())
            .collect()
    }
}
