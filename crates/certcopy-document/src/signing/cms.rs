//! CMS SignedData (RFC 5652) for a detached SHA-256 digest, shaped for PAdES B-B.
//!
//! The `cms` crate's builder assembles everything; this module only supplies
//! - an adapter that lets a [`Signer`] act as the builder's signer,
//! - the signing-certificate-v2 attribute (RFC 5035), which binds the signature to the
//!   signer certificate (ETSI EN 319 122-1, required for CAdES/PAdES baseline),
//! - the size bound used by the PDF layer to reserve `/Contents`.
//!
//! Signed attributes are content-type and message-digest (added by the builder) and
//! signing-certificate-v2. The CMS signing-time attribute is deliberately absent: PAdES
//! baseline (ETSI EN 319 142-1, 5.3) puts the claimed time in the signature dictionary's `/M`.

use std::cell::RefCell;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{BitString, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use ring::signature::{ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;

use super::error::SigningError;
use super::signer::{SignatureAlgorithm, Signer};

/// Length of a SHA-256 digest.
pub const SHA256_LEN: usize = 32;

/// Largest DER `Ecdsa-Sig-Value` for P-256: SEQUENCE header (2) + two INTEGERs of at most
/// 33 bytes with their 2-byte headers.
const ECDSA_P256_MAX_SIGNATURE_LEN: usize = 72;

/// `SigningCertificateV2` (RFC 5035, section 3):
/// `SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF PolicyInformation OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// Identifiers of the signer certificate (first) and optionally of others.
    pub certs: Vec<EssCertIdV2>,
    /// Certificate policies; certcopy leaves this out.
    #[asn1(optional = "true")]
    pub policies: Option<Vec<PolicyInformation>>,
}

/// `ESSCertIDv2` (RFC 5035, section 4):
/// `SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256, certHash OCTET STRING,
/// issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm; `None` means the DEFAULT, SHA-256 (DER omits a default value,
    /// so certcopy always leaves it out).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the whole DER certificate.
    pub cert_hash: OctetString,
    /// Issuer name and serial number of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial` (RFC 5035, section 4): `SEQUENCE { issuer GeneralNames, serialNumber
/// CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The certificate's issuer, as a directoryName.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

impl SigningCertificateV2 {
    /// The attribute value for `certificate`: one ESSCertIDv2 with the SHA-256 of its DER
    /// and its issuer/serial.
    pub fn for_certificate(certificate: &Certificate) -> Result<Self, SigningError> {
        let cert_hash = Sha256::digest(certificate.to_der()?);
        Ok(Self {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(cert_hash.as_slice())?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(
                        certificate.tbs_certificate.issuer.clone(),
                    )],
                    serial_number: certificate.tbs_certificate.serial_number.clone(),
                }),
            }],
            policies: None,
        })
    }

    /// The signed attribute `id-aa-signingCertificateV2` carrying this value.
    pub fn to_attribute(&self) -> Result<Attribute, SigningError> {
        let value = Any::from_der(&self.to_der()?)?;
        let mut values = SetOfVec::new();
        values.insert(value)?;
        Ok(Attribute {
            oid: rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
            values,
        })
    }
}

/// Builds a DER `ContentInfo` holding a detached CMS SignedData over content whose SHA-256
/// is `content_digest`, signed by `signer`, carrying the signer's whole chain.
pub fn build_detached_signed_data(
    content_digest: &[u8; SHA256_LEN],
    signer: &dyn Signer,
) -> Result<Vec<u8>, SigningError> {
    build_with(
        Content::Detached(content_digest),
        signer,
        SignatureSource::Signer,
    )
}

/// Builds a DER `ContentInfo` holding a CMS SignedData that carries `content` (DER) of
/// type `content_type` inside it (RFC 5652 §5.2, e.g. a time-stamp's TSTInfo), signed by
/// `signer` with the same signed attributes, carrying the signer's whole chain.
pub fn build_attached_signed_data(
    content_type: const_oid::ObjectIdentifier,
    content: &[u8],
    signer: &dyn Signer,
) -> Result<Vec<u8>, SigningError> {
    build_with(
        Content::Attached(content_type, content),
        signer,
        SignatureSource::Signer,
    )
}

