//! Certificate path building and validation (RFC 5280 §6, ETSI EN 319 102-1 §5.2.6 and
//! §5.2.7, docs/ARCHITECTURE.md §6, check 3), with x509-parser.
//!
//! The path is built from the signer certificate through the certificates in the CMS and the
//! configured intermediates to a configured trust anchor. An issuer is accepted only when its
//! subject equals the child's issuer name *and* the child's signature verifies with its key,
//! so a look-alike root carrying the same name as a real anchor leads nowhere.
//!
//! Time model: a claimed signing time (`/M`, CMS signingTime) is no proof of existence, and no
//! timestamp is validated yet, so every certificate must still be within its validity period
//! at the validation time (`policy.validation_time`). A certificate that has expired by then is
//! `INDETERMINATE/OUT_OF_BOUNDS_NO_POE`, whatever the claimed signing time: a signer holding an
//! expired key could otherwise set `/M` back to when the certificate was valid. A certificate
//! not yet valid at the claimed signing time is `INDETERMINATE/NOT_YET_VALID`.
//!
//! Revocation: only configured CRLs, each used after its signature verifies with the key of
//! the certificate's issuer. A serial on any such CRL is revoked, whether the CRL is current
//! or not. A revocation date at or before the signing time is `TOTAL_FAILED/REVOKED`; a later
//! date is `INDETERMINATE/REVOKED_NO_POE`, as ETSI EN 319 102-1 §5.2.6 prescribes without
//! proof of existence.

use std::collections::{HashMap, HashSet, VecDeque};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{
    OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_CERTIFICATE_POLICIES, OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::dss::DssMaterial;
use super::findings::{self, Finding};
use super::policy::ValidationPolicy;
use super::report::CertificateSummary;
use crate::cancel::Cancellation;

/// Longest path tried (signer, intermediates, anchor).
const MAX_PATH_LENGTH: usize = 8;

/// Path building for one document: the certificate signatures verified so far, bounded by
/// [`ValidationPolicy::max_certificate_signature_checks`], and the outcome of each
/// (certificate, issuer key) pair, so that no edge is verified twice, even across signatures
/// or among copies of an issuer that share a key.
#[derive(Debug)]
pub(crate) struct PathSearch {
    limit: usize,
    checks: usize,
    cancel: Cancellation,
    edges: HashMap<(Vec<u8>, Vec<u8>), bool>,
}

impl PathSearch {
    /// A search allowed `limit` signature verifications in all.
    /// Stops early (as if the budget were spent) once `cancel` says so.
    pub fn new(limit: usize, cancel: Cancellation) -> Self {
        Self {
            limit,
            checks: 0,
            cancel,
            edges: HashMap::new(),
        }
    }

    /// Signature verifications done so far.
    pub fn checks(&self) -> usize {
        self.checks
    }

    /// Whether `issuer`'s key verifies the signature on `child`; `None` once the budget is
    /// spent and the answer is not known yet.
    fn verifies(
        &mut self,
        child_der: &[u8],
        child: &X509Certificate<'_>,
        issuer: &X509Certificate<'_>,
    ) -> Option<bool> {
        let key = (child_der.to_vec(), issuer.public_key().raw.to_vec());
        if let Some(&known) = self.edges.get(&key) {
            return Some(known);
        }
        if self.checks >= self.limit || self.cancel.is_cancelled() {
            return None;
        }
        self.checks += 1;
        let verified = child.verify_signature(Some(issuer.public_key())).is_ok();
        self.edges.insert(key, verified);
        Some(verified)
    }
}

/// Result of path building and validation for one signer.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChainOutcome {
    /// Signer first; ends with the anchor when a path was found.
    pub chain: Vec<CertificateSummary>,
    /// The signer's common name, or its subject.
    pub signer_name: Option<String>,
    /// Errors and warnings.
    pub findings: Vec<Finding>,
}

struct Candidate<'a> {
    der: &'a [u8],
    certificate: X509Certificate<'a>,
    anchor: bool,
}

/// How the search for a path ended; each holds pool indices from the signer's issuer up.
enum PathFound {
    /// Up to a trust anchor.
    Complete(Vec<usize>),
    /// No path: the longest partial one.
    None(Vec<usize>),
    /// The signature-check budget ran out first: the longest partial path so far.
    BudgetSpent(Vec<usize>),
}

