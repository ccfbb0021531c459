//! Verifying certified copies (docs/ARCHITECTURE.md §6): the PDF's signatures, their certificates, and
//! what changed after each signature, summed up in a [`DocumentReport`].
//!
//! Layers, bottom up (each with its own result type):
//! - CMS ([`CmsStatus`]): SignedData structure, message digest, signature value;
//! - PDF signature ([`SignatureReport`]): ByteRange and `/Contents` in the raw bytes,
//!   certificate chain and revocation, modifications after signing, DocMDP;
//! - document ([`DocumentReport`]): all signatures and the verdict.
//!
//! Everything fails closed: a check that cannot be completed never passes. Garbage input is a
//! [`VerificationError`]; a forged, altered or malformed signature is a report with
//! `TOTAL_FAILED` or `INDETERMINATE`, never a panic.
//!
//! Choices where ETSI EN 319 102-1 leaves room, fixed here:
//! - revoked at or before the claimed signing time: `TOTAL_FAILED/REVOKED`; revoked later:
//!   `INDETERMINATE/REVOKED_NO_POE` (no timestamp proves the signing time);
//! - signer key usage without digitalSignature/nonRepudiation, CA without keyCertSign or
//!   basic constraints, path length exceeded, unknown critical extension:
//!   `INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE`;
//! - `/Contents` zeroed (or anything that is not one DER SignedData followed by zero padding):
//!   `TOTAL_FAILED/FORMAT_FAILURE`; a well-formed CMS whose signature does not verify:
//!   `TOTAL_FAILED/SIG_CRYPTO_FAILURE`;
//! - a claimed signing time (`/M`, CMS signingTime) is never proof of existence; a trusted
//!   signature time-stamp, or a document time-stamp after the signature, is (past validation,
//!   §5.6). Without one, every certificate of the chain must still be valid at the validation
//!   time; one that has expired by then makes the signature `INDETERMINATE/OUT_OF_BOUNDS_NO_POE`,
//!   even when the claimed time lies inside its validity (consistent with `REVOKED_NO_POE`); a
//!   certificate not yet valid at the claimed signing time is `INDETERMINATE/NOT_YET_VALID`.
//!   With proof of existence at T, expiry and revocation after T do not count, and a CRL
//!   current at T is current enough;
//! - document time-stamps are checked latest first: the latest must be trusted now, each
//!   earlier one at the time the next proves; a broken one (imprint, signature, structure)
//!   fails the document, an untrusted one is a warning and proves nothing;
//! - the certificates and CRLs of the file's DSS join the policy's intermediates and CRLs,
//!   never its trust anchors;
//! - certificate paths are searched breadth first, each certificate (by DER) once, each
//!   certificate–issuer-key signature verified at most once per document, at most 8
//!   certificates long and within [`ValidationPolicy::max_certificate_signature_checks`]
//!   signature verifications per document (signatures and every time-stamp together); a path
//!   not found within that budget:
//!   `INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND` (`CHAIN_SEARCH_LIMIT`);
//! - decompression is bounded ([`DecompressionLimits`]): no stream decodes to more than 16
//!   times the file size (at least 4 MiB, at most 64 MiB), and the object and
//!   cross-reference streams decoded while loading all revisions (each revision loads its
//!   prefix again) total at most 32 MiB plus 4 times the file size; beyond that the file is
//!   refused with [`VerificationError::DecompressionLimit`], never judged from a partial load;
//! - a certificate without a current CRL from its issuer: `INDETERMINATE/TRY_LATER`, unless
//!   [`ValidationPolicy::require_revocation_check`] is off.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod byte_range;
pub(crate) mod chain;
pub(crate) mod cms_check;
mod document_timestamp;
pub(crate) mod dss;
mod error;
pub(crate) mod findings;
mod modifications;
mod object_graph;
mod pdf_signature;
mod pdf_syntax;
mod policy;
mod report;
mod revisions;
mod signature_fields;

use std::collections::HashSet;

pub use byte_range::{ByteRange, DigestAlgorithm, digest_byte_ranges};
pub use cms_check::CmsStatus;
pub use error::{PolicyError, VerificationError};
pub use policy::{
    DEFAULT_MAX_CERTIFICATE_SIGNATURE_CHECKS, ValidationPolicy, certificates_from_pem_or_der,
    crls_from_pem_or_der,
};
pub use report::{
    CertificateSummary, Coverage, DocMdpPermission, DocumentReport, DocumentTimestampReport,
    Indication, Modification, ModificationKind, RegisterStatus, ReportMessage, SignatureReport,
    SignatureTimestamp, SubIndication, TransparencyState, TransparencyStatus,
};
pub use revisions::DecompressionLimits;

