//! The certification register (sổ chứng thực): issuing, numbering and checking copies.
//!
//! * [`register`]: one book per office per year, numbers from 1 without gaps, entries
//!   never deleted (void / annulled instead), fees per Circular 226/2016/TT-BTC.
//! * [`code`]: the public verification code printed under the QR on each copy.
//! * [`copies`]: issued copies as their holders see them, and who may download them.
//! * [`issuance`] and [`verifying`]: the two services the API, pages and CLI call to issue
//!   a copy and to verify one.

pub mod check;
pub mod code;
pub mod copies;
pub mod issuance;
pub mod register;
pub mod verifying;

pub use code::{new_verification_code, normalize_verification_code};
pub use register::{
    COPY_TYPE_CODE, NewCertification, annul_entry, copy_fee_vnd, open_entry, publish_entry,
    void_entry, void_interrupted,
};

use crate::db::DbError;
use crate::error::UserFacing;

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
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UserFacing for RegistryError {
    fn code(&self) -> &'static str {
        match self {
            RegistryError::NotFound => "copy_not_found",
            RegistryError::NotPending | RegistryError::NotValid => "copy_state_conflict",
            RegistryError::InvalidField(_) => "invalid_field",
            RegistryError::Db(DbError::Pool(_)) => "service_busy",
            RegistryError::Db(_) => "internal_error",
        }
    }

    fn status(&self) -> u16 {
        match self {
            RegistryError::NotFound => 404,
            RegistryError::NotPending | RegistryError::NotValid => 409,
            RegistryError::InvalidField(_) => 422,
            RegistryError::Db(DbError::Pool(_)) => 503,
            RegistryError::Db(_) => 500,
        }
    }

    fn message_vi(&self) -> String {
        match self {
            RegistryError::NotFound => "Không tìm thấy bản sao chứng thực.".into(),
            RegistryError::NotPending => "Bản sao này đã được xử lý xong.".into(),
            RegistryError::NotValid => "Chỉ hủy được bản sao đang có hiệu lực.".into(),
            RegistryError::InvalidField(field) => format!("Trường `{field}` không hợp lệ."),
            RegistryError::Db(DbError::Pool(_)) => {
                "Hệ thống đang quá tải, vui lòng thử lại sau.".into()
            }
            RegistryError::Db(_) => "Lỗi hệ thống, vui lòng thử lại sau.".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            RegistryError::NotFound => "Certified copy not found.".into(),
            RegistryError::NotPending => "This copy has already been processed.".into(),
            RegistryError::NotValid => "Only a valid certification can be annulled.".into(),
            RegistryError::InvalidField(field) => format!("Field `{field}` is invalid."),
            RegistryError::Db(DbError::Pool(_)) => {
                "The service is overloaded, please retry later.".into()
            }
            RegistryError::Db(_) => "Internal error, please try again later.".into(),
        }
    }
}

impl From<diesel::result::Error> for RegistryError {
    fn from(error: diesel::result::Error) -> Self {
        RegistryError::Db(DbError::from(error))
    }
}
