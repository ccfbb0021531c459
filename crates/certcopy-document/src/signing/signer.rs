//! Keys that sign: the [`Signer`] trait and its ring-backed PKCS#8 implementation.
//!
//! The CMS and PDF layers only see the trait, so a hardware key store or a remote
//! signing service can replace [`Pkcs8Signer`] without touching them.

use der::Decode;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use x509_cert::Certificate;

use super::error::SigningError;

/// Signature algorithms certcopy signs with (docs/ARCHITECTURE.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (`sha256WithRSAEncryption`, RFC 8017).
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256 (`ecdsa-with-SHA256`, RFC 5758); the signature is the
    /// DER `Ecdsa-Sig-Value` as CMS requires.
    EcdsaP256Sha256,
}

/// A private key together with its certificate chain.
///
/// Implementations hash the message themselves (SHA-256): `sign` receives the DER of the
/// CMS signed attributes, not a digest.
pub trait Signer: Send + Sync {
    /// The algorithm [`Signer::sign`] uses.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// The signer certificate first, then intermediates, optionally the root.
    fn certificate_chain(&self) -> &[Certificate];

    /// Signs `message` (SHA-256 then the key operation). ECDSA signatures are DER encoded.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError>;
}

/// A source of RFC 3161 time-stamp tokens for signatures (PAdES B-T): the service's own
/// time-stamping authority, or a client of another.
pub trait Timestamper: Send + Sync {
    /// A token (DER `ContentInfo`) over a SHA-256 imprint.
    fn token(&self, imprint: &[u8; 32]) -> Result<Vec<u8>, SigningError>;
    /// An upper bound on the DER length of [`Timestamper::token`]'s tokens.
    fn max_token_len(&self) -> usize;
    /// When the authority's certificate expires, if known: a verifier can rely on its
    /// tokens until then, later only under a newer document time-stamp.
    fn valid_until(&self) -> Option<time::OffsetDateTime> {
        None
    }
}

/// When `certificate` stops being valid (`notAfter`).
pub fn certificate_not_after(certificate: &Certificate) -> Option<time::OffsetDateTime> {
    let seconds = certificate
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration()
        .as_secs();
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).ok()?).ok()
}

/// The ring key pair inside a [`Pkcs8Signer`].
enum RingKey {
    Rsa(RsaKeyPair),
    EcdsaP256(EcdsaKeyPair),
}

