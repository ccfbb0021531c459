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
//! * [`oidc`]: login through the national identity provider, which proves a citizen ID.

mod accounts;
pub mod oidc;
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
use crate::error::{PublicError, UserFacing};
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
    /// A state change carried only by the session cookie came from another site (CSRF).
    #[error("cross-site request with the session cookie")]
    CrossSiteRequest,
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
    fn public(&self) -> PublicError {
        let weak = |vi: String, en: String| PublicError::new(422, "weak_password", vi, en);
        match self {
            AuthError::Identity(e) => e.public(),
            AuthError::MissingContact => PublicError::new(
                422,
                "missing_contact",
                "Cần nhập số điện thoại hoặc thư điện tử.".into(),
                "A phone number or an e-mail address is required.".into(),
            ),
            AuthError::InvalidUsername => PublicError::new(
                422,
                "invalid_username",
                "Tên đăng nhập không hợp lệ (3–40 ký tự: chữ thường, số, dấu chấm, gạch).".into(),
                "Invalid username (3–40 characters: lower-case letters, digits, dot, dash).".into(),
            ),
            AuthError::WeakPassword(PasswordWeakness::TooShort) => weak(
                format!("Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD_CHARS} ký tự."),
                format!("Password too short: at least {MIN_PASSWORD_CHARS} characters."),
            ),
            AuthError::WeakPassword(PasswordWeakness::TooLong) => weak(
                "Mật khẩu quá dài (tối đa 128 byte).".into(),
                "Password too long (at most 128 bytes).".into(),
            ),
            AuthError::WeakPassword(PasswordWeakness::NeedsLettersAndDigits) => weak(
                "Mật khẩu cần có cả chữ cái và chữ số.".into(),
                "The password needs both letters and digits.".into(),
            ),
            AuthError::WeakPassword(PasswordWeakness::ContainsPersonalData) => weak(
                "Mật khẩu không được chứa số CCCD hoặc số điện thoại.".into(),
                "The password must not contain your citizen ID or phone number.".into(),
            ),
            AuthError::AccountExists => PublicError::new(
                409,
                "account_exists",
                "Tài khoản đã tồn tại (trùng số CCCD, tên đăng nhập, điện thoại hoặc thư điện tử)."
                    .into(),
                "An account with this citizen ID, username, phone or e-mail already exists.".into(),
            ),
            AuthError::BadCredentials => PublicError::new(
                401,
                "bad_credentials",
                "Sai tên đăng nhập hoặc mật khẩu.".into(),
                "Wrong login or password.".into(),
            ),
            AuthError::AccountDisabled => PublicError::new(
                403,
                "account_disabled",
                "Tài khoản đã bị khóa.".into(),
                "This account is disabled.".into(),
            ),
            AuthError::CrossSiteRequest => PublicError::new(
                403,
                "cross_site_request",
                "Yêu cầu đến từ một trang web khác nên bị từ chối. Hãy thao tác trực tiếp trên trang của dịch vụ.".into(),
                "The request came from another website and was refused. Use the service's own pages.".into(),
            ),
            AuthError::NotAuthenticated => PublicError::new(
                401,
                "not_authenticated",
                "Bạn cần đăng nhập để thực hiện thao tác này.".into(),
                "Please log in to do this.".into(),
            ),
            AuthError::Forbidden => PublicError::new(
                403,
                "forbidden",
                "Tài khoản của bạn không có quyền thực hiện thao tác này.".into(),
                "Your account is not allowed to do this.".into(),
            ),
            AuthError::OfficeNotFound => PublicError::new(
                404,
                "office_not_found",
                "Không tìm thấy cơ quan chứng thực.".into(),
                "Certifying office not found.".into(),
            ),
            AuthError::AccountNotFound => PublicError::new(
                404,
                "account_not_found",
                "Không tìm thấy tài khoản.".into(),
                "Account not found.".into(),
            ),
            AuthError::InvalidRole => PublicError::new(
                422,
                "invalid_role",
                "Vai trò không hợp lệ (chỉ: clerk, official, admin).".into(),
                "Invalid role (only: clerk, official, admin).".into(),
            ),
            AuthError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}` trống hoặc quá dài."),
                format!("Field `{field}` is empty or too long."),
            ),
            AuthError::Hashing(_) => PublicError::internal_error(),
            // Account actions ask for a few minutes' patience when the pool is exhausted.
            AuthError::Db(DbError::Pool(_)) => PublicError::new(
                503,
                "service_busy",
                "Hệ thống đang quá tải, vui lòng thử lại sau ít phút.".into(),
                "The service is overloaded, please retry in a few minutes.".into(),
            ),
            AuthError::Db(e) => e.public(),
        }
    }
}
