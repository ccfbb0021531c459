//! Document time-stamps (ISO 32000-2, 12.8.5; PAdES B-LTA): an RFC 3161 token in
//! `/Contents` over the byte ranges of its revision. Checked like a signature's byte range,
//! then as a token: the imprint against the bytes it covers (else `HASH_FAILURE`), its
//! signature, the authority's certificate (`timeStamping` only, critical) and its path to a
//! trust anchor. A later document time-stamp that checks is proof of existence for an
//! earlier one (past validation, ETSI EN 319 102-1 §5.6), which is how a copy stays
//! verifiable after its authorities' certificates expire: the last time-stamp must be
//! trusted now, each earlier one at the time the next proves.

use time::OffsetDateTime;

use super::findings::Finding;
use super::pdf_signature::{self, DocumentWork, Located};
use super::policy::ValidationPolicy;
use super::report::{DocumentTimestampReport, Indication};
use super::revisions::Revisions;
use super::signature_fields::SignatureField;

/// A document time-stamp, located, then checked.
pub(crate) struct CheckedTimestamp {
    /// The result so far.
    pub report: DocumentTimestampReport,
    /// The revision it covers and its token, when its byte range is sound.
    located: Option<(usize, super::byte_range::ByteRange, Vec<u8>)>,
    /// Why it could not be located.
    failure: Option<Finding>,
}

impl CheckedTimestamp {
    /// The revision it covers, when known.
    pub fn revision(&self) -> Option<usize> {
        self.located.as_ref().map(|(revision, _, _)| *revision)
    }
}

/// Finds the time-stamp's value and checks its byte range.
pub(crate) fn locate(
    bytes: &[u8],
    field: &SignatureField,
    latest: &lopdf::Document,
    revisions: &Revisions,
) -> CheckedTimestamp {
    let mut report = DocumentTimestampReport {
        field_name: field.name.clone(),
        indication: Indication::TotalPassed,
        sub_indication: None,
        time: None,
        tsa: None,
        covers_whole_document: false,
        errors: Vec::new(),
    };
    match pdf_signature::locate(bytes, field, latest, revisions) {
        Ok(Located {
            revision,
            range,
            cms,
            covers_whole_document,
            ..
        }) => {
            report.covers_whole_document = covers_whole_document;
            CheckedTimestamp {
                report,
                located: Some((revision, range, cms)),
                failure: None,
            }
        }
        Err(finding) => CheckedTimestamp {
            report,
            located: None,
            failure: Some(finding),
        },
    }
}

/// Checks the token, with proof of existence from the later document time-stamps already
/// checked (in `work`); one that checks is added there for the earlier ones and for the
/// signatures.
pub(crate) fn check(
    stamp: &mut CheckedTimestamp,
    policy: &ValidationPolicy,
    work: &mut DocumentWork<'_>,
) {
    let mut findings: Vec<Finding> = stamp.failure.take().into_iter().collect();
    if let Some((revision, range, token)) = &stamp.located {
        let proof = work.proof_after(*revision);
        let algorithm =
            crate::timestamp::imprint_algorithm(token).unwrap_or(super::DigestAlgorithm::Sha256);
        let digest = work.digests.digest(range, algorithm);
        let expected = digest.as_deref().map(|digest| (algorithm, digest));
        match crate::timestamp::check_token_findings(
            token,
            expected,
            policy,
            proof,
            &mut work.search,
            &work.dss,
        ) {
            Ok(info) => {
                stamp.report.time = Some(info.gen_time);
                stamp.report.tsa = info
                    .chain
                    .first()
                    .map(|certificate| certificate.subject.clone());
                work.document_timestamps.push((*revision, info.gen_time));
            }
            Err(reasons) => findings.extend(reasons),
        }
    }
    judge(&mut stamp.report, findings);
}

/// The worst indication among `findings`, the sub-indication of the first error with it.
fn judge(report: &mut DocumentTimestampReport, findings: Vec<Finding>) {
    for finding in findings {
        if let Some(sub) = finding.sub_indication {
            if sub.indication().worst(report.indication) != report.indication {
                report.indication = sub.indication();
                report.sub_indication = Some(sub);
            }
            report.errors.push(finding.message);
        }
    }
}

/// The earliest time proven for a revision by the document time-stamps after it.
pub(crate) fn earliest_after(
    stamps: &[(usize, OffsetDateTime)],
    revision: usize,
) -> Option<OffsetDateTime> {
    stamps
        .iter()
        .filter(|(stamped, _)| *stamped > revision)
        .map(|(_, time)| *time)
        .min()
}
