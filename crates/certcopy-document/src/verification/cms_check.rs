//! The CMS layer (RFC 5652, ETSI EN 319 122-1 for CAdES): parse the SignedData from
//! `/Contents`, check the message digest over the signed byte ranges and the signature over
//! the signed attributes. Knows nothing of PDF beyond the two slices it is given.

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5280, rfc5911, rfc5912};
use der::asn1::{OctetString, OctetStringRef, SetOfVec};
use der::{Decode, Encode};
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};

use super::byte_range::DigestAlgorithm;
use super::findings::{self, Finding};

/// What the CMS layer established about one signature.
#[derive(Debug, Clone, Default)]
pub struct CmsStatus {
    /// The signer certificate (DER), when the CMS names one it contains.
    pub signer_certificate: Option<Vec<u8>>,
    /// All certificates carried in the CMS (DER), signer included.
    pub certificates: Vec<Vec<u8>>,
    /// The digest algorithm of the signer info, when supported.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// The message digest matched the signed bytes.
    pub digest_matches: bool,
    /// The signature over the signed attributes verified.
    pub signature_verified: bool,
    /// The content carried inside (a time-stamp's TSTInfo, DER), when there is one.
    pub content: Option<Vec<u8>>,
    /// The signature value of the signer info.
    pub signature_value: Vec<u8>,
    /// The signature time-stamp token (unsigned attribute
    /// id-aa-signatureTimeStampToken, RFC 3161 Appendix A), DER, when there is one.
    pub signature_timestamp: Option<Vec<u8>>,
    /// Errors and warnings, in check order.
    pub(crate) findings: Vec<Finding>,
}

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A).
pub(crate) const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// How the caller wants the signed attributes judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmsProfile {
    /// `ETSI.CAdES.detached`: signing-certificate(-v2) is mandatory (ETSI EN 319 142-1 §6.3).
    Cades,
    /// `adbe.pkcs7.detached`: signing-certificate is optional.
    Pkcs7,
    /// An RFC 3161 time-stamp token: the TSTInfo carried inside, an ESS signing-certificate
    /// (v1 or v2) mandatory (RFC 3161 §2.4.1, RFC 5816).
    Timestamp,
}

/// RFC 4055 RSASSA-PSS-params.
#[derive(Debug, Clone, der::Sequence)]
struct RsaPssParameters {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// RFC 5035 SigningCertificateV2 (policies ignored).
#[derive(Debug, Clone, der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    policies: Option<der::Any>,
}

/// RFC 5035 ESSCertIDv2.
#[derive(Debug, Clone, der::Sequence)]
struct EssCertIdV2 {
    /// DEFAULT sha256: absent in DER when SHA-256.
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 IssuerSerial.
#[derive(Debug, Clone, der::Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// Checks the CMS `cms_der` against the signed bytes, whose digest under the CMS's algorithm
/// `signed_digest` gives (`None`: the bytes cannot be read, which fails the digest check).
pub(crate) fn check_cms(
    cms_der: &[u8],
    signed_digest: &mut dyn FnMut(DigestAlgorithm) -> Option<Vec<u8>>,
    profile: CmsProfile,
) -> CmsStatus {
    let mut status = CmsStatus::default();
    if let Err(finding) = check_into(cms_der, signed_digest, profile, &mut status) {
        status.findings.push(finding);
    }
    status
}

fn malformed(code: &str, vi: &str, en: &str) -> Finding {
    findings::format(code, vi, en)
}

fn check_into(
    cms_der: &[u8],
    signed_digest: &mut dyn FnMut(DigestAlgorithm) -> Option<Vec<u8>>,
    profile: CmsProfile,
    status: &mut CmsStatus,
) -> Result<(), Finding> {
    let not_signed_data = || {
        malformed(
            "CMS_MALFORMED",
            "dữ liệu chữ ký không phải là cấu trúc CMS SignedData hợp lệ.",
            "the signature value is not a valid CMS SignedData.",
        )
    };
    let content_info = ContentInfo::from_der(cms_der).map_err(|_| not_signed_data())?;
    if content_info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(not_signed_data());
    }
    let signed_data: SignedData = content_info
        .content
        .decode_as()
        .map_err(|_| not_signed_data())?;

