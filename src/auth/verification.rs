//! Proving a claimed citizen ID at the desk (docs/ARCHITECTURE.md §9).
//!
//! 1. The signed-in citizen asks for a one-time code ([`request_identity_code`]): 8
//!    symbols of an alphabet without look-alikes, live for [`IDENTITY_CODE_TTL_MINUTES`]
//!    minutes, stored only as its SHA-256; a new request replaces the previous code.
//! 2. At the desk the citizen shows the code (or its QR) and the physical ID card. The
//!    clerk submits the code with the number read from the card ([`confirm_at_desk`]); if
//!    the code is live and the account claims exactly that number, the account becomes the
//!    verified holder of the ID (`via = desk`), audited with the clerk and the office. The
//!    code is used up.
//!
//! Guessing is bounded twice: a clerk may try [`DESK_ATTEMPTS_PER_WINDOW`] confirmations
//! per [`DESK_ATTEMPT_WINDOW_SECS`] seconds (counted in the database, shared by instances),
//! and a code is burnt after [`MAX_FAILURES_PER_CODE`] card numbers that do not match. With
//! 32⁸ ≈ 10¹² possible codes and few live at once, a wrong guess finds a live code with
//! negligible probability.

use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use serde_json::json;

use super::AuthError;
use crate::audit::{self, Actor, AuditEvent};
use crate::db::models::{IdentityCode, Role, User};
use crate::db::{DbConn, DbError, now_utc, write_transaction};
use crate::identity::normalize_citizen_id;
use crate::rate_limit;
use crate::secrets::token_hash;

/// Symbols of a code: digits and capitals without the look-alikes 0/O and 1/I (32
/// symbols, so one random byte's low five bits pick one uniformly).
const IDENTITY_CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Symbols in a code.
pub const IDENTITY_CODE_LENGTH: usize = 8;
/// How long a code stays live.
pub const IDENTITY_CODE_TTL_MINUTES: i64 = 10;
/// Card numbers that do not match before a code is burnt.
pub const MAX_FAILURES_PER_CODE: i32 = 3;
/// Confirmations one clerk may try per window.
pub const DESK_ATTEMPTS_PER_WINDOW: u32 = 30;
/// Length of the clerk's window, seconds.
pub const DESK_ATTEMPT_WINDOW_SECS: i64 = 600;

/// A fresh code, shown once to the citizen.
#[derive(Debug, Clone)]
pub struct IdentityCodeIssued {
    /// The code as shown: `XXXX-XXXX`.
    pub code: String,
    /// When it stops working (UTC).
    pub expires_at: time::PrimitiveDateTime,
}

/// What the clerk submits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskConfirmation {
    /// The code the citizen shows (typed or scanned; case and separators do not matter).
    pub code: String,
    /// The number read from the physical ID card.
    pub citizen_id: String,
}

/// A code of random symbols. The alphabet has 32 symbols, so each byte's low five bits
/// select one without bias.
fn new_identity_code() -> Result<String, AuthError> {
    let mut bytes = [0u8; IDENTITY_CODE_LENGTH];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AuthError::Hashing("the system random generator failed".into()))?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(IDENTITY_CODE_ALPHABET[usize::from(byte & 0x1f)]))
        .collect())
}

/// The canonical form of a typed or scanned code: upper case, separators removed;
/// `None` when it cannot be a code.
fn canonical_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == IDENTITY_CODE_LENGTH
        && code.bytes().all(|b| IDENTITY_CODE_ALPHABET.contains(&b)))
    .then_some(code)
}

/// `ABCD-EFGH`: easier to read aloud and to type.
fn display_code(code: &str) -> String {
    let (head, tail) = code.split_at(IDENTITY_CODE_LENGTH / 2);
    format!("{head}-{tail}")
}

