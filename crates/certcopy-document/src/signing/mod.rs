//! Electronic signatures on certified copies: PAdES baseline B-B to B-LTA (ETSI EN 319
//! 142-1).
//!
//! Layers, lowest first (docs/ARCHITECTURE.md §5):
//! - [`Signer`] — a private key with its certificate chain; [`Pkcs8Signer`] signs with ring
//!   (RSA PKCS#1 v1.5 SHA-256, ECDSA P-256 SHA-256). Other key stores implement the trait.
//! - `cms` — a detached CMS SignedData (RFC 5652) over a SHA-256 digest, built with the
//!   `cms` crate: signed attributes content-type, message-digest and signing-certificate-v2
//!   (RFC 5035); no CMS signing-time, since PAdES B-B carries the claimed time in `/M`.
//! - `pdf` — [`sign_pdf`] appends one signature (certification with DocMDP, or approval)
//!   as an incremental update, keeping every earlier byte and signature intact. All
//!   `/ByteRange` bookkeeping is there; with a [`Timestamper`], each signature carries a
//!   signature time-stamp (B-T), and [`timestamp_pdf`] adds a document time-stamp (B-LTA).
//! - `dss` — [`add_dss`] adds the certificates and CRLs that validate every signature and
//!   time-stamp to the Document Security Store (B-LT).
//!
//! Every error is a [`SigningError`]; PDF-structure problems are its [`PdfError`] variant.
//! Where keys come from (files, a PKCS#11 token) is the service's business: it hands a
//! [`Signer`] in.
//!
//! Nothing here touches the database or the network.

mod appearance;
mod append;
mod cms;
mod dss;
mod error;
mod image;
mod pdf;
mod signature_field;
mod signer;

pub use appearance::{
    Appearance, AppearanceContent, OfficialMark, SEAL_RED, SIGNATURE_BLUE, SealMark,
};
pub use cms::{
    EssCertIdV2, ID_AA_SIGNATURE_TIME_STAMP_TOKEN, IssuerSerial, SHA256_LEN, SigningCertificateV2,
    add_signature_timestamp, build_attached_signed_data, build_detached_signed_data,
    max_signed_data_len, signature_value,
};
pub use dss::{ValidationMaterial, add_dss};
pub use error::{PdfError, SigningError};
pub use image::{AppearanceImage, ImageError, ImageLimits};
pub use pdf::{
    ByteRange, DocMdpPermission, PrefixHash, SignatureKind, SignatureRequest, byte_range_digest,
    sign_pdf, sign_pdf_continuing, sign_pdf_stamped, timestamp_pdf,
};
pub use signature_field::EmptySignatureField;
pub use signer::{
    Pkcs8Signer, SignatureAlgorithm, Signer, Timestamper, certificate_not_after, parse_certificates,
};