/// What the SignedData signs.
#[derive(Clone, Copy)]
enum Content<'a> {
    /// Data outside it, by its SHA-256.
    Detached(&'a [u8; SHA256_LEN]),
    /// Content of this type carried inside it (DER).
    Attached(const_oid::ObjectIdentifier, &'a [u8]),
}

/// An upper bound on the DER length of [`build_detached_signed_data`]'s output for this
/// signer, found without using the key: the same SignedData is built with a dummy signature
/// of the largest length the signer certificate's key can produce.
pub fn max_signed_data_len(signer: &dyn Signer) -> Result<usize, SigningError> {
    let signer_cert = signer
        .certificate_chain()
        .first()
        .ok_or(SigningError::EmptyCertificateChain)?;
    let max_signature_len = max_signature_len(signer.algorithm(), signer_cert)?;
    build_with(
        Content::Detached(&[0; SHA256_LEN]),
        signer,
        SignatureSource::Dummy(max_signature_len),
    )
    .map(|der| der.len())
}

/// Where the signature value comes from.
#[derive(Clone, Copy)]
enum SignatureSource {
    /// The real key, with the result verified against the signer certificate.
    Signer,
    /// Zero bytes of this length, for size estimation.
    Dummy(usize),
}

fn build_with(
    content: Content<'_>,
    signer: &dyn Signer,
    source: SignatureSource,
) -> Result<Vec<u8>, SigningError> {
    let chain = signer.certificate_chain();
    let signer_cert = chain.first().ok_or(SigningError::EmptyCertificateChain)?;
    check_certificate_key(signer.algorithm(), signer_cert)?;

    let adapter = BuilderSigner {
        signer,
        signer_cert,
        source,
        failure: RefCell::new(None),
    };
    let builder_error = |err: cms::builder::Error| SigningError::CmsBuilder {
        message: err.to_string(),
    };

    // Detached: no eContent, the digest comes from outside (RFC 5652, 5.2); attached: the
    // builder digests the eContent itself.
    let (content_info, external_digest) = match content {
        Content::Detached(digest) => (
            EncapsulatedContentInfo {
                econtent_type: rfc5911::ID_DATA,
                econtent: None,
            },
            Some(digest.as_slice()),
        ),
        Content::Attached(content_type, der) => (
            EncapsulatedContentInfo {
                econtent_type: content_type,
                econtent: Some(Any::new(der::Tag::OctetString, der)?),
            },
            None,
        ),
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: signer_cert.tbs_certificate.issuer.clone(),
        serial_number: signer_cert.tbs_certificate.serial_number.clone(),
    });
    let mut signer_info = SignerInfoBuilder::new(
        &adapter,
        sid,
        sha256_algorithm(),
        &content_info,
        external_digest,
    )
    .map_err(builder_error)?;
    signer_info
        .add_signed_attribute(SigningCertificateV2::for_certificate(signer_cert)?.to_attribute()?)
        .map_err(builder_error)?;

    let mut signed_data = SignedDataBuilder::new(&content_info);
    signed_data
        .add_digest_algorithm(sha256_algorithm())
        .map_err(builder_error)?;
    for certificate in chain {
        signed_data
            .add_certificate(CertificateChoices::Certificate(certificate.clone()))
            .map_err(builder_error)?;
    }
    let added = signed_data.add_signer_info::<_, RawSignature>(signer_info);
    // The builder flattens the signer's error to a generic DER failure; report ours.
    if let Some(failure) = adapter.failure.borrow_mut().take() {
        return Err(failure);
    }
    added.map_err(builder_error)?;
    let content_info = signed_data.build().map_err(builder_error)?;
    Ok(content_info.to_der()?)
}

/// `id-sha256`, parameters absent (RFC 5754, 2).
fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    }
}

/// The CMS `signatureAlgorithm` for `algorithm`: NULL parameters for RSA (RFC 4055, 5),
/// absent for ECDSA (RFC 5758, 3.2).
fn signature_algorithm_identifier(algorithm: SignatureAlgorithm) -> AlgorithmIdentifierOwned {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
            oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        SignatureAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
            oid: rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        },
    }
}

/// Fields of a PKCS#1 `RSAPublicKey`, read only to learn the modulus length.
#[derive(Sequence)]
struct RsaPublicKeyFields<'a> {
    modulus: der::asn1::UintRef<'a>,
    _public_exponent: der::asn1::UintRef<'a>,
}

/// Checks that the signer certificate's key is of the kind `algorithm` signs with.
fn check_certificate_key(
    algorithm: SignatureAlgorithm,
    certificate: &Certificate,
) -> Result<(), SigningError> {
    let spki = &certificate.tbs_certificate.subject_public_key_info;
    let fits = match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => spki.algorithm.oid == rfc5912::RSA_ENCRYPTION,
        SignatureAlgorithm::EcdsaP256Sha256 => {
            spki.algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY
                && spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|curve| curve.decode_as::<der::asn1::ObjectIdentifier>().ok())
                    == Some(rfc5912::SECP_256_R_1)
        }
    };
    if fits {
        Ok(())
    } else {
        Err(SigningError::CertificateKeyAlgorithm)
    }
}

/// Largest signature the certificate's key produces: the modulus length for RSA
/// PKCS#1 v1.5, 72 bytes for a DER ECDSA P-256 signature.
fn max_signature_len(
    algorithm: SignatureAlgorithm,
    certificate: &Certificate,
) -> Result<usize, SigningError> {
    check_certificate_key(algorithm, certificate)?;
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => {
            let key_bytes = certificate
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes();
            let fields = RsaPublicKeyFields::from_der(key_bytes)?;
            Ok(fields.modulus.as_bytes().len())
        }
        SignatureAlgorithm::EcdsaP256Sha256 => Ok(ECDSA_P256_MAX_SIGNATURE_LEN),
    }
}

