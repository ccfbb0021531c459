//! Keys on a PKCS#11 token (an HSM, a smart card, SoftHSM2 in development and tests): the
//! private key never leaves the token (docs/ARCHITECTURE.md §3, §5).
//!
//! A key is named `pkcs11:<token label>/<key label>` (or `pkcs11:<token label>/id=<hex>`
//! for the key's `CKA_ID`). The signer certificate is an X.509 certificate object on the
//! same token with the key's `CKA_ID`; the issuing chain (`justice-ca.crt`, `root.crt`)
//! comes from the PKI directory as for key files.
//!
//! Signing: the message is hashed in software (SHA-256); ECDSA P-256 keys sign the digest
//! with `CKM_ECDSA` and the raw `r || s` is re-encoded as the DER `Ecdsa-Sig-Value` CMS
//! needs; RSA keys sign with `CKM_SHA256_RSA_PKCS`. Every signing opens its own session
//! (sessions are not shared between threads) and logs in with the user PIN; an
//! "already logged in" answer from another session of this process is accepted. Sessions
//! are closed, never logged out explicitly, so a concurrent signing keeps its login.
//!
//! The PIN comes from the configuration (`pkcs11_pin`, `CERTCOPY_PKCS11_PIN`) or a file
//! (`pkcs11_pin_file`); it is held as a secret and never printed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CryptokiError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::keystore::{FileKeyStore, KeyStore};
use crate::signing::{SignatureAlgorithm, Signer, SigningError};

/// DER of the named curve P-256 (`prime256v1`, 1.2.840.10045.3.1.7), as `CKA_EC_PARAMS`.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// Why a token key cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// A key reference is not `pkcs11:<token label>/<key label>`.
    #[error("`{reference}` is not a token key (expected pkcs11:<token label>/<key label>)")]
    BadReference {
        /// What was given.
        reference: String,
    },
    /// The PKCS#11 module cannot be loaded or initialised.
    #[error("PKCS#11 module {path}: {reason}")]
    Module {
        /// The module path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No slot holds a token with this label.
    #[error("no token labelled `{token}` is present")]
    TokenNotFound {
        /// The token label.
        token: String,
    },
    /// The token refused the PIN.
    #[error("the token `{token}` refused the PIN")]
    PinIncorrect {
        /// The token label.
        token: String,
    },
    /// The token's user PIN is locked after too many wrong attempts.
    #[error("the PIN of token `{token}` is locked")]
    PinLocked {
        /// The token label.
        token: String,
    },
    /// No private key with this label or id on the token.
    #[error("no private key `{key}` on token `{token}`")]
    KeyNotFound {
        /// The token label.
        token: String,
        /// The key label or id.
        key: String,
    },
    /// Several private keys match: the reference is ambiguous.
    #[error("{count} private keys match `{key}` on token `{token}`; use id=<hex>")]
    KeyAmbiguous {
        /// The token label.
        token: String,
        /// The key label or id.
        key: String,
        /// How many matched.
        count: usize,
    },
    /// A key with this label already exists (when generating).
    #[error("a key `{key}` already exists on token `{token}`")]
    KeyExists {
        /// The token label.
        token: String,
        /// The key label.
        key: String,
    },
    /// No X.509 certificate object with the key's id on the token.
    #[error("no certificate for key `{key}` on token `{token}`")]
    CertificateNotFound {
        /// The token label.
        token: String,
        /// The key label or id.
        key: String,
    },
    /// The key is neither RSA nor EC P-256, or its certificate does not fit it.
    #[error("key `{key}` cannot be used: {reason}")]
    UnsupportedKey {
        /// The key label or id.
        key: String,
        /// Why.
        reason: String,
    },
    /// Any other answer of the token.
    #[error("token `{token}`: {operation}: {reason}")]
    Token {
        /// The token label.
        token: String,
        /// What was being done.
        operation: &'static str,
        /// The token's answer.
        reason: String,
    },
}

/// Which private key on a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySelector {
    /// By `CKA_LABEL`.
    Label(String),
    /// By `CKA_ID`.
    Id(Vec<u8>),
}

/// A key on a token: `pkcs11:<token label>/<key label>` or `pkcs11:<token label>/id=<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenKeyRef {
    /// The token label.
    pub token: String,
    /// The key.
    pub key: KeySelector,
}

