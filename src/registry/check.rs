//! The register cross-check of a verification (DESIGN §6, check 5).
//!
//! A copy issued here is recognised by the SHA-256 of its signed content: the bytes up to
//! the end of the revision the last signature covers (later DSS or document timestamps do
//! not change it), which is the digest the register holds. A file that carries this
//! service's verification code but whose digest is not registered is not the file that was
//! issued. For copies issued here the rule is stricter than for other signed PDFs: exactly
//! two signatures (the official's and the office seal's), both `TOTAL_PASSED`, and a
//! register entry that is valid (annulled → `TOTAL_FAILED`, reason `ANNULLED`).

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;

use super::RegistryError;
use super::code::normalize_verification_code;
use crate::db::DbConn;
use crate::db::models::{EntryStatus, Office, RegisterEntry};
use crate::db::schema::register_entries;
use crate::verification::{DocumentReport, Indication, RegisterStatus, ReportMessage};

/// What the register says about a file.
#[derive(Debug, Clone)]
pub struct RegisterMatch {
    /// The entry, when the file is (or claims to be) a copy issued here.
    pub entry: Option<RegisterEntry>,
    /// The status written into the report.
    pub status: RegisterStatus,
}

/// SHA-256 of the signed content: the file up to the end of the last signature's revision.
pub fn signed_content_sha256(bytes: &[u8], report: &DocumentReport) -> String {
    if let Some(digest) = report.signed_content_sha256 {
        return hex::encode(digest);
    }
    let end = report.signed_end(bytes.len());
    hex::encode(Sha256::digest(bytes.get(..end).unwrap_or(bytes)))
}

/// The verification code the file claims, read from its Info dictionary.
pub fn claimed_code(bytes: &[u8]) -> Option<String> {
    normalize_verification_code(crate::assembly::claimed_code(bytes)?)
}

fn message(code: &str, vi: &str, en: &str) -> ReportMessage {
    ReportMessage {
        code: code.to_owned(),
        message_vi: vi.to_owned(),
        message_en: en.to_owned(),
    }
}

fn fail(report: &mut DocumentReport, error: ReportMessage) {
    report.errors.push(error);
    report.verdict = Indication::TotalFailed;
}

