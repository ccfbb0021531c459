//! Accounts, passwords, sessions and agency API keys. The Rocket request guards that
//! authenticate a request live in [`crate::web::guards`].
//!
//! * Passwords are hashed with Argon2id (PHC strings). Unknown logins are checked against
//!   a dummy hash so response time does not reveal which accounts exist. Requests hash
//!   through [`PasswordHasher`] (a bounded number at once, never holding a database
//!   connection); [`AuthService`] runs login, registration and staff creation that way.
//! * Login and registration are throttled in the database before any hashing
//!   (docs/ARCHITECTURE.md §9): back-off per account name and client address, fixed
//!   windows for registrations.
//! * A login creates a session: a random 256-bit token, stored only as its SHA-256. Pages
//!   carry it in a private (encrypted) cookie, API clients as `Authorization: Bearer`.
//! * Agencies authenticate with API keys (`X-Api-Key` or `Authorization: ApiKey …`), also
//!   stored only as SHA-256: the keys are random and long, so a slow hash adds nothing.
//! * Staff and admin actions write an audit row in the same transaction as the action.
//! * A citizen ID typed at registration is a claim; [`confirm_at_desk`] proves it with a
//!   one-time code the citizen shows a clerk who sees the ID card (docs/ARCHITECTURE.md §9).
//!   Registration answers the same whether the details are new or not, and tells the
//!   owner of a contact through the outbox ([`crate::outbox`]).
//! * Account lifecycle (`lifecycle`): admins disable and enable accounts, end their
//!   sessions, revoke API keys and reset passwords to a temporary one that must be changed
//!   at the next login; everyone changes their own password with the current one.
//! * Signing power needs four eyes (`grants`): an admin asks for the official role, the
//!   office's head official or a second admin approves (docs/ARCHITECTURE.md §9).
//! * [`oidc`]: login through the national identity provider, which proves a citizen ID.

mod accounts;
mod grants;
mod lifecycle;
pub mod oidc;
mod password;
mod service;
mod throttle;
mod verification;