/// A [`Signer`] over an in-memory PKCS#8 private key, signing with ring.
pub struct Pkcs8Signer {
    key: RingKey,
    chain: Vec<Certificate>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Pkcs8Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("Pkcs8Signer")
            .field("algorithm", &self.algorithm())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Pkcs8Signer {
    /// Builds a signer from an unencrypted PKCS#8 DER private key and its chain
    /// (signer certificate first, then its issuers in order).
    ///
    /// The key type is read from the PKCS#8 algorithm identifier: `rsaEncryption` gives
    /// RSA PKCS#1 v1.5 SHA-256, `id-ecPublicKey` with `prime256v1` gives ECDSA P-256.
    /// The key must match the signer certificate and the chain must be ordered.
    pub fn from_pkcs8_der(key_der: &[u8], chain: Vec<Certificate>) -> Result<Self, SigningError> {
        let key_info =
            pkcs8::PrivateKeyInfo::try_from(key_der).map_err(|err| SigningError::KeyRejected {
                reason: format!("not a PKCS#8 PrivateKeyInfo: {err}"),
            })?;
        let rejected = |err: ring::error::KeyRejected| SigningError::KeyRejected {
            reason: err.to_string(),
        };
        let oid = key_info.algorithm.oid;
        let key = if oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
            RingKey::Rsa(RsaKeyPair::from_pkcs8(key_der).map_err(rejected)?)
        } else if oid == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
            let curve =
                key_info
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| SigningError::KeyRejected {
                        reason: "EC key without a named curve".to_owned(),
                    })?;
            if curve != const_oid::db::rfc5912::SECP_256_R_1 {
                return Err(SigningError::KeyRejected {
                    reason: format!("EC curve {curve} is not P-256"),
                });
            }
            let rng = SystemRandom::new();
            RingKey::EcdsaP256(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key_der, &rng)
                    .map_err(rejected)?,
            )
        } else {
            return Err(SigningError::KeyRejected {
                reason: format!("unsupported key algorithm {oid}"),
            });
        };

        check_chain_order(&chain)?;
        let signer_cert = chain.first().ok_or(SigningError::EmptyCertificateChain)?;
        let cert_key = signer_cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        // ring's public key bytes are exactly the SPKI BIT STRING contents: the DER
        // RSAPublicKey for RSA, the uncompressed point for EC.
        let key_public = match &key {
            RingKey::Rsa(pair) => pair.public_key().as_ref(),
            RingKey::EcdsaP256(pair) => pair.public_key().as_ref(),
        };
        if key_public != cert_key {
            return Err(SigningError::KeyCertificateMismatch);
        }

        Ok(Self {
            key,
            chain,
            rng: SystemRandom::new(),
        })
    }

    /// A signer from a private key (PEM `PRIVATE KEY` or raw PKCS#8 DER) and certificate
    /// inputs (each PEM, possibly holding several certificates, or one DER certificate),
    /// in chain order: signer first.
    pub fn from_pem_or_der(key: &[u8], certificates: &[&[u8]]) -> Result<Self, SigningError> {
        let key_der = if looks_like_pem(key) {
            let (label, der) =
                der::pem::decode_vec(key).map_err(|err| SigningError::KeyRejected {
                    reason: format!("bad PEM: {err}"),
                })?;
            if label != "PRIVATE KEY" {
                return Err(SigningError::UnsupportedKeyFormat {
                    label: label.to_owned(),
                });
            }
            der
        } else {
            key.to_vec()
        };

        let mut chain = Vec::new();
        for input in certificates {
            chain.extend(parse_certificates(input)?);
        }
        Self::from_pkcs8_der(&key_der, chain)
    }
}

impl Signer for Pkcs8Signer {
    fn algorithm(&self) -> SignatureAlgorithm {
        match self.key {
            RingKey::Rsa(_) => SignatureAlgorithm::RsaPkcs1Sha256,
            RingKey::EcdsaP256(_) => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        match &self.key {
            RingKey::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
                    .map_err(|_| SigningError::SignatureFailed)?;
                Ok(signature)
            }
            RingKey::EcdsaP256(pair) => pair
                .sign(&self.rng, message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(|_| SigningError::SignatureFailed),
        }
    }
}

/// Checks that each certificate is followed by its issuer (by name), so a misordered PEM
/// bundle is caught when the key is loaded rather than by a validator later.
fn check_chain_order(chain: &[Certificate]) -> Result<(), SigningError> {
    if chain.is_empty() {
        return Err(SigningError::EmptyCertificateChain);
    }
    for (index, pair) in chain.windows(2).enumerate() {
        if let [subject, issuer] = pair
            && subject.tbs_certificate.issuer != issuer.tbs_certificate.subject
        {
            return Err(SigningError::CertificateChainOrder { index });
        }
    }
    Ok(())
}

/// The certificates of one input: every `CERTIFICATE` block of a PEM text, or one DER
/// certificate.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, SigningError> {
    let certificates = if looks_like_pem(bytes) {
        Certificate::load_pem_chain(bytes).map_err(SigningError::CertificateParse)?
    } else {
        vec![Certificate::from_der(bytes).map_err(SigningError::CertificateParse)?]
    };
    if certificates.is_empty() {
        return Err(SigningError::NoCertificate);
    }
    Ok(certificates)
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|start| bytes[start..].starts_with(b"-----BEGIN"))
}