impl TokenKeyRef {
    /// Parses a reference.
    pub fn parse(reference: &str) -> Result<Self, Pkcs11Error> {
        let bad = || Pkcs11Error::BadReference {
            reference: reference.to_owned(),
        };
        let rest = reference.strip_prefix("pkcs11:").ok_or_else(bad)?;
        let (token, key) = rest.split_once('/').ok_or_else(bad)?;
        if token.is_empty() || key.is_empty() {
            return Err(bad());
        }
        let key = match key.strip_prefix("id=") {
            Some(id) => KeySelector::Id(hex::decode(id).map_err(|_| bad())?),
            None => KeySelector::Label(key.to_owned()),
        };
        Ok(TokenKeyRef {
            token: token.to_owned(),
            key,
        })
    }

    fn key_name(&self) -> String {
        match &self.key {
            KeySelector::Label(label) => label.clone(),
            KeySelector::Id(id) => format!("id={}", hex::encode(id)),
        }
    }
}

impl std::fmt::Display for TokenKeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pkcs11:{}/{}", self.token, self.key_name())
    }
}

impl From<Pkcs11Error> for SigningError {
    fn from(error: Pkcs11Error) -> Self {
        let key = match &error {
            Pkcs11Error::KeyNotFound { token, key }
            | Pkcs11Error::KeyAmbiguous { token, key, .. }
            | Pkcs11Error::KeyExists { token, key }
            | Pkcs11Error::CertificateNotFound { token, key } => format!("pkcs11:{token}/{key}"),
            Pkcs11Error::TokenNotFound { token }
            | Pkcs11Error::PinIncorrect { token }
            | Pkcs11Error::PinLocked { token }
            | Pkcs11Error::Token { token, .. } => format!("pkcs11:{token}"),
            Pkcs11Error::UnsupportedKey { key, .. } => key.clone(),
            Pkcs11Error::Module { path, .. } => path.display().to_string(),
            Pkcs11Error::BadReference { reference } => reference.clone(),
        };
        SigningError::KeyUnavailable {
            key,
            reason: error.to_string(),
        }
    }
}

/// A loaded and initialised PKCS#11 module with the user PIN. Cheap to clone.
#[derive(Clone)]
pub struct TokenModule {
    context: Pkcs11,
    pin: Arc<AuthPin>,
}

impl std::fmt::Debug for TokenModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the PIN.
        f.debug_struct("TokenModule").finish_non_exhaustive()
    }
}

/// Modules already loaded by this process: a module is initialised once per process
/// (a second `C_Initialize` is refused), so every key store shares one context.
fn loaded_modules() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    MODULES.get_or_init(|| Mutex::new(HashMap::new()))
}

impl TokenModule {
    /// Loads and initialises the module at `path` (once per process) with the user PIN.
    pub fn open(path: &Path, pin: String) -> Result<Self, Pkcs11Error> {
        let module_error = |reason: String| Pkcs11Error::Module {
            path: path.to_owned(),
            reason,
        };
        let mut modules = loaded_modules()
            .lock()
            .map_err(|_| module_error("module table poisoned".into()))?;
        let context = match modules.get(path) {
            Some(context) => context.clone(),
            None => {
                let context = Pkcs11::new(path).map_err(|e| module_error(e.to_string()))?;
                match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
                    Ok(()) | Err(CryptokiError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {
                    }
                    Err(error) => return Err(module_error(error.to_string())),
                }
                modules.insert(path.to_owned(), context.clone());
                context
            }
        };
        Ok(TokenModule {
            context,
            pin: Arc::new(AuthPin::from(pin)),
        })
    }

    fn slot(&self, token: &str) -> Result<Slot, Pkcs11Error> {
        let slots = self
            .context
            .get_slots_with_initialized_token()
            .map_err(token_error(token, "list slots"))?;
        for slot in slots {
            let info = self
                .context
                .get_token_info(slot)
                .map_err(token_error(token, "read token info"))?;
            if info.label().trim_end() == token {
                return Ok(slot);
            }
        }
        Err(Pkcs11Error::TokenNotFound {
            token: token.to_owned(),
        })
    }