use crate::cancel::Cancellation;
use findings::Finding;
use pdf_signature::CheckedSignature;
use revisions::Revisions;
use signature_fields::SignatureValue;

/// Work done verifying one document, to check that the verifier stays within its bounds
/// (tests, monitoring).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationStats {
    /// Certificate signatures verified while building certificate paths, all signatures
    /// together; never more than [`ValidationPolicy::max_certificate_signature_checks`].
    pub certificate_signature_checks: usize,
    /// Bytes decoded from object and cross-reference streams while loading the revisions;
    /// never more than `decompression_limits.per_document`, since a stream that would go
    /// over is stopped at the limit.
    pub decompressed_bytes: usize,
    /// The limits applied to this file.
    pub decompression_limits: DecompressionLimits,
}

/// Verifies every signature of the PDF in `bytes` under `policy`.
///
/// Returns `Err` only when the input is not a readable PDF (empty, no `%PDF-` header at the
/// start, truncated, unreadable structure, compressed data over the [`DecompressionLimits`]).
/// The report's `register` is left `None` for the caller to fill.
pub fn verify_pdf(
    bytes: &[u8],
    policy: &ValidationPolicy,
) -> Result<DocumentReport, VerificationError> {
    verify_pdf_with_stats(bytes, policy).0
}

/// [`verify_pdf`], also returning the work it did.
pub fn verify_pdf_with_stats(
    bytes: &[u8],
    policy: &ValidationPolicy,
) -> (Result<DocumentReport, VerificationError>, VerificationStats) {
    let mut stats = VerificationStats::default();
    let result = verify(bytes, policy, &mut stats);
    (result, stats)
}

fn verify(
    bytes: &[u8],
    policy: &ValidationPolicy,
    stats: &mut VerificationStats,
) -> Result<DocumentReport, VerificationError> {
    if bytes.is_empty() {
        return Err(VerificationError::Empty);
    }
    if !bytes.starts_with(b"%PDF-") {
        // lopdf would skip leading junk and shift every offset; ByteRange offsets count from
        // the first byte, so the header must be there.
        return Err(VerificationError::NotPdf);
    }
    if u32::try_from(bytes.len()).is_err() {
        return Err(VerificationError::TooLarge);
    }
    let markers = pdf_syntax::revision_markers(bytes);
    let complete = markers.last().is_some_and(|last| {
        bytes
            .get(last.line_end..)
            .is_some_and(|rest| rest.iter().all(|&b| pdf_syntax::is_whitespace(b)))
    });
    if !complete {
        return Err(VerificationError::Truncated);
    }
    let (revisions, digests) = read_revisions_and_hash(bytes, markers, &policy.cancel);
    stats.decompressed_bytes = revisions.decompressed_bytes;
    stats.decompression_limits = revisions.limits;
    if revisions.cancelled {
        return Err(VerificationError::Cancelled);
    }
    if revisions.decompression_limit_exceeded {
        return Err(VerificationError::DecompressionLimit);
    }
    let last_index = revisions.markers.len().saturating_sub(1);
    let latest = revisions
        .document(last_index)
        .ok_or_else(|| VerificationError::Unreadable("cross-reference data or trailer".into()))?;
    if object_graph::catalog(latest).is_none() {
        return Err(VerificationError::Unreadable("no document catalog".into()));
    }

    let mut document_errors = Vec::new();
    let mut document_warnings = Vec::new();
    let mut checked = Vec::new();
    let mut work = pdf_signature::DocumentWork {
        digests,
        search: chain::PathSearch::new(
            policy.max_certificate_signature_checks,
            policy.cancel.clone(),
        ),
        document_timestamps: Vec::new(),
        // Certificates and CRLs in the file's DSS serve every signature and time-stamp.
        dss: dss::read(latest),
    };
    let fields = signature_fields::signature_fields(latest);
    let (timestamp_fields, signature_fields): (Vec<_>, Vec<_>) =
        fields.iter().partition(|field| match field.value {
            SignatureValue::Indirect(id) => latest
                .objects
                .get(&id)
                .and_then(|object| object_graph::as_dictionary(latest, object))
                .is_some_and(|value| modifications::is_document_timestamp(latest, value)),
            SignatureValue::Direct => false,
        });
    // Document time-stamps first, the latest first: each one that checks proves the time of
    // everything before it, earlier time-stamps and signatures included.
    let mut stamps: Vec<(usize, document_timestamp::CheckedTimestamp)> = timestamp_fields
        .iter()
        .map(|field| document_timestamp::locate(bytes, field, latest, &revisions))
        .enumerate()
        .collect();
    stamps.sort_by_key(|(_, stamp)| std::cmp::Reverse(stamp.revision()));
    for (_, stamp) in &mut stamps {
        if policy.cancel.is_cancelled() {
            return Err(VerificationError::Cancelled);
        }
        document_timestamp::check(stamp, policy, &mut work);
    }
    // Reported in file order.
    stamps.sort_by_key(|(index, _)| *index);
    let stamps: Vec<document_timestamp::CheckedTimestamp> =
        stamps.into_iter().map(|(_, stamp)| stamp).collect();
    for stamp in &stamps {
        match stamp.report.indication {
            Indication::TotalPassed => {}
            Indication::TotalFailed => document_errors.push(findings::document_timestamp_failed(
                &stamp.report.field_name,
            )),
            Indication::Indeterminate => document_warnings.push(
                findings::document_timestamp_not_used(&stamp.report.field_name),
            ),
        }
    }
    for field in signature_fields {
        if policy.cancel.is_cancelled() {
            return Err(VerificationError::Cancelled);
        }
        checked.push(pdf_signature::check_signature(
            bytes, field, latest, &revisions, policy, &mut work,
        ));
    }
    stats.certificate_signature_checks = work.search.checks();
    // A path search stopped by the cancellation looks like a spent budget: never report it.
    if policy.cancel.is_cancelled() {
        return Err(VerificationError::Cancelled);
    }
    judge_modifications(bytes, &revisions, latest, &mut checked, &policy.cancel);
    if policy.cancel.is_cancelled() {
        return Err(VerificationError::Cancelled);
    }
    document_errors.extend(removed_signatures(&revisions, &fields));
    for (index, marker) in revisions.markers.iter().enumerate() {
        if revisions.document(index).is_none() {
            document_warnings.push(findings::unreadable_revision(marker.line_end));
        }
    }

    let signatures: Vec<SignatureReport> = checked.into_iter().map(finish).collect();
    let valid = signatures
        .iter()
        .filter(|s| s.indication == Indication::TotalPassed)
        .count();
    if signatures.is_empty() {
        document_errors.push(findings::no_signature());
    }
    let verdict = if signatures.is_empty() || !document_errors.is_empty() {
        Indication::TotalFailed
    } else {
        signatures.iter().fold(Indication::TotalPassed, |worst, s| {
            worst.worst(s.indication)
        })
    };
    let mut report = DocumentReport {
        signed_content_sha256: None,
        validation_time: policy.validation_time,
        signatures_count: signatures.len(),
        valid_signatures_count: valid,
        revisions_count: revisions.markers.len(),
        signatures,
        document_timestamps: stamps.into_iter().map(|stamp| stamp.report).collect(),
        errors: document_errors,
        warnings: document_warnings,
        register: None,
        transparency: None,
        verdict,
    };
    report.signed_content_sha256 = work
        .digests
        .sha256_of_prefix(report.signed_end(bytes.len()));
    Ok(report)
}