    let expected_type = if profile == CmsProfile::Timestamp {
        crate::timestamp::ID_CT_TST_INFO
    } else {
        rfc5911::ID_DATA
    };
    let attached = signed_data
        .encap_content_info
        .econtent
        .as_ref()
        .map(|content| content.value().to_vec());
    if signed_data.encap_content_info.econtent_type != expected_type
        || attached.is_some() != (profile == CmsProfile::Timestamp)
    {
        return Err(if profile == CmsProfile::Timestamp {
            malformed(
                "TIMESTAMP_MALFORMED",
                "dấu thời gian không mang thông tin thời gian (TSTInfo) như RFC 3161 quy định.",
                "the time-stamp token does not carry a TSTInfo as RFC 3161 requires.",
            )
        } else {
            malformed(
                "CMS_NOT_DETACHED",
                "chữ ký không ở dạng tách rời (detached) như chữ ký PDF yêu cầu.",
                "the CMS is not a detached signature over data, as PDF signatures must be.",
            )
        });
    }
    status.content = attached.clone();
    let signer_infos = signed_data.signer_infos.0.as_slice();
    let [signer_info] = signer_infos else {
        return Err(malformed(
            "CMS_SIGNER_COUNT",
            "dữ liệu chữ ký phải có đúng một người ký.",
            "the CMS must have exactly one signer.",
        ));
    };

    status.certificates = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(certificate) => certificate.to_der().ok(),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let signer = signed_data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|choice| match choice {
            CertificateChoices::Certificate(certificate)
                if identifies(&signer_info.sid, certificate) =>
            {
                Some(certificate)
            }
            _ => None,
        });

    let digest_algorithm = digest_algorithm(&signer_info.digest_alg.oid).ok_or_else(|| {
        findings::unsupported_algorithm(&format!("digest {}", signer_info.digest_alg.oid))
    })?;
    status.digest_algorithm = Some(digest_algorithm);

    let signed_attributes = signer_info.signed_attrs.as_ref().ok_or_else(|| {
        malformed(
            "CMS_NO_SIGNED_ATTRIBUTES",
            "chữ ký không có các thuộc tính được ký bắt buộc.",
            "the CMS has no signed attributes.",
        )
    })?;
    let content_type = single_attribute_value(signed_attributes, rfc5911::ID_CONTENT_TYPE)?
        .and_then(|value| value.decode_as::<ObjectIdentifier>().ok());
    if content_type != Some(expected_type) {
        return Err(malformed(
            "CMS_CONTENT_TYPE",
            "thuộc tính loại nội dung (content-type) thiếu hoặc sai.",
            "the content-type signed attribute is missing or wrong.",
        ));
    }
    let message_digest = single_attribute_value(signed_attributes, rfc5911::ID_MESSAGE_DIGEST)?
        .and_then(|value| {
            value
                .decode_as::<OctetStringRef<'_>>()
                .ok()
                .map(|digest| digest.as_bytes().to_vec())
        })
        .ok_or_else(|| {
            malformed(
                "CMS_MESSAGE_DIGEST",
                "thuộc tính dấu vân tay (message-digest) thiếu hoặc sai.",
                "the message-digest signed attribute is missing or malformed.",
            )
        })?;

    // Check order follows ETSI EN 319 102-1: the digest first, then the signature value.
    status.digest_matches = match &attached {
        Some(content) => digest_algorithm.digest_parts(&[content]) == message_digest,
        None => signed_digest(digest_algorithm).is_some_and(|d| d == message_digest),
    };
    if !status.digest_matches {
        status.findings.push(findings::hash_mismatch());
    }

    let Some(signer) = signer else {
        return Err(findings::signer_certificate_missing());
    };
    status.signer_certificate = signer.to_der().ok();

    status.signature_value = signer_info.signature.as_bytes().to_vec();
    status.signature_timestamp = signer_info
        .unsigned_attrs
        .as_ref()
        .and_then(|attributes| {
            attributes
                .iter()
                .find(|attribute| attribute.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        })
        .and_then(|attribute| attribute.values.iter().next())
        .and_then(|value| value.to_der().ok());
    let signed_attributes_der = signed_attributes.to_der().map_err(|_| not_signed_data())?;
    match check_signature_value(
        signer_info,
        signer,
        digest_algorithm,
        &signed_attributes_der,
    )? {
        SignatureValue::Verified => status.signature_verified = true,
        SignatureValue::Invalid => status.findings.push(findings::signature_value_invalid()),
        SignatureValue::TooWeak(what) => {
            status.signature_verified = true;
            status.findings.push(findings::too_weak(&what));
        }
    }

    check_signing_certificate(signed_attributes, signer, profile, status)?;
    Ok(())
}

