//! Trust material for verification: the anchors, intermediates and CRLs every verifier of
//! this process uses (the service, its pages and `certcopy verify`), loaded once from the
//! configured files by [`super::Config::trust_store`].

use crate::verification::{ValidationPolicy, certificates_from_pem_or_der, crls_from_pem_or_der};

/// Trust material for verification: anchors, intermediates and CRLs (DER), loaded once.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Trusted roots.
    pub anchors: Vec<Vec<u8>>,
    /// Known intermediate CA certificates.
    pub intermediates: Vec<Vec<u8>>,
    /// Certificate revocation lists.
    pub crls: Vec<Vec<u8>>,
}

/// Errors loading trust material.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: std::path::PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A file holds no usable certificate or CRL.
    #[error("{path}: {reason}")]
    Parse {
        /// File.
        path: std::path::PathBuf,
        /// Cause.
        reason: String,
    },
}

impl TrustStore {
    /// Loads PEM or DER files.
    pub fn load(
        anchors: &[std::path::PathBuf],
        intermediates: &[std::path::PathBuf],
        crls: &[std::path::PathBuf],
    ) -> Result<TrustStore, TrustError> {
        let read = |path: &std::path::PathBuf| {
            std::fs::read(path).map_err(|source| TrustError::Io {
                path: path.clone(),
                source,
            })
        };
        let parse_error =
            |path: &std::path::PathBuf, e: &dyn std::fmt::Display| TrustError::Parse {
                path: path.clone(),
                reason: e.to_string(),
            };
        let mut store = TrustStore::default();
        for path in anchors {
            store.anchors.extend(
                certificates_from_pem_or_der(&read(path)?).map_err(|e| parse_error(path, &e))?,
            );
        }
        for path in intermediates {
            store.intermediates.extend(
                certificates_from_pem_or_der(&read(path)?).map_err(|e| parse_error(path, &e))?,
            );
        }
        for path in crls {
            store
                .crls
                .extend(crls_from_pem_or_der(&read(path)?).map_err(|e| parse_error(path, &e))?);
        }
        Ok(store)
    }

    /// Adds another store's material to this one.
    pub fn merge(&mut self, other: TrustStore) {
        self.anchors.extend(other.anchors);
        self.intermediates.extend(other.intermediates);
        self.crls.extend(other.crls);
    }

    /// A validation policy at `time` over this trust material.
    pub fn policy(&self, time: time::OffsetDateTime) -> ValidationPolicy {
        let mut policy = ValidationPolicy::new(time);
        policy.trust_anchors = self.anchors.clone();
        policy.intermediates = self.intermediates.clone();
        policy.crls = self.crls.clone();
        policy
    }
}
