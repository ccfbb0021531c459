//! The certification register (sổ chứng thực): issuing, numbering and checking copies.
//!
//! * [`register`]: one book per office per year, numbers from 1 without gaps, entries
//!   never deleted (void / annulled instead), fees per Circular 226/2016/TT-BTC.
//! * [`code`]: the public verification code printed under the QR on each copy.
//! * [`book`]: the book as its office reads it: search, exports (PDF sealed, CSV),
//!   statistics.
//! * [`copies`]: issued copies as their holders see them, and who may download them.
//! * [`signature_images`]: the seal and signature images the visible signatures show.
//! * [`issuance`] and [`verifying`]: the two services the API, pages and CLI call to issue
//!   a copy and to verify one.

pub mod archive;
pub mod book;
pub mod check;
pub mod code;
pub mod copies;
pub mod issuance;
pub mod register;
pub mod retimestamp;
pub mod signature_images;
pub mod status_cache;
pub mod verifying;

pub use code::{new_verification_code, normalize_verification_code};
pub use register::{
    COPY_TYPE_CODE, NewCertification, RequestClaim, StoredCopy, annul_entry, copy_fee_vnd,
    open_entry, open_entry_for, publish_entry, void_entry, void_interrupted,
};

use crate::db::DbError;
use crate::error::{PublicError, UserFacing};

/// Errors of the register.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No such entry (or not visible to the caller).
    #[error("register entry not found")]
    NotFound,
    /// The entry is no longer pending (already published or voided).
    #[error("register entry is not pending")]
    NotPending,
    /// Only valid certifications can be annulled.
    #[error("register entry is not valid")]
    NotValid,
    /// A field is out of range.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// The certification request the entry is for moved on meanwhile (another official
    /// certified, refused or sent it back first).
    #[error("the certification request changed meanwhile")]
    RequestMoved,
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UserFacing for RegistryError {
    fn public(&self) -> PublicError {
        match self {
            RegistryError::NotFound => PublicError::new(
                404,
                "copy_not_found",
                "Không tìm thấy bản sao chứng thực.".into(),
                "Certified copy not found.".into(),
            ),
            RegistryError::NotPending => PublicError::new(
                409,
                "copy_state_conflict",
                "Bản sao này đã được xử lý xong.".into(),
                "This copy has already been processed.".into(),
            ),
            RegistryError::RequestMoved => PublicError::new(
                409,
                "illegal_transition",
                "Yêu cầu chứng thực vừa được người khác xử lý; hãy tải lại.".into(),
                "The certification request was just handled by someone else; reload it.".into(),
            ),
            RegistryError::NotValid => PublicError::new(
                409,
                "copy_state_conflict",
                "Chỉ hủy được bản sao đang có hiệu lực.".into(),
                "Only a valid certification can be annulled.".into(),
            ),
            RegistryError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}` không hợp lệ."),
                format!("Field `{field}` is invalid."),
            ),
            RegistryError::Db(e) => e.public(),
        }
    }
}

impl From<diesel::result::Error> for RegistryError {
    fn from(error: diesel::result::Error) -> Self {
        RegistryError::Db(DbError::from(error))
    }
}
