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

use super::findings::{self, Finding};
use super::policy::ValidationPolicy;
use super::report::CertificateSummary;

/// Longest path tried (signer, intermediates, anchor).
const MAX_PATH_LENGTH: usize = 8;

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

/// Builds and validates the signer's path: expiry against the validation time, validity start
/// and revocation dates against the claimed `signing_time`.
pub(crate) fn validate_chain(
    signer_der: &[u8],
    cms_certificates: &[Vec<u8>],
    policy: &ValidationPolicy,
    signing_time: OffsetDateTime,
) -> ChainOutcome {
    let mut outcome = ChainOutcome::default();
    let Ok((_, signer)) = X509Certificate::from_der(signer_der) else {
        outcome.findings.push(findings::no_chain());
        return outcome;
    };
    outcome.signer_name = Some(display_name(&signer));

    let mut pool: Vec<Candidate<'_>> = Vec::new();
    let sources = policy.trust_anchors.iter().map(|der| (der, true)).chain(
        policy
            .intermediates
            .iter()
            .chain(cms_certificates)
            .map(|der| (der, false)),
    );
    for (der, anchor) in sources {
        if pool.iter().any(|candidate| candidate.der == der.as_slice()) {
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
    let mut path = Vec::new();
    let mut longest = Vec::new();
    let complete =
        signer_is_anchor || extend_path(&signer, signer_der, &pool, &mut path, &mut longest);
    let issuers: Vec<&X509Certificate<'_>> = if complete { &path } else { &longest }
        .iter()
        .filter_map(|&index| pool.get(index).map(|candidate| &candidate.certificate))
        .collect();
    let certificates: Vec<&X509Certificate<'_>> = std::iter::once(&signer).chain(issuers).collect();
    outcome.chain = certificates
        .iter()
        .map(|certificate| summarize(certificate))
        .collect();
    if !complete {
        outcome.findings.push(findings::no_chain());
        return outcome;
    }
    check_path(&certificates, policy, signing_time, &mut outcome.findings);
    outcome
}

/// Depth-first search for issuers until an anchor is reached. `path` holds pool indices.
fn extend_path(
    current: &X509Certificate<'_>,
    current_der: &[u8],
    pool: &[Candidate<'_>],
    path: &mut Vec<usize>,
    longest: &mut Vec<usize>,
) -> bool {
    if path.len() > longest.len() {
        longest.clone_from(path);
    }
    if path.len() + 1 >= MAX_PATH_LENGTH {
        return false;
    }
    let mut issuers: Vec<usize> = pool
        .iter()
        .enumerate()
        .filter(|(index, candidate)| {
            !path.contains(index)
                && candidate.der != current_der
                && candidate.certificate.subject().as_raw() == current.issuer().as_raw()
                && current
                    .verify_signature(Some(candidate.certificate.public_key()))
                    .is_ok()
        })
        .map(|(index, _)| index)
        .collect();
    // Anchors first: the shortest trusted path wins.
    issuers.sort_by_key(|&index| pool.get(index).is_none_or(|candidate| !candidate.anchor));
    for index in issuers {
        let Some(candidate) = pool.get(index) else {
            continue;
        };
        path.push(index);
        if candidate.anchor
            || extend_path(&candidate.certificate, candidate.der, pool, path, longest)
        {
            return true;
        }
        path.pop();
    }
    false
}

/// RFC 5280 §6.1 checks the path needs here, plus signing key usage and CRLs.
fn check_path(
    certificates: &[&X509Certificate<'_>],
    policy: &ValidationPolicy,
    signing_time: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    let last = certificates.len().saturating_sub(1);
    for (position, certificate) in certificates.iter().enumerate() {
        let name = display_name(certificate);
        let validity = certificate.validity();
        let not_after = validity.not_after.to_datetime();
        if signing_time < validity.not_before.to_datetime() {
            out.push(findings::certificate_not_yet_valid(&name));
        } else if policy.validation_time > not_after {
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
            check_revocation(certificate, issuer, policy, signing_time, out);
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
    signing_time: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    let name = display_name(certificate);
    let issuer_may_sign_crls = issuer
        .key_usage()
        .ok()
        .flatten()
        .is_none_or(|extension| extension.value.crl_sign());
    let mut current = false;
    for der in &policy.crls {
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
        current |= this_update <= policy.validation_time
            && next_update.is_some_and(|next| next >= policy.validation_time);
        let entry = crl.iter_revoked_certificates().find(|revoked| {
            revoked.raw_serial() == certificate.raw_serial()
                || revoked.user_certificate == certificate.serial
        });
        if let Some(revoked) = entry {
            let date = revoked.revocation_date.to_datetime();
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