    /// A logged-in session on the token.
    fn session(&self, token: &str, read_write: bool) -> Result<Session, Pkcs11Error> {
        let slot = self.slot(token)?;
        let session = if read_write {
            self.context.open_rw_session(slot)
        } else {
            self.context.open_ro_session(slot)
        }
        .map_err(token_error(token, "open session"))?;
        match session.login(UserType::User, Some(&self.pin)) {
            Ok(()) | Err(CryptokiError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(CryptokiError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
                Err(Pkcs11Error::PinIncorrect {
                    token: token.to_owned(),
                })
            }
            Err(CryptokiError::Pkcs11(RvError::PinLocked, _)) => Err(Pkcs11Error::PinLocked {
                token: token.to_owned(),
            }),
            Err(error) => Err(token_error(token, "log in")(error)),
        }
    }

    /// A signer for the key `reference`, its certificate read from the token and the
    /// issuing chain from `chain` (certificate files, signer's issuer first).
    pub fn signer(
        &self,
        reference: &TokenKeyRef,
        chain: &[PathBuf],
    ) -> Result<Pkcs11Signer, SigningError> {
        let session = self.session(&reference.token, false)?;
        let key = find_private_key(&session, reference)?;
        let token = reference.token.as_str();
        let attributes = session
            .get_attributes(key, &[AttributeType::KeyType, AttributeType::Id])
            .map_err(token_error(token, "read key attributes"))?;
        let mut key_type = None;
        let mut id = None;
        for attribute in attributes {
            match attribute {
                Attribute::KeyType(value) => key_type = Some(value),
                Attribute::Id(value) => id = Some(value),
                _ => {}
            }
        }
        let unsupported = |reason: &str| Pkcs11Error::UnsupportedKey {
            key: reference.to_string(),
            reason: reason.to_owned(),
        };
        let algorithm = match key_type {
            Some(KeyType::RSA) => SignatureAlgorithm::RsaPkcs1Sha256,
            Some(KeyType::EC) => {
                let params = session
                    .get_attributes(key, &[AttributeType::EcParams])
                    .map_err(token_error(token, "read key attributes"))?;
                let p256 = params
                    .iter()
                    .any(|a| matches!(a, Attribute::EcParams(p) if p == P256_PARAMS));
                if !p256 {
                    return Err(unsupported("EC keys must be on P-256").into());
                }
                SignatureAlgorithm::EcdsaP256Sha256
            }
            _ => return Err(unsupported("only RSA and EC P-256 keys sign").into()),
        };
        let id = id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| unsupported("the key has no CKA_ID to find its certificate with"))?;
        let certificate = find_certificate(&session, reference, &id)?;
        drop(session);

        let signer_key = &certificate
            .tbs_certificate
            .subject_public_key_info
            .algorithm
            .oid;
        let fits = match algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                *signer_key == const_oid::db::rfc5912::RSA_ENCRYPTION
            }
            _ => *signer_key == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY,
        };
        if !fits {
            return Err(SigningError::CertificateKeyAlgorithm);
        }
        let mut certificates = vec![certificate];
        for path in chain {
            let bytes = std::fs::read(path).map_err(|error| SigningError::KeyUnavailable {
                key: path.display().to_string(),
                reason: error.to_string(),
            })?;
            certificates.extend(crate::signing::parse_certificates(&bytes)?);
        }
        Ok(Pkcs11Signer {
            module: self.clone(),
            reference: reference.clone(),
            algorithm,
            chain: certificates,
        })
    }

    /// Generates a key pair on the token (RSA-2048 or EC P-256), private key sensitive and
    /// not extractable, with a fresh random `CKA_ID`. Returns the public key as DER
    /// `SubjectPublicKeyInfo`, for a certificate request.
    pub fn generate_key_pair(
        &self,
        label: &TokenKeyRef,
        rsa: bool,
    ) -> Result<Vec<u8>, Pkcs11Error> {
        let token = label.token.as_str();
        let KeySelector::Label(key_label) = &label.key else {
            return Err(Pkcs11Error::BadReference {
                reference: label.to_string(),
            });
        };
        let session = self.session(token, true)?;
        match find_private_key(&session, label) {
            Err(Pkcs11Error::KeyNotFound { .. }) => {}
            Ok(_) | Err(Pkcs11Error::KeyAmbiguous { .. }) => {
                return Err(Pkcs11Error::KeyExists {
                    token: token.to_owned(),
                    key: key_label.clone(),
                });
            }
            Err(error) => return Err(error),
        }
        let id = session
            .generate_random_vec(16)
            .map_err(token_error(token, "generate random id"))?;
        let common = [
            Attribute::Token(true),
            Attribute::Label(key_label.as_bytes().to_vec()),
            Attribute::Id(id.clone()),
        ];
        let mut public = common.to_vec();
        public.push(Attribute::Verify(true));
        let mut private = common.to_vec();
        private.extend([
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
        ]);
        let mechanism = if rsa {
            public.extend([
                Attribute::ModulusBits(2048.into()),
                Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            ]);
            Mechanism::RsaPkcsKeyPairGen
        } else {
            public.push(Attribute::EcParams(P256_PARAMS.to_vec()));
            Mechanism::EccKeyPairGen
        };
        let (public_key, _) = session
            .generate_key_pair(&mechanism, &public, &private)
            .map_err(token_error(token, "generate key pair"))?;
        public_key_info(&session, token, public_key, rsa)
    }

    /// Stores `certificate_der` on the token as the certificate of the key `reference`
    /// (same label and `CKA_ID`).
    pub fn store_certificate(
        &self,
        reference: &TokenKeyRef,
        certificate_der: &[u8],
    ) -> Result<(), Pkcs11Error> {
        let token = reference.token.as_str();
        let session = self.session(token, true)?;
        let key = find_private_key(&session, reference)?;
        let attributes = session
            .get_attributes(key, &[AttributeType::Id, AttributeType::Label])
            .map_err(token_error(token, "read key attributes"))?;
        let certificate =
            Certificate::from_der(certificate_der).map_err(|e| Pkcs11Error::UnsupportedKey {
                key: reference.to_string(),
                reason: format!("certificate: {e}"),
            })?;
        let der_error = |e: der::Error| Pkcs11Error::UnsupportedKey {
            key: reference.to_string(),
            reason: format!("certificate: {e}"),
        };
        let mut template = vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Subject(
                certificate
                    .tbs_certificate
                    .subject
                    .to_der()
                    .map_err(der_error)?,
            ),
            Attribute::Issuer(
                certificate
                    .tbs_certificate
                    .issuer
                    .to_der()
                    .map_err(der_error)?,
            ),
            Attribute::Value(certificate_der.to_vec()),
        ];
        template.extend(
            attributes
                .into_iter()
                .filter(|a| matches!(a, Attribute::Id(_) | Attribute::Label(_))),
        );
        session
            .create_object(&template)
            .map_err(token_error(token, "store certificate"))?;
        Ok(())
    }
}

