//! Errors, layer by layer.
//!
//! | layer | type | raised by |
//! |---|---|---|
//! | configuration | [`crate::config::ConfigError`] | start-up, before anything is served |
//! | database | [`crate::db::DbError`] | Diesel, the pool, migrations |
//! | blob storage | [`crate::storage::StorageError`] | the object store |
//! | accounts | [`crate::auth::AuthError`] | registration, login, guards, admin actions |
//! | development PKI | [`crate::pki::PkiError`] | `certcopy pki init`, first start |
//! | identity fields | [`crate::identity::IdentityError`] | citizen ID, name, phone, e-mail |
//! | booking | [`crate::booking::BookingError`] | bookings, the desk, calendars |
//! | register, issuing | [`crate::registry::RegistryError`], [`crate::registry::issuance::IssueError`] | the register, `Issuer` |
//! | register book | [`crate::registry::book::RegisterBookError`] | search, exports, statistics |
//! | verifying | [`crate::registry::verifying::VerifyError`] | `VerifyService` |
//! | the document | the document crate's `IntakeError`, `AssemblyError`, `SigningError`, `VerificationError` | intake, assembly, signing, verification |
//! | HTTP | `crate::web::ApiError` | built from the domain errors above; the only type a handler returns |
//!
//! Domain errors and the booking rules' refusals implement [`UserFacing`]: one
//! [`UserFacing::public`] arm per variant gives the HTTP status, a stable machine code and
//! the message in Vietnamese (first: the users are Vietnamese citizens and civil servants)
//! and English side by side, so the two languages cannot drift apart. The web layer turns
//! that into `{"error":{"code","message",…}}`; the CLI prints the messages and exits
//! non-zero. Decisions are taken on error kinds, never on an error's text.

use serde::Serialize;

/// A refusal or validation error as shown to a person: a stable machine code plus the
/// Vietnamese and English wording, without the HTTP status (see [`UserFacing::localized`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedMessage {
    /// Stable snake_case code, e.g. `too_soon`.
    pub code: &'static str,
    /// Vietnamese text (the language of the office and the citizen's slip).
    pub vi: String,
    /// English text.
    pub en: String,
}

/// How an error presents itself to a person: the one trait for everything shown, from
/// the booking rules' refusals to the HTTP answers and the CLI.
///
/// Implement [`UserFacing::public`] with one match arm per variant giving the code, the
/// HTTP status and both messages together, so the two languages are written side by
/// side. The accessors below are derived from it.
pub trait UserFacing {
    /// Code, status and both messages at once.
    fn public(&self) -> PublicError;
    /// Stable machine-readable code, e.g. `invalid_citizen_id`.
    fn code(&self) -> &'static str {
        self.public().code
    }
    /// HTTP status that fits (400–499 for the caller's mistakes, 5xx for ours).
    fn status(&self) -> u16 {
        self.public().status
    }
    /// Message in Vietnamese.
    fn message_vi(&self) -> String {
        self.public().message_vi
    }
    /// Message in English.
    fn message_en(&self) -> String {
        self.public().message_en
    }
    /// Code and both messages, without the status.
    fn localized(&self) -> LocalizedMessage {
        let public = self.public();
        LocalizedMessage {
            code: public.code,
            vi: public.message_vi,
            en: public.message_en,
        }
    }
}

/// What is shown to a person for an error: plain data, cloneable, ready for the web
/// layer or the CLI. It is itself [`UserFacing`], so a guard can fail with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicError {
    /// HTTP status.
    pub status: u16,
    /// Machine code.
    pub code: &'static str,
    /// Vietnamese message.
    pub message_vi: String,
    /// English message.
    pub message_en: String,
    /// Seconds after which a retry may succeed (sent as `Retry-After` with 429 and 503).
    pub retry_after_secs: Option<u64>,
}

impl PublicError {
    /// An error with its status, code and both messages.
    pub fn new(status: u16, code: &'static str, message_vi: String, message_en: String) -> Self {
        PublicError {
            status,
            code,
            message_vi,
            message_en,
            retry_after_secs: None,
        }
    }

    /// The same error, telling the client to retry after `seconds` (at least 1).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = Some(seconds.max(1));
        self
    }

    /// `503 service_busy`: the service is overloaded (no database connection free).
    pub fn service_busy() -> Self {
        PublicError::new(
            503,
            "service_busy",
            "Hệ thống đang quá tải, vui lòng thử lại sau.".into(),
            "The service is overloaded, please retry later.".into(),
        )
    }

    /// `500 internal_error`: our fault, nothing the person can change.
    pub fn internal_error() -> Self {
        PublicError::new(
            500,
            "internal_error",
            "Lỗi hệ thống, vui lòng thử lại sau.".into(),
            "Internal error, please try again later.".into(),
        )
    }

    /// Reduces any [`UserFacing`] error.
    pub fn from_error(error: &dyn UserFacing) -> Self {
        error.public()
    }
}

impl UserFacing for PublicError {
    fn public(&self) -> PublicError {
        self.clone()
    }
}