/// Builds and validates the signer's path: expiry against the validation time, validity start
/// and revocation dates against the claimed `signing_time`.
///
/// `proof_of_existence` is a time a trusted time-stamp proves the signature existed at
/// (ETSI EN 319 102-1 §5.6, past signature validation): a certificate that expired, or was
/// revoked, after it does not count against the signature. `carried` is the validation data
/// the file carries (its DSS), used besides the policy's intermediates and CRLs.
pub(crate) fn validate_chain(
    signer_der: &[u8],
    cms_certificates: &[Vec<u8>],
    carried: &DssMaterial,
    policy: &ValidationPolicy,
    signing_time: OffsetDateTime,
    proof_of_existence: Option<OffsetDateTime>,
    search: &mut PathSearch,
) -> ChainOutcome {
    let mut outcome = ChainOutcome::default();
    let Ok((_, signer)) = X509Certificate::from_der(signer_der) else {
        outcome.findings.push(findings::no_chain());
        return outcome;
    };
    outcome.signer_name = Some(display_name(&signer));

    // Each certificate once (by DER), anchors first so a trusted copy keeps its status.
    let mut pool: Vec<Candidate<'_>> = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let sources = policy.trust_anchors.iter().map(|der| (der, true)).chain(
        policy
            .intermediates
            .iter()
            .chain(cms_certificates)
            .chain(&carried.certificates)
            .map(|der| (der, false)),
    );
    for (der, anchor) in sources {
        if !seen.insert(der.as_slice()) {
            continue;
        }
        if let Ok((_, certificate)) = X509Certificate::from_der(der) {
            pool.push(Candidate {
                der,
                certificate,
                anchor,
            });
        }
    }

    let signer_is_anchor = pool
        .iter()
        .any(|candidate| candidate.anchor && candidate.der == signer_der);
    let found = if signer_is_anchor {
        PathFound::Complete(Vec::new())
    } else {
        find_path(&signer, signer_der, &pool, search)
    };
    let (path, complete) = match &found {
        PathFound::Complete(path) => (path, true),
        PathFound::None(path) | PathFound::BudgetSpent(path) => (path, false),
    };
    let issuers: Vec<&X509Certificate<'_>> = path
        .iter()
        .filter_map(|&index| pool.get(index).map(|candidate| &candidate.certificate))
        .collect();
    let certificates: Vec<&X509Certificate<'_>> = std::iter::once(&signer).chain(issuers).collect();
    outcome.chain = certificates
        .iter()
        .map(|certificate| summarize(certificate))
        .collect();
    if !complete {
        outcome
            .findings
            .push(if matches!(found, PathFound::BudgetSpent(_)) {
                findings::chain_search_limit(search.limit)
            } else {
                findings::no_chain()
            });
        return outcome;
    }
    check_path(
        &certificates,
        policy,
        &[&policy.crls, &carried.crls],
        signing_time,
        proof_of_existence,
        &mut outcome.findings,
    );
    outcome
}