fn token_error<'a>(
    token: &'a str,
    operation: &'static str,
) -> impl FnOnce(CryptokiError) -> Pkcs11Error + 'a {
    move |error| Pkcs11Error::Token {
        token: token.to_owned(),
        operation,
        reason: error.to_string(),
    }
}

fn find_private_key(
    session: &Session,
    reference: &TokenKeyRef,
) -> Result<ObjectHandle, Pkcs11Error> {
    let token = reference.token.as_str();
    let selector = match &reference.key {
        KeySelector::Label(label) => Attribute::Label(label.as_bytes().to_vec()),
        KeySelector::Id(id) => Attribute::Id(id.clone()),
    };
    let found = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), selector])
        .map_err(token_error(token, "find key"))?;
    match found.as_slice() {
        [key] => Ok(*key),
        [] => Err(Pkcs11Error::KeyNotFound {
            token: token.to_owned(),
            key: reference.key_name(),
        }),
        _ => Err(Pkcs11Error::KeyAmbiguous {
            token: token.to_owned(),
            key: reference.key_name(),
            count: found.len(),
        }),
    }
}

fn find_certificate(
    session: &Session,
    reference: &TokenKeyRef,
    id: &[u8],
) -> Result<Certificate, Pkcs11Error> {
    let token = reference.token.as_str();
    let not_found = || Pkcs11Error::CertificateNotFound {
        token: token.to_owned(),
        key: reference.key_name(),
    };
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Id(id.to_vec()),
        ])
        .map_err(token_error(token, "find certificate"))?;
    let handle = found.first().ok_or_else(not_found)?;
    let value = session
        .get_attributes(*handle, &[AttributeType::Value])
        .map_err(token_error(token, "read certificate"))?;
    let der = value
        .into_iter()
        .find_map(|a| match a {
            Attribute::Value(der) => Some(der),
            _ => None,
        })
        .ok_or_else(not_found)?;
    Certificate::from_der(&der).map_err(|e| Pkcs11Error::UnsupportedKey {
        key: reference.to_string(),
        reason: format!("its certificate does not parse: {e}"),
    })
}