/// Looks the file up in the register and applies the rules for copies issued here to
/// `report`.
pub fn cross_check(
    conn: &mut DbConn,
    bytes: &[u8],
    report: &mut DocumentReport,
) -> Result<RegisterMatch, RegistryError> {
    use diesel::prelude::*;
    let digest = signed_content_sha256(bytes, report);
    let mut entry: Option<RegisterEntry> = register_entries::table
        .filter(register_entries::document_sha256.eq(&digest))
        .select(RegisterEntry::as_select())
        .first(conn)
        .optional()?;
    if entry.is_none() {
        if let Some(code) = claimed_code(bytes) {
            if let Some(claimed) = RegisterEntry::find_by_code(conn, &code)? {
                fail(
                    report,
                    message(
                        "DIGEST_NOT_REGISTERED",
                        "Tệp mang mã của một bản sao trong sổ chứng thực nhưng nội dung không trùng với bản đã cấp: tệp đã bị thay đổi.",
                        "The file carries the code of a registered copy but its content differs from the copy issued: it has been altered.",
                    ),
                );
                return Ok(RegisterMatch {
                    entry: Some(claimed),
                    status: RegisterStatus::Mismatch,
                });
            }
            fail(
                report,
                message(
                    "CODE_NOT_REGISTERED",
                    "Mã tra cứu in trên tệp không có trong sổ chứng thực.",
                    "The verification code printed on the file is not in the register.",
                ),
            );
            return Ok(RegisterMatch {
                entry: None,
                status: RegisterStatus::Mismatch,
            });
        }
        report.warnings.push(message(
            "NOT_IN_REGISTER",
            "Tệp không phải bản sao do hệ thống này cấp: chỉ kiểm tra chữ ký số, không đối chiếu sổ chứng thực.",
            "Not a copy issued by this service: signatures checked, no register cross-check.",
        ));
        return Ok(RegisterMatch {
            entry: None,
            status: RegisterStatus::Unknown,
        });
    }
    let Some(found) = entry.take() else {
        return Ok(RegisterMatch {
            entry: None,
            status: RegisterStatus::Unknown,
        });
    };
    if report.signatures_count != 2 {
        fail(
            report,
            message(
                "EXPECTED_TWO_SIGNATURES",
                "Bản sao chứng thực phải có đúng hai chữ ký số: của người thực hiện chứng thực và của cơ quan.",
                "A certified copy must carry exactly two signatures: the official's and the office's.",
            ),
        );
    } else if report
        .signatures
        .iter()
        .any(|s| s.indication != Indication::TotalPassed)
    {
        // verify_pdf already made the verdict not-passed; state the rule in words.
        report.errors.push(message(
            "SIGNATURES_NOT_BOTH_VALID",
            "Một trong hai chữ ký số của bản sao không hợp lệ.",
            "One of the copy's two signatures is not valid.",
        ));
        if report.verdict == Indication::TotalPassed {
            report.verdict = Indication::TotalFailed;
        }
    }
    let office = Office::find(conn, &found.office_id)?
        .map(|o| o.name)
        .unwrap_or_default();
    let issued_at = found
        .issued_at
        .and_then(|t| t.assume_utc().format(&Rfc3339).ok())
        .unwrap_or_default();
    let book = format!("{}-{}", found.book, found.type_code);
    let status = match found.status() {
        EntryStatus::Annulled => {
            let reason = found.annulled_reason.clone().unwrap_or_default();
            fail(
                report,
                message(
                    "ANNULLED",
                    &format!("Bản sao đã bị hủy trong sổ chứng thực. Lý do: {reason}"),
                    &format!("The certification was annulled in the register. Reason: {reason}"),
                ),
            );
            RegisterStatus::Annulled {
                certification_number: found.sequence,
                book,
                office,
                issued_at,
                reason,
            }
        }
        _ => RegisterStatus::Found {
            certification_number: found.sequence,
            book,
            office,
            issued_at,
        },
    };
    Ok(RegisterMatch {
        entry: Some(found),
        status,
    })
}

/// Trust material for verification: anchors, intermediates and CRLs (DER), loaded once.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Trusted roots.
    pub anchors: Vec<Vec<u8>>,
    /// Known intermediate CA certificates.
    pub intermediates: Vec<Vec<u8>>,
    /// Certificate revocation lists.
    pub crls: Vec<Vec<u8>>,
}

/// Errors loading trust material.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: std::path::PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A file holds no usable certificate or CRL.
    #[error("{path}: {reason}")]
    Parse {
        /// File.
        path: std::path::PathBuf,
        /// Cause.
        reason: String,
    },
}

impl TrustStore {
    /// Loads PEM or DER files.
    pub fn load(
        anchors: &[std::path::PathBuf],
        intermediates: &[std::path::PathBuf],
        crls: &[std::path::PathBuf],
    ) -> Result<TrustStore, TrustError> {
        use crate::verification::{certificates_from_pem_or_der, crls_from_pem_or_der};
        let read = |path: &std::path::PathBuf| {
            std::fs::read(path).map_err(|source| TrustError::Io {
                path: path.clone(),
                source,
            })
        };
        let parse_error =
            |path: &std::path::PathBuf, e: &dyn std::fmt::Display| TrustError::Parse {
                path: path.clone(),
                reason: e.to_string(),
            };
        let mut store = TrustStore::default();
        for path in anchors {
            store.anchors.extend(
                certificates_from_pem_or_der(&read(path)?).map_err(|e| parse_error(path, &e))?,
            );
        }
        for path in intermediates {
            store.intermediates.extend(
                certificates_from_pem_or_der(&read(path)?).map_err(|e| parse_error(path, &e))?,
            );
        }
        for path in crls {
            store
                .crls
                .extend(crls_from_pem_or_der(&read(path)?).map_err(|e| parse_error(path, &e))?);
        }
        Ok(store)
    }

