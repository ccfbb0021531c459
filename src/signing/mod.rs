//! Signing: key stores, the development PKI and (next) PAdES signatures.

pub mod dev_pki;

pub use dev_pki::{DevPki, PkiError};