/// The DER `SubjectPublicKeyInfo` of a public key object.
fn public_key_info(
    session: &Session,
    token: &str,
    public_key: ObjectHandle,
    rsa: bool,
) -> Result<Vec<u8>, Pkcs11Error> {
    use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
    let encoding = |e: der::Error| Pkcs11Error::Token {
        token: token.to_owned(),
        operation: "encode public key",
        reason: e.to_string(),
    };
    let wanted: &[AttributeType] = if rsa {
        &[AttributeType::Modulus, AttributeType::PublicExponent]
    } else {
        &[AttributeType::EcPoint]
    };
    let attributes = session
        .get_attributes(public_key, wanted)
        .map_err(token_error(token, "read public key"))?;
    let (algorithm, key_bits) = if rsa {
        let (mut modulus, mut exponent) = (None, None);
        for attribute in attributes {
            match attribute {
                Attribute::Modulus(value) => modulus = Some(value),
                Attribute::PublicExponent(value) => exponent = Some(value),
                _ => {}
            }
        }
        let (Some(modulus), Some(exponent)) = (modulus, exponent) else {
            return Err(token_error(token, "read public key")(
                CryptokiError::InvalidValue,
            ));
        };
        let key = RsaPublicKeyDer {
            modulus: der::asn1::UintRef::new(&modulus).map_err(encoding)?,
            public_exponent: der::asn1::UintRef::new(&exponent).map_err(encoding)?,
        };
        let algorithm = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        };
        (algorithm, key.to_der().map_err(encoding)?)
    } else {
        let point = attributes
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(value) => Some(value),
                _ => None,
            })
            .ok_or_else(|| token_error(token, "read public key")(CryptokiError::InvalidValue))?;
        // CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 2.40); some modules
        // give the bare point.
        let point = match der::asn1::OctetString::from_der(&point) {
            Ok(octets) => octets.as_bytes().to_vec(),
            Err(_) => point,
        };
        let algorithm = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ID_EC_PUBLIC_KEY,
            parameters: Some(der::Any::from_der(P256_PARAMS).map_err(encoding)?),
        };
        (algorithm, point)
    };
    SubjectPublicKeyInfoOwned {
        algorithm,
        subject_public_key: der::asn1::BitString::from_bytes(&key_bits).map_err(encoding)?,
    }
    .to_der()
    .map_err(encoding)
}

/// `RSAPublicKey` (RFC 8017, A.1.1).
#[derive(der::Sequence)]
struct RsaPublicKeyDer<'a> {
    modulus: der::asn1::UintRef<'a>,
    public_exponent: der::asn1::UintRef<'a>,
}

/// `Ecdsa-Sig-Value` (RFC 5753 / X9.62).
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: der::asn1::UintRef<'a>,
    s: der::asn1::UintRef<'a>,
}

/// A [`Signer`] whose private key stays on a PKCS#11 token.
pub struct Pkcs11Signer {
    module: TokenModule,
    reference: TokenKeyRef,
    algorithm: SignatureAlgorithm,
    chain: Vec<Certificate>,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("key", &self.reference.to_string())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Signer for Pkcs11Signer {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let token = self.reference.token.as_str();
        let session = self.module.session(token, false)?;
        let key = find_private_key(&session, &self.reference)?;
        match self.algorithm {
            SignatureAlgorithm::RsaPkcs1Sha256 => session
                .sign(&Mechanism::Sha256RsaPkcs, key, message)
                .map_err(|e| token_error(token, "sign")(e).into()),
            _ => {
                let digest = Sha256::digest(message);
                let raw = session
                    .sign(&Mechanism::Ecdsa, key, &digest)
                    .map_err(token_error(token, "sign"))?;
                ecdsa_raw_to_der(&raw)
            }
        }
    }
}

/// Re-encodes a raw P-256 ECDSA signature (`r || s`, 32 bytes each) as the DER
/// `Ecdsa-Sig-Value`.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, SigningError> {
    if raw.len() != 64 {
        return Err(SigningError::SignatureFailed);
    }
    let (r, s) = raw.split_at(32);
    let value = EcdsaSigValue {
        r: der::asn1::UintRef::new(r)?,
        s: der::asn1::UintRef::new(s)?,
    };
    Ok(value.to_der()?)
}

