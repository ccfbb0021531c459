//! Errors, layer by layer.
//!
//! | layer | type | raised by |
//! |---|---|---|
//! | configuration | [`crate::config::ConfigError`] | start-up, before anything is served |
//! | database | [`crate::db::DbError`] | Diesel, the pool, migrations |
//! | blob storage | [`crate::storage::StorageError`] | the object store |
//! | accounts | [`crate::auth::AuthError`] | registration, login, guards, admin actions |
//! | development PKI | [`crate::pki::PkiError`] | `certcopy pki init`, first start |
//! | HTTP | `crate::web::ApiError` | built from the domain errors above; the only type a handler returns |
//!
//! Domain errors implement [`UserFacing`]: a stable machine code, an HTTP-like class, and
//! a message in Vietnamese (first: the users are Vietnamese citizens and civil servants)
//! and English. The web layer turns that into `{"error":{"code","message",…}}`; the CLI
//! prints the messages and exits non-zero.

use serde::Serialize;

/// A refusal or validation error as shown to a person: a stable machine code plus the
/// Vietnamese and English wording. The web layer serialises this as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedMessage {
    /// Stable snake_case code, e.g. `too_soon`.
    pub code: &'static str,
    /// Vietnamese text (the language of the office and the citizen's slip).
    pub vi: String,
    /// English text.
    pub en: String,
}

/// Implemented by every error and refusal of the booking module that a person may see.
pub trait Localized {
    /// Stable snake_case code.
    fn code(&self) -> &'static str;
    /// Vietnamese message.
    fn message_vi(&self) -> String;
    /// English message.
    fn message_en(&self) -> String;
    /// Code and both messages together.
    fn localized(&self) -> LocalizedMessage {
        LocalizedMessage {
            code: self.code(),
            vi: self.message_vi(),
            en: self.message_en(),
        }
    }
}

/// How a domain error presents itself to a person.
pub trait UserFacing {
    /// Stable machine-readable code, e.g. `invalid_citizen_id`.
    fn code(&self) -> &'static str;
    /// HTTP status that fits (400–499 for the caller's mistakes, 5xx for ours).
    fn status(&self) -> u16;
    /// Message in Vietnamese.
    fn message_vi(&self) -> String;
    /// Message in English.
    fn message_en(&self) -> String;
}

/// A domain error reduced to what is shown to a person: plain data, cloneable, ready for
/// the web layer or the CLI.
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
}

impl PublicError {
    /// Reduces any [`UserFacing`] error.
    pub fn from_error(error: &dyn UserFacing) -> Self {
        PublicError {
            status: error.status(),
            code: error.code(),
            message_vi: error.message_vi(),
            message_en: error.message_en(),
        }
    }
}