/// Verifies `signature` over `message` with the certificate's public key (ring).
fn verify_with_certificate(
    algorithm: SignatureAlgorithm,
    certificate: &Certificate,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SigningError> {
    let key_bytes = certificate
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let verified = match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => {
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key_bytes)
                .verify(message, signature)
        }
        SignatureAlgorithm::EcdsaP256Sha256 => {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key_bytes).verify(message, signature)
        }
    };
    verified.map_err(|_| SigningError::SignatureVerificationFailed)
}

/// A signature value as the builder wants it.
struct RawSignature(Vec<u8>);

impl spki::SignatureBitStringEncoding for RawSignature {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

/// Lets a [`Signer`] serve as the `cms` builder's signer. The builder hands `try_sign` the
/// DER SET OF signed attributes, which is exactly what CMS signs (RFC 5652, 5.4).
struct BuilderSigner<'a> {
    signer: &'a dyn Signer,
    signer_cert: &'a Certificate,
    source: SignatureSource,
    /// The real error when signing fails; the builder would only keep a generic one.
    failure: RefCell<Option<SigningError>>,
}

impl BuilderSigner<'_> {
    fn sign_attributes(&self, signed_attributes: &[u8]) -> Result<Vec<u8>, SigningError> {
        match self.source {
            SignatureSource::Dummy(len) => Ok(vec![0; len]),
            SignatureSource::Signer => {
                let algorithm = self.signer.algorithm();
                let signature = self.signer.sign(signed_attributes)?;
                // Fail closed: never embed a signature the certificate does not verify.
                verify_with_certificate(
                    algorithm,
                    self.signer_cert,
                    signed_attributes,
                    &signature,
                )?;
                Ok(signature)
            }
        }
    }
}

impl signature::Keypair for BuilderSigner<'_> {
    // The builder never asks for the verifying key when building a SignerInfo.
    type VerifyingKey = ();

    fn verifying_key(&self) -> Self::VerifyingKey {}
}

impl spki::DynSignatureAlgorithmIdentifier for BuilderSigner<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(signature_algorithm_identifier(self.signer.algorithm()))
    }
}

impl signature::Signer<RawSignature> for BuilderSigner<'_> {
    fn try_sign(&self, message: &[u8]) -> Result<RawSignature, signature::Error> {
        self.sign_attributes(message)
            .map(RawSignature)
            .map_err(|failure| {
                *self.failure.borrow_mut() = Some(failure);
                signature::Error::new()
            })
    }
}

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A): the unsigned attribute holding a
/// time-stamp over a signature value (CAdES signature-time-stamp, PAdES B-T).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// The signature value of the (only) signer of a DER `ContentInfo` SignedData: what a
/// signature time-stamp is over.
pub fn signature_value(signed_data: &[u8]) -> Result<Vec<u8>, SigningError> {
    let content_info = cms::content_info::ContentInfo::from_der(signed_data)?;
    let signed: cms::signed_data::SignedData = content_info.content.decode_as()?;
    let signer = signed
        .signer_infos
        .0
        .as_slice()
        .first()
        .ok_or(SigningError::EmptyCertificateChain)?;
    Ok(signer.signature.as_bytes().to_vec())
}

/// Adds a time-stamp token (a DER `ContentInfo`) to the signer of a DER SignedData as its
/// signature-time-stamp unsigned attribute; returns the new DER.
pub fn add_signature_timestamp(signed_data: &[u8], token: &[u8]) -> Result<Vec<u8>, SigningError> {
    let mut content_info = cms::content_info::ContentInfo::from_der(signed_data)?;
    let mut signed: cms::signed_data::SignedData = content_info.content.decode_as()?;
    let mut signers: Vec<cms::signed_data::SignerInfo> = signed.signer_infos.0.into_vec();
    let signer = signers
        .first_mut()
        .ok_or(SigningError::EmptyCertificateChain)?;
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(token)?)?;
    let mut attributes = signer.unsigned_attrs.take().unwrap_or_default();
    attributes.insert(Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values,
    })?;
    signer.unsigned_attrs = Some(attributes);
    signed.signer_infos = cms::signed_data::SignerInfos(SetOfVec::try_from(signers)?);
    content_info.content = Any::encode_from(&signed)?;
    Ok(content_info.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signing-certificate-v2 encodes and decodes back with the DEFAULT hash omitted.
    #[test]
    fn ess_cert_id_round_trip() {
        let id = EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new([7u8; 32].as_slice()).expect("32 bytes fit"),
            issuer_serial: None,
        };
        let value = SigningCertificateV2 {
            certs: vec![id],
            policies: None,
        };
        let der = value.to_der().expect("static value encodes");
        // SEQUENCE { SEQUENCE { SEQUENCE { OCTET STRING (32) } } }
        assert_eq!(&der[..6], &[0x30, 0x26, 0x30, 0x24, 0x30, 0x22]);
        assert_eq!(
            SigningCertificateV2::from_der(&der).expect("decodes"),
            value
        );
    }
}
