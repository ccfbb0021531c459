//! Keys and certificates on disk: the development PKI ([`dev_pki`]) and the file key store
//! ([`FileKeyStore`]) that hands the document crate's signing layer a [`crate::signing::Signer`]
//! for an official or an office seal. The document crate itself never reads files.

pub mod dev_pki;
mod keystore;

pub use dev_pki::{DevPki, PkiError};
pub use keystore::{FileKeyStore, KeyStore, signer_from_files};