/// Token keys of officials and office seals, by id; everyone else signs with key files.
#[derive(Debug, Clone, Default)]
pub struct TokenKeys {
    /// Official user id → key.
    pub officials: BTreeMap<String, TokenKeyRef>,
    /// Office id → seal key.
    pub seals: BTreeMap<String, TokenKeyRef>,
}

/// The issuing chain's certificate files in `dir` that exist (`justice-ca.crt`, then
/// `root.crt`), as for key files.
fn chain_files(dir: &Path) -> Vec<PathBuf> {
    ["justice-ca.crt", "root.crt"]
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.exists())
        .collect()
}

/// A key store that takes the configured keys from a token and the others from files.
#[derive(Debug, Clone)]
pub struct TokenKeyStore {
    module: TokenModule,
    keys: TokenKeys,
    files: FileKeyStore,
    dir: PathBuf,
}

impl TokenKeyStore {
    /// A key store over `module` for `keys`, falling back to files in `dir`.
    pub fn new(module: TokenModule, keys: TokenKeys, dir: &Path) -> Self {
        TokenKeyStore {
            module,
            keys,
            files: FileKeyStore::new(dir),
            dir: dir.to_owned(),
        }
    }
}

impl KeyStore for TokenKeyStore {
    fn official_signer(&self, official_id: &str) -> Result<Box<dyn Signer>, SigningError> {
        match self.keys.officials.get(official_id) {
            Some(key) => Ok(Box::new(self.module.signer(key, &chain_files(&self.dir))?)),
            None => self.files.official_signer(official_id),
        }
    }

    fn seal_signer(&self, office_id: &str) -> Result<Box<dyn Signer>, SigningError> {
        match self.keys.seals.get(office_id) {
            Some(key) => Ok(Box::new(self.module.signer(key, &chain_files(&self.dir))?)),
            None => self.files.seal_signer(office_id),
        }
    }

    fn tsa_signer(&self) -> Result<Box<dyn Signer>, SigningError> {
        self.files.tsa_signer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_references_parse() {
        assert_eq!(
            TokenKeyRef::parse("pkcs11:Phuong Ben Nghe/ky-so 01").unwrap(),
            TokenKeyRef {
                token: "Phuong Ben Nghe".into(),
                key: KeySelector::Label("ky-so 01".into())
            }
        );
        let by_id = TokenKeyRef::parse("pkcs11:hsm/id=0a1B").unwrap();
        assert_eq!(by_id.key, KeySelector::Id(vec![0x0a, 0x1b]));
        assert_eq!(by_id.to_string(), "pkcs11:hsm/id=0a1b");
        for bad in [
            "hsm/key",
            "pkcs11:hsm",
            "pkcs11:/key",
            "pkcs11:hsm/",
            "pkcs11:hsm/id=zz",
            "certs/dev/key.pem",
        ] {
            assert!(
                matches!(
                    TokenKeyRef::parse(bad),
                    Err(Pkcs11Error::BadReference { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn raw_ecdsa_signatures_become_der() {
        // r with its high bit set gains a leading zero; s with leading zeros loses them.
        let mut raw = vec![0x80; 32];
        raw.extend([0u8; 31]);
        raw.push(0x05);
        let der = ecdsa_raw_to_der(&raw).unwrap();
        let mut expected = vec![0x30, (2 + 33) + (2 + 1), 0x02, 33, 0x00];
        expected.extend([0x80; 32]);
        expected.extend([0x02, 1, 0x05]);
        assert_eq!(der, expected);
        assert!(matches!(
            ecdsa_raw_to_der(&raw[..63]),
            Err(SigningError::SignatureFailed)
        ));
    }

    #[test]
    fn token_errors_are_key_unavailable() {
        let error: SigningError = Pkcs11Error::PinIncorrect {
            token: "hsm".into(),
        }
        .into();
        match error {
            SigningError::KeyUnavailable { key, reason } => {
                assert_eq!(key, "pkcs11:hsm");
                assert!(reason.contains("refused the PIN"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_module_is_a_typed_error() {
        let error =
            TokenModule::open(Path::new("/nonexistent/libpkcs11.so"), "1234".into()).unwrap_err();
        assert!(matches!(error, Pkcs11Error::Module { .. }), "{error}");
    }
}