/// Breadth-first search from the signer through issuers to a trust anchor: each certificate
/// is reached at most once (by a shortest path), each (certificate, issuer key) signature is
/// verified at most once, and paths are at most [`MAX_PATH_LENGTH`] long, so the work is
/// polynomial in the number of certificates and bounded by the search's budget.
fn find_path(
    signer: &X509Certificate<'_>,
    signer_der: &[u8],
    pool: &[Candidate<'_>],
    search: &mut PathSearch,
) -> PathFound {
    let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (index, candidate) in pool.iter().enumerate() {
        by_subject
            .entry(candidate.certificate.subject().as_raw())
            .or_default()
            .push(index);
    }
    // For each pool entry once reached: its child (`None`: the signer) and its path length.
    let mut reached: Vec<Option<(Option<usize>, usize)>> = pool
        .iter()
        .map(|candidate| (candidate.der == signer_der).then_some((None, 1)))
        .collect();
    let path_to = |reached: &[Option<(Option<usize>, usize)>], last: Option<usize>| {
        let mut path = Vec::new();
        let mut at = last;
        while let Some(index) = at {
            if path.len() >= MAX_PATH_LENGTH {
                break;
            }
            path.push(index);
            at = reached
                .get(index)
                .copied()
                .flatten()
                .and_then(|(child, _)| child);
        }
        path.reverse();
        path
    };
    let mut deepest: Option<usize> = None;
    let mut deepest_length = 1;
    let mut queue: VecDeque<(Option<usize>, usize)> = VecDeque::from([(None, 1)]);
    while let Some((node, length)) = queue.pop_front() {
        if length >= MAX_PATH_LENGTH {
            continue;
        }
        let (certificate, der) = match node {
            None => (signer, signer_der),
            Some(index) => match pool.get(index) {
                Some(candidate) => (&candidate.certificate, candidate.der),
                None => continue,
            },
        };
        let mut issuers: Vec<usize> = by_subject
            .get(certificate.issuer().as_raw())
            .map(|indices| {
                indices
                    .iter()
                    .copied()
                    .filter(|&index| reached.get(index).is_some_and(Option::is_none))
                    .collect()
            })
            .unwrap_or_default();
        // Anchors first: the shortest trusted path wins.
        issuers.sort_by_key(|&index| pool.get(index).is_none_or(|candidate| !candidate.anchor));
        for index in issuers {
            let Some(candidate) = pool.get(index) else {
                continue;
            };
            if candidate.der == der {
                continue;
            }
            match search.verifies(der, certificate, &candidate.certificate) {
                None => return PathFound::BudgetSpent(path_to(&reached, deepest)),
                Some(false) => continue,
                Some(true) => {}
            }
            if let Some(slot) = reached.get_mut(index) {
                *slot = Some((node, length + 1));
            }
            if candidate.anchor {
                return PathFound::Complete(path_to(&reached, Some(index)));
            }
            if length + 1 > deepest_length {
                deepest_length = length + 1;
                deepest = Some(index);
            }
            queue.push_back((Some(index), length + 1));
        }
    }
    PathFound::None(path_to(&reached, deepest))
}

/// RFC 5280 §6.1 checks the path needs here, plus signing key usage and CRLs.
fn check_path(
    certificates: &[&X509Certificate<'_>],
    policy: &ValidationPolicy,
    crls: &[&Vec<Vec<u8>>],
    signing_time: OffsetDateTime,
    proof_of_existence: Option<OffsetDateTime>,
    out: &mut Vec<Finding>,
) {
    // Without a proof of existence, the signature is only known to exist now.
    let proven = proof_of_existence.unwrap_or(policy.validation_time);
    let last = certificates.len().saturating_sub(1);
    for (position, certificate) in certificates.iter().enumerate() {
        let name = display_name(certificate);
        let validity = certificate.validity();
        let not_after = validity.not_after.to_datetime();
        if signing_time < validity.not_before.to_datetime() {
            out.push(findings::certificate_not_yet_valid(&name));
        } else if proven > not_after {
            // No proof of existence before the expiry: the claimed time proves nothing.
            let shown = not_after
                .format(&Rfc3339)
                .unwrap_or_else(|_| not_after.to_string());
            out.push(findings::certificate_expired(
                &name,
                &shown,
                signing_time > not_after,
            ));
        }
        check_extensions(certificate, &name, position, position == last, out);
    }
    for pair in certificates.windows(2) {
        if let [certificate, issuer] = pair {
            check_revocation(
                certificate,
                issuer,
                policy,
                crls,
                signing_time,
                proof_of_existence,
                out,
            );
        }
    }
}

fn check_extensions(
    certificate: &X509Certificate<'_>,
    name: &str,
    position: usize,
    is_anchor: bool,
    out: &mut Vec<Finding>,
) {
    let handled = [
        OID_X509_EXT_BASIC_CONSTRAINTS,
        OID_X509_EXT_KEY_USAGE,
        OID_X509_EXT_EXTENDED_KEY_USAGE,
        OID_X509_EXT_SUBJECT_ALT_NAME,
        OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
        OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
        OID_X509_EXT_CERTIFICATE_POLICIES,
    ];
    let unhandled_critical = certificate.extensions().iter().any(|extension| {
        extension.critical
            && (!handled.contains(&extension.oid)
                || matches!(
                    extension.parsed_extension(),
                    ParsedExtension::ParseError { .. }
                ))
    });
    if unhandled_critical {
        out.push(findings::chain_constraint(
            name,
            "chứng thư có phần mở rộng bắt buộc (critical) mà hệ thống không xử lý được.",
            "it has a critical extension this verifier does not process.",
        ));
    }
    let key_usage = certificate
        .key_usage()
        .ok()
        .flatten()
        .map(|extension| extension.value.flags);
    let key_usage = key_usage.map(|flags| x509_parser::extensions::KeyUsage { flags });
    if position == 0 {
        let may_sign = key_usage
            .as_ref()
            .is_some_and(|usage| usage.digital_signature() || usage.non_repudiation());
        if !may_sign {
            out.push(findings::chain_constraint(
                name,
                "mục đích sử dụng khóa (key usage) không cho phép ký số.",
                "its key usage does not allow digital signatures.",
            ));
        }
        return;
    }
    let constraints = certificate
        .basic_constraints()
        .ok()
        .flatten()
        .map(|extension| extension.value.clone());
    match constraints {
        Some(constraints) if constraints.ca => {
            // Certificates below this one that are CAs (not the signer): position - 1.
            if constraints
                .path_len_constraint
                .is_some_and(|limit| (position - 1) as u64 > u64::from(limit))
            {
                out.push(findings::chain_constraint(
                    name,
                    "chuỗi chứng thư dài hơn giới hạn cho phép (path length).",
                    "the path is longer than its path length constraint allows.",
                ));
            }
        }
        _ => out.push(findings::chain_constraint(
            name,
            "chứng thư này không phải của tổ chức cấp chứng thư (CA) nhưng lại cấp chứng thư khác.",
            "it issued a certificate but is not a CA certificate (basic constraints).",
        )),
    }
    let may_certify = match key_usage {
        Some(usage) => usage.key_cert_sign(),
        None => is_anchor,
    };
    if !may_certify {
        out.push(findings::chain_constraint(
            name,
            "mục đích sử dụng khóa không cho phép cấp chứng thư (keyCertSign).",
            "its key usage does not allow signing certificates (keyCertSign).",
        ));
    }
}

fn check_revocation(
    certificate: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    policy: &ValidationPolicy,
    crls: &[&Vec<Vec<u8>>],
    signing_time: OffsetDateTime,
    proof_of_existence: Option<OffsetDateTime>,
    out: &mut Vec<Finding>,
) {
    let name = display_name(certificate);
    let issuer_may_sign_crls = issuer
        .key_usage()
        .ok()
        .flatten()
        .is_none_or(|extension| extension.value.crl_sign());
    let mut current = false;
    for der in crls.iter().flat_map(|list| list.iter()) {
        let Ok((_, crl)) = CertificateRevocationList::from_der(der) else {
            continue;
        };
        let from_issuer = issuer_may_sign_crls
            && crl.issuer().as_raw() == certificate.issuer().as_raw()
            && crl.verify_signature(issuer.public_key()).is_ok();
        if !from_issuer {
            continue;
        }
        let this_update = crl.last_update().to_datetime();
        let next_update = crl.next_update().map(|time| time.to_datetime());
        // Current now, or at the time a trusted time-stamp proves the signature existed:
        // past validation needs the status at that time, which a CRL of then gives (a
        // revocation after it does not count, see below).
        let current_at = |time: OffsetDateTime| {
            this_update <= time && next_update.is_some_and(|next| next >= time)
        };
        current |= current_at(policy.validation_time) || proof_of_existence.is_some_and(current_at);
        let entry = crl.iter_revoked_certificates().find(|revoked| {
            revoked.raw_serial() == certificate.raw_serial()
                || revoked.user_certificate == certificate.serial
        });
        if let Some(revoked) = entry {
            let date = revoked.revocation_date.to_datetime();
            if proof_of_existence.is_some_and(|proven| proven < date) {
                // Revoked after a trusted time-stamp proves the signature existed: the
                // certificate was good when it signed.
                return;
            }
            let shown = date.format(&Rfc3339).unwrap_or_else(|_| date.to_string());
            out.push(if date <= signing_time {
                findings::revoked(&name, &shown)
            } else {
                findings::revoked_after_signing(&name, &shown)
            });
            return;
        }
    }
    if !current && policy.require_revocation_check {
        out.push(findings::revocation_unknown(&name));
    }
}

/// Common name, or the whole subject when there is none.
fn display_name(certificate: &X509Certificate<'_>) -> String {
    certificate
        .subject()
        .iter_common_name()
        .next()
        .and_then(|common_name| common_name.as_str().ok())
        .map_or_else(|| certificate.subject().to_string(), str::to_owned)
}

fn summarize(certificate: &X509Certificate<'_>) -> CertificateSummary {
    CertificateSummary {
        subject: certificate.subject().to_string(),
        issuer: certificate.issuer().to_string(),
        serial: certificate
            .raw_serial()
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect(),
        not_before: certificate.validity().not_before.to_datetime(),
        not_after: certificate.validity().not_after.to_datetime(),
    }
}
