//! The CMS inside a signed PDF: message-digest equals SHA-256 over the ByteRange ranges,
//! signing-certificate-v2 hashes the signer certificate, no CMS signing-time, full chain.

use certcopy::signing::{
    ByteRange, Pkcs8Signer, SignatureAlgorithm, Signer, SigningCertificateV2, SigningError,
    byte_range_digest, sign_pdf,
};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode, Reader, SliceReader};
use lopdf::{Document, Object};
use sha2::{Digest, Sha256};

use crate::common::{Annots, approval_request, certification_request, one_page_pdf, pki};

/// The `/ByteRange` and `/Contents` of every signature dictionary, in file order.
fn signatures(pdf: &[u8]) -> Vec<(ByteRange, Vec<u8>)> {
    let document = Document::load_mem(pdf).expect("signed PDF parses");
    let mut found: Vec<(ByteRange, Vec<u8>)> = document
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"Type").and_then(Object::as_name).ok() == Some(&b"Sig"[..]))
        .map(|dict| {
            let numbers: Vec<usize> = dict
                .get(b"ByteRange")
                .and_then(Object::as_array)
                .expect("ByteRange array")
                .iter()
                .map(|n| usize::try_from(n.as_i64().expect("integer")).expect("non-negative"))
                .collect();
            assert_eq!(numbers.len(), 4);
            assert_eq!(numbers[0], 0);
            let range = ByteRange {
                before_len: numbers[1],
                after_start: numbers[2],
                after_len: numbers[3],
            };
            let contents = dict
                .get(b"Contents")
                .and_then(Object::as_str)
                .expect("Contents");
            (range, contents.to_vec())
        })
        .collect();
    found.sort_by_key(|(range, _)| range.before_len);
    found
}

/// Decodes the DER CMS, ignoring the zero padding after it.
fn signed_data(contents: &[u8]) -> SignedData {
    let mut reader = SliceReader::new(contents).expect("contents non-empty");
    let content_info: ContentInfo = der::Decode::decode(&mut reader).expect("ContentInfo");
    assert!(
        contents[usize::try_from(reader.position()).expect("small")..]
            .iter()
            .all(|&b| b == 0)
    );
    content_info.content.decode_as().expect("SignedData")
}

#[test]
fn cms_digest_and_signing_certificate_v2() {
    let pki = pki();
    let official = pki.official();
    let certified = sign_pdf(
        &one_page_pdf(Annots::None, false),
        &official,
        &certification_request(true),
    )
    .expect("certification");
    let seal = pki.seal();
    let sealed = sign_pdf(&certified, &seal, &approval_request(true)).expect("approval");

    let found = signatures(&sealed);
    assert_eq!(found.len(), 2);
    for ((range, contents), signer) in found.iter().zip([&official as &dyn Signer, &seal]) {
        // The gap is exactly the hex string `<…>` of /Contents.
        let gap = &sealed[range.before_len..range.after_start];
        assert_eq!(gap.len(), 2 * contents.len() + 2);
        assert!(gap.starts_with(b"<") && gap.ends_with(b">"));

        let mut hasher = Sha256::new();
        hasher.update(&sealed[..range.before_len]);
        hasher.update(&sealed[range.after_start..range.after_start + range.after_len]);
        let independent: [u8; 32] = hasher.finalize().into();
        assert_eq!(
            byte_range_digest(&sealed, range).expect("in range"),
            independent
        );

        let signed = signed_data(contents);
        assert!(signed.encap_content_info.econtent.is_none(), "detached");
        let certificates = signed.certificates.as_ref().expect("certificates present");
        assert_eq!(certificates.0.len(), signer.certificate_chain().len());

        let signer_info = signed.signer_infos.0.get(0).expect("one SignerInfo");
        assert_eq!(
            signer_info.digest_alg.oid,
            const_oid::db::rfc5912::ID_SHA_256
        );
        let attributes = signer_info
            .signed_attrs
            .as_ref()
            .expect("signed attributes");
        let oids: Vec<_> = attributes.iter().map(|a| a.oid).collect();
        assert!(
            !oids.contains(&const_oid::db::rfc5911::ID_SIGNING_TIME),
            "no CMS signing-time"
        );
        assert_eq!(
            oids.len(),
            3,
            "content-type, message-digest, signing-certificate-v2"
        );

        let value = |oid| {
            attributes
                .iter()
                .find(|a| a.oid == oid)
                .and_then(|a| a.values.get(0))
                .expect("attribute present")
                .clone()
        };
        let message_digest = value(const_oid::db::rfc5911::ID_MESSAGE_DIGEST);
        assert_eq!(message_digest.value(), independent.as_slice());

        let ess = value(const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2);
        let ess = SigningCertificateV2::from_der(&ess.to_der().expect("re-encode"))
            .expect("SigningCertificateV2");
        let signer_cert = &signer.certificate_chain()[0];
        let cert_hash = Sha256::digest(signer_cert.to_der().expect("cert DER"));
        assert_eq!(ess.certs[0].cert_hash.as_bytes(), cert_hash.as_slice());
        assert!(
            ess.certs[0].hash_algorithm.is_none(),
            "SHA-256 is the DEFAULT"
        );
        let issuer_serial = ess.certs[0].issuer_serial.as_ref().expect("issuerSerial");
        assert_eq!(
            issuer_serial.serial_number,
            signer_cert.tbs_certificate.serial_number
        );
    }
}

#[test]
fn signer_algorithms_are_detected() {
    let pki = pki();
    assert_eq!(
        pki.official().algorithm(),
        SignatureAlgorithm::RsaPkcs1Sha256
    );
    assert_eq!(pki.seal().algorithm(), SignatureAlgorithm::EcdsaP256Sha256);
    assert_eq!(pki.official().certificate_chain().len(), 2);
}

#[test]
fn key_not_matching_certificate_is_refused() {
    let pki = pki();
    let err = certcopy::pki::signer_from_files(&pki.ecdsa_key, &[&pki.rsa_chain])
        .expect_err("ECDSA key with RSA certificate");
    assert!(matches!(err, SigningError::KeyCertificateMismatch), "{err}");
}

#[test]
fn misordered_chain_is_refused() {
    let pki = pki();
    let err =
        certcopy::pki::signer_from_files(&pki.ecdsa_key, &[&pki.intermediate_pem, &pki.ecdsa_cert])
            .expect_err("intermediate first");
    assert!(
        matches!(err, SigningError::CertificateChainOrder { index: 0 }),
        "{err}"
    );
}

/// A signer whose key produces signatures that do not verify: nothing is written.
struct BrokenSigner(Pkcs8Signer);

impl Signer for BrokenSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }
    fn certificate_chain(&self) -> &[x509_cert::Certificate] {
        self.0.certificate_chain()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let mut signature = self.0.sign(message)?;
        if let Some(last) = signature.last_mut() {
            *last ^= 1;
        }
        Ok(signature)
    }
}

#[test]
fn bad_signature_fails_closed() {
    let err = sign_pdf(
        &one_page_pdf(Annots::None, false),
        &BrokenSigner(pki().official()),
        &certification_request(false),
    )
    .expect_err("a corrupted signature must not be embedded");
    assert!(
        matches!(err, SigningError::SignatureVerificationFailed),
        "{err}"
    );
}