/// Whether `certificate` is the one `sid` names (RFC 5652 §5.3).
fn identifies(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(issuer_serial) => {
            issuer_serial.issuer == certificate.tbs_certificate.issuer
                && issuer_serial.serial_number == certificate.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(key_id) => certificate
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .filter(|extension| extension.extn_id == rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
            .filter_map(|extension| OctetString::from_der(extension.extn_value.as_bytes()).ok())
            .any(|value| value == key_id.0),
    }
}

fn digest_algorithm(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
    match *oid {
        rfc5912::ID_SHA_256 => Some(DigestAlgorithm::Sha256),
        rfc5912::ID_SHA_384 => Some(DigestAlgorithm::Sha384),
        rfc5912::ID_SHA_512 => Some(DigestAlgorithm::Sha512),
        rfc5912::ID_SHA_1 => Some(DigestAlgorithm::Sha1),
        _ => None,
    }
}

/// The value of an attribute that must occur at most once with exactly one value.
fn single_attribute_value(
    attributes: &SetOfVec<Attribute>,
    oid: ObjectIdentifier,
) -> Result<Option<&der::Any>, Finding> {
    let mut matching = attributes.iter().filter(|attribute| attribute.oid == oid);
    match (matching.next(), matching.next()) {
        (None, _) => Ok(None),
        (Some(attribute), None) => match attribute.values.as_slice() {
            [value] => Ok(Some(value)),
            _ => Err(duplicate_attribute(oid)),
        },
        (Some(_), Some(_)) => Err(duplicate_attribute(oid)),
    }
}

fn duplicate_attribute(oid: ObjectIdentifier) -> Finding {
    malformed(
        "CMS_ATTRIBUTE_DUPLICATED",
        &format!("thuộc tính {oid} xuất hiện nhiều lần."),
        &format!("attribute {oid} occurs more than once."),
    )
}

/// What the signature value turned out to be.
enum SignatureValue {
    /// It verifies with algorithms of acceptable strength.
    Verified,
    /// It does not verify.
    Invalid,
    /// It verifies, but with an algorithm or key too weak to trust (what, in words).
    TooWeak(String),
}

/// Smallest RSA modulus accepted (ETSI TS 119 312: 2048 bits for signatures now).
const MIN_RSA_BITS: usize = 2048;

/// The modulus length of an RSA public key (PKCS#1 `RSAPublicKey`), in bits.
fn rsa_bits(key: &[u8]) -> Option<usize> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    rsa::RsaPublicKey::from_pkcs1_der(key)
        .ok()
        .map(|key| key.n().bits())
}