    /// A validation policy at `time` over this trust material.
    pub fn policy(&self, time: time::OffsetDateTime) -> crate::verification::ValidationPolicy {
        let mut policy = crate::verification::ValidationPolicy::new(time);
        policy.trust_anchors = self.anchors.clone();
        policy.intermediates = self.intermediates.clone();
        policy.crls = self.crls.clone();
        policy
    }
}

/// Why a file could not be verified at all (as opposed to a failed verification).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Larger than the upload limit.
    #[error("file larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// Not readable as a PDF.
    #[error(transparent)]
    Unreadable(#[from] crate::verification::VerificationError),
    /// The register lookup failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The verification task failed.
    #[error("verification task failed: {0}")]
    Task(String),
}

impl From<crate::db::DbError> for VerifyError {
    fn from(error: crate::db::DbError) -> Self {
        VerifyError::Registry(RegistryError::Db(error))
    }
}

impl crate::error::UserFacing for VerifyError {
    fn code(&self) -> &'static str {
        use crate::verification::VerificationError as V;
        match self {
            VerifyError::TooLarge { .. } | VerifyError::Unreadable(V::TooLarge) => {
                "payload_too_large"
            }
            VerifyError::Unreadable(V::Empty) => "empty_file",
            VerifyError::Unreadable(V::NotPdf) => "not_a_pdf",
            VerifyError::Unreadable(V::Truncated) => "truncated_pdf",
            VerifyError::Unreadable(_) => "unreadable_pdf",
            VerifyError::Registry(e) => e.code(),
            VerifyError::Task(_) => "internal_error",
        }
    }

    fn status(&self) -> u16 {
        use crate::verification::VerificationError as V;
        match self {
            VerifyError::TooLarge { .. } | VerifyError::Unreadable(V::TooLarge) => 413,
            VerifyError::Unreadable(_) => 422,
            VerifyError::Registry(e) => e.status(),
            VerifyError::Task(_) => 500,
        }
    }

    fn message_vi(&self) -> String {
        match self {
            VerifyError::TooLarge { limit } => {
                format!("Tệp quá lớn (tối đa {} MB).", limit / 1_000_000)
            }
            VerifyError::Unreadable(e) => e.message_vi().to_owned(),
            VerifyError::Registry(e) => e.message_vi(),
            VerifyError::Task(_) => "Lỗi hệ thống, vui lòng thử lại sau.".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            VerifyError::TooLarge { limit } => {
                format!("The file is too large (at most {} MB).", limit / 1_000_000)
            }
            VerifyError::Unreadable(e) => e.to_string(),
            VerifyError::Registry(e) => e.message_en(),
            VerifyError::Task(_) => "Internal error, please try again later.".into(),
        }
    }
}

/// Verifies a file: signatures (on the blocking pool), then the register cross-check.
/// `db` is `None` when no register is to be consulted (offline CLI use).
pub async fn verify_file(
    db: Option<&crate::db::Db>,
    trust: &TrustStore,
    bytes: std::sync::Arc<Vec<u8>>,
    max_bytes: u64,
) -> Result<DocumentReport, VerifyError> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_bytes {
        return Err(VerifyError::TooLarge { limit: max_bytes });
    }
    let policy = trust.policy(time::OffsetDateTime::now_utc());
    let input = bytes.clone();
    let mut report = rocket::tokio::task::spawn_blocking(move || {
        crate::verification::verify_pdf(&input, &policy)
    })
    .await
    .map_err(|e| VerifyError::Task(e.to_string()))??;
    match db {
        Some(db) => {
            let register = db
                .run(move |conn| {
                    let matched = cross_check(conn, &bytes, &mut report)?;
                    report.register = Some(matched.status);
                    Ok::<_, VerifyError>(report)
                })
                .await?;
            Ok(register)
        }
        None => {
            report.warnings.push(message(
                "REGISTER_NOT_CONSULTED",
                "Không đối chiếu sổ chứng thực (kiểm tra ngoại tuyến): chỉ kiểm tra chữ ký số.",
                "The register was not consulted (offline check): signatures only.",
            ));
            report.register = Some(RegisterStatus::Unknown);
            Ok(report)
        }
    }
}
