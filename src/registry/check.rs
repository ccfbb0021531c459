//! The register cross-check of a verification (docs/ARCHITECTURE.md §6, check 5).
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
    let digest = signed_content_sha256(bytes, report);
    let mut entry = RegisterEntry::find_by_digest(conn, &digest)?;
    if entry.is_none() {
        if let Some(code) = claimed_code(bytes) {
            if let Some(claimed) = RegisterEntry::find_by_code(conn, &code)? {
                fail(
                    report,
                    ReportMessage::new(
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
                ReportMessage::new(
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
        report.warnings.push(ReportMessage::new(
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
            ReportMessage::new(
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
        report.errors.push(ReportMessage::new(
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
                ReportMessage::new(
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
