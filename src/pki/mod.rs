//! Keys and certificates on disk: the development PKI ([`dev_pki`]) and the file key store
//! ([`FileKeyStore`]) that hands the document crate's signing layer a [`crate::signing::Signer`]
//! for an official or an office seal, and the token key store ([`TokenKeyStore`]) whose
//! keys stay on a PKCS#11 token ([`pkcs11`]). The document crate itself never reads files.

pub mod dev_pki;
mod keystore;
pub mod pkcs11;

pub use dev_pki::{DevPki, PkiError};
pub use keystore::{FileKeyStore, KeyStore, signer_from_files};
pub use pkcs11::{Pkcs11Error, Pkcs11Signer, TokenKeyRef, TokenKeyStore, TokenKeys, TokenModule};
