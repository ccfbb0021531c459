//! Where signing keys come from.
//!
//! [`FileKeyStore`] reads PKCS#8 key files and PEM certificates laid out as
//! [`super::dev_pki`] writes them: `officials/{user_id}/signing.{key,crt}` for officials,
//! `offices/{office_id}/seal.{key,crt}` for an office's seal, and the issuing chain
//! (`justice-ca.crt`, `root.crt`) at the top. A production deployment backed by an HSM
//! implements [`KeyStore`] instead.

use std::path::{Path, PathBuf};

use crate::signing::{Pkcs8Signer, Signer, SigningError};

/// Finds signers by who signs.
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    /// The signing key of an official (the certifying person).
    fn official_signer(&self, official_id: &str) -> Result<Box<dyn Signer>, SigningError>;
    /// The seal key of an office (the certifying agency).
    fn seal_signer(&self, office_id: &str) -> Result<Box<dyn Signer>, SigningError>;
    /// The key of the service's time-stamping authority.
    fn tsa_signer(&self) -> Result<Box<dyn Signer>, SigningError>;
}

/// Keys and certificates in a directory.
#[derive(Debug, Clone)]
pub struct FileKeyStore {
    dir: PathBuf,
}

impl FileKeyStore {
    /// A key store over `dir`.
    pub fn new(dir: &Path) -> Self {
        FileKeyStore {
            dir: dir.to_owned(),
        }
    }

    fn load(&self, key: PathBuf, cert: PathBuf) -> Result<Box<dyn Signer>, SigningError> {
        let mut chain = vec![cert];
        for issuer in ["justice-ca.crt", "root.crt"] {
            let path = self.dir.join(issuer);
            if path.exists() {
                chain.push(path);
            }
        }
        Ok(Box::new(signer_from_files(key, &chain)?))
    }
}

impl KeyStore for FileKeyStore {
    fn official_signer(&self, official_id: &str) -> Result<Box<dyn Signer>, SigningError> {
        let dir = self.dir.join("officials").join(official_id);
        self.load(dir.join("signing.key"), dir.join("signing.crt"))
    }

    fn seal_signer(&self, office_id: &str) -> Result<Box<dyn Signer>, SigningError> {
        let dir = self.dir.join("offices").join(office_id);
        self.load(dir.join("seal.key"), dir.join("seal.crt"))
    }

    fn tsa_signer(&self) -> Result<Box<dyn Signer>, SigningError> {
        let dir = self.dir.join("tsa");
        self.load(dir.join("tsa.key"), dir.join("tsa.crt"))
    }
}

/// A signer from a private key file (PEM `PRIVATE KEY` or PKCS#8 DER) and certificate files
/// (PEM or DER) in chain order, signer first.
pub fn signer_from_files<P: AsRef<Path>>(
    key_path: impl AsRef<Path>,
    certificate_paths: &[P],
) -> Result<Pkcs8Signer, SigningError> {
    let key = read_key_file(key_path.as_ref())?;
    let certificates = certificate_paths
        .iter()
        .map(|path| read_key_file(path.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let inputs: Vec<&[u8]> = certificates.iter().map(Vec::as_slice).collect();
    Pkcs8Signer::from_pem_or_der(&key, &inputs)
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, SigningError> {
    std::fs::read(path).map_err(|error| SigningError::KeyUnavailable {
        key: path.display().to_string(),
        reason: error.to_string(),
    })
}
