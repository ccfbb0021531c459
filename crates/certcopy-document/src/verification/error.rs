//! Errors of the verification module.
//!
//! [`VerificationError`] is returned by [`super::verify_pdf`] only when the input is not a
//! PDF at all or cannot be read (the caller answers HTTP 422 / exits with code 2). Everything
//! about signatures — including forged, altered and malformed ones — is a
//! [`super::DocumentReport`], never an error. [`PolicyError`] is for loading trust material.

/// The input cannot be verified as a PDF.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerificationError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,
    /// The file does not start with `%PDF-`.
    #[error("the file is not a PDF (no %PDF- header at the start)")]
    NotPdf,
    /// No `startxref … %%EOF` trailer: truncated or not a complete PDF.
    #[error("the PDF is truncated or incomplete (no end-of-file marker)")]
    Truncated,
    /// The PDF structure cannot be read (cross-reference data, trailer, catalog).
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    /// The file is larger than the 4 GiB the PDF offsets here can address.
    #[error("the file is too large")]
    TooLarge,
    /// Compressed data in the file decodes to more than the verifier accepts for a file of
    /// its size (a stream, or all revisions together; see [`super::DecompressionLimits`]).
    #[error(
        "the PDF's compressed data decodes to more than the verifier accepts for a file of this size; it was not verified"
    )]
    DecompressionLimit,
    /// The caller cancelled the verification ([`crate::cancel::Cancellation`]: its deadline
    /// passed or nobody waits for the answer); nothing was judged.
    #[error("the verification was stopped before it finished; the file was not judged")]
    Cancelled,
}

impl VerificationError {
    /// Vietnamese text for the person who uploaded the file.
    pub fn message_vi(&self) -> &'static str {
        match self {
            Self::Empty => "Tệp rỗng.",
            Self::NotPdf => "Tệp không phải là tài liệu PDF.",
            Self::Truncated => "Tệp PDF bị cắt cụt hoặc không đầy đủ.",
            Self::Unreadable(_) => "Không đọc được cấu trúc của tệp PDF.",
            Self::TooLarge => "Tệp quá lớn.",
            Self::DecompressionLimit => {
                "Dữ liệu nén trong tệp PDF giải nén ra lớn hơn mức cho phép đối với một tệp có kích thước này (có thể là tệp được tạo ra nhằm làm quá tải hệ thống); tệp không được kiểm tra."
            }
            Self::Cancelled => "Việc kiểm tra đã dừng trước khi xong; tệp chưa được đánh giá.",
        }
    }
}

/// Trust material (certificates, CRLs) could not be loaded into a [`super::ValidationPolicy`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// PEM text without a usable block of the expected kind.
    #[error("no {expected} found in the PEM input")]
    NoPemBlock {
        /// What was looked for, e.g. `CERTIFICATE`.
        expected: &'static str,
    },
    /// A block that does not decode as PEM.
    #[error("malformed PEM input")]
    MalformedPem,
    /// DER that is not an X.509 certificate.
    #[error("not an X.509 certificate: {0}")]
    InvalidCertificate(String),
    /// DER that is not an X.509 CRL.
    #[error("not an X.509 CRL: {0}")]
    InvalidCrl(String),
}
