//! Accounts, passwords, sessions and agency API keys. The Rocket request guards that
//! authenticate a request live in [`crate::web::guards`].
//!
//! * Passwords are hashed with Argon2id (PHC strings). Unknown logins are checked against
//!   a dummy hash so response time does not reveal which accounts exist.
//! * A login creates a session: a random 256-bit token, stored only as its SHA-256. Pages
//!   carry it in a private (encrypted) cookie, API clients as `Authorization: Bearer`.
//! * Agencies authenticate with API keys (`X-Api-Key` or `Authorization: ApiKey …`), also
//!   stored only as SHA-256: the keys are random and long, so a slow hash adds nothing.
//! * Staff and admin actions write an audit row in the same transaction as the action.

mod accounts;
mod password;

pub use accounts::{
    DemoAccounts, LoginOutcome, NewAgency, NewOffice, NewStaff, RegisterCitizen, create_agency,
    create_office, create_staff, issue_api_key, login, logout, register_citizen, seed_demo,
};
pub use password::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordWeakness, check_password_strength,
    hash_password, verify_password,
};

use crate::db::DbError;
use crate::error::UserFacing;
use crate::identity::IdentityError;

/// Errors of the accounts layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Citizen ID, full name, phone or e-mail refused.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// Neither phone nor e-mail given.
    #[error("phone or e-mail required")]
    MissingContact,
    /// A login name (username) is malformed.
    #[error("invalid username")]
    InvalidUsername,
    /// Password refused by the strength rules.
    #[error("weak password: {0:?}")]
    WeakPassword(PasswordWeakness),
    /// Another account already has this citizen ID, username, phone or e-mail.
    #[error("account already exists")]
    AccountExists,
    /// Login name or password wrong (deliberately not saying which).
    #[error("wrong login or password")]
    BadCredentials,
    /// The account is disabled.
    #[error("account disabled")]
    AccountDisabled,
    /// No valid session, token or API key on the request.
    #[error("not authenticated")]
    NotAuthenticated,
    /// Authenticated, but the role may not do this.
    #[error("forbidden for this role")]
    Forbidden,
    /// The office named does not exist.
    #[error("office not found")]
    OfficeNotFound,
    /// The account named does not exist (or is not of the expected kind).
    #[error("account not found")]
    AccountNotFound,
    /// A staff role was expected (clerk, official, admin).
    #[error("invalid staff role")]
    InvalidRole,
    /// A free-text field is empty or too long.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// Hashing failed (should not happen with valid parameters).
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UserFacing for AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::MissingContact => "missing_contact",
            AuthError::Identity(e) => e.code(),
            AuthError::InvalidUsername => "invalid_username",
            AuthError::WeakPassword(_) => "weak_password",
            AuthError::AccountExists => "account_exists",
            AuthError::BadCredentials => "bad_credentials",
            AuthError::AccountDisabled => "account_disabled",
            AuthError::NotAuthenticated => "not_authenticated",
            AuthError::Forbidden => "forbidden",
            AuthError::OfficeNotFound => "office_not_found",
            AuthError::AccountNotFound => "account_not_found",
            AuthError::InvalidRole => "invalid_role",
            AuthError::InvalidField(_) => "invalid_field",
            AuthError::Hashing(_) => "internal_error",
            AuthError::Db(DbError::Pool(_)) => "service_busy",
            AuthError::Db(_) => "internal_error",
        }
    }

    fn status(&self) -> u16 {
        match self {
            AuthError::AccountExists => 409,
            AuthError::BadCredentials | AuthError::NotAuthenticated => 401,
            AuthError::AccountDisabled | AuthError::Forbidden => 403,
            AuthError::OfficeNotFound | AuthError::AccountNotFound => 404,
            AuthError::Hashing(_) => 500,
            AuthError::Db(DbError::Pool(_)) => 503,
            AuthError::Db(_) => 500,
            _ => 422,
        }
    }

    fn message_vi(&self) -> String {
        match self {
            AuthError::MissingContact => "Cần nhập số điện thoại hoặc thư điện tử.".into(),
            AuthError::Identity(e) => e.message_vi(),
            AuthError::InvalidUsername => {
                "Tên đăng nhập không hợp lệ (3–40 ký tự: chữ thường, số, dấu chấm, gạch).".into()
            }
            AuthError::WeakPassword(weakness) => match weakness {
                PasswordWeakness::TooShort => format!(
                    "Mật khẩu quá ngắn: cần ít nhất {} ký tự.",
                    MIN_PASSWORD_CHARS
                ),
                PasswordWeakness::TooLong => "Mật khẩu quá dài (tối đa 128 byte).".into(),
                PasswordWeakness::NeedsLettersAndDigits => {
                    "Mật khẩu cần có cả chữ cái và chữ số.".into()
                }
                PasswordWeakness::ContainsPersonalData => {
                    "Mật khẩu không được chứa số CCCD hoặc số điện thoại.".into()
                }
            },
            AuthError::AccountExists => {
                "Tài khoản đã tồn tại (trùng số CCCD, tên đăng nhập, điện thoại hoặc thư điện tử)."
                    .into()
            }
            AuthError::BadCredentials => "Sai tên đăng nhập hoặc mật khẩu.".into(),
            AuthError::AccountDisabled => "Tài khoản đã bị khóa.".into(),
            AuthError::NotAuthenticated => "Bạn cần đăng nhập để thực hiện thao tác này.".into(),
            AuthError::Forbidden => {
                "Tài khoản của bạn không có quyền thực hiện thao tác này.".into()
            }
            AuthError::OfficeNotFound => "Không tìm thấy cơ quan chứng thực.".into(),
            AuthError::AccountNotFound => "Không tìm thấy tài khoản.".into(),
            AuthError::InvalidRole => "Vai trò không hợp lệ (chỉ: clerk, official, admin).".into(),
            AuthError::InvalidField(field) => {
                format!("Trường `{field}` trống hoặc quá dài.")
            }
            AuthError::Db(DbError::Pool(_)) => {
                "Hệ thống đang quá tải, vui lòng thử lại sau ít phút.".into()
            }
            AuthError::Hashing(_) | AuthError::Db(_) => {
                "Lỗi hệ thống, vui lòng thử lại sau.".into()
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            AuthError::MissingContact => "A phone number or an e-mail address is required.".into(),
            AuthError::Identity(e) => e.message_en(),
            AuthError::InvalidUsername => {
                "Invalid username (3–40 characters: lower-case letters, digits, dot, dash).".into()
            }
            AuthError::WeakPassword(weakness) => match weakness {
                PasswordWeakness::TooShort => format!(
                    "Password too short: at least {} characters.",
                    MIN_PASSWORD_CHARS
                ),
                PasswordWeakness::TooLong => "Password too long (at most 128 bytes).".into(),
                PasswordWeakness::NeedsLettersAndDigits => {
                    "The password needs both letters and digits.".into()
                }
                PasswordWeakness::ContainsPersonalData => {
                    "The password must not contain your citizen ID or phone number.".into()
                }
            },
            AuthError::AccountExists => {
                "An account with this citizen ID, username, phone or e-mail already exists.".into()
            }
            AuthError::BadCredentials => "Wrong login or password.".into(),
            AuthError::AccountDisabled => "This account is disabled.".into(),
            AuthError::NotAuthenticated => "Please log in to do this.".into(),
            AuthError::Forbidden => "Your account is not allowed to do this.".into(),
            AuthError::OfficeNotFound => "Certifying office not found.".into(),
            AuthError::AccountNotFound => "Account not found.".into(),
            AuthError::InvalidRole => "Invalid role (only: clerk, official, admin).".into(),
            AuthError::InvalidField(field) => format!("Field `{field}` is empty or too long."),
            AuthError::Db(DbError::Pool(_)) => {
                "The service is overloaded, please retry in a few minutes.".into()
            }
            AuthError::Hashing(_) | AuthError::Db(_) => {
                "Internal error, please try again later.".into()
            }
        }
    }
}
