//! Login through the national identity provider (OpenID Connect), which proves the
//! citizen ID of the person logging in (docs/ARCHITECTURE.md §9).
//!
//! [`RelyingParty`] talks to the provider; [`complete_login`] applies the proven identity
//! to the accounts:
//!
//! 1. a verified account holds the citizen ID → that account is signed in;
//! 2. else the browser is signed in to an unverified citizen account claiming the same ID
//!    → it becomes verified via `oidc` (audited) and stays signed in;
//! 3. else a citizen account is created, verified via `oidc`, named from the `name` claim,
//!    without a usable password (audited), and signed in.

mod relying_party;

pub use relying_party::{
    Callback, LOGIN_LIFETIME, LoginStart, PendingLogin, ProvenIdentity, RelyingParty,
};

use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use super::AuthError;
use crate::audit::{self, Actor, AuditEvent};
use crate::db::ids::UserId;
use crate::db::models::{Role, Session, User};
use crate::db::{DbConn, DbError, now_utc, write_transaction};
use crate::error::{PublicError, UserFacing};
use crate::identity::normalize_full_name;
use crate::secrets::{new_secret_token, token_hash};

/// Why a login through the identity provider was refused. The `Display` text is for the
/// operator's log and never carries a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OidcError {
    /// No `[oidc]` section in the configuration.
    #[error("login through the identity provider is not configured")]
    NotConfigured,
    /// The settings do not describe a usable client.
    #[error("OIDC configuration: {0}")]
    Misconfigured(String),
    /// The provider could not be reached or answered nonsense (discovery, keys, token).
    #[error("OIDC provider unavailable: {0}")]
    ProviderUnavailable(String),
    /// The provider answered with an OAuth error (the person cancelled, the code was
    /// refused, …).
    #[error("OIDC provider refused: {error} {description}")]
    ProviderRefused {
        /// The OAuth error code.
        error: String,
        /// The provider's description.
        description: String,
    },
    /// The callback does not belong to a login started in this browser (missing, expired
    /// or different `state`).
    #[error("OIDC callback refused: {0}")]
    BadState(&'static str),
    /// The ID token failed a check: signature, issuer, audience, expiry, nonce.
    #[error("OIDC ID token refused: {0}")]
    TokenInvalid(String),
    /// The ID token's assurance level (`acr`) is not one of the accepted ones.
    #[error("OIDC assurance level refused: {0}")]
    AssuranceTooLow(String),
    /// The ID token lacks a claim the service needs.
    #[error("OIDC ID token lacks the claim `{0}`")]
    ClaimMissing(String),
    /// A claim is present but not acceptable (e.g. not a valid citizen ID).
    #[error("OIDC ID token claim `{0}` is not valid")]
    ClaimInvalid(String),
    /// The account the identity leads to may not log in.
    #[error(transparent)]
    Account(#[from] AuthError),
}

impl From<DbError> for OidcError {
    fn from(error: DbError) -> Self {
        OidcError::Account(AuthError::Db(error))
    }
}

impl UserFacing for OidcError {
    fn public(&self) -> PublicError {
        match self {
            OidcError::NotConfigured => PublicError::new(
                404,
                "oidc_not_configured",
                "Dịch vụ chưa kết nối với hệ thống định danh điện tử quốc gia.".into(),
                "Login through the national electronic identity is not set up on this service."
                    .into(),
            ),
            OidcError::Misconfigured(_) => PublicError::internal_error(),
            OidcError::ProviderUnavailable(_) => PublicError::new(
                503,
                "oidc_provider_unavailable",
                "Không kết nối được với hệ thống định danh điện tử. Vui lòng thử lại sau ít phút."
                    .into(),
                "The electronic identity provider cannot be reached. Please try again in a few minutes."
                    .into(),
            ),
            OidcError::ProviderRefused { .. } => PublicError::new(
                401,
                "oidc_login_refused",
                "Hệ thống định danh điện tử không xác nhận đăng nhập (đã hủy hoặc bị từ chối)."
                    .into(),
                "The electronic identity provider did not confirm the login (cancelled or refused)."
                    .into(),
            ),
            OidcError::BadState(_) => PublicError::new(
                400,
                "oidc_bad_state",
                "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng bắt đầu đăng nhập lại."
                    .into(),
                "This login is not valid or has expired. Please start the login again.".into(),
            ),
            OidcError::TokenInvalid(_) => PublicError::new(
                401,
                "oidc_token_invalid",
                "Thông tin định danh nhận được không hợp lệ nên không thể đăng nhập.".into(),
                "The identity information received is not valid, so the login was refused."
                    .into(),
            ),
            OidcError::AssuranceTooLow(_) => PublicError::new(
                403,
                "oidc_assurance_too_low",
                "Mức độ xác thực định danh điện tử chưa đủ. Hãy đăng nhập bằng tài khoản định danh mức độ cao hơn."
                    .into(),
                "The electronic identity's assurance level is too low. Log in with a higher-level identity account."
                    .into(),
            ),
            OidcError::ClaimMissing(_) => PublicError::new(
                422,
                "oidc_claim_missing",
                "Hệ thống định danh không cung cấp đủ thông tin (số CCCD hoặc họ tên).".into(),
                "The identity provider did not send the needed information (citizen ID or name)."
                    .into(),
            ),
            OidcError::ClaimInvalid(_) => PublicError::new(
                422,
                "oidc_claim_invalid",
                "Thông tin định danh nhận được (số CCCD hoặc họ tên) không hợp lệ.".into(),
                "The identity information received (citizen ID or name) is not valid.".into(),
            ),
            OidcError::Account(e) => e.public(),
        }
    }
}

/// What [`complete_login`] did with the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcAccountOutcome {
    /// The verified holder of the citizen ID was signed in.
    SignedIn,
    /// The signed-in account's claimed citizen ID became verified.
    Verified,
    /// A new verified citizen account was created.
    Created,
}

