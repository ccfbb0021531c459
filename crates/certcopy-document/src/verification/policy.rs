//! What the verifier trusts: trust anchors, extra intermediates, CRLs, and the validation time.

use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use super::error::PolicyError;
use crate::cancel::Cancellation;

/// Default for [`ValidationPolicy::max_certificate_signature_checks`].
pub const DEFAULT_MAX_CERTIFICATE_SIGNATURE_CHECKS: usize = 256;

/// Trust settings for one verification.
///
/// Certificates and CRLs are kept as DER. Use the `add_*` loaders to accept PEM or DER input;
/// they check that each item parses, so a bad file fails at configuration time.
#[derive(Debug, Clone)]
pub struct ValidationPolicy {
    /// Trusted root (or other anchor) certificates, DER. A chain must end at one of these,
    /// matched by subject *and* a verified signature.
    pub trust_anchors: Vec<Vec<u8>>,
    /// Extra intermediate CA certificates, DER, used in addition to those inside each CMS.
    pub intermediates: Vec<Vec<u8>>,
    /// Certificate revocation lists, DER, used after their signature is verified against
    /// the issuing CA of the certificate being checked.
    pub crls: Vec<Vec<u8>>,
    /// The time of this validation ("now"); also the signing time when `/M` is absent.
    pub validation_time: OffsetDateTime,
    /// When true (the default from [`ValidationPolicy::new`]), a certificate without a
    /// current CRL from its issuer makes the signature `INDETERMINATE/TRY_LATER`.
    pub require_revocation_check: bool,
    /// Most certificate signatures verified while building certificate paths for one document
    /// (all its signatures together). A signature whose path is not found within the budget
    /// is `INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND`: a CMS stuffed with look-alike
    /// certificates cannot make the verifier work without bound.
    pub max_certificate_signature_checks: usize,
    /// Asked between steps of the work (each revision loaded, each certificate signature
    /// checked, each signature judged): once it says stop, [`super::verify_pdf`] returns
    /// [`super::VerificationError::Cancelled`]. Never cancelled by default.
    pub cancel: Cancellation,
}

impl ValidationPolicy {
    /// An empty policy at `validation_time` that requires revocation checking.
    pub fn new(validation_time: OffsetDateTime) -> Self {
        Self {
            trust_anchors: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            validation_time,
            require_revocation_check: true,
            max_certificate_signature_checks: DEFAULT_MAX_CERTIFICATE_SIGNATURE_CHECKS,
            cancel: Cancellation::never(),
        }
    }

    /// Adds trust anchors from PEM (one or more `CERTIFICATE` blocks) or DER.
    pub fn add_trust_anchors(&mut self, pem_or_der: &[u8]) -> Result<usize, PolicyError> {
        let certificates = certificates_from_pem_or_der(pem_or_der)?;
        let count = certificates.len();
        self.trust_anchors.extend(certificates);
        Ok(count)
    }

    /// Adds intermediate CA certificates from PEM or DER.
    pub fn add_intermediates(&mut self, pem_or_der: &[u8]) -> Result<usize, PolicyError> {
        let certificates = certificates_from_pem_or_der(pem_or_der)?;
        let count = certificates.len();
        self.intermediates.extend(certificates);
        Ok(count)
    }

    /// Adds CRLs from PEM (`X509 CRL` blocks) or DER.
    pub fn add_crls(&mut self, pem_or_der: &[u8]) -> Result<usize, PolicyError> {
        let crls = crls_from_pem_or_der(pem_or_der)?;
        let count = crls.len();
        self.crls.extend(crls);
        Ok(count)
    }
}

/// Reads certificates from PEM (all `CERTIFICATE` blocks) or a single DER certificate.
pub fn certificates_from_pem_or_der(input: &[u8]) -> Result<Vec<Vec<u8>>, PolicyError> {
    let blocks = der_blocks(input, "CERTIFICATE")?;
    for der in &blocks {
        X509Certificate::from_der(der)
            .map_err(|e| PolicyError::InvalidCertificate(e.to_string()))?;
    }
    Ok(blocks)
}

/// Reads CRLs from PEM (all `X509 CRL` blocks) or a single DER CRL.
pub fn crls_from_pem_or_der(input: &[u8]) -> Result<Vec<Vec<u8>>, PolicyError> {
    let blocks = der_blocks(input, "X509 CRL")?;
    for der in &blocks {
        CertificateRevocationList::from_der(der)
            .map_err(|e| PolicyError::InvalidCrl(e.to_string()))?;
    }
    Ok(blocks)
}

/// DER input (starts with a SEQUENCE tag) is returned as is; otherwise every PEM block with
/// `label` is decoded.
fn der_blocks(input: &[u8], label: &'static str) -> Result<Vec<Vec<u8>>, PolicyError> {
    if input.first() == Some(&0x30) {
        return Ok(vec![input.to_vec()]);
    }
    let mut blocks = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(input) {
        let pem = pem.map_err(|_| PolicyError::MalformedPem)?;
        if pem.label == label {
            blocks.push(pem.contents);
        }
    }
    if blocks.is_empty() {
        return Err(PolicyError::NoPemBlock { expected: label });
    }
    Ok(blocks)
}