/// Checks the signature over `message` (the DER signed attributes) with the signer key:
/// RSA PKCS#1 v1.5 with SHA-1/256/384/512, RSASSA-PSS with MGF1 over the same hash and any
/// salt length its parameters give, ECDSA P-256/P-384. Mismatched hashes are rejected
/// rather than guessed. A signature that verifies with SHA-1 or an RSA key under 2048 bits
/// is reported as too weak, not as invalid.
fn check_signature_value(
    signer_info: &SignerInfo,
    signer: &Certificate,
    digest: DigestAlgorithm,
    message: &[u8],
) -> Result<SignatureValue, Finding> {
    let oid = signer_info.signature_algorithm.oid;
    let unsupported = || findings::unsupported_algorithm(&format!("signature {oid}"));
    let hash_mismatch = || {
        malformed(
            "CMS_ALGORITHM_MISMATCH",
            "thuật toán băm của chữ ký không thống nhất.",
            "the signature and digest algorithms name different hashes.",
        )
    };
    let require = |named: DigestAlgorithm| {
        if named == digest {
            Ok(())
        } else {
            Err(hash_mismatch())
        }
    };
    let key = signer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let signature = signer_info.signature.as_bytes();
    let rsa_key = matches!(
        signer.tbs_certificate.subject_public_key_info.algorithm.oid,
        rfc5912::RSA_ENCRYPTION | rfc5912::ID_RSASSA_PSS
    );
    let bits = if rsa_key { rsa_bits(key) } else { None };
    let verified = match oid {
        rfc5912::RSA_ENCRYPTION
        | rfc5912::SHA_1_WITH_RSA_ENCRYPTION
        | rfc5912::SHA_256_WITH_RSA_ENCRYPTION
        | rfc5912::SHA_384_WITH_RSA_ENCRYPTION
        | rfc5912::SHA_512_WITH_RSA_ENCRYPTION => {
            let named = match oid {
                rfc5912::SHA_1_WITH_RSA_ENCRYPTION => DigestAlgorithm::Sha1,
                rfc5912::SHA_256_WITH_RSA_ENCRYPTION => DigestAlgorithm::Sha256,
                rfc5912::SHA_384_WITH_RSA_ENCRYPTION => DigestAlgorithm::Sha384,
                rfc5912::SHA_512_WITH_RSA_ENCRYPTION => DigestAlgorithm::Sha512,
                _ => digest,
            };
            require(named)?;
            let bits = bits.ok_or_else(unsupported)?;
            rsa_pkcs1_verifies(key, bits, digest, message, signature).ok_or_else(unsupported)?
        }
        rfc5912::ID_RSASSA_PSS => {
            let parameters: RsaPssParameters = signer_info
                .signature_algorithm
                .parameters
                .as_ref()
                .and_then(|any| any.decode_as().ok())
                .ok_or_else(unsupported)?;
            // RFC 4055 defaults: SHA-1, MGF1 with SHA-1, salt 20, trailer 1.
            let hash = match &parameters.hash {
                Some(h) => digest_algorithm(&h.oid).ok_or_else(unsupported)?,
                None => DigestAlgorithm::Sha1,
            };
            let mgf_hash = match &parameters.mask_gen {
                Some(mgf) if mgf.oid == rfc5912::ID_MGF_1 => mgf
                    .parameters
                    .as_ref()
                    .and_then(|any| any.decode_as::<AlgorithmIdentifierOwned>().ok())
                    .and_then(|h| digest_algorithm(&h.oid)),
                Some(_) => None,
                None => Some(DigestAlgorithm::Sha1),
            };
            if mgf_hash != Some(hash) || parameters.trailer_field.unwrap_or(1) != 1 {
                return Err(unsupported());
            }
            require(hash)?;
            let salt = usize::try_from(parameters.salt_length.unwrap_or(20)).unwrap_or(usize::MAX);
            rsa_pss_verifies(key, hash, salt, message, signature).ok_or_else(unsupported)?
        }
        rfc5912::ID_EC_PUBLIC_KEY | rfc5912::ECDSA_WITH_SHA_256 | rfc5912::ECDSA_WITH_SHA_384 => {
            match oid {
                rfc5912::ECDSA_WITH_SHA_256 => require(DigestAlgorithm::Sha256)?,
                rfc5912::ECDSA_WITH_SHA_384 => require(DigestAlgorithm::Sha384)?,
                _ => {}
            }
            let algorithm = ecdsa(signer, digest).ok_or_else(unsupported)?;
            UnparsedPublicKey::new(algorithm, key)
                .verify(message, signature)
                .is_ok()
        }
        _ => return Err(unsupported()),
    };
    if !verified {
        return Ok(SignatureValue::Invalid);
    }
    Ok(match (digest, bits) {
        (DigestAlgorithm::Sha1, _) => SignatureValue::TooWeak("SHA-1".to_owned()),
        (_, Some(bits)) if bits < MIN_RSA_BITS => SignatureValue::TooWeak(format!("RSA-{bits}")),
        _ => SignatureValue::Verified,
    })
}