/// Issues a desk code for a citizen whose ID is still only claimed, replacing any earlier
/// code of the account.
pub fn request_identity_code(
    conn: &mut DbConn,
    user: &User,
) -> Result<IdentityCodeIssued, AuthError> {
    if user.role() != Role::Citizen {
        return Err(AuthError::Forbidden);
    }
    if user.identity_verified_at.is_some() {
        return Err(AuthError::IdentityAlreadyVerified);
    }
    let now = now_utc();
    let expires_at = now + time::Duration::minutes(IDENTITY_CODE_TTL_MINUTES);
    // A collision with another live code is refused by the unique index; a fresh code is
    // drawn then (with 32⁸ codes, a second collision does not happen in practice).
    for _ in 0..3 {
        let code = new_identity_code()?;
        let row = IdentityCode {
            user_id: user.id.clone(),
            code_hash: token_hash(&code),
            expires_at,
            failed_attempts: 0,
            created_at: now,
        };
        let stored = write_transaction(conn, |conn| {
            IdentityCode::purge_expired(conn, now)?;
            IdentityCode::replace(conn, &row)
        });
        match stored {
            Ok(()) => {
                return Ok(IdentityCodeIssued {
                    code: display_code(&code),
                    expires_at,
                });
            }
            Err(DbError::Duplicate { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(AuthError::Db(DbError::Constraint(
        "no free identity code after three draws".into(),
    )))
}

/// What a confirmation attempt found, decided inside the transaction so that a counted
/// failure is committed even though the clerk gets an error.
enum Attempt {
    Verified(Box<User>),
    Refused(AuthError),
}

/// Confirms an account's citizen ID at the desk: the clerk (or official) has seen the ID
/// card whose number is `request.citizen_id`, and the citizen showed `request.code`.
pub fn confirm_at_desk(
    conn: &mut DbConn,
    clerk: &Actor,
    request: &DeskConfirmation,
    request_id: Option<&str>,
) -> Result<User, AuthError> {
    if !matches!(clerk.role, Role::Clerk | Role::Official) || clerk.office_id.is_none() {
        return Err(AuthError::Forbidden);
    }
    let now = time::OffsetDateTime::now_utc();
    let bucket = format!("identity-desk:{}", clerk.id);
    if !rate_limit::allow(
        conn,
        &bucket,
        DESK_ATTEMPT_WINDOW_SECS,
        DESK_ATTEMPTS_PER_WINDOW,
        now.unix_timestamp(),
    )? {
        let left =
            DESK_ATTEMPT_WINDOW_SECS - now.unix_timestamp().rem_euclid(DESK_ATTEMPT_WINDOW_SECS);
        return Err(AuthError::TooManyAttempts {
            retry_after_secs: u64::try_from(left).unwrap_or(1),
        });
    }
    let card_number = normalize_citizen_id(&request.citizen_id)?;
    let code = canonical_code(&request.code).ok_or(AuthError::IdentityCodeInvalid)?;
    let at = now_utc();
    let attempt = write_transaction(conn, |conn| {
        let live = IdentityCode::find_by_hash(conn, &token_hash(&code))?
            .filter(|found| found.expires_at > at);
        let Some(live) = live else {
            return Ok::<_, AuthError>(Attempt::Refused(AuthError::IdentityCodeInvalid));
        };
        let account = User::find(conn, &live.user_id)?.ok_or(AuthError::IdentityCodeInvalid)?;
        if account.identity_verified_at.is_some() {
            IdentityCode::delete_for(conn, &account.id)?;
            return Ok(Attempt::Refused(AuthError::IdentityAlreadyVerified));
        }
        if account.citizen_id.as_deref() != Some(card_number.as_str()) {
            if IdentityCode::count_failure(conn, &account.id)? >= MAX_FAILURES_PER_CODE {
                IdentityCode::delete_for(conn, &account.id)?;
            }
            return Ok(Attempt::Refused(AuthError::IdentityMismatch));
        }
        if User::verified_holder(conn, &card_number)?.is_some() {
            return Ok(Attempt::Refused(AuthError::IdentityHeldElsewhere));
        }
        let changed = User::mark_identity_verified(conn, &account.id, at, "desk").map_err(
            |error| match error {
                DbError::Duplicate { .. } => AuthError::IdentityHeldElsewhere,
                other => AuthError::Db(other),
            },
        )?;
        if !changed {
            return Ok(Attempt::Refused(AuthError::IdentityAlreadyVerified));
        }
        IdentityCode::delete_for(conn, &account.id)?;
        let event = AuditEvent {
            action: "identity.verify",
            target: Some(account.id.to_string()),
            office_id: clerk.office_id.clone(),
            detail: json!({ "via": "desk", "citizen_id": card_number }),
        };
        audit::record(conn, Some(clerk), event, request_id)?;
        let verified = User::find(conn, &account.id)?.ok_or(AuthError::AccountNotFound)?;
        Ok(Attempt::Verified(Box::new(verified)))
    })?;
    match attempt {
        Attempt::Verified(user) => Ok(*user),
        Attempt::Refused(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_alphabet_and_read_back() {
        let code = new_identity_code().unwrap();
        assert_eq!(code.len(), IDENTITY_CODE_LENGTH);
        let shown = display_code(&code);
        assert_eq!(canonical_code(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(canonical_code(&format!(" {shown} ")), Some(code));
        assert_eq!(canonical_code("ABCD-EFG0"), None, "0 is not a symbol");
        assert_eq!(canonical_code("ABCD-EFG"), None, "too short");
        assert_ne!(new_identity_code().unwrap(), new_identity_code().unwrap());
    }
}