/// Loads the revisions while another thread hashes, with SHA-256, the first revision: every
/// signature added by an incremental update signs it (ByteRanges start at 0), so the hashing
/// that dominates verifying a large scan overlaps the parsing instead of following it.
/// Without a second thread (or with a single revision) the digests are computed later,
/// the same way; the results never depend on it.
fn read_revisions_and_hash<'a>(
    bytes: &'a [u8],
    markers: Vec<pdf_syntax::RevisionMarker>,
    cancel: &Cancellation,
) -> (Revisions, byte_range::SignedRangeDigests<'a>) {
    let first_revision_end = match markers.as_slice() {
        [first, _, ..] => Some(first.line_end),
        _ => None,
    };
    std::thread::scope(|scope| {
        let hashing = first_revision_end.and_then(|end| {
            std::thread::Builder::new()
                .name("verify-hash".into())
                .spawn_scoped(scope, move || {
                    let mut digests = byte_range::SignedRangeDigests::new(bytes);
                    digests.advance(DigestAlgorithm::Sha256, end);
                    digests
                })
                .ok()
        });
        let revisions = Revisions::read(bytes, markers, cancel);
        let digests = hashing
            .and_then(|handle| handle.join().ok())
            .unwrap_or_else(|| byte_range::SignedRangeDigests::new(bytes));
        (revisions, digests)
    })
}