/// A successful login through the identity provider.
#[derive(Debug, Clone)]
pub struct OidcLogin {
    /// The session token: shown once, stored only as a hash.
    pub token: String,
    /// The account signed in.
    pub user: User,
    /// Session expiry (UTC).
    pub expires_at: time::PrimitiveDateTime,
    /// What happened to the account.
    pub outcome: OidcAccountOutcome,
}

/// Applies a proven identity to the accounts and opens a session (see the module doc).
/// `signed_in` is the account the browser is signed in to, if any. Two logins of the
/// same person at once cannot create two verified accounts (unique index); the loser is
/// retried once and then signs in to the winner's account.
pub fn complete_login(
    conn: &mut DbConn,
    identity: &ProvenIdentity,
    signed_in: Option<&UserId>,
    session_hours: u32,
    request_id: Option<&str>,
) -> Result<OidcLogin, OidcError> {
    match complete_login_once(conn, identity, signed_in, session_hours, request_id) {
        Err(OidcError::Account(AuthError::Db(DbError::Duplicate { .. }))) => {
            complete_login_once(conn, identity, signed_in, session_hours, request_id)
        }
        other => other,
    }
}

fn complete_login_once(
    conn: &mut DbConn,
    identity: &ProvenIdentity,
    signed_in: Option<&UserId>,
    session_hours: u32,
    request_id: Option<&str>,
) -> Result<OidcLogin, OidcError> {
    let now = now_utc();
    write_transaction(conn, |conn| {
        let (user, outcome) =
            if let Some(holder) = User::verified_holder(conn, &identity.citizen_id)? {
                (holder, OidcAccountOutcome::SignedIn)
            } else if let Some(claimant) = claimant(conn, identity, signed_in)? {
                User::mark_identity_verified(conn, &claimant.id, now, "oidc")?;
                record_verification(conn, &claimant, identity, false, request_id)?;
                let user = User::find(conn, &claimant.id)?.ok_or(AuthError::AccountNotFound)?;
                (user, OidcAccountOutcome::Verified)
            } else {
                let user = new_verified_citizen(identity, now)?;
                User::insert(conn, &user)?;
                record_verification(conn, &user, identity, true, request_id)?;
                (user, OidcAccountOutcome::Created)
            };
        if user.disabled {
            return Err(OidcError::Account(AuthError::AccountDisabled));
        }
        let token = new_secret_token("");
        let expires_at = now + time::Duration::hours(i64::from(session_hours));
        Session {
            id: token_hash(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at,
        }
        .insert(conn)?;
        Session::purge_expired(conn, now)?;
        Ok(OidcLogin {
            token,
            user,
            expires_at,
            outcome,
        })
    })
}

/// The signed-in account, when it is an unverified citizen account claiming the ID.
fn claimant(
    conn: &mut DbConn,
    identity: &ProvenIdentity,
    signed_in: Option<&UserId>,
) -> Result<Option<User>, OidcError> {
    let Some(id) = signed_in else {
        return Ok(None);
    };
    Ok(User::find(conn, id)?.filter(|user| {
        user.role() == Role::Citizen
            && user.identity_verified_at.is_none()
            && !user.disabled
            && user.citizen_id.as_deref() == Some(identity.citizen_id.as_str())
    }))
}

/// A citizen account proven by the provider. The password hash is not a PHC string, so
/// no password ever matches it: the account logs in through the provider only.
fn new_verified_citizen(
    identity: &ProvenIdentity,
    now: time::PrimitiveDateTime,
) -> Result<User, OidcError> {
    let name = identity
        .name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| OidcError::ClaimMissing("name".into()))?;
    let full_name = normalize_full_name(&name.nfc().collect::<String>())
        .map_err(|_| OidcError::ClaimInvalid("name".into()))?;
    Ok(User {
        id: UserId::generate(),
        role: Role::Citizen.as_str().to_owned(),
        full_name,
        citizen_id: Some(identity.citizen_id.clone()),
        username: None,
        phone: None,
        email: None,
        password_hash: NO_PASSWORD.to_owned(),
        office_id: None,
        position: None,
        disabled: false,
        created_at: now,
        identity_verified_at: Some(now),
        identity_verified_via: Some("oidc".to_owned()),
    })
}

/// Stored as the password hash of accounts created by the identity provider: not a PHC
/// string, so password verification always fails.
const NO_PASSWORD: &str = "!oidc";

fn record_verification(
    conn: &mut DbConn,
    user: &User,
    identity: &ProvenIdentity,
    created: bool,
    request_id: Option<&str>,
) -> Result<(), OidcError> {
    let event = AuditEvent {
        action: "identity.verified",
        target: Some(user.id.to_string()),
        office_id: None,
        detail: json!({
            "via": "oidc",
            "account_created": created,
            "issuer": identity.issuer,
            "subject": identity.subject,
            "acr": identity.acr,
        }),
    };
    audit::record(conn, Some(&Actor::from(user)), event, request_id)?;
    Ok(())
}