/// RSA PKCS#1 v1.5: ring for the usual sizes and hashes, its legacy verifiers for SHA-1 and
/// keys from 1024 bits, the `rsa` crate (public-key operations only) for the rest.
/// `None`: no verifier for this combination.
fn rsa_pkcs1_verifies(
    key: &[u8],
    bits: usize,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let ring_algorithm: Option<&'static dyn VerificationAlgorithm> = match (bits >= 2048, digest) {
        (true, DigestAlgorithm::Sha256) => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
        (true, DigestAlgorithm::Sha384) => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
        (true, DigestAlgorithm::Sha512) => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
        (true, DigestAlgorithm::Sha1) => {
            Some(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY)
        }
        (false, DigestAlgorithm::Sha1) if bits >= 1024 => {
            Some(&signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY)
        }
        (false, DigestAlgorithm::Sha256) if bits >= 1024 => {
            Some(&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY)
        }
        (false, DigestAlgorithm::Sha512) if bits >= 1024 => {
            Some(&signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY)
        }
        _ => None,
    };
    if let Some(algorithm) = ring_algorithm {
        return Some(
            UnparsedPublicKey::new(algorithm, key)
                .verify(message, signature)
                .is_ok(),
        );
    }
    use rsa::pkcs1::DecodeRsaPublicKey;
    let public = rsa::RsaPublicKey::from_pkcs1_der(key).ok()?;
    let hashed = digest.digest_parts(&[message]);
    let scheme = match digest {
        DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        DigestAlgorithm::Sha1 => return None,
    };
    Some(public.verify(scheme, &hashed, signature).is_ok())
}

/// RSASSA-PSS with MGF1 over `hash` and a salt of `salt` bytes (the `rsa` crate: ring only
/// verifies salts as long as the hash). `None`: SHA-1, not verified here.
fn rsa_pss_verifies(
    key: &[u8],
    hash: DigestAlgorithm,
    salt: usize,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let public = rsa::RsaPublicKey::from_pkcs1_der(key).ok()?;
    let hashed = hash.digest_parts(&[message]);
    let scheme = match hash {
        DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
        DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
        DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
        DigestAlgorithm::Sha1 => return None,
    };
    Some(public.verify(scheme, &hashed, signature).is_ok())
}

/// ECDSA for the signer key's curve (P-256 or P-384) and `digest`.
fn ecdsa(
    signer: &Certificate,
    digest: DigestAlgorithm,
) -> Option<&'static dyn VerificationAlgorithm> {
    let key_algorithm = &signer.tbs_certificate.subject_public_key_info.algorithm;
    if key_algorithm.oid != rfc5912::ID_EC_PUBLIC_KEY {
        return None;
    }
    let curve: ObjectIdentifier = key_algorithm.parameters.as_ref()?.decode_as().ok()?;
    match (curve, digest) {
        (rfc5912::SECP_256_R_1, DigestAlgorithm::Sha256) => {
            Some(&signature::ECDSA_P256_SHA256_ASN1)
        }
        (rfc5912::SECP_256_R_1, DigestAlgorithm::Sha384) => {
            Some(&signature::ECDSA_P256_SHA384_ASN1)
        }
        (rfc5912::SECP_384_R_1, DigestAlgorithm::Sha256) => {
            Some(&signature::ECDSA_P384_SHA256_ASN1)
        }
        (rfc5912::SECP_384_R_1, DigestAlgorithm::Sha384) => {
            Some(&signature::ECDSA_P384_SHA384_ASN1)
        }
        _ => None,
    }
}