pub use accounts::{
    DemoAccounts, LoginOutcome, MAX_LOGIN_CANDIDATES, NewAgency, NewOffice, NewStaff,
    RegisterCitizen, Registration, acting_agency, agency_staff_of, citizen_draft, create_agency,
    create_office, create_staff, issue_api_key, login_candidates, login_throttle_name, logout,
    open_session, register_citizen, seed_demo, staff_draft,
};
pub use grants::{
    appoint_office_head, decide_official_grant, list_official_grants, office_head,
    pending_grant_of, request_official_grant,
};
pub use lifecycle::{
    ApiKeyView, LifecycleError, TEMPORARY_PASSWORD_HOURS, TemporaryPasswordIssued, account, agency,
    change_own_password, end_sessions, list_agencies, list_api_keys, list_staff, reset_password,
    revoke_api_key, set_account_disabled,
};
pub use password::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordHasher, PasswordWeakness,
    check_password_strength, hash_password, verify_password,
};
pub use service::{AuthService, LoginAttempt, StaffAccountCreated};
pub use throttle::{
    AuthLimits, LoginKeys, backoff_ms, count_login_attempt, count_registration, login_succeeded,
};
pub use verification::{
    DESK_ATTEMPT_WINDOW_SECS, DESK_ATTEMPTS_PER_WINDOW, DeskConfirmation, IDENTITY_CODE_LENGTH,
    IDENTITY_CODE_TTL_MINUTES, IdentityCodeIssued, MAX_FAILURES_PER_CODE, confirm_at_desk,
    request_identity_code,
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
    /// The account signed in with a temporary password and must choose its own before
    /// doing anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    /// The temporary password set by an admin reset has expired.
    #[error("temporary password expired")]
    TemporaryPasswordExpired,
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
    /// Too many login, registration or desk confirmation attempts: retry after the wait.
    #[error("too many attempts, retry after {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Every password-hashing slot stayed busy for the whole wait.
    #[error("password hashing saturated")]
    Busy {
        /// Seconds after which a retry may find a slot.
        retry_after_secs: u64,
    },
    /// Hashing failed (should not happen with valid parameters).
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// The account's citizen ID is only claimed: records kept under it are not shown.
    #[error("identity not verified")]
    IdentityUnverified,
    /// The account's citizen ID is already proven.
    #[error("identity already verified")]
    IdentityAlreadyVerified,
    /// The desk code is unknown, expired or used.
    #[error("identity code invalid or expired")]
    IdentityCodeInvalid,
    /// The ID card's number is not the one the account claims.
    #[error("citizen ID does not match the account")]
    IdentityMismatch,
    /// Another account has already proven it holds this citizen ID.
    #[error("citizen ID held by another verified account")]
    IdentityHeldElsewhere,
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
            AuthError::PasswordChangeRequired => PublicError::new(
                403,
                "password_change_required",
                "Bạn đang dùng mật khẩu tạm thời: hãy đổi mật khẩu (POST /api/v1/me/password) trước khi tiếp tục.".into(),
                "You signed in with a temporary password: change it (POST /api/v1/me/password) before anything else.".into(),
            ),
            AuthError::TemporaryPasswordExpired => PublicError::new(
                403,
                "temporary_password_expired",
                "Mật khẩu tạm thời đã hết hạn. Hãy liên hệ quản trị viên để được cấp lại.".into(),
                "The temporary password has expired. Ask an administrator for a new one.".into(),
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
                "Vai trò không hợp lệ (chỉ: clerk, official, admin, agency_staff).".into(),
                "Invalid role (only: clerk, official, admin, agency_staff).".into(),
            ),
            AuthError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}` trống hoặc quá dài."),
                format!("Field `{field}` is empty or too long."),
            ),
            AuthError::IdentityUnverified => PublicError::new(
                403,
                "identity_unverified",
                "Số CCCD của tài khoản chưa được xác minh nên chưa xem được hồ sơ theo số này. Để xác minh: lấy mã xác minh trong tài khoản rồi đưa mã cùng thẻ căn cước cho cán bộ tại bộ phận một cửa, hoặc đăng nhập bằng tài khoản định danh điện tử (VNeID).".into(),
                "This account's citizen ID is not verified yet, so records kept under it are not shown. To verify it: get a verification code in your account and show it with your ID card to a clerk at the office desk, or log in with your national e-ID (VNeID).".into(),
            ),
            AuthError::IdentityAlreadyVerified => PublicError::new(
                409,
                "identity_already_verified",
                "Số CCCD của tài khoản này đã được xác minh.".into(),
                "This account's citizen ID is already verified.".into(),
            ),
            AuthError::IdentityCodeInvalid => PublicError::new(
                422,
                "identity_code_invalid",
                "Mã xác minh sai, đã dùng hoặc đã hết hạn. Hãy đề nghị công dân lấy mã mới trong tài khoản.".into(),
                "The verification code is wrong, used or expired. Ask the citizen to get a new code in their account.".into(),
            ),
            AuthError::IdentityMismatch => PublicError::new(
                422,
                "identity_mismatch",
                "Số trên thẻ căn cước không khớp với số CCCD mà tài khoản đã khai. Không xác minh tài khoản này.".into(),
                "The number on the ID card does not match the citizen ID the account claims. Do not verify this account.".into(),
            ),
            AuthError::IdentityHeldElsewhere => PublicError::new(
                409,
                "identity_held_elsewhere",
                "Số CCCD này đã được xác minh cho một tài khoản khác. Công dân hãy đăng nhập tài khoản đó.".into(),
                "This citizen ID is already verified for another account. The citizen should log in to that account.".into(),
            ),
            AuthError::TooManyAttempts { retry_after_secs } => PublicError::new(
                429,
                "too_many_attempts",
                format!("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau {retry_after_secs} giây."),
                format!("Too many attempts. Please try again in {retry_after_secs} seconds."),
            )
            .with_retry_after(*retry_after_secs),
            AuthError::Busy { retry_after_secs } => {
                PublicError::service_busy().with_retry_after(*retry_after_secs)
            }
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
