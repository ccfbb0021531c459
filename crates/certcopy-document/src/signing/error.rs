//! The one error type of the signing layer.
//!
//! Every fallible function under `signing` returns [`SigningError`]. PDF structure
//! problems are grouped in the typed sub-enum [`PdfError`] so that callers (the web
//! layer, the CLI) can map them to "bad input" answers without matching strings.

/// Errors raised while loading keys, building CMS SignedData or signing a PDF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The key store could not provide the key (a file missing or unreadable, a token
    /// absent or locked).
    #[error("key {key} is not available: {reason}")]
    KeyUnavailable {
        /// Which key (a file path, a token label).
        key: String,
        /// Why.
        reason: String,
    },

    /// A key file is PEM but not an unencrypted PKCS#8 `PRIVATE KEY`
    /// (e.g. `RSA PRIVATE KEY`, `EC PRIVATE KEY` or `ENCRYPTED PRIVATE KEY`).
    #[error(
        "unsupported key file format (PEM label {label:?}); expected an unencrypted PKCS#8 PRIVATE KEY"
    )]
    UnsupportedKeyFormat {
        /// The PEM label found.
        label: String,
    },

    /// The PKCS#8 key is malformed, of an unsupported algorithm or curve, or rejected by ring
    /// (for instance an RSA modulus below 2048 bits).
    #[error("private key rejected: {reason}")]
    KeyRejected {
        /// Why the key was rejected.
        reason: String,
    },

    /// The private key does not belong to the first certificate of the chain.
    #[error("the private key does not match the signer certificate")]
    KeyCertificateMismatch,

    /// The signer certificate's public key is not of the signer's algorithm
    /// (RSA for RSA PKCS#1 v1.5, EC P-256 for ECDSA P-256).
    #[error("the signer certificate's public key does not fit the signature algorithm")]
    CertificateKeyAlgorithm,

    /// No certificate was given: the signer certificate is required.
    #[error("the certificate chain is empty; the signer certificate comes first")]
    EmptyCertificateChain,

    /// The chain is not ordered signer first, then its issuers: the certificate at `index`
    /// is not issued (by name) by the certificate at `index + 1`.
    #[error("certificate {index} of the chain is not issued by certificate {}", index + 1)]
    CertificateChainOrder {
        /// Position (0 = signer) of the certificate whose issuer does not follow it.
        index: usize,
    },

    /// A certificate could not be parsed (PEM or DER).
    #[error("cannot parse certificate: {0}")]
    CertificateParse(#[source] der::Error),

    /// A PEM or DER certificate input held no certificate.
    #[error("no certificate found")]
    NoCertificate,

    /// The key refused to sign (a ring `Unspecified` error or a key-store failure).
    #[error("the signing operation failed")]
    SignatureFailed,

    /// The signature returned by the signer does not verify with the signer certificate's
    /// public key; nothing is written (fail-closed).
    #[error("the produced signature does not verify with the signer certificate")]
    SignatureVerificationFailed,

    /// DER encoding or decoding of a CMS structure failed.
    #[error("ASN.1 DER error: {0}")]
    Asn1(#[from] der::Error),

    /// The `cms` SignedData builder failed.
    #[error("CMS SignedData builder error: {message}")]
    CmsBuilder {
        /// The builder's message (its error type is not `std::error::Error`).
        message: String,
    },

    /// The CMS SignedData is larger than the `/Contents` placeholder reserved for it.
    /// The signature is never truncated.
    #[error("CMS SignedData of {needed} bytes does not fit the {reserved} reserved bytes")]
    SignatureTooLarge {
        /// DER length of the CMS SignedData.
        needed: usize,
        /// Bytes reserved in `/Contents`.
        reserved: usize,
    },

    /// The signature request is inconsistent (empty rectangle, out-of-range time, …).
    #[error("invalid signature request: {reason}")]
    InvalidRequest {
        /// What is wrong with the request.
        reason: &'static str,
    },

    /// The PDF cannot be signed as requested.
    #[error(transparent)]
    Pdf(#[from] PdfError),

    /// The appearance's text cannot be set in the embedded font (a character without a
    /// glyph, or a subsetting fault).
    #[error("appearance text: {0}")]
    AppearanceFont(#[from] crate::font::FontError),

    /// An image of the appearance (a signature or seal image) is not usable.
    #[error(transparent)]
    AppearanceImage(#[from] super::image::ImageError),
}

/// Problems with the PDF being signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// lopdf could not parse or write the document.
    #[error("PDF parse/write error: {0}")]
    Lopdf(#[from] lopdf::Error),

    /// Writing the incremental update failed.
    #[error("cannot write the incremental update: {0}")]
    Write(#[source] std::io::Error),

    /// The document is encrypted; certcopy signs only unencrypted documents.
    #[error("the PDF is encrypted")]
    Encrypted,

    /// An object the signature needs is missing or of the wrong type.
    #[error("malformed PDF structure: {what}")]
    Malformed {
        /// Which object or entry was wrong.
        what: &'static str,
    },

    /// The requested page does not exist.
    #[error("page index {index} is out of range (document has {count} pages)")]
    PageOutOfRange {
        /// Requested 0-based page index.
        index: usize,
        /// Number of pages in the document.
        count: usize,
    },

    /// A certification signature must be the first signature of a document
    /// (ISO 32000-1, 12.8.2.2).
    #[error("a certification signature must be the first signature of the document")]
    CertificationNotFirst,

    /// The document carries a certification signature with DocMDP P=1: no change,
    /// not even another signature, is allowed (ISO 32000-1, 12.8.2.2).
    #[error("the document's certification (DocMDP P=1) forbids any further change")]
    ChangesForbidden,

    /// The signature placeholders were not found exactly once in the appended update.
    #[error("signature placeholder not found exactly once in the incremental update")]
    PlaceholderNotFound,

    /// The written signature dictionary did not read back as written (fail-closed check).
    #[error("the signed PDF does not read back with the expected /ByteRange and /Contents")]
    ReadBackMismatch,
}