/// Adds the modifications after each signature and judges them against its permission
/// (its own DocMDP level, else that of an earlier certification signature, else approval
/// rules). Also enforces that a certification signature is the first one (ISO 32000-1
/// §12.8.2.2.1).
fn judge_modifications(
    bytes: &[u8],
    revisions: &Revisions,
    latest: &Document,
    checked: &mut [CheckedSignature],
    cancel: &Cancellation,
) {
    let certifications: Vec<(usize, DocMdpPermission)> = checked
        .iter()
        .filter_map(|signature| {
            Some((
                signature.revision?,
                signature.report.certification_permission?,
            ))
        })
        .collect();
    let first_signed = checked
        .iter()
        .filter_map(|signature| signature.revision)
        .min();
    for signature in checked.iter_mut() {
        if cancel.is_cancelled() {
            return;
        }
        let Some(revision) = signature.revision else {
            continue;
        };
        let Some(signed) = revisions.document(revision) else {
            continue;
        };
        if signature.report.certification_permission.is_some() && first_signed != Some(revision) {
            signature.findings.push(findings::certification_not_first());
        }
        let permission = certifications
            .iter()
            .filter(|(certified, _)| *certified <= revision)
            .map(|(_, permission)| *permission)
            .chain(signature.report.certification_permission)
            .min_by_key(|permission| match permission {
                DocMdpPermission::NoChanges => 1,
                DocMdpPermission::FillFormsAndSign => 2,
                DocMdpPermission::FillFormsSignAndAnnotate => 3,
            });
        let mut found = if revision == revisions.markers.len().saturating_sub(1) {
            Vec::new()
        } else {
            modifications::modifications(signed, latest)
        };
        found.extend(revisions.hidden_objects_after(bytes, revision));
        found.retain(|modification| modification.kind != ModificationKind::Structural);
        let only_timestamps = !found.iter().any(|m| {
            matches!(
                m.kind,
                ModificationKind::Signature
                    | ModificationKind::SignatureField
                    | ModificationKind::FormField
            )
        });
        let forbidden: Vec<&Modification> = found
            .iter()
            .filter(|m| !modifications::is_permitted(m.kind, permission, only_timestamps))
            .collect();
        if let Some(worst) = forbidden.iter().map(|m| m.kind).max() {
            let (vi, en) = describe_kind(worst);
            signature
                .findings
                .push(findings::modified_after_signing(vi, en, forbidden.len()));
        } else if !found.is_empty() {
            signature
                .findings
                .push(findings::allowed_changes_after_signing(found.len()));
        }
        signature.report.modifications = found;
    }
}

fn describe_kind(kind: ModificationKind) -> (&'static str, &'static str) {
    match kind {
        ModificationKind::PageContent => ("nội dung trang bị thay đổi", "page content was changed"),
        ModificationKind::PageTree => (
            "trang bị thêm, xóa hoặc đổi thứ tự",
            "pages were added, removed or reordered",
        ),
        ModificationKind::Annotation => (
            "chú thích hoặc dấu trên trang bị thêm, sửa hoặc xóa",
            "annotations were added, changed or removed",
        ),
        ModificationKind::Other => (
            "cấu trúc tài liệu bị thay đổi bất thường",
            "the document structure was changed unexpectedly",
        ),
        _ => (
            "có thêm trường biểu mẫu hoặc chữ ký vượt quá quyền mà chữ ký chứng nhận cho phép",
            "form fields or signatures were added beyond what the certification signature permits",
        ),
    }
}

/// Signatures present in an earlier revision whose value is gone from the final document:
/// hiding a signature is tampering.
fn removed_signatures(
    revisions: &Revisions,
    fields: &[signature_fields::SignatureField],
) -> Vec<ReportMessage> {
    let present: HashSet<SignatureValue> = fields.iter().map(|field| field.value).collect();
    let mut removed = HashSet::new();
    for doc in revisions.documents.iter().flatten() {
        for field in signature_fields::signature_fields(doc) {
            if !present.contains(&field.value) {
                removed.insert(field.name);
            }
        }
    }
    let mut removed: Vec<String> = removed.into_iter().collect();
    removed.sort();
    removed
        .into_iter()
        .map(|name| ReportMessage {
            code: "SIGNATURE_REMOVED".into(),
            message_vi: format!(
                "Chữ ký trong trường {name} đã bị gỡ khỏi tài liệu trong một lần cập nhật sau."
            ),
            message_en: format!(
                "The signature in field {name} was removed from the document by a later update."
            ),
        })
        .collect()
}

/// Turns findings into the report's errors, warnings and indication: the worst indication
/// wins, and the sub-indication is that of the first error with it.
fn finish(checked: CheckedSignature) -> SignatureReport {
    let CheckedSignature {
        mut report,
        findings,
        ..
    } = checked;
    let mut indication = Indication::TotalPassed;
    for Finding {
        sub_indication,
        message,
    } in findings
    {
        match sub_indication {
            Some(sub) => {
                let worse = sub.indication().worst(indication) != indication;
                if worse {
                    indication = sub.indication();
                    report.sub_indication = Some(sub);
                }
                report.errors.push(message);
            }
            None => report.warnings.push(message),
        }
    }
    report.indication = indication;
    report
}

use lopdf::Document;