/// RFC 5035 / ETSI EN 319 122-1 §5.2.2: the signed reference to the signing certificate must
/// name the certificate used; CAdES requires it.
fn check_signing_certificate(
    attributes: &SetOfVec<Attribute>,
    signer: &Certificate,
    profile: CmsProfile,
    status: &mut CmsStatus,
) -> Result<(), Finding> {
    let v2 = single_attribute_value(attributes, rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)?;
    let v1 = single_attribute_value(attributes, rfc5911::ID_AA_SIGNING_CERTIFICATE)?;
    if let (None, Some(value), CmsProfile::Timestamp) = (&v2, &v1, profile) {
        return check_signing_certificate_v1(value, signer, status);
    }
    let Some(value) = v2 else {
        if profile == CmsProfile::Timestamp {
            return Err(malformed(
                "TIMESTAMP_SIGNING_CERTIFICATE_MISSING",
                "dấu thời gian thiếu thuộc tính chứng thư ký (ESS signing-certificate).",
                "the time-stamp token lacks the ESS signing-certificate attribute.",
            ));
        }
        if v1.is_some() {
            status.findings.push(Finding {
                sub_indication: None,
                message: super::report::ReportMessage {
                    code: "SIGNING_CERTIFICATE_V1_NOT_CHECKED".into(),
                    message_vi: "Thuộc tính chứng thư ký dạng cũ (SHA-1) không được kiểm tra."
                        .into(),
                    message_en: "The legacy (SHA-1) signing-certificate attribute was not checked."
                        .into(),
                },
            });
        }
        if profile == CmsProfile::Cades && v1.is_none() {
            return Err(malformed(
                "CADES_SIGNING_CERTIFICATE_MISSING",
                "chữ ký dạng CAdES thiếu thuộc tính chứng thư ký (signing-certificate-v2).",
                "the CAdES signature lacks the signing-certificate-v2 attribute.",
            ));
        }
        return Ok(());
    };
    let reference: SigningCertificateV2 = value.decode_as().map_err(|_| {
        malformed(
            "SIGNING_CERTIFICATE_MALFORMED",
            "thuộc tính chứng thư ký (signing-certificate-v2) sai cấu trúc.",
            "the signing-certificate-v2 attribute is malformed.",
        )
    })?;
    let signer_der = signer
        .to_der()
        .map_err(|_| findings::signing_certificate_mismatch())?;
    let Some(first) = reference.certs.first() else {
        return Err(findings::signing_certificate_mismatch());
    };
    let hash_oid = first
        .hash_algorithm
        .as_ref()
        .map_or(rfc5912::ID_SHA_256, |algorithm| algorithm.oid);
    let hash = digest_algorithm(&hash_oid).ok_or_else(|| {
        findings::unsupported_algorithm(&format!("signing-certificate hash {hash_oid}"))
    })?;
    let hash_matches = hash.digest_parts(&[&signer_der]) == first.cert_hash.as_bytes();
    let issuer_serial_matches = first.issuer_serial.as_ref().is_none_or(|issuer_serial| {
        issuer_serial.serial_number == signer.tbs_certificate.serial_number
            && issuer_serial.issuer.iter().any(
                |name| matches!(name, GeneralName::DirectoryName(directory) if *directory == signer.tbs_certificate.issuer),
            )
    });
    if !(hash_matches && issuer_serial_matches) {
        status
            .findings
            .push(findings::signing_certificate_mismatch());
    }
    Ok(())
}

/// RFC 2634 ESSCertID: the SHA-1 of the certificate, and optionally its issuer and serial.
#[derive(Debug, Clone, der::Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// RFC 2634 SigningCertificate (the first ESSCertID names the signer).
#[derive(Debug, Clone, der::Sequence)]
struct SigningCertificateV1 {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// The RFC 2634 signing-certificate of a time-stamp token (what `openssl ts` writes by
/// default): the SHA-1 of the signer certificate. SHA-1 only identifies the certificate
/// here, next to the signature that is checked with a strong hash.
fn check_signing_certificate_v1(
    value: &der::Any,
    signer: &Certificate,
    status: &mut CmsStatus,
) -> Result<(), Finding> {
    let reference: SigningCertificateV1 = value.decode_as().map_err(|_| {
        malformed(
            "SIGNING_CERTIFICATE_MALFORMED",
            "thuộc tính chứng thư ký (signing-certificate) sai cấu trúc.",
            "the signing-certificate attribute is malformed.",
        )
    })?;
    let signer_der = signer
        .to_der()
        .map_err(|_| findings::signing_certificate_mismatch())?;
    let hash = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &signer_der);
    let matches = reference
        .certs
        .first()
        .is_some_and(|first| first.cert_hash.as_bytes() == hash.as_ref());
    if !matches {
        status
            .findings
            .push(findings::signing_certificate_mismatch());
    }
    Ok(())
}
